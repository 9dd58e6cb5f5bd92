// Command river-worker is a small River program for the River proof suite
// (package main of ../): it migrates River's schema, inserts jobs, and
// works them as one River client, one OS process per client, the way an
// application using River would. Each job sleeps, then records its effect
// in its own table in the same transaction that completes the job
// (river.JobCompleteTx), so a proof can count how many times a job took
// effect.
//
//	river-worker migrate
//	river-worker insert N SLEEP_MS
//	river-worker work
//
// Settings come from the environment: DATABASE_URL (required), WORKER_ID
// (the client id, recorded in attempted_by), PORT (serve GET /health, a
// JSON document of this client's counters), and River's knobs, empty for
// River's defaults: RESCUE_STUCK_JOBS_AFTER and JOB_TIMEOUT (Go durations),
// MAX_WORKERS; COMPLETE_DETACHED=1 completes jobs on a context the job
// timeout does not cancel. SIGTERM stops the client gracefully: River's Stop waits for
// jobs in flight; a second signal or STOP_GRACE cancels them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// SleepArgs is the one job kind: sleep, then take effect once.
type SleepArgs struct {
	SleepMS int `json:"sleep_ms"`
}

// Kind names the job kind in river_job.kind.
func (SleepArgs) Kind() string { return "prove_sleep" }

// effectsTable records every execution that took effect.
const effectsTable = `CREATE TABLE IF NOT EXISTS job_effects (
	job_id bigint NOT NULL,
	attempt int NOT NULL,
	worker text NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now())`

type counters struct {
	started, completed, refused atomic.Int64
	running                     atomic.Int64
}

type sleepWorker struct {
	river.WorkerDefaults[SleepArgs]
	pool   *pgxpool.Pool
	id     string
	log    *slog.Logger
	counts *counters
	// detached: complete on a context River's job timeout does not cancel
	// (COMPLETE_DETACHED=1).
	detached bool
}

// Work sleeps without watching ctx, as a job that does not cooperate with
// cancellation would, then records its effect and completes the job in one
// transaction on the job's context.
func (w *sleepWorker) Work(ctx context.Context, job *river.Job[SleepArgs]) error {
	w.counts.started.Add(1)
	w.counts.running.Add(1)
	defer w.counts.running.Add(-1)
	w.log.Info("job started", "job_id", job.ID, "attempt", job.Attempt)
	time.Sleep(time.Duration(job.Args.SleepMS) * time.Millisecond)
	if w.detached {
		// A worker whose own work outlives the job's context (its own
		// timeout, a background context): River's job timeout no longer
		// stops the late transaction, only River's completion can.
		ctx = context.WithoutCancel(ctx)
	}
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO job_effects (job_id, attempt, worker) VALUES ($1, $2, $3)`, job.ID, job.Attempt, w.id); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if err != nil {
		w.counts.refused.Add(1)
		w.log.Info("job completion refused", "job_id", job.ID, "attempt", job.Attempt, "error", err.Error())
		return err
	}
	w.counts.completed.Add(1)
	w.log.Info("job completed", "job_id", job.ID, "attempt", job.Attempt)
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: river-worker migrate | insert N SLEEP_MS | work")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, stop, log, os.Args[1], os.Args[2:]); err != nil {
		log.Error("river-worker failed", "error", err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, stopSignals context.CancelFunc, log *slog.Logger, cmd string, args []string) error {
	dbURL := os.Getenv("DATABASE_URL")
	if dbURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		return fmt.Errorf("connect: malformed DATABASE_URL or unreachable database")
	}
	defer pool.Close()
	driver := riverpgxv5.New(pool)
	switch cmd {
	case "migrate":
		migrator, err := rivermigrate.New(driver, nil)
		if err != nil {
			return err
		}
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		_, err = pool.Exec(ctx, effectsTable)
		return err
	case "insert":
		if len(args) != 2 {
			return errors.New("usage: insert N SLEEP_MS")
		}
		n, err1 := strconv.Atoi(args[0])
		sleepMS, err2 := strconv.Atoi(args[1])
		if err1 != nil || err2 != nil || n < 1 {
			return errors.New("insert: N and SLEEP_MS are integers, N >= 1")
		}
		client, err := river.NewClient(driver, &river.Config{})
		if err != nil {
			return err
		}
		params := make([]river.InsertManyParams, n)
		for i := range params {
			params[i] = river.InsertManyParams{Args: SleepArgs{SleepMS: sleepMS}}
		}
		res, err := client.InsertMany(ctx, params)
		if err != nil {
			return err
		}
		for _, r := range res {
			fmt.Println(r.Job.ID)
		}
		return nil
	case "work":
		return work(ctx, stopSignals, log, pool, driver)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func work(ctx context.Context, stopSignals context.CancelFunc, log *slog.Logger, pool *pgxpool.Pool, driver *riverpgxv5.Driver) error {
	id := os.Getenv("WORKER_ID")
	counts := &counters{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sleepWorker{pool: pool, id: id, log: log, counts: counts, detached: os.Getenv("COMPLETE_DETACHED") == "1"})
	cfg := &river.Config{
		ID:      id,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: envInt("MAX_WORKERS", 10)}},
		Workers: workers,
		Logger:  log,
	}
	var err error
	if cfg.RescueStuckJobsAfter, err = envDuration("RESCUE_STUCK_JOBS_AFTER"); err != nil {
		return err
	}
	if cfg.JobTimeout, err = envDuration("JOB_TIMEOUT"); err != nil {
		return err
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return err
	}
	if port := os.Getenv("PORT"); port != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"worker": id, "running": counts.running.Load(), "started": counts.started.Load(),
				"completed": counts.completed.Load(), "refused": counts.refused.Load(),
			})
		})}
		go srv.Serve(ln)
		defer srv.Close()
	}
	if err := client.Start(context.Background()); err != nil {
		return err
	}
	log.Info("client started", "worker", id)
	<-ctx.Done()
	stopSignals() // a second SIGTERM now ends the process at once
	log.Info("stopping gracefully", "worker", id)
	grace, _ := envDuration("STOP_GRACE")
	stopCtx, cancel := context.WithTimeout(context.Background(), cmpDuration(grace, 30*time.Second))
	defer cancel()
	if err := client.Stop(stopCtx); err != nil {
		log.Info("graceful stop ran out; cancelling jobs in flight", "error", err.Error())
		hard, cancelHard := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelHard()
		return client.StopAndCancel(hard)
	}
	log.Info("stopped", "worker", id)
	return nil
}

func envInt(name string, fallback int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return fallback
}

func envDuration(name string) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func cmpDuration(d, fallback time.Duration) time.Duration {
	if d <= 0 {
		return fallback
	}
	return d
}
