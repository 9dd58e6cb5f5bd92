package prove

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
)

// fourVerdicts is a run with one proof of each verdict.
func fourVerdicts() report.Run {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return report.Run{
		RunID: "r1", Verdict: report.Fail,
		Provenance: report.Provenance{Commit: "0123456789abcdef", PostgresVersion: "15.8", DBSource: "local", StartedAt: at, FinishedAt: at.Add(3 * time.Second)},
		Summary:    report.Summary{Passed: 1, Failed: 1, Errored: 1, Skipped: 1},
		Scenarios: []report.Scenario{
			{Name: "p_pass", Verdict: report.Pass, DurationMS: 1200, Claim: "it works", Reproduce: "go run ./proofs run p_pass"},
			{Name: "p_fail", Verdict: report.Fail, DurationMS: 800, Reason: "a | b",
				FirstFailure: &report.Assertion{Name: "the job took two attempts", Expected: "2", Observed: "1 | <none>"}},
			{Name: "p_error", Verdict: report.Error, Reason: "provision database: no initdb"},
			{Name: "p_skip", Verdict: report.Skip, Reason: "interrupted before it ran"},
		},
	}
}

func TestJUnitMapsEveryVerdict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := writeJUnit(path, fourVerdicts(), &evidence.Redactor{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 {
		t.Fatalf("totals %+v", doc)
	}
	cases := map[string]junitCase{}
	for _, c := range doc.Suites[0].Cases {
		cases[c.Name] = c
	}
	if c := cases["p_pass"]; c.Failure != nil || c.Error != nil || c.Skipped != nil || c.Time != "1.200" {
		t.Errorf("pass: %+v", c)
	}
	if c := cases["p_fail"]; c.Failure == nil || c.Failure.Message != "the job took two attempts" || !strings.Contains(c.Failure.Text, "observed: 1 | <none>") || c.Error != nil {
		t.Errorf("fail: %+v", c)
	}
	if c := cases["p_error"]; c.Error == nil || c.Error.Message != "provision database: no initdb" || c.Failure != nil {
		t.Errorf("error: %+v", c)
	}
	if c := cases["p_skip"]; c.Skipped == nil || c.Skipped.Message != "interrupted before it ran" || c.Failure != nil {
		t.Errorf("skip: %+v", c)
	}
	if !strings.HasPrefix(string(data), "<?xml") || !strings.Contains(string(data), "&lt;none&gt;") {
		t.Errorf("header or escaping missing:\n%s", data)
	}
}

func TestStepSummaryIsAMarkdownTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := appendStepSummary(path, fourVerdicts(), &evidence.Redactor{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	if !strings.HasPrefix(text, "earlier step\n") {
		t.Errorf("the summary file was replaced, not appended to:\n%s", text)
	}
	for _, want := range []string{
		"### Proofs: ❌ fail",
		"1 passed, 1 failed, 1 errored, 1 skipped on commit `0123456789ab`",
		"| proof | verdict | time | first failure or reason |",
		"| `p_pass` | ✅ pass | 1.20 s |  |",
		`| ` + "`p_fail`" + ` | ❌ fail | 0.80 s | the job took two attempts (expected 2, observed 1 \| <none>) |`,
		"| `p_error` | ⚠️ error | 0.00 s | provision database: no initdb |",
		"| `p_skip` | ⏭️ skip | 0.00 s | interrupted before it ran |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "\n| `"); n != 4 {
		t.Errorf("%d proof rows, want 4", n)
	}
}

func TestCIOutputIsRedacted(t *testing.T) {
	run := fourVerdicts()
	run.Scenarios[2].Reason = "connect postgres://u:hunter2-ci@127.0.0.1/db failed"
	red := &evidence.Redactor{}
	red.AddURL("postgres://u:hunter2-ci@127.0.0.1/db")
	dir := t.TempDir()
	junit, summary := filepath.Join(dir, "j.xml"), filepath.Join(dir, "s.md")
	if err := writeJUnit(junit, run, red); err != nil {
		t.Fatal(err)
	}
	if err := appendStepSummary(summary, run, red); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{junit, summary} {
		if data, _ := os.ReadFile(p); strings.Contains(string(data), "hunter2-ci") {
			t.Errorf("%s holds the password", p)
		}
	}
}
