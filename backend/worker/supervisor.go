// Package worker runs jobs: a supervised worker that claims jobs in batches
// and completes them in batches, a rescuer that takes back jobs whose owner
// died, and a listener that turns LISTEN/NOTIFY into immediate wake-ups.
// Everything they do is recorded in a State that /health reports.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// Store is what the worker, supervisor and rescuer need from the database.
type Store interface {
	Claim(ctx context.Context, owner job.ID, limit int) ([]job.Claim, error)
	Complete(ctx context.Context, owner job.ID, outcomes []job.Outcome) (job.Completion, error)
	// CompleteAndClaim is Complete and then Claim in one transaction.
	CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error)
	Heartbeat(ctx context.Context, owner job.ID, ids []job.ID) (int64, error)
	RequeueOwnedBy(ctx context.Context, deadOwner job.ID) ([]job.Requeued, error)
	RescueExpired(ctx context.Context, limit int) ([]job.Requeued, error)
	Release(ctx context.Context, owner job.ID) (int64, error)
	CountUnfinished(ctx context.Context, ids []job.ID) (int, error)
}

// Handler does a job's work. A returned error fails the attempt.
type Handler func(ctx context.Context, c job.Claim) error

// Config configures a Supervisor. Zero values take the documented defaults.
type Config struct {
	Store  Store
	State  *State
	Logger *slog.Logger
	// Handler runs each job; nil accepts every job as processed.
	Handler Handler
	// Wake delivers "there may be new jobs" signals (notifications, rescues).
	Wake <-chan struct{}
	// PollInterval is the longest an idle worker waits before looking for
	// jobs without a wake-up.
	PollInterval time.Duration
	// Lease is the claim lease; heartbeats renew it every third of it.
	Lease time.Duration
	// BatchSize is the most jobs one claim takes. Default 100.
	BatchSize int
	// Concurrency is the most jobs in flight in one worker. Default 200.
	Concurrency int
	// FaultInjection honours fault fields in payloads.
	FaultInjection bool
	// MaxCrashes is how many crashes in a row (each worker living less than
	// CrashResetAfter) the supervisor tolerates before it gives up. Default 10.
	MaxCrashes int
	// CrashResetAfter is how long a worker must live for its crash not to
	// count towards MaxCrashes. Default 10s.
	CrashResetAfter time.Duration
}

func (c *Config) setDefaults() {
	if c.Handler == nil {
		c.Handler = func(context.Context, job.Claim) error { return nil }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 200
	}
	if c.MaxCrashes <= 0 {
		c.MaxCrashes = 10
	}
	if c.CrashResetAfter <= 0 {
		c.CrashResetAfter = 10 * time.Second
	}
	if c.Wake == nil {
		c.Wake = make(chan struct{})
	}
}

// Supervisor keeps one worker running: it restarts a worker that panics or
// returns an error, with a new boot id, and has the new worker take back its
// predecessor's jobs at once.
type Supervisor struct {
	lifecycle
	cfg Config

	bootMu   sync.Mutex
	lastBoot job.ID
}

// NewSupervisor validates cfg and returns a supervisor that has not started.
func NewSupervisor(cfg Config) (*Supervisor, error) {
	if cfg.Store == nil || cfg.State == nil {
		return nil, errors.New("worker: Store and State are required")
	}
	if cfg.PollInterval <= 0 || cfg.Lease <= 0 {
		return nil, errors.New("worker: PollInterval and Lease must be positive")
	}
	cfg.setDefaults()
	return &Supervisor{cfg: cfg}, nil
}

// Start runs the supervisor in the background until Stop or until ctx is
// cancelled (the lifecycle contract in lifecycle.go).
func (s *Supervisor) Start(ctx context.Context) { s.start(ctx, s.run) }

// Stop stops claiming, lets in-flight jobs finish until ctx expires (the
// soft stop), then cancels them (the hard stop) and hands every job still
// owned back to pending without counting the attempt.
func (s *Supervisor) Stop(ctx context.Context) error {
	if !s.stop(ctx) {
		return nil
	}
	s.bootMu.Lock()
	boot := s.lastBoot
	s.bootMu.Unlock()
	if boot.IsZero() {
		return nil
	}
	// The caller's context may already be spent on the grace period; the
	// release still deserves a moment of its own.
	releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	n, err := s.cfg.Store.Release(releaseCtx, boot)
	if err != nil {
		return fmt.Errorf("release jobs: %w", err)
	}
	if n > 0 {
		s.cfg.Logger.Info("jobs released", "count", n, "boot_id", boot.String())
	}
	return nil
}

func (s *Supervisor) run(ctx context.Context, soft <-chan struct{}) {
	var predecessor job.ID
	crashes := 0
	for {
		w := newWorker(&s.cfg, predecessor)
		s.bootMu.Lock()
		s.lastBoot = w.boot
		s.bootMu.Unlock()

		began := time.Now()
		reason, crashed := w.runGuarded(ctx, soft)
		if !crashed || ctx.Err() != nil {
			s.cfg.State.setStatus(StatusStopped)
			return
		}
		s.cfg.Logger.Error("worker exited", "boot_id", w.boot.String(), "reason", reason)
		if time.Since(began) >= s.cfg.CrashResetAfter {
			crashes = 0
		}
		crashes++
		if crashes > s.cfg.MaxCrashes {
			s.cfg.State.workerExited(reason, false)
			s.cfg.State.setStatus(StatusFailed)
			s.cfg.Logger.Error("worker failed", "crashes_in_a_row", crashes, "reason", reason)
			return
		}
		s.cfg.State.workerExited(reason, true)
		backoff := restartBackoff(crashes)
		s.cfg.Logger.Warn("worker restarting", "restart_count", s.cfg.State.Snapshot().RestartCount, "reason", reason, "backoff_ms", backoff.Milliseconds())
		if backoff > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-soft:
				t.Stop()
				s.cfg.State.setStatus(StatusStopped)
				return
			case <-ctx.Done():
				t.Stop()
				s.cfg.State.setStatus(StatusStopped)
				return
			}
		}
		predecessor = w.boot
	}
}

// restartBackoff restarts the first crash at once, so a one-off crash costs
// no latency, and slows down a crash loop so it cannot spin on the CPU.
func restartBackoff(crashesInARow int) time.Duration {
	if crashesInARow <= 1 {
		return 0
	}
	return min(50*time.Millisecond<<min(crashesInARow-2, 10), 5*time.Second)
}

// crash is the panic value the worker raises to die on purpose (fault
// injection) or to carry a handler's panic up to the supervisor.
type crash struct{ reason string }

func reasonFor(recovered any) string {
	if c, ok := recovered.(crash); ok {
		return c.reason
	}
	return fmt.Sprintf("panic: %v", recovered)
}

// runGuarded runs the worker and turns a panic or an unexpected error into
// an exit reason.
func (w *worker) runGuarded(ctx context.Context, soft <-chan struct{}) (reason string, crashed bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, deliberate := r.(crash); !deliberate {
				w.cfg.Logger.Error("worker panic", "boot_id", w.boot.String(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			}
			reason, crashed = reasonFor(r), true
		}
	}()
	if err := w.run(ctx, soft); err != nil && ctx.Err() == nil {
		return "error: " + err.Error(), true
	}
	return "", false
}
