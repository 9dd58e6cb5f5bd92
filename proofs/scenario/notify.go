package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the channel the docs say inserted jobs are announced on.
const notifyChannel = "jobs_inserted"

// notificationLog LISTENs on a channel on a connection of the harness's own
// and records when each notification arrived, by payload. Postgres delivers
// each NOTIFY sent in its own transaction separately, so the log counts the
// NOTIFYs the backends sent.
type notificationLog struct {
	conn   *pgx.Conn
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	byPayload map[string][]time.Time
	err       error
}

// ListenNotifications starts recording; it returns once the LISTEN is in
// place, so that every NOTIFY sent afterwards is recorded.
func (t *T) ListenNotifications(channel string) *notificationLog {
	ctx, cancel := context.WithCancel(t.Context())
	conn, err := pgx.Connect(ctx, t.DatabaseURL)
	if err != nil {
		cancel()
		t.Fatal("listen on %s: %v", channel, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		cancel()
		_ = conn.Close(context.Background())
		t.Fatal("listen on %s: %v", channel, err)
	}
	n := &notificationLog{conn: conn, cancel: cancel, done: make(chan struct{}), byPayload: map[string][]time.Time{}}
	go func() {
		defer close(n.done)
		for {
			got, err := conn.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() == nil {
					n.mu.Lock()
					n.err = err
					n.mu.Unlock()
				}
				return
			}
			at := time.Now()
			n.mu.Lock()
			n.byPayload[got.Payload] = append(n.byPayload[got.Payload], at)
			n.mu.Unlock()
		}
	}()
	t.Cleanup(n.stop)
	return n
}

// Received is the arrival times so far, by payload, and the error that
// ended the recording early, if any.
func (n *notificationLog) Received() (map[string][]time.Time, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string][]time.Time, len(n.byPayload))
	for p, at := range n.byPayload {
		out[p] = append([]time.Time(nil), at...)
	}
	return out, n.err
}

func (n *notificationLog) stop() {
	n.cancel()
	<-n.done
	_ = n.conn.Close(context.Background())
}

// multiNotifyBurst is how many POSTs notifyBurst releases at once: more
// than the pools of two processes (10 sessions each) can insert at once.
const multiNotifyBurst = 40

// notifyBurst posts n jobs, alternating between backends, while the proof
// holds a lock on jobs that keeps every insert waiting, then releases them
// together. Their commits, and the wake-ups they announce, then come faster
// than one per millisecond even on a loaded machine, which is when the
// documented spacing of NOTIFYs is what bounds their number.
func notifyBurst(t *T, backends []*Backend, n int) {
	t.Step(fmt.Sprintf("hold every insert behind a lock on jobs while %d POST /jobs arrive, then release them at once", n))
	notified := t.ListenNotifications(notifyChannel)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tx, err := t.DB().Begin(ctx)
	if err != nil {
		t.Fatal("lock jobs: %v", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// EXCLUSIVE conflicts with the lock an INSERT takes, not with reads.
	if _, err := tx.Exec(ctx, `LOCK TABLE jobs IN EXCLUSIVE MODE`); err != nil {
		t.Fatal("lock jobs: %v", err)
	}
	responses := make([]Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			responses[i] = backends[i%len(backends)].Send(http.MethodPost, "/jobs", fmt.Appendf(nil, `{"burst":%d}`, i), "application/json")
		})
	}
	// Every pool session a process has is then waiting (the claims wait
	// too); the POSTs past them wait for a session.
	waiting := n / 2
	t.RequireEventually("the inserts wait for the lock", fmt.Sprintf("at least %d sessions waiting for a lock on jobs", waiting), processTimeout, func() (bool, string) {
		var got int
		err := t.DB().QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'jobs'::regclass`).Scan(&got)
		return err == nil && got >= waiting, fmt.Sprintf("%d waiting (%v)", got, err)
	})
	released := time.Now()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal("release the lock on jobs: %v", err)
	}
	wg.Wait()
	created := 0
	for _, r := range responses {
		if r.Err == nil && r.Status == 201 {
			created++
		}
	}
	RequireEqual(t, "every POST of the burst is accepted (201)", n, created)
	// A process NOTIFYs from its notifier's goroutine after the insert has
	// answered, so the last notification may arrive after the last 201.
	t.RequireEventually("a NOTIFY from every process that inserted arrives", fmt.Sprintf("%d payloads", len(backends)), processTimeout, func() (bool, string) {
		received, err := notified.Received()
		return len(received) >= len(backends), fmt.Sprintf("%d payloads (%v)", len(received), err)
	})
	checkNotifySpacing(t, notified, released, len(backends))
}

// checkNotifySpacing: each sender (a payload) that inserted in a burst
// begun at start NOTIFYed at least once, and at most once per millisecond.
// A sender's NOTIFYs are each sent after start and at least 1 ms after the
// one before, and each arrives no sooner than it was sent, so k of them
// need (k-1) ms between start and the last arrival: k is at most that span
// in whole milliseconds plus one, whatever the load. senders is how many
// processes inserted.
func checkNotifySpacing(t *T, log *notificationLog, start time.Time, senders int) {
	received, err := log.Received()
	t.Check("the harness's LISTEN stayed connected through the burst", "no error", fmt.Sprint(err), err == nil || errors.Is(err, context.Canceled))
	payloads := make([]string, 0, len(received))
	for p := range received {
		payloads = append(payloads, p)
	}
	sort.Strings(payloads)
	Equal(t, "NOTIFY "+notifyChannel+": one payload per process that inserted", senders, len(payloads))
	for i, p := range payloads {
		// A notification that arrived before the burst began is not one
		// of its own.
		at := received[p]
		for len(at) > 0 && at[0].Before(start) {
			at = at[1:]
		}
		if len(at) == 0 {
			t.Check(fmt.Sprintf("NOTIFY %s of sender %d: at least one after the burst began", notifyChannel, i+1), "1 or more", "0", false)
			continue
		}
		span := at[len(at)-1].Sub(start)
		most := int(span/time.Millisecond) + 1
		t.Check(fmt.Sprintf("NOTIFY %s of sender %d: at least one, at most one per ms of the burst", notifyChannel, i+1),
			fmt.Sprintf("1 to %d (%s from the burst's start to the last NOTIFY)", most, span.Round(time.Microsecond)),
			fmt.Sprint(len(at)), len(at) >= 1 && len(at) <= most)
	}
}
