package suite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/backend/config"
	"github.com/prodproof/prodproof/bench/pgbench"
	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgprovision"
)

// backendBatch is the backend's default JOB_BATCH_SIZE; pgbench claims the
// same number of jobs per transaction.
const backendBatch = config.DefaultBatchSize

// drainEnv is the environment of a draining backend: its defaults, except
// that the handler is a no-op like River's worker (no job_effects row).
func drainEnv(url string) map[string]string {
	return map[string]string{
		"DATABASE_URL":       url,
		"JOB_POLL_MS":        "500",
		"JOB_RECORD_EFFECTS": "0",
	}
}

type riverConfig struct {
	maxWorkers    int
	fetchCooldown time.Duration
}

// riverDefaults is River with nothing tuned: MaxWorkers must be set, and
// 100 is the value of River's own examples; fetch cooldown and poll interval
// are River's defaults (100 ms, 1 s).
func riverDefaults() riverConfig { return riverConfig{maxWorkers: 100} }

// riverBest is the best configuration measured on this machine (MaxWorkers
// 2000, FetchCooldown 2 ms), see docs/benchmarks.md.
func riverBest() riverConfig {
	return riverConfig{maxWorkers: 2000, fetchCooldown: 2 * time.Millisecond}
}

// drainTrial is what one drain of ours measured.
type drainTrial struct {
	jobsPerSec float64
	// p50MS and p99MS are claimed → completed per job, from the rows.
	p50MS, p99MS float64
	// probe is the claim and completion timing on the backlog before the
	// drain (zero unless asked for).
	probe claimProbe
	// start is how the drain started (its settle wait, the load average),
	// load1End the load average when it ended, cpu the CPU time per job of
	// the backend processes and their Postgres connections (nil when the
	// server is not on this machine).
	start    startRecord
	load1End float64
	cpu      *results.CPUPerJob
	// startUp is the time from the processes' exec to the clock's start
	// (the earliest process's start-up), outside the clock.
	startUp time.Duration
	// healthReads is how many reads of /health saw the drain's end.
	healthReads int
}

// side is the trial's record of this drain.
func (t drainTrial) side() results.Side {
	s := t.start.side(t.jobsPerSec, t.load1End, t.cpu)
	startUp := t.startUp.Seconds()
	s.StartUpSeconds = &startUp
	reads := t.healthReads
	s.HealthReads = &reads
	return s
}

// oursDrain inserts the backlog into a fresh database on srv, starts n
// backend processes at once and times from the end of their start-up (the
// first process's, see startUpDoneMsg) to the moment their /health counters
// add up to the backlog (each counter moves after its completion
// committed). The table is then checked: every job must be
// processed. With probe, the claim and completion SQL are timed on the
// backlog first.
func (r *run) oursDrain(ctx context.Context, srv *pgprovision.Server, n, backlog int, probe bool) (drainTrial, error) {
	var out drainTrial
	name, url, conn, drop, err := r.migratedDatabase(ctx, srv, fmt.Sprintf("ours%d", n))
	if err != nil {
		return out, err
	}
	defer drop()
	if err := insertBacklog(ctx, conn, backlog); err != nil {
		return out, err
	}
	if probe {
		if out.probe, err = probeClaim(ctx, conn, pgbench.BackendSQL(), probeRounds); err != nil {
			return out, err
		}
	}

	procs := make([]*backend, 0, n)
	defer func() {
		for _, p := range procs {
			if rss, err := p.peakRSSMiB(); err == nil {
				r.res.NoteRSS("drain", rss)
			}
			if err := p.stop(15 * time.Second); err != nil {
				r.logf("%v", err)
			}
		}
	}()
	out.start = r.settle(ctx)
	pgCPU, err := serverCPU(srv, conn)
	if err != nil {
		return out, err
	}
	profiling := ""
	if n == 1 && !r.profiled {
		profiling = r.opts.ProfileDir
		r.profiled = true
	}
	var profiled <-chan error
	spawned := time.Now()
	for i := range n {
		env := drainEnv(url)
		addr, err := profileEnv(profiling, env)
		if err != nil {
			return out, err
		}
		p, err := startBackend(r.backend, r.tmp, fmt.Sprintf("%s-%d", name, i), env)
		if err != nil {
			return out, err
		}
		procs = append(procs, p)
		if addr != "" {
			profiled = captureCPUProfile(ctx, addr, 3, filepath.Join(profiling, "drain-cpu.pprof"))
		}
	}
	// The clock starts where each process's start-up ends, as River's
	// starts at Client.Start, after river-bench connected and checked
	// its schema: the earliest process's mark. The CPU counted is what
	// each process and the Postgres server spent after its mark.
	var began time.Time
	var pgBefore time.Duration
	processesBefore := make([]time.Duration, n)
	for i, p := range procs {
		at, err := p.waitStartedWork(ctx, time.Minute)
		if err != nil {
			return out, err
		}
		if i == 0 || at.Before(began) {
			began = at
		}
		if pgCPU != nil {
			if i == 0 {
				if pgBefore, err = pgCPU.total(); err != nil {
					return out, err
				}
			}
			if processesBefore[i], err = processCPU(p.pid()); err != nil {
				return out, fmt.Errorf("CPU time of the backend: %w", err)
			}
		}
	}
	out.startUp = began.Sub(spawned)
	if out.healthReads, err = waitProcessed(ctx, procs, backlog, drainTimeout(backlog)); err != nil {
		return out, err
	}
	took := time.Since(began)
	r.logf("ours, %d process(es), %d jobs: the end seen after %d reads of /health", n, backlog, out.healthReads)
	out.load1End = load1Now()
	if pgCPU != nil {
		var processes time.Duration
		for i, p := range procs {
			used, err := processCPU(p.pid())
			if err != nil {
				return out, fmt.Errorf("CPU time of the backend: %w", err)
			}
			processes += used - processesBefore[i]
		}
		pgAfter, err := pgCPU.total()
		if err != nil {
			return out, err
		}
		out.cpu = cpuPerJob(processes, pgAfter-pgBefore, backlog)
	}
	if profiled != nil {
		if err := <-profiled; err != nil {
			r.logf("%v", err)
		}
	}
	done, err := countProcessed(ctx, conn)
	if err != nil {
		return out, err
	}
	if done != backlog {
		return out, fmt.Errorf("counters say %d processed, the table says %d", backlog, done)
	}
	out.jobsPerSec = float64(backlog) / took.Seconds()
	err = conn.QueryRow(ctx, `SELECT
			percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
			percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
		FROM (SELECT extract(epoch FROM processed_at - claimed_at)::float8 * 1000 AS ms FROM jobs) j`).Scan(&out.p50MS, &out.p99MS)
	if err != nil {
		return out, fmt.Errorf("claimed → processed percentiles: %w", err)
	}
	return out, nil
}

// drainTimeout bounds one drain: generous, as the machine may be shared.
func drainTimeout(backlog int) time.Duration {
	return 3*time.Minute + time.Duration(backlog/1000)*time.Second
}

// waitProcessed reads the processes' /health counters until they add up to
// want, and returns how many reads it made (one request to each process
// per read); a process that exits fails the wait. The reads are paced by
// drainPace.
func waitProcessed(ctx context.Context, procs []*backend, want int, timeout time.Duration) (reads int, err error) {
	pace := drainPace{want: want}
	err = await.Paced(ctx, timeout, "drain", func() (bool, string, time.Duration, error) {
		reads++
		total := 0
		for _, p := range procs {
			select {
			case <-p.exited:
				return false, "", 0, fmt.Errorf("backend exited during the drain (%v): %s", p.waitErr, p.logTail())
			default:
			}
			c, err := p.processedJobs(ctx)
			if err == nil {
				total += c
			}
		}
		return total >= want, fmt.Sprintf("%d of %d jobs processed", total, want), pace.next(total, time.Now()), nil
	})
	return reads, err
}

// A drain's end is read from the processes' /health, and each read costs
// the process it measures a request and a database ping, work River's own
// clock (in its process) does not cause. Reading every drainPollMin
// throughout cost the backend a quarter of its CPU in a loaded profile
// (docs/benchmarks.md, 3 December 2026). So the reads are spaced by what
// remains: the next comes after 1/drainPollShare of the time the jobs
// still waiting take at the rate of the last interval, between
// drainPollMin and drainPollMax. Near the end the reads are drainPollMin
// apart, as before, so the end is seen as soon, unless the rate rises more
// than drainPollShare-fold from one read to the next; the count of reads
// grows with the logarithm of the drain's length, not with the length.
const (
	drainPollMin   = 10 * time.Millisecond
	drainPollMax   = time.Second
	drainPollShare = 4
)

// drainPace spaces the reads of a drain that ends at want processed jobs.
type drainPace struct {
	want   int
	read   bool // a read was made before
	last   int
	lastAt time.Time
}

// next is the wait after a read at `at` that saw total processed jobs: the
// floor after the first read, which has no rate to go by.
func (p *drainPace) next(total int, at time.Time) time.Duration {
	wait := drainPollMin
	if p.read {
		wait = nextDrainPoll(p.want-total, total-p.last, at.Sub(p.lastAt))
	}
	p.read, p.last, p.lastAt = true, total, at
	return wait
}

// nextDrainPoll is the wait before the next read, when remaining jobs are
// left and moved were processed in the interval over since the last read.
func nextDrainPoll(remaining, moved int, over time.Duration) time.Duration {
	if moved <= 0 || over <= 0 || remaining <= 0 {
		return drainPollMin
	}
	left := time.Duration(float64(over) * float64(remaining) / float64(moved))
	return min(max(left/drainPollShare, drainPollMin), drainPollMax)
}

// riverResult is the JSON line river-bench prints.
type riverResult struct {
	Jobs          int     `json:"jobs"`
	Seconds       float64 `json:"seconds"`
	JobsPerSecond float64 `json:"jobs_per_s"`
	MaxWorkers    int     `json:"max_workers"`
	FetchCooldown float64 `json:"fetch_cooldown_ms"`
	FetchPoll     float64 `json:"fetch_poll_interval_ms"`
	PoolMaxConns  int32   `json:"pool_max_conns"`
	RiverVersion  string  `json:"river_version"`
	P50MS         float64 `json:"attempted_to_finalized_p50_ms"`
	P99MS         float64 `json:"attempted_to_finalized_p99_ms"`
	// ProcessCPUMS is river-bench's own CPU time (getrusage) from
	// Client.Start to the last completion.
	ProcessCPUMS float64 `json:"process_cpu_ms"`

	start    startRecord
	load1End float64
	cpu      *results.CPUPerJob
}

// side is the trial's record of this drain.
func (res riverResult) side() results.Side {
	return res.start.side(res.JobsPerSecond, res.load1End, res.cpu)
}

// riverDrainMarks are the lines river-bench writes on stderr (run with
// -hold-for-go): when its backlog is in (it then waits for a line on its
// stdin, and the driver settles first, as for ours after its insert), and
// when its clock starts and stops; the CPU time of its Postgres
// connections is counted between the last two.
const (
	riverReady    = "river-bench: ready"
	riverDraining = "river-bench: draining"
	riverDrained  = "river-bench: drained"
)

// riverDrain runs river-bench (a separate process, its own module) against
// a fresh database on srv: it migrates River's schema, inserts the backlog
// with InsertManyFast and times Client.Start → last completion event.
func (r *run) riverDrain(ctx context.Context, srv *pgprovision.Server, contender string, cfg riverConfig, backlog int) (riverResult, error) {
	var res riverResult
	name, url, err := r.newDatabase(ctx, srv, strings.ReplaceAll(contender, "_", ""))
	if err != nil {
		return res, err
	}
	defer r.dropDatabase(srv, name)
	args := []string{"-jobs", strconv.Itoa(backlog), "-max-workers", strconv.Itoa(cfg.maxWorkers),
		"-timeout", drainTimeout(backlog).String(), "-hold-for-go"}
	if cfg.fetchCooldown > 0 {
		args = append(args, "-fetch-cooldown", cfg.fetchCooldown.String())
	}
	pgCPU, err := serverCPUOf(ctx, srv)
	if err != nil {
		return res, err
	}
	cmd := exec.CommandContext(ctx, r.river, args...)
	cmd.Env = []string{"DATABASE_URL=" + url}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		return res, err
	}
	goAhead, err := cmd.StdinPipe()
	if err != nil {
		return res, err
	}
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start river-bench: %w", err)
	}
	var total func() (time.Duration, error)
	if pgCPU != nil {
		total = pgCPU.total
	}
	marks := followRiverMarks(stderrPipe, goAhead, func() startRecord { return r.settle(ctx) }, total)
	res.load1End = marks.load1End
	if err := cmd.Wait(); err != nil {
		return res, fmt.Errorf("river-bench %s: %w: %s", strings.Join(args, " "), err, srv.Redact(tail(marks.stderr)))
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &res); err != nil {
		return res, fmt.Errorf("river-bench output %q: %w", tail(stdout.String()), err)
	}
	if marks.pgErr != nil {
		return res, marks.pgErr
	}
	res.start = marks.start
	if marks.drained && total != nil {
		res.cpu = cpuPerJob(time.Duration(res.ProcessCPUMS*float64(time.Millisecond)), marks.pgAfter-marks.pgBefore, res.Jobs)
	}
	r.res.Versions.River = res.RiverVersion
	rs := results.RiverSettings{
		MaxWorkers: res.MaxWorkers, FetchCooldownMS: res.FetchCooldown, FetchPollMS: res.FetchPoll,
		PoolMaxConns: res.PoolMaxConns, Backlog: res.Jobs,
	}
	if contender == "river_defaults" {
		rs.OnlyInFirstRound = true
		r.res.Settings.RiverDefaults = rs
	} else {
		rs.Backlog = r.opts.Backlog
		r.res.Settings.RiverBest = rs
	}
	return res, nil
}

// riverMarks is what the driver did at river-bench's marks.
type riverMarks struct {
	// start is the settle wait's record, its load average read again
	// when the clock started; load1End the load average when it stopped.
	start    startRecord
	load1End float64
	// pgBefore and pgAfter are the Postgres server's CPU time at the
	// clock's start and stop (when counted), pgErr the error reading it.
	pgBefore, pgAfter time.Duration
	pgErr             error
	drained           bool
	// stderr is every other line river-bench wrote there.
	stderr string
}

// followRiverMarks reads river-bench's stderr and acts on each mark as it
// comes: once the backlog is in (riverReady) it settles, then writes the
// go-ahead river-bench holds its clock for; at the clock's start and stop
// it reads the load average and, when total is not nil, the server's CPU
// time. It returns when stderr ends.
func followRiverMarks(stderr io.Reader, goAhead io.WriteCloser, settle func() startRecord, total func() (time.Duration, error)) riverMarks {
	m := riverMarks{start: startRecord{load1: -1, busyCPUs: -1}, load1End: -1}
	var other strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		switch line {
		case riverReady:
			m.start = settle()
			_, err := io.WriteString(goAhead, "go\n")
			goAhead.Close()
			if err != nil {
				fmt.Fprintf(&other, "(the driver could not send the go-ahead: %v)\n", err)
			}
		case riverDraining:
			m.start.load1 = load1Now()
			if total != nil {
				m.pgBefore, m.pgErr = total()
			}
		case riverDrained:
			m.load1End = load1Now()
			m.drained = true
			if total != nil && m.pgErr == nil {
				m.pgAfter, m.pgErr = total()
			}
		default:
			other.WriteString(line + "\n")
		}
	}
	m.stderr = other.String()
	return m
}

// backendProtocol is the PgbenchProtocols entry the backend's worker runs
// while a backlog is waiting (the store's CompleteAndClaim).
const backendProtocol = "complete_then_claim"

// pgbenchScript writes the script of one protocol for clients clients
// draining backlog jobs, and returns its path and the transactions each
// client runs.
func (r *run) pgbenchScript(protocol string, clients, backlog int) (path string, perClient int, defines map[string]string, err error) {
	opts := pgbench.ScriptOptions{Batch: backendBatch, LeaseMS: 30000, MaxAttempts: 5}
	rounds := (backlog + backendBatch*clients - 1) / (backendBatch * clients)
	var script string
	switch protocol {
	case "two_statements":
		script, err = pgbench.Script(pgbench.BackendSQL(), opts)
		perClient = rounds
	case "complete_then_claim":
		// One more run per client completes its last batch.
		script, err = pgbench.RoundScript(opts, rounds)
		perClient, defines = rounds+1, pgbench.RoundDefines
	case "complete_and_claim":
		script, err = pgbench.CombinedScript(opts, rounds)
		perClient, defines = rounds+1, pgbench.RoundDefines
	default:
		err = fmt.Errorf("unknown pgbench protocol %q", protocol)
	}
	if err != nil {
		return "", 0, nil, err
	}
	path = filepath.Join(r.tmp, fmt.Sprintf("drain-%s-%d.sql", protocol, clients))
	return path, perClient, defines, os.WriteFile(path, []byte(script), 0o644)
}

// pgbenchLimit runs the backend's claim and completion SQL under pgbench,
// for each protocol (the order rotating by round) and client count, each
// against a fresh backlog, with the CPU time of the server processes
// serving pgbench. The best jobs/s of the protocol the backend runs is the
// database's limit for this round.
func (r *run) pgbenchLimit(ctx context.Context, round int) error {
	cfg, err := pgx.ParseConfig(r.srv.URL)
	if err != nil {
		return fmt.Errorf("parse server URL (not shown)")
	}

	name, _, conn, drop, err := r.migratedDatabase(ctx, r.srv, "pgbench")
	if err != nil {
		return err
	}
	defer drop()

	pr := results.PgbenchRound{Round: round, Protocols: map[string]results.PgbenchPoint{}}
	protocols := results.PgbenchProtocols
	for k := range protocols {
		protocol := protocols[(k+round)%len(protocols)]
		var best results.PgbenchPoint
		for _, clients := range r.opts.PgbenchClients {
			pt, err := r.pgbenchOnce(ctx, cfg, conn, name, protocol, clients)
			if err != nil {
				return fmt.Errorf("pgbench, %s, %d clients: %w", protocol, clients, err)
			}
			if protocol == backendProtocol {
				pr.Clients = append(pr.Clients, pt)
			}
			if pt.JobsPerSec > best.JobsPerSec {
				best = pt
			}
			r.logf("trial %d: pgbench %s, %d clients: %.0f tps, %.0f jobs/s, Postgres CPU %.0f µs/job",
				round, protocol, clients, pt.TPS, pt.JobsPerSec, pt.PostgresCPUUSPerJob)
		}
		pr.Protocols[protocol] = best
		r.res.AddDrain("pgbench_"+protocol, best.JobsPerSec)
		if protocol == backendProtocol {
			pr.Best = best
			r.res.AddDrain("pgbench_limit", best.JobsPerSec)
		}
	}
	r.res.Pgbench = append(r.res.Pgbench, pr)
	return nil
}

// pgbenchOnce drains a fresh backlog with one protocol's script and checks
// that every job was processed.
func (r *run) pgbenchOnce(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, name, protocol string, clients int) (results.PgbenchPoint, error) {
	var pt results.PgbenchPoint
	scriptPath, perClient, defines, err := r.pgbenchScript(protocol, clients, r.opts.Backlog)
	if err != nil {
		return pt, err
	}
	if _, err := conn.Exec(ctx, `TRUNCATE jobs CASCADE`); err != nil {
		return pt, err
	}
	if err := insertBacklog(ctx, conn, r.opts.Backlog); err != nil {
		return pt, err
	}
	pgCPU, err := serverCPU(r.srv, conn)
	if err != nil {
		return pt, err
	}
	var pgBefore time.Duration
	if pgCPU != nil {
		if pgBefore, err = pgCPU.total(); err != nil {
			return pt, err
		}
	}
	out, text, err := pgbench.Run{
		Binary: r.opts.Pgbench, Host: cfg.Host, Port: int(cfg.Port), User: cfg.User, Password: cfg.Password,
		Database: name, ScriptPath: scriptPath, Clients: clients, Threads: min(clients, 2), Transactions: perClient,
		Defines: defines,
	}.Exec(ctx)
	if err != nil {
		return pt, fmt.Errorf("%w: %s", err, r.srv.Redact(tail(text)))
	}
	var postgres time.Duration
	if pgCPU != nil {
		pgAfter, err := pgCPU.total()
		if err != nil {
			return pt, err
		}
		postgres = pgAfter - pgBefore
	}
	if out.Failed > 0 {
		return pt, fmt.Errorf("%d failed transactions", out.Failed)
	}
	done, err := countProcessed(ctx, conn)
	if err != nil {
		return pt, err
	}
	if done != r.opts.Backlog {
		return pt, fmt.Errorf("processed %d of %d jobs", done, r.opts.Backlog)
	}
	seconds := float64(out.Transactions) / out.TPS
	return results.PgbenchPoint{
		Clients: clients, Transactions: out.Transactions, TPS: out.TPS,
		JobsPerSec: float64(done) / seconds, LatencyAvgMS: out.LatencyAvgMS, Processed: done,
		PostgresCPUUSPerJob: float64(postgres.Microseconds()) / float64(done),
	}, nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
