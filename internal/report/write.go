package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Scrubber removes secrets from text on its way into the report file at
// where. proofs/evidence's Redactor is the one the runs use; every writer
// here passes every byte through it, so a report never holds a secret the
// run knew of. A nil Scrubber writes the text as it is.
type Scrubber interface {
	Scrub(where, text string) string
}

func scrub(s Scrubber, where, text string) string {
	if s == nil {
		return text
	}
	return s.Scrub(where, text)
}

// WriteRun writes results.json for run, merges its results into
// claims.json and appends its line to history.ndjson, all redacted;
// Load, LoadClaims and LoadHistory read them back.
func WriteRun(reportDir string, run Run, s Scrubber) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", ResultsFile, err)
	}
	// The claims file is merged before results.json is replaced: a
	// report folder from before claims.json existed starts from its last
	// run's results.
	claims, err := LoadClaims(reportDir)
	if errors.Is(err, ErrNoClaims) {
		claims = &Claims{}
		if previous, err := Load(reportDir); err == nil {
			claims.Merge(*previous)
		}
	} else if err != nil {
		return fmt.Errorf("%w; remove it to start the claims over from this run", err)
	}
	claims.Merge(run)
	if err := writeJSON(reportDir, ClaimsFile, claims, s); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(reportDir, ResultsFile), append(data, '\n'), s); err != nil {
		return err
	}
	entry := HistoryEntry{
		RunID:      run.RunID,
		Commit:     run.Provenance.Commit,
		Dirty:      run.Provenance.Dirty,
		StartedAt:  run.Provenance.StartedAt,
		FinishedAt: run.Provenance.FinishedAt,
		Verdicts:   map[string]Verdict{},
	}
	for _, s := range run.Scenarios {
		entry.Verdicts[s.Name] = s.Verdict
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode history entry: %w", err)
	}
	return AppendFile(filepath.Join(reportDir, HistoryFile), append(line, '\n'), s)
}

// WriteMutantRun writes mutants.json for run, redacted; LoadMutants
// reads it back.
func WriteMutantRun(reportDir string, run MutantRun, s Scrubber) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	return writeJSON(reportDir, MutantsFile, run, s)
}

// WriteGeneratedMutantRun writes generated-mutants.json, redacted; the
// website and `proofs mutants --generated` readers use
// LoadGeneratedMutants.
func WriteGeneratedMutantRun(reportDir string, run GeneratedMutantRun, s Scrubber) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	return writeJSON(reportDir, GeneratedMutantsFile, run, s)
}

// WriteSoak replaces reportDir/soak/ with soak.json, events.ndjson and
// backend.log, every byte passed through s; LoadSoak and
// LoadSoakEvents read them back.
func WriteSoak(reportDir string, r *SoakReport, events []SoakEvent, log string, s Scrubber) error {
	dir := filepath.Join(reportDir, SoakDir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	r.Files = map[string]string{
		"events": filepath.ToSlash(filepath.Join(SoakDir, SoakEventsFile)),
		"log":    filepath.ToSlash(filepath.Join(SoakDir, SoakLogFile)),
	}
	var buf bytes.Buffer
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b SoakEvent) int { return a.At.Compare(b.At) })
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := WriteFile(filepath.Join(dir, SoakEventsFile), buf.Bytes(), s); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, SoakLogFile), []byte(log), s); err != nil {
		return err
	}
	return writeJSON(dir, SoakReportFile, r, s)
}

// ScenarioEvidence is what one proof leaves beside results.json, in
// scenarios/NAME/: its event stream, its /health timeline, the database
// rows it recorded (in the order recorded) and its processes' log.
type ScenarioEvidence struct {
	Events []Event
	Health []HealthSample
	DBRows []LabeledRows
	Log    []byte
}

// LabeledRows is one labelled set of database rows.
type LabeledRows struct {
	Label string
	Rows  any
}

// WriteScenario replaces reportDir/scenarios/NAME/ with the evidence files,
// every byte passed through s, and returns their paths relative to
// reportDir by kind (Scenario.Files). LoadEvents, LoadHealth and
// LoadDBRows read them back.
func WriteScenario(reportDir, name string, e ScenarioEvidence, s Scrubber) (map[string]string, error) {
	rel := filepath.Join(ScenarioDir, name)
	dir := filepath.Join(reportDir, rel)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var events, health bytes.Buffer
	for _, ev := range e.Events {
		if err := appendJSONLine(&events, ev); err != nil {
			return nil, err
		}
	}
	for _, h := range e.Health {
		if err := appendJSONLine(&health, h); err != nil {
			return nil, err
		}
	}
	// db_rows.json keeps the labels in the order they were recorded.
	var rows bytes.Buffer
	rows.WriteString("{")
	for i, r := range e.DBRows {
		if i > 0 {
			rows.WriteString(",")
		}
		k, _ := json.Marshal(r.Label)
		v, err := json.MarshalIndent(r.Rows, "  ", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode db rows %q: %w", r.Label, err)
		}
		fmt.Fprintf(&rows, "\n  %s: %s", k, v)
	}
	rows.WriteString("\n}\n")

	files := map[string]string{
		"events":  EventsFile,
		"health":  HealthFile,
		"db_rows": DBRowsFile,
		"log":     LogFile,
	}
	content := map[string][]byte{
		EventsFile: events.Bytes(),
		HealthFile: health.Bytes(),
		DBRowsFile: rows.Bytes(),
		LogFile:    e.Log,
	}
	out := map[string]string{}
	for kind, file := range files {
		if err := WriteFile(filepath.Join(dir, file), content[file], s); err != nil {
			return nil, err
		}
		out[kind] = filepath.ToSlash(filepath.Join(rel, file))
	}
	return out, nil
}

// LoadDBRows reads a scenario's db_rows.json (see ReadDBRows).
func LoadDBRows(dir, scenario string) ([]LabeledRows, error) {
	return ReadDBRows(filepath.Join(dir, ScenarioDir, scenario, DBRowsFile))
}

// ReadDBRows reads a db_rows.json file: each label with its rows as
// json.RawMessage, in the order they were recorded. A file that is not a
// JSON object is an error.
func ReadDBRows(path string) ([]LabeledRows, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("parse %s: not a JSON object", DBRowsFile)
	}
	var out []LabeledRows
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", DBRowsFile, err)
		}
		var rows json.RawMessage
		if err := dec.Decode(&rows); err != nil {
			return nil, fmt.Errorf("parse %s: %w", DBRowsFile, err)
		}
		out = append(out, LabeledRows{Label: tok.(string), Rows: rows})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", DBRowsFile, err)
	}
	return out, nil
}

func appendJSONLine(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	buf.Write(b)
	buf.WriteByte('\n')
	return nil
}

// writeJSON writes v as indented JSON to dir/name, redacted.
func writeJSON(dir, name string, v any, s Scrubber) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return WriteFile(filepath.Join(dir, name), append(data, '\n'), s)
}

// WriteFile writes data, redacted, to path (atomically: a temp file renamed
// into place, so a reader never sees half a file).
func WriteFile(path string, data []byte, s Scrubber) error {
	clean := []byte(scrub(s, path, string(data)))
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
func AppendFile(path string, data []byte, s Scrubber) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append %s: %w", path, err)
	}
	if _, err := f.Write([]byte(scrub(s, path, string(data)))); err != nil {
		f.Close()
		return fmt.Errorf("append %s: %w", path, err)
	}
	return f.Close()
}
