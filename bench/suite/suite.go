// Package suite runs the benchmark of issue #6 end to end: it provisions a
// throwaway Postgres, builds the reference backend and the River program,
// and measures drain throughput (ours, River, pgbench's limit for the same
// SQL), pick-up latency, POST /jobs latency, peak RSS and recovery time.
// Every contender runs as its own process against its own database on the
// same server; throughput contenders take turns within each round, so a
// ratio is always taken between figures measured under the same load.
package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Options configures a run. Zero values take the defaults of a full run.
type Options struct {
	// Quick is the CI smoke: small backlogs, two trials, short phases.
	Quick bool
	// Large is `make bench-large`: the growth curve with the 1,000,000-job
	// backlog beside 10,000 and 100,000 (3 trials, 2 at 1,000,000), on
	// throwaway and durable settings, with ours ×2 and pgbench at the main
	// backlog, and the jobs table after 1,000,000 jobs. It leaves out
	// River at its defaults, latency and recovery.
	Large bool
	// Trials of the drain comparison (default 5; Quick: 2; Large: 3). Each trial runs
	// every contender once, back to back, in an order that rotates between
	// trials; ratios are taken within a trial.
	Trials int
	// Backlog is the main drain backlog (default 100,000; Quick: 2,000):
	// ours ×1 and ×2, River and pgbench, and the durable comparison.
	Backlog int
	// GrowthBacklogs are the backlogs of the growth curve (default 10,000
	// and 100,000, and 1,000,000 with Large; Quick: 500 and 2,000).
	GrowthBacklogs []int
	// SkipDurable leaves out the durable-settings comparison. It needs a
	// server this run provisions, so DATABASE_URL leaves it out too.
	SkipDurable bool
	// DBSource is a pgprovision source; DatabaseURL selects the url source.
	DBSource    string
	DatabaseURL string
	// Pgbench is the pgbench binary (default: /usr/lib/postgresql/15/bin/pgbench,
	// else pgbench on PATH).
	Pgbench string
	// PgbenchClients are the client counts tried for the limit; the best
	// counts (default 2 and 4).
	PgbenchClients []int
	// Root is the repository root (default ".").
	Root string
	// Log receives progress lines.
	Log io.Writer
	// Only limits the run to one part while tuning: "drain" (the rounds,
	// without River at its defaults) or "latency" (pick-up, HTTP,
	// recovery). Empty runs everything.
	Only string
	// ProfileDir, when set, builds the backend with -tags pprof and saves
	// CPU profiles of the first 1-instance drain and of POST /jobs at 8
	// clients there (drain-cpu.pprof, post8-cpu.pprof).
	ProfileDir string
	// Settle is the longest each side of a trial waits, after its set-up
	// and before its clock starts, for the one-minute load average to fall
	// below results.QuietLoad1 (default 5 minutes, five time constants of
	// the load average; Quick: 0); the wait also ends at a cap derived from
	// the load's decay at the machine's measured activity (settleLimit). A
	// side that starts above the threshold marks its trial loaded.
	// Negative: no wait.
	Settle time.Duration
}

// Settings for the benchmark's own Postgres cluster: checkpoints every ~25 s
// under this write load add noise, so the WAL may grow large.
var postgresSettings = map[string]string{
	"max_wal_size":       "8GB",
	"checkpoint_timeout": "30min",
	"shared_buffers":     "256MB",
	"max_connections":    "300",
}

// durableSettings are what a production server runs with (Postgres's own
// defaults), which pgprovision turns off for throwaway servers. The
// durable comparison runs on a second server started with them on top of
// postgresSettings.
var durableSettings = map[string]string{
	"fsync":              "on",
	"synchronous_commit": "on",
	"full_page_writes":   "on",
}

// largeBacklogTrials is how many trials the 1,000,000-job backlog gets (a
// pair of drains there takes several minutes on a loaded machine).
const largeBacklogTrials = 2

// trialsFor is the number of trials of a growth backlog.
func (o *Options) trialsFor(backlog int) int {
	if backlog >= 1000000 {
		return min(o.Trials, largeBacklogTrials)
	}
	return o.Trials
}

func (o *Options) setDefaults() {
	if o.Trials <= 0 {
		switch {
		case o.Quick:
			o.Trials = 2
		case o.Large:
			o.Trials = 3
		default:
			o.Trials = 5
		}
	}
	if o.Settle == 0 && !o.Quick {
		o.Settle = defaultSettle
	}
	o.Settle = max(o.Settle, 0)
	if o.Backlog <= 0 {
		o.Backlog = 100000
		if o.Quick {
			o.Backlog = 2000
		}
	}
	if len(o.GrowthBacklogs) == 0 {
		switch {
		case o.Quick:
			o.GrowthBacklogs = []int{500, o.Backlog}
		case o.Large:
			o.GrowthBacklogs = []int{10000, o.Backlog, 1000000}
		default:
			o.GrowthBacklogs = []int{10000, o.Backlog}
		}
	}
	// The main drain (ours ×2, pgbench, durable) runs in the growth trial
	// of its backlog, so that backlog is always on the curve.
	if !slices.Contains(o.GrowthBacklogs, o.Backlog) {
		o.GrowthBacklogs = append(o.GrowthBacklogs, o.Backlog)
	}
	slices.Sort(o.GrowthBacklogs)
	o.GrowthBacklogs = slices.Compact(o.GrowthBacklogs)
	if o.DBSource == "" {
		o.DBSource = string(pgprovision.SourceAuto)
	}
	if o.Pgbench == "" {
		o.Pgbench = "/usr/lib/postgresql/15/bin/pgbench"
		if _, err := os.Stat(o.Pgbench); err != nil {
			if p, err := exec.LookPath("pgbench"); err == nil {
				o.Pgbench = p
			}
		}
	}
	if len(o.PgbenchClients) == 0 {
		// 4 clients was the reference figure; 8 measured no better
		// and would cost ~30 s of the 5-minute budget. 2 clients, one per
		// core and as many statements in flight as the backend's two
		// completion writers, cost less Postgres CPU per job (59-71 µs
		// against 64-83 at 4, loaded, batches of 250): 4 statements of 250
		// at the head of one queue skip and wait on each other's row locks.
		// The limit is the better of the two.
		o.PgbenchClients = []int{2, 4}
	}
	if o.Root == "" {
		o.Root = "."
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// run is the state of one benchmark run.
type run struct {
	opts    Options
	srv     *pgprovision.Server
	durable *pgprovision.Server // nil without the durable comparison
	tmp     string
	backend string // reference-backend binary
	river   string // river-bench binary
	res     *results.Results
	dbSeq   int
	// profiled is set once the first 1-instance drain was profiled.
	profiled bool
	// retentionKnob: the backend source that was built has JOB_RETENTION_MS.
	retentionKnob bool
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.opts.Log, "bench: "+format+"\n", args...)
}

// Run performs the whole benchmark and returns its results (also when a
// phase failed part way, with what was measured until then, and the error).
func Run(ctx context.Context, opts Options) (*results.Results, error) {
	opts.setDefaults()
	if _, err := os.Stat(filepath.Join(opts.Root, "backend", "main.go")); err != nil {
		return nil, fmt.Errorf("run from the repository root (no backend/main.go under %s)", opts.Root)
	}
	if opts.ProfileDir != "" {
		if err := os.MkdirAll(opts.ProfileDir, 0o755); err != nil {
			return nil, err
		}
	}
	r := &run{opts: opts, res: results.New()}
	r.res.StartedAt = time.Now().UTC()
	r.res.Quick = opts.Quick

	tmp, err := os.MkdirTemp("", "prodproof-bench-")
	if err != nil {
		return nil, err
	}
	r.tmp = tmp
	defer os.RemoveAll(tmp)
	// pgbench and the processes run as this user, the server as postgres:
	// the script files only need to be readable by this user.

	if err := r.build(ctx); err != nil {
		return nil, err
	}

	source := pgprovision.Source(opts.DBSource)
	if opts.DatabaseURL != "" {
		source = pgprovision.SourceURL
	}
	logf := func(format string, args ...any) { r.logf(format, args...) }
	// The durable server starts beside the main one, at the same time.
	type provisioned struct {
		srv *pgprovision.Server
		err error
	}
	var durableCh chan provisioned
	if !opts.SkipDurable && source != pgprovision.SourceURL && (opts.Only == "" || opts.Only == "drain") {
		settings := maps.Clone(postgresSettings)
		maps.Copy(settings, durableSettings)
		r.logf("provisioning a second postgres with fsync, synchronous_commit, full_page_writes on")
		durableCh = make(chan provisioned, 1)
		go func() {
			srv, err := pgprovision.Provision(ctx, pgprovision.Options{Source: source, Settings: settings, Logf: logf})
			durableCh <- provisioned{srv, err}
		}()
	}
	r.logf("provisioning postgres (source %s)", source)
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{
		Source:   source,
		URL:      opts.DatabaseURL,
		Settings: postgresSettings,
		Logf:     logf,
	})
	if durableCh != nil {
		d := <-durableCh
		if d.srv != nil {
			r.durable = d.srv
			defer d.srv.Close()
		}
		if err == nil && d.err != nil {
			err = fmt.Errorf("the durable server: %w", d.err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("provision postgres: %w", err)
	}
	r.srv = srv
	defer srv.Close()

	r.describe(ctx, srv)
	err = r.phases(ctx)
	r.res.ComputeRatios()
	r.res.Targets = targets(r.res)
	r.res.FinishedAt = time.Now().UTC()
	if err != nil {
		return r.res, errors.New(srv.Redact(err.Error()))
	}
	return r.res, nil
}

func (r *run) phases(ctx context.Context) error {
	switch r.opts.Only {
	case "", "drain", "latency", "retention":
	default:
		return fmt.Errorf("unknown part %q: want drain, latency or retention", r.opts.Only)
	}
	if r.opts.Only == "" || r.opts.Only == "drain" {
		if err := r.drainTrials(ctx); err != nil {
			return err
		}
	}
	if r.opts.Large {
		if r.opts.Only == "" || r.opts.Only == "retention" {
			if err := r.retention(ctx); err != nil {
				return fmt.Errorf("retention sizes: %w", err)
			}
		}
		return nil
	}
	if r.opts.Only == "" {
		// River at its defaults works at a fixed pace (MaxWorkers jobs per
		// FetchCooldown, ~1,000 jobs/s here) whatever the backlog, so it
		// drains a fifth of the main backlog once; its ratio is the first
		// trial's.
		res, err := r.riverDrain(ctx, r.srv, "river_defaults", riverDefaults(), max(r.opts.Backlog/5, 1000))
		if err != nil {
			return fmt.Errorf("river at its defaults: %w", err)
		}
		r.res.AddDrain("river_defaults", res.JobsPerSecond)
		r.logf("river_defaults (%d jobs): %.0f jobs/s", res.Jobs, res.JobsPerSecond)
	}
	if r.opts.Only == "" || r.opts.Only == "retention" {
		if err := r.retention(ctx); err != nil {
			return fmt.Errorf("retention sizes: %w", err)
		}
	}
	if r.opts.Only != "" && r.opts.Only != "latency" {
		return nil
	}
	if err := r.pickupAndHTTP(ctx); err != nil {
		return fmt.Errorf("pick-up and HTTP: %w", err)
	}
	if err := r.recovery(ctx); err != nil {
		return fmt.Errorf("recovery: %w", err)
	}
	return nil
}

// build compiles the backend and the River program (its own module) into
// the temp dir, so no `go run` compiles during a measurement.
func (r *run) build(ctx context.Context) error {
	r.backend = filepath.Join(r.tmp, "reference-backend")
	r.river = filepath.Join(r.tmp, "river-bench")
	// Read before the build, so the answer is about the source compiled.
	knob, err := r.retentionAvailable()
	if err != nil {
		return err
	}
	r.retentionKnob = knob
	r.logf("building reference-backend and river-bench")
	for _, b := range []struct{ dir, out, pkg string }{
		{r.opts.Root, r.backend, "./backend"},
		{filepath.Join(r.opts.Root, "bench", "river"), r.river, "."},
	} {
		args := []string{"build", "-o", b.out}
		if r.opts.ProfileDir != "" && b.pkg == "./backend" {
			args = append(args, "-tags", "pprof")
		}
		cmd := exec.CommandContext(ctx, "go", append(args, b.pkg)...)
		cmd.Dir = b.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s in %s: %w\n%s", b.pkg, b.dir, err, out)
		}
	}
	return nil
}

// newDatabase creates an empty database on srv for one measurement.
func (r *run) newDatabase(ctx context.Context, srv *pgprovision.Server, label string) (name, url string, err error) {
	r.dbSeq++
	name = fmt.Sprintf("bench_%02d_%s", r.dbSeq, label)
	url, err = srv.CreateDatabase(ctx, name)
	return name, url, err
}

func (r *run) dropDatabase(srv *pgprovision.Server, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.DropDatabase(ctx, name); err != nil {
		r.logf("drop database %s: %v", name, err)
	}
}

// migrate runs `reference-backend migrate up` against url, a database on
// srv, as an operator would.
func (r *run) migrate(ctx context.Context, srv *pgprovision.Server, url string) error {
	cmd := exec.CommandContext(ctx, r.backend, "migrate", "up")
	cmd.Env = []string{"DATABASE_URL=" + url}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("migrate up: %w: %s", err, srv.Redact(string(out)))
	}
	return nil
}

// migratedDatabase creates a database on srv for one measurement, migrates
// it and connects to it. drop closes conn and drops the database.
func (r *run) migratedDatabase(ctx context.Context, srv *pgprovision.Server, label string) (name, url string, conn *pgx.Conn, drop func(), err error) {
	name, url, err = r.newDatabase(ctx, srv, label)
	if err != nil {
		return "", "", nil, nil, err
	}
	if err := r.migrate(ctx, srv, url); err != nil {
		r.dropDatabase(srv, name)
		return "", "", nil, nil, err
	}
	conn, err = pgx.Connect(ctx, url)
	if err != nil {
		r.dropDatabase(srv, name)
		return "", "", nil, nil, fmt.Errorf("connect: %w", err)
	}
	drop = func() {
		conn.Close(context.WithoutCancel(ctx))
		r.dropDatabase(srv, name)
	}
	return name, url, conn, drop, nil
}

// insertBacklog bulk-inserts n pending jobs in one statement and refreshes
// the table's statistics and visibility map.
//
// Each job gets its own created_at (and updated_at), 1 µs apart in
// insertion order and ending now, as jobs posted one by one through POST
// /jobs get theirs: each insert is its own transaction. A single
// statement's now() would give every job the same created_at, and the
// claim's oldest-first order (created_at, id) would then be the order of
// the ids, a random walk over the heap that no posted backlog makes: at
// 1,000,000 jobs that walk, not the queue, cost 74-77 µs of Postgres CPU
// per job against 53 with posted order (54 at 100,000).
//
// The ids are the backend's own (job.NewID, what POST /jobs gives a job),
// made here in insertion order, so they sort as the jobs were posted:
// time-ordered since 3 December 2026, random (gen_random_uuid, version 4)
// before. River's backlog is claimed in insertion order too (its ids are a
// sequence).
func insertBacklog(ctx context.Context, conn *pgx.Conn, n int) error {
	ids := make([]pgtype.UUID, n)
	for i := range ids {
		ids[i] = pgtype.UUID{Bytes: job.NewID(), Valid: true}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO jobs (id, payload, created_at, updated_at)
		SELECT id, json_build_object('n', g), t, t
		FROM unnest($2::uuid[]) WITH ORDINALITY AS posted_ids (id, g),
			LATERAL (SELECT now() - ($1::int - g) * interval '1 microsecond' AS t) posted`, n, ids); err != nil {
		return fmt.Errorf("insert backlog: %w", err)
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE jobs`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

func countProcessed(ctx context.Context, conn *pgx.Conn) (int, error) {
	var n int
	err := conn.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE status = 'processed'`).Scan(&n)
	return n, err
}

// describe records the machine and versions.
func (r *run) describe(ctx context.Context, srv *pgprovision.Server) {
	m := results.Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPUModel = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		for _, line := range strings.Split(string(data), "\n") {
			if _, err := fmt.Sscanf(line, "MemTotal: %f kB", &kb); err == nil {
				m.MemGiB = kb / (1 << 20)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.TrimSpace(string(data))
	}
	r.res.Machine = m

	v := results.Versions{Go: runtime.Version(), Postgres: srv.Version, DBSource: string(srv.Source)}
	if out, err := exec.CommandContext(ctx, r.opts.Pgbench, "--version").Output(); err == nil {
		v.Pgbench = strings.TrimSpace(string(out))
	}
	prov := harness.Provenance(ctx, r.opts.Root, "")
	v.Commit, v.Dirty = prov.Commit, prov.Dirty
	r.res.Versions = v

	s := results.Settings{
		Backlog:          r.opts.Backlog,
		Trials:           r.opts.Trials,
		GrowthBacklogs:   r.opts.GrowthBacklogs,
		GrowthTrials:     map[string]int{},
		PostgresSettings: map[string]string{},
		BackendEnv:       drainEnv(""),
		PgbenchClients:   r.opts.PgbenchClients,
		PgbenchBatch:     backendBatch,
		QuietLoad1:       results.QuietLoad1,
		SettleSeconds:    r.opts.Settle.Seconds(),
	}
	delete(s.BackendEnv, "DATABASE_URL")
	for _, b := range r.opts.GrowthBacklogs {
		s.GrowthTrials[strconv.Itoa(b)] = r.opts.trialsFor(b)
	}
	if srv.Source != pgprovision.SourceURL {
		for k, val := range postgresSettings {
			s.PostgresSettings[k] = val
		}
		s.PostgresSettings["fsync"] = "off (pgprovision)"
		s.PostgresSettings["synchronous_commit"] = "off (pgprovision)"
		s.PostgresSettings["full_page_writes"] = "off (pgprovision)"
	}
	r.res.Settings = s
}
