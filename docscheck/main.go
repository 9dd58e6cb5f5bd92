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

	"github.com/prodproof/prodproof/docscheck/cli"
)

// The garbage collector keeps Go's default setting: a run holds the syntax
// trees of the few pages being checked and a summary of the others
// (check.Check), so frequent collections reuse the same memory, where
// collecting less often (a higher percent, a ballast) had the system hand
// the run fresh pages at a higher cost (docs/docscheck.md, Tests and speed).
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
