// Command website renders docs/, README.md and the proofs report into a
// static site (website build) and serves it (website serve).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/prodproof/prodproof/website/cli"
	"github.com/prodproof/prodproof/website/serve"
	"github.com/prodproof/prodproof/website/site"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 done,
// 1 failed, 2 bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	tool := cli.Tool()
	cmd, fs, err := tool.Parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "website: %v\n", err)
		return 2
	}
	switch strings.Join(cmd.Path, " ") {
	case "build":
		return build(ctx, cli.Build(fs), stdout, stderr)
	case "serve":
		return serveSite(ctx, cli.Serve(fs), stdout, stderr)
	}
	fmt.Fprintf(stderr, "website: no command given; valid: %s\n", strings.Join(tool.Paths(), ", "))
	return 2
}

func build(ctx context.Context, opts cli.BuildOptions, stdout, stderr io.Writer) int {
	if opts.LogLines < 1 {
		fmt.Fprintf(stderr, "website: --log-lines must be at least 1, got %d\n", opts.LogLines)
		return 2
	}
	head := opts.Commit
	if head == "" {
		head = gitHead(ctx)
	}
	res, err := site.Build(site.Config{
		ReportDir:  opts.Report,
		DocsDir:    opts.Docs,
		Readme:     opts.Readme,
		OutDir:     opts.Out,
		HeadCommit: head,
		LogLines:   opts.LogLines,
	})
	if err != nil {
		fmt.Fprintf(stderr, "website: %v\n", err)
		return 1
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "website: warning: %s\n", w)
	}
	if res.ReportMissing {
		fmt.Fprintf(stdout, "website: wrote %d pages to %s (no proof run yet: run `make proofs`)\n", res.Pages, opts.Out)
		return 0
	}
	s := res.Summary
	fmt.Fprintf(stdout, "website: wrote %d pages to %s (run %s: %d passed, %d failed, %d errored, %d skipped)\n",
		res.Pages, opts.Out, res.RunID, s.Passed, s.Failed, s.Errored, s.Skipped)
	return 0
}

// gitHead is the checked-out commit, or "" outside a git checkout.
func gitHead(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func serveSite(ctx context.Context, opts cli.ServeOptions, stdout, stderr io.Writer) int {
	srv, err := serve.Listen(serve.Config{Dir: opts.Dir, Addr: opts.Addr})
	if err != nil {
		fmt.Fprintf(stderr, "website: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "website: serving %s on %s (Ctrl-C to stop)\n", opts.Dir, srv.URL())
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintf(stderr, "website: %v\n", err)
		return 1
	}
	return 0
}
