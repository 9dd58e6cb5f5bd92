package repo

import "testing"

// TestTOMLScanSkipsStrings: a "#" or a bracket inside a string is text,
// and a quote inside a comment opens no string.
func TestTOMLScanSkipsStrings(t *testing.T) {
	for _, c := range []struct{ line, code string }{
		{`members = ["a#b", "c"] # the crates`, `members = ["a#b", "c"] `},
		{`"tools/*", # Bevy's crates`, `"tools/*", `},
		{`name = 'x#y' # it's`, `name = 'x#y' `},
		{`path = "a\"#b"`, `path = "a\"#b"`},
	} {
		if got := tomlCode(c.line); got != c.code {
			t.Errorf("tomlCode(%q) = %q, want %q", c.line, got, c.code)
		}
	}
	for _, c := range []struct {
		s     string
		depth int
	}{
		{`members = [`, 1},
		{`members = ["a]", { path = "[b" }`, 1},
		{`x = { a = ['}'] }`, 0},
	} {
		if got := tomlDepth(c.s); got != c.depth {
			t.Errorf("tomlDepth(%q) = %d, want %d", c.s, got, c.depth)
		}
	}
}
