package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prodproof/prodproof/internal/await"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// TestGolden runs docscheck on the fixture repository in each output
// format and compares stdout, then the stderr summary, with
// testdata/golden/*.golden. GITHUB_WORKSPACE is the fixture's parent, so
// annotation and SARIF paths start with "repo/".
func TestGolden(t *testing.T) {
	workspace, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_WORKSPACE", workspace)
	for _, format := range []string{"text", "json", "github", "sarif"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCLI(t, "--root", filepath.Join("testdata", "repo"), "--format", format)
			if code != ExitFindings {
				t.Errorf("exit status %d, want %d", code, ExitFindings)
			}
			got := out + "--- stderr\n" + stderr
			if !utf8.ValidString(got) {
				t.Errorf("output is not valid UTF-8:\n%q", got)
			}
			golden := filepath.Join("testdata", "golden", format+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if intended)\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// TestSummaryOnCleanRun: a clean run says what it checked, too.
func TestSummaryOnCleanRun(t *testing.T) {
	out, stderr, code := runCLI(t, "--root", filepath.Join("testdata", "repo"), "docs/clean.md")
	if code != ExitClean || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := "docscheck: 1 file, 2 checks, 0 findings, 0 commands not checked\n"
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

// TestHelpListsEveryFlag: --help names every flag docscheck parses, on
// stdout, once, with exit status 0 and nothing on stderr.
func TestHelpListsEveryFlag(t *testing.T) {
	out, stderr, code := runCLI(t, "--help")
	if code != ExitClean {
		t.Errorf("exit %d", code)
	}
	if n := strings.Count(out, "usage: docscheck"); n != 1 || stderr != "" {
		t.Errorf("--help printed the usage %d times on stdout, stderr %q", n, stderr)
	}
	flags(&options{}).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(out, "-"+f.Name+" ") && !strings.Contains(out, "-"+f.Name+"\n") {
			t.Errorf("--help does not list -%s:\n%s", f.Name, out)
		}
	})
	for _, s := range []string{"usage: docscheck", "Exit status", "sarif"} {
		if !strings.Contains(out, s) {
			t.Errorf("--help lacks %q", s)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runCLI(t, "--version")
	if code != ExitClean || !strings.HasPrefix(out, "docscheck ") || strings.TrimSpace(out) == "docscheck" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestCheckoutPrefix(t *testing.T) {
	checkout := t.TempDir()
	if err := os.Mkdir(filepath.Join(checkout, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(checkout, "site", "docs")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ root, workspace, want string }{
		{checkout, "", ""},
		{sub, "", "site/docs"},
		{sub, filepath.Join(checkout, "site"), "docs"},
		{checkout, sub, ""}, // the root outside the workspace: paths stay root-relative
	}
	for _, tt := range tests {
		if got := checkoutPrefix(tt.root, tt.workspace); got != tt.want {
			t.Errorf("checkoutPrefix(%s, %q) = %q, want %q", tt.root, tt.workspace, got, tt.want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
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
		{"path outside the root", []string{"--root", filepath.Join(root, "docs"), "../README.md"}, ExitUsage},
		{"absolute path outside the root", []string{"--root", filepath.Join(root, "docs"), mustAbs(t, filepath.Join(root, "README.md"))}, ExitUsage},
		{"negative timeout", []string{"--root", root, "--timeout", "-1s"}, ExitUsage},
		{"stray argument to --version", []string{"--version", "--nope"}, ExitUsage},
		{"version", []string{"--version"}, ExitClean},
		{"missing root", []string{"--root", filepath.Join(root, "nope")}, ExitUsage},
		{"bad config", []string{"--root", root, "--config", badConfig}, ExitUsage},
		{"unreadable config", []string{"--root", root, "--config", filepath.Join(root, "nope.json")}, ExitUsage},
		{"help", []string{"--help"}, ExitClean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

// TestToolsFromManifest: a repository's own tools and proofs are judged
// from the tools manifest its config names, and not in a repository
// without one.
func TestToolsFromManifest(t *testing.T) {
	out, _, code := runCLI(t, "--root", filepath.Join("testdata", "project"), "docs")
	want := "docs/proofs.md:3:17: proof: \"worker_crash_recovers_jb\" is not a registered proof (did you mean worker_crash_recovers_job?)\n" +
		"docs/proofs.md:4:16: command: `docscheck`: unknown flag --formt (did you mean --format?)\n" +
		"docs/proofs.md:5:25: command: `proofs run`: invalid value \"lcoal\" for flag -db: \"lcoal\" is not one of auto, url, docker, local (did you mean `--db local`?)\n"
	if code != ExitFindings || out != want {
		t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}
	// The same tools are not known in another repository.
	out, _, code = runCLI(t, "--root", filepath.Join("testdata", "repo"), "docs/clean.md")
	if code != ExitClean {
		t.Errorf("foreign repository: exit %d, output:\n%s", code, out)
	}
}

func TestBadManifestIsUsageError(t *testing.T) {
	root := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# x\n")
	for _, tc := range []struct{ config, manifest string }{
		{`{"pages":[],"tools":"tools.json"}`, `{"version":1,"tools":[{"name":"t","commands":[{"path":[],"flags":[{"name":"x","kind":"nope"}]}]}]}`},
		{`{"pages":[],"tools":"missing.json"}`, ``},
		{`{"pages":[],"tools":"../outside.json"}`, ``},
		{`{"pages":[{"path":"README.md","mention_all_proofs":true}]}`, ``},
	} {
		write("docscheck.json", tc.config)
		write("tools.json", tc.manifest)
		if _, stderr, code := runCLI(t, "--root", root); code != ExitUsage {
			t.Errorf("config %s: exit %d, want %d; stderr: %s", tc.config, code, ExitUsage, stderr)
		}
	}
}

// TestSymlinkedFoldersEnd: a tree whose folder links point at a parent
// (twice, so a walk that follows them branches without end), at a sibling
// folder of pages, at each other (a -> b -> a) and at nothing. docscheck
// must end, and read each page once, under its own path: a page reached
// through a folder link is not a second page.
func TestSymlinkedFoldersEnd(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"README.md":         "[x](nothere.md) and [guide](docs/guide.md)\n",
		"docs/index.html":   "<html></html>\n",
		"docs/guide.md":     "# Guide\n\n[g](gone.md)\n",
		"guides/index.html": "<html></html>\n",
		"guides/extra.md":   "# Extra\n\n[h](gone2.md)\n",
		"a/a.txt":           "a\n",
		"b/b.txt":           "b\n",
	}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := [][2]string{
		{"..", "a/lib"}, {"..", "b/lib"}, // parents
		{"../guides", "docs/more"},       // a sibling folder of pages
		{"y", "loop-x"}, {"loop-x", "y"}, // a loop
		{"nowhere", "dangling"},
	}
	for _, l := range links {
		if err := os.Symlink(l[0], filepath.Join(root, filepath.FromSlash(l[1]))); err != nil {
			t.Fatal(err)
		}
	}
	type ran struct {
		out  string
		code int
	}
	done := make(chan ran, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"--root", root}, &stdout, &stderr)
		done <- ran{stdout.String(), code}
	}()
	var got ran
	err := await.Condition(20*time.Second, "docscheck to end on a tree with folder links", func() (bool, string) {
		select {
		case got = <-done:
			return true, "ended"
		default:
			return false, "still running"
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.code != ExitFindings {
		t.Errorf("exit status %d, want %d\n%s", got.code, ExitFindings, got.out)
	}
	for _, want := range []string{"README.md:1:1: link: link target `nothere.md`", "docs/guide.md:3:1: link: link target `gone.md`", "guides/extra.md:3:1: link: link target `gone2.md`"} {
		if n := strings.Count(got.out, want); n != 1 {
			t.Errorf("%q reported %d times, want once:\n%s", want, n, got.out)
		}
	}
	if strings.Contains(got.out, "docs/more/") || strings.Contains(got.out, "/lib/") {
		t.Errorf("a page was read through a folder link:\n%s", got.out)
	}
}
