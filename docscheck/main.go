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

func main() {
	// A run is short and its heap small (parsed pages): collecting less
	// often saves a tenth of the CPU time at a few MB more memory.
	debug.SetGCPercent(400)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
