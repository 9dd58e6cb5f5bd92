package scenario

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// The contention round of multi_instance_claims_once: contendedHeld jobs
// the proof keeps row-locked, a full batch, so that a claim of the oldest
// pending jobs takes only locked ones; contendedFree newer jobs, a full
// batch for each process.
const (
	contendedHeld = multiConcurrency
	contendedFree = 2 * multiConcurrency
)

// claimSQL picks the backend's claim statement out of pg_stat_activity:
// its text is the only one that sets claimed_at.
const claimSQL = `application_name = 'reference-backend' AND datname = current_database() AND query LIKE '%claimed_at = now()%'`

// claimsMeetOnLockedJobs makes two processes' claims meet on the same jobs
// on every run, whatever the load, instead of hoping their claims overlap
// in time:
//
//  1. The proof inserts contendedHeld jobs in a transaction (ins), queues a
//     second transaction (gate) for a SHARE lock on jobs behind it, and
//     commits ins once gate waits for ins alone: gate then holds jobs before
//     any claim can see the new jobs (a claim's UPDATE wants ROW EXCLUSIVE,
//     which SHARE refuses, and a request queued after gate's waits behind it).
//  2. A third transaction (hold) locks those jobs FOR UPDATE (row locks pass
//     the SHARE lock), so they are pending, the oldest, and locked.
//  3. gate inserts contendedFree newer jobs, the proof NOTIFYs, and waits
//     until two claim statements wait for gate's lock: the two processes'
//     claims are both in flight (each process, idle with its 4 slots free,
//     has one claim of 4 at a time). gate commits: both claims start at
//     once, on the same pending jobs.
//  4. A claim that locks with SKIP LOCKED passes over the held jobs and takes
//     free ones; a claim that takes the oldest pending jobs without locking
//     them first waits for the held rows. The proof waits until the free
//     jobs are processed, or two claims wait for row locks; then hold
//     commits. Two claims that waited for the same rows without having
//     locked them both update them (Postgres rechecks only the id list
//     they picked), which is the double claim the end of the round counts.
//
// Every job of the round must then be processed once: attempts 1, one
// effect.
func claimsMeetOnLockedJobs(t *T, a, b *Backend) {
	t.Step(fmt.Sprintf("contention round: %d jobs the proof holds row locks on, %d free ones, both processes' claims released at once", contendedHeld, contendedFree),
		"the held jobs are the oldest pending; the claims wait behind a SHARE lock on jobs until both are queued")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	pool := t.DB()
	var open []pgx.Tx
	lockDone := make(chan error, 1)
	lockStarted := false
	defer func() {
		cancel()
		if lockStarted {
			<-lockDone
		}
		for _, tx := range open {
			_ = tx.Rollback(context.Background())
		}
	}()
	begin := func(what string) (pgx.Tx, int) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal("begin %s: %v", what, err)
		}
		open = append(open, tx)
		var pid int
		if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal("%s: %v", what, err)
		}
		return tx, pid
	}
	insert := func(tx pgx.Tx, kind string, n int) ([]string, time.Time, time.Time) {
		rows, err := tx.Query(ctx, `INSERT INTO jobs (id, payload, created_at)
			SELECT gen_random_uuid(), json_build_object('contended', $1::text, 'seq', i), clock_timestamp()
			FROM generate_series(1, $2) i RETURNING id::text, created_at`, kind, n)
		if err != nil {
			t.Fatal("insert the %s jobs: %v", kind, err)
		}
		var ids []string
		var first, last time.Time
		for rows.Next() {
			var id string
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				t.Fatal("insert the %s jobs: %v", kind, err)
			}
			if len(ids) == 0 || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal("insert the %s jobs: %v", kind, err)
		}
		return ids, first, last
	}
	count := func(query string, args ...any) (int, error) {
		var n int
		err := pool.QueryRow(ctx, query, args...).Scan(&n)
		return n, err
	}

	ins, insPID := begin("the insert of the held jobs")
	held, _, heldLast := insert(ins, "held", contendedHeld)
	gate, gatePID := begin("the gate")
	lockStarted = true
	go func() {
		_, err := gate.Exec(ctx, `LOCK TABLE jobs IN SHARE MODE`)
		lockDone <- err
	}()
	t.RequireEventually("the gate's SHARE lock on jobs waits for the insert alone", "gate waiting, no other session holding more than a read lock on jobs", processTimeout, func() (bool, string) {
		var waiting bool
		var others int
		err := pool.QueryRow(ctx, `SELECT coalesce(bool_or(pid = $1 AND NOT granted), false),
			count(*) FILTER (WHERE granted AND pid NOT IN ($1, $2) AND mode <> 'AccessShareLock')
			FROM pg_locks WHERE relation = 'jobs'::regclass
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, gatePID, insPID).Scan(&waiting, &others)
		return err == nil && waiting && others == 0, fmt.Sprintf("gate waiting=%t, other sessions holding a lock on jobs=%d (%v)", waiting, others, err)
	})
	if err := ins.Commit(ctx); err != nil {
		t.Fatal("commit the held jobs: %v", err)
	}
	select {
	case err := <-lockDone:
		lockStarted = false
		if err != nil {
			t.Fatal("the gate's lock on jobs: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the gate's lock on jobs: %v", ctx.Err())
	}

	hold, _ := begin("the row locks")
	locked, err := hold.Query(ctx, `SELECT status, attempts FROM jobs WHERE id = ANY($1::uuid[]) FOR UPDATE`, held)
	if err != nil {
		t.Fatal("lock the held jobs: %v", err)
	}
	var states []string
	for locked.Next() {
		var status string
		var attempts int
		if err := locked.Scan(&status, &attempts); err != nil {
			t.Fatal("lock the held jobs: %v", err)
		}
		states = append(states, fmt.Sprintf("%s/%d", status, attempts))
	}
	if err := locked.Err(); err != nil {
		t.Fatal("lock the held jobs: %v", err)
	}
	if len(states) != contendedHeld || slices.ContainsFunc(states, func(s string) bool { return s != "pending/0" }) {
		t.Fatal("the held jobs were claimed before the proof locked them (the gate should have kept every claim out): %v", states)
	}
	free, freeFirst, _ := insert(gate, "free", contendedFree)
	if !heldLast.Before(freeFirst) {
		t.Fatal("the held jobs are not the oldest: last held %s, first free %s", heldLast, freeFirst)
	}

	if _, err := pool.Exec(ctx, `SELECT pg_notify($1, 'proofs')`, notifyChannel); err != nil {
		t.Fatal("NOTIFY %s: %v", notifyChannel, err)
	}
	var queued int
	t.RequireEventually("both processes' claims wait behind the gate", "2 claim statements waiting for the lock on jobs", processTimeout, func() (bool, string) {
		n, err := count(`SELECT count(*) FROM pg_stat_activity WHERE ` + claimSQL + ` AND wait_event_type = 'Lock' AND wait_event = 'relation'`)
		queued = n
		return err == nil && n >= 2, fmt.Sprintf("%d claim statements waiting (%v)", n, err)
	})
	released := time.Now()
	if err := gate.Commit(ctx); err != nil {
		t.Fatal("release the gate: %v", err)
	}

	// SKIP LOCKED claims never wait for a row: they end with the free jobs
	// processed. Claims that wait for the held rows never reach the free
	// ones (the held jobs are the oldest): two of them waiting at once is
	// the other way this wait ends.
	var rowWaits, freeDone int
	t.RequireEventually("the claims pass over the held jobs, or wait for them", fmt.Sprintf("%d free jobs processed, or 2 claims waiting for row locks", contendedFree), processTimeout, func() (bool, string) {
		w, err := count(`SELECT count(*) FROM pg_stat_activity WHERE ` + claimSQL + ` AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')`)
		if err != nil {
			return false, err.Error()
		}
		f, err := count(`SELECT count(*) FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'processed'`, free)
		if err != nil {
			return false, err.Error()
		}
		rowWaits, freeDone = w, f
		return f == contendedFree || w >= 2, fmt.Sprintf("%d free jobs processed, %d claims waiting for row locks", f, w)
	})
	heldFor := time.Since(released)
	if err := hold.Commit(ctx); err != nil {
		t.Fatal("release the held jobs: %v", err)
	}
	if _, err := pool.Exec(ctx, `SELECT pg_notify($1, 'proofs')`, notifyChannel); err != nil {
		t.Fatal("NOTIFY %s: %v", notifyChannel, err)
	}

	round := append(slices.Clone(held), free...)
	t.RequireEventually("every job of the contention round reaches processed", fmt.Sprintf("processed=%d", len(round)), 30*time.Second, func() (bool, string) {
		n, err := count(`SELECT count(*) FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'processed'`, round)
		return err == nil && n == len(round), fmt.Sprintf("processed=%d of %d (%v)", n, len(round), err)
	})
	rows, err := pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`, round)
	if err != nil {
		t.Fatal("read the round's jobs: %v", err)
	}
	jobs, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		t.Fatal("read the round's jobs: %v", err)
	}
	t.Rows("jobs of the contention round", jobs)
	boots := map[string]string{}
	for _, be := range []*Backend{a, b} {
		if s, ok := be.Latest(); ok {
			boots[str(s.Health.Worker.BootID)] = be.Instance
		}
	}
	var notOnce []string
	ranFree := map[string]int{}
	for _, j := range jobs {
		effects := t.effects(j.ID)
		if j.Attempts != 1 || len(effects) != 1 {
			notOnce = append(notOnce, fmt.Sprintf("%s attempts=%d effects=%d", short(j.ID), j.Attempts, len(effects)))
		}
		if len(effects) == 1 && slices.Contains(free, j.ID) {
			ranFree[cmp.Or(boots[effects[0].WorkerBoot], "unknown")]++
		}
	}
	t.Note("contention round", map[string]any{
		"held_jobs":                      contendedHeld,
		"free_jobs":                      contendedFree,
		"claims_released_together":       queued,
		"claims_waiting_for_held_rows":   rowWaits,
		"free_jobs_processed_while_held": freeDone,
		"free_jobs_run_by":               ranFree,
		"held_ms_after_gate_released":    heldFor.Milliseconds(),
		"gate_released_at":               released.UTC().Format(time.RFC3339Nano),
	})
	t.Check("every job of the contention round was claimed exactly once", "attempts=1 and one job_effects row for all "+fmt.Sprint(len(round)),
		fmt.Sprintf("%d exceptions %v", len(notOnce), notOnce), len(notOnce) == 0)
}
