// Package report is the one on-disk schema of prodproof's evidence: the
// results and event streams the proofs runner writes, the chaos soak's and
// the load run's reports (stress.go), with each format's writer (write.go),
// its reader and its round-trip test here, where the format is owned. The
// runs and the website share these types, so neither can drift from the
// other. It is data first: pages are rendered from it, never scraped from
// logs. It imports only the standard library, so every tool can use it.
//
// Layout of a report folder (default report/):
//
//	results.json                      Run, the latest run
//	claims.json                       Claims, each claim's latest verdict and its run (claims.go)
//	history.ndjson                    one HistoryEntry per line, oldest first
//	scenarios/NAME/events.ndjson      Event stream of one scenario
//	scenarios/NAME/health.ndjson      one HealthSample per line (the timeline)
//	scenarios/NAME/db_rows.json       relevant rows, as JSON
//	scenarios/NAME/backend.log        the backend processes' logs (redacted)
//	scenarios/NAME/coverage.txt       backend coverage profile of the scenario
//	scenarios/NAME/coverage.html      the same, as an offline listing
//	coverage.txt, coverage.html       the run's merged backend coverage
//	soak/, load/                      see stress.go
package report

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion is bumped whenever a field changes meaning or disappears.
// Readers refuse a results file with a newer major version than they know.
const SchemaVersion = 1

// File names inside a report folder and inside each scenario folder.
const (
	ResultsFile = "results.json"
	HistoryFile = "history.ndjson"
	ScenarioDir = "scenarios"
	EventsFile  = "events.ndjson"
	HealthFile  = "health.ndjson"
	DBRowsFile  = "db_rows.json"
	LogFile     = "backend.log"
)

// Verdict is the outcome of a scenario or of a whole run.
type Verdict string

const (
	// Pass: every assertion held.
	Pass Verdict = "pass"
	// Fail: the product is wrong; an assertion did not hold.
	Fail Verdict = "fail"
	// Error: the harness broke (could not start Postgres, build, a timeout in
	// set-up); says nothing about the product.
	Error Verdict = "error"
	// Skip: not run, with a stated reason; never counts as a pass.
	Skip Verdict = "skip"
)

// Run is the content of results.json.
type Run struct {
	SchemaVersion int        `json:"schema_version"`
	RunID         string     `json:"run_id"`
	Verdict       Verdict    `json:"verdict"`
	Provenance    Provenance `json:"provenance"`
	Scenarios     []Scenario `json:"scenarios"`
	Summary       Summary    `json:"summary"`
	// Coverage is the backend coverage of every scenario together, or nil
	// when the run did not measure it.
	Coverage *Coverage `json:"coverage,omitempty"`
}

// Summary counts scenarios by verdict.
type Summary struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errored int `json:"errored"`
	Skipped int `json:"skipped"`
}

// Provenance says what ran, where and when.
type Provenance struct {
	Commit          string    `json:"commit"` // full hash, "" outside git
	Dirty           bool      `json:"dirty"`  // uncommitted changes in the tree
	GoVersion       string    `json:"go_version"`
	PostgresVersion string    `json:"postgres_version"` // server_version as reported by the server
	DBSource        string    `json:"db_source"`        // local | docker | url
	Command         string    `json:"command"`          // how the run was invoked, e.g. "proofs run"
	Host            string    `json:"host"`             // GOOS/GOARCH and CPU count, e.g. "linux/amd64 2cpu"
	StartedAt       time.Time `json:"started_at"`       // UTC
	FinishedAt      time.Time `json:"finished_at"`      // UTC
}

// Scenario is one named proof's result.
type Scenario struct {
	Name       string      `json:"name"`
	Claim      string      `json:"claim"`
	Reproduce  string      `json:"reproduce"` // e.g. "go run ./proofs run worker_crash_recovers_job"
	Verdict    Verdict     `json:"verdict"`
	Reason     string      `json:"reason,omitempty"` // why skipped, or the harness error
	StartedAt  time.Time   `json:"started_at"`
	DurationMS int64       `json:"duration_ms"`
	Steps      []Step      `json:"steps"`
	Assertions []Assertion `json:"assertions"`
	// FirstFailure is the first assertion that did not hold, or nil.
	FirstFailure *Assertion `json:"first_failure"`
	// Files maps evidence kind ("events", "health", "db_rows", "log") to a
	// path relative to the report folder.
	Files map[string]string `json:"files"`
	// Coverage is the backend code this scenario's processes ran, or nil
	// when it was not measured (or the scenario started no backend).
	Coverage *Coverage `json:"coverage,omitempty"`
}

// Step is one thing the scenario did.
type Step struct {
	At     time.Time `json:"at"`
	Name   string    `json:"name"`
	Detail string    `json:"detail,omitempty"`
}

// Assertion is one checked expectation, with what was expected and what was seen.
type Assertion struct {
	At       time.Time `json:"at"`
	Name     string    `json:"name"`
	Expected string    `json:"expected"`
	Observed string    `json:"observed"`
	OK       bool      `json:"ok"`
}

// HealthSample is one GET /health seen during a scenario: one line of health.ndjson.
type HealthSample struct {
	At         time.Time       `json:"at"`
	Instance   string          `json:"instance"`              // which backend process, e.g. "a", "b"
	HTTPStatus int             `json:"http_status,omitempty"` // 0 when the request failed
	Body       json.RawMessage `json:"body,omitempty"`        // the /health JSON as served
	Error      string          `json:"error,omitempty"`       // transport error, if any
}

// Event is one line of a scenario's events.ndjson: the stream from which the
// rest of the scenario's record can be rebuilt.
type Event struct {
	At        time.Time       `json:"at"`
	Type      string          `json:"type"` // step | assertion | health | verdict | note
	Scenario  string          `json:"scenario"`
	Step      *Step           `json:"step,omitempty"`
	Assertion *Assertion      `json:"assertion,omitempty"`
	Health    *HealthSample   `json:"health,omitempty"`
	Verdict   Verdict         `json:"verdict,omitempty"`
	Note      string          `json:"note,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// HistoryEntry is one line of history.ndjson: a compact record of one run.
type HistoryEntry struct {
	RunID      string             `json:"run_id"`
	Commit     string             `json:"commit"`
	Dirty      bool               `json:"dirty"`
	StartedAt  time.Time          `json:"started_at"`
	FinishedAt time.Time          `json:"finished_at"`
	Verdicts   map[string]Verdict `json:"verdicts"` // scenario name → verdict
}

// ErrNoReport means the folder holds no results.json yet.
var ErrNoReport = errors.New("no proof run yet")

// Load reads results.json from dir.
func Load(dir string) (*Run, error) {
	return loadVersioned[Run](dir, ResultsFile, ErrNoReport, func(v *Run) int { return v.SchemaVersion })
}

// LoadHistory reads history.ndjson from dir, oldest first. A missing file is
// an empty history.
func LoadHistory(dir string) ([]HistoryEntry, error) {
	return readNDJSON[HistoryEntry](filepath.Join(dir, HistoryFile))
}

// LoadHealth reads a scenario's health timeline.
func LoadHealth(dir, scenario string) ([]HealthSample, error) {
	return readNDJSON[HealthSample](filepath.Join(dir, ScenarioDir, scenario, HealthFile))
}

// LoadEvents reads a scenario's event stream.
func LoadEvents(dir, scenario string) ([]Event, error) {
	return readNDJSON[Event](filepath.Join(dir, ScenarioDir, scenario, EventsFile))
}

func readNDJSON[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// NewRunID names a run started at started: its UTC time and a random
// suffix, so two runs in the same second differ.
func NewRunID(started time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// loadVersioned reads one versioned JSON file of the report folder: missing
// is errMissing, and a schema newer than this reader is refused rather
// than half read.
func loadVersioned[T any](dir, file string, errMissing error, version func(*T) int) (*T, error) {
	data, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errMissing
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	if n := version(&v); n > SchemaVersion {
		return nil, fmt.Errorf("parse %s: schema_version %d is newer than this reader (%d)", file, n, SchemaVersion)
	}
	return &v, nil
}
