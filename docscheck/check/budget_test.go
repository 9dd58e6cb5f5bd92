package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/docscheck/repo"
)

func writePages(t *testing.T, pages map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range pages {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestBudgetSkipsDeepNesting: a few MB of list nested 2,000 deep (minutes
// inside the parser) is reported as too complex at once, links into it are
// not judged, and the other pages are still checked.
func TestBudgetSkipsDeepNesting(t *testing.T) {
	deep := strings.Repeat(strings.Repeat("- ", 2000)+"x\n", 1000)
	root := writePages(t, map[string]string{
		"deep.md": deep,
		"ok.md":   "# Ok\n\n[into the deep page](deep.md#anything) and [a missing one](nope.md)\n",
	})
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	findings, err := c.Run(context.Background(), []string{"deep.md", "ok.md"})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s: the budget did not stop the parse", took)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.String())
	}
	want := []string{
		"deep.md:1:1: too-complex: skipped: too complex (nesting deeper than 100 levels at line 1); nothing on this page was checked",
		"ok.md:3:44: link: link target `nope.md` does not exist",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := c.Stats(); s.Skipped != 1 || s.Files != 2 {
		t.Errorf("stats %+v, want 1 skipped of 2 files", s)
	}
}

func TestBudgetSizeAndTime(t *testing.T) {
	big := strings.Repeat("Some prose with a [link](ok.md) in it.\n\n", 20000) // ~800 KB
	root := writePages(t, map[string]string{"big.md": big, "ok.md": "# Ok\n"})
	for _, tc := range []struct {
		budget Budget
		want   string
	}{
		{Budget{MaxBytes: 1000}, "bytes, more than the 1000 allowed"},
		{Budget{ParseTimeout: time.Nanosecond}, "parsing took longer than 1ns"},
	} {
		c, err := New(Options{Repo: repo.New(root), Budget: tc.budget})
		if err != nil {
			t.Fatal(err)
		}
		findings, err := c.Run(context.Background(), []string{"big.md"})
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) != 1 || findings[0].Rule != ruleTooComplex || !strings.Contains(findings[0].Message, tc.want) {
			t.Errorf("budget %+v: findings %v, want one too-complex saying %q", tc.budget, findings, tc.want)
		}
	}
}

// TestNestingDepth: ordinary nesting, code fences and indented
// code stay far below the limit.
func TestNestingDepth(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"# Title\n\nprose - with a dash\n", 0},
		{"- a\n  - b\n    - c\n", 3},
		{"> > - quoted list\n", 3},
		{"1. one\n   2) two\n", 2},
		{"```\n" + strings.Repeat(" ", 400) + "code\n```\n", 0},
		{strings.Repeat("- ", 150) + "x\n", 150},
	}
	for _, tt := range tests {
		if got, _ := nestingDepth([]byte(tt.src), 1000); got != tt.want {
			t.Errorf("nestingDepth(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := nestingDepth(src, 1000); d > 20 {
			t.Errorf("%s: depth %d; the estimate is too coarse for real docs", f, d)
		}
	}
}

// worstPagesUnderTheBound are the slowest inputs known for the parser (its
// cost grows with the square of their size), cut to boundedParseBytes.
func worstPagesUnderTheBound() map[string]string {
	fill := func(head, unit, tail string) string {
		n := (boundedParseBytes - len(head) - len(tail)) / len(unit)
		return head + strings.Repeat(unit, n) + tail
	}
	half := strings.Repeat("a|", boundedParseBytes/8)
	return map[string]string{
		"wide table":       "|" + half + "\n|" + strings.Repeat("-|", boundedParseBytes/8) + "\n" + strings.Repeat("|a|\n", (boundedParseBytes-2*len(half))/4-1),
		"nested brackets":  strings.Repeat("[", boundedParseBytes/2-1) + "a" + strings.Repeat("]", boundedParseBytes/2-1),
		"mismatched emph":  fill("", "*a_ ", ""),
		"unclosed links A": fill("", "[a](<b", ""),
		"unclosed links B": fill("", "[a](b", ""),
		"link openers":     fill("", "[a", ""),
	}
}

// BenchmarkWorstPagesUnderTheBound backs boundedParseBytes, a speed goal
// and so a benchmark, not a timed test: on a quiet machine each of the
// worst pages that small parses within a quarter of the default
// ParseTimeout, so a page that small needs no timeout.
func BenchmarkWorstPagesUnderTheBound(b *testing.B) {
	limit := Budget{}.withDefaults().ParseTimeout / 4
	for name, src := range worstPagesUnderTheBound() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				parsePage("worst.md", []byte(src), "", indentedBodies{})
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(limit), "of-quarter-timeout")
		})
	}
}

// TestPagesUnderTheBoundParseWithoutATimeout: the worst pages are within
// the bound, such a page is parsed even with a timeout it could never meet,
// and a larger one still has one.
func TestPagesUnderTheBoundParseWithoutATimeout(t *testing.T) {
	for name, src := range worstPagesUnderTheBound() {
		if len(src) > boundedParseBytes {
			t.Fatalf("%s: %d bytes, more than %d", name, len(src), boundedParseBytes)
		}
	}
	small := "# Small\n\n[a link](big.md)\n"
	big := strings.Repeat("Some prose.\n\n", boundedParseBytes/13+1)
	root := writePages(t, map[string]string{"small.md": small, "big.md": big})
	c, err := New(Options{Repo: repo.New(root), Budget: Budget{ParseTimeout: time.Nanosecond}})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Run(context.Background(), []string{"big.md", "small.md"})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].Path != "big.md" || findings[0].Rule != ruleTooComplex {
		t.Errorf("findings %v, want only big.md too complex", findings)
	}
}
