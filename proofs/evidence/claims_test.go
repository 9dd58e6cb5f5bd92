package evidence

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

func runOf(id, commit string, scenarios ...report.Scenario) report.Run {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return report.Run{SchemaVersion: report.SchemaVersion, RunID: id,
		Provenance: report.Provenance{Commit: commit, Command: "proofs run", StartedAt: start, FinishedAt: start.Add(time.Minute)},
		Scenarios:  scenarios}
}

// A single-proof run updates its claim and leaves the others as they were,
// each with the run it came from: written by WriteRun, read by LoadClaims.
func TestWriteRunMergesClaimsAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	full := runOf("r1", "c1",
		report.Scenario{Name: "a", Verdict: report.Pass},
		report.Scenario{Name: "b", Verdict: report.Fail, Reason: "broke"},
		report.Scenario{Name: "c", Verdict: report.Pass})
	if err := WriteRun(dir, full, newRedactor()); err != nil {
		t.Fatal(err)
	}
	// Then one proof alone, on a later commit; and c was never reached.
	single := runOf("r2", "c2",
		report.Scenario{Name: "b", Verdict: report.Pass},
		report.Scenario{Name: "c", Verdict: report.Skip, Reason: "interrupted before it ran"})
	if err := WriteRun(dir, single, newRedactor()); err != nil {
		t.Fatal(err)
	}

	claims, err := report.LoadClaims(dir)
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
	latest, err := report.Load(dir)
	if err != nil || latest.RunID != "r2" || len(latest.Scenarios) != 2 {
		t.Fatalf("results.json should hold the latest run alone: %+v, %v", latest, err)
	}
}

// A report folder from before claims.json existed starts its claims from
// the run already in results.json.
func TestWriteRunSeedsClaimsFromAnOlderResultsFile(t *testing.T) {
	dir := t.TempDir()
	old := runOf("r0", "c0", report.Scenario{Name: "a", Verdict: report.Pass}, report.Scenario{Name: "b", Verdict: report.Pass})
	data, _ := json.Marshal(old)
	if err := os.WriteFile(filepath.Join(dir, report.ResultsFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(dir, runOf("r1", "c1", report.Scenario{Name: "b", Verdict: report.Fail}), newRedactor()); err != nil {
		t.Fatal(err)
	}
	claims, err := report.LoadClaims(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims.Claims) != 2 || claims.Claims[0].Run.RunID != "r0" || claims.Claims[1].Run.RunID != "r1" || claims.Claims[1].Verdict != report.Fail {
		t.Errorf("claims = %+v", claims.Claims)
	}
}

func TestLoadClaimsRefusesANewerSchema(t *testing.T) {
	dir := t.TempDir()
	if _, err := report.LoadClaims(dir); err != report.ErrNoClaims {
		t.Fatalf("missing file: %v, want ErrNoClaims", err)
	}
	if err := os.WriteFile(filepath.Join(dir, report.ClaimsFile), []byte(`{"schema_version": 99, "claims": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := report.LoadClaims(dir); err == nil {
		t.Fatal("a newer schema was accepted")
	}
}
