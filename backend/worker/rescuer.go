package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// Rescuer requeues processing jobs whose lease expired, which is how jobs
// held by a process that died (SIGKILL, power loss) run again. It also
// closes the recovery window once every recovered job has finished, even if
// another instance finished them.
type Rescuer struct {
	lifecycle
	Store  Store
	State  *State
	Logger *slog.Logger
	// Interval between rescue sweeps.
	Interval time.Duration
	// WindowCheck is how often an open recovery window is rechecked.
	WindowCheck time.Duration
	// Wake is called after jobs were requeued, so a worker claims them now.
	Wake func()
}

// RescueInterval derives a sweep interval from the lease: often enough that
// a dead process's jobs wait little longer than their lease, rarely enough to
// cost nothing.
func RescueInterval(lease time.Duration) time.Duration {
	return min(max(lease/4, 100*time.Millisecond), 5*time.Second)
}

// rescueBatch bounds one sweep's UPDATE so a mass expiry cannot hold
// thousands of row locks in one statement.
const rescueBatch = 1000

// Start sweeps in the background until Stop (the lifecycle contract in
// lifecycle.go).
func (r *Rescuer) Start(ctx context.Context) { r.start(ctx, cancelledBySoft(r.run)) }

// Stop ends the sweeps; one in progress is cancelled.
func (r *Rescuer) Stop(ctx context.Context) error {
	r.stop(ctx)
	return nil
}

func (r *Rescuer) run(ctx context.Context) {
	sweep := time.NewTicker(r.Interval)
	defer sweep.Stop()
	window := time.NewTicker(r.WindowCheck)
	defer window.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			r.sweep(ctx)
		case <-window.C:
			if r.State.Snapshot().RecoveryActive {
				closeRecoveryWindow(ctx, r.Store, r.State, r.Logger)
			}
		}
	}
}

func (r *Rescuer) sweep(ctx context.Context) {
	for {
		requeued, err := r.Store.RescueExpired(ctx, rescueBatch)
		if err != nil {
			if ctx.Err() == nil {
				r.Logger.Debug("rescue sweep failed", "error", err.Error())
			}
			return
		}
		if len(requeued) == 0 {
			return
		}
		recordRecovery(r.State, r.Logger, SourceLeaseExpired, requeued)
		if r.Wake != nil {
			r.Wake()
		}
		if len(requeued) < rescueBatch {
			return
		}
	}
}

// recordRecovery logs a recovery event and records the requeued jobs; jobs
// that ran out of attempts were failed instead, and count as failed jobs.
func recordRecovery(st *State, logger *slog.Logger, source string, requeued []job.Requeued, attrs ...any) {
	var ids, failed []job.ID
	for _, r := range requeued {
		if r.Failed {
			failed = append(failed, r.ID)
		} else {
			ids = append(ids, r.ID)
		}
	}
	if len(failed) > 0 {
		// This process marked them failed, as a failed last attempt is.
		st.completed(0, len(failed))
		logger.Error("jobs failed", append([]any{"source", source, "count", len(failed), "job_ids", idStrings(failed)}, attrs...)...)
	}
	if len(ids) == 0 {
		return
	}
	st.recovered(ids, time.Now())
	logger.Warn("jobs recovered", append([]any{"source", source, "count", len(ids), "job_ids", idStrings(ids)}, attrs...)...)
}

// closeRecoveryWindow asks the database whether the jobs of the open
// recovery window are all finished and closes it if so.
func closeRecoveryWindow(ctx context.Context, store Store, st *State, logger *slog.Logger) {
	ids := st.outstandingJobs()
	if len(ids) == 0 {
		return
	}
	n, err := store.CountUnfinished(ctx, ids)
	if err != nil {
		return
	}
	if st.closeWindowIf(ids, n) {
		logger.Info("recovery window closed", "jobs", len(ids))
	}
}

func idStrings(ids []job.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
