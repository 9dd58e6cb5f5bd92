package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/load"
)

// SchemaVersion is the version of soak.json's shape.
const SchemaVersion = 1

// Files the soak writes into REPORT/soak/.
const (
	Dir        = "soak"
	ReportFile = "soak.json"
	EventsFile = "events.ndjson"
	LogFile    = "backend.log"
)

// Report is soak.json.
type Report struct {
	SchemaVersion int    `json:"schema_version"`
	Verdict       string `json:"verdict"` // pass | fail | error
	Reason        string `json:"reason,omitempty"`
	Seed          int64  `json:"seed"`
	// Replay is the command that runs the same schedule again.
	Replay     string            `json:"replay"`
	Provenance report.Provenance `json:"provenance"`
	Config     Config            `json:"config"`
	FinishedAt time.Time         `json:"finished_at"`
	Durations  Durations         `json:"durations"`
	// Accepted counts jobs the client got a 201 for; Jobs counts rows.
	Accepted int `json:"accepted"`
	Jobs     int `json:"jobs"`
	// Faults counts injected faults by kind: payload_* are jobs carrying a
	// fault (the chaos schedule's crash actions post the
	// payload_worker_crash_after_claim ones), chaos_* are actions on the
	// system (kill, term, cut).
	Faults           map[string]int         `json:"faults"`
	FaultsTotal      int                    `json:"faults_total"`
	Client           ClientStats            `json:"client"`
	Tally            Tally                  `json:"tally"`
	Checks           []Check                `json:"checks"`
	Chaos            []Event                `json:"chaos"`
	InstancesStarted []string               `json:"instances_started"`
	Health           map[string]*HealthStat `json:"health"`
	Resources        Resources              `json:"resources"`
	// Files names the other evidence, relative to the report folder.
	Files  map[string]string `json:"files"`
	DBName string            `json:"-"`
}

// Config is what the soak was asked to do.
type Config struct {
	Jobs      int   `json:"jobs"`
	Instances int   `json:"instances"`
	Rate      int   `json:"rate_per_s"`
	SettleMS  int64 `json:"settle_ms"`
	// BackendEnv holds the instances' settings, DATABASE_URL left out.
	BackendEnv map[string]string `json:"backend_env"`
}

// Durations of the soak's phases, in milliseconds.
type Durations struct {
	PostMS   int64 `json:"post_ms"`
	ChaosMS  int64 `json:"chaos_ms"`
	SettleMS int64 `json:"settle_ms"`
	TotalMS  int64 `json:"total_ms"`
}

// Event is one line of events.ndjson.
type Event struct {
	At         time.Time `json:"at"`
	Type       string    `json:"type"` // phase | chaos | instance_started | instance_stopped | health | http_error | gave_up | settle_timeout
	Kind       string    `json:"kind,omitempty"`
	Instance   string    `json:"instance,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	DurationMS int64     `json:"duration_ms,omitempty"`
}

// HealthStat sums up one instance's /health samples.
type HealthStat struct {
	Samples      int            `json:"samples"`
	ByStatus     map[string]int `json:"by_status"`
	MaxLatencyMS float64        `json:"max_latency_ms"`
	Over50MS     int            `json:"over_50ms"`
}

// ConnSample is the backends' session count on the soak database.
type ConnSample struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// Resources are the sampled process and connection figures.
type Resources struct {
	Instances     map[string][]load.ProcSample `json:"instances"`
	DBConnections []ConnSample                 `json:"db_connections"`
	Summary       map[string]ResourceSummary   `json:"summary"`
	MaxDBConns    int                          `json:"max_db_connections"`
}

// ResourceSummary is one instance's first, peak and last samples.
type ResourceSummary struct {
	Samples    int   `json:"samples"`
	FirstRSS   int64 `json:"first_rss_kib"`
	MaxRSS     int64 `json:"max_rss_kib"`
	LastRSS    int64 `json:"last_rss_kib"`
	MaxFDs     int   `json:"max_fds"`
	MaxThreads int64 `json:"max_threads"`
}

func newReport(o Options) *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		Seed:          o.Seed,
		Replay:        fmt.Sprintf("make soak JOBS=%d SEED=%d", o.Jobs, o.Seed),
		Config:        Config{Jobs: o.Jobs, Instances: o.Instances, Rate: o.Rate, SettleMS: o.Settle.Milliseconds(), BackendEnv: map[string]string{}},
		Faults:        map[string]int{},
		Checks:        []Check{},
		Chaos:         []Event{},
		Health:        map[string]*HealthStat{},
		Resources:     Resources{Instances: map[string][]load.ProcSample{}, Summary: map[string]ResourceSummary{}},
		Files:         map[string]string{},
	}
}

func (r *Report) healthStats(instance string) *HealthStat {
	st, ok := r.Health[instance]
	if !ok {
		st = &HealthStat{ByStatus: map[string]int{}}
		r.Health[instance] = st
	}
	return st
}

func (res *Resources) summarize() {
	for name, samples := range res.Instances {
		if len(samples) == 0 {
			continue
		}
		sum := ResourceSummary{Samples: len(samples), FirstRSS: samples[0].RSSKiB, LastRSS: samples[len(samples)-1].RSSKiB}
		for _, p := range samples {
			sum.MaxRSS = max(sum.MaxRSS, p.RSSKiB)
			sum.MaxFDs = max(sum.MaxFDs, p.FDs)
			sum.MaxThreads = max(sum.MaxThreads, p.Threads)
		}
		res.Summary[name] = sum
	}
	for _, c := range res.DBConnections {
		res.MaxDBConns = max(res.MaxDBConns, c.Count)
	}
}

// Line is the soak's last output line.
func (r *Report) Line() string {
	return fmt.Sprintf("soak: %d jobs, %d faults, lost %d, duplicated %d, stuck %d",
		r.Accepted, r.FaultsTotal, r.Tally.Lost, r.Tally.Duplicated, r.Tally.Stuck)
}

// Write replaces reportDir/soak/ with soak.json, events.ndjson and
// backend.log, every byte passed through red.
func Write(reportDir string, r *Report, events []Event, log string, red *evidence.Redactor) error {
	dir := filepath.Join(reportDir, Dir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	r.Files = map[string]string{
		"events": filepath.ToSlash(filepath.Join(Dir, EventsFile)),
		"log":    filepath.ToSlash(filepath.Join(Dir, LogFile)),
	}
	var buf bytes.Buffer
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b Event) int { return a.At.Compare(b.At) })
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := evidence.WriteFile(filepath.Join(dir, EventsFile), buf.Bytes(), red); err != nil {
		return err
	}
	if err := evidence.WriteFile(filepath.Join(dir, LogFile), []byte(log), red); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", ReportFile, err)
	}
	return evidence.WriteFile(filepath.Join(dir, ReportFile), append(data, '\n'), red)
}
