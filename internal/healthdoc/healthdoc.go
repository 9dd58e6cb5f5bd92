// Package healthdoc is the backend's GET /health document as its clients
// decode it: the proofs harness, the chaos soak, the load run, the website
// and the benchmarks share this one type.
//
// It lives in internal/ and imports only the standard library on purpose.
// The backend's own health package builds the document from the worker's
// state, so it imports the worker, the store and pgx; a client that only
// reads the JSON (the website, which must build without a database driver)
// would pull all of that in. TestBackendDocumentDecodes keeps this type in
// step with what backend/health writes.
package healthdoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Document is the /health JSON. Fields the contract makes nullable are
// pointers (nil is null); the others are values. Missing tells a missing
// field from a zero one.
type Document struct {
	Status string `json:"status"` // ok | degraded | error
	DB     DB     `json:"db"`
	Worker Worker `json:"worker"`
}

// DB is the database part.
type DB struct {
	Status string  `json:"status"` // ok | error
	Error  *string `json:"error"`
}

// Worker is the worker part. Counters are per process.
type Worker struct {
	Status            string  `json:"status"`
	Liveness          string  `json:"liveness"` // healthy | recovering | stale | failed
	PollMS            int64   `json:"poll_ms"`
	TickAgeMS         *int64  `json:"tick_age_ms"`
	BootID            *string `json:"boot_id"`
	StartedAt         *string `json:"started_at"`
	LastTickAt        *string `json:"last_tick_at"`
	RestartCount      int64   `json:"restart_count"`
	LastExitReason    *string `json:"last_exit_reason"`
	LastJobID         *string `json:"last_job_id"`
	LastError         *string `json:"last_error"`
	ProcessedJobs     int64   `json:"processed_jobs"`
	FailedJobs        int64   `json:"failed_jobs"`
	RecoveredJobs     int64   `json:"recovered_jobs"`
	LastRecoveryAt    *string `json:"last_recovery_at"`
	LastRecoveryJobID *string `json:"last_recovery_job_id"`
	LastRecoveryCount int64   `json:"last_recovery_count"`
	RecoveryActive    bool    `json:"recovery_active"`
	// The last retention sweep (null before the first), how many jobs it
	// deleted, and how many all sweeps of this process deleted.
	LastCleanupAt    *string `json:"last_cleanup_at"`
	LastCleanupCount int64   `json:"last_cleanup_count"`
	CleanedJobs      int64   `json:"cleaned_jobs"`
}

// ErrNotHealth means a body is not a /health document: not a JSON object,
// or one without a status.
var ErrNotHealth = errors.New("not a /health document")

// Decode reads a /health body. A JSON object without "status" is
// ErrNotHealth; fields the object lacks are left zero (see Missing).
func Decode(body []byte) (Document, error) {
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrNotHealth, err)
	}
	if d.Status == "" {
		return d, fmt.Errorf("%w: no status", ErrNotHealth)
	}
	return d, nil
}

// Summary is a one-line rendering for evidence, e.g.
// "200 ok db=ok worker=running/healthy restarts=0 processed=3 recovered=0 recovery_active=false".
func (d Document) Summary(httpStatus int) string {
	w := d.Worker
	return fmt.Sprintf("%d %s db=%s worker=%s/%s restarts=%d processed=%d recovered=%d recovery_active=%t",
		httpStatus, d.Status, d.DB.Status, w.Status, w.Liveness, w.RestartCount, w.ProcessedJobs, w.RecoveredJobs, w.RecoveryActive)
}

// Fields lists every field of the document as a dotted path
// ("worker.restart_count"), in document order.
func Fields() []string { return fieldPaths(reflect.TypeFor[Document](), "") }

func fieldPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, prefix+name)
		if f.Type.Kind() == reflect.Struct {
			out = append(out, fieldPaths(f.Type, prefix+name+".")...)
		}
	}
	return out
}

// Missing lists the fields of the document (as Fields names them) that the
// body does not have; null is present. A body that is not a JSON object
// lacks every field.
func Missing(body []byte) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return Fields()
	}
	objects := map[string]map[string]json.RawMessage{"": top}
	var out []string
	for _, p := range Fields() {
		parent, name := "", p
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			parent, name = p[:i], p[i+1:]
		}
		obj, ok := objects[parent]
		raw, present := obj[name]
		if !ok || !present {
			out = append(out, p)
			continue
		}
		var child map[string]json.RawMessage
		if json.Unmarshal(raw, &child) == nil && child != nil {
			objects[p] = child
		}
	}
	return out
}
