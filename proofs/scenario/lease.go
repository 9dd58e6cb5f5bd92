package scenario

import (
	"cmp"
	"fmt"
	"syscall"
	"time"
)

// leaseMS is the short lease of the lease proofs: a job held for several
// leases must be renewed several times, and a stalled owner loses it soon.
const leaseMS = 600

// heartbeatLeaseMS is the lease of the heartbeat proof: renewed every
// third of it, so a renewal may come up to two thirds of a lease (1 s)
// late before the lease lapses. A shorter lease would fail on a machine
// that starves the backend for a few hundred milliseconds, which says
// nothing about the heartbeat; a heartbeat that does not renew lets it
// lapse after one lease however long it is.
const heartbeatLeaseMS = 1500

// signal sends sig to the backend's process group.
func (b *Backend) signal(sig syscall.Signal) {
	if err := b.proc.Signal(sig); err != nil {
		b.t.Fatal("signal %v to backend %s: %v", sig, b.Instance, err)
	}
}

// effectRow is one row of job_effects: one execution that took effect.
type effectRow struct {
	JobID      string    `json:"job_id"`
	Attempt    int       `json:"attempt"`
	WorkerBoot string    `json:"worker_boot"`
	RecordedAt time.Time `json:"recorded_at"`
}

// effects reads the job_effects rows of one job.
func (t *T) effects(id string) []effectRow {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT job_id::text, attempt, worker_boot::text, recorded_at FROM job_effects WHERE job_id::text = $1 ORDER BY recorded_at`, id)
	if err != nil {
		t.Fatal("read job_effects: %v", err)
	}
	defer rows.Close()
	var out []effectRow
	for rows.Next() {
		var e effectRow
		if err := rows.Scan(&e.JobID, &e.Attempt, &e.WorkerBoot, &e.RecordedAt); err != nil {
			t.Fatal("read job_effects: %v", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal("read job_effects: %v", err)
	}
	return out
}

// leaseInFuture reports whether the job is processing and whether its lease
// is still in the future by the database's clock.
func (t *T) leaseInFuture(id string) (processing, inFuture bool, observed string) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	var status string
	var future *bool
	err := t.DB().QueryRow(ctx, `SELECT status, lease_expires_at > now() FROM jobs WHERE id::text = $1`, id).Scan(&status, &future)
	if err != nil {
		t.Fatal("read lease: %v", err)
	}
	return status == "processing", future != nil && *future, fmt.Sprintf("status=%s lease_in_future=%v", status, future != nil && *future)
}

// heartbeatKeepsLongJobLeased: a job held for more than three leases on a
// live worker is renewed by its heartbeat: the lease never lapses, no
// rescuer takes it, it runs once.
func heartbeatKeepsLongJobLeased(t *T) {
	t.Migrate()
	env := map[string]string{"FAULT_INJECTION": "1", "JOB_LEASE_MS": fmt.Sprint(heartbeatLeaseMS)}
	a := t.StartBackend("a", BackendOptions{Env: env})
	b := t.StartBackend("b", BackendOptions{Env: env})
	waitHealthy(a, "before the job")
	waitHealthy(b, "before the job")

	const holdMS = 4 * heartbeatLeaseMS
	t.Step(fmt.Sprintf("post a job that holds its first attempt for %d ms (%d leases)", holdMS, holdMS/heartbeatLeaseMS))
	job := a.PostJob(fmt.Sprintf(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":%d}`, holdMS))
	t.WaitJobStatus(job.ID, "processing", processTimeout)

	// Watch the lease in the database for the whole hold: it must stay in
	// the future while the job is processing.
	t.Step("watch the lease until the job finishes")
	lapsed, checks := "", 0
	t.RequireEventually("the held job finishes", "status leaves processing", processTimeout, func() (bool, string) {
		processing, inFuture, seen := t.leaseInFuture(job.ID)
		if !processing {
			return true, seen
		}
		checks++
		if !inFuture && lapsed == "" {
			lapsed = fmt.Sprintf("lease in the past at %s after %d checks", time.Now().UTC().Format(time.RFC3339Nano), checks)
		}
		return false, seen
	})
	t.Check("the lease never lapsed while the job was processing", fmt.Sprintf("every check in the future (%d checks)", checks), cmp.Or(lapsed, fmt.Sprintf("%d checks, all in the future", checks)), lapsed == "" && checks > 0)

	row := t.WaitJobStatus(job.ID, "processed", processTimeout)
	t.Rows("jobs", t.Jobs())
	Equal(t, "the job ran on one attempt", 1, row.Attempts)
	effects := t.effects(job.ID)
	t.Rows("job_effects", effects)
	Equal(t, "the job took effect once", 1, len(effects))
	for _, be := range []*Backend{a, b} {
		s, _ := be.Latest()
		Equal(t, "backend "+be.Instance+": /health worker.recovered_jobs", int64(0), s.Health.Worker.RecoveredJobs)
		ok, seen := logHas(be, "jobs recovered", nil)
		t.Check("backend "+be.Instance+" logged no `jobs recovered`", "no such line", seen, !ok)
	}
}

// stalledWorkerCannotCompleteTakenJob: a worker frozen (SIGSTOP) past its
// lease loses the job to another instance; when it wakes (SIGCONT) and
// finishes, its completion is refused, the job took effect once, and the
// stalled worker logs the refusal.
func stalledWorkerCannotCompleteTakenJob(t *T) {
	t.Migrate()
	env := map[string]string{"FAULT_INJECTION": "1", "JOB_LEASE_MS": fmt.Sprint(leaseMS)}
	a := t.StartBackend("a", BackendOptions{Env: env})
	aHealth := waitHealthy(a, "before the job")

	const holdMS = 3 * leaseMS
	t.Step(fmt.Sprintf("post a job that a holds for %d ms", holdMS))
	job := a.PostJob(fmt.Sprintf(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":%d}`, holdMS))
	held := t.WaitJobStatus(job.ID, "processing", processTimeout)
	Equal(t, "a holds the job: locked_by is a's worker", str(aHealth.Health.Worker.BootID), str(held.LockedBy))

	t.Step("SIGSTOP backend a (a frozen VM, a long GC pause)")
	a.signal(syscall.SIGSTOP)
	stopped := true
	t.Cleanup(func() {
		if stopped {
			a.proc.Cont()
		}
	})
	b := t.StartBackend("b", BackendOptions{Env: env})
	t.Step("wait for b to rescue the job once a's lease lapses, and finish it")
	done := t.WaitJobStatus(job.ID, "processed", processTimeout)
	bHealth, _ := b.Latest()
	Equal(t, "b finished the job on attempt 2", 2, done.Attempts)
	before := t.effects(job.ID)
	t.Rows("job_effects after b", before)
	RequireEqual(t, "one effect after b finished the job", 1, len(before))

	t.Step("SIGCONT backend a: its held attempt ends and it tries to complete")
	a.signal(syscall.SIGCONT)
	stopped = false
	woke := time.Now().UTC()
	// Either outcome ends the wait at once: the refusal in a's log, or a
	// completion that a counted (which must not happen).
	var settled Sample
	t.RequireEventually("a's held attempt has ended", `a logs "stale completions ignored", or counts a completion`, processTimeout, func() (bool, string) {
		if ok, seen := logHas(a, "stale completions ignored", nil); ok {
			return true, seen
		}
		for _, s := range a.Samples() {
			if s.At.After(woke) && s.HTTPStatus == 200 && s.Health.Worker.ProcessedJobs > 0 {
				settled = s
				return true, "a counted a completion: " + s.Summary()
			}
		}
		return false, "neither yet"
	})
	ok, seen := logHas(a, "stale completions ignored", map[string]any{"count": 1})
	t.Check("a's log says its late completion was refused", `msg="stale completions ignored" count=1`, seen, ok)
	after, _ := t.JobByID(job.ID)
	t.Rows("jobs after a woke", []JobRow{after})
	Equal(t, "the job is still processed", "processed", after.Status)
	Equal(t, "the job's attempts are still b's", 2, after.Attempts)
	t.Check("processed_at is still b's completion", fmt.Sprint(done.ProcessedAt), fmt.Sprint(after.ProcessedAt),
		done.ProcessedAt != nil && after.ProcessedAt != nil && done.ProcessedAt.Equal(*after.ProcessedAt))
	effects := t.effects(job.ID)
	t.Rows("job_effects after a woke", effects)
	Equal(t, "the job took effect once", 1, len(effects))
	if len(effects) > 0 {
		Equal(t, "the effect is b's", str(bHealth.Health.Worker.BootID), effects[0].WorkerBoot)
	}
	if settled.HTTPStatus == 0 {
		refused := time.Now().UTC()
		settled = a.WaitHealth("a answers /health after the refusal", "a sample taken after the refusal", healthyTimeout, func(s Sample) bool {
			return s.HTTPStatus == 200 && s.At.After(refused)
		})
	}
	Equal(t, "a: /health worker.processed_jobs (its late completion did not count)", int64(0), settled.Health.Worker.ProcessedJobs)
	logAgreesWithHealth(t, a, b)
}
