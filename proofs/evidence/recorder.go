package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// Recorder collects one scenario's evidence. Every method is safe for
// concurrent use: health pollers and log readers run in their own goroutines.
type Recorder struct {
	scenario string
	now      func() time.Time

	mu           sync.Mutex
	steps        []report.Step
	assertions   []report.Assertion
	firstFailure *report.Assertion
	health       []report.HealthSample
	events       []report.Event
	log          bytes.Buffer
	dbRows       map[string]any
	dbRowsOrder  []string
	onStep       func(report.Step)
}

// NewRecorder starts an empty record for a scenario. onStep, if set, sees
// each step as it happens (live progress).
func NewRecorder(scenario string, onStep func(report.Step)) *Recorder {
	return &Recorder{scenario: scenario, now: func() time.Time { return time.Now().UTC() }, dbRows: map[string]any{}, onStep: onStep}
}

// Step records one thing the scenario did.
func (r *Recorder) Step(name, detail string) {
	s := report.Step{At: r.now(), Name: name, Detail: detail}
	r.mu.Lock()
	r.steps = append(r.steps, s)
	r.events = append(r.events, report.Event{At: s.At, Type: "step", Scenario: r.scenario, Step: &s})
	onStep := r.onStep
	r.mu.Unlock()
	if onStep != nil {
		onStep(s)
	}
}

// Assert records one checked expectation and returns ok.
func (r *Recorder) Assert(name, expected, observed string, ok bool) bool {
	a := report.Assertion{At: r.now(), Name: name, Expected: expected, Observed: observed, OK: ok}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.assertions = append(r.assertions, a)
	if !ok && r.firstFailure == nil {
		first := a
		r.firstFailure = &first
	}
	r.events = append(r.events, report.Event{At: a.At, Type: "assertion", Scenario: r.scenario, Assertion: &a})
	return ok
}

// Failed reports whether any assertion has failed so far.
func (r *Recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstFailure != nil
}

// Health records one /health sample.
func (r *Recorder) Health(s report.HealthSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.health = append(r.health, s)
	r.events = append(r.events, report.Event{At: s.At, Type: "health", Scenario: r.scenario, Health: &s})
}

// Note records a free-form remark, with optional data.
func (r *Recorder) Note(note string, data any) {
	e := report.Event{At: r.now(), Type: "note", Scenario: r.scenario, Note: note}
	if data != nil {
		if raw, err := json.Marshal(data); err == nil {
			e.Data = raw
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// LogLine appends one line of a backend process's output to backend.log,
// prefixed with the instance name so interleaved processes stay readable.
func (r *Recorder) LogLine(instance, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.log, "[%s] %s\n", instance, line)
}

// DBRows records rows under a label, e.g. "jobs after recovery". A label
// recorded twice keeps the latest rows.
func (r *Recorder) DBRows(label string, rows any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.dbRows[label]; !seen {
		r.dbRowsOrder = append(r.dbRowsOrder, label)
	}
	r.dbRows[label] = rows
}

// Outcome is the record's content as the results file holds it.
type Outcome struct {
	Steps        []report.Step
	Assertions   []report.Assertion
	FirstFailure *report.Assertion
}

// Outcome returns copies of the steps and assertions so far.
func (r *Recorder) Outcome() Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := Outcome{
		Steps:      append([]report.Step{}, r.steps...),
		Assertions: append([]report.Assertion{}, r.assertions...),
	}
	if r.firstFailure != nil {
		f := *r.firstFailure
		o.FirstFailure = &f
	}
	return o
}

// Verdict appends the final verdict to the event stream.
func (r *Recorder) Verdict(v report.Verdict, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, report.Event{At: r.now(), Type: "verdict", Scenario: r.scenario, Verdict: v, Note: reason})
}

// WriteFiles writes the scenario's files under reportDir/scenarios/NAME,
// redacted, replacing whatever an earlier run left there. It returns the
// evidence map for report.Scenario.Files (paths relative to reportDir).
func (r *Recorder) WriteFiles(reportDir string, red *Redactor) (map[string]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rel := filepath.Join(report.ScenarioDir, r.scenario)
	dir := filepath.Join(reportDir, rel)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var events, health bytes.Buffer
	for _, e := range r.events {
		if err := appendJSONLine(&events, e); err != nil {
			return nil, err
		}
	}
	for _, s := range r.health {
		if err := appendJSONLine(&health, s); err != nil {
			return nil, err
		}
	}
	// db_rows.json keeps the labels in the order they were recorded.
	var rows bytes.Buffer
	rows.WriteString("{")
	for i, label := range r.dbRowsOrder {
		if i > 0 {
			rows.WriteString(",")
		}
		k, _ := json.Marshal(label)
		v, err := json.MarshalIndent(r.dbRows[label], "  ", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode db rows %q: %w", label, err)
		}
		fmt.Fprintf(&rows, "\n  %s: %s", k, v)
	}
	rows.WriteString("\n}\n")

	files := map[string]string{
		"events":  report.EventsFile,
		"health":  report.HealthFile,
		"db_rows": report.DBRowsFile,
		"log":     report.LogFile,
	}
	content := map[string][]byte{
		report.EventsFile: events.Bytes(),
		report.HealthFile: health.Bytes(),
		report.DBRowsFile: rows.Bytes(),
		report.LogFile:    r.log.Bytes(),
	}
	out := map[string]string{}
	for kind, name := range files {
		if err := WriteFile(filepath.Join(dir, name), content[name], red); err != nil {
			return nil, err
		}
		out[kind] = filepath.ToSlash(filepath.Join(rel, name))
	}
	return out, nil
}

func appendJSONLine(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	buf.Write(b)
	buf.WriteByte('\n')
	return nil
}

// WriteFile writes data, redacted, to path (atomically: a temp file renamed
// into place, so a reader never sees half a file).
func WriteFile(path string, data []byte, red *Redactor) error {
	clean := []byte(red.Scrub(path, string(data)))
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(clean); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// AppendFile appends data, redacted, to path, creating it if needed.
func AppendFile(path string, data []byte, red *Redactor) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append %s: %w", path, err)
	}
	if _, err := f.Write([]byte(red.Scrub(path, string(data)))); err != nil {
		f.Close()
		return fmt.Errorf("append %s: %w", path, err)
	}
	return f.Close()
}
