package check

import "testing"

// TestPathFromAboveCheckout: a path whose first part is this repository's
// name is read from the folder above the reader's checkout when the rest
// is at the root, though the tree has a folder of that name (a Python
// package named as the project): not judged. Where the rest is not at
// the root either, it is missing from both folders: certain.
func TestPathFromAboveCheckout(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{"tool/dicts", ""},
		{"tool/gone", "CONTRIBUTING.md:4:6: script: cd tool/gone: no such folder"},
	} {
		root := writeTree(t, map[string]string{
			".git/config":      "[remote \"origin\"]\n\turl = https://github.com/example/tool.git\n",
			"README.md":        "# Tool\n\nSee [contributing](CONTRIBUTING.md).\n",
			"CONTRIBUTING.md":  "# Contributing\n\n```\n$ cd " + tc.dir + "\n$ ./build.sh\n```\n",
			"tool/__init__.py": "",
			"dicts/build.sh":   "#!/bin/sh\n",
		})
		var want []string
		if tc.want != "" {
			want = []string{tc.want}
		}
		wantFindings(t, root, want...)
	}
}
