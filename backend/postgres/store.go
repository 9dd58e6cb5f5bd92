// Package postgres is the backend's job store: it runs the statements of
// package query (the API's and the worker's SQL against the jobs table),
// binds their parameters and translates their rows and errors into the
// domain types of package job.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/postgres/query"
)

// Options tunes the store.
type Options struct {
	// Lease is how long a claim or heartbeat keeps a job owned.
	Lease time.Duration
	// MaxAttempts is the claim count after which a failing job is failed
	// instead of requeued.
	MaxAttempts int
	// RecordEffects makes every completion that moves a job to processed
	// also write a job_effects row in the same statement: the reference
	// handler's side effect, which lets a soak count effects per job.
	RecordEffects bool
}

// Store runs the job SQL on a pool.
type Store struct {
	pool          *pgxpool.Pool
	leaseMS       int64
	maxAttempts   int
	completeQuery string
}

// New returns a store on pool.
func New(pool *pgxpool.Pool, opts Options) *Store {
	s := &Store{pool: pool, leaseMS: opts.Lease.Milliseconds(), maxAttempts: opts.MaxAttempts,
		completeQuery: query.Complete}
	if opts.RecordEffects {
		s.completeQuery = query.CompleteWithEffects
	}
	return s
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, query.Ping); err != nil {
		return classify("ping", err)
	}
	return nil
}

func scanJob(row pgx.Row) (job.Job, error) {
	var j job.Job
	var payload []byte
	var processedAt *time.Time
	err := row.Scan(&j.ID, &j.Status, &j.Attempts, &j.LastError, &payload, &j.CreatedAt.Time, &j.UpdatedAt.Time, &processedAt)
	if err != nil {
		return job.Job{}, err
	}
	j.Payload = json.RawMessage(payload)
	if processedAt != nil {
		j.ProcessedAt = &job.Time{Time: *processedAt}
	}
	return j, nil
}

// Insert stores a new pending job. payload must already be valid JSON. With a
// non-empty key, a job already stored under that key is returned instead
// (created is false), provided its payload is byte-for-byte the same.
func (s *Store) Insert(ctx context.Context, payload json.RawMessage, key string) (j job.Job, created bool, err error) {
	if key == "" {
		j, err = scanJob(s.pool.QueryRow(ctx, query.Insert, job.NewID(), string(payload)))
		if refusedPayload(err) {
			return job.Job{}, false, fmt.Errorf("insert job: %w: %w", job.ErrInvalidPayload, err)
		}
		if err != nil {
			return job.Job{}, false, classify("insert job", err)
		}
		return j, true, nil
	}
	j, err = scanJob(s.pool.QueryRow(ctx, query.InsertWithKey, job.NewID(), string(payload), key))
	if err == nil {
		return j, true, nil
	}
	if refusedPayload(err) {
		return job.Job{}, false, fmt.Errorf("insert job: %w: %w", job.ErrInvalidPayload, err)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return job.Job{}, false, classify("insert job", err)
	}
	// The key exists. A new statement sees the row even if its insert
	// committed after this one's snapshot was taken.
	j, err = scanJob(s.pool.QueryRow(ctx, query.ByIdempotencyKey, key))
	if err != nil {
		return job.Job{}, false, classify("read job by idempotency key", err)
	}
	if string(j.Payload) != string(payload) {
		return job.Job{}, false, job.ErrIdempotencyConflict
	}
	return j, false, nil
}

// Get returns one job.
func (s *Store) Get(ctx context.Context, id job.ID) (job.Job, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, query.Get, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return job.Job{}, job.ErrNotFound
	}
	if err != nil {
		return job.Job{}, classify("get job", err)
	}
	return j, nil
}

// Claim takes up to limit pending jobs, oldest first, for owner. Rows other
// claimers hold are skipped, not waited for, so concurrent claimers never
// block each other or take the same job.
func (s *Store) Claim(ctx context.Context, owner job.ID, limit int) ([]job.Claim, error) {
	rows, err := s.pool.Query(ctx, query.Claim, owner, limit, s.leaseMS)
	if err != nil {
		return nil, classify("claim jobs", err)
	}
	claims, err := collectClaims(rows, limit)
	if err != nil {
		return nil, classify("claim jobs", err)
	}
	return claims, nil
}

// collectClaims reads the rows of query.Claim, at most limit of them. It
// is on the worker's path for every job, so it allocates per row only the
// payload the handler gets: the id is read through a pgtype.UUID, which
// pgx fills directly, where scanning into a job.ID goes through reflection
// and a new [16]byte per row, and the claims' slice is made once, to the
// size of the claim.
func collectClaims(rows pgx.Rows, limit int) ([]job.Claim, error) {
	defer rows.Close()
	claims := make([]job.Claim, 0, max(limit, 0))
	var id pgtype.UUID
	var attempts int
	var payload []byte
	dest := []any{&id, &attempts, &payload}
	for rows.Next() {
		payload = nil // a fresh slice per job, not one reused under all
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		claims = append(claims, job.Claim{ID: job.ID(id.Bytes), Attempts: attempts, Payload: payload})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return claims, nil
}

// idArray is a batch's job ids as a uuid[] parameter. A []job.ID is
// encoded by reflection, and every element is boxed twice on its way
// (about 5 % of the backend's CPU in a drain, docs/benchmarks.md); pgx asks
// idArray for each element as a uuidRef, which fits in an interface
// without an allocation.
type idArray []job.ID

var _ pgtype.ArrayGetter = idArray(nil)

func (a idArray) Dimensions() []pgtype.ArrayDimension {
	if a == nil {
		return nil
	}
	return []pgtype.ArrayDimension{{Length: int32(len(a)), LowerBound: 1}}
}

func (a idArray) Index(i int) any { return uuidRef{&a[i]} }

func (a idArray) IndexType() any { return uuidRef{} }

// uuidRef is one element of an idArray.
type uuidRef struct{ id *job.ID }

var _ pgtype.UUIDValuer = uuidRef{}

func (r uuidRef) UUIDValue() (pgtype.UUID, error) {
	return pgtype.UUID{Bytes: *r.id, Valid: true}, nil
}

// outcomeArgs are the parallel arrays the completion statements take. When
// no outcome of the batch failed, errs is nil, sent as a NULL array: the
// statement then looks no error up at all (see query.Complete), three of
// its four array scans per job.
func outcomeArgs(outcomes []job.Outcome) (ids idArray, attempts []int32, errs []*string) {
	ids = make(idArray, len(outcomes))
	attempts = make([]int32, len(outcomes))
	for i, o := range outcomes {
		ids[i] = o.ID
		attempts[i] = int32(o.Attempts)
		if o.Err != nil {
			if errs == nil {
				errs = make([]*string, len(outcomes))
			}
			msg := o.Err.Error()
			errs[i] = &msg
		}
	}
	return ids, attempts, errs
}

// CompleteAndClaim records outcomes as Complete does and then claims up to
// limit pending jobs as Claim does, in one transaction: the worker's round
// while jobs are waiting. Both statements go to the server at once (a
// pipeline ending in one Sync, which Postgres runs as one implicit
// transaction), so one round trip and one commit (one WAL flush on a
// durable server) record a batch and take the next. Either both happen or
// neither.
//
// Two statements and not one: under READ COMMITTED each statement takes
// its own snapshot, so the claim's is taken after the completion and the
// jobs other workers claimed meanwhile are no longer pending in it. As one
// statement (until 3 December 2026) the claim's snapshot was as old as the
// completion, and it found those jobs pending: FOR UPDATE locked each one's
// newest version, found it processing and skipped it, but kept the lock
// until its commit, so the job's owner, completing it, waited for this
// round. Profiled under pgbench (docs/benchmarks.md), that cost 0.4-0.9
// more row locks (each a WAL record) per job, lock waits in a fifth to a
// third of the sessions' active time, and a quarter of the throughput.
//
// The completion runs first. A claim can still hold, until its commit, the
// lock of a job it passed over (one claimed while it walked), and that job
// may be in another worker's batch, whose completion then waits. A round
// only ever waits in its completion, and only on rounds already in their
// claim, which never wait (SKIP LOCKED): no cycle. Claim first, a round
// would wait while holding claim locks another waits for.
//
// The claim sees the completion's changes: a job whose attempt failed and
// that the completion requeued can be claimed again by the same round,
// with its next attempt, as by any later claim.
func (s *Store) CompleteAndClaim(ctx context.Context, owner job.ID, outcomes []job.Outcome, limit int) (job.Completion, []job.Claim, error) {
	var b pgx.Batch
	if len(outcomes) > 0 {
		ids, attempts, errs := outcomeArgs(outcomes)
		b.Queue(s.completeQuery, ids, attempts, errs, owner, s.maxAttempts)
	}
	b.Queue(query.Claim, owner, limit, s.leaseMS)
	results := s.pool.SendBatch(ctx, &b)
	// Query's error is also its rows' own, which reading them returns.
	var done job.Completion
	var claims []job.Claim
	var err error
	if len(outcomes) > 0 {
		rows, _ := results.Query()
		done, err = countCompleted(rows, len(outcomes))
	}
	if err == nil {
		rows, _ := results.Query()
		claims, err = collectClaims(rows, limit)
	}
	// Close reads to the end of the transaction: an error of its commit
	// comes here.
	if cerr := results.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return job.Completion{}, nil, classify("complete and claim jobs", err)
	}
	return done, claims, nil
}

// Complete records outcomes for jobs owner claimed. An outcome only applies
// while the job is still processing under the same owner and attempt.
func (s *Store) Complete(ctx context.Context, owner job.ID, outcomes []job.Outcome) (job.Completion, error) {
	if len(outcomes) == 0 {
		return job.Completion{}, nil
	}
	ids, attempts, errs := outcomeArgs(outcomes)
	rows, err := s.pool.Query(ctx, s.completeQuery,
		ids, attempts, errs, owner, s.maxAttempts)
	if err != nil {
		return job.Completion{}, classify("complete jobs", err)
	}
	done, err := countCompleted(rows, len(outcomes))
	if err != nil {
		return job.Completion{}, classify("complete jobs", err)
	}
	return done, nil
}

// countCompleted tallies the rows of a completion statement of sent
// outcomes, each a completed job's new status; an outcome without a row was
// stale. The status is compared as the bytes the server sent (text is the
// same in either format), not scanned into a new string per job.
func countCompleted(rows pgx.Rows, sent int) (job.Completion, error) {
	defer rows.Close()
	var done job.Completion
	for rows.Next() {
		switch string(rows.RawValues()[0]) {
		case string(job.Processed):
			done.Processed++
		case string(job.Failed):
			done.Failed++
		default:
			done.Retried++
		}
	}
	done.Stale = sent - done.Processed - done.Failed - done.Retried
	return done, rows.Err()
}

// RecordExecution writes a job_executions row for attempt of job id, run by
// process pid, in a transaction of its own: the reference handler's
// external side effect, which stays whatever happens to the completion.
func (s *Store) RecordExecution(ctx context.Context, id job.ID, attempt, pid int) error {
	if _, err := s.pool.Exec(ctx, query.RecordExecution, id, attempt, pid); err != nil {
		return classify("record execution", err)
	}
	return nil
}

// Heartbeat extends the lease of each of ids that owner is processing.
func (s *Store) Heartbeat(ctx context.Context, owner job.ID, ids []job.ID) (int64, error) {
	tag, err := s.pool.Exec(ctx, query.Heartbeat, owner, s.leaseMS, idArray(ids))
	if err != nil {
		return 0, classify("heartbeat", err)
	}
	return tag.RowsAffected(), nil
}

// RequeueOwnedBy takes back every job a dead worker still owned. The
// supervisor calls it for the predecessor of a restarted worker, so its jobs
// run again at once instead of after their lease.
func (s *Store) RequeueOwnedBy(ctx context.Context, deadOwner job.ID) ([]job.Requeued, error) {
	rows, err := s.pool.Query(ctx, query.RequeueOwnedBy,
		s.maxAttempts, "worker exited while processing; no attempts left", deadOwner)
	if err != nil {
		return nil, classify("requeue jobs of dead worker", err)
	}
	return collectRequeued(rows)
}

// RescueExpired requeues processing jobs whose lease ran out: their owner
// (usually a whole process) died. Rows locked by a concurrent heartbeat or
// completion are skipped, and the status and lease are rechecked under the
// row lock, so a job whose lease was just renewed, or that just completed,
// is never overwritten.
func (s *Store) RescueExpired(ctx context.Context, limit int) ([]job.Requeued, error) {
	rows, err := s.pool.Query(ctx, query.RescueExpired,
		s.maxAttempts, "lease expired while processing; no attempts left", limit)
	if err != nil {
		return nil, classify("rescue expired jobs", err)
	}
	return collectRequeued(rows)
}

func collectRequeued(rows pgx.Rows) ([]job.Requeued, error) {
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (job.Requeued, error) {
		var r job.Requeued
		var status job.Status
		err := row.Scan(&r.ID, &status)
		r.Failed = status == job.Failed
		return r, err
	})
	if err != nil {
		return nil, classify("requeue jobs", err)
	}
	return out, nil
}

// Release hands back, unfinished, every job owner is processing, without
// counting the attempt: used on graceful shutdown, where the job did not fail.
func (s *Store) Release(ctx context.Context, owner job.ID) (int64, error) {
	tag, err := s.pool.Exec(ctx, query.Release, owner)
	if err != nil {
		return 0, classify("release jobs", err)
	}
	return tag.RowsAffected(), nil
}

// retentionLockKey is the advisory lock one retention batch holds, so that
// however many instances run, one deletes at a time ("prodretn").
const retentionLockKey int64 = 0x70726f64_7265746e

// DeleteFinished deletes up to limit jobs in status (processed or failed)
// that finished more than olderThan ago, oldest first, in one short
// transaction. It runs only while it holds the retention lock; when another
// instance holds it, it deletes nothing and reports busy. Rows another
// transaction has locked are skipped, not waited for, and pending and
// processing jobs are never candidates: the status is tested in the
// candidate query and again on the deleted row.
func (s *Store) DeleteFinished(ctx context.Context, status job.Status, olderThan time.Duration, limit int) (deleted int, busy bool, err error) {
	if status != job.Processed && status != job.Failed {
		return 0, false, fmt.Errorf("delete finished jobs: %q is not a finished status", status)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, false, classify("delete finished jobs", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var held bool
	if err := tx.QueryRow(ctx, query.TryRetentionLock, retentionLockKey).Scan(&held); err != nil {
		return 0, false, classify("delete finished jobs", err)
	}
	if !held {
		return 0, true, nil
	}
	tag, err := tx.Exec(ctx, query.DeleteFinished,
		status, olderThan.Milliseconds(), limit)
	if err != nil {
		return 0, false, classify("delete finished jobs", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, false, classify("delete finished jobs", err)
	}
	return int(tag.RowsAffected()), false, nil
}

// CountUnfinished counts how many of ids are pending or processing.
func (s *Store) CountUnfinished(ctx context.Context, ids []job.ID) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, query.CountUnfinished, ids).Scan(&n)
	if err != nil {
		return 0, classify("count unfinished jobs", err)
	}
	return n, nil
}

// classify wraps err with context and translates connection-level failures
// to job.ErrUnavailable, so the API can answer 503 rather than 500 and the
// worker can tell an outage from a bug.
func classify(op string, err error) error {
	if unavailable(err) {
		return fmt.Errorf("%s: %w: %w", op, job.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// refusedPayload reports whether the server refused an insert for its data:
// a data exception (SQLSTATE class 22: bad encoding, bad JSON) or JSON nested
// past the server's stack limit (54001). The API validates payloads first, so
// this is the backstop for a server configured stricter than the defaults.
func refusedPayload(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || pgErr.Code == "54001")
}

// unavailable reports whether a pgx error means the database cannot be
// reached or will not take work right now. Server errors are judged by their
// SQLSTATE class; any other error from pgx (refused or reset connections,
// EOF, closed connections, timeouts) happened below SQL and is treated as an
// outage.
func unavailable(err error) bool {
	if err == nil || errors.Is(err, pgx.ErrNoRows) || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, job.ErrUnavailable) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources
			"57": // operator intervention: shutdown, cannot connect now
			return true
		}
		return false
	}
	return true
}
