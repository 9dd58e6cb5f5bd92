package scenario

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Deadlines for the recovery proofs. They bound waits; none is slept out.
const (
	healthyTimeout  = 10 * time.Second
	processTimeout  = 20 * time.Second
	recoveryTimeout = 20 * time.Second
)

func isHealthy(s Sample) bool {
	h := s.Health
	return s.HTTPStatus == 200 && h.Status == "ok" && h.DB.Status == "ok" && h.Worker.Status == "running" && h.Worker.Liveness == "healthy"
}

// waitHealthy requires b to report ok/running/healthy and returns that sample.
func waitHealthy(b *Backend, when string) Sample {
	return b.WaitHealth(fmt.Sprintf("backend %s is healthy %s", b.Instance, when), "200 ok db=ok worker=running/healthy", healthyTimeout, isHealthy)
}

// logHas reports whether b logged msg with every attribute in attrs; a
// []any attribute matches when it contains the wanted value.
func logHas(b *Backend, msg string, attrs map[string]any) (bool, string) {
	return linesHave(b.Lines(), msg, attrs)
}

// presentValue, as a wanted attribute of logHas, matches any value but
// none and "": the attribute must be there, whatever it holds (a request
// id is new on every request).
type presentValue struct{}

// linesHave is logHas over the given output lines.
func linesHave(lines []string, msg string, attrs map[string]any) (bool, string) {
	recs := loggedIn(lines, msg)
	for _, l := range recs {
		rec := l.rec
		match := true
		for k, want := range attrs {
			got := rec[k]
			if _, ok := want.(presentValue); ok {
				if got == nil || fmt.Sprint(got) == "" {
					match = false
				}
				continue
			}
			if list, ok := got.([]any); ok {
				if !slices.Contains(list, want) {
					match = false
				}
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				match = false
			}
		}
		if match {
			return true, prettyJSON(l.raw)
		}
	}
	if len(recs) == 0 {
		return false, fmt.Sprintf("no %q log line", msg)
	}
	shown := make([]string, len(recs))
	for i, l := range recs {
		shown[i] = prettyJSON(l.raw)
	}
	return false, fmt.Sprintf("%d %q lines, none matching:\n%s", len(recs), msg, strings.Join(shown, "\n"))
}

func workerCrashRecoversJob(t *T) {
	t.Migrate()
	b := t.StartBackend("a", BackendOptions{Env: map[string]string{"FAULT_INJECTION": "1"}})
	before := waitHealthy(b, "before the fault")

	// The setup rules out the nearest wrong versions: a job processed
	// before the crash rules out counters that restart with the worker
	// (processed_jobs must reach 3, and the invariants see any decrease);
	// two crashes, two recovery events, rule out restart_count and
	// recovered_jobs set instead of added to, and last_recovery_count or
	// last_recovery_job_id that accumulate or keep the first event. The
	// two crashes are of both documented kinds: a panic in the claim loop,
	// then a panic inside the job's handler while the job runs, with
	// different reasons, which also rules out a last_exit_reason that keeps
	// the first crash's.
	// That job names a fault for attempt 2: it must run as a plain job on
	// its first (and only) attempt, which rules out a fault_attempt that
	// is ignored (a crash here would shift every count below by one).
	t.Step("post a job whose fault is for attempt 2 and wait for it, so the worker has processed one before it crashes")
	plain := b.PostJob(`{"fault":"worker_crash_after_claim","fault_attempt":2}`)
	plainRow := t.WaitJobStatus(plain.ID, "processed", processTimeout)
	Equal(t, "the job whose fault is for attempt 2 took one attempt", 1, plainRow.Attempts)

	requestPanicIsA500(t, b, before)

	crashes := [2]struct{ name, payload string }{
		// No fault_attempt: the documented default, attempt 1.
		{"crashes the worker after its claim", `{"fault":"worker_crash_after_claim"}`},
		{"panics inside the job handler", `{"fault":"panic_in_handler","fault_attempt":1}`},
	}
	var crashed [2]Job
	for i, c := range crashes {
		t.Step(fmt.Sprintf("post job %d of 2 whose first attempt %s", i+1, c.name))
		crashed[i] = b.PostJob(c.payload)
		row := t.WaitJobStatus(crashed[i].ID, "processed", processTimeout)
		Equal(t, fmt.Sprintf("crashing job %d took two attempts", i+1), 2, row.Attempts)
		Equal(t, fmt.Sprintf("crashing job %d's last_error is null", i+1), "null", str(row.LastError))
		closed := b.WaitHealth(fmt.Sprintf("recovery window %d closes", i+1), fmt.Sprintf("restart_count=%d, recovery_active=false", i+1), recoveryTimeout, func(s Sample) bool {
			w := s.Health.Worker
			return s.HTTPStatus == 200 && w.RestartCount >= int64(i+1) && !w.RecoveryActive && w.ProcessedJobs >= int64(i+2)
		})
		Equal(t, fmt.Sprintf("/health worker.last_exit_reason after crash %d", i+1), crashReason(i, crashed[i].ID), str(closed.Health.Worker.LastExitReason))
	}
	t.Rows("jobs", t.Jobs())
	job := crashed[1]

	t.Step("wait for the last recovery window to close")
	final := b.WaitHealth("recovery window closes", "restart_count=2, recovery_active=false, processed_jobs>=3", recoveryTimeout, func(s Sample) bool {
		w := s.Health.Worker
		return s.HTTPStatus == 200 && w.RestartCount >= 2 && !w.RecoveryActive && w.ProcessedJobs >= 3
	})
	w := final.Health.Worker
	Equal(t, "/health worker.restart_count (two crashes)", int64(2), w.RestartCount)
	Equal(t, "/health worker.processed_jobs (one before the crashes, two after)", int64(3), w.ProcessedJobs)
	Equal(t, "/health worker.last_exit_reason (the second crash's)", crashReason(1, job.ID), str(w.LastExitReason))
	Equal(t, "/health worker.recovered_jobs (two events of one job)", int64(2), w.RecoveredJobs)
	Equal(t, "/health worker.last_recovery_job_id (the second event's)", job.ID, str(w.LastRecoveryJobID))
	Equal(t, "/health worker.last_recovery_count (the second event alone)", int64(1), w.LastRecoveryCount)
	t.Check("/health worker.last_recovery_at is set", "a timestamp", str(w.LastRecoveryAt), w.LastRecoveryAt != nil)
	Equal(t, "/health worker.recovery_active at the end", false, w.RecoveryActive)
	Equal(t, "/health status at the end", "ok", final.Health.Status)
	Equal(t, "/health worker.liveness at the end", "healthy", w.Liveness)
	t.Check("/health worker.boot_id changed with the restart", "not "+str(before.Health.Worker.BootID), str(w.BootID),
		w.BootID != nil && str(w.BootID) != str(before.Health.Worker.BootID))

	for _, j := range crashed {
		api, resp := b.GetJob(j.ID)
		t.Check("GET /jobs/{id} agrees for "+j.ID, "200 processed attempts=2", fmt.Sprintf("%d %s attempts=%d", resp.Status, api.Status, api.Attempts),
			resp.Status == 200 && api.Status == "processed" && api.Attempts == 2)
	}

	for i, j := range crashed {
		reason := crashReason(i, j.ID)
		ok, seen := logHas(b, "worker exited", map[string]any{"reason": reason})
		t.Check(fmt.Sprintf("log shows `worker exited` with crash %d's reason", i+1), `msg="worker exited" reason=`+reason, seen, ok)
		ok, seen = logHas(b, "jobs recovered", map[string]any{"source": "predecessor", "job_ids": j.ID})
		t.Check("log shows `jobs recovered` from the predecessor naming "+j.ID, `msg="jobs recovered" source=predecessor job_ids∋`+j.ID, seen, ok)
	}

	// Only an object's fault fields of the documented types ask for a
	// fault: a fault name inside an array, or a fault field of another
	// type, is plain data even with the flag on (no third crash).
	t.Step("payloads that only look like faults, with the flag on, are plain jobs")
	for _, payload := range []string{`[{"fault":"worker_crash_after_claim"}]`, `{"fault":["worker_crash_after_claim"]}`} {
		j := b.PostJob(payload)
		row := t.WaitJobStatus(j.ID, "processed", processTimeout)
		Equal(t, payload+": processed on attempt 1", 1, row.Attempts)
	}
	after := b.WaitHealth("/health after the look-alike payloads", "processed_jobs=5", healthyTimeout, func(s Sample) bool {
		return s.HTTPStatus == 200 && s.Health.Worker.ProcessedJobs >= 5
	})
	Equal(t, "/health worker.restart_count after the look-alike payloads (still two)", int64(2), after.Health.Worker.RestartCount)
	logAgreesWithHealth(t, b)
}

// crashReason is the documented last_exit_reason of crash i of
// workerCrashRecoversJob: the fault's name for a crash in the claim loop,
// "panic in job ID: VALUE" for a panic inside a handler.
func crashReason(i int, jobID string) string {
	if i == 0 {
		return "worker_crash_after_claim"
	}
	return "panic in job " + jobID + ": panic_in_handler"
}

func workerRestartIsVisibleInHealth(t *T) {
	t.Migrate()
	b := t.StartBackend("a", BackendOptions{Env: map[string]string{"FAULT_INJECTION": "1"}})
	before := waitHealthy(b, "before the fault")
	bw := before.Health.Worker

	// Attempt 1 crashes the worker; hold_ms makes the recovered attempt
	// take 4 s, so the recovery window is wide enough to be sampled (every
	// 25 ms) even when a loaded machine delays /health answers by a second
	// or two; the window stays open exactly while the job is held.
	t.Step("post a job that crashes attempt 1 and holds the recovered attempt 4 s")
	posted := time.Now().UTC()
	job := b.PostJob(`{"fault":"worker_crash_after_claim","fault_attempt":1,"hold_ms":4000}`)

	var window Sample
	t.RequireEventually("/health shows the recovery window", "a sample with 200 degraded, worker liveness=recovering, recovery_active=true", recoveryTimeout, func() (bool, string) {
		samples := b.Samples()
		for _, s := range samples {
			h := s.Health
			if s.At.After(posted) && h.Status == "degraded" && h.Worker.Liveness == "recovering" && h.Worker.RecoveryActive {
				window = s
				return true, s.Summary()
			}
		}
		if len(samples) == 0 {
			return false, "no samples"
		}
		return false, "latest: " + samples[len(samples)-1].Summary()
	})
	ww := window.Health.Worker
	Equal(t, "during the window: HTTP status (degraded is still 200)", 200, window.HTTPStatus)
	Equal(t, "during the window: worker.restart_count", int64(1), ww.RestartCount)
	Equal(t, "during the window: worker.last_exit_reason", "worker_crash_after_claim", str(ww.LastExitReason))
	Equal(t, "during the window: worker.status", "running", ww.Status)
	Equal(t, "during the window: worker.last_recovery_job_id", job.ID, str(ww.LastRecoveryJobID))
	t.Check("during the window: worker.boot_id changed", "not "+str(bw.BootID), str(ww.BootID), ww.BootID != nil && str(ww.BootID) != str(bw.BootID))
	t.Check("during the window: worker.started_at changed", "not "+str(bw.StartedAt), str(ww.StartedAt), ww.StartedAt != nil && str(ww.StartedAt) != str(bw.StartedAt))

	row := t.WaitJobStatus(job.ID, "processed", processTimeout)
	Equal(t, "the job took two attempts", 2, row.Attempts)

	t.Step("wait for /health to return to ok")
	var closed Sample
	t.RequireEventually("/health returns to ok after the window", "a later sample with 200 ok, liveness=healthy, recovery_active=false", recoveryTimeout, func() (bool, string) {
		samples := b.Samples()
		for _, s := range samples {
			if s.At.After(window.At) && isHealthy(s) && !s.Health.Worker.RecoveryActive {
				closed = s
				return true, s.Summary()
			}
		}
		return false, "latest: " + samples[len(samples)-1].Summary()
	})
	cw := closed.Health.Worker
	Equal(t, "after the window: worker.last_exit_reason is preserved", "worker_crash_after_claim", str(cw.LastExitReason))
	Equal(t, "after the window: worker.restart_count", int64(1), cw.RestartCount)
	Equal(t, "after the window: worker.boot_id is the restarted worker's", str(ww.BootID), str(cw.BootID))
	// The window must not close before the recovered job has finished.
	if row.ProcessedAt != nil {
		t.Check("the window closed only after the job was processed",
			"first ok sample at or after processed_at "+row.ProcessedAt.UTC().Format(time.RFC3339Nano),
			closed.At.Format(time.RFC3339Nano), !closed.At.Before(row.ProcessedAt.Add(-50*time.Millisecond)))
	}
	degraded := 0
	for _, s := range b.Samples() {
		if s.Health.Worker.RecoveryActive {
			degraded++
		}
	}
	t.Note("recovery window samples", map[string]any{"samples_with_recovery_active": degraded, "window_first_seen": window.At, "first_ok_after": closed.At})
	t.Rows("jobs", t.Jobs())
}

func processRestartRecoversInflightJob(t *T) {
	t.Migrate()
	env := map[string]string{"FAULT_INJECTION": "1", "JOB_LEASE_MS": "2000"}
	a := t.StartBackend("a", BackendOptions{Env: env})
	aHealth := waitHealthy(a, "before the job")

	t.Step("post a job that holds its first attempt for 10 minutes")
	job := a.PostJob(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`)
	held := t.WaitJobStatus(job.ID, "processing", processTimeout)
	Equal(t, "the held job is on attempt 1", 1, held.Attempts)
	t.Rows("jobs while held by a", []JobRow{held})

	t.Step("SIGKILL backend a's process group")
	a.Kill()
	t.Check("backend a is dead", "exited", fmt.Sprint(!a.Alive()), !a.Alive())

	b := t.StartBackend("b", BackendOptions{Env: env})
	// b may answer /health before its worker has started (no boot_id yet).
	bStart := b.WaitHealth("b's worker has started", "worker.boot_id set", healthyTimeout, func(s Sample) bool {
		return s.Health.Worker.BootID != nil
	})
	t.Check("the new process has a new worker boot_id", "not "+str(aHealth.Health.Worker.BootID), str(bStart.Health.Worker.BootID),
		bStart.Health.Worker.BootID != nil && str(bStart.Health.Worker.BootID) != str(aHealth.Health.Worker.BootID))
	t.Check("the new process has a new started_at", "not "+str(aHealth.Health.Worker.StartedAt), str(bStart.Health.Worker.StartedAt),
		bStart.Health.Worker.StartedAt != nil && str(bStart.Health.Worker.StartedAt) != str(aHealth.Health.Worker.StartedAt))

	t.Step("wait for b to recover the job once its lease expires")
	row := t.WaitJobStatus(job.ID, "processed", processTimeout)
	Equal(t, "the job took two attempts", 2, row.Attempts)
	Equal(t, "the job's last_error is null", "null", str(row.LastError))
	t.Rows("jobs after recovery", t.Jobs())

	final := b.WaitHealth("b's recovery window closes", "recovered_jobs=1, recovery_active=false", recoveryTimeout, func(s Sample) bool {
		w := s.Health.Worker
		return s.HTTPStatus == 200 && w.RecoveredJobs >= 1 && !w.RecoveryActive && w.ProcessedJobs >= 1
	})
	w := final.Health.Worker
	Equal(t, "b: /health worker.recovered_jobs", int64(1), w.RecoveredJobs)
	Equal(t, "b: /health worker.last_recovery_job_id", job.ID, str(w.LastRecoveryJobID))
	Equal(t, "b: /health worker.last_recovery_count", int64(1), w.LastRecoveryCount)
	t.Check("b: /health worker.last_recovery_at is set", "a timestamp", str(w.LastRecoveryAt), w.LastRecoveryAt != nil)
	Equal(t, "b: /health worker.last_exit_reason (no worker exited in b)", "null", str(w.LastExitReason))
	Equal(t, "b: /health worker.restart_count", int64(0), w.RestartCount)
	Equal(t, "b: /health status at the end", "ok", final.Health.Status)
	ok, seen := logHas(b, "jobs recovered", map[string]any{"source": "lease_expired", "job_ids": job.ID})
	t.Check("b's log shows `jobs recovered` after the lease expired", `msg="jobs recovered" source=lease_expired job_ids∋`+job.ID, seen, ok)
}

// requestPanicIsA500: a panic in an HTTP handler (the injected
// panic_in_request, in POST /jobs before the insert) is answered with the
// documented 500 `{"error":"internal error"}`, which says nothing of the
// panic, logs `http handler panic`, stores nothing, and leaves the process
// serving and its worker untouched. It rules out no recoverer at all (the
// connection dropped, no answer), a recoverer that echoes the panic, and
// an HTTP panic taken for a worker crash (a restart). The crashes that
// follow in the proof post their jobs to the same process, so it must
// keep serving.
func requestPanicIsA500(t *T, b *Backend, before Sample) {
	t.Step("post a payload whose HTTP handler panics (panic_in_request)")
	stored := t.CountJobs()
	resp := b.Do(http.MethodPost, "/jobs", []byte(`{"fault":"panic_in_request"}`), "application/json")
	Equal(t, "an HTTP handler's panic: the answer", `500 {"error":"internal error"}`,
		strings.TrimSpace(fmt.Sprintf("%d %s", resp.Status, resp.Body))+errSuffix(resp.Err))
	Equal(t, "an HTTP handler's panic stores no job", stored, t.CountJobs())
	// The line is written before the answer, but read from the process's
	// stderr on its own goroutine: wait for it.
	t.Eventually("the panic is logged as `http handler panic` with its request id and path", "a line with a request_id, path /jobs and panic panic_in_request", healthyTimeout, func() (bool, string) {
		return logHas(b, "http handler panic", map[string]any{"path": "/jobs", "panic": "panic_in_request", "request_id": presentValue{}})
	})
	after := waitHealthy(b, "after an HTTP handler's panic")
	w := after.Health.Worker
	t.Check("an HTTP handler's panic is no worker crash", fmt.Sprintf("restart_count 0, boot_id %s", str(before.Health.Worker.BootID)),
		fmt.Sprintf("restart_count %d, boot_id %s", w.RestartCount, str(w.BootID)),
		w.RestartCount == 0 && str(w.BootID) == str(before.Health.Worker.BootID))
}

// errSuffix renders a transport error after an observation ("" without one).
func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// logAgreesWithHealth requires every documented log line whose event /health
// counts to claim no more than /health saw: a line written without its event
// misleads an operator as much as a missing one. For each backend: the
// counts of `jobs recovered` add up to no more than recovered_jobs, those of
// `finished jobs deleted` to no more than cleaned_jobs, and `worker
// restarting` lines are no more than restart_count; and a completion is
// refused as stale only when a job was taken back from its worker, so the
// counts of `stale completions ignored` of all backends add up to no more
// than their recovered_jobs. The lines are read first, then /health, so
// every line read had its event counted by then.
func logAgreesWithHealth(t *T, backends ...*Backend) {
	var stale, recovered int64
	for _, b := range backends {
		read := time.Now()
		lines := b.Lines()
		s := b.WaitHealth(fmt.Sprintf("backend %s answers /health after its log was read", b.Instance), "a sample taken after the read", healthyTimeout, func(s Sample) bool {
			return s.HTTPStatus != 0 && s.At.After(read)
		})
		w := s.Health.Worker
		sum := func(msg string, fields ...string) (int64, int) {
			var total int64
			recs := loggedIn(lines, msg)
			for _, l := range recs {
				for _, f := range fields {
					n, _ := l.rec[f].(float64)
					total += int64(n)
				}
			}
			return total, len(recs)
		}
		n, _ := sum("jobs recovered", "count")
		t.Check(fmt.Sprintf("backend %s: `jobs recovered` counts no more jobs than /health recovered_jobs", b.Instance),
			fmt.Sprintf("≤ %d", w.RecoveredJobs), fmt.Sprint(n), n <= w.RecoveredJobs)
		n, _ = sum("finished jobs deleted", "processed", "failed")
		t.Check(fmt.Sprintf("backend %s: `finished jobs deleted` counts no more jobs than /health cleaned_jobs", b.Instance),
			fmt.Sprintf("≤ %d", w.CleanedJobs), fmt.Sprint(n), n <= w.CleanedJobs)
		_, lines2 := sum("worker restarting")
		t.Check(fmt.Sprintf("backend %s: no more `worker restarting` lines than /health restart_count", b.Instance),
			fmt.Sprintf("≤ %d", w.RestartCount), fmt.Sprint(lines2), int64(lines2) <= w.RestartCount)
		n, _ = sum("stale completions ignored", "count")
		stale += n
		recovered += w.RecoveredJobs
	}
	t.Check("`stale completions ignored` counts no more completions than jobs were taken back (recovered_jobs of every backend)",
		fmt.Sprintf("≤ %d", recovered), fmt.Sprint(stale), stale <= recovered)
}
