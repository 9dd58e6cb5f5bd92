package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/clispec"
)

// writeCorpus writes n linked pages under docs/gen in root: headings,
// same-page and cross-page anchors, images, shell blocks and inline
// commands, all valid so the benchmark measures checking, not reporting.
func writeCorpus(tb testing.TB, root string, n int) []string {
	tb.Helper()
	dir := filepath.Join(root, "docs", "gen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	files := make([]string, n)
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "# Page %d\n\nIntro with a [link to the next page](page-%04d.md#section-2) and [back](#page-%d).\n\n", i, (i+1)%n, i)
		for s := 1; s <= 5; s++ {
			fmt.Fprintf(&b, "## Section %d\n\nSome prose about `make test` and `go test -run TestAdd ./pkg/calc`.\n", s)
			fmt.Fprintf(&b, "See [guide](../guide.md#install-the-tool), ![logo](../../images/logo.png) and [section](#section-%d).\n\n", s)
			b.WriteString("```bash\nDATABASE_URL=postgres://localhost/x make build && ./scripts/run.sh\ngo run ./cmd/widget migrate status --json | jq .\n```\n\n")
		}
		name := fmt.Sprintf("page-%04d.md", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		files[i] = "docs/gen/" + name
	}
	return files
}

// BenchmarkCorpus1000 checks 1,000 generated pages from a cold start (a new
// Repo and Checker each iteration, so nothing is cached between runs).
// Set DOCSCHECK_BENCH_CORPUS to a folder to keep the corpus there, e.g. to
// time another tool on the same pages.
func BenchmarkCorpus1000(b *testing.B) {
	root := copyFixture(b)
	if keep := os.Getenv("DOCSCHECK_BENCH_CORPUS"); keep != "" {
		root = keep
		if err := os.CopyFS(keep, os.DirFS(filepath.Join("testdata", "repo"))); err != nil && !os.IsExist(err) {
			b.Fatal(err)
		}
	}
	files := writeCorpus(b, root, 1000)
	b.ResetTimer()
	for b.Loop() {
		c, err := New(Options{Repo: repo.New(root), Tools: []clispec.Tool{widgetTool()}, ProofNames: fixtureProofs})
		if err != nil {
			b.Fatal(err)
		}
		findings, err := c.Run(context.Background(), files)
		if err != nil {
			b.Fatal(err)
		}
		if len(findings) != 0 {
			b.Fatalf("generated corpus should be clean, got %d findings, first: %v", len(findings), findings[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000/1e3, "µs/page")
}
