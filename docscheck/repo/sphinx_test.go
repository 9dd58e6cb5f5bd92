package repo

import (
	"slices"
	"testing"
)

func TestExcludePatterns(t *testing.T) {
	for _, tc := range []struct {
		code  string
		want  []string
		known bool
	}{
		{"project = 'x'\n", nil, true},
		{"exclude_patterns = ['_build', \"drafts/**\"]  # built elsewhere\n", []string{"_build", "drafts/**"}, true},
		{"exclude_patterns = [\n    '_build',\n    'Thumbs.db',\n]\n", []string{"_build", "Thumbs.db"}, true},
		{"exclude_patterns = ['_build'] + DRAFTS\n", nil, false},
		{"exclude_patterns = ['_build']\nexclude_patterns.append('x')\n", nil, false},
		{"exclude_patterns = []\nexclude_patterns += ['x']\n", nil, false},
		{"exclude_patterns = drafts()\n", nil, false},
	} {
		got, known := excludePatterns(tc.code)
		if !slices.Equal(got, tc.want) || known != tc.known {
			t.Errorf("excludePatterns(%q) = %q, %v; want %q, %v", tc.code, got, known, tc.want, tc.known)
		}
	}
}

func TestSphinxExcludes(t *testing.T) {
	s := SphinxSource{Dir: "docs", Excluded: []string{"_build", "drafts/**", "*.inc.rst", "api/*/index.rst", "**.part.rst", "old?.rst"}}
	for p, want := range map[string]bool{
		"docs/using/x.part.rst":    true, // "**" crosses folders, within a name too
		"docs/x.part.rst":          true,
		"docs/old1.rst":            true,
		"docs/old12.rst":           false,
		"docs/_build/html/x.rst":   true,
		"docs/drafts/a/b.rst":      true,
		"docs/x.inc.rst":           true,
		"docs/sub/x.inc.rst":       false, // "*" stays within a folder
		"docs/api/core/index.rst":  true,
		"docs/api/core/other.rst":  false,
		"docs/guide/install.rst":   false,
		"docs/guide/_build.rst":    false,
		"docs/guide/drafts/rn.rst": false,
	} {
		if got := s.Excludes(p); got != want {
			t.Errorf("Excludes(%q) = %v, want %v", p, got, want)
		}
	}
}
