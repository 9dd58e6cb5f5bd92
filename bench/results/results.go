// Package results is the benchmark's output: the results.json document
// (machine, versions, settings, every figure and every ratio) and the table
// printed on the terminal, both built from the same values.
package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prodproof/prodproof/bench/stats"
)

// SchemaVersion changes when a field changes meaning. 2: every repeated
// figure is a stats.Spread (median beside min, quartiles, max and the
// per-trial values); growth, durable and retention were added. 3: every
// pair of drains records each trial's load average and CPU time per job,
// and quotes the ratio over quiet trials apart. 4: every growth backlog
// has its durable-settings pair too.
const SchemaVersion = 4

// QuietLoad1 is the one-minute load average below which a trial counts as
// run on a quiet machine: each side of a trial must start below it. A
// trial that starts at or above it is kept, marked, and left out of the
// quiet ratio, the headline.
const QuietLoad1 = 1.0

// Results is bench/results.json.
type Results struct {
	SchemaVersion int       `json:"schema_version"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Quick         bool      `json:"quick"`
	Machine       Machine   `json:"machine"`
	Versions      Versions  `json:"versions"`
	Settings      Settings  `json:"settings"`

	// Drain holds jobs/s at the main backlog, one value per trial (in
	// trial order), keyed by contender: ours_1, ours_2, river_best,
	// river_defaults, pgbench_limit (the protocol the backend runs) and
	// pgbench_<protocol> for each of PgbenchProtocols.
	Drain map[string]stats.Spread `json:"drain"`
	// Pgbench is the limit run's detail per trial.
	Pgbench []PgbenchRound `json:"pgbench"`
	// Ratios are taken within each trial (both sides ran back to back, so
	// they saw the same machine load); the median over trials is quoted
	// beside their spread. Values are in trial order.
	Ratios map[string]stats.Spread `json:"ratios"`

	// Growth is the drain of ours and River at each backlog, smallest
	// first, measured side by side in the same run.
	Growth []GrowthPoint `json:"growth"`
	// Durable is the drain comparison with and without a durable server.
	Durable *Durable `json:"durable,omitempty"`
	// Retention is the jobs table's size after processing many jobs with
	// and without the backend's retention.
	Retention *Retention `json:"retention,omitempty"`

	// PickupMS is insert → claim over every pick-up sample; PickupModes
	// splits it by how the jobs were posted.
	PickupMS    stats.Summary            `json:"pickup_ms"`
	PickupModes map[string]stats.Summary `json:"pickup_modes_ms"`

	// PostMS is POST /jobs latency at PostMSClients concurrent clients (the
	// target's load); HTTP has every concurrency level.
	PostMS        stats.Summary `json:"post_ms"`
	PostMSClients int           `json:"post_ms_clients"`
	HTTP          []HTTPLevel   `json:"http"`

	// BackendPeakRSSMiB is the highest VmHWM of any backend process the
	// run started; PeakRSSByPhase splits it by phase.
	BackendPeakRSSMiB float64            `json:"backend_peak_rss_mib"`
	PeakRSSByPhase    map[string]float64 `json:"peak_rss_mib_by_phase"`

	Recovery Recovery `json:"recovery"`
	Targets  []Target `json:"targets"`
	Notes    []string `json:"notes,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	OS       string  `json:"os"`
	Arch     string  `json:"arch"`
	CPUs     int     `json:"cpus"`
	CPUModel string  `json:"cpu_model"`
	MemGiB   float64 `json:"mem_gib"`
	Kernel   string  `json:"kernel"`
	LoadAvg  string  `json:"loadavg_at_start"`
}

// Versions are the versions of everything measured.
type Versions struct {
	Go       string `json:"go"`
	Postgres string `json:"postgres"`
	Pgbench  string `json:"pgbench"`
	River    string `json:"river"`
	Commit   string `json:"commit"`
	Dirty    bool   `json:"dirty"`
	DBSource string `json:"db_source"`
}

// Settings are the knobs of the run.
type Settings struct {
	Backlog           int               `json:"backlog"`
	Trials            int               `json:"trials"`
	GrowthBacklogs    []int             `json:"growth_backlogs"`
	GrowthTrials      map[string]int    `json:"growth_trials_by_backlog"`
	PostgresSettings  map[string]string `json:"postgres_settings"`
	BackendEnv        map[string]string `json:"backend_env"`
	RiverDefaults     RiverSettings     `json:"river_defaults"`
	RiverBest         RiverSettings     `json:"river_best"`
	PgbenchClients    []int             `json:"pgbench_clients"`
	PgbenchBatch      int               `json:"pgbench_batch"`
	PickupOneAtATime  int               `json:"pickup_one_at_a_time_jobs"`
	PickupRatePerSec  int               `json:"pickup_rate_per_s"`
	PickupRateSeconds float64           `json:"pickup_rate_seconds"`
	HTTPSeconds       float64           `json:"http_seconds_per_level"`
	RecoveryLeaseMS   int               `json:"recovery_lease_ms"`
	// QuietLoad1 is the threshold a trial's start is judged by, and
	// SettleSeconds the longest the run waits before each side for the
	// load average to fall below it (each side's own cap, derived from the
	// load's decay, is in its trial record).
	QuietLoad1    float64 `json:"quiet_load1"`
	SettleSeconds float64 `json:"settle_seconds"`
}

// RiverSettings is one River configuration.
type RiverSettings struct {
	MaxWorkers        int     `json:"max_workers"`
	FetchCooldownMS   float64 `json:"fetch_cooldown_ms"`
	FetchPollMS       float64 `json:"fetch_poll_interval_ms"`
	PoolMaxConns      int32   `json:"pool_max_conns"`
	Backlog           int     `json:"backlog"`
	OnlyInFirstRound  bool    `json:"only_in_first_round"`
	RiverReportedNote string  `json:"note,omitempty"`
}

// add appends a value to a spread and recomputes it.
func add(s stats.Spread, v float64) stats.Spread {
	return stats.SpreadOf(append(s.Values, v))
}

// Side is one contender's drain in one trial.
type Side struct {
	JobsPerSec float64 `json:"jobs_per_s"`
	// Load1 is the machine's one-minute load average when the drain
	// started (after the settle wait); -1 when it could not be read.
	Load1 float64 `json:"load1_at_start"`
	// Load1End is the load average when the drain's clock stopped.
	Load1End float64 `json:"load1_at_end"`
	// BusyCPUs is how many CPUs were busy, on average, over the last
	// 5 s of the settle wait before the start, or over 1 s when the load
	// average was already below QuietLoad1 (/proc/stat); nil when not
	// measured (no settle wait at all, as in the quick smoke).
	BusyCPUs *float64 `json:"busy_cpus_before_start,omitempty"`
	// SettleSeconds is how long the side waited for a quiet start, and
	// SettleCapSeconds the most it would have waited (derived from the
	// load average's decay at the measured activity, see bench/suite).
	SettleSeconds    float64 `json:"settle_seconds"`
	SettleCapSeconds float64 `json:"settle_cap_seconds"`
	// CPU is the CPU time spent per job during the drain; nil when it
	// could not be measured (a Postgres server on another machine).
	CPU *CPUPerJob `json:"cpu_us_per_job,omitempty"`
	// StartUpSeconds is, for ours, the time from the backend processes'
	// exec to the end of their start-up (database pool, schema check,
	// port bound), where the clock starts; outside the clock, as River's
	// process start, connection and migration are. Nil for River and in
	// results files from before 2 December 2026, 16:00 UTC, whose clocks
	// included it.
	StartUpSeconds *float64 `json:"startup_seconds,omitempty"`
	// HealthReads is, for ours, how many times the driver read /health
	// to see the drain's end (one request to each instance per read,
	// each also a database ping, in ours' CPU). Nil for River and in
	// results files from before 3 December 2026, 12:00 UTC, whose driver
	// read every 10 ms throughout.
	HealthReads *int `json:"health_reads,omitempty"`
}

// startedQuiet says whether the drain started below QuietLoad1; an
// unknown load is not quiet.
func (s Side) startedQuiet() bool { return s.Load1 >= 0 && s.Load1 < QuietLoad1 }

// CPUPerJob is CPU time (user + system) in microseconds per job drained,
// counted from the drain's start to its last completion.
type CPUPerJob struct {
	// Process is the backend's process (ours) or river-bench's.
	Process float64 `json:"process"`
	// Postgres is every server process connected to the contender's
	// database: the connections serving it, and autovacuum on its tables.
	Postgres float64 `json:"postgres"`
	Total    float64 `json:"total"`
}

// PairTrial is one trial of a pair.
type PairTrial struct {
	Ours  Side    `json:"ours"`
	River Side    `json:"river"`
	Ratio float64 `json:"ratio"`
	// Quiet is true when both sides started below QuietLoad1.
	Quiet bool `json:"quiet"`
}

// Pair is ours against River on the same backlog, trial by trial: each
// trial ran both back to back (the order alternating between trials), and
// the ratio is taken within the trial.
type Pair struct {
	// OursJobsPerSec and RiverJobsPerSec are the medians over trials.
	OursJobsPerSec  float64 `json:"ours_jobs_per_s"`
	RiverJobsPerSec float64 `json:"river_jobs_per_s"`
	// Ratio is the median of the per-trial ours ÷ River; RatioSpread holds
	// every trial's ratio.
	Ratio       float64      `json:"ratio"`
	RatioSpread stats.Spread `json:"ratio_spread"`
	Ours        stats.Spread `json:"ours"`
	River       stats.Spread `json:"river"`

	// Trials holds every trial with its load and CPU figures.
	Trials []PairTrial `json:"trials"`
	// QuietRatio is ours ÷ River over the quiet trials only (N = 0 when no
	// trial started quiet): the figure a headline may quote.
	QuietRatio stats.Spread `json:"quiet_ratio"`
	// OursCPU and RiverCPU are the total CPU µs per job over the trials
	// that measured it; CPURatio is River's ÷ ours within each trial, how
	// many times the CPU River spends per job. CPU time depends far less
	// on the machine's load than wall-clock time does.
	OursCPU  stats.Spread `json:"ours_cpu_us_per_job"`
	RiverCPU stats.Spread `json:"river_cpu_us_per_job"`
	CPURatio stats.Spread `json:"river_cpu_vs_ours"`
}

// AddTrial records one trial of both sides.
func (p *Pair) AddTrial(ours, river Side) {
	t := PairTrial{Ours: ours, River: river, Quiet: ours.startedQuiet() && river.startedQuiet()}
	p.Ours = add(p.Ours, ours.JobsPerSec)
	p.River = add(p.River, river.JobsPerSec)
	if river.JobsPerSec > 0 {
		t.Ratio = ours.JobsPerSec / river.JobsPerSec
		p.RatioSpread = add(p.RatioSpread, t.Ratio)
		if t.Quiet {
			p.QuietRatio = add(p.QuietRatio, t.Ratio)
		}
	}
	if ours.CPU != nil && river.CPU != nil {
		p.OursCPU = add(p.OursCPU, ours.CPU.Total)
		p.RiverCPU = add(p.RiverCPU, river.CPU.Total)
		if ours.CPU.Total > 0 {
			p.CPURatio = add(p.CPURatio, river.CPU.Total/ours.CPU.Total)
		}
	}
	p.Trials = append(p.Trials, t)
	p.OursJobsPerSec, p.RiverJobsPerSec, p.Ratio = p.Ours.Median, p.River.Median, p.RatioSpread.Median
}

// Loaded counts the trials that started at or above QuietLoad1.
func (p *Pair) Loaded() int {
	n := 0
	for _, t := range p.Trials {
		if !t.Quiet {
			n++
		}
	}
	return n
}

// GrowthPoint is one backlog of the growth curve.
type GrowthPoint struct {
	Backlog int `json:"backlog"`
	Pair
	// OursUSPerJob and RiverUSPerJob are the cost per job, 1e6 ÷ the
	// median jobs/s: flat when the cost does not grow with the backlog.
	OursUSPerJob  float64 `json:"ours_us_per_job"`
	RiverUSPerJob float64 `json:"river_us_per_job"`
	// OursClaimMS and OursCompleteMS time the backend's own claim of one
	// batch and its completion, client side, on this backlog before the
	// drain (each in a transaction rolled back, so the backlog stays).
	OursClaimMS    stats.Spread `json:"ours_claim_batch_ms"`
	OursCompleteMS stats.Spread `json:"ours_complete_batch_ms"`
	// ClaimPlan is EXPLAIN (ANALYZE, BUFFERS) of that claim.
	ClaimPlan *Plan `json:"claim_plan,omitempty"`
	// Claimed → completed per job during the drain, from the rows: ours
	// claimed_at → processed_at, River attempted_at → finalized_at; the
	// per-trial p50 and p99.
	OursJobP50MS  stats.Spread `json:"ours_claimed_to_done_p50_ms"`
	OursJobP99MS  stats.Spread `json:"ours_claimed_to_done_p99_ms"`
	RiverJobP50MS stats.Spread `json:"river_claimed_to_done_p50_ms"`
	RiverJobP99MS stats.Spread `json:"river_claimed_to_done_p99_ms"`

	// Durable is the same pair on the durable server (fsync,
	// synchronous_commit and full_page_writes on), in the same trials; nil
	// when the run left the durable comparison out.
	Durable *Pair `json:"durable,omitempty"`
	// DurableOursUSPerJob and DurableRiverUSPerJob are its cost per job.
	DurableOursUSPerJob  float64 `json:"durable_ours_us_per_job,omitempty"`
	DurableRiverUSPerJob float64 `json:"durable_river_us_per_job,omitempty"`
}

// AddJobLatency records one trial's per-job claimed → completed p50 and
// p99 of ours (river false) or River.
func (g *GrowthPoint) AddJobLatency(river bool, p50, p99 float64) {
	if river {
		g.RiverJobP50MS, g.RiverJobP99MS = add(g.RiverJobP50MS, p50), add(g.RiverJobP99MS, p99)
		return
	}
	g.OursJobP50MS, g.OursJobP99MS = add(g.OursJobP50MS, p50), add(g.OursJobP99MS, p99)
}

// Finish fills the cost per job from the medians.
func (g *GrowthPoint) Finish() {
	if g.OursJobsPerSec > 0 {
		g.OursUSPerJob = 1e6 / g.OursJobsPerSec
	}
	if g.RiverJobsPerSec > 0 {
		g.RiverUSPerJob = 1e6 / g.RiverJobsPerSec
	}
	if d := g.Durable; d != nil {
		if d.OursJobsPerSec > 0 {
			g.DurableOursUSPerJob = 1e6 / d.OursJobsPerSec
		}
		if d.RiverJobsPerSec > 0 {
			g.DurableRiverUSPerJob = 1e6 / d.RiverJobsPerSec
		}
	}
}

// Plan summarises one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON).
type Plan struct {
	ExecutionMS      float64 `json:"execution_ms"`
	PlanningMS       float64 `json:"planning_ms"`
	SharedHitBlocks  int64   `json:"shared_hit_blocks"`
	SharedReadBlocks int64   `json:"shared_read_blocks"`
	// Nodes are the plan's node types, depth first, e.g. "Index Scan
	// using jobs_pending_created_at_idx on jobs".
	Nodes []string `json:"nodes"`
}

// Durable is the drain comparison at one backlog on the throwaway server
// settings and on durable ones, trial by trial in the same run.
type Durable struct {
	Backlog int `json:"backlog"`
	// Settings are the durable server settings (the throwaway ones are in
	// Settings.PostgresSettings).
	Settings  map[string]string `json:"settings"`
	Throwaway Pair              `json:"throwaway"`
	Durable   Pair              `json:"durable"`
}

// Retention is the jobs table after Jobs jobs went through the backend in
// Chunks equal batches (each inserted once the previous one was processed),
// without retention and with JOB_RETENTION_MS = RetentionMS.
type Retention struct {
	Jobs        int `json:"jobs"`
	Chunks      int `json:"chunks"`
	RetentionMS int `json:"retention_ms"`
	// NotMeasured says why With is missing.
	NotMeasured string     `json:"not_measured,omitempty"`
	Without     *TableSize `json:"without_retention,omitempty"`
	With        *TableSize `json:"with_retention,omitempty"`
}

// TableSize is the jobs table at the end of a retention measurement.
type TableSize struct {
	// Rows left in the table, and how many of them are processed.
	Rows          int64   `json:"rows"`
	ProcessedRows int64   `json:"processed_rows"`
	TableBytes    int64   `json:"table_bytes"`
	IndexBytes    int64   `json:"index_bytes"`
	TotalBytes    int64   `json:"total_bytes"`
	Seconds       float64 `json:"seconds"`
}

// PgbenchRound is the limit measurement of one trial: every client count
// tried, and the best, for the protocol the backend runs; Protocols has
// the best of every protocol measured, keyed by name (see PgbenchProtocols).
type PgbenchRound struct {
	Round     int                     `json:"trial"`
	Clients   []PgbenchPoint          `json:"clients"`
	Best      PgbenchPoint            `json:"best"`
	Protocols map[string]PgbenchPoint `json:"protocols"`
}

// PgbenchProtocols names the claim and completion protocols the pgbench
// limit is measured for: a claim, then its completion, each its own
// commit (two_statements); the completion of the previous batch and the
// next claim as one statement, which the backend ran before 3 December 2026
// (complete_and_claim); and the same two as two statements of one
// transaction, which it runs now (complete_then_claim).
var PgbenchProtocols = []string{"two_statements", "complete_and_claim", "complete_then_claim"}

// PgbenchPoint is one pgbench run.
type PgbenchPoint struct {
	Clients      int     `json:"clients"`
	Transactions int     `json:"transactions"`
	TPS          float64 `json:"tps"`
	JobsPerSec   float64 `json:"jobs_per_s"`
	LatencyAvgMS float64 `json:"latency_avg_ms"`
	Processed    int     `json:"processed_rows"`
	// PostgresCPUUSPerJob is the CPU time of the server processes serving
	// pgbench, per job (0 when not measured).
	PostgresCPUUSPerJob float64 `json:"postgres_cpu_us_per_job"`
}

// HTTPLevel is POST /jobs at one concurrency.
type HTTPLevel struct {
	Clients    int           `json:"clients"`
	Requests   int           `json:"requests"`
	Errors     int           `json:"errors"`
	PerSecond  float64       `json:"per_s"`
	LatencyMS  stats.Summary `json:"latency_ms"`
	DurationMS float64       `json:"duration_ms"`
}

// Recovery is how long a job took to be processed after its worker or its
// whole process died.
type Recovery struct {
	// WorkerCrashMS: created_at → processed_at of a job whose claiming
	// worker panicked right after the claim (the supervisor restarts it).
	WorkerCrashMS []float64 `json:"worker_crash_ms"`
	// SigkillMS: SIGKILL of the process holding the job → processed_at by
	// the successor process started right after the kill.
	SigkillMS float64 `json:"sigkill_ms"`
	// SigkillLeaseMS is the JOB_LEASE_MS of both processes.
	SigkillLeaseMS int `json:"sigkill_lease_ms"`
}

// Target is one goal of issue #6 and whether this run met it.
type Target struct {
	Name  string  `json:"name"`
	Goal  string  `json:"goal"`
	Value float64 `json:"value"`
	Met   bool    `json:"met"`
}

// New returns empty results with the maps made.
func New() *Results {
	return &Results{
		SchemaVersion:  SchemaVersion,
		Drain:          map[string]stats.Spread{},
		Ratios:         map[string]stats.Spread{},
		PickupModes:    map[string]stats.Summary{},
		PeakRSSByPhase: map[string]float64{},
	}
}

// AddDrain records one run of a contender.
func (r *Results) AddDrain(contender string, jobsPerSec float64) {
	r.Drain[contender] = add(r.Drain[contender], jobsPerSec)
}

// NoteRSS raises the peak RSS of a phase (and of the run) to mib.
func (r *Results) NoteRSS(phase string, mib float64) {
	r.PeakRSSByPhase[phase] = math.Max(r.PeakRSSByPhase[phase], mib)
	r.BackendPeakRSSMiB = math.Max(r.BackendPeakRSSMiB, mib)
}

// ratioPairs are the ratios quoted from the main drain: name, numerator,
// denominator.
var ratioPairs = []struct{ name, num, den string }{
	{"drain_vs_river", "ours_1", "river_best"},
	{"drain_2_vs_river", "ours_2", "river_best"},
	{"drain_vs_river_defaults", "ours_1", "river_defaults"},
	{"drain_vs_pgbench_limit", "ours_1", "pgbench_limit"},
	{"drain_2_vs_pgbench_limit", "ours_2", "pgbench_limit"},
	{"drain_2_vs_drain_1", "ours_2", "ours_1"},
	{"river_best_vs_pgbench_limit", "river_best", "pgbench_limit"},
}

// ComputeRatios fills Ratios from the drain values: a ratio is taken within
// each trial, then its median and spread over trials are quoted. A
// contender measured in fewer trials (River at its defaults runs once) is
// compared with the first trials only; pairs with a side missing are skipped.
func (r *Results) ComputeRatios() {
	for _, p := range ratioPairs {
		num, den := r.Drain[p.num].Values, r.Drain[p.den].Values
		var vs []float64
		for i := 0; i < len(num) && i < len(den); i++ {
			if den[i] > 0 {
				vs = append(vs, num[i]/den[i])
			}
		}
		if len(vs) > 0 {
			r.Ratios[p.name] = stats.SpreadOf(vs)
		}
	}
	for i := range r.Growth {
		r.Growth[i].Finish()
	}
}

// ReadFile reads a results document WriteFile wrote. A document of another
// schema version is an error: its fields may mean something else.
func ReadFile(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode results %s: %w", path, err)
	}
	if r.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("results %s: schema version %d, this reader knows %d", path, r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}

// WriteFile writes the JSON document to path.
func (r *Results) WriteFile(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// WriteTable prints the human summary: drain figures with ratios side by
// side, latencies, RSS, recovery and the targets.
func (r *Results) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("machine\t%d CPUs %s, Postgres %s (%s), %s, River %s\n", r.Machine.CPUs, r.Machine.CPUModel, r.Versions.Postgres, r.Versions.DBSource, r.Versions.Go, r.Versions.River)
	p("backlog\t%d jobs, %d trial(s); a ratio is taken within a trial, then its median and spread over trials\n", r.Settings.Backlog, r.Settings.Trials)
	p("\n")
	p("DRAIN\tjobs/s median\tmin–max\ttrials\n")
	for _, name := range []string{"ours_1", "ours_2", "river_best", "river_defaults", "pgbench_limit"} {
		s, ok := r.Drain[name]
		if !ok {
			continue
		}
		p("%s\t%s\t%s–%s\t%s\n", drainLabel(name), num(s.Median), num(s.Min), num(s.Max), nums(s.Values))
	}
	if len(r.Pgbench) > 0 {
		p("\n")
		p("PGBENCH (same SQL)\tjobs/s median\tPostgres CPU µs/job median\ttrials\n")
		for _, proto := range PgbenchProtocols {
			var cpu []float64
			for _, round := range r.Pgbench {
				if pt, ok := round.Protocols[proto]; ok && pt.PostgresCPUUSPerJob > 0 {
					cpu = append(cpu, pt.PostgresCPUUSPerJob)
				}
			}
			jobs := r.Drain["pgbench_"+proto]
			p("%s\t%s\t%s\t%d\n", proto, num(jobs.Median), cpuCell(stats.SpreadOf(cpu)), jobs.N)
		}
	}
	p("\n")
	p("RATIO\tmedian\tIQR\tmin–max\tn\n")
	for _, rp := range ratioPairs {
		v, ok := r.Ratios[rp.name]
		if !ok {
			continue
		}
		p("%s\t%s\n", rp.name, spreadCells(v))
	}
	if len(r.Growth) > 0 {
		p("\n")
		p("GROWTH (drain)\tours jobs/s\tRiver jobs/s\tours ÷ River\tIQR\tmin–max\tn\tquiet ÷ (n)\tloaded trials\tours CPU µs/job\tRiver CPU µs/job\tRiver CPU ÷ ours\tclaim batch ms\tcomplete batch ms\tours job p50 ms\tRiver job p50 ms\n")
		for _, g := range r.Growth {
			p("%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%.2f\t%.2f\t%.1f\t%.1f\n", g.Backlog, num(g.OursJobsPerSec), num(g.RiverJobsPerSec),
				spreadCells(g.RatioSpread), quietCell(g.Pair), g.Loaded(), cpuCell(g.OursCPU), cpuCell(g.RiverCPU), cpuCell(g.CPURatio),
				g.OursClaimMS.Median, g.OursCompleteMS.Median, g.OursJobP50MS.Median, g.RiverJobP50MS.Median)
		}
		p("(a trial is quiet when both sides start at a one-minute load average below %.1f)\n", QuietLoad1)
	}
	if slices.ContainsFunc(r.Growth, func(g GrowthPoint) bool { return g.Durable != nil }) {
		p("\n")
		p("GROWTH, DURABLE (fsync, synchronous_commit, full_page_writes on)\tours jobs/s\tRiver jobs/s\tours ÷ River\tIQR\tmin–max\tn\tquiet ÷ (n)\tloaded trials\tours CPU µs/job\tRiver CPU µs/job\tRiver CPU ÷ ours\n")
		for _, g := range r.Growth {
			if d := g.Durable; d != nil {
				p("%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", g.Backlog, num(d.OursJobsPerSec), num(d.RiverJobsPerSec), spreadCells(d.RatioSpread),
					quietCell(*d), d.Loaded(), cpuCell(d.OursCPU), cpuCell(d.RiverCPU), cpuCell(d.CPURatio))
			}
		}
	}
	if d := r.Durable; d != nil {
		p("\n")
		p("DURABLE (drain, %d jobs)\tours jobs/s\tRiver jobs/s\tours ÷ River\tIQR\tmin–max\tn\tquiet ÷ (n)\tloaded trials\tours CPU µs/job\tRiver CPU µs/job\tRiver CPU ÷ ours\n", d.Backlog)
		for _, row := range []struct {
			label string
			pair  Pair
		}{{"throwaway (fsync etc. off)", d.Throwaway}, {"durable (fsync, synchronous_commit, full_page_writes on)", d.Durable}} {
			p("%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", row.label, num(row.pair.OursJobsPerSec), num(row.pair.RiverJobsPerSec), spreadCells(row.pair.RatioSpread),
				quietCell(row.pair), row.pair.Loaded(), cpuCell(row.pair.OursCPU), cpuCell(row.pair.RiverCPU), cpuCell(row.pair.CPURatio))
		}
	}
	if rt := r.Retention; rt != nil {
		p("\n")
		p("JOBS TABLE after %d jobs (%d chunks)\trows\ttable MiB\tindexes MiB\ttotal MiB\n", rt.Jobs, rt.Chunks)
		for _, row := range []struct {
			label string
			size  *TableSize
		}{{"without retention", rt.Without}, {fmt.Sprintf("with JOB_RETENTION_MS=%d", rt.RetentionMS), rt.With}} {
			if row.size == nil {
				why := "not measured"
				if rt.NotMeasured != "" {
					why += ": " + rt.NotMeasured
				}
				p("%s\t%s\n", row.label, why)
				continue
			}
			p("%s\t%d\t%.1f\t%.1f\t%.1f\n", row.label, row.size.Rows, mib(row.size.TableBytes), mib(row.size.IndexBytes), mib(row.size.TotalBytes))
		}
	}
	p("\n")
	p("PICK-UP (insert → claim)\tp50 ms\tp99 ms\tmax ms\tn\n")
	for _, mode := range []string{"one_at_a_time", "steady_rate"} {
		if s, ok := r.PickupModes[mode]; ok {
			p("%s\t%.2f\t%.2f\t%.2f\t%d\n", mode, s.P50, s.P99, s.Max, s.N)
		}
	}
	p("all\t%.2f\t%.2f\t%.2f\t%d\n", r.PickupMS.P50, r.PickupMS.P99, r.PickupMS.Max, r.PickupMS.N)
	p("\n")
	p("POST /jobs\treq/s\tp50 ms\tp99 ms\tmax ms\terrors\n")
	for _, h := range r.HTTP {
		p("%d clients\t%s\t%.2f\t%.2f\t%.2f\t%d\n", h.Clients, num(h.PerSecond), h.LatencyMS.P50, h.LatencyMS.P99, h.LatencyMS.Max, h.Errors)
	}
	p("\n")
	p("backend peak RSS\t%.1f MiB\t(max VmHWM over every backend process)\n", r.BackendPeakRSSMiB)
	p("recovery: worker crash\t%s ms\t(created → processed)\n", nums(r.Recovery.WorkerCrashMS))
	p("recovery: SIGKILL\t%.0f ms\t(kill → processed by successor, JOB_LEASE_MS=%d)\n", r.Recovery.SigkillMS, r.Recovery.SigkillLeaseMS)
	p("\n")
	p("TARGET\tgoal\tvalue\tmet\n")
	for _, t := range r.Targets {
		met := "yes"
		if !t.Met {
			met = "NO"
		}
		p("%s\t%s\t%s\t%s\n", t.Name, t.Goal, num(t.Value), met)
	}
	return tw.Flush()
}

// spreadCells is median, IQR, min–max and n as table cells.
func spreadCells(s stats.Spread) string {
	return fmt.Sprintf("%.2f\t%.2f–%.2f\t%.2f–%.2f\t%d", s.Median, s.Q1, s.Q3, s.Min, s.Max, s.N)
}

// quietCell is the quiet ratio's median and its n, or says that no trial
// started quiet.
func quietCell(p Pair) string {
	if p.QuietRatio.N == 0 {
		return "no quiet trial"
	}
	return fmt.Sprintf("%.2f (%d)", p.QuietRatio.Median, p.QuietRatio.N)
}

// cpuCell is a CPU figure's median, or "–" when it was not measured.
func cpuCell(s stats.Spread) string {
	if s.N == 0 {
		return "–"
	}
	return num(s.Median)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func drainLabel(name string) string {
	switch name {
	case "ours_1":
		return "reference backend, 1 instance"
	case "ours_2":
		return "reference backend, 2 instances"
	case "river_best":
		return "River, best settings"
	case "river_defaults":
		return "River, defaults"
	case "pgbench_limit":
		return "pgbench limit (same SQL)"
	}
	return name
}

// num prints large figures without decimals and small ones with two.
func num(v float64) string {
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func nums(vs []float64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = num(v)
	}
	return strings.Join(out, " ")
}

// Agreement is one quoted ratio in two runs of the benchmark.
type Agreement struct {
	Name string
	A, B float64
	// Diff is |A − B| ÷ the mean of the two.
	Diff float64
	// Within is Diff ≤ the margin asked for.
	Within bool
	// Judged is false when either run measured the ratio in one trial
	// only (River at its defaults): one trial has no spread to trust.
	Judged bool
}

// Compare lines up every ratio median two runs both quote (the main drain
// ratios, the growth curve and the durable comparison) and says whether
// they agree within margin (a share, e.g. 0.1).
func Compare(a, b *Results, margin float64) []Agreement {
	quoted := func(r *Results) map[string]stats.Spread {
		out := map[string]stats.Spread{}
		for name, s := range r.Ratios {
			out[name] = s
		}
		for _, g := range r.Growth {
			out[fmt.Sprintf("growth_%d", g.Backlog)] = g.RatioSpread
			if g.Durable != nil {
				out[fmt.Sprintf("growth_durable_%d", g.Backlog)] = g.Durable.RatioSpread
			}
		}
		if r.Durable != nil {
			out["durable_throwaway"] = r.Durable.Throwaway.RatioSpread
			out["durable_durable"] = r.Durable.Durable.RatioSpread
		}
		return out
	}
	qa, qb := quoted(a), quoted(b)
	names := make([]string, 0, len(qa))
	for name := range qa {
		if _, ok := qb[name]; ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]Agreement, 0, len(names))
	for _, name := range names {
		x, y := qa[name].Median, qb[name].Median
		ag := Agreement{Name: name, A: x, B: y, Judged: qa[name].N > 1 && qb[name].N > 1}
		if mean := (x + y) / 2; mean > 0 {
			ag.Diff = math.Abs(x-y) / mean
		}
		ag.Within = ag.Diff <= margin
		out = append(out, ag)
	}
	return out
}

// WriteAgreement prints Compare's lines as a table.
func WriteAgreement(w io.Writer, ags []Agreement, margin float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "RATIO\trun A\trun B\tdifference\twithin %.0f %%\n", margin*100)
	for _, ag := range ags {
		ok := "yes"
		switch {
		case !ag.Judged:
			ok = "one trial: not judged"
		case !ag.Within:
			ok = "NO"
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.1f %%\t%s\n", ag.Name, ag.A, ag.B, ag.Diff*100, ok)
	}
	return tw.Flush()
}
