// Command website renders docs/, README.md and the proofs report into a
// static site (website build) and serves it (website serve). The command
// line and what each command does live in website/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/prodproof/prodproof/website/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
