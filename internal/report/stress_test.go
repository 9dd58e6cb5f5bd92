package report

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// soak.json, events.ndjson and backend.log: written by WriteSoak, read back
// by LoadSoak and LoadSoakEvents whole, events in time order, a secret
// scrubbed from every file.
func TestSoakReportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const password = "so4k-s3cret"
	at := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	rep := &SoakReport{SchemaVersion: SoakSchemaVersion, Seed: 42, Replay: "make soak JOBS=10 SEED=42", Verdict: Fail,
		Reason: "lost a job", Faults: map[string]int{"kill": 2}, Checks: []SoakCheck{{Name: "nothing lost", OK: false, Observed: "1 lost"}},
		Provenance: Provenance{Commit: "abc", StartedAt: at, FinishedAt: at.Add(time.Minute)}}
	events := []SoakEvent{
		{At: at.Add(2 * time.Second), Type: "kill", Instance: "b", Detail: "pid 7"},
		{At: at.Add(time.Second), Type: "http_error", Instance: "a", Detail: "auth failed for " + password},
	}
	if err := WriteSoak(dir, rep, events, "a log line with "+password+"\n", secretScrubber(password)); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, dir, "s3cret")
	got, err := LoadSoak(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rep) {
		t.Fatalf("soak.json read back\n%+v\nwant\n%+v", got, rep)
	}
	gotEvents, err := LoadSoakEvents(filepath.Join(dir, got.Files["events"]))
	if err != nil {
		t.Fatal(err)
	}
	want := []SoakEvent{events[1], events[0]}
	want[0].Detail = "auth failed for [REDACTED]"
	if !reflect.DeepEqual(gotEvents, want) {
		t.Fatalf("events read back\n%+v\nwant\n%+v", gotEvents, want)
	}
	log, err := os.ReadFile(filepath.Join(dir, got.Files["log"]))
	if err != nil || string(log) != "a log line with [REDACTED]\n" {
		t.Fatalf("backend.log = %q, %v", log, err)
	}
}

// load.json: written by WriteLoad, read back whole by LoadLoad.
func TestLoadReportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	strict := true
	rep := &LoadReport{Verdict: Fail, Failures: []string{"RSS stays flat: expected end ≤ 1, observed 2"}, HealthStrict: &strict,
		LoadResult: LoadResult{Rate: 100, Requests: 12000, HealthP95MS: 3, LivezP95MS: 2.4,
			Health: []HealthProbe{{At: time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC), Status: 200, LatencyMS: 3.1, LivezMS: 2}}},
		Flatness: LoadFlatness{RSSWarmKiB: 1, RSSEndKiB: 2, ConnsMax: 4}}
	if err := WriteLoad(filepath.Join(dir, LoadDir, LoadReportFile), rep); err != nil {
		t.Fatal(err)
	}
	got, err := LoadLoad(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rep) {
		t.Fatalf("load.json read back\n%+v\nwant\n%+v", got, rep)
	}
	if _, err := LoadLoad(t.TempDir()); !errors.Is(err, ErrNoReport) {
		t.Fatalf("an empty folder: %v, want ErrNoReport", err)
	}
}
