package report

import (
	"reflect"
	"testing"
	"time"
)

// Backend coverage is written by WriteRun inside results.json and read by
// the website through Load: per scenario and for the run, whole.
func TestRunCoverageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	started := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	cov := func(covered, statements int, rel string) *Coverage {
		return &Coverage{Statements: statements, Covered: covered, Listing: rel + "coverage.html", Profile: rel + "coverage.txt",
			Packages: []PackageCoverage{{Package: "github.com/prodproof/prodproof/backend/job", Statements: statements, Covered: covered}}}
	}
	run := Run{
		SchemaVersion: SchemaVersion, RunID: "r1", Verdict: Pass,
		Provenance: Provenance{Commit: "abc", StartedAt: started, FinishedAt: started.Add(time.Minute)},
		Scenarios: []Scenario{{Name: "worker_crash_recovers_job", Verdict: Pass, StartedAt: started,
			Steps: []Step{}, Assertions: []Assertion{}, Files: map[string]string{}, Coverage: cov(40, 100, "scenarios/worker_crash_recovers_job/")}},
		Summary:  Summary{Passed: 1},
		Coverage: cov(61, 100, ""),
	}
	if err := WriteRun(dir, run, nil); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Coverage, run.Coverage) || !reflect.DeepEqual(got.Scenarios[0].Coverage, run.Scenarios[0].Coverage) {
		t.Fatalf("coverage read back as %+v / %+v, want %+v / %+v", got.Coverage, got.Scenarios[0].Coverage, run.Coverage, run.Scenarios[0].Coverage)
	}
	if p := got.Coverage.Percent(); p != 61 {
		t.Fatalf("Percent() = %v, want 61", p)
	}
}
