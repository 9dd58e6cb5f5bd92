//go:build proofcover

// This file exists only in binaries built with `-tags proofcover`, which
// the proofs build with `go build -cover -covermode=atomic` to measure how
// much of the backend they run (runtime/coverage writes a running
// process's counters only in atomic mode). A covered binary writes its counters to GOCOVERDIR when
// it exits normally, but the proofs SIGKILL backends on purpose (that is
// the claim under test), and a killed process writes nothing. So, while
// GOCOVERDIR is set, this writes a snapshot of the counters every
// coverFlushEvery and deletes its own previous snapshot: a killed process
// loses at most the last interval. Production builds have no such code.

package main

import (
	"os"
	"path/filepath"
	"runtime/coverage"
	"strconv"
	"time"
)

// coverFlushEvery bounds what a SIGKILL can lose of a process's coverage.
const coverFlushEvery = 100 * time.Millisecond

func init() {
	dir := os.Getenv("GOCOVERDIR")
	if dir == "" {
		return
	}
	// The runtime writes the meta-data file (which statements exist) only
	// at exit too; without it the counters cannot be read.
	if coverage.WriteMetaDir(dir) != nil {
		return // not a covered build, or the folder is missing
	}
	go func() {
		var previous string
		for range time.Tick(coverFlushEvery) {
			before, _ := filepath.Glob(filepath.Join(dir, "covcounters.*"))
			if coverage.WriteCountersDir(dir) != nil {
				return // not a covered build, or the folder is gone
			}
			written := newest(dir, before)
			if previous != "" && written != "" {
				os.Remove(previous)
			}
			if written != "" {
				previous = written
			}
		}
	}()
}

// newest is the counter file in dir that is not in before and belongs to
// this process (the runtime names them covcounters.HASH.PID.NANOTIME).
func newest(dir string, before []string) string {
	after, _ := filepath.Glob(filepath.Join(dir, "covcounters.*."+strconv.Itoa(os.Getpid())+".*"))
	seen := make(map[string]bool, len(before))
	for _, f := range before {
		seen[f] = true
	}
	for _, f := range after {
		if !seen[f] {
			return f
		}
	}
	return ""
}
