package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// TestResolvedByPageAndPath: resolvePath's memo keys an answer by the
// page as well as the path: the same relative link resolves beside each
// page that has it, and repeating it on a page gives the same verdict.
func TestResolvedByPageAndPath(t *testing.T) {
	root := copyFixture(t)
	page := "# Links\n\n[guide](guide.md) and [again](guide.md).\n"
	for _, p := range []string{"docs/links.md", "links.md"} {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	// One page after the other: the first page's answers are remembered
	// when the second one is checked.
	for _, p := range []string{"docs/links.md", "links.md"} {
		findings, err := c.Run(context.Background(), []string{p})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			got = append(got, f.String())
		}
	}
	want := []string{
		"links.md:3:1: link: link target `guide.md` does not exist",
		"links.md:3:23: link: link target `guide.md` does not exist",
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("findings:\n%v\nwant:\n%v", got, want)
	}
}
