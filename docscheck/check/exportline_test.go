package check

import "testing"

// TestExportLineInCommandBlock: a block with no language whose lines are
// an export of the environment and a script run by its path is commands,
// and the script is judged; an export beside a line that is no command
// (output) leaves the block unread, as does an export alone.
func TestExportLineInCommandBlock(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md": "# R\n\n```\nexport CPU_TARGET=aarch64 JOBS=4\n./build_suport.sh\n```\n\n" +
			"```\nexport CPU_TARGET=aarch64\nBuilding for aarch64 ./build_suport.sh\n```\n\n```\nexport CPU_TARGET=aarch64\n```\n",
		"build_support.sh": "#!/bin/sh\n",
	})
	wantFindings(t, root, "README.md:5:1: script: ./build_suport.sh does not exist (did you mean ./build_support.sh?)")
	for line, want := range map[string]bool{
		"export A=1":          true,
		"export A=1 B=two":    true,
		"export A":            false,
		"export A=1; make":    false,
		"exported A=1":        false,
		"export PATH=$PATH:x": true,
	} {
		if got := exportLine.MatchString(line); got != want {
			t.Errorf("exportLine(%q) = %v, want %v", line, got, want)
		}
	}
}
