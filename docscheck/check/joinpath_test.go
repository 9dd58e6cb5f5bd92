package check

import (
	"path"
	"testing"
)

// TestJoinPath: joinPath answers as path.Join on every pair, the shortcuts
// included.
func TestJoinPath(t *testing.T) {
	parts := []string{"", ".", "..", "/", "a", "a/", "./a", "../a", "/a", "a/../..", "a//b", "./", "a/.", "//a", "././a", ".//a", "./.", "./../a", "./a/./b/",
		"a/b", "a/b/c", "../..", "../../a", "a/b/../c", "./../../a/b", "../a/", "..a", "a..", ".a/b", "a/..b", "../.", ".././", "../.."}
	for _, dir := range parts {
		for _, rel := range parts {
			if got, want := joinPath(dir, rel), path.Join(dir, rel); got != want {
				t.Errorf("joinPath(%q, %q) = %q, want %q", dir, rel, got, want)
			}
			if p := dir + rel; dirOf(p) != path.Dir(p) {
				t.Errorf("dirOf(%q) = %q, want %q", p, dirOf(p), path.Dir(p))
			}
		}
	}
}

func FuzzJoinPath(f *testing.F) {
	f.Add(".", "a/../b")
	f.Fuzz(func(t *testing.T, dir, rel string) {
		if got, want := joinPath(dir, rel), path.Join(dir, rel); got != want {
			t.Errorf("joinPath(%q, %q) = %q, want %q", dir, rel, got, want)
		}
		if p := dir + rel; dirOf(p) != path.Dir(p) {
			t.Errorf("dirOf(%q) = %q, want %q", p, dirOf(p), path.Dir(p))
		}
	})
}
