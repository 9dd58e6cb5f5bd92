package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Notifier announces inserted jobs. It wakes this process's worker at once,
// in memory, and tells the other instances with NOTIFY, coalesced: at most
// one NOTIFY per MinInterval, sent outside the inserting transaction.
// A NOTIFY inside the insert (a trigger) would make every insert's commit
// take Postgres's global notification lock, serialising concurrent POSTs.
type Notifier struct {
	// Origin identifies this process in the notification payload, so its
	// own listener can skip what it already knows.
	Origin string
	// WakeLocal wakes this process's worker.
	WakeLocal func()
	// Exec runs a statement; the app passes its pool's Exec.
	Exec func(ctx context.Context, sql string, args ...any) error
	// MinInterval spaces NOTIFYs under load. Default 1ms.
	MinInterval time.Duration
	Logger      *slog.Logger

	lifecycle
	pendingOnce sync.Once
	pending     chan struct{}
}

// due is the one-slot queue of NOTIFYs owed to the other instances.
func (n *Notifier) due() chan struct{} {
	n.pendingOnce.Do(func() { n.pending = make(chan struct{}, 1) })
	return n.pending
}

// JobInserted is called after an insert has committed. Other instances hear
// of it only while the notifier is started.
func (n *Notifier) JobInserted() {
	n.WakeLocal()
	select {
	case n.due() <- struct{}{}:
	default: // a NOTIFY is already due; it covers this insert too
	}
}

// Start sends the coalesced NOTIFYs in the background until Stop (the
// lifecycle contract in lifecycle.go).
func (n *Notifier) Start(ctx context.Context) { n.start(ctx, cancelledBySoft(n.run)) }

// Stop stops sending; a NOTIFY still due is dropped, and the other
// instances' polling picks its job up.
func (n *Notifier) Stop(ctx context.Context) error {
	n.stop(ctx)
	return nil
}

// run sends the coalesced NOTIFYs. A failed NOTIFY is not retried: the other
// instances' polling picks the job up.
func (n *Notifier) run(ctx context.Context) {
	interval := n.MinInterval
	if interval <= 0 {
		interval = time.Millisecond
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.due():
		}
		sent := time.Now()
		if err := n.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, n.Origin); err != nil && ctx.Err() == nil {
			n.Logger.Debug("notify failed", "error", err.Error())
		}
		if !sleep(ctx, interval-time.Since(sent)) {
			return
		}
	}
}
