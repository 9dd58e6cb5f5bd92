package scenario

import (
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
