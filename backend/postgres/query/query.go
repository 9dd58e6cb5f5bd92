// Package query holds every SQL statement the job store runs, as exported
// constants. The store (backend/postgres) runs them, and the benchmark
// (bench/pgbench, bench/suite) times the very same text under pgbench and
// EXPLAIN, so the two can never drift apart and nothing has to read Go
// source to find the SQL. Each constant documents its parameters.
//
// Every state change is guarded in its WHERE clause by the owner and
// attempt that made the claim, so a late or duplicate write (a crashed
// worker's completion, a rescuer racing a heartbeat) matches no row instead
// of overwriting newer state.
package query

// JobColumns are the columns a job's JSON is built from, in the order the
// store scans them.
const JobColumns = `id, status, attempts, last_error, payload, created_at, updated_at, processed_at`

// Ping checks that the database answers.
const Ping = `SELECT 1`

// Insert stores a new pending job without an idempotency key: $1 id, $2
// payload (JSON text). It is a plain insert: ON CONFLICT would make every
// insert speculative (an arbiter check first, a confirmation WAL record
// after) although a job without a key cannot conflict on it.
const Insert = `
	INSERT INTO jobs (id, payload) VALUES ($1, $2::text::json)
	RETURNING ` + JobColumns

// InsertWithKey stores a new pending job: $1 id, $2 payload (JSON text), $3
// the idempotency key. With a key that is already stored it inserts
// nothing and returns no row.
const InsertWithKey = `
	INSERT INTO jobs (id, payload, idempotency_key) VALUES ($1, $2::text::json, $3)
	ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
	RETURNING ` + JobColumns

// ByIdempotencyKey reads the job stored under key $1.
const ByIdempotencyKey = `SELECT ` + JobColumns + ` FROM jobs WHERE idempotency_key = $1`

// Get reads job $1.
const Get = `SELECT ` + JobColumns + ` FROM jobs WHERE id = $1`

// touched is the updated_at of every statement that changes a job (alias
// j). now() is when the writing transaction started, and under READ
// COMMITTED a statement also sees rows committed after that: a claim whose
// transaction began just before a job's insert committed would stamp the
// job updated before it was created. So updated_at never goes below the
// value it replaces, which is never below created_at.
const touched = `updated_at = greatest(now(), j.updated_at)`

// Claim takes up to $2 pending jobs, oldest first, for owner $1 with a
// lease of $3 milliseconds, and returns id, attempts, payload of each. Rows
// other claimers hold are skipped, not waited for, so concurrent claimers
// never block each other or take the same job.
//
// The ids are taken into an array rather than joined: a join lets the
// planner hash the whole table for a large batch, while = ANY(array) is one
// primary-key probe per claimed row however big the backlog.
//
// A busy worker runs Complete and then Claim as two statements of one
// transaction (the store's CompleteAndClaim), not as one statement: the
// claim then takes its snapshot after the completion, so the jobs other
// workers claimed meanwhile are no longer pending in it and are passed
// over without being locked (see the store for what one statement cost).
const Claim = `
	UPDATE jobs j SET
		status = 'processing',
		attempts = j.attempts + 1,
		locked_by = $1,
		lease_expires_at = now() + $3 * interval '1 millisecond',
		claimed_at = now(),
		` + touched + `
	WHERE j.id = ANY (ARRAY(
		SELECT id FROM jobs
		WHERE status = 'pending'
		ORDER BY created_at, id
		LIMIT $2
		FOR UPDATE SKIP LOCKED
	))
	RETURNING id, attempts, payload`

// Complete applies a batch of outcomes and returns the new status of each
// job it changed. $1..$3 are parallel arrays (job id, the attempt that was
// claimed, the error or NULL), $4 the owner, $5 the attempt limit. The guard
// is owner and attempt: a job has an owner exactly while it is processing
// (the jobs_lease_matches_status constraint), so no status test is needed,
// and leaving it out keeps the planner on the primary key (id = ANY)
// instead of scanning the processing-jobs index.
//
// $3 may be NULL instead of an array of NULLs when no outcome of the batch
// failed, the common case: subscripting a NULL array is NULL without
// evaluating the subscript, so the three array_position scans of the SET
// clause are skipped (each costs a comparison per job of the batch, for
// every job: with batches of 250 that was a tenth of the statement).
//
// A job's attempt and error are looked up in the arrays by its position
// among the ids (array_position, a scan of the batch in C) rather than by
// joining the rows of unnest: the planner ran that join as a nested loop
// that rescanned the unnested batch for every job, 10,000 row comparisons
// through the executor for a batch of 100, most of the statement's time.
// Every use of a parameter carries its type, so the text also runs where
// each use is a parameter of its own (pgbench's substitution).
const Complete = `
	UPDATE jobs j SET
		status = CASE
			WHEN ($3::text[])[array_position($1::uuid[], j.id)] IS NULL THEN 'processed'
			WHEN j.attempts >= $5 THEN 'failed'
			ELSE 'pending' END,
		last_error = COALESCE(($3::text[])[array_position($1::uuid[], j.id)], j.last_error),
		processed_at = CASE WHEN ($3::text[])[array_position($1::uuid[], j.id)] IS NULL THEN now() END,
		locked_by = NULL,
		lease_expires_at = NULL,
		` + touched + `
	WHERE j.id = ANY ($1::uuid[])
		AND j.attempts = ($2::int4[])[array_position($1::uuid[], j.id)]
		AND j.locked_by = $4
	RETURNING j.status`

// CompleteWithEffects is Complete plus the job_effects row for each job
// that became processed, written by the same statement so that the effect
// exists exactly when the completion does. Same parameters and result.
const CompleteWithEffects = `
	WITH done AS (` + Complete + `, j.id, j.attempts
	), effects AS (
		INSERT INTO job_effects (job_id, attempt, worker_boot)
		SELECT id, attempts, $4 FROM done WHERE status = 'processed'
	)
	SELECT status FROM done`

// RecordExecution writes a job_executions row: $1 job, $2 attempt, $3 pid.
const RecordExecution = `INSERT INTO job_executions (job_id, attempt, pid) VALUES ($1, $2, $3)`

// Heartbeat extends to $2 milliseconds the lease of each job of ids $3
// that owner $1 is processing. Only the jobs the worker names: a claim
// that committed but whose answer the worker never got (the connection
// lost after the commit) leaves a job the worker does not know it owns,
// and its lease must run out so the rescuer takes it back.
const Heartbeat = `
	UPDATE jobs SET lease_expires_at = now() + $2 * interval '1 millisecond'
	WHERE locked_by = $1 AND status = 'processing' AND id = ANY($3)`

// requeueSet is the SET clause shared by every path that takes a job back
// from an owner that can no longer finish it: $1 the attempt limit, $2 the
// error recorded on a job that has no attempts left.
const requeueSet = `
		status = CASE WHEN j.attempts >= $1 THEN 'failed' ELSE 'pending' END,
		last_error = CASE WHEN j.attempts >= $1 THEN $2 ELSE j.last_error END,
		locked_by = NULL,
		lease_expires_at = NULL,
		` + touched

// RequeueOwnedBy takes back every job dead owner $3 still held ($1, $2 as
// in every requeue) and returns id and new status of each.
const RequeueOwnedBy = `
	UPDATE jobs j SET ` + requeueSet + `
	WHERE j.locked_by = $3 AND j.status = 'processing'
	RETURNING j.id, j.status`

// RescueExpired requeues up to $3 processing jobs whose lease ran out ($1,
// $2 as in every requeue) and returns id and new status of each. Rows
// locked by a concurrent heartbeat or completion are skipped, and the
// status and lease are rechecked under the row lock, so a job whose lease
// was just renewed, or that just completed, is never overwritten.
const RescueExpired = `
	UPDATE jobs j SET ` + requeueSet + `
	WHERE j.id = ANY (ARRAY(
		SELECT id FROM jobs
		WHERE status = 'processing' AND lease_expires_at < now()
		ORDER BY lease_expires_at
		LIMIT $3
		FOR UPDATE SKIP LOCKED
	))
	AND j.status = 'processing' AND j.lease_expires_at < now()
	RETURNING j.id, j.status`

// Release hands back, unfinished, every job owner $1 is processing, without
// counting the attempt.
const Release = `
	UPDATE jobs j SET
		status = 'pending',
		attempts = j.attempts - 1,
		locked_by = NULL,
		lease_expires_at = NULL,
		` + touched + `
	WHERE j.locked_by = $1 AND j.status = 'processing'`

// TryRetentionLock takes advisory lock $1 for the rest of the transaction
// if it is free, and says whether it did.
const TryRetentionLock = `SELECT pg_try_advisory_xact_lock($1)`

// DeleteFinished deletes up to $3 jobs in status $1 (processed or failed)
// that finished more than $2 milliseconds ago, oldest first. Rows another
// transaction has locked are skipped, not waited for, and pending and
// processing jobs are never candidates: the status is tested in the
// candidate query and again on the deleted row.
const DeleteFinished = `
	DELETE FROM jobs
	WHERE id = ANY (ARRAY(
		SELECT id FROM jobs
		WHERE status = $1 AND status IN ('processed', 'failed')
			AND updated_at < now() - $2 * interval '1 millisecond'
		ORDER BY updated_at
		LIMIT $3
		FOR UPDATE SKIP LOCKED
	))
	AND status IN ('processed', 'failed')`

// CountUnfinished counts how many of the ids $1 are pending or processing.
const CountUnfinished = `SELECT count(*) FROM jobs WHERE id = ANY($1) AND status IN ('pending', 'processing')`
