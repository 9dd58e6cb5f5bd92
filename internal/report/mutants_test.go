package report

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The mutants run is written by WriteMutantRun and read by the website
// through LoadMutants: what one writes the other must read back
// whole, with secrets redacted on the way.
func TestMutantRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const password = "mut4nt-s3cret"
	red := secretScrubber(password)
	started := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	run := MutantRun{
		SchemaVersion: SchemaVersion,
		RunID:         "m1",
		Verdict:       Fail,
		Provenance:    Provenance{Commit: "abc", StartedAt: started, FinishedAt: started.Add(time.Minute)},
		Mutants: []Mutant{{
			Name: "rescuer_takes_live_jobs", Breaks: "heartbeat_keeps_long_job_leased", Change: "ignore the lease",
			File: "backend/postgres/store.go", Outcome: Caught, DurationMS: 1200,
			Proofs: []MutantProof{{Name: "heartbeat_keeps_long_job_leased", Verdict: Fail,
				FirstFailure: &Assertion{Name: "not rescued", Expected: "1 attempt", Observed: "2 attempts"}, DurationMS: 900}},
		}, {
			Name: "leaky", Breaks: "secrets_stay_out_of_output", Change: "log " + password,
			File: "backend/command.go", Outcome: Survived, Reason: "printed " + password,
		}},
		Summary: MutantSummary{Caught: 1, Survived: 1},
	}
	if err := WriteMutantRun(dir, run, red); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, dir, "s3cret")
	got, err := LoadMutants(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := run
	want.Mutants = append([]Mutant(nil), run.Mutants...)
	want.Mutants[1].Change = red.Redact(run.Mutants[1].Change)
	want.Mutants[1].Reason = red.Redact(run.Mutants[1].Reason)
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, want)
	}
}

// generated-mutants.json: written by WriteGeneratedMutantRun, read back
// whole by LoadGeneratedMutants, the score recomputed by Add.
func TestGeneratedMutantRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var pkg MutationScore
	pkg.Package = "backend/worker"
	for _, o := range []GeneratedOutcome{Killed, Killed, Killed, Lived, NoCoverage, NotCompiled, Unjudged} {
		pkg.Add(o)
	}
	if pkg.Score != 60 {
		t.Fatalf("score %v, want 60 (3 killed of 5 judged or uncovered)", pkg.Score)
	}
	started := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	run := GeneratedMutantRun{
		SchemaVersion: SchemaVersion, RunID: "g1", Total: 900, Sample: 7, Seed: 42,
		Provenance: Provenance{Commit: "abc", StartedAt: started, FinishedAt: started.Add(time.Minute)},
		Packages:   []MutationScore{pkg}, Overall: pkg,
		Mutants: []GeneratedMutant{{ID: "backend/worker/state.go:94:3:remove_statement:abc123", File: "backend/worker/state.go",
			Package: "backend/worker", Line: 94, Operator: "remove_statement", Change: "remove st.s.RestartCount++", Outcome: Killed,
			KilledBy: "worker_restart_is_visible_in_health", FirstFailure: &Assertion{Name: "restart counted", Expected: "1", Observed: "0"},
			Proofs: []string{"worker_restart_is_visible_in_health"}, Ran: 1, DurationMS: 3000}},
	}
	if err := WriteGeneratedMutantRun(dir, run, nil); err != nil {
		t.Fatal(err)
	}
	got, err := LoadGeneratedMutants(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, run) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, run)
	}
}

// assertNoSecret fails when a file under dir holds secret.
func assertNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(data), secret) {
			t.Errorf("%s holds the secret", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// secretScrubber replaces one secret, as the runs' redactor would.
type secretScrubber string

func (s secretScrubber) Scrub(_, text string) string { return s.Redact(text) }

func (s secretScrubber) Redact(text string) string {
	return strings.ReplaceAll(text, string(s), "[REDACTED]")
}
