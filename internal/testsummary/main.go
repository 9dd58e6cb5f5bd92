// Command testsummary reads `go test -json` on stdin and writes what a plain
// `go test` would (each package's ok/FAIL line, the output of failed tests,
// build errors), then one closing line naming every skipped test and the
// reason it gave, so a run that skipped something never looks complete. It
// exits 1 when any test, package or build failed. `make test` pipes into it.
package main

import (
	"fmt"
	"os"
)

func main() {
	failed, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}
