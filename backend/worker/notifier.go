package worker

import (
	"context"
	"log/slog"
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

	pending chan struct{}
}

// NewNotifier returns a notifier; Run must be running for other instances
// to hear of inserts.
func NewNotifier(n Notifier) *Notifier {
	if n.MinInterval <= 0 {
		n.MinInterval = time.Millisecond
	}
	n.pending = make(chan struct{}, 1)
	return &n
}

// JobInserted is called after an insert has committed.
func (n *Notifier) JobInserted() {
	n.WakeLocal()
	select {
	case n.pending <- struct{}{}:
	default: // a NOTIFY is already due; it covers this insert too
	}
}

// Run sends the coalesced NOTIFYs until ctx is cancelled. A failed NOTIFY is
// not retried: the other instances' polling picks the job up.
func (n *Notifier) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.pending:
		}
		sent := time.Now()
		if err := n.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, n.Origin); err != nil && ctx.Err() == nil {
			n.Logger.Debug("notify failed", "error", err.Error())
		}
		if !sleep(ctx, n.MinInterval-time.Since(sent)) {
			return
		}
	}
}
