package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/jobdoc"
)

// queryTimeout bounds one harness query.
const queryTimeout = 10 * time.Second

func (t *T) queryCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), queryTimeout)
}

// JobRow is one row of the jobs table, as the harness reads it.
type JobRow struct {
	ID             string          `json:"id"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	LastError      *string         `json:"last_error"`
	LockedBy       *string         `json:"locked_by"`
	LeaseExpiresAt *time.Time      `json:"lease_expires_at"`
	Payload        json.RawMessage `json:"payload"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	ClaimedAt      *time.Time      `json:"claimed_at"`
	ProcessedAt    *time.Time      `json:"processed_at"`
}

const jobColumns = `id::text, status, attempts, last_error, locked_by::text, lease_expires_at,
	payload::text, created_at, updated_at, claimed_at, processed_at`

func scanJob(row pgx.CollectableRow) (JobRow, error) {
	var j JobRow
	var payload string
	err := row.Scan(&j.ID, &j.Status, &j.Attempts, &j.LastError, &j.LockedBy, &j.LeaseExpiresAt,
		&payload, &j.CreatedAt, &j.UpdatedAt, &j.ClaimedAt, &j.ProcessedAt)
	j.Payload = json.RawMessage(payload)
	if !json.Valid(j.Payload) {
		// Keep the evidence file valid JSON even if a payload is not.
		quoted, _ := json.Marshal(payload)
		j.Payload = quoted
	}
	return j, err
}

// Jobs reads every job, oldest first. A query error is a harness error.
func (t *T) Jobs() []JobRow {
	jobs, err := t.TryJobs()
	if err != nil {
		t.Fatal("%v", err)
	}
	return jobs
}

// TryJobs reads every job, oldest first.
func (t *T) TryJobs() ([]JobRow, error) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT `+jobColumns+` FROM jobs ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	return jobs, nil
}

// JobByID reads one job; ok is false when there is no such row.
func (t *T) JobByID(id string) (JobRow, bool) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id::text = $1`, id)
	if err != nil {
		t.Fatal("read job %s: %v", id, err)
	}
	jobs, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		t.Fatal("read job %s: %v", id, err)
	}
	if len(jobs) == 0 {
		return JobRow{}, false
	}
	return jobs[0], true
}

// CountJobs counts the rows of the jobs table.
func (t *T) CountJobs() int {
	ctx, cancel := t.queryCtx()
	defer cancel()
	var n int
	if err := t.DB().QueryRow(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil {
		t.Fatal("count jobs: %v", err)
	}
	return n
}

// StatusCounts counts jobs by status, e.g. "processed=3 pending=1".
func (t *T) StatusCounts() (map[string]int, string) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT status, count(*) FROM jobs GROUP BY status ORDER BY status`)
	if err != nil {
		return nil, "query failed: " + err.Error()
	}
	counts := map[string]int{}
	var parts []string
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, "query failed: " + err.Error()
		}
		counts[s] = n
		parts = append(parts, fmt.Sprintf("%s=%d", s, n))
	}
	if err := rows.Err(); err != nil {
		return nil, "query failed: " + err.Error()
	}
	if len(parts) == 0 {
		return counts, "no jobs"
	}
	return counts, strings.Join(parts, " ")
}

// WaitJobStatus requires job id to reach status within timeout, and returns
// its row.
func (t *T) WaitJobStatus(id, status string, timeout time.Duration) JobRow {
	var row JobRow
	t.RequireEventually(fmt.Sprintf("job %s reaches %s in the database", short(id), status), "status="+status, timeout, func() (bool, string) {
		r, ok := t.JobByID(id)
		if !ok {
			return false, "no such row"
		}
		row = r
		return r.Status == status, fmt.Sprintf("status=%s attempts=%d last_error=%s", r.Status, r.Attempts, str(r.LastError))
	})
	return row
}

// short is the first block of a uuid, for readable assertion names.
// countListeners is how many sessions of the backend are LISTENing: their
// last statement was a LISTEN and they are idle, waiting.
func (t *T) countListeners() int {
	ctx, cancel := t.queryCtx()
	defer cancel()
	var n int
	if err := t.DB().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'reference-backend' AND state = 'idle' AND query ILIKE 'LISTEN %'`).Scan(&n); err != nil {
		t.Fatal("count listening sessions: %v", err)
	}
	return n
}

// short is a job id as the proofs' steps and checks name it.
func short(id string) string { return jobdoc.ShortID(id) }
