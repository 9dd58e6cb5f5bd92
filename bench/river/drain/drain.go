// Package drain measures River working off a backlog: the jobs are inserted
// in bulk before the client starts, and the clock runs from Client.Start to
// the completion event of the last job (River emits it after the completion
// is written to the database).
package drain

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// Options configures one drain.
type Options struct {
	// DatabaseURL names an empty database (River's tables are migrated in).
	// It is a secret: errors never repeat it.
	DatabaseURL string
	// Jobs is the backlog size.
	Jobs int
	// MaxWorkers is the default queue's MaxWorkers.
	MaxWorkers int
	// FetchCooldown and FetchPollInterval override River's defaults when
	// non-zero.
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration
	// MaxConns overrides pgxpool's default pool size when non-zero.
	MaxConns int
	// Timeout bounds the drain.
	Timeout time.Duration
	// Marks, when not nil, is told when the clock starts and stops.
	Marks Marks
}

// Result is what one drain measured. It is printed as one JSON line.
type Result struct {
	Jobs              int     `json:"jobs"`
	Seconds           float64 `json:"seconds"`
	JobsPerSecond     float64 `json:"jobs_per_s"`
	InsertSeconds     float64 `json:"insert_seconds"`
	MaxWorkers        int     `json:"max_workers"`
	FetchCooldownMS   float64 `json:"fetch_cooldown_ms"`
	FetchPollMS       float64 `json:"fetch_poll_interval_ms"`
	PoolMaxConns      int32   `json:"pool_max_conns"`
	RiverVersion      string  `json:"river_version"`
	CompletedInDBRows int     `json:"completed_rows"`
	// AttemptedToFinalized is per job attempted_at → finalized_at in
	// milliseconds (the claim to the recorded completion), p50 and p99.
	AttemptedToFinalizedP50MS float64 `json:"attempted_to_finalized_p50_ms"`
	AttemptedToFinalizedP99MS float64 `json:"attempted_to_finalized_p99_ms"`
	// ProcessCPUMS is this process's CPU time (user + system, getrusage)
	// from Client.Start to the last completion event.
	ProcessCPUMS float64 `json:"process_cpu_ms"`
}

// Marks, when set, is told when the backlog is ready, when the clock
// starts and when it stops, so a caller can count what the database spends
// in between. Ready may block: a caller waits there, after the backlog's
// insert and before the clock, for the machine to settle, as it does for
// the reference backend after its own insert.
type Marks interface {
	Ready(ctx context.Context) error
	Draining()
	Drained()
}

// noopArgs is the job: it carries nothing and its worker does nothing, so
// the figure is the queue's own overhead.
type noopArgs struct{}

func (noopArgs) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// insertChunk bounds one InsertManyFast call (a COPY in one transaction).
const insertChunk = 10000

// Run migrates River's schema, inserts the backlog and drains it.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.DatabaseURL == "" {
		return Result{}, errors.New("DATABASE_URL is required")
	}
	if opts.Jobs < 1 || opts.MaxWorkers < 1 {
		return Result{}, errors.New("jobs and max-workers must be positive")
	}
	poolCfg, err := pgxpool.ParseConfig(opts.DatabaseURL)
	if err != nil {
		return Result{}, errors.New("DATABASE_URL is not a valid connection string (value not shown)")
	}
	if opts.MaxConns > 0 {
		poolCfg.MaxConns = int32(opts.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return Result{}, fmt.Errorf("connect: %w", err)
	}
	defer pool.Close()
	driver := riverpgxv5.New(pool)

	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return Result{}, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return Result{}, fmt.Errorf("river migrate up: %w", err)
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	cfg := &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}},
		Workers:           workers,
		FetchCooldown:     opts.FetchCooldown,
		FetchPollInterval: opts.FetchPollInterval,
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return Result{}, fmt.Errorf("river client: %w", err)
	}

	insertBegan := time.Now()
	params := make([]river.InsertManyParams, 0, insertChunk)
	for left := opts.Jobs; left > 0; {
		params = params[:0]
		for range min(left, insertChunk) {
			params = append(params, river.InsertManyParams{Args: noopArgs{}})
		}
		n, err := client.InsertManyFast(ctx, params)
		if err != nil {
			return Result{}, fmt.Errorf("insert backlog: %w", err)
		}
		left -= n
	}
	// The same housekeeping the driver does for the reference backend's
	// backlog: fresh statistics and visibility map before the clock starts.
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE river_job`); err != nil {
		return Result{}, fmt.Errorf("vacuum: %w", err)
	}
	insertTook := time.Since(insertBegan)

	completed, cancelSub := client.SubscribeConfig(&river.SubscribeConfig{
		Kinds:    []river.EventKind{river.EventKindJobCompleted},
		ChanSize: opts.Jobs + 1000, // never drop an event: each one is counted
	})
	defer cancelSub()

	if opts.Marks != nil {
		if err := opts.Marks.Ready(ctx); err != nil {
			return Result{}, fmt.Errorf("waiting to start: %w", err)
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if opts.Marks != nil {
		opts.Marks.Draining()
	}
	cpuBefore, err := processCPU()
	if err != nil {
		return Result{}, err
	}
	began := time.Now()
	if err := client.Start(runCtx); err != nil {
		return Result{}, fmt.Errorf("start river client: %w", err)
	}
	done := 0
	for done < opts.Jobs {
		select {
		case ev := <-completed:
			if ev != nil {
				done++
			}
		case <-runCtx.Done():
			_ = client.Stop(context.WithoutCancel(ctx))
			return Result{}, fmt.Errorf("drain: %d of %d jobs completed before %w", done, opts.Jobs, runCtx.Err())
		}
	}
	took := time.Since(began)
	cpuAfter, err := processCPU()
	if err != nil {
		return Result{}, err
	}
	if opts.Marks != nil {
		opts.Marks.Drained()
	}
	stopCtx, stopCancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer stopCancel()
	if err := client.Stop(stopCtx); err != nil {
		return Result{}, fmt.Errorf("stop river client: %w", err)
	}

	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&rows); err != nil {
		return Result{}, fmt.Errorf("count completed: %w", err)
	}
	if rows != opts.Jobs {
		return Result{}, fmt.Errorf("river reported %d completions but %d rows are completed", opts.Jobs, rows)
	}
	var p50, p99 float64
	if err := pool.QueryRow(ctx, `SELECT
			percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
			percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
		FROM (SELECT extract(epoch FROM finalized_at - attempted_at)::float8 * 1000 AS ms FROM river_job) j`).Scan(&p50, &p99); err != nil {
		return Result{}, fmt.Errorf("attempted → finalized percentiles: %w", err)
	}
	return Result{
		AttemptedToFinalizedP50MS: p50,
		AttemptedToFinalizedP99MS: p99,
		Jobs:                      opts.Jobs,
		Seconds:                   took.Seconds(),
		JobsPerSecond:             float64(opts.Jobs) / took.Seconds(),
		InsertSeconds:             insertTook.Seconds(),
		MaxWorkers:                opts.MaxWorkers,
		FetchCooldownMS:           ms(cmp.Or(opts.FetchCooldown, river.FetchCooldownDefault)),
		FetchPollMS:               ms(cmp.Or(opts.FetchPollInterval, river.FetchPollIntervalDefault)),
		PoolMaxConns:              pool.Config().MaxConns,
		RiverVersion:              riverVersion(),
		CompletedInDBRows:         rows,
		ProcessCPUMS:              ms(cpuAfter - cpuBefore),
	}, nil
}

// processCPU is the user + system CPU time this process has used so far.
func processCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// riverVersion reads the River module version this binary was built with.
func riverVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/riverqueue/river" {
			return dep.Version
		}
	}
	return "unknown"
}
