package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/internal/await"
)

// memStore is an in-memory Store with the same guards as the SQL: enough to
// test the supervisor's contract without a database.
type memStore struct {
	mu   sync.Mutex
	jobs map[job.ID]*memJob
}

type memJob struct {
	status   job.Status
	attempts int
	owner    job.ID
	payload  []byte
}

func newMemStore(payloads ...string) *memStore {
	s := &memStore{jobs: map[job.ID]*memJob{}}
	for _, p := range payloads {
		s.jobs[job.NewID()] = &memJob{status: job.Pending, payload: []byte(p)}
	}
	return s
}

func (s *memStore) Claim(_ context.Context, owner job.ID, limit int) ([]job.Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []job.Claim
	for id, j := range s.jobs {
		if len(out) == limit {
			break
		}
		if j.status == job.Pending {
			j.status, j.owner = job.Processing, owner
			j.attempts++
			out = append(out, job.Claim{ID: id, Attempts: j.attempts, Payload: j.payload})
		}
	}
	return out, nil
}

func (s *memStore) Complete(_ context.Context, owner job.ID, outcomes []job.Outcome) (job.Completion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c job.Completion
	for _, o := range outcomes {
		j := s.jobs[o.ID]
		if j == nil || j.status != job.Processing || j.owner != owner || j.attempts != o.Attempts {
			c.Stale++
			continue
		}
		j.status, j.owner = job.Processed, job.ID{}
		c.Processed++
	}
	return c, nil
}

// CompleteAndClaim completes, then claims; the database does both in one
// transaction, so no one sees the state in between.
func (s *memStore) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	c, err := s.Complete(ctx, owner, outcomes)
	if err != nil {
		return c, nil, err
	}
	claims, err := s.Claim(ctx, owner, limit)
	return c, claims, err
}

func (s *memStore) Heartbeat(context.Context, job.ID, []job.ID) (int64, error) { return 0, nil }

func (s *memStore) RequeueOwnedBy(_ context.Context, dead job.ID) ([]job.Requeued, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []job.Requeued
	for id, j := range s.jobs {
		if j.status == job.Processing && j.owner == dead {
			j.status, j.owner = job.Pending, job.ID{}
			out = append(out, job.Requeued{ID: id})
		}
	}
	return out, nil
}

func (s *memStore) RescueExpired(context.Context, int) ([]job.Requeued, error) { return nil, nil }

func (s *memStore) Release(_ context.Context, owner job.ID) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, j := range s.jobs {
		if j.status == job.Processing && j.owner == owner {
			j.status, j.owner = job.Pending, job.ID{}
			j.attempts--
			n++
		}
	}
	return n, nil
}

func (s *memStore) CountUnfinished(_ context.Context, ids []job.ID) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range ids {
		if j := s.jobs[id]; j != nil && (j.status == job.Pending || j.status == job.Processing) {
			n++
		}
	}
	return n, nil
}

func (s *memStore) statuses() map[job.Status]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[job.Status]int{}
	for _, j := range s.jobs {
		out[j.status]++
	}
	return out
}

func setup(t *testing.T, store Store, tweak func(*Config)) (*Supervisor, *State) {
	t.Helper()
	st := NewState(20 * time.Millisecond)
	cfg := Config{Store: store, State: st, Logger: slog.New(slog.DiscardHandler), PollInterval: 20 * time.Millisecond, Lease: time.Second}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := NewSupervisor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s, st
}

func TestStopBeforeStartAndTwice(t *testing.T) {
	s, _ := setup(t, newMemStore(), nil)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("stop before start: %v", err)
	}
	s.Start(context.Background())
	s.Start(context.Background()) // no-op
	for range 2 {
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
}

func TestSupervisorGivesUpOnACrashLoop(t *testing.T) {
	store := newMemStore(`{}`)
	s, st := setup(t, store, func(c *Config) {
		c.MaxCrashes = 2
		c.Handler = func(context.Context, job.Claim) error { panic("poison job") }
	})
	s.Start(context.Background())
	await.Until(t, 5*time.Second, "worker failed", func() (bool, string) { return st.Snapshot().Status == StatusFailed, fmt.Sprintf("%+v", st.Snapshot()) })
	snap := st.Snapshot()
	if snap.RestartCount != 2 || snap.LastExitReason == nil || !strings.Contains(*snap.LastExitReason, "poison job") {
		t.Fatalf("snapshot %+v", snap)
	}
	if snap.RecoveredJobs < 2 {
		t.Fatalf("each restart should have taken the job back: recovered %d", snap.RecoveredJobs)
	}
}

func TestSoftStopFinishesInFlightJobs(t *testing.T) {
	store := newMemStore(`{}`, `{}`, `{}`)
	release := make(chan struct{})
	started := make(chan struct{}, 3)
	s, st := setup(t, store, func(c *Config) {
		c.Handler = func(ctx context.Context, _ job.Claim) error {
			started <- struct{}{}
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	s.Start(context.Background())
	for range 3 {
		<-started
	}
	// All three handlers are in flight and stay so until release: the
	// soft stop must begin while they run, and wait for them.
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	select {
	case <-s.soft: // Stop has begun the soft stop
	case <-time.After(10 * time.Second):
		t.Fatal("Stop never began the soft stop")
	}
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while three handlers were still running", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if got := store.statuses(); got[job.Processed] != 3 {
		t.Fatalf("statuses after soft stop %v, want 3 processed", got)
	}
	if st.Snapshot().ProcessedJobs != 3 || st.Snapshot().Status != StatusStopped {
		t.Fatalf("state %+v", st.Snapshot())
	}
}

func TestHardStopReleasesHeldJobs(t *testing.T) {
	store := newMemStore(`{}`)
	held := make(chan struct{}, 1)
	s, _ := setup(t, store, func(c *Config) {
		c.Handler = func(ctx context.Context, _ job.Claim) error {
			held <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}
	})
	s.Start(context.Background())
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := store.statuses(); got[job.Pending] != 1 {
		t.Fatalf("statuses %v, want the held job pending again", got)
	}
}

func TestNewSupervisorValidates(t *testing.T) {
	if _, err := NewSupervisor(Config{}); err == nil {
		t.Fatal("accepted an empty config")
	}
	_, err := NewSupervisor(Config{Store: newMemStore(), State: NewState(time.Second)})
	if err == nil {
		t.Fatal("accepted a zero poll interval")
	}
}

// flakyStore fails its first claims and completions as an unreachable
// database would; the worker must retry both and lose nothing.
type flakyStore struct {
	*memStore
	claimFailures, completeFailures atomic.Int32
}

func (f *flakyStore) Claim(ctx context.Context, owner job.ID, limit int) ([]job.Claim, error) {
	if f.claimFailures.Add(-1) >= 0 {
		return nil, fmt.Errorf("claim: %w", job.ErrUnavailable)
	}
	return f.memStore.Claim(ctx, owner, limit)
}

func (f *flakyStore) Complete(ctx context.Context, owner job.ID, outcomes []job.Outcome) (job.Completion, error) {
	if f.completeFailures.Add(-1) >= 0 {
		return job.Completion{}, fmt.Errorf("complete: %w", job.ErrUnavailable)
	}
	return f.memStore.Complete(ctx, owner, outcomes)
}

func (f *flakyStore) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	if f.completeFailures.Add(-1) >= 0 {
		return job.Completion{}, nil, fmt.Errorf("complete and claim: %w", job.ErrUnavailable)
	}
	return f.memStore.CompleteAndClaim(ctx, owner, outcomes, limit)
}

func TestOutageDuringClaimsAndCompletionsLosesNothing(t *testing.T) {
	store := &flakyStore{memStore: newMemStore(`{}`, `{}`, `{}`, `{}`, `{}`)}
	store.claimFailures.Store(3)
	store.completeFailures.Store(3)
	s, st := setup(t, store, nil)
	s.Start(context.Background())
	// Counted in the state once the store has taken the completion: wait
	// for both (as TestBusyWorkerClaimsAlongWithItsCompletions), then ask
	// for no overcount.
	await.Until(t, 5*time.Second, "every job processed and counted", func() (bool, string) {
		return store.statuses()[job.Processed] == 5 && st.Snapshot().ProcessedJobs >= 5,
			fmt.Sprint(store.statuses(), " processed_jobs ", st.Snapshot().ProcessedJobs)
	})
	if got := st.Snapshot().ProcessedJobs; got != 5 {
		t.Fatalf("processed_jobs = %d, want 5", got)
	}
	if st.Snapshot().LastError == nil {
		t.Fatal("the outage left no last_error")
	}
}

// outageOnCompletionStore fails its first completion as an unreachable
// database would and, in that outage, takes a job nobody wakes the worker
// for (a POST /jobs while the listener is down).
type outageOnCompletionStore struct {
	*memStore
	failed atomic.Bool
}

func (o *outageOnCompletionStore) Complete(ctx context.Context, owner job.ID, outcomes []job.Outcome) (job.Completion, error) {
	if o.failed.CompareAndSwap(false, true) {
		o.mu.Lock()
		o.jobs[job.NewID()] = &memJob{status: job.Pending, payload: []byte(`{}`)}
		o.mu.Unlock()
		return job.Completion{}, fmt.Errorf("complete: %w", job.ErrUnavailable)
	}
	return o.memStore.Complete(ctx, owner, outcomes)
}

func (o *outageOnCompletionStore) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	c, err := o.Complete(ctx, owner, outcomes)
	if err != nil {
		return c, nil, err
	}
	claims, err := o.Claim(ctx, owner, limit)
	return c, claims, err
}

// An outage first seen by a completion writer shortens the claim loop's
// poll at once: the loop must not sleep out a poll armed before the
// outage (here ten minutes) while a job that came in unwoken waits.
func TestOutageSeenByACompletionShortensTheClaimLoopsPoll(t *testing.T) {
	store := &outageOnCompletionStore{memStore: newMemStore(`{}`)}
	s, _ := setup(t, store, func(c *Config) { c.PollInterval = 10 * time.Minute })
	s.Start(context.Background())
	await.Until(t, 10*time.Second, "the job taken in the outage processed", func() (bool, string) {
		return store.statuses()[job.Processed] == 2, fmt.Sprint(store.statuses())
	})
}

// countingStore counts the claims a worker makes on its own and those
// that ride on a completion.
type countingStore struct {
	*memStore
	claims, carried, carriedJobs atomic.Int64
}

func (c *countingStore) Claim(ctx context.Context, owner job.ID, limit int) ([]job.Claim, error) {
	c.claims.Add(1)
	return c.memStore.Claim(ctx, owner, limit)
}

func (c *countingStore) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	done, claims, err := c.memStore.CompleteAndClaim(ctx, owner, outcomes, limit)
	c.carried.Add(1)
	c.carriedJobs.Add(int64(len(claims)))
	return done, claims, err
}

// TestBusyWorkerClaimsAlongWithItsCompletions: while a backlog waits, the
// next batch rides on the completion of the last one, so most claims cost
// no round trip and no commit of their own; every job still runs once.
func TestBusyWorkerClaimsAlongWithItsCompletions(t *testing.T) {
	const jobs = 2000
	payloads := make([]string, jobs)
	for i := range payloads {
		payloads[i] = `{}`
	}
	store := &countingStore{memStore: newMemStore(payloads...)}
	var runs atomic.Int64
	s, st := setup(t, store, func(c *Config) {
		c.BatchSize, c.Concurrency = 10, 20
		c.Handler = func(context.Context, job.Claim) error { runs.Add(1); return nil }
	})
	s.Start(context.Background())
	// The worker counts a batch in its state once the store has taken
	// its completion: wait for both, then ask that neither overcounts.
	await.Until(t, 20*time.Second, "every job processed and counted", func() (bool, string) {
		return store.statuses()[job.Processed] == jobs && st.Snapshot().ProcessedJobs >= jobs,
			fmt.Sprint(store.statuses(), " processed_jobs ", st.Snapshot().ProcessedJobs)
	})
	if got := st.Snapshot().ProcessedJobs; got != jobs || runs.Load() != jobs {
		t.Fatalf("processed_jobs = %d, handler runs %d, want %d each", got, runs.Load(), jobs)
	}
	own, carried := store.claims.Load(), store.carriedJobs.Load()
	if carried < jobs/2 {
		t.Fatalf("%d jobs claimed along with completions (%d statements), %d claims on their own: want most jobs claimed along", carried, store.carried.Load(), own)
	}
	t.Logf("%d own claims; %d completions carried %d jobs", own, store.carried.Load(), carried)
}

// serverStore models what a database does with a statement whose caller
// gave up: while held is set, a claim's statement runs on its own
// ("server side") and takes its jobs when released, whether or not the
// caller is still waiting for the answer.
type serverStore struct {
	*memStore
	held      atomic.Bool
	inFlight  chan struct{}
	release   chan struct{}
	requeued  chan struct{}
	requeueMu sync.Once
}

func (s *serverStore) Claim(ctx context.Context, owner job.ID, limit int) ([]job.Claim, error) {
	if !s.held.Load() {
		return s.memStore.Claim(ctx, owner, limit)
	}
	type answer struct {
		claims []job.Claim
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		<-s.release
		claims, err := s.memStore.Claim(context.Background(), owner, limit)
		answered <- answer{claims, err}
	}()
	s.inFlight <- struct{}{}
	select {
	case a := <-answered:
		return a.claims, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *serverStore) RequeueOwnedBy(ctx context.Context, dead job.ID) ([]job.Requeued, error) {
	s.requeueMu.Do(func() { close(s.requeued) })
	return s.memStore.RequeueOwnedBy(ctx, dead)
}

// A worker that crashes while one of its claims is still running in the
// database must not leave that claim's jobs to the dead worker: its
// successor takes back every job the predecessor owned, including the
// ones that claim takes after the crash.
func TestCrashDuringAClaimLeavesNoJobToTheDeadWorker(t *testing.T) {
	store := &serverStore{memStore: newMemStore(`"crash"`), inFlight: make(chan struct{}, 1), release: make(chan struct{}), requeued: make(chan struct{})}
	crash, running := make(chan struct{}), make(chan struct{})
	var crashed atomic.Bool
	s, st := setup(t, store, func(c *Config) {
		c.Concurrency, c.BatchSize = 4, 1
		c.Handler = func(_ context.Context, cl job.Claim) error {
			if string(cl.Payload) == `"crash"` && crashed.CompareAndSwap(false, true) {
				close(running)
				<-crash
				panic("crash while a claim runs")
			}
			return nil
		}
	})
	s.Start(context.Background())
	select {
	case <-running:
	case <-time.After(5 * time.Second):
		t.Fatal("the first job never ran")
	}
	// The next claim, for a job posted now, stays in the database until
	// released.
	store.held.Store(true)
	store.mu.Lock()
	late := job.NewID()
	store.jobs[late] = &memJob{status: job.Pending, payload: []byte(`{}`)}
	store.mu.Unlock()
	select {
	case <-store.inFlight:
	case <-time.After(5 * time.Second):
		t.Fatal("no claim was sent")
	}
	close(crash)
	// The statement finishes once the successor took back the
	// predecessor's jobs, or after a while if no successor starts before
	// the predecessor's claims are answered.
	select {
	case <-store.requeued:
	case <-time.After(300 * time.Millisecond):
	}
	store.held.Store(false)
	close(store.release)
	await.Until(t, 5*time.Second, "both jobs processed", func() (bool, string) {
		got := store.statuses()
		return got[job.Processed] == 2, fmt.Sprintf("%v, restarts %d", got, st.Snapshot().RestartCount)
	})
}

// A job taken back with no attempts left is marked failed by this process:
// failed_jobs counts it, recovered_jobs does not.
func TestTakeBackOnTheLastAttemptCountsAFailedJob(t *testing.T) {
	st := NewState(time.Second)
	recordRecovery(st, slog.New(slog.DiscardHandler), SourcePredecessor, []job.Requeued{
		{ID: job.NewID()}, {ID: job.NewID(), Failed: true},
	})
	s := st.Snapshot()
	if s.FailedJobs != 1 || s.RecoveredJobs != 1 {
		t.Fatalf("failed_jobs=%d recovered_jobs=%d, want 1 and 1", s.FailedJobs, s.RecoveredJobs)
	}
}

// TestANextAttemptStaysHeld: the round that writes a failed attempt's
// outcome can claim the job again (Store.CompleteAndClaim), and the claim
// loop may hand that next attempt over before the round's writer lets go
// of the job: the next attempt must stay among the jobs the heartbeat
// keeps leased, or a long second attempt would lose its lease while it
// runs.
func TestANextAttemptStaysHeld(t *testing.T) {
	w := newWorker(&Config{}, job.ID{})
	id := job.NewID()
	w.hold([]job.Claim{{ID: id, Attempts: 1}})
	w.hold([]job.Claim{{ID: id, Attempts: 2}}) // handed over by the same round
	w.letGo([]job.Outcome{{ID: id, Attempts: 1}})
	if got := w.heldIDs(); len(got) != 1 || got[0] != id {
		t.Fatalf("held after the first attempt's outcome was written: %v, want the job's next attempt", got)
	}
	w.letGo([]job.Outcome{{ID: id, Attempts: 2}})
	if got := w.heldIDs(); len(got) != 0 {
		t.Fatalf("held after the second attempt's outcome was written: %v, want none", got)
	}
}
