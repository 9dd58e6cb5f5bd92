package scenario

import (
	"fmt"
	"syscall"
	"time"
)

// gracefulShutdownFinishesOrHandsBack: on SIGTERM a job that can finish
// within SHUTDOWN_GRACE_MS finishes; one that cannot is handed back at once
// with its attempt uncounted; the process exits 0; the next process takes
// the handed-back job at the same attempt.
func gracefulShutdownFinishesOrHandsBack(t *T) {
	t.Migrate()
	const graceMS, shortMS = 1500, 400
	a := t.StartBackend("a", BackendOptions{Env: map[string]string{
		"FAULT_INJECTION": "1", "SHUTDOWN_GRACE_MS": fmt.Sprint(graceMS),
	}})
	waitHealthy(a, "before the jobs")

	t.Step(fmt.Sprintf("post a job held %d ms (finishes within the grace) and one held 10 minutes (cannot)", shortMS))
	short := a.PostJob(fmt.Sprintf(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":%d}`, shortMS))
	long := a.PostJob(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`)
	t.WaitJobStatus(short.ID, "processing", processTimeout)
	t.WaitJobStatus(long.ID, "processing", processTimeout)

	t.Step("SIGTERM backend a")
	sent := time.Now()
	a.signal(syscall.SIGTERM)
	// The grace bounds the wait for the jobs; the release and the pool's
	// close get a little more on a loaded machine.
	limit := time.Duration(graceMS)*time.Millisecond + 5*time.Second
	code, exited := 0, false
	select {
	case <-a.proc.Done():
		_, code = a.proc.Exited()
		exited = true
	case <-time.After(limit):
	case <-t.Context().Done():
		t.Fatal("interrupted while waiting for the shutdown")
	}
	took := time.Since(sent)
	a.StopPolling()
	t.Require("a exits after SIGTERM", "exit within "+limit.String(), fmt.Sprintf("exited=%t after %s", exited, took.Round(time.Millisecond)), exited)
	Equal(t, "a's exit status", 0, code)
	t.Note("shutdown took", map[string]any{"ms": took.Milliseconds(), "grace_ms": graceMS})

	shortRow, _ := t.JobByID(short.ID)
	longRow, _ := t.JobByID(long.ID)
	t.Rows("jobs after a exited", []JobRow{shortRow, longRow})
	Equal(t, "the short job finished before a exited", "processed", shortRow.Status)
	Equal(t, "the short job: attempts", 1, shortRow.Attempts)
	Equal(t, "the long job was handed back", "pending", longRow.Status)
	Equal(t, "the long job's attempt was not counted", 0, longRow.Attempts)
	Equal(t, "the long job has no owner", "null", str(longRow.LockedBy))
	ok, seen := logHas(a, "jobs released", map[string]any{"count": 1})
	t.Check("a's log shows `jobs released` count=1", `msg="jobs released" count=1`, seen, ok)
	ok, seen = logHas(a, "shutdown complete", nil)
	t.Check("a's log ends with `shutdown complete`", `msg="shutdown complete"`, seen, ok)

	// Without fault injection the hold is plain data, so the next process
	// runs the job at once, on the attempt a did not count.
	b := t.StartBackend("b", BackendOptions{})
	row := t.WaitJobStatus(long.ID, "processed", processTimeout)
	Equal(t, "b ran the handed-back job on attempt 1", 1, row.Attempts)
	effects := t.effects(long.ID)
	Equal(t, "the handed-back job took effect once", 1, len(effects))
	t.Rows("jobs at the end", t.Jobs())
	s, _ := b.Latest()
	Equal(t, "b: /health worker.recovered_jobs (a release is not a recovery)", int64(0), s.Health.Worker.RecoveredJobs)
}
