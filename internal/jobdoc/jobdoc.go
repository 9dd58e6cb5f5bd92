// Package jobdoc is the backend's job JSON (the body of POST /jobs and
// GET /jobs/{id}) as its clients decode it: the proofs, their invariants,
// the chaos soak and the benchmarks share this one type.
//
// Like internal/healthdoc it imports only the standard library: the
// backend's own job.Job carries typed ids and times for the server, a client
// wants the JSON exactly as sent (the invariants check the timestamps' text,
// not only their value). TestBackendJobDecodes keeps this type in step with
// what backend/job writes.
package jobdoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Document is a job JSON. Nullable fields are pointers (nil is null); the
// timestamps are kept as the text the backend sent (RFC 3339, UTC).
type Document struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"` // pending | processing | processed | failed
	Attempts    int             `json:"attempts"`
	LastError   *string         `json:"last_error"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
	ProcessedAt *string         `json:"processed_at"`
}

// Fields lists the document's JSON field names, in document order.
func Fields() []string {
	t := reflect.TypeFor[Document]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// ErrNotJob means a body is not a job document: not a JSON object of the
// job's shape, or one without an id.
var ErrNotJob = errors.New("not a job document")

// Decode reads a job body. A JSON object without "id" is ErrNotJob; fields
// the object lacks are left zero.
func Decode(body []byte) (Document, error) {
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrNotJob, err)
	}
	if d.ID == "" {
		return d, fmt.Errorf("%w: no id in %.200q", ErrNotJob, body)
	}
	return d, nil
}

// Created is created_at as a time.
func (d Document) Created() (time.Time, error) { return parseTime("created_at", d.CreatedAt) }

// Updated is updated_at as a time.
func (d Document) Updated() (time.Time, error) { return parseTime("updated_at", d.UpdatedAt) }

// Processed is processed_at as a time; the zero time when it is null.
func (d Document) Processed() (time.Time, error) {
	if d.ProcessedAt == nil {
		return time.Time{}, nil
	}
	return parseTime("processed_at", *d.ProcessedAt)
}

// parseTime reads one timestamp: RFC 3339 and in UTC, as the contract says.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	if !strings.HasSuffix(s, "Z") {
		return t, fmt.Errorf("%s: %q is not in UTC", field, s)
	}
	return t, nil
}

// Summary is a one-line rendering for evidence and errors, e.g.
// "0190… processed attempts=1 last_error=null created_at=… updated_at=… processed_at=…".
func (d Document) Summary() string {
	return fmt.Sprintf("%s %s attempts=%d last_error=%s created_at=%s updated_at=%s processed_at=%s",
		d.ID, d.Status, d.Attempts, orNull(d.LastError), d.CreatedAt, d.UpdatedAt, orNull(d.ProcessedAt))
}

func orNull(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// ShortID is the short form of a UUID (a job's id, a worker's boot id) that
// proofs and pages print: its last 8 hex digits. Not the first 8: the
// backend's ids are time-ordered (version 7), and the first 8 digits of
// the ids it makes within about a minute are the same; the last 8 are
// random in every version. Anything shorter than that is returned as it is.
func ShortID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[len(id)-8:]
}
