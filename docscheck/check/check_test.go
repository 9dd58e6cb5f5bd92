package check

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/prodproof/prodproof/internal/clispec"
)

// widgetTool is the fixture repository's own tool: a small command table
// in the shape of the project's real ones.
func widgetTool() clispec.Tool {
	return clispec.Tool{
		Name:    "widget",
		Package: "./cmd/widget",
		Commands: []clispec.Command{
			{Path: nil, Summary: "serve (default)"},
			{Path: []string{"serve"}, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("widget serve", flag.ContinueOnError)
				fs.String("addr", ":8080", "listen address")
				return fs
			}},
			{Path: []string{"migrate", "status"}, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("widget migrate status", flag.ContinueOnError)
				fs.Bool("json", false, "json output")
				return fs
			}},
			{Path: []string{"migrate", "up"}},
			{Path: []string{"run"}, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("widget run", flag.ContinueOnError)
				fs.String("db", "auto", "database")
				fs.String("report", "report", "report folder")
				return fs
			}, Args: func([]string) error { return nil }},
		},
	}
}

var fixtureProofs = []string{"alpha_proof", "beta_proof", "worker_crash_recovers_job"}

// copyFixture copies testdata/repo (with file modes) into a temp folder, so
// each case can add its page without touching the checked-in tree.
func copyFixture(t testing.TB) string {
	t.Helper()
	return copyFixtureFrom(t, filepath.Join("testdata", "repo"))
}

// copyFixtureFrom copies one fixture tree into a temp folder.
func copyFixtureFrom(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
	return dst
}

// testCase is one case of a case file:
//
//	=== name [key=value ...]
//	markdown...
//	--- want
//	line:col: rule: message
type testCase struct {
	name     string
	line     int // of the "===" line in the case file
	options  map[string]string
	markdown string
	want     []string
}

func readCases(t *testing.T, file string) []testCase {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []testCase
	var cur *testCase
	inWant := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			cases = append(cases, testCase{line: n, options: map[string]string{}})
			cur = &cases[len(cases)-1]
			inWant = false
			head := strings.TrimPrefix(line, "=== ")
			if i := strings.Index(head, " ["); i >= 0 && strings.HasSuffix(head, "]") {
				for _, kv := range strings.Fields(head[i+2 : len(head)-1]) {
					k, v, _ := strings.Cut(kv, "=")
					cur.options[k] = v
				}
				head = head[:i]
			}
			cur.name = head
		case cur == nil:
			// preamble comments
		case line == "--- want":
			inWant = true
		case inWant:
			if strings.TrimSpace(line) != "" {
				cur.want = append(cur.want, line)
			}
		default:
			cur.markdown += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// runCase writes the case's page into a fresh copy of the fixture and
// returns the findings as "line:col: rule: message" lines.
func runCase(t *testing.T, root string, tc testCase) []string {
	t.Helper()
	page := tc.options["path"]
	if page == "" {
		page = "docs/case.md"
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Join(root, page)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, page), []byte(tc.markdown), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(root, page)) })
	opts := Options{
		Repo:          repo.New(root),
		Tools:         []clispec.Tool{widgetTool()},
		ProofNames:    fixtureProofs,
		ProofCommands: []string{"widget run"},
		Slug:          anchor.Style(tc.options["slug"]),
		SiteRoot:      tc.options["site-root"],
		ConfigPath:    "docscheck.json",
		Strict:        tc.options["strict"] != "",
	}
	// [ignore-path=x ignore-rule=y ignore-pattern=z] is one config ignore
	// entry; ignore2-... a second one.
	for _, prefix := range []string{"ignore", "ignore2"} {
		ig := Ignore{Path: tc.options[prefix+"-path"], Rule: tc.options[prefix+"-rule"], Pattern: tc.options[prefix+"-pattern"]}
		if ig != (Ignore{}) {
			if err := ig.compile(); err != nil {
				t.Fatal(err)
			}
			opts.Ignore = append(opts.Ignore, ig)
		}
	}
	// [also=a.md,b.md] checks those pages of the fixture in the same run
	// (rules that weigh a run's pages together); their findings keep
	// their path.
	pages := []string{page}
	if also := tc.options["also"]; also != "" {
		pages = append(pages, strings.Split(also, ",")...)
	}
	var got []string
	for _, f := range checkPages(t, opts, pages) {
		got = append(got, strings.TrimPrefix(f, page+":"))
	}
	return got
}

// checkPage checks one page with a new Checker and returns its findings as
// "path:line:col: rule: message" lines.
func checkPage(t testing.TB, opts Options, page string) []string {
	t.Helper()
	return checkPages(t, opts, []string{page})
}

// checkPages checks pages in one run of a new Checker.
func checkPages(t testing.TB, opts Options, pages []string) []string {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Run(context.Background(), pages)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.String())
	}
	return got
}

func TestCaseFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	// A case runs in testdata/repo, or with [repo=sites/x] in testdata/sites/x.
	// [git-origin=URL] gives the copy the .git/config of a clone of URL,
	// [git-head=BRANCH] its .git/HEAD ("ref: refs/heads/BRANCH", or a
	// commit id for git-head=detached) and [git-default=BRANCH] its .git/refs/remotes/origin/HEAD: a
	// fixture cannot hold a .git folder of its own.
	roots := map[string]string{}
	for _, file := range files {
		for _, tc := range readCases(t, file) {
			fixture := cmp.Or(tc.options["repo"], "repo")
			key := strings.Join([]string{fixture, tc.options["git-origin"], tc.options["git-head"], tc.options["git-default"]}, "|")
			if roots[key] == "" {
				roots[key] = copyFixtureFrom(t, filepath.Join("testdata", filepath.FromSlash(fixture)))
				writeGit(t, roots[key], tc.options["git-origin"], tc.options["git-head"], tc.options["git-default"])
			}
			root := roots[key]
			t.Run(filepath.Base(file)+"/"+tc.name, func(t *testing.T) {
				got := runCase(t, root, tc)
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("%s:%d: %s\n--- got\n%s\n--- want\n%s", file, tc.line, tc.name,
						strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
			})
		}
	}
}

// writeGit writes the files of .git a clone leaves that docscheck reads:
// config with the origin remote, HEAD and origin's HEAD. Nothing is
// written for an empty value.
func writeGit(t *testing.T, root, origin, head, def string) {
	t.Helper()
	files := map[string]string{}
	if origin != "" {
		files["config"] = "[remote \"origin\"]\n\turl = " + origin + "\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
	}
	switch head {
	case "":
	case "detached":
		files["HEAD"] = "0123456789abcdef0123456789abcdef01234567\n"
	default:
		files["HEAD"] = "ref: refs/heads/" + head + "\n"
	}
	if def != "" {
		files["refs/remotes/origin/HEAD"] = "ref: refs/remotes/origin/" + def + "\n"
	}
	for name, body := range files {
		p := filepath.Join(root, ".git", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
