package repo

import (
	"slices"
	"testing"
)

// TestDoxygenOutputDirs: the folders a Doxyfile near conf.py writes are
// those of the output formats it turns on (HTML and LaTeX by default),
// below OUTPUT_DIRECTORY, read from the Doxyfile's folder, conf.py's or
// the root; computed values leave them unknown (nil).
func TestDoxygenOutputDirs(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "docs/conf.py", "import subprocess\nsubprocess.check_call(['doxygen', 'Doxyfile'])\n")
	writeFile(t, root, "docs/Doxyfile", "GENERATE_XML           = YES\nGENERATE_HTML          = NO\nGENERATE_LATEX         = NO\nXML_OUTPUT             = _doxygen/xml\n")
	writeFile(t, root, "api/conf.py", "x = 1\n")
	writeFile(t, root, "api/Doxyfile", "OUTPUT_DIRECTORY = build\nGENERATE_TAGFILE = api.tag\n")
	writeFile(t, root, "env/conf.py", "x = 1\n")
	writeFile(t, root, "env/Doxyfile", "OUTPUT_DIRECTORY = $(BUILD_DIR)\n")
	writeFile(t, root, "none/conf.py", "x = 1\n")
	r := New(root)
	for dir, want := range map[string][]string{
		"docs": {"docs/_doxygen/xml", "_doxygen/xml"},
		"api":  {"api/build/html", "build/html", "api/build/latex", "build/latex", "api/api.tag", "api.tag"},
		"env":  nil,
		"none": nil,
	} {
		got := r.doxygenOutputDirs(dir)
		slices.Sort(got)
		got = slices.Compact(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("doxygenOutputDirs(%q) = %q, want %q", dir, got, want)
		}
	}
}
