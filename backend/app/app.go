// Package app wires the reference backend together: the database pool, the
// schema check, the store, the worker's background Service and the HTTP
// server. The command line (package main) builds a Server from the
// configuration and calls Run; tests build one directly on port 0.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/backend/api"
	"github.com/prodproof/prodproof/backend/config"
	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/postgres"
	"github.com/prodproof/prodproof/backend/worker"
	"github.com/prodproof/prodproof/migrations"

	"github.com/prodproof/prodproof/internal/redact"
)

// readHeaderTimeout bounds how long a client may take to send its request
// headers, so stalled or deliberately slow clients cannot pin connections.
const readHeaderTimeout = 5 * time.Second

// The store is what the API and the worker need; they name it by their own
// interfaces and never import it.
var (
	_ api.Store    = (*postgres.Store)(nil)
	_ worker.Store = (*postgres.Store)(nil)
)

// ErrSchemaBehind means the database lacks migrations this binary needs.
var ErrSchemaBehind = errors.New("database schema is behind this binary")

// Server is a running backend's parts.
type Server struct {
	cfg        config.Config
	logger     *slog.Logger
	pool       *pgxpool.Pool
	store      *postgres.Store
	state      *worker.State
	background *worker.Service
	listener   net.Listener
	http       *http.Server
	migrations []migrations.Migration
}

// New connects to the database, checks that the schema is current and binds
// the HTTP port. Nothing runs until Run.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Server, error) {
	files, err := migrations.LoadDir(cfg.MigrationsDir)
	if err != nil {
		return nil, err
	}
	poolCfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, errors.New("parse DATABASE_URL: not a valid Postgres connection string")
	}
	poolCfg.MaxConns = int32(cfg.MaxConns)
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "reference-backend"
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("create database pool: %w", err)
	}
	s := &Server{cfg: cfg, logger: logger, pool: pool, migrations: files}
	if err := s.checkSchema(ctx); err != nil {
		pool.Close()
		return nil, err
	}

	s.store = postgres.New(pool, postgres.Options{Lease: cfg.Lease, MaxAttempts: cfg.MaxAttempts, RecordEffects: cfg.RecordEffects})
	s.state = worker.NewState(cfg.PollInterval)
	s.background, err = worker.NewService(worker.ServiceConfig{
		Worker: worker.Config{
			Store:          s.store,
			State:          s.state,
			Logger:         logger,
			PollInterval:   cfg.PollInterval,
			Lease:          cfg.Lease,
			BatchSize:      cfg.BatchSize,
			Concurrency:    cfg.Concurrency,
			FaultInjection: cfg.FaultInjection,
			MaxCrashes:     cfg.MaxCrashes,
			Handler:        s.handler(),
		},
		Listen: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
		},
		Exec: func(ctx context.Context, sql string, args ...any) error {
			_, err := pool.Exec(ctx, sql, args...)
			return err
		},
		Origin: job.NewID().String(),
		Retention: worker.Retention{
			Store:     s.store,
			Processed: cfg.Retention,
			Failed:    cfg.FailedRetention,
		},
	})
	if err != nil {
		pool.Close()
		return nil, err
	}

	addr := net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.Port))
	s.listener, err = net.Listen("tcp", addr)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.http = &http.Server{
		Handler: api.NewRouter(api.Config{
			Store:          s.store,
			State:          s.state,
			Logger:         logger,
			MaxBodyBytes:   cfg.MaxBodyBytes,
			SchemaCurrent:  s.checkSchema,
			JobInserted:    s.background.JobInserted,
			Alive:          s.background.Alive,
			FaultInjection: cfg.FaultInjection,
		}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the HTTP server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// State exposes the worker state, for tests.
func (s *Server) State() *worker.State { return s.state }

// handler is the reference handler: it accepts every job, and with
// JOB_RECORD_EXECUTIONS=1 first records the execution in its own
// transaction (see migrations/0005_create_job_executions.sql). A record
// that cannot be written fails the attempt, as a side effect that could not
// be made would.
func (s *Server) handler() worker.Handler {
	if !s.cfg.RecordExecutions {
		return nil
	}
	pid := os.Getpid()
	return func(ctx context.Context, c job.Claim) error {
		return s.store.RecordExecution(ctx, c.ID, c.Attempts, pid)
	}
}

func (s *Server) checkSchema(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer conn.Release()
	st, err := migrations.ReadStatus(ctx, conn.Conn(), s.migrations)
	if err != nil {
		return err
	}
	if st.Modified > 0 {
		for _, e := range st.Migrations {
			if e.State == migrations.Modified {
				return fmt.Errorf("migration %s changed after it was applied (checksum mismatch)", e.File)
			}
		}
	}
	if st.Pending > 0 {
		return fmt.Errorf("%w (%s); run `reference-backend migrate up`", ErrSchemaBehind, st.Summary())
	}
	return nil
}

// Run serves until ctx is cancelled, then shuts down gracefully: the HTTP
// server stops taking requests, the worker stops claiming and finishes or
// releases its jobs, all within the shutdown grace period.
func (s *Server) Run(ctx context.Context) error {
	defer s.pool.Close()
	// The background outlives ctx: it is stopped below, softly, within the
	// shutdown grace period.
	s.background.Start(context.WithoutCancel(ctx))

	serveErr := make(chan error, 1)
	go func() { serveErr <- s.http.Serve(s.listener) }()
	s.logger.Info("http listening", "addr", s.Addr())

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}

	s.logger.Info("shutdown started", "grace_ms", s.cfg.ShutdownGrace.Milliseconds())
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownGrace)
	defer cancel()
	if shutdownErr := s.http.Shutdown(graceCtx); shutdownErr != nil && !errors.Is(shutdownErr, context.DeadlineExceeded) {
		err = errors.Join(err, fmt.Errorf("http shutdown: %w", shutdownErr))
	}
	if stopErr := s.background.Stop(graceCtx); stopErr != nil {
		err = errors.Join(err, stopErr)
	}
	s.logger.Info("shutdown complete")
	return err
}

// NewLogger returns the JSON logger the backend writes to stderr. As a last
// line of defence it blanks the database password from any string value.
func NewLogger(w io.Writer, level string, secrets ...string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: lvl,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() != slog.KindString {
				return a
			}
			a.Value = slog.StringValue(Redact(a.Value.String(), secrets...))
			return a
		},
	}))
}

// Redact replaces every non-empty secret in msg, and its URL-escaped
// forms, with REDACTED, for the backend's logs and its command-line errors.
// The rule itself is internal/redact's, shared with the provisioner and the
// proofs' evidence.
func Redact(msg string, secrets ...string) string { return redact.Text(msg, secrets...) }

// PasswordOf returns the password inside a connection string, or "".
func PasswordOf(databaseURL string) string {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return ""
	}
	return cfg.Password
}
