package suite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/await"
)

// retentionMS is the retention the measurement runs with: the smallest the
// backend accepts, so a chunk's jobs go before the next chunk arrives.
const retentionMS = 1000

// retentionChunks is how many equal chunks the jobs arrive in (the smoke
// takes 3: each chunk with retention waits a sweep, about 2 s).
func (o *Options) retentionChunks() int {
	if o.Quick {
		return 3
	}
	return 10
}

// retentionJobs is how many jobs go through the backend per measurement.
func (o *Options) retentionJobs() int {
	switch {
	case o.Quick:
		return 2100
	case o.Large:
		return 1000000
	}
	return 100000
}

// retentionAvailable reports whether the backend at this commit has the
// JOB_RETENTION_MS knob: its configuration source names it. The build
// asks, before it compiles that source.
func (r *run) retentionAvailable() (bool, error) {
	files, err := filepath.Glob(filepath.Join(r.opts.Root, "backend", "config", "*.go"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if bytes.Contains(data, []byte(`"JOB_RETENTION_MS"`)) {
			return true, nil
		}
	}
	return false, nil
}

// retention measures the jobs table after the same jobs went through one
// backend without retention (JOB_RETENTION_MS=0) and with
// JOB_RETENTION_MS=retentionMS. The jobs arrive in chunks, each once the
// previous one is processed (with retention, also deleted), as traffic
// arrives over time; after each chunk a plain VACUUM stands in for
// autovacuum, so space freed by deletions can be reused, as it would be
// on a server running for days.
func (r *run) retention(ctx context.Context) error {
	jobs := r.opts.retentionJobs()
	rt := &results.Retention{Jobs: jobs, Chunks: r.opts.retentionChunks(), RetentionMS: retentionMS}
	r.res.Retention = rt
	var err error
	if rt.Without, err = r.retentionRun(ctx, jobs, 0); err != nil {
		return fmt.Errorf("without retention: %w", err)
	}
	r.logf("retention: without, %d jobs: %d rows, table %d B, indexes %d B", jobs, rt.Without.Rows, rt.Without.TableBytes, rt.Without.IndexBytes)
	if !r.retentionKnob {
		rt.NotMeasured = "retention not available: the backend has no JOB_RETENTION_MS knob at this commit"
		r.logf("retention: with: not measured (%s)", rt.NotMeasured)
		return nil
	}
	if rt.With, err = r.retentionRun(ctx, jobs, retentionMS); err != nil {
		return fmt.Errorf("with retention: %w", err)
	}
	r.logf("retention: with %d ms, %d jobs: %d rows, table %d B, indexes %d B", retentionMS, jobs, rt.With.Rows, rt.With.TableBytes, rt.With.IndexBytes)
	return nil
}

// retentionRun puts jobs through one backend in chunks and measures the
// table. JOB_RETENTION_MS is passed only to a backend that has the knob.
func (r *run) retentionRun(ctx context.Context, jobs, retention int) (*results.TableSize, error) {
	label := "keep"
	if retention > 0 {
		label = "retain"
	}
	name, url, conn, drop, err := r.migratedDatabase(ctx, r.srv, label)
	if err != nil {
		return nil, err
	}
	defer drop()

	env := drainEnv(url)
	if r.retentionKnob {
		env["JOB_RETENTION_MS"] = strconv.Itoa(retention)
	}
	b, err := startBackend(r.backend, r.tmp, name, env)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := b.stop(15 * time.Second); err != nil {
			r.logf("%v", err)
		}
	}()
	chunks := r.opts.retentionChunks()
	chunk := jobs / chunks
	began := time.Now()
	for i := range chunks {
		if _, err := conn.Exec(ctx, `INSERT INTO jobs (id, payload)
			SELECT gen_random_uuid(), json_build_object('n', g) FROM generate_series(1, $1) g`, chunk); err != nil {
			return nil, fmt.Errorf("insert chunk %d: %w", i+1, err)
		}
		if _, err := waitProcessed(ctx, []*backend{b}, chunk*(i+1), drainTimeout(chunk)); err != nil {
			return nil, fmt.Errorf("chunk %d: %w", i+1, err)
		}
		if retention > 0 {
			if err := waitNoProcessedRows(ctx, conn, 2*time.Minute); err != nil {
				return nil, fmt.Errorf("chunk %d: %w", i+1, err)
			}
		}
		if _, err := conn.Exec(ctx, `VACUUM jobs`); err != nil {
			return nil, fmt.Errorf("vacuum: %w", err)
		}
	}
	size := &results.TableSize{Seconds: time.Since(began).Seconds()}
	err = conn.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM jobs),
			(SELECT count(*) FROM jobs WHERE status = 'processed'),
			pg_table_size('jobs'), pg_indexes_size('jobs'), pg_total_relation_size('jobs')`).
		Scan(&size.Rows, &size.ProcessedRows, &size.TableBytes, &size.IndexBytes, &size.TotalBytes)
	if err != nil {
		return nil, fmt.Errorf("table size: %w", err)
	}
	if retention == 0 && size.ProcessedRows != int64(chunk*chunks) {
		return nil, fmt.Errorf("without retention %d of %d jobs are processed rows", size.ProcessedRows, chunk*chunks)
	}
	return size, nil
}

// waitNoProcessedRows waits until retention deleted every processed job.
func waitNoProcessedRows(ctx context.Context, conn *pgx.Conn, timeout time.Duration) error {
	return await.Poll(ctx, timeout, 100*time.Millisecond, "retention deleted every processed job", func() (bool, string, error) {
		var left int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE status = 'processed'`).Scan(&left); err != nil {
			return false, "", err
		}
		return left == 0, fmt.Sprintf("%d processed jobs left", left), nil
	})
}
