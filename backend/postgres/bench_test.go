package postgres

import (
	"context"
	"testing"

	"github.com/prodproof/prodproof/backend/job"
)

// BenchmarkCompleteAndClaim runs the worker's round on a backlog: each op
// completes the 250 jobs the previous op claimed and claims 250 more (the
// default JOB_BATCH_SIZE). allocs/job is the store's and pgx's allocations
// per job; the time includes Postgres, on the same cores.
func BenchmarkCompleteAndClaim(b *testing.B) {
	const batch = 250
	s, pool := setup(b, Options{})
	ctx := context.Background()
	ids := make(idArray, (b.N+1)*batch)
	for i := range ids {
		ids[i] = job.NewID()
	}
	if _, err := pool.Exec(ctx, `INSERT INTO jobs (id, payload, created_at)
		SELECT id, json_build_object('n', g), now() + g * interval '1 microsecond'
		FROM unnest($1::uuid[]) WITH ORDINALITY AS t (id, g)`, ids); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE jobs`); err != nil {
		b.Fatal(err)
	}
	owner := job.NewID()
	outcomes := make([]job.Outcome, 0, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		done, claims, err := s.CompleteAndClaim(ctx, owner, outcomes, batch)
		if err != nil {
			b.Fatal(err)
		}
		if done.Processed != len(outcomes) || len(claims) != batch {
			b.Fatalf("completed %+v of %d, claimed %d of %d", done, len(outcomes), len(claims), batch)
		}
		outcomes = outcomes[:0]
		for _, c := range claims {
			outcomes = append(outcomes, job.Outcome{ID: c.ID, Attempts: c.Attempts})
		}
	}
}
