package check

import (
	"slices"
	"testing"

	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/yuin/goldmark/ast"
)

// TestBlockTexts: the lines of a code block, taken as slices of one
// string, are each line's own text as goldmark gives it, in blocks whose
// lines goldmark pads (a tab in a list) or cuts (a quote, a list) too.
func TestBlockTexts(t *testing.T) {
	for _, src := range []string{
		"```sh\nmake build\ngo test ./...\n```\n",
		"    indented\n    code\n",
		"- item\n\n  ```sh\n  make\n    deeper\n  ```\n",
		"> ```sh\n> make\n> go test\n> ```\n",
		"-\tx\n\n\t\tcode with a tab\n\t\tmore\n",
		"1. a\n\n   ```\n\tmake\n   ```\n",
		"```sh\r\nmake\r\n```\r\n",
		"<div>\n<p>html</p>\n</div>\n",
		"```sh\nmake build",
		"    code at the end",
	} {
		pg := parsePage("t.md", []byte(src), anchor.GitHub, indentedBodies{})
		blocks := 0
		_ = ast.Walk(pg.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering || n.Type() != ast.TypeBlock || n.Lines().Len() == 0 {
				return ast.WalkContinue, nil
			}
			switch n.Kind() {
			case ast.KindFencedCodeBlock, ast.KindCodeBlock, ast.KindHTMLBlock:
			default:
				return ast.WalkContinue, nil
			}
			blocks++
			var want []string
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				want = append(want, string(seg.Value(pg.source)))
			}
			if got := blockTexts(n, pg.source); !slices.Equal(got, want) {
				t.Errorf("blockTexts in %q = %q, want %q", src, got, want)
			}
			return ast.WalkContinue, nil
		})
		if blocks == 0 {
			t.Errorf("no block in %q", src)
		}
	}
}
