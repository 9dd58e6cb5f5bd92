package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgtest"
)

// BenchmarkDrain measures how fast one backend works off a backlog that was
// inserted in bulk before it started: jobs/s until every job is processed.
// The handler records no side effect, as a no-op worker would.
func BenchmarkDrain(b *testing.B) {
	const backlog = 50000
	for range b.N {
		b.StopTimer()
		dbURL := pgtest.NewMigratedDatabase(b)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO jobs (id, payload) SELECT gen_random_uuid(), json_build_object('n', g) FROM generate_series(1, $1) g`, backlog); err != nil {
			b.Fatal(err)
		}
		cfg := testConfig(dbURL)
		cfg.LogLevel = "warn"
		cfg.RecordEffects = false
		// Tuning knobs for trying batch sizes without editing code.
		if v, err := strconv.Atoi(os.Getenv("BENCH_BATCH_SIZE")); err == nil {
			cfg.BatchSize = v
		}
		if v, err := strconv.Atoi(os.Getenv("BENCH_CONCURRENCY")); err == nil {
			cfg.Concurrency = v
		}
		srv, err := New(ctx, cfg, NewLogger(&syncBuffer{}, cfg.LogLevel))
		if err != nil {
			b.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		b.StartTimer()
		began := time.Now()
		go func() { done <- srv.Run(runCtx) }()
		// Watch the in-process counter, not the table: a count(*) every few
		// milliseconds would compete with the worker for the same two cores.
		for srv.State().Snapshot().ProcessedJobs < backlog {
			time.Sleep(time.Millisecond)
		}
		elapsed := time.Since(began)
		b.StopTimer()
		cancel()
		<-done
		var left int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE status <> 'processed'`).Scan(&left); err != nil || left != 0 {
			b.Fatalf("%d jobs not processed after the counter said all were (%v)", left, err)
		}
		conn.Close(ctx)
		b.ReportMetric(float64(backlog)/elapsed.Seconds(), "jobs/s")
	}
}

// BenchmarkPickupLatency posts jobs one at a time to an idle backend polling
// every 500 ms and measures insert → claim from the rows' own timestamps: the
// wake-up by notification, not the poll, must set the latency.
func BenchmarkPickupLatency(b *testing.B) {
	dbURL := pgtest.NewMigratedDatabase(b)
	cfg := testConfig(dbURL)
	cfg.LogLevel = "warn"
	cfg.PollInterval = 500 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := New(ctx, cfg, NewLogger(&syncBuffer{}, cfg.LogLevel))
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	base := "http://" + srv.Addr()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())

	const samples = 200
	b.ResetTimer()
	for range b.N {
		if _, err := conn.Exec(context.Background(), `DELETE FROM jobs`); err != nil {
			b.Fatal(err)
		}
		for range samples {
			resp, err := http.Post(base+"/jobs", "application/json", strings.NewReader(`{}`))
			if err != nil || resp.StatusCode != http.StatusCreated {
				b.Fatalf("post: %v %v", resp, err)
			}
			resp.Body.Close()
			time.Sleep(2 * time.Millisecond) // a steady trickle, not a burst: each job finds the worker idle
		}
		await.Until(b, 10*time.Second, "every job claimed", func() (bool, string) {
			var left int
			err := conn.QueryRow(context.Background(), `SELECT count(*) FROM jobs WHERE claimed_at IS NULL`).Scan(&left)
			return err == nil && left == 0, fmt.Sprintf("%d unclaimed (%v)", left, err)
		})
		rows, err := conn.Query(context.Background(), `SELECT extract(epoch FROM claimed_at - created_at) * 1000 FROM jobs`)
		if err != nil {
			b.Fatal(err)
		}
		lat, err := pgx.CollectRows(rows, pgx.RowTo[float64])
		if err != nil {
			b.Fatal(err)
		}
		slices.Sort(lat)
		b.ReportMetric(lat[len(lat)/2], "p50_ms")
		b.ReportMetric(lat[len(lat)*99/100], "p99_ms")
		b.ReportMetric(lat[len(lat)-1], "max_ms")
	}
}
