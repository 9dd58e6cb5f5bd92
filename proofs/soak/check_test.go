package soak

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fabricated is a database in a state the test writes by hand, as if a
// soak had just ended.
type fabricated struct {
	t    *testing.T
	pool *pgxpool.Pool
	acks []Ack
	seq  int64
}

func setupDB(t *testing.T) *fabricated {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dbURL := pgtest.NewMigratedDatabase(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &fabricated{t: t, pool: pool}
}

// job inserts a job row in status with attempts, its payload carrying the
// next seq, plus one effect per entry of effectAttempts. acked adds the
// 201 the client would have seen.
func (f *fabricated) job(status string, attempts int, acked bool, effectAttempts ...int) string {
	f.t.Helper()
	ctx := context.Background()
	var id string
	lockedBy, lease := "NULL", "NULL"
	if status == "processing" {
		lockedBy, lease = "gen_random_uuid()", "now() + interval '1 minute'"
	}
	err := f.pool.QueryRow(ctx, fmt.Sprintf(`INSERT INTO jobs (id, status, attempts, payload, locked_by, lease_expires_at)
		VALUES (gen_random_uuid(), $1, $2, $3::text::json, %s, %s) RETURNING id::text`, lockedBy, lease),
		status, attempts, fmt.Sprintf(`{"seq":%d}`, f.seq)).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range effectAttempts {
		if _, err := f.pool.Exec(ctx, `INSERT INTO job_effects (job_id, attempt, worker_boot) VALUES ($1, $2, gen_random_uuid())`, id, a); err != nil {
			f.t.Fatal(err)
		}
	}
	if acked {
		f.acks = append(f.acks, Ack{Seq: f.seq, ID: id, Instance: "a1"})
	}
	f.seq++
	return id
}

// evaluate reads the fabricated state back through ReadJobs.
func (f *fabricated) evaluate() (Tally, []Check) {
	f.t.Helper()
	jobs, err := ReadJobs(context.Background(), f.pool)
	if err != nil {
		f.t.Fatal(err)
	}
	return Evaluate(jobs, f.acks, MaxAttempts)
}

func failedChecks(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Name+": "+c.Observed)
		}
	}
	return out
}

// TestCheckerBites fabricates end states, each with one thing wrong, and
// requires the checker to count it and fail the matching check; the clean
// state must pass.
func TestCheckerBites(t *testing.T) {
	cases := []struct {
		name      string
		fabricate func(f *fabricated)
		want      Tally
		failing   string // substring of the one failing check's name; "" for none
	}{
		{
			name: "clean: processed once, retried jobs too",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, true, 1)
				f.job("processed", 3, true, 3)
			},
		},
		{
			name: "a job took effect twice",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, true, 1)
				f.job("processed", 2, true, 1, 2)
			},
			want:    Tally{Duplicated: 1},
			failing: "took effect twice",
		},
		{
			name: "an accepted job has no row",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, true, 1)
				f.acks = append(f.acks, Ack{Seq: 99, ID: "00000000-0000-4000-8000-000000000001", Instance: "b2"})
			},
			want:    Tally{Lost: 1},
			failing: "none lost",
		},
		{
			name: "a job is stuck pending",
			fabricate: func(f *fabricated) {
				f.job("pending", 1, true)
			},
			want:    Tally{Stuck: 1},
			failing: "stuck",
		},
		{
			name: "a job is stuck processing",
			fabricate: func(f *fabricated) {
				f.job("processing", 2, true)
			},
			want:    Tally{Stuck: 1},
			failing: "stuck",
		},
		{
			name: "a job ended failed",
			fabricate: func(f *fabricated) {
				f.job("failed", MaxAttempts, true)
			},
			want:    Tally{Failed: 1},
			failing: "ended failed",
		},
		{
			name: "a processed job has no effect",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, true)
			},
			want:    Tally{MissingEffects: 1},
			failing: "every processed job took effect",
		},
		{
			name: "a pending job already took effect",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, true, 1)
				id := f.job("pending", 1, false, 1)
				_ = id
			},
			want:    Tally{Stuck: 1, StrayEffects: 1, Unacknowledged: 1},
			failing: "stuck",
		},
		{
			name: "the effect came from an earlier attempt",
			fabricate: func(f *fabricated) {
				f.job("processed", 2, true, 1)
			},
			want:    Tally{EffectAttemptMismatch: 1},
			failing: "final attempt",
		},
		{
			name: "attempts over the bound",
			fabricate: func(f *fabricated) {
				f.job("processed", MaxAttempts+1, true, MaxAttempts+1)
			},
			want:    Tally{OverAttempts: 1},
			failing: "attempts within",
		},
		{
			name: "a retried POST made a second row despite its idempotency key",
			fabricate: func(f *fabricated) {
				f.job("processed", 1, false, 1)
				f.seq-- // the client posted the same seq again and got the 201
				f.job("processed", 1, true, 1)
			},
			want:    Tally{Unacknowledged: 1, RetriedSeqs: 1},
			failing: "one row",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setupDB(t)
			c.fabricate(f)
			tally, checks := f.evaluate()
			if tally != c.want {
				t.Errorf("tally = %+v, want %+v", tally, c.want)
			}
			failed := failedChecks(checks)
			if c.failing == "" {
				if len(failed) > 0 || !Passed(checks) {
					t.Errorf("clean state failed checks: %v", failed)
				}
				return
			}
			if Passed(checks) {
				t.Fatalf("checks passed; want %q to fail", c.failing)
			}
			found := false
			for _, name := range failed {
				found = found || strings.Contains(name, c.failing)
			}
			if !found {
				t.Errorf("failed checks %v do not include %q", failed, c.failing)
			}
		})
	}
}

func TestReportLineCountsTheTally(t *testing.T) {
	r := &Report{Accepted: 500, FaultsTotal: 42, Tally: Tally{Lost: 1, Duplicated: 2, Stuck: 3}}
	want := "soak: 500 jobs, 42 faults, lost 1, duplicated 2, stuck 3"
	if got := r.Line(); got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}

func TestPassedNeedsChecks(t *testing.T) {
	if Passed(nil) {
		t.Error("no checks must not pass")
	}
	if Passed([]Check{{OK: true}, {OK: false}}) {
		t.Error("a failed check must fail the soak")
	}
}
