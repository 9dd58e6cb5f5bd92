package check

import "testing"

// TestMakeBelowPageFolder: a page in a folder with no Makefile of its own
// tells of the folders below it, so a make target one of their Makefiles
// defines is where its reader stands ("most samples offer `make fuzz`"):
// not judged, though the root's Makefile lacks it. A target no Makefile
// defines stays a finding, and a root page is judged against the root's
// Makefile as before.
func TestMakeBelowPageFolder(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":                "# R\n\nSee [the mode](mode/README.md).\n\n```bash\nmake fuzz\n```\n",
		"Makefile":                 "all:\n\techo\n",
		"mode/README.md":           "# Mode\n\n```bash\nmake fuzz\nmake fuzzz\n```\n",
		"mode/samples/a/Makefile":  "fuzz:\n\techo\n",
		"mode/samples/a/harness.c": "int main(void) { return 0; }\n",
	})
	wantFindings(t, root,
		`README.md:6:6: make-target: make target "fuzz" is not defined in Makefile`,
		`mode/README.md:5:6: make-target: make target "fuzzz" is not defined in Makefile`,
	)
}

// TestMisspeltTargetBesideComputedOne: a rule whose target docscheck
// cannot work out ($(OBJS): any name) may define any target the page
// runs, but not the misspelling of a target the Makefile names outright
// (android-clean-dep beside android-clean-deps).
func TestMisspeltTargetBesideComputedOne(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md": "# R\n\n```bash\nmake android-clean-dep\nmake hfuzz.o\n```\n",
		"Makefile":  "OBJS := $(shell ls *.c)\n$(OBJS): cc.c\n\tcc -c cc.c\nandroid-clean-deps:\n\trm -rf deps\n",
	})
	wantFindings(t, root, "README.md:4:6: make-target: make target \"android-clean-dep\" is not defined in Makefile (did you mean `make android-clean-deps`?)")
}

// TestMakeOfProjectWhoseFilesPageNames: a page that names a file of a
// folder's project as inline code, written from the root
// (`test/suite/my_test.go`) or relative to that folder
// (`./script/import.sh`, there and not at the root), runs make where
// those files are: a target that folder's Makefile defines is not judged
// against the root's. A page that names nothing of it stays judged, and
// so does a target no Makefile defines.
func TestMakeOfProjectWhoseFilesPageNames(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":                   "# R\n\nSee [suite](docs/suite.md), [kube](docs/kube.md) and [other](docs/other.md).\n",
		"Makefile":                    "all:\n\techo\n",
		"test/suite/Makefile":         "list-tests:\n\techo\n",
		"test/suite/my_test.go":       "package main\n",
		"tools/kube/Makefile":         "bm-images:\n\techo\n",
		"tools/kube/script/import.sh": "#!/bin/sh\n",
		"docs/suite.md":               "# Suite\n\nPut it in `test/suite/my_test.go` and run:\n\n```bash\nmake list-tests\nmake list-testz\n```\n",
		"docs/kube.md":                "# Kube\n\nRun `./script/import.sh` first.\n\n```bash\nmake bm-images\n```\n",
		"docs/other.md":               "# Other\n\n```bash\nmake bm-images\n```\n",
	})
	wantFindings(t, root,
		`docs/other.md:4:6: make-target: make target "bm-images" is not defined in Makefile`,
		`docs/suite.md:7:6: make-target: make target "list-testz" is not defined in Makefile`,
	)
}
