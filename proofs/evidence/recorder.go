package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// redacted, replacing whatever an earlier run left there (the format is
// report.WriteScenario's). It returns the evidence map for
// report.Scenario.Files (paths relative to reportDir).
func (r *Recorder) WriteFiles(reportDir string, red *Redactor) (map[string]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := report.ScenarioEvidence{Events: r.events, Health: r.health, Log: r.log.Bytes()}
	for _, label := range r.dbRowsOrder {
		e.DBRows = append(e.DBRows, report.LabeledRows{Label: label, Rows: r.dbRows[label]})
	}
	return report.WriteScenario(reportDir, r.scenario, e, red)
}
