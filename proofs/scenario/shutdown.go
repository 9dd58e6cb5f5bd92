package scenario

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"time"
)

// gracefulShutdownFinishesOrHandsBack: on SIGTERM a job that can finish
// within SHUTDOWN_GRACE_MS finishes; one that cannot is handed back at once
// with its attempt uncounted; the process exits 0; the next process takes
// the handed-back job at the same attempt; a stopping process claims
// nothing new and writes every outcome it computed (stopWithJobsWaiting).
func gracefulShutdownFinishesOrHandsBack(t *T) {
	t.Migrate()
	const graceMS, shortMS = 1500, 400
	a := t.StartBackend("a", BackendOptions{Env: map[string]string{
		"FAULT_INJECTION": "1", "SHUTDOWN_GRACE_MS": fmt.Sprint(graceMS),
	}})
	waitHealthy(a, "before the jobs")

	// A job handed back on attempt 1 cannot tell "attempts-1" from
	// "attempts=0" or from a release that forgets the attempt only once:
	// a second long job is held on its second attempt (its first crashed
	// the worker), so the hand-back must leave it at exactly 1.
	t.Step("post a job whose attempt 1 crashes the worker and whose attempt 2 is held 10 minutes")
	second := a.PostJob(`{"fault":"worker_crash_after_claim","fault_attempt":1,"hold_ms":600000}`)
	t.RequireEventually("that job is held on attempt 2", "processing attempts=2", processTimeout, func() (bool, string) {
		row, ok := t.JobByID(second.ID)
		return ok && row.Status == "processing" && row.Attempts == 2, fmt.Sprintf("%s attempts=%d", row.Status, row.Attempts)
	})

	t.Step(fmt.Sprintf("post a job held %d ms (finishes within the grace) and one held 10 minutes (cannot)", shortMS))
	short := a.PostJob(fmt.Sprintf(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":%d}`, shortMS))
	long := a.PostJob(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`)
	t.WaitJobStatus(short.ID, "processing", processTimeout)
	t.WaitJobStatus(long.ID, "processing", processTimeout)

	t.Step("SIGTERM backend a")
	// The grace bounds the wait for the jobs; the release and the pool's
	// close get a little more on a loaded machine.
	limit := time.Duration(graceMS)*time.Millisecond + 5*time.Second
	sent := sigterm(a)
	// The long jobs hold the shutdown open for the whole grace; meanwhile
	// the HTTP server takes no request, /livez included (so its 503 is
	// never what a probe sees of a shutdown). Rules out a server left
	// serving until the process exits. The wait may run to the exit
	// deadline: once a exits, the condition can no longer hold.
	t.Eventually("a refuses connections while its shutdown is held open", "GET /livez: connection refused, a still running",
		limit, func() (bool, string) {
			resp := a.Send(http.MethodGet, "/livez", nil, "")
			refused := errors.Is(resp.Err, syscall.ECONNREFUSED)
			alive := a.Alive()
			return refused && alive, fmt.Sprintf("%s; running %t", resp.Summary(), alive)
		})
	code, exited, took := waitExit(t, a, sent, limit)
	t.Require("a exits after SIGTERM", "exit within "+limit.String(), fmt.Sprintf("exited=%t after %s", exited, took.Round(time.Millisecond)), exited)
	Equal(t, "a's exit status", 0, code)
	t.Note("shutdown took", map[string]any{"ms": took.Milliseconds(), "grace_ms": graceMS})

	shortRow, _ := t.JobByID(short.ID)
	longRow, _ := t.JobByID(long.ID)
	secondRow, _ := t.JobByID(second.ID)
	t.Rows("jobs after a exited", []JobRow{shortRow, longRow, secondRow})
	Equal(t, "the short job finished before a exited", "processed", shortRow.Status)
	Equal(t, "the short job: attempts", 1, shortRow.Attempts)
	Equal(t, "the long job was handed back", "pending", longRow.Status)
	Equal(t, "the long job's attempt was not counted", 0, longRow.Attempts)
	Equal(t, "the long job has no owner", "null", str(longRow.LockedBy))
	Equal(t, "the job held on attempt 2 was handed back", "pending", secondRow.Status)
	Equal(t, "the job held on attempt 2: its attempt was not counted (2-1)", 1, secondRow.Attempts)
	ok, seen := logHas(a, "jobs released", map[string]any{"count": 2})
	t.Check("a's log shows `jobs released` count=2", `msg="jobs released" count=2`, seen, ok)
	ok, seen = logHas(a, "shutdown complete", nil)
	t.Check("a's log ends with `shutdown complete`", `msg="shutdown complete"`, seen, ok)

	// Without fault injection the hold is plain data, so the next process
	// runs the job at once, on the attempt a did not count.
	// b reaches the database through a proxy that sees how each session
	// ends.
	proxy, proxied := viaReadingProxy(t, "graceful_shutdown_finishes_or_hands_back", "its proxy tells a closed session from a dropped one")
	b := t.StartBackend("b", BackendOptions{DatabaseURL: proxied, Env: map[string]string{"SHUTDOWN_GRACE_MS": fmt.Sprint(idleGraceMS)}})
	row := t.WaitJobStatus(long.ID, "processed", processTimeout)
	Equal(t, "b ran the handed-back job on attempt 1", 1, row.Attempts)
	row = t.WaitJobStatus(second.ID, "processed", processTimeout)
	Equal(t, "b ran the job handed back on attempt 2 on attempt 2", 2, row.Attempts)
	effects := t.effects(long.ID)
	Equal(t, "the handed-back job took effect once", 1, len(effects))
	t.Rows("jobs at the end", t.Jobs())
	s, _ := b.Latest()
	Equal(t, "b: /health worker.recovered_jobs (a release is not a recovery)", int64(0), s.Health.Worker.RecoveredJobs)

	// The listener's session is the one only a stop of the background
	// parts closes: it must be open before the signal.
	t.RequireEventually("b's notification listener is connected", "a session whose last statement is LISTEN", processTimeout, func() (bool, string) {
		n := t.countListeners()
		return n == 1, fmt.Sprintf("%d listening sessions", n)
	})

	// With nothing in flight the grace is a bound, not a wait: b, whose
	// grace is 30 s, must exit well before it (a drain that waits for the
	// grace to run out instead of for its jobs fails here).
	t.Step("SIGTERM backend b with nothing in flight")
	code, exited, took = sigtermAndWait(t, b, idleExitWithin)
	t.Check("b, idle, exits 0 without waiting out its grace", fmt.Sprintf("exit 0 within %s (grace %d ms)", idleExitWithin, idleGraceMS),
		fmt.Sprintf("exited=%t status %d after %s", exited, code, took.Round(time.Millisecond)), exited && code == 0)
	// A graceful exit closes every session it opened, the listener's
	// included: a part left running would be dropped with the process.
	var sessions, unterminated int
	t.Eventually("the proxy has seen every session of b end", "no proxied connection open", healthyTimeout, func() (bool, string) {
		var open int
		sessions, unterminated, open = proxy.Sessions()
		return open == 0, fmt.Sprintf("%d open", open)
	})
	t.Check("b ended every database session with Terminate", "at least 2 sessions (the pool's and the listener's), none closed without Terminate",
		fmt.Sprintf("%d sessions, %d closed without Terminate", sessions, unterminated), sessions >= 2 && unterminated == 0)

	stopWithJobsWaiting(t)
}

// stopWithJobsWaiting: a stopping process claims nothing new, and every
// outcome it computed is written before it exits. Backend c runs two jobs
// in its only two slots while more jobs wait; it is SIGTERMed before they
// finish. Their completions come after claims stopped, which is when a
// claim riding on a completion could still take a waiting job, and the
// drain can end only once they are written.
func stopWithJobsWaiting(t *T) {
	const holdMS, concurrency, waiting = 4000, 2, 3
	c := t.StartBackend("c", BackendOptions{Env: map[string]string{
		"FAULT_INJECTION": "1", "SHUTDOWN_GRACE_MS": fmt.Sprint(idleGraceMS),
		"JOB_CONCURRENCY": fmt.Sprint(concurrency), "JOB_BATCH_SIZE": fmt.Sprint(concurrency),
	}})
	waitHealthy(c, "before the jobs")

	t.Step(fmt.Sprintf("fill c's %d slots with jobs held %d ms, then post %d jobs that must wait", concurrency, holdMS, waiting))
	var running, queued []Job
	for range concurrency {
		running = append(running, c.PostJob(fmt.Sprintf(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":%d}`, holdMS)))
	}
	for _, j := range running {
		t.WaitJobStatus(j.ID, "processing", processTimeout)
	}
	for i := range waiting {
		queued = append(queued, c.PostJob(fmt.Sprintf(`{"waits":%d}`, i)))
	}

	// The held jobs must still run when the signal goes, or their
	// completions would come before the stop and prove nothing about it.
	before := make([]JobRow, 0, concurrency+waiting)
	for _, j := range append(append([]Job{}, running...), queued...) {
		row, _ := t.JobByID(j.ID)
		before = append(before, row)
	}
	t.Rows("c's jobs when SIGTERM is sent", before)
	for i, row := range before {
		want := "processing"
		if i >= concurrency {
			want = "pending"
		}
		t.Require(fmt.Sprintf("job %s is %s when SIGTERM is sent", row.ID, want), want, row.Status, row.Status == want)
	}
	t.Step("SIGTERM backend c while its slots are full and jobs wait")
	code, exited, took := sigtermAndWait(t, c, time.Duration(idleGraceMS)*time.Millisecond+5*time.Second)
	t.Require("c exits after SIGTERM", "exit within its grace", fmt.Sprintf("exited=%t after %s", exited, took.Round(time.Millisecond)), exited)
	Equal(t, "c's exit status", 0, code)

	after := make([]JobRow, 0, concurrency+waiting)
	for _, j := range running {
		row, _ := t.JobByID(j.ID)
		after = append(after, row)
		t.Check("a job running at SIGTERM was written before c exited: processed on attempt 1 with one effect",
			"processed attempts=1 effects=1", fmt.Sprintf("%s attempts=%d effects=%d", row.Status, row.Attempts, len(t.effects(j.ID))),
			row.Status == "processed" && row.Attempts == 1 && len(t.effects(j.ID)) == 1)
	}
	for _, j := range queued {
		row, _ := t.JobByID(j.ID)
		after = append(after, row)
		t.Check("a job waiting at SIGTERM was never claimed by c: pending, attempts 0, no owner, never claimed",
			"pending attempts=0 locked_by=null claimed_at=null",
			fmt.Sprintf("%s attempts=%d locked_by=%s claimed_at=%v", row.Status, row.Attempts, str(row.LockedBy), row.ClaimedAt),
			row.Status == "pending" && row.Attempts == 0 && row.LockedBy == nil && row.ClaimedAt == nil)
	}
	t.Rows("c's jobs after it exited", after)
	released, seen := logHas(c, "jobs released", nil)
	t.Check("c handed nothing back: no `jobs released` (every job it held finished)", "no `jobs released` line", seen, !released)
}

// The idle shutdown of gracefulShutdownFinishesOrHandsBack: a grace far
// longer than the exit it allows. Half the grace: a drain that waits out
// its grace cannot meet it, and a loaded machine has seconds of slack.
const (
	idleGraceMS    = 30000
	idleExitWithin = idleGraceMS * time.Millisecond / 2
)

// sigtermAndWait sends SIGTERM to b and waits up to limit for it to exit:
// its exit status, whether it exited, and how long it took.
func sigtermAndWait(t *T, b *Backend, limit time.Duration) (code int, exited bool, took time.Duration) {
	return waitExit(t, b, sigterm(b), limit)
}

// sigterm sends SIGTERM to b and says when.
func sigterm(b *Backend) time.Time {
	sent := time.Now()
	b.signal(syscall.SIGTERM)
	return sent
}

// waitExit waits until limit after sent for b to exit: its exit status,
// whether it exited, and how long after sent.
func waitExit(t *T, b *Backend, sent time.Time, limit time.Duration) (code int, exited bool, took time.Duration) {
	select {
	case <-b.proc.Done():
		_, code = b.proc.Exited()
		exited = true
	case <-time.After(time.Until(sent.Add(limit))):
	case <-t.Context().Done():
		t.Fatal("interrupted while waiting for the shutdown")
	}
	took = time.Since(sent)
	b.StopPolling()
	return code, exited, took
}
