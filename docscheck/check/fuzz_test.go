package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/clispec"
)

// FuzzCheck feeds arbitrary Markdown through every rule: it must never
// panic, and every finding must point inside the page.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"# T\n[a](#t) [b](x.md#y) `make test`\n",
		"```bash\ncd pkg && make x | y\n$(go test -run '[' ./...)\n```\n",
		"```console\n$ widget run \\\n",
		"<a href='\x00'>[x][y]</a>",
	} {
		f.Add(seed)
	}
	root := copyFixture(f)
	f.Fuzz(func(t *testing.T, markdown string) {
		p := filepath.Join(root, "docs", "fuzz.md")
		if err := os.WriteFile(p, []byte(markdown), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Repo: repo.New(root), Tools: []clispec.Tool{widgetTool()}, ProofNames: fixtureProofs, ProofCommands: []string{"widget run"}})
		if err != nil {
			t.Fatal(err)
		}
		findings, err := c.Run(context.Background(), []string{"docs/fuzz.md"})
		if err != nil {
			t.Fatal(err)
		}
		lines := 1
		for _, b := range []byte(markdown) {
			if b == '\n' {
				lines++
			}
		}
		for _, fd := range findings {
			if fd.Line < 1 || fd.Line > lines || fd.Col < 1 {
				t.Errorf("finding outside the page (%d lines): %v", lines, fd)
			}
		}
	})
}
