package evidence

import (
	"reflect"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// The mutants run is written by WriteMutantRun and read by the website
// through report.LoadMutants: what one writes the other must read back
// whole, with secrets redacted on the way.
func TestMutantRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const password = "mut4nt-s3cret"
	red := &Redactor{}
	red.Add(password)
	started := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	run := report.MutantRun{
		SchemaVersion: report.SchemaVersion,
		RunID:         "m1",
		Verdict:       report.Fail,
		Provenance:    report.Provenance{Commit: "abc", StartedAt: started, FinishedAt: started.Add(time.Minute)},
		Mutants: []report.Mutant{{
			Name: "rescuer_takes_live_jobs", Breaks: "heartbeat_keeps_long_job_leased", Change: "ignore the lease",
			File: "backend/postgres/store.go", Outcome: report.Caught, DurationMS: 1200,
			Proofs: []report.MutantProof{{Name: "heartbeat_keeps_long_job_leased", Verdict: report.Fail,
				FirstFailure: &report.Assertion{Name: "not rescued", Expected: "1 attempt", Observed: "2 attempts"}, DurationMS: 900}},
		}, {
			Name: "leaky", Breaks: "secrets_stay_out_of_output", Change: "log " + password,
			File: "backend/command.go", Outcome: report.Survived, Reason: "printed " + password,
		}},
		Summary: report.MutantSummary{Caught: 1, Survived: 1},
	}
	if err := WriteMutantRun(dir, run, red); err != nil {
		t.Fatal(err)
	}
	AssertNoSecret(t, dir, password, "s3cret")
	got, err := report.LoadMutants(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := run
	want.Mutants = append([]report.Mutant(nil), run.Mutants...)
	want.Mutants[1].Change = red.Redact(run.Mutants[1].Change)
	want.Mutants[1].Reason = red.Redact(run.Mutants[1].Reason)
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, want)
	}
}

// generated-mutants.json: written by WriteGeneratedMutantRun, read back
// whole by report.LoadGeneratedMutants, the score recomputed by Add.
func TestGeneratedMutantRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var pkg report.MutationScore
	pkg.Package = "backend/worker"
	for _, o := range []report.GeneratedOutcome{report.Killed, report.Killed, report.Killed, report.Lived, report.NoCoverage, report.NotCompiled, report.Unjudged} {
		pkg.Add(o)
	}
	if pkg.Score != 60 {
		t.Fatalf("score %v, want 60 (3 killed of 5 judged or uncovered)", pkg.Score)
	}
	started := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	run := report.GeneratedMutantRun{
		SchemaVersion: report.SchemaVersion, RunID: "g1", Total: 900, Sample: 7, Seed: 42,
		Provenance: report.Provenance{Commit: "abc", StartedAt: started, FinishedAt: started.Add(time.Minute)},
		Packages:   []report.MutationScore{pkg}, Overall: pkg,
		Mutants: []report.GeneratedMutant{{ID: "backend/worker/state.go:94:3:remove_statement:abc123", File: "backend/worker/state.go",
			Package: "backend/worker", Line: 94, Operator: "remove_statement", Change: "remove st.s.RestartCount++", Outcome: report.Killed,
			KilledBy: "worker_restart_is_visible_in_health", FirstFailure: &report.Assertion{Name: "restart counted", Expected: "1", Observed: "0"},
			Proofs: []string{"worker_restart_is_visible_in_health"}, Ran: 1, DurationMS: 3000}},
	}
	if err := WriteGeneratedMutantRun(dir, run, &Redactor{}); err != nil {
		t.Fatal(err)
	}
	got, err := report.LoadGeneratedMutants(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, run) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, run)
	}
}
