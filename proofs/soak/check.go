package soak

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/report"
)

// JobState is one jobs row as the checker sees it: its status and attempts,
// the client's sequence number from the payload (nil when the payload has
// none), the job_effects rows written for it and its job_executions rows.
type JobState struct {
	ID             string      `json:"id"`
	Status         string      `json:"status"`
	Attempts       int         `json:"attempts"`
	Seq            *int64      `json:"seq"`
	Effects        int         `json:"effects"`
	EffectAttempts []int       `json:"effect_attempts"`
	CreatedAt      time.Time   `json:"created_at"`
	Executions     []Execution `json:"executions"`
}

// Execution is one job_executions row: a run of the handler, recorded in
// its own transaction before the completion, by process PID.
type Execution struct {
	Attempt int       `json:"attempt"`
	PID     int       `json:"pid"`
	At      time.Time `json:"at"`
}

// ReadJobs reads every job with its effects, straight from the database.
func ReadJobs(ctx context.Context, pool *pgxpool.Pool) ([]JobState, error) {
	rows, err := pool.Query(ctx, `
		SELECT j.id::text, j.status, j.attempts, j.created_at,
			CASE WHEN json_typeof(j.payload) = 'object' AND (j.payload->>'seq') ~ '^[0-9]{1,18}$'
				THEN (j.payload->>'seq')::bigint END,
			count(e.job_id)::int,
			COALESCE(array_agg(e.attempt ORDER BY e.recorded_at) FILTER (WHERE e.job_id IS NOT NULL), '{}')
		FROM jobs j LEFT JOIN job_effects e ON e.job_id = j.id
		GROUP BY j.id
		ORDER BY j.created_at, j.id`)
	if err != nil {
		return nil, fmt.Errorf("read jobs and effects: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (JobState, error) {
		var j JobState
		var attempts []int32
		err := row.Scan(&j.ID, &j.Status, &j.Attempts, &j.CreatedAt, &j.Seq, &j.Effects, &attempts)
		for _, a := range attempts {
			j.EffectAttempts = append(j.EffectAttempts, int(a))
		}
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("read jobs and effects: %w", err)
	}
	byID := make(map[string]*JobState, len(jobs))
	for i := range jobs {
		byID[jobs[i].ID] = &jobs[i]
	}
	rows, err = pool.Query(ctx, `SELECT job_id::text, attempt, pid, recorded_at FROM job_executions ORDER BY recorded_at`)
	if err != nil {
		return nil, fmt.Errorf("read job executions: %w", err)
	}
	var e Execution
	var id string
	_, err = pgx.ForEachRow(rows, []any{&id, &e.Attempt, &e.PID, &e.At}, func() error {
		if j, ok := byID[id]; ok {
			j.Executions = append(j.Executions, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read job executions: %w", err)
	}
	return jobs, nil
}

// Fault is an injected fault's span: Instance is the backend it hit, ""
// when it hit all of them (a database cut).
type Fault struct {
	Kind     string
	Instance string
	From, To time.Time
}

// faultSlack widens each fault's span and each job's life when they are
// matched, for the time between a signal and its effect.
const faultSlack = 500 * time.Millisecond

// EvaluateExecutions counts the jobs the handler ran more than once and
// checks that each such re-execution is explained by an injected fault: an
// execution superseded by a later one (a higher attempt, or the same
// attempt recorded later) must come from an instance that a fault hit (or
// a database cut) while the job was alive, from its creation to its last
// execution. A rescuer that takes live jobs, or a worker that runs a job
// twice, leaves superseded executions on healthy instances. instanceOf
// names the instance of each backend process id.
func EvaluateExecutions(jobs []JobState, faults []Fault, instanceOf map[int]string) (reexecuted, unexplained int, check report.SoakCheck) {
	var bad []string
	for _, j := range jobs {
		if len(j.Executions) < 2 {
			continue
		}
		reexecuted++
		runs := slices.Clone(j.Executions)
		slices.SortStableFunc(runs, func(a, b Execution) int {
			return cmp.Or(cmp.Compare(a.Attempt, b.Attempt), a.At.Compare(b.At))
		})
		from, to := j.CreatedAt.Add(-faultSlack), j.CreatedAt
		for _, e := range runs {
			to = maxTime(to, e.At)
		}
		to = to.Add(faultSlack)
		var why []string
		for _, e := range runs[:len(runs)-1] {
			inst, ok := instanceOf[e.PID]
			if !ok {
				inst = fmt.Sprintf("pid %d", e.PID)
			}
			if !slices.ContainsFunc(faults, func(f Fault) bool {
				return (f.Instance == "" || f.Instance == inst) && !f.From.After(to) && !f.To.Before(from)
			}) {
				why = append(why, fmt.Sprintf("attempt %d on %s", e.Attempt, inst))
			}
		}
		if len(why) > 0 {
			unexplained++
			bad = append(bad, fmt.Sprintf("%s (%d runs; no fault explains %s)", j.ID, len(runs), strings.Join(why, ", ")))
		}
	}
	check = none("every re-execution is explained by an injected fault", "jobs run again with no fault on the instance that ran them first", bad)
	check.Observed = fmt.Sprintf("%d jobs run more than once; ", reexecuted) + check.Observed
	return reexecuted, unexplained, check
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Ack is a job the backend accepted with a 201.
type Ack struct {
	Seq      int64  `json:"seq"`
	ID       string `json:"id"`
	Instance string `json:"instance"`
}

// maxExamples bounds how many job ids a failed check lists.
const maxExamples = 10

// Evaluate checks the final database state against what the client was told:
// every accepted job exists and is processed, each processed job has exactly
// one effect, written by its final attempt, and no job used more than
// maxAttempts attempts.
func Evaluate(jobs []JobState, acks []Ack, maxAttempts int) (report.SoakTally, []report.SoakCheck) {
	var t report.SoakTally
	byID := make(map[string]JobState, len(jobs))
	perSeq := map[int64]int{}
	acked := make(map[string]bool, len(acks))
	for _, a := range acks {
		acked[a.ID] = true
	}
	var lost, notProcessed, stuck, failed, dup, missing, stray, mismatch, over, unacked []string
	for _, j := range jobs {
		byID[j.ID] = j
		if j.Seq != nil {
			perSeq[*j.Seq]++
		}
		if !acked[j.ID] {
			unacked = append(unacked, j.ID)
		}
		switch j.Status {
		case "pending", "processing":
			stuck = append(stuck, fmt.Sprintf("%s (%s, attempts %d)", j.ID, j.Status, j.Attempts))
		case "failed":
			failed = append(failed, fmt.Sprintf("%s (attempts %d)", j.ID, j.Attempts))
		}
		if j.Status == "processed" {
			switch {
			case j.Effects > 1:
				dup = append(dup, fmt.Sprintf("%s (%d effects, attempts %v)", j.ID, j.Effects, j.EffectAttempts))
			case j.Effects == 0:
				missing = append(missing, j.ID)
			case j.EffectAttempts[0] != j.Attempts:
				mismatch = append(mismatch, fmt.Sprintf("%s (effect by attempt %d, job at %d)", j.ID, j.EffectAttempts[0], j.Attempts))
			}
		} else if j.Effects > 0 {
			stray = append(stray, fmt.Sprintf("%s (%s with %d effects)", j.ID, j.Status, j.Effects))
		}
		if j.Attempts > maxAttempts {
			over = append(over, fmt.Sprintf("%s (%d attempts)", j.ID, j.Attempts))
		}
	}
	for _, a := range acks {
		j, ok := byID[a.ID]
		switch {
		case !ok:
			lost = append(lost, fmt.Sprintf("%s (seq %d, accepted by %s)", a.ID, a.Seq, a.Instance))
		case j.Status != "processed":
			notProcessed = append(notProcessed, fmt.Sprintf("%s (%s)", a.ID, j.Status))
		}
	}
	retried := 0
	var twice []string
	for seq, n := range perSeq {
		if n > 1 {
			retried++
			twice = append(twice, fmt.Sprintf("seq %d (%d rows)", seq, n))
		}
	}
	slices.Sort(twice)
	t = report.SoakTally{
		Lost: len(lost), Duplicated: len(dup), Stuck: len(stuck), Failed: len(failed),
		MissingEffects: len(missing), StrayEffects: len(stray), EffectAttemptMismatch: len(mismatch),
		OverAttempts: len(over), Unacknowledged: len(unacked), RetriedSeqs: retried,
	}
	checks := []report.SoakCheck{
		none("every accepted job exists (none lost)", "accepted jobs without a row", lost),
		none("every accepted job is processed", "accepted jobs not processed", notProcessed),
		none("no job stuck pending or processing", "jobs pending or processing", stuck),
		none("no job ended failed", "jobs failed", failed),
		none("no processed job took effect twice", "processed jobs with more than one job_effects row", dup),
		none("every processed job took effect", "processed jobs without a job_effects row", missing),
		none("no effect for an unprocessed job", "unprocessed jobs with job_effects rows", stray),
		none("each effect was written by the job's final attempt", "effects from an earlier attempt", mismatch),
		none(fmt.Sprintf("attempts within JOB_MAX_ATTEMPTS=%d", maxAttempts), "jobs over the bound", over),
		// The client sends one idempotency key per job on every retry.
		none("each posted job made one row, retries included", "jobs posted once with more than one row", twice),
	}
	return t, checks
}

// none builds a check that passes when items is empty.
func none(name, what string, items []string) report.SoakCheck {
	c := report.SoakCheck{Name: name, Expected: "0 " + what, OK: len(items) == 0}
	c.Observed = fmt.Sprintf("%d %s", len(items), what)
	if len(items) > 0 {
		c.Observed += ": " + examples(items)
	}
	return c
}

func examples(items []string) string {
	shown := slices.Clone(items)
	extra := ""
	if len(shown) > maxExamples {
		extra = fmt.Sprintf(" and %d more", len(shown)-maxExamples)
		shown = shown[:maxExamples]
	}
	return strings.Join(shown, ", ") + extra
}

// Passed reports whether every check holds.
func Passed(checks []report.SoakCheck) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return len(checks) > 0
}
