// Command docscheck verifies that Markdown docs reference only files,
// anchors, make targets, scripts, Go packages, tests, proofs and
// subcommands that exist. See docs/docscheck.md.
//
// It links nothing of the backend, the proofs or the website: what it knows
// about a repository's own tools it reads from that repository's tools
// manifest (docscheck-tools.json here), so an installed binary judges any
// checkout by the checkout.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/prodproof/prodproof/docscheck/cli"
)

// gcPercent is the garbage collector's setting for a run, unless GOGC is
// set. A run holds the syntax trees of the few pages being checked and a
// summary of the others (check.Check), a live heap of a few MB, so at Go's
// default (100 %) the collector runs every 4 MB allocated, about 17 times
// over 1,000 pages, and the run spends a third of its time with the
// collector's write barriers on. At 400 % it collects 3 times there, for
// a peak resident size about 10 MB larger; higher settings have the system
// hand the run fresh pages, which costs more than they save
// (docs/docscheck.md, Tests and speed).
const gcPercent = 400

// hugeHeapBytes is how much of the heap is advised into huge pages
// (adviseHugePages). At gcPercent the heap peaks near five times the live
// heap: about 20 MB over the bench's 1,000 pages and 40 MB on the largest
// repository of the evaluation corpus, whose faults 32 MB halved and 64 MB
// cut by five. Memory that is advised but never touched costs nothing.
const hugeHeapBytes = 64 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	adviseHugePages(hugeHeapBytes)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
