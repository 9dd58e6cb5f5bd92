package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// RetentionStore is what the sweeper needs from the database.
type RetentionStore interface {
	DeleteFinished(ctx context.Context, status job.Status, olderThan time.Duration, limit int) (deleted int, busy bool, err error)
}

// Retention configures the deletion of finished jobs. A zero duration keeps
// jobs of that status forever; both zero turns the sweeper off.
type Retention struct {
	Store RetentionStore
	// Processed and Failed are how long a job is kept after it finished.
	Processed time.Duration
	Failed    time.Duration
	// BatchSize bounds each deleting transaction. Default 1000.
	BatchSize int
}

func (r Retention) enabled() bool { return r.Store != nil && (r.Processed > 0 || r.Failed > 0) }

// RetentionInterval derives the sweep interval from the shortest retention:
// a job outlives its retention by at most about a quarter of it, never by
// more than a minute, and the sweep never runs more than twice a second.
func RetentionInterval(shortest time.Duration) time.Duration {
	return min(max(shortest/4, 500*time.Millisecond), time.Minute)
}

// sweeper deletes finished jobs past their retention, a bounded batch at a
// time. Every instance runs one; the store's retention lock lets one batch
// run at a time across all of them, and a sweeper that finds the lock taken
// leaves the round to the instance holding it.
type sweeper struct {
	lifecycle
	cfg      Retention
	interval time.Duration // between sweeps: RetentionInterval of the shorter retention
	state    *State
	logger   *slog.Logger
}

func newSweeper(cfg Retention, state *State, logger *slog.Logger) *sweeper {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	shortest := cfg.Processed
	if shortest == 0 || (cfg.Failed > 0 && cfg.Failed < shortest) {
		shortest = cfg.Failed
	}
	return &sweeper{cfg: cfg, interval: RetentionInterval(shortest), state: state, logger: logger}
}

// Start sweeps in the background until Stop (the lifecycle contract in
// lifecycle.go).
func (s *sweeper) Start(ctx context.Context) { s.start(ctx, cancelledBySoft(s.run)) }

// Stop ends the sweeps; a batch in progress is cancelled and rolls back.
func (s *sweeper) Stop(ctx context.Context) error {
	s.stop(ctx)
	return nil
}

func (s *sweeper) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	// Sweep once at start: with the default retentions the interval is a
	// minute, and a process that restarts often (a deploy, a crash loop)
	// would otherwise put every sweep off by that much.
	s.sweep(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sweep(ctx)
		}
	}
}

// sweep deletes, status by status, every job past its retention, one batch
// per transaction. It records a cleanup only when it ran (held the lock).
func (s *sweeper) sweep(ctx context.Context) {
	ran := false
	deleted := map[job.Status]int{}
	for _, kind := range []struct {
		status job.Status
		keep   time.Duration
	}{{job.Processed, s.cfg.Processed}, {job.Failed, s.cfg.Failed}} {
		if kind.keep <= 0 {
			continue
		}
		for ctx.Err() == nil {
			n, busy, err := s.cfg.Store.DeleteFinished(ctx, kind.status, kind.keep, s.cfg.BatchSize)
			if err != nil {
				if ctx.Err() == nil {
					s.logger.Debug("retention sweep failed", "error", err.Error())
				}
				break
			}
			if busy {
				break
			}
			ran = true
			deleted[kind.status] += n
			if n < s.cfg.BatchSize {
				break
			}
		}
	}
	if !ran {
		return
	}
	total := deleted[job.Processed] + deleted[job.Failed]
	s.state.cleaned(time.Now(), total)
	if total > 0 {
		s.logger.Info("finished jobs deleted", "processed", deleted[job.Processed], "failed", deleted[job.Failed])
	}
}
