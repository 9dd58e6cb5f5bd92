package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/prodproof/prodproof/internal/clispec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func runCLI(t *testing.T, project Project, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, &stdout, &stderr, project)
	return stdout.String(), stderr.String(), code
}

// TestGolden runs docscheck on the fixture repository in each output
// format and compares the output with testdata/golden/*.golden.
func TestGolden(t *testing.T) {
	for _, format := range []string{"text", "json", "github"} {
		t.Run(format, func(t *testing.T) {
			out, _, code := runCLI(t, Project{}, "--root", filepath.Join("testdata", "repo"), "--format", format)
			if code != ExitFindings {
				t.Errorf("exit status %d, want %d", code, ExitFindings)
			}
			golden := filepath.Join("testdata", "golden", format+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (run with -update if intended)\n--- got\n%s\n--- want\n%s", golden, out, want)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	root := filepath.Join("testdata", "repo")
	badConfig := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badConfig, []byte(`{"pages":[{"path":"x.md","headngs":[]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clean file", []string{"--root", root, "docs/clean.md"}, ExitClean},
		{"findings", []string{"--root", root}, ExitFindings},
		{"unknown flag", []string{"--root", root, "--nope"}, ExitUsage},
		{"bad format", []string{"--root", root, "--format", "xml"}, ExitUsage},
		{"bad slug", []string{"--root", root, "--slug", "gitlab"}, ExitUsage},
		{"missing path", []string{"--root", root, "docs/missing.md"}, ExitUsage},
		{"missing root", []string{"--root", filepath.Join(root, "nope")}, ExitUsage},
		{"bad config", []string{"--root", root, "--config", badConfig}, ExitUsage},
		{"unreadable config", []string{"--root", root, "--config", filepath.Join(root, "nope.json")}, ExitUsage},
		{"help", []string{"--help"}, ExitClean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, Project{}, tt.args...)
			if code != tt.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

// TestProjectToolsOnlyInThisRepository: the project's tools and proofs are
// judged when the root's module is this project's, and not elsewhere.
func TestProjectToolsOnlyInThisRepository(t *testing.T) {
	project := Project{
		Tools: []clispec.Tool{{Name: "proofs", Package: "./proofs", Commands: []clispec.Command{
			{Path: []string{"run"}, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("proofs run", flag.ContinueOnError)
				fs.String("db", "auto", "")
				return fs
			}, Args: func([]string) error { return nil }},
		}}},
		ProofNames:    []string{"worker_crash_recovers_job"},
		ProofCommands: []string{"proofs run"},
	}
	out, _, code := runCLI(t, project, "--root", filepath.Join("testdata", "project"))
	want := "docs/proofs.md:3:17: proof: \"worker_crash_recovers_jb\" is not a registered proof (did you mean worker_crash_recovers_job?)\n" +
		"docs/proofs.md:4:16: command: `docscheck`: unknown flag --formt (did you mean --format?)\n"
	if code != ExitFindings || out != want {
		t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}
	// The same tools are not known in another repository.
	out, _, code = runCLI(t, project, "--root", filepath.Join("testdata", "repo"), "docs/clean.md")
	if code != ExitClean {
		t.Errorf("foreign repository: exit %d, output:\n%s", code, out)
	}
}
