package repo

import (
	"slices"
	"testing"
)

// TestJustfile: recipes (with parameters, quiet "@", attributes above
// them) and aliases are names; assignments and settings are not; an
// import, a module or a fallback makes the names unknown; just finds the
// justfile of the folder or of one above it.
func TestJustfile(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "justfile", "set shell := [\"bash\", \"-c\"]\nexport RUST_LOG := \"info\"\nversion := `git describe`\n\n"+
		"# Run the tests.\n[group('dev')]\ntest *args:\n    pytest {{args}}\n\n@lint:\n    ruff check .\n\n"+
		"install-precommit target='all':\n    pre-commit install\n\nalias t := test\n")
	writeFile(t, root, "tools/readme.md", "# Tools\n")
	writeFile(t, root, "sub/justfile", "import 'common.just'\n\nbuild:\n    cargo build\n")
	r := New(root)
	j := r.FindJustfile("tools")
	if j == nil || j.Path != "justfile" || !j.Known {
		t.Fatalf("FindJustfile(tools) = %+v", j)
	}
	if want := []string{"test", "lint", "install-precommit", "t"}; !slices.Equal(j.Names, want) {
		t.Errorf("names = %q, want %q", j.Names, want)
	}
	if s := r.FindJustfile("sub"); s == nil || s.Path != "sub/justfile" || s.Known {
		t.Errorf("FindJustfile(sub) = %+v, want sub/justfile not known", s)
	}
}
