package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// A proof's evidence files: written by WriteScenario, read back whole by
// LoadEvents, LoadHealth and LoadDBRows (labels in the order recorded), the
// log as written, a secret scrubbed from every file, and a second write
// replacing the first.
func TestScenarioEvidenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const password = "ev1dence-s3cret"
	at := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	sample := HealthSample{At: at, Instance: "a", HTTPStatus: 200, Body: json.RawMessage(`{"status":"ok"}`)}
	e := ScenarioEvidence{
		Events: []Event{
			{At: at, Type: "step", Scenario: "demo", Step: &Step{Name: "start", Detail: "pw " + password}},
			{At: at.Add(time.Second), Type: "health", Scenario: "demo", Health: &sample},
			{At: at.Add(2 * time.Second), Type: "verdict", Scenario: "demo", Verdict: Pass},
		},
		Health: []HealthSample{sample},
		DBRows: []LabeledRows{{Label: "z jobs", Rows: []map[string]any{{"id": 1}}}, {Label: "a effects", Rows: []int{}}},
		Log:    []byte(`{"msg":"connected with ` + password + `"}` + "\n"),
	}
	if _, err := WriteScenario(dir, "demo", ScenarioEvidence{Log: []byte("an earlier run\n")}, nil); err != nil {
		t.Fatal(err)
	}
	files, err := WriteScenario(dir, "demo", e, secretScrubber(password))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"events": "scenarios/demo/events.ndjson", "health": "scenarios/demo/health.ndjson",
		"db_rows": "scenarios/demo/db_rows.json", "log": "scenarios/demo/backend.log"}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("files = %v, want %v", files, want)
	}
	assertNoSecret(t, dir, "s3cret")
	events, err := LoadEvents(dir, "demo")
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := append([]Event(nil), e.Events...)
	step := *e.Events[0].Step
	step.Detail = "pw [REDACTED]"
	wantEvents[0].Step = &step
	if !reflect.DeepEqual(events, wantEvents) {
		t.Errorf("events read back\n%+v\nwant\n%+v", events, wantEvents)
	}
	health, err := LoadHealth(dir, "demo")
	if err != nil || !reflect.DeepEqual(health, e.Health) {
		t.Errorf("health read back %+v, %v; want %+v", health, err, e.Health)
	}
	rows, err := LoadDBRows(dir, "demo")
	if err != nil || len(rows) != 2 || rows[0].Label != "z jobs" || rows[1].Label != "a effects" {
		t.Fatalf("db rows read back %+v, %v; want the labels in the order recorded", rows, err)
	}
	var first []map[string]any
	if err := json.Unmarshal(rows[0].Rows.(json.RawMessage), &first); err != nil || len(first) != 1 || first[0]["id"] != float64(1) {
		t.Errorf("rows of %q = %s (%v)", rows[0].Label, rows[0].Rows, err)
	}
	log, err := os.ReadFile(filepath.Join(dir, files["log"]))
	if err != nil || string(log) != `{"msg":"connected with [REDACTED]"}`+"\n" {
		t.Errorf("backend.log = %q, %v", log, err)
	}
}

func TestReadDBRowsRefusesWhatIsNotAnObject(t *testing.T) {
	for _, body := range []string{`[1,2]`, `{"a": [1]`, `not json`} {
		path := filepath.Join(t.TempDir(), DBRowsFile)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if rows, err := ReadDBRows(path); err == nil {
			t.Errorf("ReadDBRows(%q) = %v, want an error", body, rows)
		}
	}
}
