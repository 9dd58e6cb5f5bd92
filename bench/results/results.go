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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prodproof/prodproof/bench/stats"
)

// SchemaVersion changes when a field changes meaning.
const SchemaVersion = 1

// Results is bench/results.json.
type Results struct {
	SchemaVersion int       `json:"schema_version"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Quick         bool      `json:"quick"`
	Machine       Machine   `json:"machine"`
	Versions      Versions  `json:"versions"`
	Settings      Settings  `json:"settings"`

	// Drain holds jobs/s series, one value per round, keyed by contender:
	// ours_1, ours_2, river_best, river_defaults, pgbench_limit.
	Drain map[string]Series `json:"drain"`
	// Pgbench is the limit run's detail per round.
	Pgbench []PgbenchRound `json:"pgbench"`
	// Ratios are medians of the per-round ratios (each from one round, so
	// both sides saw the same machine load).
	Ratios map[string]float64 `json:"ratios"`
	// RatiosPerRound lists each round's ratios.
	RatiosPerRound []map[string]float64 `json:"ratios_per_round"`

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
	Rounds            int               `json:"rounds"`
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

// Series is one contender's jobs/s per round and their median.
type Series struct {
	Runs   []float64 `json:"runs"`
	Median float64   `json:"median"`
}

// Add appends a run and refreshes the median.
func (s *Series) Add(v float64) {
	s.Runs = append(s.Runs, v)
	s.Median = stats.Median(s.Runs)
}

// PgbenchRound is the limit measurement of one round: every client count
// tried, and the best.
type PgbenchRound struct {
	Round   int            `json:"round"`
	Clients []PgbenchPoint `json:"clients"`
	Best    PgbenchPoint   `json:"best"`
}

// PgbenchPoint is one pgbench run.
type PgbenchPoint struct {
	Clients      int     `json:"clients"`
	Transactions int     `json:"transactions"`
	TPS          float64 `json:"tps"`
	JobsPerSec   float64 `json:"jobs_per_s"`
	LatencyAvgMS float64 `json:"latency_avg_ms"`
	Processed    int     `json:"processed_rows"`
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
		Drain:          map[string]Series{},
		Ratios:         map[string]float64{},
		PickupModes:    map[string]stats.Summary{},
		PeakRSSByPhase: map[string]float64{},
	}
}

// AddDrain records one run of a contender.
func (r *Results) AddDrain(contender string, jobsPerSec float64) {
	s := r.Drain[contender]
	s.Add(jobsPerSec)
	r.Drain[contender] = s
}

// NoteRSS raises the peak RSS of a phase (and of the run) to mib.
func (r *Results) NoteRSS(phase string, mib float64) {
	r.PeakRSSByPhase[phase] = math.Max(r.PeakRSSByPhase[phase], mib)
	r.BackendPeakRSSMiB = math.Max(r.BackendPeakRSSMiB, mib)
}

// ComputeRatios fills Ratios and RatiosPerRound from the drain series: a
// ratio is taken within each round, then its median over rounds is quoted.
// numerator/denominator pairs missing from a round are skipped.
func (r *Results) ComputeRatios() {
	pairs := []struct{ name, num, den string }{
		{"drain_vs_river", "ours_1", "river_best"},
		{"drain_2_vs_river", "ours_2", "river_best"},
		{"drain_vs_river_defaults", "ours_1", "river_defaults"},
		{"drain_vs_pgbench_limit", "ours_1", "pgbench_limit"},
		{"drain_2_vs_pgbench_limit", "ours_2", "pgbench_limit"},
		{"drain_2_vs_drain_1", "ours_2", "ours_1"},
		{"river_best_vs_pgbench_limit", "river_best", "pgbench_limit"},
	}
	rounds := 0
	for _, s := range r.Drain {
		rounds = max(rounds, len(s.Runs))
	}
	r.RatiosPerRound = make([]map[string]float64, rounds)
	perName := map[string][]float64{}
	for i := range rounds {
		r.RatiosPerRound[i] = map[string]float64{}
		for _, p := range pairs {
			num, den := r.Drain[p.num].Runs, r.Drain[p.den].Runs
			// A contender measured in fewer rounds (River at its defaults
			// runs once) is compared with the first round only.
			if i >= len(num) || i >= len(den) || den[i] == 0 {
				continue
			}
			v := num[i] / den[i]
			r.RatiosPerRound[i][p.name] = v
			perName[p.name] = append(perName[p.name], v)
		}
	}
	for name, vs := range perName {
		r.Ratios[name] = stats.Median(vs)
	}
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
	p("backlog\t%d jobs, %d round(s); ratios are medians of per-round ratios\n", r.Settings.Backlog, r.Settings.Rounds)
	p("\n")
	p("DRAIN\tjobs/s median\truns\n")
	for _, name := range []string{"ours_1", "ours_2", "river_best", "river_defaults", "pgbench_limit"} {
		s, ok := r.Drain[name]
		if !ok {
			continue
		}
		p("%s\t%s\t%s\n", drainLabel(name), num(s.Median), nums(s.Runs))
	}
	p("\n")
	p("RATIO\tmedian\tper round\n")
	for _, name := range []string{"drain_vs_river", "drain_2_vs_river", "drain_vs_river_defaults", "drain_vs_pgbench_limit", "drain_2_vs_pgbench_limit", "drain_2_vs_drain_1", "river_best_vs_pgbench_limit"} {
		v, ok := r.Ratios[name]
		if !ok {
			continue
		}
		var per []string
		for _, round := range r.RatiosPerRound {
			if x, ok := round[name]; ok {
				per = append(per, fmt.Sprintf("%.2f", x))
			}
		}
		p("%s\t%.2f\t%s\n", name, v, strings.Join(per, " "))
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
