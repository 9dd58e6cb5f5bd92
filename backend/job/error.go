package job

import "errors"

// Errors a store returns and its callers branch on with errors.Is. The
// store wraps them with context; the API maps them to statuses.
var (
	// ErrNotFound: no job has that id (never created, or deleted by
	// retention).
	ErrNotFound = errors.New("job not found")
	// ErrIdempotencyConflict: an idempotency key was used before for a
	// different payload.
	ErrIdempotencyConflict = errors.New("idempotency key already used for a different payload")
	// ErrUnavailable: the database could not be reached or is refusing
	// work, as opposed to a bug in a query. Retrying later may succeed.
	ErrUnavailable = errors.New("database unavailable")
	// ErrInvalidPayload: the database refused a payload's content (bytes it
	// cannot store or read as JSON). The client must change the request;
	// retrying cannot help.
	ErrInvalidPayload = errors.New("the database refused the payload")
)

// IsUnavailable reports whether err means the database is unavailable.
func IsUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// Completion counts what writing a batch of outcomes changed.
type Completion struct {
	Processed int
	Failed    int // attempts exhausted: the job is now failed
	Retried   int // the attempt failed and the job is pending again
	// Stale counts outcomes that matched no row: the claim was no longer
	// current (requeued by a rescuer, or released), so nothing was written.
	Stale int
}

// Requeued is a job taken back from an owner that can no longer finish it.
type Requeued struct {
	ID ID
	// Failed is true when the job had used all its attempts and was marked
	// failed instead of pending.
	Failed bool
}
