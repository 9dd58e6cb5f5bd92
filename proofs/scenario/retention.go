package scenario

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

// Retention proof sizes. More old processed jobs than one deleting batch
// (1,000), so the sweep is a sequence of batches, not one statement.
//
// The two retentions differ (30 s for processed jobs, 2 h for failed
// ones) and the failed jobs straddle the longer one, so the setup rules
// out the nearest wrong versions: the two knobs swapped, one knob used for
// both kinds, and failed jobs kept (or deleted) regardless of their age.
const (
	retentionMS        = 30000   // processed jobs; the sweep runs every 7.5 s
	failedRetentionMS  = 7200000 // failed jobs: two hours
	retentionOldDone   = 2500
	retentionOldFailed = 300
	retentionKept      = 20 // of each unfinished kind
	retentionTimeout   = 60 * time.Second
)

// finishedJobsAreRetainedThenDeleted: two backends on one database, with a
// 30 s retention for processed jobs and 2 h for failed ones. Processed jobs
// an hour old and failed jobs three hours old are deleted, every one
// exactly once between the two instances' sweeps; failed jobs an hour old,
// pending and processing jobs just as old, and a processed job younger
// than its retention stay; a deleted job is a 404.
func finishedJobsAreRetainedThenDeleted(t *T) {
	t.Migrate()
	env := map[string]string{
		"JOB_RETENTION_MS":        fmt.Sprint(retentionMS),
		"JOB_FAILED_RETENTION_MS": fmt.Sprint(failedRetentionMS),
		// One job at a time per worker, each busy with a held job, so the
		// pending jobs below stay pending for the whole proof.
		"JOB_CONCURRENCY":   "1",
		"FAULT_INJECTION":   "1",
		"SHUTDOWN_GRACE_MS": "500",
	}
	a := t.StartBackend("a", BackendOptions{Env: env})
	b := t.StartBackend("b", BackendOptions{Env: env})
	waitHealthy(a, "before the jobs")
	waitHealthy(b, "before the jobs")

	t.Step("each backend takes one job and holds it, filling its only slot")
	held := []string{
		a.PostJob(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`).ID,
		b.PostJob(`{"fault":"hold_after_claim","fault_attempt":1,"hold_ms":600000}`).ID,
	}
	t.RequireEventually("both held jobs are processing, one per backend", "2 processing rows, 2 owners", processTimeout, func() (bool, string) {
		owners := map[string]bool{}
		for _, id := range held {
			if row, ok := t.JobByID(id); ok && row.Status == "processing" && row.LockedBy != nil {
				owners[*row.LockedBy] = true
			}
		}
		return len(owners) == 2, fmt.Sprintf("%d owners", len(owners))
	})

	t.Step("write an hour of history straight into the database",
		"%d processed jobs finished an hour ago, %d failed ones three hours ago and %d an hour ago; %d pending and %d processing (a dead owner, lease 10 min ahead) an hour old",
		retentionOldDone, retentionOldFailed, retentionKept, retentionKept, retentionKept)
	ctx, cancel := t.queryCtx()
	defer cancel()
	_, err := t.DB().Exec(ctx, `
		INSERT INTO jobs (id, status, payload, attempts, processed_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'processed', json_build_object('old', g), 1, now() - interval '1 hour', now() - interval '61 minutes', now() - interval '1 hour'
		FROM generate_series(1, $1) g`, retentionOldDone)
	if err == nil {
		_, err = t.DB().Exec(ctx, `
			INSERT INTO jobs (id, status, payload, attempts, last_error, created_at, updated_at)
			SELECT gen_random_uuid(), 'failed', json_build_object('old_failed', g), 5, 'gave up', now() - interval '181 minutes', now() - interval '3 hours'
			FROM generate_series(1, $1) g`, retentionOldFailed)
	}
	var youngFailed []string
	if err == nil {
		youngFailed, err = collectIDs(t, `
			INSERT INTO jobs (id, status, payload, attempts, last_error, created_at, updated_at)
			SELECT gen_random_uuid(), 'failed', json_build_object('young_failed', g), 5, 'gave up', now() - interval '61 minutes', now() - interval '1 hour'
			FROM generate_series(1, $1) g RETURNING id::text`, retentionKept)
	}
	var unfinished []string
	if err == nil {
		var rows []string
		rows, err = collectIDs(t, `
			INSERT INTO jobs (id, status, payload, created_at, updated_at)
			SELECT gen_random_uuid(), 'pending', json_build_object('old_pending', g), now() - interval '1 hour', now() - interval '1 hour'
			FROM generate_series(1, $1) g RETURNING id::text`, retentionKept)
		unfinished = append(unfinished, rows...)
	}
	if err == nil {
		var rows []string
		rows, err = collectIDs(t, `
			INSERT INTO jobs (id, status, payload, attempts, locked_by, lease_expires_at, claimed_at, created_at, updated_at)
			SELECT gen_random_uuid(), 'processing', json_build_object('old_processing', g), 1, gen_random_uuid(), now() + interval '10 minutes',
				now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour'
			FROM generate_series(1, $1) g RETURNING id::text`, retentionKept)
		unfinished = append(unfinished, rows...)
	}
	if err != nil {
		t.Fatal("write the history: %s", t.Redact(err.Error()))
	}
	unfinished = append(unfinished, held...)
	oldFinished := retentionOldDone + retentionOldFailed

	var sampleOld string
	if err := t.DB().QueryRow(ctx, `SELECT id::text FROM jobs WHERE status = 'processed' LIMIT 1`).Scan(&sampleOld); err != nil {
		t.Fatal("pick an old job: %s", t.Redact(err.Error()))
	}

	t.RequireEventually("every finished job past its retention is deleted", fmt.Sprintf("0 processed, %d failed (the hour-old ones) left", retentionKept), retentionTimeout, func() (bool, string) {
		counts, summary := t.StatusCounts()
		return counts["processed"] == 0 && counts["failed"] == retentionKept, summary
	})
	_, resp := b.GetJob(sampleOld)
	Equal(t, "GET /jobs/{id} of a deleted job", http.StatusNotFound, resp.Status)
	t.Check("its body", `{"error":"job not found"}`, string(resp.Body), string(resp.Body) == `{"error":"job not found"}`+"\n")

	t.Step("finish a job now: younger than the retention, it must outlive the next sweeps")
	// The wait above may take most of queryTimeout: a fresh deadline.
	ctx, cancel = t.queryCtx()
	defer cancel()
	var recent string
	if err := t.DB().QueryRow(ctx, `
		INSERT INTO jobs (id, status, payload, attempts, processed_at) VALUES (gen_random_uuid(), 'processed', '{"recent":true}', 1, now())
		RETURNING id::text`).Scan(&recent); err != nil {
		t.Fatal("insert a recent job: %s", t.Redact(err.Error()))
	}
	// A sweep recorded a second after the insert began after it.
	insertedAt := time.Now().Add(time.Second)
	t.RequireEventually("both instances sweep again after it finished", "last_cleanup_at later than the insert on a and on b", retentionTimeout, func() (bool, string) {
		sa, _ := a.Latest()
		sb, _ := b.Latest()
		return sweptAfter(sa, insertedAt) && sweptAfter(sb, insertedAt),
			fmt.Sprintf("a %s, b %s, insert %s", str(sa.Health.Worker.LastCleanupAt), str(sb.Health.Worker.LastCleanupAt), insertedAt.UTC().Format(time.RFC3339Nano))
	})

	rows := t.Jobs()
	left := map[string]string{}
	for _, r := range rows {
		left[r.ID] = r.Status
	}
	var lost []string
	for _, id := range unfinished {
		if s, ok := left[id]; !ok || (s != "pending" && s != "processing") {
			lost = append(lost, fmt.Sprintf("%s=%q", id, s))
		}
	}
	t.Check("every pending and processing job stays, however old", fmt.Sprintf("%d unfinished jobs present and unfinished", len(unfinished)),
		fmt.Sprintf("%d missing or changed %v", len(lost), lost), len(lost) == 0)
	Equal(t, "the recent processed job stays", "processed", left[recent])
	keptFailed := 0
	for _, id := range youngFailed {
		if left[id] == "failed" {
			keptFailed++
		}
	}
	Equal(t, "failed jobs an hour old stay (their retention is two hours)", len(youngFailed), keptFailed)
	Equal(t, "rows left", len(unfinished)+len(youngFailed)+1, len(rows))

	sa, _ := a.Latest()
	sb, _ := b.Latest()
	ca, cb := sa.Health.Worker.CleanedJobs, sb.Health.Worker.CleanedJobs
	t.Check("the instances' cleaned_jobs add up to the jobs deleted (each deleted once, by one of them)",
		fmt.Sprintf("a + b = %d", oldFinished), fmt.Sprintf("a=%d b=%d sum=%d", ca, cb, ca+cb), ca+cb == int64(oldFinished))
	for _, s := range []Sample{sa, sb} {
		t.Check("/health keeps its status rules through the cleanups", "200 ok", s.Summary(), s.HTTPStatus == http.StatusOK && s.Health.Status == "ok")
	}
	logged := 0
	for _, be := range []*Backend{a, b} {
		logged += len(be.Logs("finished jobs deleted"))
	}
	t.Check("the deletions are logged", "at least one finished jobs deleted line", fmt.Sprint(logged), logged > 0)
	t.Note("split", map[string]int64{"a": ca, "b": cb})

	a.Kill()
	b.Kill()
	defaultRetentions(t)
}

// defaultRetentions: a backend started with no retention knob keeps a
// processed job the documented 24 hours and a failed one 7 days. Each
// default is straddled by an hour, so a default off by more than that
// (12 h, 2 days, 6 or 8 days), the two defaults swapped, or no default
// (keep forever) deletes the wrong row or none. It relies on the sweep a
// process makes as it starts: the next one, at these retentions, is a
// minute later.
func defaultRetentions(t *T) {
	t.Step("with both backends stopped, write four finished jobs either side of the default retentions",
		"processed 23 h and 25 h ago, failed 6 days 23 h and 7 days 1 h ago")
	ctx, cancel := t.queryCtx()
	defer cancel()
	ids := map[string]string{}
	for _, r := range []struct{ name, status, age string }{
		{"processed 23 h ago", "processed", "23 hours"},
		{"processed 25 h ago", "processed", "25 hours"},
		{"failed 6 days 23 h ago", "failed", "6 days 23 hours"},
		{"failed 7 days 1 h ago", "failed", "7 days 1 hour"},
	} {
		var id string
		err := t.DB().QueryRow(ctx, `
			INSERT INTO jobs (id, status, payload, attempts, last_error, processed_at, created_at, updated_at)
			VALUES (gen_random_uuid(), $1, json_build_object('default_retention', $2::text), 1,
				CASE WHEN $1 = 'failed' THEN 'gave up' END,
				CASE WHEN $1 = 'processed' THEN now() - $3::interval END,
				now() - $3::interval - interval '1 minute', now() - $3::interval)
			RETURNING id::text`, r.status, r.name, r.age).Scan(&id)
		if err != nil {
			t.Fatal("write the %s job: %s", r.name, t.Redact(err.Error()))
		}
		ids[r.name] = id
	}

	c := t.StartBackend("defaults", BackendOptions{})
	first := c.WaitHealth("backend defaults has swept", "worker.last_cleanup_at set", healthyTimeout, func(s Sample) bool {
		return s.Health.Worker.LastCleanupAt != nil
	})
	for _, want := range []struct {
		name string
		kept bool
	}{
		{"processed 23 h ago", true}, {"processed 25 h ago", false},
		{"failed 6 days 23 h ago", true}, {"failed 7 days 1 h ago", false},
	} {
		_, present := t.JobByID(ids[want.name])
		Equal(t, "with the default retentions, the job "+want.name+" is kept", want.kept, present)
	}
	Equal(t, "/health worker.last_cleanup_count of the start-up sweep", int64(2), first.Health.Worker.LastCleanupCount)
	c.Kill()
	contendedSweeps(t)
}

// retentionLockKey is the advisory lock key the docs name for the
// retention sweep (docs/reference-backend.md#retention), "prodretn". The
// proof writes it itself, from the docs, rather than importing it: a key
// the backend changed would leave the proof's lock uncontended, and the
// proof then fails (the sweep deletes while it should wait its turn).
const retentionLockKey int64 = 0x70726f64_7265746e

// contendedHold is how long the proof holds the retention lock at least:
// with both retentions at 1 s a backend sweeps every 500 ms, so at least
// five sweeps, each two busy transactions (one per status), find the lock
// taken: five times the pool of two. It shapes the scenario; the checks
// below do not depend on it being exactly long enough.
const contendedHold = 2500 * time.Millisecond

// contendedSweeps: while another holds the retention lock (the proof, as a
// second instance would), a backend's sweeps leave the round to it: they
// delete nothing, record no cleanup, and leave nothing behind, no
// transaction left open and no pool connection taken, so however many
// sweeps find the lock busy, the API and the worker keep working. Then,
// the lock released, the next sweep deletes. DB_MAX_CONNS is 2, the
// least allowed, so a sweep that kept its connection would run the pool
// dry within one round. The setup rules out a busy sweep that skips its
// rollback (idle in transaction), one that waits for the lock instead of
// leaving the round (a session waiting on an advisory lock), one that
// deletes without the lock, and a wrong lock key.
func contendedSweeps(t *T) {
	t.Step("with every backend stopped, empty the jobs table", "the rows of the parts above would be claimed and swept under this backend's feet")
	ctx, cancel := t.queryCtx()
	defer cancel()
	if _, err := t.DB().Exec(ctx, `DELETE FROM jobs`); err != nil {
		t.Fatal("empty the jobs table: %s", t.Redact(err.Error()))
	}
	b := t.StartBackend("contended", BackendOptions{Env: map[string]string{
		"JOB_RETENTION_MS":        "1000",
		"JOB_FAILED_RETENTION_MS": "1000",
		"DB_MAX_CONNS":            "2",
	}})
	b.WaitHealth("backend contended has swept once", "worker.last_cleanup_at set", healthyTimeout, func(s Sample) bool {
		return isHealthy(s) && s.Health.Worker.LastCleanupAt != nil
	})

	t.Step("take the retention lock, as another instance in the middle of a sweep would", "pg_advisory_lock(%d), held for at least %s", retentionLockKey, contendedHold)
	ctx, cancel = t.queryCtx()
	defer cancel()
	holder, err := t.DB().Acquire(ctx)
	if err != nil {
		t.Fatal("take a connection for the retention lock: %s", t.Redact(err.Error()))
	}
	locked := false
	t.Cleanup(func() {
		if locked {
			_, _ = holder.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, retentionLockKey)
		}
		holder.Release()
	})
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, retentionLockKey); err != nil {
		t.Fatal("take the retention lock: %s", t.Redact(err.Error()))
	}
	locked = true
	lockedAt := time.Now()
	old, err := collectIDs(t, `
		INSERT INTO jobs (id, status, payload, attempts, last_error, processed_at, created_at, updated_at)
		SELECT gen_random_uuid(), s, json_build_object('contended', g), 1, CASE WHEN s = 'failed' THEN 'gave up' END,
			CASE WHEN s = 'processed' THEN now() - interval '1 hour' END, now() - interval '61 minutes', now() - interval '1 hour'
		FROM generate_series(1, 10) g, unnest(ARRAY['processed', 'failed']) s RETURNING id::text`)
	if err != nil {
		t.Fatal("write finished jobs past their retention: %s", t.Redact(err.Error()))
	}
	t.holdUntil(lockedAt.Add(contendedHold), "the held retention lock")

	t.Step("while the lock is held: what the busy sweeps left behind")
	// A correct sweep's transaction is open for a moment; one left open
	// stays so: only a transaction idle for over a second counts.
	var openTx, waiting int
	var seen string
	err = t.DB().QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE state LIKE 'idle in transaction%' AND state_change < now() - interval '1 second'),
			count(*) FILTER (WHERE wait_event_type = 'Lock'),
			coalesce(string_agg(state || ' ' || left(query, 60), '; '), '')
		FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'reference-backend'`).Scan(&openTx, &waiting, &seen)
	if err != nil {
		t.Fatal("read pg_stat_activity: %s", t.Redact(err.Error()))
	}
	t.Check("no backend transaction is left open by a busy sweep", "0 sessions idle in transaction for over 1 s", fmt.Sprintf("%d: %s", openTx, seen), openTx == 0)
	t.Check("no busy sweep waits for the lock: it leaves the round", "0 sessions waiting on a lock", fmt.Sprintf("%d: %s", waiting, seen), waiting == 0)
	counts, summary := t.StatusCounts()
	t.Check("the busy sweeps deleted nothing", "20 finished jobs past their retention still there", summary,
		counts["processed"]+counts["failed"] == len(old))
	// A sweep that held the lock just before the proof took it records
	// its cleanup a moment later: a second of slack.
	during, _ := b.Latest()
	t.Check("the busy sweeps recorded no cleanup", "worker.last_cleanup_at no later than a second after the lock was taken",
		fmt.Sprintf("%s (lock taken %s)", str(during.Health.Worker.LastCleanupAt), lockedAt.UTC().Format(time.RFC3339Nano)),
		during.HTTPStatus == 200 && !sweptAfter(during, lockedAt.Add(time.Second)))

	t.Step("after more busy sweeps than the pool has connections, the API and the worker still serve")
	job := b.PostJob(`{"after":"busy sweeps"}`)
	t.WaitJobStatus(job.ID, "processed", processTimeout)
	waitHealthy(b, "after the busy sweeps")

	before, _ := b.Latest()
	t.Step("release the retention lock")
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_unlock($1)`, retentionLockKey); err != nil {
		t.Fatal("release the retention lock: %s", t.Redact(err.Error()))
	}
	locked = false
	releasedAt := time.Now()
	t.RequireEventually("the next sweep deletes the finished jobs past their retention", "0 of the 20 left, and the processed job of this step", retentionTimeout, func() (bool, string) {
		counts, summary := t.StatusCounts()
		return counts["processed"]+counts["failed"] == 0, summary
	})
	after := b.WaitHealth("/health records those sweeps", fmt.Sprintf("worker.last_cleanup_at after the release, cleaned_jobs %d more than before it", len(old)+1), healthyTimeout, func(s Sample) bool {
		return sweptAfter(s, releasedAt) && s.Health.Worker.CleanedJobs-before.Health.Worker.CleanedJobs >= int64(len(old)+1)
	})
	Equal(t, "cleaned_jobs counts the 20 and the processed job, each once", int64(len(old)+1), after.Health.Worker.CleanedJobs-before.Health.Worker.CleanedJobs)
}

// sweptAfter reports whether s shows a retention sweep that ran after at.
func sweptAfter(s Sample, at time.Time) bool {
	if s.Health.Worker.LastCleanupAt == nil {
		return false
	}
	swept, err := time.Parse(time.RFC3339Nano, *s.Health.Worker.LastCleanupAt)
	return err == nil && swept.After(at)
}

// collectIDs runs an INSERT ... RETURNING id::text and returns the ids.
func collectIDs(t *T, sql string, args ...any) ([]string, error) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
