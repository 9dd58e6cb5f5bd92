// Command docscheck verifies that Markdown docs reference only files,
// anchors, make targets, scripts, Go packages, tests, proofs and
// subcommands that exist. See docs/docscheck.md.
package main

import (
	"context"
	"os"
	"os/signal"

	backendcli "github.com/prodproof/prodproof/backend/cli"
	"github.com/prodproof/prodproof/docscheck/cli"
	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/prodproof/prodproof/proofs/catalog"
	proofscli "github.com/prodproof/prodproof/proofs/cli"
	websitecli "github.com/prodproof/prodproof/website/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	project := cli.Project{
		Tools:         []clispec.Tool{backendcli.Tool(), proofscli.Tool(), websitecli.Tool()},
		ProofNames:    catalog.Names(),
		ProofCommands: []string{"proofs run", "proofs soak"},
	}
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, project)
	stop()
	os.Exit(code)
}
