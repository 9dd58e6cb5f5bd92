package suite

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/backend/postgres/query"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestBacklogIsClaimedInPostedOrder holds the backlog to what POST /jobs
// makes: every job its own created_at, in insertion order, so the
// backend's own claim walks the jobs (and the heap) in the order they were
// inserted, and the backend's own ids (job.NewID), which sort in that order
// too.
func TestBacklogIsClaimedInPostedOrder(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewMigratedDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const n = 500
	if err := insertBacklog(ctx, conn, n); err != nil {
		t.Fatal(err)
	}
	var distinct, equalUpdated int
	if err := conn.QueryRow(ctx, `SELECT count(DISTINCT created_at), count(*) FILTER (WHERE updated_at = created_at) FROM jobs`).Scan(&distinct, &equalUpdated); err != nil {
		t.Fatal(err)
	}
	if distinct != n || equalUpdated != n {
		t.Fatalf("%d distinct created_at and %d rows with updated_at = created_at, want %d of each", distinct, equalUpdated, n)
	}
	var idsOutOfOrder, notV7 int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE by_id <> by_created), count(*) FILTER (WHERE substr(id::text, 15, 1) <> '7')
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS by_id, row_number() OVER (ORDER BY created_at) AS by_created FROM jobs) j`).Scan(&idsOutOfOrder, &notV7); err != nil {
		t.Fatal(err)
	}
	if idsOutOfOrder != 0 || notV7 != 0 {
		t.Fatalf("%d ids sort elsewhere than their created_at, %d are not version 7: not the ids POST /jobs gives", idsOutOfOrder, notV7)
	}
	rows, err := conn.Query(ctx, query.Claim, "00000000-0000-4000-8000-000000000001", n, 30000)
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var id string
		var attempts int
		var payload []byte
		err := row.Scan(&id, &attempts, &payload)
		return id, err
	})
	if err != nil || len(claimed) != n {
		t.Fatalf("claimed %d jobs (%v), want %d", len(claimed), err, n)
	}
	var outOfOrder int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM (
			SELECT (payload->>'n')::int AS n, row_number() OVER (ORDER BY created_at, id) AS claim_order FROM jobs
		) j WHERE n <> claim_order`).Scan(&outOfOrder)
	if err != nil {
		t.Fatal(err)
	}
	if outOfOrder != 0 {
		t.Fatalf("%d of %d jobs sit elsewhere in the claim order than in the insertion order", outOfOrder, n)
	}
}
