package site

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// After a full run and then `proofs run` of one proof on a later commit,
// the site shows every claim's latest verdict with the run it came from,
// and says which verdicts are from the older commit.
func TestSingleProofRunUpdatesItsClaimAndKeepsTheOthers(t *testing.T) {
	dir := t.TempDir()
	proofs := []Claim{
		{Name: "alpha_claim", Claim: "alpha holds"},
		{Name: "beta_claim", Claim: "beta holds"},
	}
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	write := func(id, commit string, names ...string) {
		run := report.Run{SchemaVersion: report.SchemaVersion, RunID: id, Verdict: report.Pass,
			Provenance: report.Provenance{Commit: commit, Command: "proofs run", StartedAt: start, FinishedAt: start.Add(time.Minute)}}
		for _, n := range names {
			run.Scenarios = append(run.Scenarios, report.Scenario{Name: n, Verdict: report.Pass, StartedAt: start, DurationMS: 1500})
		}
		if err := report.WriteRun(dir, run, nil); err != nil {
			t.Fatal(err)
		}
		start = start.Add(time.Hour)
	}
	write("run-full", "1111111111111111111111111111111111111111", "alpha_claim", "beta_claim")
	write("run-single", "2222222222222222222222222222222222222222", "beta_claim")

	cfg := Config{ReportDir: dir, OutDir: filepath.Join(t.TempDir(), "site"), Claims: proofs}
	buildFixture(t, cfg)
	index := readPage(t, cfg, "index.html")
	if strings.Contains(index, "not run") || !strings.Contains(index, `<b>2</b> pass`) {
		t.Errorf("index should count both claims as pass, none as not run:\n%s", between(index, `<div class="counts"`, "</div>"))
	}
	if !strings.Contains(index, "Last run (1 proof)") {
		t.Errorf("the run pill should say the last run ran 1 proof")
	}
	alpha := readPage(t, cfg, "proofs/alpha_claim.html")
	for _, want := range []string{"<code>run-full</code> <span class=\"muted\">(an earlier run)</span>", "From an older commit.", "<code>111111111111</code>"} {
		if !strings.Contains(alpha, want) {
			t.Errorf("alpha page lacks %q", want)
		}
	}
	beta := readPage(t, cfg, "proofs/beta_claim.html")
	if !strings.Contains(beta, "<code>run-single</code> <span class=\"muted\">(the latest run)</span>") || strings.Contains(beta, "From an older commit") {
		t.Errorf("beta page should come from the latest run, on the current commit")
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}
