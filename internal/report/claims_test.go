package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func runOf(id, commit string, scenarios ...Scenario) Run {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return Run{SchemaVersion: SchemaVersion, RunID: id,
		Provenance: Provenance{Commit: commit, Command: "proofs run", StartedAt: start, FinishedAt: start.Add(time.Minute)},
		Scenarios:  scenarios}
}

// A single-proof run updates its claim and leaves the others as they were,
// each with the run it came from: written by WriteRun, read by LoadClaims.
func TestWriteRunMergesClaimsAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	full := runOf("r1", "c1",
		Scenario{Name: "a", Verdict: Pass},
		Scenario{Name: "b", Verdict: Fail, Reason: "broke"},
		Scenario{Name: "c", Verdict: Pass})
	if err := WriteRun(dir, full, nil); err != nil {
		t.Fatal(err)
	}
	// Then one proof alone, on a later commit; and c was never reached.
	single := runOf("r2", "c2",
		Scenario{Name: "b", Verdict: Pass},
		Scenario{Name: "c", Verdict: Skip, Reason: "interrupted before it ran"})
	if err := WriteRun(dir, single, nil); err != nil {
		t.Fatal(err)
	}

	claims, err := LoadClaims(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range claims.Claims {
		got[c.Name] = string(c.Verdict) + " from " + c.Run.RunID + " on " + c.Run.Commit
	}
	want := map[string]string{"a": "pass from r1 on c1", "b": "pass from r2 on c2", "c": "pass from r1 on c1"}
	if len(got) != len(want) || got["a"] != want["a"] || got["b"] != want["b"] || got["c"] != want["c"] {
		t.Errorf("claims = %v, want %v", got, want)
	}
	if claims.Claims[0].Name != "a" || claims.Claims[1].Name != "b" {
		t.Errorf("claims lost their order: %v", got)
	}
	latest, err := Load(dir)
	if err != nil || latest.RunID != "r2" || len(latest.Scenarios) != 2 {
		t.Fatalf("results.json should hold the latest run alone: %+v, %v", latest, err)
	}
}

// A report folder from before claims.json existed starts its claims from
// the run already in results.json.
func TestWriteRunSeedsClaimsFromAnOlderResultsFile(t *testing.T) {
	dir := t.TempDir()
	old := runOf("r0", "c0", Scenario{Name: "a", Verdict: Pass}, Scenario{Name: "b", Verdict: Pass})
	data, _ := json.Marshal(old)
	if err := os.WriteFile(filepath.Join(dir, ResultsFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(dir, runOf("r1", "c1", Scenario{Name: "b", Verdict: Fail}), nil); err != nil {
		t.Fatal(err)
	}
	claims, err := LoadClaims(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims.Claims) != 2 || claims.Claims[0].Run.RunID != "r0" || claims.Claims[1].Run.RunID != "r1" || claims.Claims[1].Verdict != Fail {
		t.Errorf("claims = %+v", claims.Claims)
	}
}

func TestLoadClaimsRefusesANewerSchema(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadClaims(dir); err != ErrNoClaims {
		t.Fatalf("missing file: %v, want ErrNoClaims", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ClaimsFile), []byte(`{"schema_version": 99, "claims": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadClaims(dir); err == nil {
		t.Fatal("a newer schema was accepted")
	}
}
