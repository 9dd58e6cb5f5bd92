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

// A generator's npm package may come as builds for each platform
// (retypeapp-linux-x64): they name the generator as the package does.
func TestDependsOnGenerator(t *testing.T) {
	for _, c := range []struct {
		deps []string
		g    string
		want bool
	}{
		{[]string{"eslint", "retypeapp-linux-x64", "typescript"}, "retypeapp", true},
		{[]string{"retypeapp"}, "retypeapp", true},
		{[]string{"hexo"}, "hexo", true},
		{[]string{"hexo-renderer-marked"}, "hexo", true},
		{[]string{"retypeappx", "typescript"}, "retypeapp", false},
		{[]string{"eslint"}, "retypeapp", false},
	} {
		if got := dependsOnGenerator(c.deps, c.g); got != c.want {
			t.Errorf("dependsOnGenerator(%q, %q) = %v, want %v", c.deps, c.g, got, c.want)
		}
	}
}
