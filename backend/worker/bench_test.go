package worker

import (
	"context"
	"encoding/binary"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// backlogStore hands out a backlog of jobs as fast as it is asked, with no
// database behind it, so a benchmark sees the worker's own cost per job:
// its goroutines, channels, held set and state, not the SQL's.
type backlogStore struct {
	memStore // the calls a drain does not make
	mu       sync.Mutex
	left     int
	next     uint64
	payload  []byte
}

func (s *backlogStore) Claim(_ context.Context, _ job.ID, limit int) ([]job.Claim, error) {
	s.mu.Lock()
	n := min(limit, s.left)
	s.left -= n
	first := s.next
	s.next += uint64(n)
	s.mu.Unlock()
	// One slice per claim, as the store makes.
	claims := make([]job.Claim, n)
	for i := range claims {
		// Distinct ids, without NewID's clock and random bits.
		var id job.ID
		binary.BigEndian.PutUint64(id[8:], first+uint64(i)+1)
		claims[i] = job.Claim{ID: id, Attempts: 1, Payload: s.payload}
	}
	return claims, nil
}

func (s *backlogStore) Complete(_ context.Context, _ job.ID, outcomes []job.Outcome) (job.Completion, error) {
	return job.Completion{Processed: len(outcomes)}, nil
}

func (s *backlogStore) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	done, _ := s.Complete(ctx, owner, outcomes)
	claims, err := s.Claim(ctx, owner, limit)
	return done, claims, err
}

// processCPU is the user + system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDrainWithoutDatabase runs b.N jobs through a worker at the
// backend's default batch size and concurrency, with a no-op handler and a
// store that answers at once: ns/op and allocs/op are per job, the part of
// a drain's CPU that is the worker's and not pgx's or Postgres's.
func BenchmarkDrainWithoutDatabase(b *testing.B) {
	store := &backlogStore{left: b.N, payload: []byte(`{"n":1}`)}
	state := NewState(time.Hour)
	sup, err := NewSupervisor(Config{
		Store: store, State: state, PollInterval: time.Hour, Lease: time.Minute,
		BatchSize: 250, Concurrency: 500,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuBefore := processCPU(b)
	sup.Start(context.Background())
	// Poll the counter sparsely: the benchmark's own goroutine competes
	// for the same cores.
	for state.Snapshot().ProcessedJobs < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	// Wall time per job depends on what else the two cores run; the
	// process's CPU time per job much less.
	b.ReportMetric(float64(processCPU(b)-cpuBefore)/float64(b.N), "cpu-ns/job")
	if err := sup.Stop(context.Background()); err != nil {
		b.Fatal(err)
	}
}
