package worker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ServiceConfig configures a Service.
type ServiceConfig struct {
	// Worker configures the supervised worker. Its Wake is set by the
	// Service, which owns the wake-up channel.
	Worker Config
	// Listen opens the dedicated connection notifications arrive on.
	Listen func(ctx context.Context) (*pgx.Conn, error)
	// Exec runs a statement on the pool; the notifier sends NOTIFY with it.
	Exec func(ctx context.Context, sql string, args ...any) error
	// Origin identifies this process in notification payloads.
	Origin string
	// Retention deletes finished jobs; the zero value keeps them forever.
	Retention Retention
}

// Service owns the backend's background machinery: the wake-up channel and
// the parts that feed and drain it — the supervised worker, the rescuer,
// the notification listener and the notifier — and the retention sweeper. It starts and stops them as
// one, under the lifecycle contract every part shares (lifecycle.go).
type Service struct {
	wake       chan struct{}
	supervisor *Supervisor
	notifier   *Notifier
	// background are the parts stopped after the supervisor has drained;
	// they keep waking it and rescuing jobs while it does.
	background []part
}

// windowCheck is how often the rescuer rechecks an open recovery window.
const windowCheck = 100 * time.Millisecond

// part is what the Service needs of each background part.
type part interface {
	Start(ctx context.Context)
	Stop(ctx context.Context) error
}

var (
	_ part = (*Supervisor)(nil)
	_ part = (*Rescuer)(nil)
	_ part = (*Listener)(nil)
	_ part = (*Notifier)(nil)
	_ part = (*sweeper)(nil)
	_ part = (*Service)(nil)
)

// NewService validates cfg and builds the parts; nothing runs until Start.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Listen == nil || cfg.Exec == nil {
		return nil, errors.New("worker: Listen and Exec are required")
	}
	s := &Service{wake: make(chan struct{}, 1)}
	cfg.Worker.Wake = s.wake
	sup, err := NewSupervisor(cfg.Worker)
	if err != nil {
		return nil, err
	}
	s.supervisor = sup
	logger := sup.cfg.Logger
	s.notifier = &Notifier{Origin: cfg.Origin, WakeLocal: s.Wake, Exec: cfg.Exec, Logger: logger}
	s.background = []part{
		&Rescuer{
			Store:       cfg.Worker.Store,
			State:       cfg.Worker.State,
			Logger:      logger,
			Interval:    RescueInterval(cfg.Worker.Lease),
			WindowCheck: windowCheck,
			Wake:        s.Wake,
		},
		&Listener{Connect: cfg.Listen, Logger: logger, Wake: s.Wake, Origin: cfg.Origin},
		s.notifier,
	}
	if cfg.Retention.enabled() {
		s.background = append(s.background, newSweeper(cfg.Retention, cfg.Worker.State, logger))
	}
	return s, nil
}

// Wake tells the worker there may be jobs to claim; wake-ups that arrive
// while one is pending fold into it.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// JobInserted is called after an insert has committed: it wakes this
// process's worker at once and tells the other instances.
func (s *Service) JobInserted() { s.notifier.JobInserted() }

// Alive reports whether the supervisor is still running (false once it gave
// up on a crash loop, or stopped).
func (s *Service) Alive() bool {
	select {
	case <-s.supervisor.Done():
		return false
	default:
		return true
	}
}

// Start starts every part. Cancelling ctx stops them hard. A second Start
// is a no-op, as it is for each part.
func (s *Service) Start(ctx context.Context) {
	for _, p := range s.background {
		p.Start(ctx)
	}
	s.supervisor.Start(ctx)
}

// Stop stops the supervisor first — it stops claiming, drains in-flight
// jobs until ctx ends and releases the rest — while the other parts keep
// running for it, then stops them. Stop before Start returns at once; a
// second Stop waits for the first to finish.
func (s *Service) Stop(ctx context.Context) error {
	err := s.supervisor.Stop(ctx)
	var wg sync.WaitGroup
	errs := make([]error, len(s.background))
	for i, p := range s.background {
		wg.Go(func() { errs[i] = p.Stop(ctx) })
	}
	wg.Wait()
	return errors.Join(append([]error{err}, errs...)...)
}
