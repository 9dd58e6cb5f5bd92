package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/bench/results"
)

// benchDocs is a docs folder with a benchmarks page: an introduction, then
// sections.
func benchDocs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	page := "# Benchmarks\n\nWhat is measured.\n\n## Quiet-machine figures\n\nA table.\n"
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func growthResults(t *testing.T, dir, name string, backlogs ...int) string {
	t.Helper()
	r := results.New()
	r.StartedAt = time.Date(2026, 12, 2, 6, 55, 0, 0, time.UTC)
	r.Versions.Commit = "0123456789abcdef0123456789abcdef01234567"
	for _, b := range backlogs {
		g := results.GrowthPoint{Backlog: b}
		g.AddTrial(results.Side{JobsPerSec: 20000, Load1: 0.3}, results.Side{JobsPerSec: 12000, Load1: 0.4})
		g.Durable = &results.Pair{}
		g.Durable.AddTrial(results.Side{JobsPerSec: 9000, Load1: 0.2}, results.Side{JobsPerSec: 6000, Load1: 1.5})
		r.Growth = append(r.Growth, g)
	}
	r.ComputeRatios()
	path := filepath.Join(dir, name)
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBenchmarksPagePlotsTheGrowthCurveFromTheResultsFiles(t *testing.T) {
	docs := benchDocs(t)
	bench := t.TempDir()
	small := growthResults(t, bench, "results.json", 10000, 100000)
	large := growthResults(t, bench, "results-large.json", 1000000)
	cfg := Config{DocsDir: docs, OutDir: filepath.Join(t.TempDir(), "site"),
		BenchResults: []string{small, large, filepath.Join(bench, "missing.json")}}
	res := buildFixture(t, cfg)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
	page := string(readSite(t, cfg.OutDir)["docs/benchmarks.html"])
	_, article, _ := strings.Cut(page, `<article class="doc">`)
	svg, h2 := strings.Index(article, "<svg"), strings.Index(article, "<h2")
	if svg < 0 || h2 < 0 || svg > h2 || !strings.Contains(article, "What is measured") || strings.Index(article, "What is measured") > svg {
		t.Fatalf("the plot must sit after the introduction and before the first section:\n%s", page)
	}
	for _, want := range []string{"1,000,000 jobs: throwaway ours 20,000, River 12,000 jobs/s; durable ours 9,000, River 6,000 jobs/s",
		"results-large.json (2026-12-02 06:55 UTC, commit 0123456789ab", "1 of 2 pair trials loaded", "10,000</text>"} {
		if !strings.Contains(page, want) {
			t.Errorf("benchmarks page lacks %q", want)
		}
	}
}

func TestBenchmarksPageWithoutResultsSaysHowToMakeThem(t *testing.T) {
	docs := benchDocs(t)
	bad := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(bad, []byte(`{"schema_version": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		files    []string
		want     string
		warnings int
	}{
		"none":       {[]string{filepath.Join(t.TempDir(), "nothing.json")}, "no benchmark results file", 0},
		"unreadable": {[]string{bad}, "schema version 1", 1},
	} {
		cfg := Config{DocsDir: docs, OutDir: filepath.Join(t.TempDir(), "site"), BenchResults: tc.files}
		res := buildFixture(t, cfg)
		page := string(readSite(t, cfg.OutDir)["docs/benchmarks.html"])
		if strings.Contains(page, "<svg") || !strings.Contains(page, tc.want) || !strings.Contains(page, "make bench") || len(res.Warnings) != tc.warnings {
			t.Errorf("%s: warnings %v, page:\n%s", name, res.Warnings, page)
		}
	}
	// Other pages never get the figure.
	cfg := Config{DocsDir: filepath.Join("testdata", "docs"), OutDir: filepath.Join(t.TempDir(), "site"), BenchResults: []string{bad}}
	buildFixture(t, cfg)
	for path, data := range readSite(t, cfg.OutDir) {
		if strings.Contains(string(data), "bench-plot") && !strings.HasSuffix(path, ".css") {
			t.Errorf("%s has the growth figure", path)
		}
	}
}
