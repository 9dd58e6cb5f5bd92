package worker

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

func TestRetentionInterval(t *testing.T) {
	for retention, want := range map[time.Duration]time.Duration{
		time.Second:       500 * time.Millisecond, // never more than twice a second
		8 * time.Second:   2 * time.Second,        // a quarter of the retention
		time.Hour:         time.Minute,            // at most a minute late
		24 * time.Hour:    time.Minute,
		100 * time.Second: 25 * time.Second,
	} {
		if got := RetentionInterval(retention); got != want {
			t.Errorf("RetentionInterval(%s) = %s, want %s", retention, got, want)
		}
	}
}

// fakeRetentionStore deletes from a count of old jobs per status, a batch
// at a time, unless busy says another instance holds the lock.
type fakeRetentionStore struct {
	mu    sync.Mutex
	old   map[job.Status]int
	busy  bool
	calls []job.Status
}

func (f *fakeRetentionStore) DeleteFinished(_ context.Context, status job.Status, _ time.Duration, limit int) (int, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, status)
	if f.busy {
		return 0, true, nil
	}
	n := min(f.old[status], limit)
	f.old[status] -= n
	return n, false, nil
}

func TestSweepDeletesInBatchesAndRecordsOnlySweepsItRan(t *testing.T) {
	store := &fakeRetentionStore{old: map[job.Status]int{job.Processed: 25, job.Failed: 3}}
	st := NewState(time.Second)
	s := newSweeper(Retention{Store: store, Processed: time.Hour, BatchSize: 10}, st, slog.New(slog.DiscardHandler))

	s.sweep(context.Background())
	snap := st.Snapshot()
	if store.old[job.Processed] != 0 || snap.LastCleanupCount != 25 || snap.CleanedJobs != 25 || snap.LastCleanupAt == nil {
		t.Fatalf("after one sweep: left %v, snapshot %+v", store.old, snap)
	}
	if store.old[job.Failed] != 3 {
		t.Fatal("failed jobs deleted although their retention is 0 (keep forever)")
	}
	if len(store.calls) != 3 { // 10, 10, 5: a short batch ends the sweep
		t.Fatalf("%d batches, want 3", len(store.calls))
	}

	store.busy = true
	before := *st.Snapshot().LastCleanupAt
	s.sweep(context.Background())
	if snap := st.Snapshot(); !snap.LastCleanupAt.Equal(before) || snap.CleanedJobs != 25 {
		t.Fatalf("a sweep that found the lock taken was recorded: %+v", snap)
	}
}
