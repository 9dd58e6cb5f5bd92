package check

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/clispec"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// outcome is everything a run reports: findings, the cases not judged and
// the summary's counts.
type outcome struct {
	Findings  []finding.Finding
	NotJudged []finding.Finding
	Stats     finding.Stats
}

func newTestChecker(t *testing.T, root string) *Checker {
	t.Helper()
	c, err := New(Options{Repo: repo.New(root), Tools: []clispec.Tool{widgetTool()}, ProofNames: fixtureProofs})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkedLines checks paths with c and returns its findings as text.
func checkedLines(t *testing.T, c *Checker, paths ...string) []string {
	t.Helper()
	found, err := c.Check(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range found {
		lines = append(lines, f.String())
	}
	return lines
}

// wantFindings fails t unless a run with no arguments in root reports
// exactly want, in order.
func wantFindings(t *testing.T, root string, want ...string) {
	t.Helper()
	if got := checkedLines(t, newTestChecker(t, root), "."); !slices.Equal(got, want) {
		t.Errorf("findings =\n%q\nwant\n%q", got, want)
	}
}

func outcomeOf(t *testing.T, c *Checker, findings []finding.Finding, err error) outcome {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return outcome{findings, c.NotJudged(), c.Stats()}
}

// TestCheckIsFilesThenRun: Check, which checks each page as soon as Files
// knows it is one of them, reports exactly what Run(Files(paths)) does,
// for folder and file arguments, pages outside the folders the walk
// passes through, and pages reached twice.
func TestCheckIsFilesThenRun(t *testing.T) {
	small := writeTree(t, map[string]string{
		"README.md":            "# R\n\n[guide](docs/guide.md#g), [gone](docs/guide.md#gone), [examples](examples/)\n\n```bash\nmake nothing-here\n```\n",
		"CONTRIBUTING.md":      "# C\n\n[readme](README.md#nope)\n",
		"docs/guide.md":        "# G\n\n[next](next.md#n) [missing](next.md#m) [back](../README.md#r)\n\n`./scripts/none.sh`\n",
		"docs/next.md":         "# N\n\n[guide](guide.md#g)\n\n```bash\ncurl -fsS https://example.org\n```\n\nAgain:\n\n```bash\ncurl -fsS https://example.org\n```\n",
		"docs/orphan.md":       "# O\n\n[nowhere](nowhere.md)\n",
		"docs/sub/deep.md":     "# D\n\n[orphan](../orphan.md#o) [up](../../CONTRIBUTING.md#x)\n",
		"examples/README.md":   "# E\n\n[guide](../docs/guide.md#x)\n",
		"examples/unlinked.md": "# U\n",
	})
	fixture := copyFixture(t)
	for _, tc := range []struct {
		root  string
		paths []string
	}{
		{small, []string{"."}},
		{small, []string{"docs"}},
		{small, []string{"README.md", "docs"}},
		{small, []string{"docs/sub", "examples"}},
		{small, []string{"docs/orphan.md", "docs/orphan.md", "examples/unlinked.md"}},
		{fixture, []string{"."}},
		{fixture, []string{"docs"}},
	} {
		viaRun := newTestChecker(t, tc.root)
		files, err := viaRun.Files(tc.paths)
		if err != nil {
			t.Fatal(err)
		}
		findings, err := viaRun.Run(context.Background(), files)
		want := outcomeOf(t, viaRun, findings, err)
		// A short run checks its pages in turn; the pool of workers a
		// long run switches to (ParallelAfter < 0: from the start) must
		// give the same, through Check and through Run.
		for _, after := range []time.Duration{0, -1} {
			viaCheck := newTestChecker(t, tc.root)
			viaCheck.opts.ParallelAfter = after
			findings, err = viaCheck.Check(context.Background(), tc.paths)
			got := outcomeOf(t, viaCheck, findings, err)
			for _, p := range files {
				// Checked, so released: the run holds no page's tree.
				if pg, err := viaCheck.load(p); err != nil || !pg.released.Load() || pg.doc != nil {
					t.Errorf("%s %v: %s keeps its syntax tree after Check (parallel after %v)", filepath.Base(tc.root), tc.paths, p, after)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %v: Check (parallel after %v) gave\n%+v\nRun(Files) gave\n%+v", filepath.Base(tc.root), tc.paths, after, got, want)
			}
			pooled := newTestChecker(t, tc.root)
			pooled.opts.ParallelAfter = after
			findings, err = pooled.Run(context.Background(), files)
			if got := outcomeOf(t, pooled, findings, err); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %v: Run (parallel after %v) gave\n%+v\nRun in turn gave\n%+v", filepath.Base(tc.root), tc.paths, after, got, want)
			}
		}
		// And both are what the checks give without the command-unit
		// memo (units.go).
		plain := newTestChecker(t, tc.root)
		plain.noUnitMemo = true
		findings, err = plain.Check(context.Background(), tc.paths)
		if fresh := outcomeOf(t, plain, findings, err); !reflect.DeepEqual(fresh, want) {
			t.Errorf("%s %v: Check without the unit memo gave\n%+v\nRun(Files) gave\n%+v", filepath.Base(tc.root), tc.paths, fresh, want)
		}
		if want.Stats.Files == 0 || tc.root == small && len(want.Findings) == 0 {
			t.Errorf("%s %v: nothing checked or found (%+v): the comparison proves nothing", filepath.Base(tc.root), tc.paths, want)
		}
	}
	if _, err := newTestChecker(t, small).Check(context.Background(), []string{"nowhere"}); err == nil {
		t.Error("Check of a missing path: no error")
	}
}

// TestReleasedPageServesLinks: once a page is checked it keeps only what
// other pages read (its anchors, the pages it links to, its link
// destinations for a root README); pages linking to it, a later Files and
// a second check of the page itself see what they saw before.
func TestReleasedPageServesLinks(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":       "# Readme\n\n## Install it\n\n<a id=\"raw-id\"></a>\n\nDocs: https://example.org/manual/\n\n[a](docs/a.md) [b](docs/b.md) [gone](docs/gone.md)\n",
		"docs/a.md":       "# Alpha\n\n## Second part\n\n[b](b.md#beta) [b](b.md#bet) [back](../README.md#install-it)\n\n```bash\nmake missing-target\n```\n",
		"docs/b.md":       "# Beta\n\n[a](a.md#second-part) [a](a.md#second-prt) [raw](../README.md#raw-id) [r](../README.md#instal-it)\n",
		"manual/page.md":  "# Page\n\n## Some heading\n",
		"manual/links.md": "# Links\n\n[p](page.md#other-heading) [q](page.md#some-head)\n",
	})
	// Each page alone on a fresh checker: nothing released before.
	fresh := map[string]outcome{}
	for _, p := range []string{"README.md", "docs/a.md", "docs/b.md", "manual/links.md"} {
		c := newTestChecker(t, root)
		findings, err := c.Run(context.Background(), []string{p})
		fresh[p] = outcomeOf(t, c, findings, err)
	}
	freshFiles, err := newTestChecker(t, root).Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}

	// One checker: the linked pages are checked (and released) first.
	c := newTestChecker(t, root)
	for _, p := range []string{"README.md", "docs/a.md", "manual/page.md"} {
		if _, err := c.Run(context.Background(), []string{p}); err != nil {
			t.Fatal(err)
		}
		pg, err := c.load(p)
		if err != nil {
			t.Fatal(err)
		}
		if !pg.released.Load() || pg.doc != nil || pg.linkNodes != nil {
			t.Fatalf("%s: checked but its syntax tree is kept", p)
		}
	}
	for _, p := range []string{"docs/b.md", "manual/links.md", "docs/a.md", "README.md"} {
		before := c.Stats()
		findings, err := c.Run(context.Background(), []string{p})
		if err != nil {
			t.Fatal(err)
		}
		got := outcome{Findings: findings, Stats: c.Stats()}
		got.Stats.Files -= before.Files
		got.Stats.Checks -= before.Checks
		want := fresh[p]
		if !reflect.DeepEqual(got.Findings, want.Findings) || got.Stats.Files != 1 || got.Stats.Checks != want.Stats.Checks {
			t.Errorf("%s after its links' pages were released:\n%+v\nwant\n%+v", p, got, want)
		}
		if len(want.Findings) == 0 {
			t.Errorf("%s: no findings on a fresh checker, the comparison proves nothing", p)
		}
	}
	files, err := c.Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, freshFiles) {
		t.Errorf("Files after release = %q, want %q", files, freshFiles)
	}
}

// TestCheckingSwitchesToWorkers: a run checks pages in turn until its
// deadline, then hands the rest to the workers; a negative ParallelAfter
// starts them at once. Each page is checked once either way.
func TestCheckingSwitchesToWorkers(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.md": "# A\n\n[b](b.md#nope)\n",
		"b.md": "# B\n\n[a](a.md#a)\n",
		"c.md": "# C\n\n[gone](gone.md)\n",
	})
	c := newTestChecker(t, root)
	k := c.startChecking(2)
	k.add("a.md")
	if k.next != nil {
		t.Fatal("workers started before the deadline")
	}
	if k.results["a.md"] == nil {
		t.Fatal("a.md not checked in turn")
	}
	k.deadline = time.Now() // the run has now taken as long as it may in turn
	k.add("b.md")
	k.add("c.md")
	k.add("a.md")
	if k.next == nil {
		t.Fatal("workers not started after the deadline")
	}
	results := k.wait()
	for _, p := range []string{"a.md", "b.md", "c.md"} {
		if results[p] == nil || results[p].stats == nil {
			t.Errorf("%s: no result", p)
		}
	}
	if n := len(results["a.md"].findings) + len(results["b.md"].findings) + len(results["c.md"].findings); n != 2 {
		t.Errorf("%d findings, want 2 (b.md#nope, gone.md)", n)
	}

	pooled := newTestChecker(t, root)
	pooled.opts.ParallelAfter = -1
	if k := pooled.startChecking(2); k.next == nil {
		t.Error("ParallelAfter < 0: workers not started at once")
	} else {
		k.wait()
	}
}
