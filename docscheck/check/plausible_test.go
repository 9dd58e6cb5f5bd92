package check

import (
	"strings"
	"testing"
	"unicode"
)

// plausibleProgramByScan is plausibleProgram as first written, with
// strings.ContainsAny: the reference the one-pass version must match.
func plausibleProgramByScan(name string) bool {
	if name == "" || strings.ContainsAny(name, ":=|<>{}()│├└─═┌┐┘┬┴┼") {
		return false
	}
	letters, upper := 0, 0
	for _, r := range name {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters == 0 || letters > 1 && upper == letters {
		return false
	}
	return !(name[0] >= '0' && name[0] <= '9' && strings.Contains(name, "/"))
}

func TestPlausibleProgram(t *testing.T) {
	for _, name := range []string{"", "make", "./scripts/run.sh", "go", "FOO", "A", "x:y", "a=b", "a|b", "<a>", "{a}", "(a)", "a)", "a:", "a}", "a>", "x┘", "x┬", "x┴", "x┐", "x┌", "x└", "x├", "├──", "a─b", "│", "═x", "┼", "1/2", "1a", "ÉTÉ", "été", "\xff", "a\xffb", "docs/README.md", "123"} {
		if got, want := plausibleProgram(name), plausibleProgramByScan(name); got != want {
			t.Errorf("plausibleProgram(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzPlausibleProgram(f *testing.F) {
	f.Add("make")
	f.Add("a─b")
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := plausibleProgram(name), plausibleProgramByScan(name); got != want {
			t.Errorf("plausibleProgram(%q) = %v, want %v", name, got, want)
		}
	})
}
