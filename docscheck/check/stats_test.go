package check

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// TestStats: every link and judged command is a check; programs docscheck
// cannot judge are counted by name; shell builtins are neither.
func TestStats(t *testing.T) {
	root := copyFixture(t)
	page := "# Stats\n\n[guide](guide.md) and ![logo](../images/logo.png)\n\n" +
		"```bash\ncd pkg\nmake build\ncurl -s localhost\ncurl -s example.com\necho done\n\"$TOOL\" run\npsql -c 'select 1'\n```\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "stats.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), []string{"docs/stats.md", "docs/guide.md"}); err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if s.Files != 2 {
		t.Errorf("files = %d, want 2", s.Files)
	}
	wantNot := map[string]int{"curl": 2, "psql": 1, "$…": 1}
	if !maps.Equal(s.NotChecked, wantNot) {
		t.Errorf("not checked = %v, want %v", s.NotChecked, wantNot)
	}
	// stats.md alone: two links and one make command.
	one, _ := New(Options{Repo: repo.New(root)})
	if _, err := one.Run(context.Background(), []string{"docs/stats.md"}); err != nil {
		t.Fatal(err)
	}
	if got := one.Stats().Checks; got != 3 {
		t.Errorf("checks = %d, want 3", got)
	}
}

// TestRulesAreDescribed: every rule the case files expect has a
// description for SARIF's rule records (finding.Rules).
func TestRulesAreDescribed(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.txt"))
	for _, file := range files {
		for _, tc := range readCases(t, file) {
			for _, w := range tc.want {
				fields := strings.SplitN(w, ": ", 3)
				if len(fields) < 2 {
					continue
				}
				if _, ok := finding.Rules[fields[1]]; !ok {
					t.Errorf("%s: %s: rule %q has no entry in finding.Rules", file, tc.name, fields[1])
				}
			}
		}
	}
	if _, ok := finding.Rules[ruleTooComplex]; !ok {
		t.Errorf("rule %q has no entry in finding.Rules", ruleTooComplex)
	}
}

// TestNotCheckedCountsNoOutput: output pasted into a shell block (test
// verdicts, log lines, rules, a tree) is not a program: the "not checked"
// summary counts only commands, and the cases not judged are counted by
// reason.
func TestNotCheckedCountsNoOutput(t *testing.T) {
	root := copyFixture(t)
	page := "# Output\n\n```bash\ngo test ./...\nPASS\nFAIL\n===\n1:M 02 Dec 10:00:00 * Ready\n2025/12/22 15:00 INFO x\ncurl -s localhost\n./tools/gone.sh\n```\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "output.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Run(context.Background(), []string{"docs/output.md"})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Stats()
	if want := map[string]int{"curl": 1}; !maps.Equal(s.NotChecked, want) {
		t.Errorf("not checked = %v, want %v", s.NotChecked, want)
	}
	if want := map[string]int{"not-in-repo": 1}; len(findings) != 0 || !maps.Equal(s.NotJudged, want) {
		t.Errorf("findings %v, not judged = %v, want none and %v", findings, s.NotJudged, want)
	}
	if nj := c.NotJudged(); len(nj) != 1 || nj[0].NotCertain != "not-in-repo" || nj[0].Line != 11 {
		t.Errorf("NotJudged() = %v", nj)
	}
	if sum := s.Summary(0); !strings.Contains(sum, "1 not judged (not-in-repo 1)") {
		t.Errorf("summary %q lacks the not-judged count", sum)
	}
}
