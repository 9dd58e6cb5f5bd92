package suite

import (
	"context"
	"fmt"
	"time"

	"github.com/prodproof/prodproof/internal/jobdoc"
)

// recoveryLeaseMS is the lease of the SIGKILL measurement: short, so the
// successor's rescuer takes the job back soon after the kill.
const recoveryLeaseMS = 1000

// recovery measures (a) a worker crash right after a claim → the job
// processed by the restarted worker, and (b) SIGKILL of a process holding a
// job → the job processed by a successor process.
func (r *run) recovery(ctx context.Context) error {
	name, url, err := r.newDatabase(ctx, r.srv, "recovery")
	if err != nil {
		return err
	}
	defer r.dropDatabase(r.srv, name)
	if err := r.migrate(ctx, r.srv, url); err != nil {
		return err
	}
	env := map[string]string{
		"DATABASE_URL":    url,
		"JOB_POLL_MS":     "500",
		"FAULT_INJECTION": "1",
		"JOB_LEASE_MS":    fmt.Sprint(recoveryLeaseMS),
	}
	r.res.Recovery.SigkillLeaseMS = recoveryLeaseMS
	r.res.Settings.RecoveryLeaseMS = recoveryLeaseMS

	first, err := startBackend(r.backend, r.tmp, name+"-first", env)
	if err != nil {
		return err
	}
	defer first.kill()
	if err := first.waitReady(ctx, 20*time.Second); err != nil {
		return err
	}
	for range 3 {
		j, err := first.postJob(ctx, `{"fault":"worker_crash_after_claim"}`)
		if err != nil {
			return err
		}
		done, err := first.waitJob(ctx, j.ID, 30*time.Second, func(j jobdoc.Document) bool { return j.Status == "processed" })
		if err != nil {
			return fmt.Errorf("worker crash: %w", err)
		}
		if done.Attempts != 2 {
			return fmt.Errorf("worker crash: job processed on attempt %d, want 2 (did the fault fire?)", done.Attempts)
		}
		created, err := done.Created()
		if err != nil {
			return fmt.Errorf("worker crash: %w", err)
		}
		ms, err := msUntilProcessed(done, created)
		if err != nil {
			return fmt.Errorf("worker crash: %w", err)
		}
		r.res.Recovery.WorkerCrashMS = append(r.res.Recovery.WorkerCrashMS, ms)
	}
	r.logf("recovery after a worker crash: %v ms", r.res.Recovery.WorkerCrashMS)

	held, err := first.postJob(ctx, `{"fault":"hold_after_claim","hold_ms":600000}`)
	if err != nil {
		return err
	}
	if _, err := first.waitJob(ctx, held.ID, 10*time.Second, func(j jobdoc.Document) bool { return j.Status == "processing" }); err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	if rss, err := first.peakRSSMiB(); err == nil {
		r.res.NoteRSS("recovery", rss)
	}
	killedAt := time.Now()
	first.kill()
	successor, err := startBackend(r.backend, r.tmp, name+"-successor", env)
	if err != nil {
		return err
	}
	defer successor.kill()
	if err := successor.waitReady(ctx, 20*time.Second); err != nil {
		return err
	}
	done, err := successor.waitJob(ctx, held.ID, 30*time.Second, func(j jobdoc.Document) bool { return j.Status == "processed" })
	if err != nil {
		return fmt.Errorf("after SIGKILL: %w", err)
	}
	if r.res.Recovery.SigkillMS, err = msUntilProcessed(done, killedAt); err != nil {
		return fmt.Errorf("after SIGKILL: %w", err)
	}
	r.logf("recovery after SIGKILL (lease %d ms): %.0f ms", recoveryLeaseMS, r.res.Recovery.SigkillMS)
	if rss, err := successor.peakRSSMiB(); err == nil {
		r.res.NoteRSS("recovery", rss)
	}
	return nil
}

// msUntilProcessed is how long after from the processed job j was
// processed, in milliseconds.
func msUntilProcessed(j jobdoc.Document, from time.Time) (float64, error) {
	processed, err := j.Processed()
	if err == nil && processed.IsZero() {
		err = fmt.Errorf("job %s has no processed_at", j.ID)
	}
	return float64(processed.Sub(from)) / float64(time.Millisecond), err
}
