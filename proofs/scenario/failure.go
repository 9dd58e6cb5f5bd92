package scenario

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Retentions of failingJobEndsFailed: the failed one is the shorter, so
// the documented sweep interval, a quarter of the shorter retention, is a
// quarter of it (2 s). That rules out an interval taken from
// JOB_RETENTION_MS alone, or from the longer of the two (a quarter of an
// hour, capped at a minute): the sweep after the first would come a minute
// later. The failed job outlives the proof's reads of it (8 s).
const (
	failureRetentionMS       = 3600000
	failureFailedRetentionMS = 8000
	// failureSweepWithin is the wait for a sweep, the first after the
	// start and then the next: three sweep intervals, slack for a loaded
	// machine, and far below the minute of the wrong versions.
	failureSweepWithin = 3 * failureFailedRetentionMS / 4 * time.Millisecond
)

// failurePlainJobs are posted behind the failing job, so that jobs wait
// while its failed attempts are written.
const failurePlainJobs = 3

// failingJobEndsFailed: a job that fails every attempt is retried until
// JOB_MAX_ATTEMPTS, then ends failed with last_error; failed_jobs counts it.
// With a failed-job retention shorter than the processed one, the sweeper
// runs every quarter of the shorter.
func failingJobEndsFailed(t *T) {
	t.Migrate()
	const maxAttempts = 3
	started := time.Now()
	b := t.StartBackend("a", BackendOptions{Env: map[string]string{
		"FAULT_INJECTION": "1", "JOB_MAX_ATTEMPTS": fmt.Sprint(maxAttempts),
		"JOB_RETENTION_MS": fmt.Sprint(failureRetentionMS), "JOB_FAILED_RETENTION_MS": fmt.Sprint(failureFailedRetentionMS),
		// One job at a time behind a backlog: a failed attempt's completion
		// then carries the next claim (one statement), so an outcome
		// miscounted there shows, not only in a completion of its own.
		"JOB_CONCURRENCY": "1", "JOB_BATCH_SIZE": "1",
	}})
	waitHealthy(b, "before the job")

	t.Step("post a job that fails every attempt, then plain ones")
	bad := b.PostJob(`{"fault":"fail","fault_every_attempt":true}`)
	var good []Job
	for i := range failurePlainJobs {
		good = append(good, b.PostJob(fmt.Sprintf(`{"plain":%d}`, i)))
	}
	row := t.WaitJobStatus(bad.ID, "failed", processTimeout)
	t.Rows("jobs", t.Jobs())
	Equal(t, "the failing job used every attempt", maxAttempts, row.Attempts)
	t.Check("the failing job's last_error says why", "contains \"injected failure\"", str(row.LastError),
		row.LastError != nil && strings.Contains(*row.LastError, "injected failure"))
	t.Check("the failing job has no processed_at", "null", fmt.Sprint(row.ProcessedAt), row.ProcessedAt == nil)
	Equal(t, "the failing job took no effect", 0, len(t.effects(bad.ID)))
	for _, j := range good {
		g := t.WaitJobStatus(j.ID, "processed", processTimeout)
		Equal(t, "plain job "+short(j.ID)+" is processed on attempt 1", 1, g.Attempts)
	}

	api, resp := b.GetJob(bad.ID)
	t.Check("GET /jobs/{id} agrees", fmt.Sprintf("200 failed attempts=%d last_error set", maxAttempts),
		fmt.Sprintf("%d %s attempts=%d last_error=%s", resp.Status, api.Status, api.Attempts, str(api.LastError)),
		resp.Status == 200 && api.Status == "failed" && api.Attempts == maxAttempts && api.LastError != nil)
	final := b.WaitHealth("/health counts the failed job", "failed_jobs=1", healthyTimeout, func(s Sample) bool {
		return s.HTTPStatus == 200 && s.Health.Worker.FailedJobs >= 1 && s.Health.Worker.ProcessedJobs >= failurePlainJobs
	})
	Equal(t, "/health worker.failed_jobs", int64(1), final.Health.Worker.FailedJobs)
	Equal(t, "/health worker.processed_jobs", int64(failurePlainJobs), final.Health.Worker.ProcessedJobs)
	n := 0
	for _, rec := range b.Logs("job attempt failed") {
		if rec["job_id"] == bad.ID {
			n++
		}
	}
	Equal(t, "the log has one `job attempt failed` per attempt", maxAttempts, n)

	// Two sweeps, so that a sweep as the process starts cannot stand in for
	// the interval.
	first := b.WaitHealth("a first retention sweep", fmt.Sprintf("last_cleanup_at set within %s of the start", failureSweepWithin),
		max(failureSweepWithin-time.Since(started), 0), func(s Sample) bool {
			return s.HTTPStatus == 200 && s.Health.Worker.LastCleanupAt != nil
		})
	firstAt := *first.Health.Worker.LastCleanupAt
	b.WaitHealth("the sweeper runs every quarter of the shorter (failed) retention",
		fmt.Sprintf("a later last_cleanup_at than %s within %s (a sweep every %s)", firstAt, failureSweepWithin, failureFailedRetentionMS/4*time.Millisecond),
		failureSweepWithin, func(s Sample) bool {
			return s.HTTPStatus == 200 && s.Health.Worker.LastCleanupAt != nil && *s.Health.Worker.LastCleanupAt != firstAt
		})
	// Attempts failed and were retried, but nothing was taken from the
	// worker: a line of another event must not stand in for them.
	logAgreesWithHealth(t, b)

	// Taken back from a crashed worker on its last attempt, a job ends
	// failed too, and the process that marked it failed counts it. Waited
	// for before other processes start, which would run it as plain data.
	t.Step("post a job that crashes the worker on every attempt")
	crashing := b.PostJob(`{"fault":"worker_crash_after_claim","fault_every_attempt":true}`)
	crashed := t.WaitJobStatus(crashing.ID, "failed", recoveryTimeout)
	Equal(t, "the crashing job used every attempt", maxAttempts, crashed.Attempts)
	t.Check("its last_error says the worker exited with no attempts left", `contains "no attempts left"`, str(crashed.LastError),
		crashed.LastError != nil && strings.Contains(*crashed.LastError, "no attempts left"))
	counted := b.WaitHealth("/health counts the job its take-back failed", "failed_jobs=2", healthyTimeout, func(s Sample) bool {
		return s.HTTPStatus == 200 && s.Health.Worker.FailedJobs >= 2
	})
	Equal(t, "/health worker.failed_jobs after the take-back", int64(2), counted.Health.Worker.FailedJobs)
	ok, seen := logHas(b, "jobs failed", map[string]any{"source": "predecessor"})
	t.Check("the log shows `jobs failed` source=predecessor", `msg="jobs failed" source=predecessor`, seen, ok)

	// The processes below run one job each, which another process must
	// not take: a is done.
	b.Kill()

	// Either retention alone turns the sweeper on: keeping one kind of
	// finished job forever (0) must not keep the other kind too. The same
	// two processes run the record flags both ways: b with JOB_RECORD_EFFECTS
	// 0 and JOB_RECORD_EXECUTIONS 1, c with both unset (effects on,
	// executions off), so a flag ignored, inverted or read from the other
	// variable fails one of them.
	for _, keep := range []struct {
		instance, processed, failed string
		effects, executions         string
		wantEffects, wantRuns       int
	}{
		{"b", "0", fmt.Sprint(failureFailedRetentionMS), "0", "1", 0, 1},
		{"c", fmt.Sprint(failureFailedRetentionMS), "0", "", "", 1, 0},
	} {
		t.Step(fmt.Sprintf("process %s: JOB_RETENTION_MS=%s, JOB_FAILED_RETENTION_MS=%s, JOB_RECORD_EFFECTS=%q, JOB_RECORD_EXECUTIONS=%q",
			keep.instance, keep.processed, keep.failed, keep.effects, keep.executions))
		env := map[string]string{"JOB_RETENTION_MS": keep.processed, "JOB_FAILED_RETENTION_MS": keep.failed}
		if keep.effects != "" {
			env["JOB_RECORD_EFFECTS"] = keep.effects
		}
		if keep.executions != "" {
			env["JOB_RECORD_EXECUTIONS"] = keep.executions
		}
		p := t.StartBackend(keep.instance, BackendOptions{Env: env})
		j := p.PostJob(fmt.Sprintf(`{"records_on":%q}`, keep.instance))
		t.WaitJobStatus(j.ID, "processed", processTimeout)
		Equal(t, keep.instance+": job_effects rows of its job", keep.wantEffects, len(t.effects(j.ID)))
		Equal(t, keep.instance+": job_executions rows of its job, attempt 1", keep.wantRuns, t.executionsOnAttempt(j.ID, 1))
		// A sweeper sweeps once as it starts; a process without one never
		// sets last_cleanup_at, so the bound only ends the wait.
		p.WaitHealth("one retention alone runs the sweeper", fmt.Sprintf("last_cleanup_at set within %s of answering", failureSweepWithin),
			failureSweepWithin, func(s Sample) bool {
				return s.HTTPStatus == 200 && s.Health.Worker.LastCleanupAt != nil
			})
		p.Kill()
	}
}

// executionsOnAttempt counts the job_executions rows of job id; a row of
// another attempt than attempt counts as a mismatch (-1).
func (t *T) executionsOnAttempt(id string, attempt int) int {
	ctx, cancel := t.queryCtx()
	defer cancel()
	var n, other int
	err := t.DB().QueryRow(ctx, `SELECT count(*) FILTER (WHERE attempt = $2), count(*) FILTER (WHERE attempt <> $2) FROM job_executions WHERE job_id::text = $1`, id, attempt).Scan(&n, &other)
	if err != nil {
		t.Fatal("read job_executions: %v", err)
	}
	if other > 0 {
		return -1
	}
	return n
}

// crashLoopTripsGuard: a worker that crashes on every claim is restarted
// WORKER_MAX_CRASHES times, then the supervisor gives up: liveness failed,
// /health 503 error, /readyz 503; the process and its API stay up and the
// job is kept.
func crashLoopTripsGuard(t *T) {
	t.Migrate()
	const maxCrashes = 3
	b := t.StartBackend("a", BackendOptions{Env: map[string]string{
		"FAULT_INJECTION": "1", "WORKER_MAX_CRASHES": fmt.Sprint(maxCrashes),
		// More attempts than crashes, so the guard, not the attempt
		// limit, ends the loop; and a short lease, so the rescuer hands
		// the last crashed claim back.
		"JOB_MAX_ATTEMPTS": "20", "JOB_LEASE_MS": "500",
	}})
	waitHealthy(b, "before the job")
	// The probes' answers before and after the guard trips: a probe that
	// answers 200 with no body, or 200 whatever the state, fails one side.
	checkProbe(t, b, "/livez", 200, `{"status":"ok"}`)
	checkProbe(t, b, "/readyz", 200, `{"status":"ready"}`)

	t.Step("post a job that crashes the worker on every claim")
	job := b.PostJob(`{"fault":"worker_crash_after_claim","fault_every_attempt":true}`)
	down := b.WaitHealth("/health reports the worker failed", "503 status=error worker.liveness=failed", recoveryTimeout, func(s Sample) bool {
		return s.HTTPStatus == 503 && s.Health.Status == "error" && s.Health.Worker.Liveness == "failed"
	})
	w := down.Health.Worker
	Equal(t, "/health db.status stays ok", "ok", down.Health.DB.Status)
	Equal(t, "/health worker.status", "failed", w.Status)
	Equal(t, "/health worker.restart_count", int64(maxCrashes), w.RestartCount)
	Equal(t, "/health worker.last_exit_reason", "worker_crash_after_claim", str(w.LastExitReason))
	ready := b.Do(http.MethodGet, "/readyz", nil, "")
	Equal(t, "/readyz answers 503", 503, ready.Status)
	checkProbe(t, b, "/readyz", 503, "")
	checkProbe(t, b, "/livez", 503, "")
	t.Check("the process stays up", "running", fmt.Sprint(b.Alive()), b.Alive())
	ok, seen := logHas(b, "worker failed", nil)
	t.Check("log shows `worker failed`", `msg="worker failed"`, seen, ok)
	checkRestartBackoff(t, b, maxCrashes)

	t.Step("the API still answers; the job is kept")
	again := b.PostJob(`{"after":"guard"}`)
	t.RequireEventually("the crashing job is handed back to pending, not lost", "status pending", processTimeout, func() (bool, string) {
		r, ok := t.JobByID(job.ID)
		return ok && r.Status == "pending", fmt.Sprintf("found=%t status=%s attempts=%d", ok, r.Status, r.Attempts)
	})
	jobs := t.Jobs()
	t.Rows("jobs", jobs)
	Equal(t, "both jobs are still in the database", 2, len(jobs))
	if r, ok := t.JobByID(again.ID); ok {
		Equal(t, "a job posted after the guard tripped waits, pending", "pending", r.Status)
	}
	// Stays failed: the guard does not flap back.
	since := time.Now().UTC()
	later := b.WaitHealth("/health stays failed", "a later sample, still 503 failed", healthyTimeout, func(s Sample) bool {
		return s.At.After(since.Add(300 * time.Millisecond))
	})
	Equal(t, "later: /health HTTP status", 503, later.HTTPStatus)
	Equal(t, "later: worker.liveness", "failed", later.Health.Worker.Liveness)
}

// faultPayloadsArePlainData: without FAULT_INJECTION=1 the fault fields are
// plain data: no crash, no hold, no failure, the payload stored as posted.
// The setup rules out a flag read as "set at all" rather than "1": the
// payloads go to a backend with FAULT_INJECTION unset and to one with
// FAULT_INJECTION=0.
func faultPayloadsArePlainData(t *T) {
	t.Migrate()
	payloads := []string{
		`{"fault":"worker_crash_after_claim","fault_attempt":1}`,
		`{"fault":"worker_crash_after_claim","fault_every_attempt":true}`,
		`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`,
		`{"fault":"fail","fault_attempt":1}`,
		`{"fault":"fail","fault_every_attempt":true}`,
		`{"fault":"panic_in_handler","fault_attempt":1}`,
		`{"fault":"stall_worker_loop","fault_attempt":1,"hold_ms":600000}`,
		`{"fault":"panic_in_request"}`,
	}
	for round, setting := range []struct{ instance, value string }{{"unset", ""}, {"zero", "0"}} {
		env := map[string]string{}
		label := "without FAULT_INJECTION"
		if setting.value != "" {
			env["FAULT_INJECTION"] = setting.value
			label = "with FAULT_INJECTION=" + setting.value
		}
		b := t.StartBackend(setting.instance, BackendOptions{Env: env})
		before := waitHealthy(b, "before the jobs")

		t.Step("post every fault payload to a backend " + label)
		var ids []string
		for _, p := range payloads {
			ids = append(ids, b.PostJob(p).ID)
		}
		want := len(payloads) * (round + 1)
		t.RequireEventually("every job is processed "+label, fmt.Sprintf("processed=%d", want), processTimeout, func() (bool, string) {
			counts, summary := t.StatusCounts()
			return counts["processed"] == want, summary
		})
		t.Rows("jobs "+label, t.Jobs())
		for i, id := range ids {
			r, _ := t.JobByID(id)
			Equal(t, fmt.Sprintf("%s: job %d (%s): attempts", label, i+1, payloads[i]), 1, r.Attempts)
			t.Check(fmt.Sprintf("%s: job %d: payload stored as posted", label, i+1), payloads[i], string(r.Payload), jsonEqual([]byte(payloads[i]), r.Payload))
		}
		final := b.WaitHealth("/health counts the jobs "+label, fmt.Sprintf("processed_jobs=%d", len(payloads)), healthyTimeout, func(s Sample) bool {
			return s.HTTPStatus == 200 && s.Health.Worker.ProcessedJobs >= int64(len(payloads))
		})
		w := final.Health.Worker
		Equal(t, label+": /health worker.restart_count", int64(0), w.RestartCount)
		Equal(t, label+": /health worker.failed_jobs", int64(0), w.FailedJobs)
		Equal(t, label+": /health worker.boot_id unchanged", str(before.Health.Worker.BootID), str(w.BootID))
		Equal(t, label+": /health status", "ok", final.Health.Status)
		ok, seen := logHas(b, "fault injected", nil)
		t.Check(label+": log has no `fault injected`", "no such line", seen, !ok)
		// The next backend must get its own jobs: this one stops taking any.
		b.Kill()
	}
}

// crashLoopBackoffMS is the documented wait before each restart in a row:
// the first at once, then 50 ms, doubling (up to 5 s). Three restarts tell
// "doubling" from a constant, a halving or no wait at all.
var crashLoopBackoffMS = []int64{0, 50, 100}

// checkRestartBackoff: each `worker restarting` line names the documented
// wait (backoff_ms), and the next worker starts no sooner (the log's own
// timestamps, which are whole milliseconds, so 1 ms of rounding is allowed).
func checkRestartBackoff(t *T, b *Backend, restarts int) {
	restarting, started := b.Logs("worker restarting"), b.Logs("worker started")
	RequireEqual(t, "one `worker restarting` line per restart", restarts, len(restarting))
	for i, rec := range restarting[:min(restarts, len(crashLoopBackoffMS))] {
		want := crashLoopBackoffMS[i]
		Equal(t, fmt.Sprintf("restart %d: backoff_ms", i+1), fmt.Sprint(want), fmt.Sprint(rec["backoff_ms"]))
		// The worker that follows is the one whose restart_count is i+1.
		var next LogRecord
		for _, s := range started {
			if fmt.Sprint(s["restart_count"]) == fmt.Sprint(i+1) {
				next = s
			}
		}
		from, errFrom := time.Parse(time.RFC3339Nano, fmt.Sprint(rec["time"]))
		to, errTo := time.Parse(time.RFC3339Nano, fmt.Sprint(next["time"]))
		waited := to.Sub(from)
		t.Check(fmt.Sprintf("restart %d: the next worker starts after the wait", i+1),
			fmt.Sprintf("`worker started` restart_count=%d at least %d ms after `worker restarting`", i+1, want),
			fmt.Sprintf("%s (parse: %v, %v)", waited, errFrom, errTo),
			errFrom == nil && errTo == nil && waited >= time.Duration(want-1)*time.Millisecond)
	}
}

// checkProbe: GET path answers status with the documented JSON body, or,
// when body is "", with a JSON object holding a non-empty "error".
func checkProbe(t *T, b *Backend, path string, status int, body string) {
	resp := b.Do(http.MethodGet, path, nil, "")
	var got map[string]any
	decodeErr := json.Unmarshal(resp.Body, &got)
	observed := fmt.Sprintf("%d %s", resp.Status, strings.TrimSpace(string(resp.Body)))
	if body != "" {
		var want map[string]any
		_ = json.Unmarshal([]byte(body), &want)
		t.Check(fmt.Sprintf("GET %s: %d %s", path, status, body), fmt.Sprintf("%d %s", status, body), observed,
			resp.Status == status && decodeErr == nil && reflect.DeepEqual(got, want))
		return
	}
	msg, _ := got["error"].(string)
	t.Check(fmt.Sprintf("GET %s: %d and a JSON error", path, status), fmt.Sprintf(`%d {"error":"…"}`, status), observed,
		resp.Status == status && decodeErr == nil && msg != "")
}
