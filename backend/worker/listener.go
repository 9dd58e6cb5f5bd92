package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// NotifyChannel is the channel inserted jobs are announced on. Producers
// that insert rows into jobs directly can NOTIFY it too; otherwise their jobs
// are picked up within one poll interval.
const NotifyChannel = "jobs_inserted"

// Listener holds one dedicated connection LISTENing for inserts and turns
// each notification into a wake-up. While it is disconnected, workers fall
// back to polling; on reconnect it wakes them once, for inserts it missed.
type Listener struct {
	lifecycle
	Connect func(ctx context.Context) (*pgx.Conn, error)
	Logger  *slog.Logger
	Wake    func()
	// Origin is this process's notification payload; its own notifications
	// are skipped, since the Notifier already woke the worker in memory.
	Origin string
	// Heard, if set, is called with each notification's payload once it has
	// been handled: how a test knows a notification was seen, and so can
	// check that one did not wake the worker.
	Heard func(payload string)
}

// Start listens in the background until Stop (the lifecycle contract in
// lifecycle.go).
func (l *Listener) Start(ctx context.Context) { l.start(ctx, cancelledBySoft(l.run)) }

// Stop closes the listening connection.
func (l *Listener) Stop(ctx context.Context) error {
	l.stop(ctx)
	return nil
}

func (l *Listener) run(ctx context.Context) {
	lost := false
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := l.listen(ctx, func() {
			attempt = 0
			if lost {
				lost = false
				l.Logger.Info("notification listener connected")
			}
		})
		if ctx.Err() != nil {
			return
		}
		if !lost {
			lost = true
			l.Logger.Warn("notification listener lost", "error", err.Error())
		}
		sleep(ctx, min(100*time.Millisecond<<min(attempt, 5), 3*time.Second))
	}
}

func (l *Listener) listen(ctx context.Context, connected func()) error {
	conn, err := l.Connect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return err
	}
	connected()
	l.Wake()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if l.Origin == "" || n.Payload != l.Origin {
			l.Wake()
		}
		if l.Heard != nil {
			l.Heard(n.Payload)
		}
	}
}
