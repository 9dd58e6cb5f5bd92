//go:build proofcover

// This file exists only in binaries built with `-tags proofcover`, which
// the proofs build with `go build -cover -covermode=atomic` to measure how
// much of the backend they run (runtime/coverage writes a running
// process's counters only in atomic mode). A covered binary writes its
// counters to GOCOVERDIR when it exits normally, but the proofs SIGKILL
// backends on purpose (that is the claim under test), and a killed process
// writes nothing. So, while GOCOVERDIR is set, this writes the meta-data
// at start, then a snapshot of the counters every coverFlushEvery (deleting
// its own previous snapshot: a killed process loses at most the last
// interval) and at once on SIGUSR1, after which it creates
// GOCOVERDIR/flushed.PID: the proofs harness sends SIGUSR1 and waits for
// that file before it kills the processes at the end of a proof.
// Production builds have no such code, and SIGUSR1 keeps its default.

package main

import (
	"os"
	"os/signal"
	"path/filepath"
	"runtime/coverage"
	"strconv"
	"syscall"
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
	flushNow := make(chan os.Signal, 1)
	signal.Notify(flushNow, syscall.SIGUSR1)
	pid := strconv.Itoa(os.Getpid())
	go func() {
		var previous string
		tick := time.NewTicker(coverFlushEvery)
		for {
			asked := false
			select {
			case <-tick.C:
			case <-flushNow:
				asked = true
			}
			before, _ := filepath.Glob(filepath.Join(dir, "covcounters.*"))
			if coverage.WriteCountersDir(dir) != nil {
				return
			}
			if written := newest(dir, pid, before); written != "" {
				if previous != "" {
					os.Remove(previous)
				}
				previous = written
			}
			if asked {
				os.WriteFile(filepath.Join(dir, "flushed."+pid), nil, 0o644)
			}
		}
	}()
}

// newest is the counter file in dir that is not in before and belongs to
// this process (the runtime names them covcounters.HASH.PID.NANOTIME).
func newest(dir, pid string, before []string) string {
	after, _ := filepath.Glob(filepath.Join(dir, "covcounters.*."+pid+".*"))
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
