package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The chaos soak (`proofs soak`) and the load-hygiene run (`make load`)
// write their own files beside results.json:
//
//	soak/soak.json                    SoakReport
//	soak/events.ndjson                one SoakEvent per line
//	soak/backend.log                  every instance's log (redacted)
//	load/load.json                    LoadReport
//
// proofs/soak and proofs/load write these types and the website reads them,
// so a field renamed in a writer is a field renamed in the reader.

// Where the soak and the load run write, relative to the report folder.
const (
	SoakDir        = "soak"
	SoakReportFile = "soak.json"
	SoakEventsFile = "events.ndjson"
	SoakLogFile    = "backend.log"
	LoadDir        = "load"
	LoadReportFile = "load.json"
)

// SoakSchemaVersion is the version of soak.json's shape; readers refuse a
// newer one.
const SoakSchemaVersion = 1

// SoakReport is soak.json.
type SoakReport struct {
	SchemaVersion int     `json:"schema_version"`
	Verdict       Verdict `json:"verdict"` // pass | fail | error
	Reason        string  `json:"reason,omitempty"`
	Seed          int64   `json:"seed"`
	// Replay is the command that runs the same schedule again.
	Replay     string        `json:"replay"`
	Provenance Provenance    `json:"provenance"`
	Config     SoakConfig    `json:"config"`
	FinishedAt time.Time     `json:"finished_at"`
	Durations  SoakDurations `json:"durations"`
	// Accepted counts jobs the client got a 201 for; Jobs counts rows.
	Accepted int `json:"accepted"`
	Jobs     int `json:"jobs"`
	// Faults counts injected faults by kind: payload_* are jobs carrying a
	// fault (the chaos schedule's crash actions post the
	// payload_worker_crash_after_claim ones), chaos_* are actions on the
	// system (kill, term, cut, pause).
	Faults           map[string]int         `json:"faults"`
	FaultsTotal      int                    `json:"faults_total"`
	Client           SoakClient             `json:"client"`
	Tally            SoakTally              `json:"tally"`
	Checks           []SoakCheck            `json:"checks"`
	Chaos            []SoakEvent            `json:"chaos"`
	InstancesStarted []string               `json:"instances_started"`
	Health           map[string]*HealthStat `json:"health"`
	Resources        SoakResources          `json:"resources"`
	// Files names the other evidence, relative to the report folder.
	Files map[string]string `json:"files"`
}

// Line is the soak's last output line, as `proofs soak` prints it and the
// website shows it.
func (r *SoakReport) Line() string {
	return fmt.Sprintf("soak: %d jobs, %d faults, lost %d, duplicated %d, stuck %d, re-executed %d (unexplained %d)",
		r.Accepted, r.FaultsTotal, r.Tally.Lost, r.Tally.Duplicated, r.Tally.Stuck, r.Tally.Reexecuted, r.Tally.ReexecutedUnexplained)
}

// SoakConfig is what the soak was asked to do.
type SoakConfig struct {
	Jobs      int   `json:"jobs"`
	Instances int   `json:"instances"`
	Rate      int   `json:"rate_per_s"`
	SettleMS  int64 `json:"settle_ms"`
	// BackendEnv holds the instances' settings, DATABASE_URL left out.
	BackendEnv map[string]string `json:"backend_env"`
}

// SoakDurations are the soak's phases, in milliseconds.
type SoakDurations struct {
	PostMS   int64 `json:"post_ms"`
	ChaosMS  int64 `json:"chaos_ms"`
	SettleMS int64 `json:"settle_ms"`
	TotalMS  int64 `json:"total_ms"`
}

// SoakClient counts what the soak's HTTP client saw.
type SoakClient struct {
	Requests  int `json:"requests"`
	Accepted  int `json:"accepted"`
	Retries   int `json:"retries"`
	Status503 int `json:"status_503"`
	// Status5xx counts 5xx answers other than 503: each is a failure.
	Status5xx int `json:"status_5xx"`
	// Rejected counts 4xx answers: each is a failure (the payloads are valid).
	Rejected int `json:"rejected"`
	// TransportErrors counts requests with no answer (an instance killed or
	// stopping mid-request); the client retries them elsewhere.
	TransportErrors int `json:"transport_errors"`
	// GaveUp counts jobs never accepted before the client's deadline.
	GaveUp int `json:"gave_up"`
	// Replayed counts retries answered 200: the backend had the job already.
	Replayed int `json:"replayed"`
}

// SoakTally counts what went wrong with the jobs. Every field but
// Unacknowledged and RetriedSeqs must be zero for the soak to pass.
type SoakTally struct {
	// Lost: accepted (201) jobs with no row.
	Lost int `json:"lost"`
	// Duplicated: processed jobs with more than one effect.
	Duplicated int `json:"duplicated"`
	// Stuck: jobs still pending or processing at the deadline.
	Stuck int `json:"stuck"`
	// Failed: jobs that ended failed (the soak's faults all leave attempts to
	// spare, so none should).
	Failed int `json:"failed"`
	// MissingEffects: processed jobs with no effect.
	MissingEffects int `json:"missing_effects"`
	// StrayEffects: effects of jobs that are not processed.
	StrayEffects int `json:"stray_effects"`
	// EffectAttemptMismatch: an effect written by an attempt other than the
	// job's final one.
	EffectAttemptMismatch int `json:"effect_attempt_mismatch"`
	// OverAttempts: jobs claimed more often than JOB_MAX_ATTEMPTS allows.
	OverAttempts int `json:"over_attempts"`
	// Unacknowledged: rows whose id no 201 returned. A POST whose insert
	// committed but whose answer was lost (a 503 after the commit, a killed
	// instance) leaves one; the client then retries and the same seq has two
	// rows. Expected under chaos; they must still be processed once.
	Unacknowledged int `json:"unacknowledged"`
	// RetriedSeqs: client sequence numbers with more than one row.
	RetriedSeqs int `json:"retried_seqs"`
	// Reexecuted: jobs the handler ran more than once (job_executions). A
	// fault can explain one: the instance that ran it first was killed,
	// stopped, paused or lost the database, or its worker crashed.
	Reexecuted int `json:"reexecuted"`
	// ReexecutedUnexplained: re-executed jobs no injected fault explains.
	ReexecutedUnexplained int `json:"reexecuted_unexplained"`
}

// SoakCheck is one checked expectation of the soak.
type SoakCheck struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Observed string `json:"observed"`
	OK       bool   `json:"ok"`
}

// SoakEvent is a chaos action in soak.json and one line of events.ndjson.
type SoakEvent struct {
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

// ProcSample is what /proc says about one process at one moment.
type ProcSample struct {
	At      time.Time `json:"at"`
	RSSKiB  int64     `json:"rss_kib"`
	Threads int64     `json:"threads"`
	FDs     int       `json:"fds"`
}

// ConnSample is the backends' session count on their database at one moment.
type ConnSample struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// SoakResources are the sampled process and connection figures.
type SoakResources struct {
	Instances     map[string][]ProcSample    `json:"instances"`
	DBConnections []ConnSample               `json:"db_connections"`
	Summary       map[string]ResourceSummary `json:"summary"`
	MaxDBConns    int                        `json:"max_db_connections"`
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

// LoadReport is load.json: what a load run measured, its verdict and the
// failures behind a fail. Verdict, Failures and HealthStrict are missing
// from files written before the run recorded them.
type LoadReport struct {
	Verdict  Verdict  `json:"verdict"`
	Failures []string `json:"failures"`
	// HealthStrict says whether the run judged /health latency (its p95
	// under 50 ms); nil when the file does not say.
	HealthStrict *bool `json:"health_strict"`
	LoadResult
	Flatness LoadFlatness `json:"flatness"`
}

// LoadResult is what a load run measured.
type LoadResult struct {
	DurationMS    int64         `json:"duration_ms"`
	Rate          int           `json:"rate_per_s"`
	Requests      int           `json:"requests"`
	Errors        int           `json:"errors"`
	ErrorExamples []string      `json:"error_examples"`
	PostP50MS     float64       `json:"post_p50_ms"`
	PostP99MS     float64       `json:"post_p99_ms"`
	HealthMaxMS   float64       `json:"health_max_ms"`
	HealthP99MS   float64       `json:"health_p99_ms"`
	HealthOver50  int           `json:"health_over_50ms"`
	Health        []HealthProbe `json:"health"`
	Proc          []ProcSample  `json:"proc"`
	Conns         []ConnSample  `json:"db_connections"`

	// HealthP95MS and LivezP95MS are the percentiles `make load` judges
	// (/health's p95 over /livez's p95); 0 in files written before they
	// were recorded.
	HealthP95MS float64 `json:"health_p95_ms,omitempty"`
	LivezP95MS  float64 `json:"livez_p95_ms,omitempty"`
}

// HealthProbe is one timed /health request of a load run.
type HealthProbe struct {
	At        time.Time `json:"at"`
	Status    int       `json:"status"` // 0: no answer
	LatencyMS float64   `json:"latency_ms"`
	// LivezMS is the same process's /livez (no database, no locks), timed
	// just before: the machine's share of the latency. 0 in older files.
	LivezMS float64 `json:"livez_ms,omitempty"`
}

// LoadFlatness compares the second third of a load run (warmed up) with the
// last third: a leak shows as growth from one to the other.
type LoadFlatness struct {
	RSSWarmKiB     int64 `json:"rss_warm_kib"` // median of the middle third
	RSSEndKiB      int64 `json:"rss_end_kib"`  // median of the last third
	FDsWarmMax     int   `json:"fds_warm_max"`
	FDsEndMax      int   `json:"fds_end_max"`
	ThreadsWarmMax int64 `json:"threads_warm_max"`
	ThreadsEndMax  int64 `json:"threads_end_max"`
	ConnsWarmMax   int   `json:"conns_warm_max"`
	ConnsEndMax    int   `json:"conns_end_max"`
	ConnsMax       int   `json:"conns_max"`
}

// LoadSoak reads REPORT/soak/soak.json. A missing file is ErrNoReport; a
// newer schema than SoakSchemaVersion is an error.
func LoadSoak(dir string) (*SoakReport, error) {
	var r SoakReport
	if err := readJSON(filepath.Join(dir, SoakDir, SoakReportFile), &r); err != nil {
		return nil, err
	}
	if r.SchemaVersion > SoakSchemaVersion {
		return nil, fmt.Errorf("parse %s: schema version %d is newer than this reader (%d)", SoakReportFile, r.SchemaVersion, SoakSchemaVersion)
	}
	return &r, nil
}

// LoadSoakEvents reads a soak event stream (events.ndjson) at path.
func LoadSoakEvents(path string) ([]SoakEvent, error) {
	return readNDJSON[SoakEvent](path)
}

// LoadLoad reads REPORT/load/load.json. A missing file is ErrNoReport.
func LoadLoad(dir string) (*LoadReport, error) {
	var r LoadReport
	if err := readJSON(filepath.Join(dir, LoadDir, LoadReportFile), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// WriteLoad writes r to path (REPORT/load/load.json by default), creating
// its folder.
func WriteLoad(path string, r *LoadReport) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", LoadReportFile, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ErrNoReport
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", filepath.Base(path), err)
	}
	return nil
}
