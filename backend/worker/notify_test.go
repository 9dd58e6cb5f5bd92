package worker

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Another instance hears of an insert through NOTIFY; the inserting
// instance's own listener skips its own notification.
func TestNotifierWakesOtherInstancesOnly(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	connect := func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dbURL) }

	listen := func(origin string) (woken chan struct{}, connected chan struct{}) {
		woken, connected = make(chan struct{}, 16), make(chan struct{}, 1)
		first := true
		go (&Listener{Connect: connect, Logger: logger, Origin: origin, Wake: func() {
			if first { // the wake-up every (re)connect gives
				first = false
				connected <- struct{}{}
				return
			}
			woken <- struct{}{}
		}}).Run(ctx)
		return woken, connected
	}
	selfWoken, selfUp := listen("instance-a")
	otherWoken, otherUp := listen("instance-b")
	for _, up := range []chan struct{}{selfUp, otherUp} {
		select {
		case <-up:
		case <-time.After(10 * time.Second):
			t.Fatal("listener never connected")
		}
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	localWakes := make(chan struct{}, 16)
	n := NewNotifier(Notifier{
		Origin:    "instance-a",
		WakeLocal: func() { localWakes <- struct{}{} },
		Exec: func(ctx context.Context, sql string, args ...any) error {
			_, err := conn.Exec(ctx, sql, args...)
			return err
		},
		Logger: logger,
	})
	notifierDone := make(chan struct{})
	go func() { defer close(notifierDone); n.Run(ctx) }()
	defer func() {
		cancel()
		<-notifierDone
		conn.Close(context.Background())
	}()
	n.JobInserted()

	select {
	case <-localWakes:
	default:
		t.Fatal("JobInserted did not wake the local worker at once")
	}
	select {
	case <-otherWoken:
	case <-time.After(5 * time.Second):
		t.Fatal("the other instance was not woken by NOTIFY")
	}
	// The other listener has received the notification, so the inserting
	// instance's listener has had it too: it must not have woken for it.
	select {
	case <-selfWoken:
		t.Fatal("the inserting instance woke on its own notification")
	case <-time.After(50 * time.Millisecond):
	}
}
