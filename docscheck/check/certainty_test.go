package check

import "testing"

// TestPathFromAboveCheckout: a path whose first part is this repository's
// name is read from the folder above the reader's checkout when the rest
// is at the root, though the tree has a folder of that name (a Python
// package named as the project), and the page enters the checkout by
// that name itself (a cd, which cloned nothing): not judged. Where the
// rest is not at the root either, it is missing from both folders:
// certain. A page with no such cd runs it from the root, and so does one
// that cloned this repository and entered the clone.
func TestPathFromAboveCheckout(t *testing.T) {
	for _, tc := range []struct{ block, want string }{
		{"$ cd tool/dicts\n$ ./build.sh", ""},
		{"$ cd tool/gone", "CONTRIBUTING.md:4:6: script: cd tool/gone: no such folder"},
		{"$ bash tool/build.sh", "CONTRIBUTING.md:4:8: script: tool/build.sh does not exist"},
		{"$ git clone https://github.com/example/tool.git\n$ cd tool\n$ bash tool/build.sh", "CONTRIBUTING.md:6:8: script: tool/build.sh does not exist"},
	} {
		root := writeTree(t, map[string]string{
			".git/config":      "[remote \"origin\"]\n\turl = https://github.com/example/tool.git\n",
			"README.md":        "# Tool\n\nSee [contributing](CONTRIBUTING.md).\n",
			"CONTRIBUTING.md":  "# Contributing\n\n```\n" + tc.block + "\n```\n",
			"tool/__init__.py": "",
			"dicts/build.sh":   "#!/bin/sh\n",
			"build.sh":         "#!/bin/sh\n",
		})
		var want []string
		if tc.want != "" {
			want = []string{tc.want}
		}
		wantFindings(t, root, want...)
	}
}
