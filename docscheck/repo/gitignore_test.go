package repo

import "testing"

func TestIgnored(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) { writeFile(t, root, p, s) }
	write(".gitignore", "# comment\n/docs/reference/cli.md\ntarget/\n*.log\n!keep.log\n/site\n**/gen/**\n")
	write("docs/.gitignore", "book\n")
	r := New(root)
	for p, want := range map[string]bool{
		"docs/reference/cli.md":      true,
		"docs/reference/settings.md": false,
		"x/docs/reference/cli.md":    false, // anchored at the root
		"target/release/app":         true,
		"crates/a/target/debug/x":    true,
		"target":                     false, // a folder pattern; the path itself may be a file
		"run.log":                    true,
		"logs/keep.log":              false, // negated
		"site/index.html":            true,
		"docs/site/index.html":       false,
		"a/gen/b/c.md":               true,
		"docs/book/index.html":       true, // docs/.gitignore
		"book/index.html":            false,
		"README.md":                  false,
	} {
		if got := r.Ignored(p); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", p, got, want)
		}
	}
}
