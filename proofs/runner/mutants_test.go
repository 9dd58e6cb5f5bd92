package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/harness"
)

// TestJudgeMutant: a mutant is caught only when every proof that must catch
// it failed; one pass is a survivor; an error or skip is no verdict.
func TestJudgeMutant(t *testing.T) {
	p := func(name string, v report.Verdict) report.MutantProof {
		return report.MutantProof{Name: name, Verdict: v}
	}
	cases := []struct {
		name   string
		proofs []report.MutantProof
		want   report.MutantOutcome
	}{
		{"every guard failed", []report.MutantProof{p("a", report.Fail), p("b", report.Fail)}, report.Caught},
		{"one guard passed", []report.MutantProof{p("a", report.Fail), p("b", report.Pass)}, report.Survived},
		{"a guard errored", []report.MutantProof{p("a", report.Fail), p("b", report.Error)}, report.Broken},
		{"a guard was skipped", []report.MutantProof{p("a", report.Skip)}, report.Broken},
		{"a pass outweighs an error", []report.MutantProof{p("a", report.Error), p("b", report.Pass)}, report.Survived},
		{"no guard", nil, report.Broken},
	}
	for _, c := range cases {
		if got, why := judge(c.proofs); got != c.want {
			t.Errorf("%s: %s (%s), want %s", c.name, got, why, c.want)
		}
	}
	_, verdict := summarizeMutants([]report.Mutant{{Outcome: report.Caught}, {Outcome: report.Stale}})
	if verdict != report.Fail {
		t.Errorf("a stale mutant: run verdict %s, want fail", verdict)
	}
	_, verdict = summarizeMutants([]report.Mutant{{Outcome: report.Caught}, {Outcome: report.Broken}})
	if verdict != report.Error {
		t.Errorf("an errored mutant: run verdict %s, want error", verdict)
	}
}

// TestCopyRepositoryLeavesTheSourceAlone: the scratch copy holds the
// tracked and untracked files (not the ignored ones), is a git repository
// of its own, and editing it does not touch the source tree.
func TestCopyRepositoryLeavesTheSourceAlone(t *testing.T) {
	src := t.TempDir()
	run := func(dir string, args ...string) {
		t.Helper()
		if _, err := harness.Git(t.Context(), dir, args...); err != nil {
			t.Fatal(err)
		}
	}
	run(src, "init", "-q")
	write := func(rel, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", "ignored.txt\n")
	write("a/tracked.go", "package a\n")
	run(src, "add", "-A")
	run(src, "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "x")
	write("untracked.txt", "new work\n")
	write("ignored.txt", "build output\n")
	dst := filepath.Join(t.TempDir(), "repo")
	if err := copyRepository(t.Context(), src, dst); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"a/tracked.go": true, "untracked.txt": true, "ignored.txt": false, ".git/HEAD": true} {
		_, err := os.Stat(filepath.Join(dst, rel))
		if (err == nil) != want {
			t.Errorf("%s in the copy: %v, want present=%t", rel, err, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dst, "a/tracked.go"), []byte("package mutated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(src, "a/tracked.go")); !strings.Contains(string(data), "package a") {
		t.Errorf("editing the copy changed the source: %q", data)
	}
}

// TestGeneratedIDsRefusals: a list of generated mutant ids that cannot be
// judged as given is refused with exit 2 before any database is
// provisioned or report written, naming the problem.
func TestGeneratedIDsRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	stale := "backend/api/api.go:99999:1:remove_statement:e3b0c4"
	staleList := write("stale.txt", "# one stale id\n"+stale+"\n")
	emptyList := write("empty.txt", "# nothing\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"mutants", "--ids", staleList}, "--ids lists generated mutants; it needs --generated"},
		{[]string{"mutants", "--generated", "--ids", staleList, "--sample", "3"}, "--ids and --sample exclude each other"},
		{[]string{"mutants", "--generated", "--ids", filepath.Join(dir, "absent.txt")}, "absent.txt: open"},
		{[]string{"mutants", "--generated", "--ids", emptyList}, "holds no mutant id"},
		{[]string{"mutants", "--generated", "--ids", staleList}, "no generated mutant has this id: " + stale},
	} {
		reportDir := filepath.Join(t.TempDir(), "report")
		code, stdout, stderr := invoke(t, context.Background(), "", nil, append(tt.args, "--report", reportDir)...)
		if code != ExitHarness || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, ExitHarness, tt.want)
		}
		if strings.Contains(stdout, "provisioning") {
			t.Errorf("%v: it started provisioning: %q", tt.args, stdout)
		}
		if _, err := os.Stat(reportDir); !os.IsNotExist(err) {
			t.Errorf("%v: a refused run wrote its report folder (%v)", tt.args, err)
		}
	}
}
