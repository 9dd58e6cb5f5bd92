// Package config turns the backend's environment into a validated Config.
// It never reads the process environment itself: main passes a lookup
// function, so tests can build any environment. Errors name the variable and
// what is wrong with it, and never repeat the value of DATABASE_URL.
package config

import (
	"cmp"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is everything the backend needs to start.
type Config struct {
	// DatabaseURL is a postgres:// URL or key=value DSN. It is a secret:
	// never log it.
	DatabaseURL string
	// Port is the TCP port the HTTP server listens on.
	Port int
	// BindAddr is the interface to listen on; empty means all.
	BindAddr string
	// PollInterval is how often an idle worker looks for jobs when no
	// notification arrives; notifications make pick-up immediate.
	PollInterval time.Duration
	// Lease is how long a claim stays valid without a heartbeat. A process
	// that dies holding a job leaves it to be requeued after this long.
	Lease time.Duration
	// BatchSize is the most jobs one claim round trip takes.
	BatchSize int
	// Concurrency is the most jobs one worker processes at once.
	Concurrency int
	// MaxAttempts is how many claims a job gets before it is marked failed.
	MaxAttempts int
	// MaxCrashes is how many worker crashes in a row the supervisor restarts
	// before it gives up and reports the worker failed (the crash-loop guard).
	MaxCrashes int
	// MaxBodyBytes limits a POST /jobs body.
	MaxBodyBytes int64
	// ShutdownGrace bounds how long in-flight work may take after SIGTERM.
	ShutdownGrace time.Duration
	// FaultInjection enables the fault fields in job payloads. Off, they are
	// plain data.
	FaultInjection bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// MaxConns caps the database pool.
	MaxConns int
	// MigrationsDir, when set, replaces the embedded migration files.
	MigrationsDir string
	// Retention is how long a processed job is kept before it is deleted;
	// 0 keeps processed jobs forever.
	Retention time.Duration
	// FailedRetention is the same for failed jobs; 0 keeps them forever.
	FailedRetention time.Duration
	// RecordEffects writes a job_effects row with each completion (the
	// reference handler's side effect). Benchmarks may turn it off to
	// compare with no-op workers.
	RecordEffects bool
	// RecordExecutions writes a job_executions row, in its own transaction,
	// each time the handler runs a job: an external side effect that a
	// refused completion cannot undo, so the chaos soak can count
	// re-executions. Off by default.
	RecordExecutions bool
}

// Defaults for the optional knobs. A claim of 250 jobs costs about a fifth
// less CPU per job, backend and Postgres together, than 100: the
// per-statement and per-commit work is shared by more jobs
// (docs/benchmarks.md, "What was tuned"). A claim takes what is waiting,
// up to the batch size, so a trickle of jobs is never held back to fill a
// batch.
//
// The concurrency is three batches: the two rounds a busy worker keeps in
// flight (one per completion writer, see backend/worker) and one batch of
// slack. A round's claim takes at most the slots then free, and without
// slack those are only what its own completion gave back: a completion
// cut short (a batch written after its linger, with some jobs not yet
// reported) shrank the next claim, that claim's batch the next completion,
// and so on, so batches stayed short. With 500 (two batches) a 100,000-job
// drain claimed 185-250 jobs per round on a loaded machine, with 750 or
// more 248-250 (docs/benchmarks.md, 3 December 2026).
const (
	DefaultLease         = 30 * time.Second
	DefaultBatchSize     = 250
	DefaultConcurrency   = 3 * DefaultBatchSize
	DefaultMaxAttempts   = 5
	DefaultMaxCrashes    = 10
	DefaultMaxBodyBytes  = 64 << 10
	DefaultShutdownGrace = 10 * time.Second
	DefaultLogLevel      = "info"
	DefaultMaxConns      = 10
	// DefaultRetention keeps processed jobs a day, as River's job cleaner
	// does; failed ones stay a week, for someone to look at.
	DefaultRetention       = 24 * time.Hour
	DefaultFailedRetention = 7 * 24 * time.Hour
	// MinRetention is the shortest retention accepted (0 aside): shorter
	// would delete jobs before a client polling for them had seen them.
	MinRetention = time.Second
	// maxRetentionMS is ten years.
	maxRetentionMS = 10 * 365 * 24 * 60 * 60 * 1000
)

// Variable is one environment variable FromEnv reads, for --help.
type Variable struct {
	Name     string
	Required bool
	Meaning  string
}

// Variables lists every variable FromEnv reads, in the order it checks
// them; docs/reference-backend.md explains each at length.
var Variables = []Variable{
	{"DATABASE_URL", true, "Postgres connection string, a postgres:// URL or key=value settings"},
	{"PORT", true, "HTTP port, 1 to 65535"},
	{"JOB_POLL_MS", true, "idle worker's poll interval in ms (LISTEN/NOTIFY wakes it first)"},
	{"BIND_ADDR", false, "interface to listen on (default: all)"},
	{"JOB_LEASE_MS", false, "claim lease in ms (default 30000)"},
	{"JOB_BATCH_SIZE", false, "most jobs claimed per round trip (default 250)"},
	{"JOB_CONCURRENCY", false, "most jobs one worker runs at once (default 750)"},
	{"JOB_MAX_ATTEMPTS", false, "claims before a job is failed (default 5)"},
	{"WORKER_MAX_CRASHES", false, "worker crashes in a row before the supervisor gives up (default 10)"},
	{"MAX_BODY_BYTES", false, "largest POST /jobs body (default 65536)"},
	{"SHUTDOWN_GRACE_MS", false, "time in-flight work may take after SIGTERM (default 10000)"},
	{"FAULT_INJECTION", false, "1 honours fault fields in payloads; for the proofs only (default off)"},
	{"LOG_LEVEL", false, "debug, info, warn or error (default info)"},
	{"DB_MAX_CONNS", false, "database pool size (default 10)"},
	{"JOB_RETENTION_MS", false, "how long processed jobs are kept, 0 = forever (default 24 h)"},
	{"JOB_FAILED_RETENTION_MS", false, "how long failed jobs are kept, 0 = forever (default 7 days)"},
	{"MIGRATIONS_DIR", false, "read migrations from this folder instead of the embedded copy"},
	{"JOB_RECORD_EFFECTS", false, "0 stops writing a job_effects row per completion (default 1)"},
	{"JOB_RECORD_EXECUTIONS", false, "1 writes a job_executions row per run (default off)"},
}

// Error is a problem with one variable.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// FromEnv reads and validates the configuration. lookup is os.LookupEnv in
// production. The first problem found is returned; variables are checked in
// the order the docs list them.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	var c Config

	c.DatabaseURL = get("DATABASE_URL")
	if err := ValidateDatabaseURL(c.DatabaseURL); err != nil {
		return Config{}, err
	}
	port, err := requiredInt(get, "PORT", 1, 65535)
	if err != nil {
		return Config{}, err
	}
	c.Port = port
	pollMS, err := requiredInt(get, "JOB_POLL_MS", 1, 24*60*60*1000)
	if err != nil {
		return Config{}, err
	}
	c.PollInterval = time.Duration(pollMS) * time.Millisecond

	c.BindAddr = get("BIND_ADDR")
	leaseMS, err := optionalInt(get, "JOB_LEASE_MS", int(DefaultLease/time.Millisecond), 100, 24*60*60*1000)
	if err != nil {
		return Config{}, err
	}
	c.Lease = time.Duration(leaseMS) * time.Millisecond
	if c.BatchSize, err = optionalInt(get, "JOB_BATCH_SIZE", DefaultBatchSize, 1, 10000); err != nil {
		return Config{}, err
	}
	if c.Concurrency, err = optionalInt(get, "JOB_CONCURRENCY", DefaultConcurrency, 1, 100000); err != nil {
		return Config{}, err
	}
	if c.MaxAttempts, err = optionalInt(get, "JOB_MAX_ATTEMPTS", DefaultMaxAttempts, 1, 1000); err != nil {
		return Config{}, err
	}
	if c.MaxCrashes, err = optionalInt(get, "WORKER_MAX_CRASHES", DefaultMaxCrashes, 1, 1000); err != nil {
		return Config{}, err
	}
	maxBody, err := optionalInt(get, "MAX_BODY_BYTES", DefaultMaxBodyBytes, 2, 64<<20)
	if err != nil {
		return Config{}, err
	}
	c.MaxBodyBytes = int64(maxBody)
	graceMS, err := optionalInt(get, "SHUTDOWN_GRACE_MS", int(DefaultShutdownGrace/time.Millisecond), 0, 60*60*1000)
	if err != nil {
		return Config{}, err
	}
	c.ShutdownGrace = time.Duration(graceMS) * time.Millisecond
	switch v := get("FAULT_INJECTION"); v {
	case "", "0", "false":
	case "1", "true":
		c.FaultInjection = true
	default:
		return Config{}, &Error{"FAULT_INJECTION", fmt.Sprintf("must be 1 or 0, got %q", clip(v))}
	}
	c.LogLevel = cmp.Or(strings.ToLower(get("LOG_LEVEL")), DefaultLogLevel)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return Config{}, &Error{"LOG_LEVEL", fmt.Sprintf("must be debug, info, warn or error, got %q", clip(c.LogLevel))}
	}
	if c.MaxConns, err = optionalInt(get, "DB_MAX_CONNS", DefaultMaxConns, 2, 1000); err != nil {
		return Config{}, err
	}
	if c.Retention, err = retention(get, "JOB_RETENTION_MS", DefaultRetention); err != nil {
		return Config{}, err
	}
	if c.FailedRetention, err = retention(get, "JOB_FAILED_RETENTION_MS", DefaultFailedRetention); err != nil {
		return Config{}, err
	}
	c.MigrationsDir = get("MIGRATIONS_DIR")
	switch v := get("JOB_RECORD_EFFECTS"); v {
	case "", "1", "true":
		c.RecordEffects = true
	case "0", "false":
	default:
		return Config{}, &Error{"JOB_RECORD_EFFECTS", fmt.Sprintf("must be 1 or 0, got %q", clip(v))}
	}
	// Off unless asked for.
	switch v := get("JOB_RECORD_EXECUTIONS"); v {
	case "true", "1":
		c.RecordExecutions = true
	case "false", "0", "":
	default:
		return Config{}, &Error{"JOB_RECORD_EXECUTIONS", fmt.Sprintf("must be 1 or 0, got %q", clip(v))}
	}
	return c, nil
}

// ValidateDatabaseURL checks that DATABASE_URL is present and parses as a
// Postgres connection string. The message never contains the value: pgx's
// own parse errors can quote it, so they are not passed through.
func ValidateDatabaseURL(raw string) error {
	if raw == "" {
		return &Error{"DATABASE_URL", "is required (a postgres:// URL)"}
	}
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return &Error{"DATABASE_URL", "not a valid postgres:// URL (value not shown: it may hold a password)"}
		}
	}
	// The pool's parser, not the connection's: it also reads the pool_*
	// settings, so a value serve would fail to use is refused here, with
	// the status and line of every other bad variable.
	if _, err := pgxpool.ParseConfig(raw); err != nil {
		return &Error{"DATABASE_URL", "not a valid Postgres connection string (value not shown: it may hold a password)"}
	}
	return nil
}

func requiredInt(get func(string) string, name string, lo, hi int) (int, error) {
	v := get(name)
	if v == "" {
		return 0, &Error{name, fmt.Sprintf("is required (an integer from %d to %d)", lo, hi)}
	}
	return parseInt(name, v, lo, hi)
}

func optionalInt(get func(string) string, name string, def, lo, hi int) (int, error) {
	v := get(name)
	if v == "" {
		return def, nil
	}
	return parseInt(name, v, lo, hi)
}

// retention reads a retention in milliseconds: 0 (keep forever) or from
// MinRetention up.
func retention(get func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || (n != 0 && (n < MinRetention.Milliseconds() || n > maxRetentionMS)) {
		return 0, &Error{name, fmt.Sprintf("must be 0 (keep forever) or an integer from %d to %d (milliseconds), got %q", MinRetention.Milliseconds(), int64(maxRetentionMS), clip(v))}
	}
	return time.Duration(n) * time.Millisecond, nil
}

func parseInt(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &Error{name, fmt.Sprintf("must be an integer from %d to %d, got %q", lo, hi, clip(v))}
	}
	return n, nil
}

// clip keeps an echoed bad value short and hides one that looks like a
// connection string, so a secret pasted into the wrong variable is not printed.
func clip(v string) string {
	if strings.ContainsAny(v, "@=") || strings.Contains(v, "://") {
		return "(value hidden: it looks like a connection string)"
	}
	const max = 32
	if len(v) > max {
		return v[:max] + "…"
	}
	return v
}

// Effective is the configuration as the backend runs with it, for the one
// log line it writes at start: every variable of the docs' table but
// DATABASE_URL (a secret), by its name, in the table's units (ms, bytes)
// and its default filled in where it was unset. A flag is 1 or 0; an
// unset BIND_ADDR or MIGRATIONS_DIR is "" (all interfaces, the embedded
// migrations). The list alternates keys and values, as slog takes them.
func (c Config) Effective() []any {
	flag := func(on bool) string {
		if on {
			return "1"
		}
		return "0"
	}
	return []any{
		"PORT", c.Port,
		"JOB_POLL_MS", c.PollInterval.Milliseconds(),
		"BIND_ADDR", c.BindAddr,
		"JOB_LEASE_MS", c.Lease.Milliseconds(),
		"JOB_BATCH_SIZE", c.BatchSize,
		"JOB_CONCURRENCY", c.Concurrency,
		"JOB_MAX_ATTEMPTS", c.MaxAttempts,
		"JOB_RETENTION_MS", c.Retention.Milliseconds(),
		"JOB_FAILED_RETENTION_MS", c.FailedRetention.Milliseconds(),
		"WORKER_MAX_CRASHES", c.MaxCrashes,
		"MAX_BODY_BYTES", c.MaxBodyBytes,
		"SHUTDOWN_GRACE_MS", c.ShutdownGrace.Milliseconds(),
		"DB_MAX_CONNS", c.MaxConns,
		"LOG_LEVEL", c.LogLevel,
		"FAULT_INJECTION", flag(c.FaultInjection),
		"JOB_RECORD_EFFECTS", flag(c.RecordEffects),
		"JOB_RECORD_EXECUTIONS", flag(c.RecordExecutions),
		"MIGRATIONS_DIR", c.MigrationsDir,
	}
}
