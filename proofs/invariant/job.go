package invariant

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/jobdoc"
)

// jobFields is the job JSON's documented field set, exactly, sorted.
var jobFields = func() []string {
	f := jobdoc.Fields()
	sort.Strings(f)
	return f
}()

// jobDoc is a job JSON as the rules read it, with its times parsed.
type jobDoc struct {
	jobdoc.Document

	created, updated, processed time.Time
}

func (j jobDoc) summary() string { return j.Summary() }

// CheckJob checks the rules one job JSON must satisfy by itself. It returns
// the job's id ("" when the body is not a job) and the violations.
func CheckJob(body []byte) (string, []Violation) {
	j, vs := checkJob(body)
	if j == nil {
		return "", vs
	}
	return j.ID, vs
}

func checkJob(body []byte) (*jobDoc, []Violation) {
	var vs []Violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: "job: " + rule, Observed: fmt.Sprintf(format, args...)})
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		add("the body is a job JSON object", "%.200q", body)
		return nil, vs
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, jobFields) {
		add("exactly the documented fields ("+strings.Join(jobFields, ", ")+")", "fields %s", strings.Join(keys, ", "))
	}
	var j jobDoc
	if err := json.Unmarshal(body, &j.Document); err != nil {
		add("every field has its documented type", "%v in %.200q", err, body)
		return nil, vs
	}
	if string(fields["payload"]) == "null" && j.Payload == nil {
		j.Payload = json.RawMessage("null")
	}
	if !isUUID(j.ID) {
		add("id is a UUID", "id %q", j.ID)
	}
	if !slices.Contains([]string{"pending", "processing", "processed", "failed"}, j.Status) {
		add("status is pending, processing, processed or failed", "status %q", j.Status)
	}
	if j.Attempts < 0 {
		add("attempts is not negative", "%s", j.summary())
	}
	if j.Attempts == 0 && (j.Status == "processing" || j.Status == "processed" || j.Status == "failed") {
		add("a claimed or finished job has at least one attempt", "%s", j.summary())
	}
	if j.LastError != nil && *j.LastError == "" {
		add(`unset strings are null, never ""`, `last_error is ""`)
	}
	if j.Status == "failed" && j.LastError == nil {
		add("a failed job has last_error saying why", "%s", j.summary())
	}
	var err error
	if j.created, err = j.Created(); err != nil {
		add("timestamps are RFC 3339 UTC", "%v", err)
	}
	if j.updated, err = j.Updated(); err != nil {
		add("timestamps are RFC 3339 UTC", "%v", err)
	}
	if j.processed, err = j.Processed(); err != nil {
		add("timestamps are RFC 3339 UTC", "%v", err)
	}
	if (j.ProcessedAt != nil) != (j.Status == "processed") {
		add("processed_at is set exactly when the job is processed", "%s", j.summary())
	}
	if !j.created.IsZero() && !j.updated.IsZero() && j.updated.Before(j.created) {
		add("created_at ≤ updated_at", "%s", j.summary())
	}
	if !j.processed.IsZero() && (j.processed.Before(j.created) || j.updated.Before(j.processed)) {
		add("created_at ≤ processed_at ≤ updated_at", "%s", j.summary())
	}
	return &j, vs
}

// Jobs is the history of the job JSON a proof read, by job id: successive
// reads of one job must be steps its life allows. Safe for concurrent use.
type Jobs struct {
	mu    sync.Mutex
	seen  map[string][]jobRead
	reads int
}

type jobRead struct {
	job      jobDoc
	received time.Time
}

// Reads is how many job JSON answers Next has checked.
func (h *Jobs) Reads() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reads
}

// Next checks one job JSON, requested at sent and answered at received, on
// its own and against every earlier read of the same job. A read only
// follows another when it was sent after the other was answered: two reads
// in flight at once may have seen the database in either order.
func (h *Jobs) Next(body []byte, sent, received time.Time) []Violation {
	j, vs := checkJob(body)
	if j == nil {
		return vs
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reads++
	if h.seen == nil {
		h.seen = map[string][]jobRead{}
	}
	reported := map[string]bool{}
	for _, prev := range h.seen[j.ID] {
		if !prev.received.Before(sent) {
			continue
		}
		for _, v := range jobSteps(prev.job, *j) {
			if !reported[v.Rule] {
				reported[v.Rule] = true
				vs = append(vs, v)
			}
		}
	}
	h.seen[j.ID] = append(h.seen[j.ID], jobRead{job: *j, received: received})
	return vs
}

// jobSteps checks the rules between two successive reads of one job.
func jobSteps(prev, cur jobDoc) []Violation {
	var vs []Violation
	add := func(rule string) {
		vs = append(vs, Violation{Rule: "job: " + rule, Observed: "from " + prev.summary() + " to " + cur.summary()})
	}
	finished := func(s string) bool { return s == "processed" || s == "failed" }
	if finished(prev.Status) && (cur.Status != prev.Status || cur.Attempts != prev.Attempts ||
		str(cur.LastError) != str(prev.LastError) || str(cur.ProcessedAt) != str(prev.ProcessedAt) || cur.UpdatedAt != prev.UpdatedAt) {
		add("a processed or failed job never changes again")
	}
	// A graceful shutdown hands a processing job back without counting the
	// attempt: the one way attempts go down, by one, from processing.
	floor := prev.Attempts
	if prev.Status == "processing" {
		floor--
	}
	if cur.Attempts < floor {
		add("attempts never decrease (except by one when a shutdown hands a processing job back)")
	}
	if cur.CreatedAt != prev.CreatedAt || string(cur.Payload) != string(prev.Payload) {
		add("created_at and payload never change")
	}
	return vs
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
