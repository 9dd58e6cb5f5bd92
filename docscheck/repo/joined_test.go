package repo

import "testing"

// TestJoinedBy: a data file joins the pages of an array that holds only
// Markdown file names (flow or YAML block style); names among other keys,
// such as a manifest's "@id" values, join nothing.
func TestJoinedBy(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) { writeFile(t, root, name, text) }
	for _, page := range []string{"a.md", "b.md", "c.md", "d.md", "e.md", "f.md", "g.md", "h.md", "i.md", "j.md", "k.md", "l.md"} {
		write(page, "# Page\n")
	}
	write("docs/flow.json", `{"pages": ["a.md", "b.md",
  "c.md"]}`)
	write("docs/block.yml", "order:\n  - d.md\n  - e.md\n  - f.md\n")
	write("metadata.json", `{"hasPart": [{"@id": "g.md"}, {"@id": "h.md"}, {"@id": "i.md"}]}`)
	// A review bot's hidden config lists files it reads one by one.
	write(".review-bot.yaml", "reviews:\n  filePatterns:\n    - j.md\n    - k.md\n    - l.md\n")
	r := New(root)
	for page, want := range map[string]string{
		"a.md": "docs/flow.json", "c.md": "docs/flow.json",
		"d.md": "docs/block.yml", "f.md": "docs/block.yml",
		"g.md": "", "i.md": "",
		"j.md": "", "l.md": "",
	} {
		if got := r.JoinedBy(page); got != want {
			t.Errorf("JoinedBy(%s) = %q, want %q", page, got, want)
		}
	}
}
