package worker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// instance is one listener as a test sees it: how often it woke the worker
// (beyond the wake-up every connect gives) and what it heard, in order.
type instance struct {
	mu        sync.Mutex
	connected bool
	wakes     int
	heard     []string
	wakesAt   []int // wakes as they stood when each notification was handled
}

func (in *instance) snapshot() (connected bool, wakes int, heard []string, wakesAt []int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.connected, in.wakes, slices.Clone(in.heard), slices.Clone(in.wakesAt)
}

func startListener(t *testing.T, dbURL, origin string) *instance {
	t.Helper()
	in := &instance{}
	l := &Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dbURL) },
		Logger:  slog.New(slog.DiscardHandler),
		Origin:  origin,
		Wake: func() {
			in.mu.Lock()
			defer in.mu.Unlock()
			if !in.connected {
				in.connected = true // the wake-up every (re)connect gives
				return
			}
			in.wakes++
		},
		Heard: func(payload string) {
			in.mu.Lock()
			defer in.mu.Unlock()
			in.heard = append(in.heard, payload)
			in.wakesAt = append(in.wakesAt, in.wakes)
		},
	}
	l.Start(context.Background())
	t.Cleanup(func() { _ = l.Stop(context.Background()) })
	await.Until(t, 10*time.Second, origin+" listener connected", func() (bool, string) {
		connected, _, _, _ := in.snapshot()
		return connected, "not connected"
	})
	return in
}

// Another instance hears of an insert through NOTIFY; the inserting
// instance's own listener hears it too but does not wake for it. The
// negative is proven by order, not by watching a quiet window: Postgres
// delivers notifications to a listener in commit order, so once instance a
// has handled a later marker notification it has handled its own one, and
// the wake-ups it had counted by then show whether that one woke it.
func TestNotifierWakesOtherInstancesOnly(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	self := startListener(t, dbURL, "instance-a")
	other := startListener(t, dbURL, "instance-b")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	var localWakes int
	n := &Notifier{
		Origin:    "instance-a",
		WakeLocal: func() { localWakes++ },
		Exec: func(ctx context.Context, sql string, args ...any) error {
			_, err := conn.Exec(ctx, sql, args...)
			return err
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	n.Start(ctx)
	t.Cleanup(func() { _ = n.Stop(context.Background()) })

	n.JobInserted()
	if localWakes != 1 {
		t.Fatalf("JobInserted woke the local worker %d times, want once, at once", localWakes)
	}
	await.Until(t, 10*time.Second, "instance b woken by NOTIFY", func() (bool, string) {
		_, wakes, heard, _ := other.snapshot()
		return wakes == 1, fmt.Sprintf("wakes %d, heard %q", wakes, heard)
	})

	// The marker comes from a connection of its own: a pgx.Conn is not for
	// two goroutines, and the notifier's is the notifier's.
	markerConn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { markerConn.Close(context.Background()) })
	if _, err := markerConn.Exec(ctx, `SELECT pg_notify($1, 'marker')`, NotifyChannel); err != nil {
		t.Fatal(err)
	}
	await.Until(t, 10*time.Second, "instance a handled the marker", func() (bool, string) {
		_, _, heard, _ := self.snapshot()
		return slices.Contains(heard, "marker"), fmt.Sprintf("heard %q", heard)
	})
	_, wakes, heard, wakesAt := self.snapshot()
	if !slices.Equal(heard, []string{"instance-a", "marker"}) {
		t.Fatalf("instance a heard %q, want its own notification, then the marker", heard)
	}
	if wakesAt[0] != 0 || wakesAt[1] != 1 || wakes != 1 {
		t.Fatalf("instance a woke %v times by each notification (total %d): it must wake for the marker only", wakesAt, wakes)
	}
}
