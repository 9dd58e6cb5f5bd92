package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/mutant"
	"io"
	"os/exec"
	"strings"

	"github.com/prodproof/prodproof/website/serve"
	"github.com/prodproof/prodproof/website/site"
)

// Run executes one website command line (args without the program name)
// and returns the exit status: 0 done, 1 failed, 2 bad usage.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	tool := Tool()
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
		return build(ctx, Build(fs), stdout, stderr)
	case "serve":
		return serveSite(ctx, Serve(fs), stdout, stderr)
	}
	fmt.Fprintf(stderr, "website: no command given; valid: %s\n", strings.Join(tool.Paths(), ", "))
	return 2
}

func build(ctx context.Context, opts BuildOptions, stdout, stderr io.Writer) int {
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
		Claims:     Claims(),
		Mutants:    Mutants(),

		BenchResults: opts.Bench,
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

func serveSite(ctx context.Context, opts ServeOptions, stdout, stderr io.Writer) int {
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

// Claims is the proof catalog as the site lists it.
func Claims() []site.Claim {
	out := make([]site.Claim, len(catalog.Proofs))
	for i, p := range catalog.Proofs {
		out[i] = site.Claim{Name: p.Name, Claim: p.Claim, Reproduce: p.Reproduce(), Guards: p.Guards}
	}
	return out
}

// Mutants are the curated mutants as the proof pages describe them.
func Mutants() []site.Mutant {
	var out []site.Mutant
	for _, name := range mutant.Names() {
		m, _ := mutant.Lookup(name)
		out = append(out, site.Mutant{Name: m.Name, Change: m.Change, File: m.File})
	}
	return out
}
