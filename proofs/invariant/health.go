// Package invariant holds the rules that every observation of a running
// backend must satisfy, whatever a proof is about: each /health sample,
// each job JSON the proofs read and the headers of every HTTP answer. The
// rules are the ones docs/reference-backend.md states (the health report,
// the job, the recovery window, the counters, the content type and
// caching of answers); a proof's own assertions come on top.
//
// The package is pure: it takes HTTP statuses and bodies and returns
// violations, so it is tested once, with the hard cases, and the proof
// framework calls it from the one place where it samples /health and the
// one place where it reads a job.
package invariant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/healthdoc"
)

// Violation is one broken rule, with what was observed.
type Violation struct {
	// Rule names the invariant, e.g. "health: status matches the HTTP code".
	Rule string
	// Observed says what broke it, in a line.
	Observed string
}

func (v Violation) String() string { return v.Rule + ": " + v.Observed }

// Health is the history of one backend process's /health: the rules that
// relate one sample to the one before hold per process, because the
// counters count "since this process started". The zero value is ready;
// it is not safe for concurrent use.
type Health struct {
	prev    *healthdoc.Document
	samples int
	// runningBoot and runningRestarts: the worker boot_id last seen with
	// worker.status running, and restart_count then. The supervisor counts
	// a restart when the old worker exits, before the new one has a
	// boot_id, so a sample may show the old boot_id with the new count;
	// only a sample of the old worker running shows the count before it.
	runningBoot     string
	runningRestarts int64
}

// Samples is how many /health answers Next has checked.
func (h *Health) Samples() int { return h.samples }

// Next checks one /health answer (its HTTP status and body) on its own and
// against the previous answer of the same process.
func (h *Health) Next(httpStatus int, body []byte) []Violation {
	h.samples++
	doc, vs := CheckHealth(httpStatus, body)
	if doc == nil {
		return vs
	}
	if h.prev != nil {
		vs = append(vs, healthSteps(*h.prev, *doc)...)
	}
	w := doc.Worker
	if w.BootID != nil && h.runningBoot != "" && *w.BootID != h.runningBoot && w.RestartCount <= h.runningRestarts {
		vs = append(vs, Violation{Rule: "health: a new worker boot_id comes with a restart",
			Observed: fmt.Sprintf("boot_id %s ran with restart_count %d; now boot_id %s with restart_count %d",
				h.runningBoot, h.runningRestarts, *w.BootID, w.RestartCount)})
	}
	if w.BootID != nil && w.Status == "running" && *w.BootID != h.runningBoot {
		h.runningBoot, h.runningRestarts = *w.BootID, w.RestartCount
	}
	h.prev = doc
	return vs
}

// CheckHealth checks the rules one /health answer must satisfy by itself
// and returns the decoded document (nil when the body is not one).
func CheckHealth(httpStatus int, body []byte) (*healthdoc.Document, []Violation) {
	var vs []Violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: "health: " + rule, Observed: fmt.Sprintf(format, args...)})
	}
	doc, err := healthdoc.Decode(body)
	if err != nil {
		add("the body is a /health document", "HTTP %d: %v: %.200q", httpStatus, err, body)
		return nil, vs
	}
	if missing := healthdoc.Missing(body); len(missing) > 0 {
		add("every documented field is present", "missing %s", strings.Join(missing, ", "))
	}
	if unknown := unknownFields(body, &healthdoc.Document{}); unknown != "" {
		add("only documented fields", "%s", unknown)
	}
	w := doc.Worker

	// Enumerations.
	if !slices.Contains([]string{"ok", "degraded", "error"}, doc.Status) {
		add("status is ok, degraded or error", "status %q", doc.Status)
	}
	if !slices.Contains([]string{"ok", "error"}, doc.DB.Status) {
		add("db.status is ok or error", "db.status %q", doc.DB.Status)
	}
	if !slices.Contains([]string{"starting", "running", "restarting", "stopped", "failed"}, w.Status) {
		add("worker.status is starting, running, restarting, stopped or failed", "worker.status %q", w.Status)
	}
	if !slices.Contains([]string{"healthy", "recovering", "stale", "failed"}, w.Liveness) {
		add("worker.liveness is healthy, recovering, stale or failed", "worker.liveness %q", w.Liveness)
	}

	// status ⇔ HTTP code.
	wantCode := http.StatusOK
	if doc.Status == "error" {
		wantCode = http.StatusServiceUnavailable
	}
	if httpStatus != wantCode {
		add("200 when status is ok or degraded, 503 when error", "HTTP %d with status %q", httpStatus, doc.Status)
	}

	// How status and liveness are derived.
	failed := w.Liveness == "failed"
	if failed != (w.Status == "failed") {
		add("liveness is failed exactly when the worker has failed", "worker.status %q, liveness %q", w.Status, w.Liveness)
	}
	if !failed && (w.Liveness == "recovering") != w.RecoveryActive {
		add("liveness is recovering exactly while the recovery window is open (unless failed)",
			"liveness %q, recovery_active %t", w.Liveness, w.RecoveryActive)
	}
	// A running worker is stale exactly when its loop has not ticked for
	// more than three poll intervals and at least 5 s. Judged on the
	// document's own tick_age_ms and poll_ms, as the backend judges it, so
	// it holds at the edge too, however late the sample.
	if !failed && !w.RecoveryActive && w.Status == "running" && w.TickAgeMS != nil {
		staleAfter := max(3*w.PollMS, 5000)
		if (w.Liveness == "stale") != (*w.TickAgeMS > staleAfter) {
			add("a running worker is stale exactly when tick_age_ms exceeds three poll intervals and 5 s",
				"liveness %q with tick_age_ms %d, poll_ms %d (stale after %d)", w.Liveness, *w.TickAgeMS, w.PollMS, staleAfter)
		}
	}
	wantStatus := "ok"
	switch {
	case doc.DB.Status == "error" || failed:
		wantStatus = "error"
	case w.RecoveryActive || w.Liveness == "stale" || w.Status == "restarting":
		wantStatus = "degraded"
	}
	if doc.Status != wantStatus {
		add("status is error when the db or the worker failed, degraded while recovering, stale or restarting, else ok",
			"status %q with db.status %q, worker.status %q, liveness %q, recovery_active %t",
			doc.Status, doc.DB.Status, w.Status, w.Liveness, w.RecoveryActive)
	}

	// Unset strings are null, never "".
	for name, p := range nullableStrings(doc) {
		if p != nil && *p == "" {
			add(`unset strings are null, never ""`, `%s is ""`, name)
		}
	}
	for name, p := range map[string]*string{"worker.started_at": w.StartedAt, "worker.last_tick_at": w.LastTickAt,
		"worker.last_recovery_at": w.LastRecoveryAt, "worker.last_cleanup_at": w.LastCleanupAt} {
		if p != nil && *p != "" {
			if _, err := time.Parse(time.RFC3339Nano, *p); err != nil {
				add("timestamps are RFC 3339", "%s %q", name, *p)
			}
		}
	}

	// Counters.
	for name, n := range counters(doc) {
		if n < 0 {
			add("counters are not negative", "%s %d", name, n)
		}
	}
	if w.LastRecoveryCount < 0 || w.LastCleanupCount < 0 {
		add("counters are not negative", "last_recovery_count %d, last_cleanup_count %d", w.LastRecoveryCount, w.LastCleanupCount)
	}

	// The last_recovery_* fields describe one event.
	atSet, idSet := w.LastRecoveryAt != nil, w.LastRecoveryJobID != nil
	if atSet != idSet || atSet != (w.LastRecoveryCount > 0) {
		add("last_recovery_at, last_recovery_job_id and last_recovery_count describe one event (all set or none)",
			"last_recovery_at %s, last_recovery_job_id %s, last_recovery_count %d", str(w.LastRecoveryAt), str(w.LastRecoveryJobID), w.LastRecoveryCount)
	}
	if w.LastRecoveryCount > w.RecoveredJobs {
		add("recovered_jobs includes the last recovery event", "last_recovery_count %d > recovered_jobs %d", w.LastRecoveryCount, w.RecoveredJobs)
	}
	if w.RecoveryActive && !atSet {
		add("an open recovery window has a recovery event", "recovery_active with last_recovery_at null")
	}
	// The last sweep.
	if w.LastCleanupAt == nil && (w.LastCleanupCount != 0 || w.CleanedJobs != 0) {
		add("no cleanup counts before the first sweep", "last_cleanup_at null with last_cleanup_count %d, cleaned_jobs %d", w.LastCleanupCount, w.CleanedJobs)
	}
	if w.LastCleanupCount > w.CleanedJobs {
		add("cleaned_jobs includes the last sweep", "last_cleanup_count %d > cleaned_jobs %d", w.LastCleanupCount, w.CleanedJobs)
	}
	// A restart happens because a worker exited, and its reason is kept.
	if w.RestartCount > 0 && w.LastExitReason == nil {
		add("a restarted worker's exit reason is recorded", "restart_count %d with last_exit_reason null", w.RestartCount)
	}
	return &doc, vs
}

// healthSteps checks the rules between two successive answers of one
// process.
func healthSteps(prev, cur healthdoc.Document) []Violation {
	var vs []Violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: "health: " + rule, Observed: fmt.Sprintf(format, args...)})
	}
	before := counters(prev)
	for name, n := range counters(cur) {
		if n < before[name] {
			add("counters never decrease within one process", "%s went from %d to %d", name, before[name], n)
		}
	}
	p, c := prev.Worker, cur.Worker
	sameEvent := str(p.LastRecoveryAt) == str(c.LastRecoveryAt) && str(p.LastRecoveryJobID) == str(c.LastRecoveryJobID) && p.LastRecoveryCount == c.LastRecoveryCount
	if c.RecoveredJobs > p.RecoveredJobs && sameEvent {
		add("each recovery event sets last_recovery_*", "recovered_jobs %d → %d with last_recovery_* unchanged (%s, %s, %d)",
			p.RecoveredJobs, c.RecoveredJobs, str(c.LastRecoveryAt), str(c.LastRecoveryJobID), c.LastRecoveryCount)
	}
	if !sameEvent && c.RecoveredJobs-p.RecoveredJobs < c.LastRecoveryCount {
		add("a new recovery event adds its count to recovered_jobs", "last_recovery_count %d but recovered_jobs %d → %d",
			c.LastRecoveryCount, p.RecoveredJobs, c.RecoveredJobs)
	}
	sameSweep := str(p.LastCleanupAt) == str(c.LastCleanupAt)
	if sameSweep && (p.LastCleanupCount != c.LastCleanupCount || p.CleanedJobs != c.CleanedJobs) {
		add("each sweep sets last_cleanup_at", "last_cleanup_at unchanged (%s) but last_cleanup_count %d → %d, cleaned_jobs %d → %d",
			str(c.LastCleanupAt), p.LastCleanupCount, c.LastCleanupCount, p.CleanedJobs, c.CleanedJobs)
	}
	if !sameSweep && c.CleanedJobs-p.CleanedJobs < c.LastCleanupCount {
		add("a sweep adds its count to cleaned_jobs", "last_cleanup_count %d but cleaned_jobs %d → %d", c.LastCleanupCount, p.CleanedJobs, c.CleanedJobs)
	}
	return vs
}

// counters are the fields the docs call counters: they count since the
// process started.
func counters(d healthdoc.Document) map[string]int64 {
	w := d.Worker
	return map[string]int64{
		"worker.restart_count":  w.RestartCount,
		"worker.processed_jobs": w.ProcessedJobs,
		"worker.failed_jobs":    w.FailedJobs,
		"worker.recovered_jobs": w.RecoveredJobs,
		"worker.cleaned_jobs":   w.CleanedJobs,
	}
}

func nullableStrings(d healthdoc.Document) map[string]*string {
	w := d.Worker
	return map[string]*string{
		"db.error":                    d.DB.Error,
		"worker.boot_id":              w.BootID,
		"worker.started_at":           w.StartedAt,
		"worker.last_tick_at":         w.LastTickAt,
		"worker.last_exit_reason":     w.LastExitReason,
		"worker.last_job_id":          w.LastJobID,
		"worker.last_error":           w.LastError,
		"worker.last_recovery_at":     w.LastRecoveryAt,
		"worker.last_recovery_job_id": w.LastRecoveryJobID,
		"worker.last_cleanup_at":      w.LastCleanupAt,
	}
}

// unknownFields decodes body into v refusing unknown fields and returns
// the decoder's complaint, or "".
func unknownFields(body []byte, v any) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && strings.Contains(err.Error(), "unknown field") {
		return err.Error()
	}
	return ""
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}
