package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/postgres/query"
	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func setup(t testing.TB, opts Options) (*Store, *pgxpool.Pool) {
	t.Helper()
	dbURL := pgtest.NewMigratedDatabase(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if opts.Lease == 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 5
	}
	return New(pool, opts), pool
}

func insertN(t *testing.T, s *Store, n int) []job.ID {
	t.Helper()
	ids := make([]job.ID, n)
	for i := range ids {
		j, _, err := s.Insert(context.Background(), json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), "")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = j.ID
	}
	return ids
}

// claimLedger records which owner claimed each job, for racing claimers:
// a job claimed a second time is an error.
type claimLedger struct {
	mu    sync.Mutex
	owner map[job.ID]job.ID
}

func (l *claimLedger) take(owner job.ID, claims []job.Claim) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.owner == nil {
		l.owner = map[job.ID]job.ID{}
	}
	for _, c := range claims {
		if prev, dup := l.owner[c.ID]; dup {
			return fmt.Errorf("job %s claimed by %s and %s", c.ID, prev, owner)
		}
		l.owner[c.ID] = owner
	}
	return nil
}

func (l *claimLedger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.owner)
}

func TestConcurrentClaimersTakeEachJobExactlyOnce(t *testing.T) {
	s, pool := setup(t, Options{})
	const jobs, claimers = 500, 4
	insertN(t, s, jobs)

	var seen claimLedger
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for range claimers {
		owner := job.NewID()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				claims, err := s.Claim(context.Background(), owner, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(claims) == 0 {
					return
				}
				if err := seen.take(owner, claims); err != nil {
					errs <- err
					return
				}
				outcomes := make([]job.Outcome, len(claims))
				for i, c := range claims {
					outcomes[i] = job.Outcome{ID: c.ID, Attempts: c.Attempts}
				}
				done, err := s.Complete(context.Background(), owner, outcomes)
				if err != nil || done.Processed != len(claims) {
					errs <- fmt.Errorf("complete: %+v, %v", done, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if seen.len() != jobs {
		t.Fatalf("claimed %d distinct jobs, want %d", seen.len(), jobs)
	}
	var processed, onceOnly int
	err := pool.QueryRow(context.Background(),
		`SELECT count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE attempts = 1) FROM jobs`).Scan(&processed, &onceOnly)
	if err != nil {
		t.Fatal(err)
	}
	if processed != jobs || onceOnly != jobs {
		t.Fatalf("processed=%d attempts1=%d, want %d each", processed, onceOnly, jobs)
	}
}

// A live owner's heartbeat keeps the leases of the jobs it names, and of
// no other: a job it owns without knowing (a claim that committed after
// its connection was lost) is rescued like a dead owner's.
func TestRescuerNeverRequeuesALiveLease(t *testing.T) {
	s, pool := setup(t, Options{Lease: 300 * time.Millisecond})
	ctx := context.Background()
	insertN(t, s, 3)
	alive, dead := job.NewID(), job.NewID()
	aliveClaims, err := s.Claim(ctx, alive, 2)
	if err != nil || len(aliveClaims) != 2 {
		t.Fatalf("claim: %v %v", aliveClaims, err)
	}
	held, unknown := aliveClaims[0].ID, aliveClaims[1].ID
	deadClaims, err := s.Claim(ctx, dead, 1)
	if err != nil || len(deadClaims) != 1 {
		t.Fatalf("claim: %v %v", deadClaims, err)
	}
	// Keep one owner heartbeating its held job well inside its lease while
	// the other leases expire; sweep until both are rescued.
	rescued := map[job.ID]bool{}
	await.Until(t, 5*time.Second, "the expired leases rescued", func() (bool, string) {
		if n, err := s.Heartbeat(ctx, alive, []job.ID{held}); err != nil || n != 1 {
			t.Fatalf("heartbeat: %d %v", n, err)
		}
		got, err := s.RescueExpired(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.Failed {
				t.Fatalf("rescued %+v failed", r)
			}
			rescued[r.ID] = true
		}
		return len(rescued) >= 2, fmt.Sprintf("%d rescued", len(rescued))
	})
	if len(rescued) != 2 || !rescued[deadClaims[0].ID] || !rescued[unknown] {
		t.Fatalf("rescued %v, want the dead owner's job %s and the unnamed job %s", rescued, deadClaims[0].ID, unknown)
	}
	var heldStatus string
	if err := pool.QueryRow(ctx, `SELECT status FROM jobs WHERE id = $1`, held).Scan(&heldStatus); err != nil || heldStatus != "processing" {
		t.Fatalf("held job: %q %v", heldStatus, err)
	}
}

func TestLateCompletionAfterRequeueCannotDoubleComplete(t *testing.T) {
	s, pool := setup(t, Options{RecordEffects: true})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	first, second := job.NewID(), job.NewID()
	c1, err := s.Claim(ctx, first, 1)
	if err != nil || len(c1) != 1 {
		t.Fatal(err)
	}
	// The first owner dies; its successor takes the job back and runs it.
	if req, err := s.RequeueOwnedBy(ctx, first); err != nil || len(req) != 1 {
		t.Fatalf("requeue: %v %v", req, err)
	}
	c2, err := s.Claim(ctx, second, 1)
	if err != nil || len(c2) != 1 || c2[0].Attempts != 2 {
		t.Fatalf("second claim: %+v %v", c2, err)
	}
	// The first owner's completion arrives late: it must change nothing.
	late, err := s.Complete(ctx, first, []job.Outcome{{ID: ids[0], Attempts: 1}})
	if err != nil || late.Stale != 1 || late.Processed != 0 {
		t.Fatalf("late completion: %+v %v", late, err)
	}
	// Even the same owner with a stale attempt number cannot complete it.
	if stale, err := s.Complete(ctx, second, []job.Outcome{{ID: ids[0], Attempts: 1}}); err != nil || stale.Stale != 1 {
		t.Fatalf("stale attempt: %+v %v", stale, err)
	}
	done, err := s.Complete(ctx, second, []job.Outcome{{ID: ids[0], Attempts: 2}})
	if err != nil || done.Processed != 1 {
		t.Fatalf("real completion: %+v %v", done, err)
	}
	// A second completion of the finished job is stale too.
	if again, err := s.Complete(ctx, second, []job.Outcome{{ID: ids[0], Attempts: 2}}); err != nil || again.Stale != 1 {
		t.Fatalf("repeat completion: %+v %v", again, err)
	}
	// And a rescuer sweep cannot touch a completed job.
	if r, err := s.RescueExpired(ctx, 100); err != nil || len(r) != 0 {
		t.Fatalf("rescue after completion: %+v %v", r, err)
	}
	var status string
	var attempts int
	if err := pool.QueryRow(ctx, `SELECT status, attempts FROM jobs WHERE id = $1`, ids[0]).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	if status != "processed" || attempts != 2 {
		t.Fatalf("final: %s attempts=%d", status, attempts)
	}
	// Exactly one side effect, from the completion that counted.
	var effects, effectAttempt int
	if err := pool.QueryRow(ctx, `SELECT count(*), max(attempt) FROM job_effects WHERE job_id = $1`, ids[0]).Scan(&effects, &effectAttempt); err != nil {
		t.Fatal(err)
	}
	if effects != 1 || effectAttempt != 2 {
		t.Fatalf("job_effects: %d rows, attempt %d; want 1 row from attempt 2", effects, effectAttempt)
	}
}

func TestFailuresRetryThenFail(t *testing.T) {
	s, _ := setup(t, Options{MaxAttempts: 2})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	owner := job.NewID()
	boom := errors.New("boom")
	for attempt, want := range []struct{ retried, failed int }{{1, 0}, {0, 1}} {
		c, err := s.Claim(ctx, owner, 1)
		if err != nil || len(c) != 1 || c[0].Attempts != attempt+1 {
			t.Fatalf("claim %d: %+v %v", attempt+1, c, err)
		}
		done, err := s.Complete(ctx, owner, []job.Outcome{{ID: ids[0], Attempts: c[0].Attempts, Err: boom}})
		if err != nil || done.Retried != want.retried || done.Failed != want.failed {
			t.Fatalf("attempt %d: %+v %v", attempt+1, done, err)
		}
	}
	j, err := s.Get(ctx, ids[0])
	if err != nil || j.Status != job.Failed || j.LastError == nil || *j.LastError != "boom" {
		t.Fatalf("final job %+v %v", j, err)
	}
	if _, err := s.Get(ctx, job.NewID()); !errors.Is(err, job.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestReleaseDoesNotCountTheAttempt(t *testing.T) {
	s, _ := setup(t, Options{})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	owner := job.NewID()
	if _, err := s.Claim(ctx, owner, 1); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Release(ctx, owner); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	j, err := s.Get(ctx, ids[0])
	if err != nil || j.Status != job.Pending || j.Attempts != 0 {
		t.Fatalf("released job %+v %v", j, err)
	}
}

func TestUnavailableDatabaseIsClassified(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody:pw@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := New(pool, Options{Lease: time.Second, MaxAttempts: 1})
	_, _, err = s.Insert(context.Background(), json.RawMessage(`{}`), "")
	if !errors.Is(err, job.ErrUnavailable) || !job.IsUnavailable(err) {
		t.Fatalf("insert against a closed port: %v, want ErrUnavailable", err)
	}
}

func TestIdempotencyKeyReturnsTheFirstJob(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	first, created, err := s.Insert(ctx, json.RawMessage(`{"order": 7}`), "order-7")
	if err != nil || !created {
		t.Fatalf("first insert: created=%v %v", created, err)
	}
	again, created, err := s.Insert(ctx, json.RawMessage(`{"order": 7}`), "order-7")
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("retry: id %s created=%v %v; want %s, false", again.ID, created, err, first.ID)
	}
	if _, _, err := s.Insert(ctx, json.RawMessage(`{"order": 8}`), "order-7"); !errors.Is(err, job.ErrIdempotencyConflict) {
		t.Fatalf("same key, other payload: %v", err)
	}
	// Without a key, identical payloads are separate jobs.
	for range 2 {
		if _, created, err := s.Insert(ctx, json.RawMessage(`{"order": 7}`), ""); err != nil || !created {
			t.Fatalf("keyless insert: %v %v", created, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows (%v), want 3", n, err)
	}
}

func TestConcurrentRetriesWithOneKeyCreateOneJob(t *testing.T) {
	s, pool := setup(t, Options{})
	const tries = 8
	ids := make([]job.ID, tries)
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			var j job.Job
			j, _, errs[i] = s.Insert(context.Background(), json.RawMessage(`{"x":1}`), "same-key")
			ids[i] = j.ID
		})
	}
	wg.Wait()
	for i := range tries {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("try %d: id %s err %v; want every try to get %s", i, ids[i], errs[i], ids[0])
		}
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM jobs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d rows (%v), want 1", n, err)
	}
}

// age sets a job's status and moves its last change back by ago, as if it
// had finished (or stalled) that long ago.
func age(t *testing.T, pool *pgxpool.Pool, id job.ID, status job.Status, ago time.Duration) {
	t.Helper()
	lock := "locked_by = NULL, lease_expires_at = NULL"
	if status == job.Processing {
		lock = "locked_by = gen_random_uuid(), lease_expires_at = now() + interval '1 minute'"
	}
	_, err := pool.Exec(context.Background(), `UPDATE jobs SET status = $2, `+lock+`,
		created_at = now() - $3 * interval '1 millisecond', updated_at = now() - $3 * interval '1 millisecond' WHERE id = $1`,
		id, status, ago.Milliseconds())
	if err != nil {
		t.Fatal(err)
	}
}

func remaining(t *testing.T, pool *pgxpool.Pool) map[job.ID]bool {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT id FROM jobs`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[job.ID])
	if err != nil {
		t.Fatal(err)
	}
	out := map[job.ID]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func TestDeleteFinishedTakesOnlyOldFinishedJobs(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	ids := insertN(t, s, 6)
	oldProcessed, oldFailed, recentProcessed, recentFailed, oldPending, oldProcessing := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	age(t, pool, oldProcessed, job.Processed, 2*time.Hour)
	age(t, pool, oldFailed, job.Failed, 2*time.Hour)
	age(t, pool, recentProcessed, job.Processed, time.Minute)
	age(t, pool, recentFailed, job.Failed, time.Minute)
	age(t, pool, oldPending, job.Pending, 2*time.Hour)
	age(t, pool, oldProcessing, job.Processing, 2*time.Hour)

	for _, status := range []job.Status{job.Processed, job.Failed} {
		n, busy, err := s.DeleteFinished(ctx, status, time.Hour, 100)
		if err != nil || busy || n != 1 {
			t.Fatalf("delete %s: %d busy=%v %v, want 1", status, n, busy, err)
		}
	}
	left := remaining(t, pool)
	for id, want := range map[job.ID]bool{oldProcessed: false, oldFailed: false, recentProcessed: true, recentFailed: true, oldPending: true, oldProcessing: true} {
		if left[id] != want {
			t.Errorf("job %s present=%v, want %v", id, left[id], want)
		}
	}
	if _, err := s.Get(ctx, oldProcessed); !errors.Is(err, job.ErrNotFound) {
		t.Fatalf("get a deleted job: %v, want job.ErrNotFound", err)
	}
	for _, status := range []job.Status{job.Pending, job.Processing} {
		if _, _, err := s.DeleteFinished(ctx, status, 0, 100); err == nil {
			t.Fatalf("DeleteFinished accepted status %s", status)
		}
	}
	if len(remaining(t, pool)) != 4 {
		t.Fatal("a refused call deleted something")
	}
}

func TestDeleteFinishedIsBatchedAndOneInstanceAtATime(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	for _, id := range insertN(t, s, 5) {
		age(t, pool, id, job.Processed, time.Hour)
	}
	for _, want := range []int{2, 2, 1, 0} {
		if n, _, err := s.DeleteFinished(ctx, job.Processed, time.Minute, 2); err != nil || n != want {
			t.Fatalf("batch: %d %v, want %d", n, err, want)
		}
	}

	// Another instance mid-batch holds the retention lock: this one leaves
	// the round to it and deletes nothing.
	for _, id := range insertN(t, s, 3) {
		age(t, pool, id, job.Processed, time.Hour)
	}
	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, retentionLockKey); err != nil {
		t.Fatal(err)
	}
	n, busy, err := s.DeleteFinished(ctx, job.Processed, time.Minute, 100)
	if err != nil || !busy || n != 0 {
		t.Fatalf("with the lock taken: %d busy=%v %v, want busy and nothing deleted", n, busy, err)
	}
	if err := other.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, busy, err := s.DeleteFinished(ctx, job.Processed, time.Minute, 100); err != nil || busy || n != 3 {
		t.Fatalf("after the lock was released: %d busy=%v %v, want 3", n, busy, err)
	}
}

// Two sweepers at once delete every old finished job exactly once between
// them, and nothing else.
func TestTwoSweepersShareTheWork(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	const old = 3000
	if _, err := pool.Exec(ctx, `INSERT INTO jobs (id, status, payload, processed_at, updated_at)
		SELECT gen_random_uuid(), 'processed', '{}', now() - interval '2 hours', now() - interval '2 hours' FROM generate_series(1, $1)`, old); err != nil {
		t.Fatal(err)
	}
	keep := insertN(t, s, 20) // pending, and old
	for _, id := range keep[:10] {
		age(t, pool, id, job.Pending, 2*time.Hour)
	}
	for _, id := range keep[10:] {
		age(t, pool, id, job.Processing, 2*time.Hour)
	}

	var wg sync.WaitGroup
	deleted := make([]int, 2)
	errs := make(chan error, 2)
	for i := range deleted {
		wg.Go(func() {
			for {
				n, busy, err := s.DeleteFinished(ctx, job.Processed, time.Hour, 100)
				if err != nil {
					errs <- err
					return
				}
				deleted[i] += n
				if !busy && n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if deleted[0]+deleted[1] != old {
		t.Fatalf("the sweepers deleted %v, together %d, want %d", deleted, deleted[0]+deleted[1], old)
	}
	left := remaining(t, pool)
	if len(left) != len(keep) {
		t.Fatalf("%d jobs left, want the %d pending and processing ones", len(left), len(keep))
	}
	for _, id := range keep {
		if !left[id] {
			t.Fatalf("job %s was deleted", id)
		}
	}
}

// TestRecordExecutionStandsAlone: an execution record is committed on its
// own, so it stays when the completion that follows is refused.
func TestRecordExecutionStandsAlone(t *testing.T) {
	s, pool := setup(t, Options{RecordEffects: true})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	owner := job.NewID()
	if c, err := s.Claim(ctx, owner, 1); err != nil || len(c) != 1 {
		t.Fatalf("claim: %+v %v", c, err)
	}
	if err := s.RecordExecution(ctx, ids[0], 1, 4242); err != nil {
		t.Fatal(err)
	}
	// A completion by another owner is refused; the execution stays.
	if late, err := s.Complete(ctx, job.NewID(), []job.Outcome{{ID: ids[0], Attempts: 1}}); err != nil || late.Stale != 1 {
		t.Fatalf("foreign completion: %+v %v", late, err)
	}
	var n, attempt, pid int
	if err := pool.QueryRow(ctx, `SELECT count(*), max(attempt), max(pid) FROM job_executions WHERE job_id = $1`, ids[0]).Scan(&n, &attempt, &pid); err != nil {
		t.Fatal(err)
	}
	if n != 1 || attempt != 1 || pid != 4242 {
		t.Fatalf("job_executions: %d rows, attempt %d, pid %d; want 1 row of attempt 1 by pid 4242", n, attempt, pid)
	}
}

// TestCompleteAndClaimRoundsTakeEachJobOnce drains a backlog the way a busy
// worker does, each completion carrying the next claim, with claimers
// racing: every job is claimed once, completed once, with one effect.
func TestCompleteAndClaimRoundsTakeEachJobOnce(t *testing.T) {
	s, pool := setup(t, Options{RecordEffects: true})
	const jobs, claimers = 300, 4
	insertN(t, s, jobs)
	ctx := context.Background()

	var seen claimLedger
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for range claimers {
		owner := job.NewID()
		wg.Go(func() {
			var outcomes []job.Outcome
			for {
				done, claims, err := s.CompleteAndClaim(ctx, owner, outcomes, 7)
				if err != nil {
					errs <- err
					return
				}
				if done.Processed != len(outcomes) {
					errs <- fmt.Errorf("completion %+v of %d outcomes", done, len(outcomes))
					return
				}
				if len(claims) == 0 {
					return
				}
				if err := seen.take(owner, claims); err != nil {
					errs <- err
					return
				}
				outcomes = outcomes[:0]
				for _, c := range claims {
					outcomes = append(outcomes, job.Outcome{ID: c.ID, Attempts: c.Attempts})
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var processed, onceOnly, effects int
	err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE attempts = 1),
		(SELECT count(*) FROM job_effects) FROM jobs`).Scan(&processed, &onceOnly, &effects)
	if err != nil {
		t.Fatal(err)
	}
	if seen.len() != jobs || processed != jobs || onceOnly != jobs || effects != jobs {
		t.Fatalf("claimed %d, processed %d, attempts=1 %d, effects %d; want %d each", seen.len(), processed, onceOnly, effects, jobs)
	}
}

// TestCompleteAndClaimKeepsTheGuards: the round's completion refuses a
// stale completion like Complete does, and its claim skips a job another
// owner holds.
func TestCompleteAndClaimKeepsTheGuards(t *testing.T) {
	s, _ := setup(t, Options{})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	first, second := job.NewID(), job.NewID()
	if c, err := s.Claim(ctx, first, 1); err != nil || len(c) != 1 {
		t.Fatalf("claim: %v %v", c, err)
	}
	if req, err := s.RequeueOwnedBy(ctx, first); err != nil || len(req) != 1 {
		t.Fatalf("requeue: %v %v", req, err)
	}
	// The successor claims the job along with an empty completion.
	_, c2, err := s.CompleteAndClaim(ctx, second, nil, 5)
	if err != nil || len(c2) != 1 || c2[0].Attempts != 2 {
		t.Fatalf("second claim: %+v %v", c2, err)
	}
	// The first owner's late completion changes nothing, and it claims
	// nothing either: the only job is taken.
	late, claims, err := s.CompleteAndClaim(ctx, first, []job.Outcome{{ID: ids[0], Attempts: 1}}, 5)
	if err != nil || late.Stale != 1 || late.Processed != 0 || len(claims) != 0 {
		t.Fatalf("late completion: %+v, claims %v, %v", late, claims, err)
	}
	// Another owner naming the job's present attempt is refused too.
	if foreign, _, err := s.CompleteAndClaim(ctx, job.NewID(), []job.Outcome{{ID: ids[0], Attempts: 2}}, 5); err != nil || foreign.Stale != 1 {
		t.Fatalf("foreign owner: %+v %v", foreign, err)
	}
	// The same owner with a stale attempt number is refused too.
	if stale, _, err := s.CompleteAndClaim(ctx, second, []job.Outcome{{ID: ids[0], Attempts: 1}}, 5); err != nil || stale.Stale != 1 {
		t.Fatalf("stale attempt: %+v %v", stale, err)
	}
	if done, _, err := s.CompleteAndClaim(ctx, second, []job.Outcome{{ID: ids[0], Attempts: 2}}, 5); err != nil || done.Processed != 1 {
		t.Fatalf("owner's completion: %+v %v", done, err)
	}
}

// TestCompleteAndClaimRunsTheCompletionFirst: the round's claim sees what
// its completion did, so it ran after it: a job whose attempt failed is
// requeued by the completion and taken back, with its next attempt, by the
// claim of the same round. That order keeps concurrent rounds free of
// deadlocks (see Store.CompleteAndClaim).
func TestCompleteAndClaimRunsTheCompletionFirst(t *testing.T) {
	for _, effects := range []bool{false, true} {
		s, pool := setup(t, Options{RecordEffects: effects})
		ctx := context.Background()
		ids := insertN(t, s, 1)
		owner := job.NewID()
		if c, err := s.Claim(ctx, owner, 1); err != nil || len(c) != 1 {
			t.Fatalf("claim: %v %v", c, err)
		}
		retried, claims, err := s.CompleteAndClaim(ctx, owner, []job.Outcome{{ID: ids[0], Attempts: 1, Err: errors.New("boom")}}, 5)
		if err != nil || retried.Retried != 1 || len(claims) != 1 || claims[0].ID != ids[0] || claims[0].Attempts != 2 {
			t.Fatalf("effects %v: failed attempt: %+v, claims %+v, %v; want it retried and claimed again as attempt 2", effects, retried, claims, err)
		}
		var status, lastError string
		if err := pool.QueryRow(ctx, `SELECT status, last_error FROM jobs WHERE id = $1`, ids[0]).Scan(&status, &lastError); err != nil || status != "processing" || lastError != "boom" {
			t.Fatalf("effects %v: after the round: %q %q %v, want processing with the error kept", effects, status, lastError, err)
		}
	}
}

// TestCompleteAndClaimIsOneTransaction: when the claim fails, the
// completion sent with it did not happen either, and is retried alone.
func TestCompleteAndClaimIsOneTransaction(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	ids := insertN(t, s, 1)
	owner := job.NewID()
	if c, err := s.Claim(ctx, owner, 1); err != nil || len(c) != 1 {
		t.Fatalf("claim: %v %v", c, err)
	}
	// A negative limit makes the claim fail after the completion ran.
	_, _, err := s.CompleteAndClaim(ctx, owner, []job.Outcome{{ID: ids[0], Attempts: 1}}, -1)
	if err == nil {
		t.Fatal("a claim with a negative limit succeeded")
	}
	var status string
	if err := pool.QueryRow(ctx, `SELECT status FROM jobs WHERE id = $1`, ids[0]).Scan(&status); err != nil || status != "processing" {
		t.Fatalf("after the failed round: %q %v, want the job still processing", status, err)
	}
	if done, err := s.Complete(ctx, owner, []job.Outcome{{ID: ids[0], Attempts: 1}}); err != nil || done.Processed != 1 {
		t.Fatalf("completion retried alone: %+v %v", done, err)
	}
}

// TestBatchesWithAndWithoutFailuresRecordEachOutcome: a batch with a
// failure sends an error array, one without sends NULL (outcomeArgs), and
// both record each job's outcome: a failure is retried with its error, a
// success is processed and keeps the error of an earlier attempt.
func TestBatchesWithAndWithoutFailuresRecordEachOutcome(t *testing.T) {
	s, _ := setup(t, Options{})
	ctx := context.Background()
	ids := insertN(t, s, 3)
	owner := job.NewID()
	c, err := s.Claim(ctx, owner, 3)
	if err != nil || len(c) != 3 {
		t.Fatalf("claim: %+v %v", c, err)
	}
	attempt := map[job.ID]int{}
	for _, cl := range c {
		attempt[cl.ID] = cl.Attempts
	}
	mixed := []job.Outcome{{ID: ids[0], Attempts: attempt[ids[0]]}, {ID: ids[1], Attempts: attempt[ids[1]], Err: errors.New("boom")}, {ID: ids[2], Attempts: attempt[ids[2]]}}
	if _, _, errs := outcomeArgs(mixed); len(errs) != 3 || errs[0] != nil || errs[1] == nil || *errs[1] != "boom" {
		t.Fatalf("mixed batch errors = %v", errs)
	}
	done, err := s.Complete(ctx, owner, mixed)
	if err != nil || done.Processed != 2 || done.Retried != 1 {
		t.Fatalf("mixed batch: %+v %v", done, err)
	}
	for i, want := range []job.Status{job.Processed, job.Pending, job.Processed} {
		j, err := s.Get(ctx, ids[i])
		if err != nil || j.Status != want || (i == 1) != (j.LastError != nil) || (want == job.Processed) != (j.ProcessedAt != nil) {
			t.Fatalf("job %d after the mixed batch: %+v %v", i, j, err)
		}
	}
	c, err = s.Claim(ctx, owner, 3)
	if err != nil || len(c) != 1 || c[0].ID != ids[1] || c[0].Attempts != 2 {
		t.Fatalf("reclaim: %+v %v", c, err)
	}
	clean := []job.Outcome{{ID: ids[1], Attempts: 2}}
	if _, _, errs := outcomeArgs(clean); errs != nil {
		t.Fatalf("a batch without failures sends errors %v, want NULL", errs)
	}
	done, claims, err := s.CompleteAndClaim(ctx, owner, clean, 10)
	if err != nil || done.Processed != 1 || done.Stale != 0 || len(claims) != 0 {
		t.Fatalf("clean batch: %+v %+v %v", done, claims, err)
	}
	j, err := s.Get(ctx, ids[1])
	if err != nil || j.Status != job.Processed || j.ProcessedAt == nil || j.LastError == nil || *j.LastError != "boom" {
		t.Fatalf("job 1 after the clean batch: %+v %v", j, err)
	}
}

// Every statement that changes a job runs here in a transaction that began
// before the job's last change committed, as a busy worker's or rescuer's
// statement can: under READ COMMITTED it still sees that change, but its
// now() is older. The job must never read as updated before it was created,
// nor updated_at go back.
func TestAStaleTransactionNeverMovesUpdatedAtBack(t *testing.T) {
	s, pool := setup(t, Options{})
	ctx := context.Background()
	owner := job.NewID()
	stamps := func(id job.ID) (created, updated time.Time) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT created_at, updated_at FROM jobs WHERE id = $1`, id).Scan(&created, &updated); err != nil {
			t.Fatal(err)
		}
		return created, updated
	}
	// stale begins a transaction, lets change commit on another connection,
	// then runs sql in the transaction and commits it.
	stale := func(name string, change func() job.ID, sql string, args ...any) {
		t.Helper()
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		var began time.Time
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&began); err != nil {
			t.Fatal(err)
		}
		id := change()
		_, before := stamps(id)
		if !began.Before(before) {
			t.Fatalf("%s: the transaction began at %v, not before the change at %v: nothing is tested", name, began, before)
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		created, after := stamps(id)
		if after.Before(before) || after.Before(created) {
			t.Fatalf("%s: updated_at went from %v to %v (created %v)", name, before, after, created)
		}
	}
	var id job.ID
	insert := func() job.ID { id = insertN(t, s, 1)[0]; return id }
	claim := func() job.ID {
		if c, err := s.Claim(ctx, owner, 1); err != nil || len(c) != 1 {
			t.Fatalf("claim: %v %v", c, err)
		}
		return id
	}
	reclaim := func() job.ID {
		if n, err := s.Release(ctx, owner); err != nil || n != 1 {
			t.Fatalf("release: %d %v", n, err)
		}
		return claim()
	}
	stale("claim after an insert", insert, query.Claim, owner, 1, 30000)
	stale("release after a claim", reclaim, query.Release, owner)
	stale("requeue after a claim", claim, query.RequeueOwnedBy, 5, "lost", owner)
	stale("completion after a claim", claim, query.Complete, []job.ID{id}, []int32{2}, nil, owner, 5)
}
