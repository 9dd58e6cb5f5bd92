package check

import "testing"

// TestHasScheme: hasScheme answers as the scheme expression it replaces.
func TestHasScheme(t *testing.T) {
	for _, s := range []string{"", "https://x", "mailto:a@b", "a:", ":x", "1a:b", "a+b.c-d:x", "a_b:x", "docs/x.md", "x.md#a:b", "C:\\x", "é:x", "a"} {
		if got, want := hasScheme(s), scheme.MatchString(s); got != want {
			t.Errorf("hasScheme(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzHasScheme(f *testing.F) {
	f.Add("https://x")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasScheme(s), scheme.MatchString(s); got != want {
			t.Errorf("hasScheme(%q) = %v, want %v", s, got, want)
		}
	})
}
