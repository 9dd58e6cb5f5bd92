// Command bench measures the reference backend side by side with River and
// with the database's own limit for the same SQL, on a throwaway Postgres:
// `make bench` (full), `make bench-large` (adds the 1,000,000-job backlog)
// or `make bench QUICK=1` (a smoke).
// It prints a table and writes bench/results.json. See docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/prodproof/prodproof/bench/cli"
	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/bench/suite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx)
	stop()
	os.Exit(code)
}

func run(ctx context.Context) int {
	cmd, fs, err := cli.Tool().Parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	if strings.Join(cmd.Path, " ") == "compare" {
		return compare(cli.Margin(fs), fs.Arg(0), fs.Arg(1))
	}
	o := cli.Run(fs, os.Getenv("QUICK") == "1")
	opts := suite.Options{
		Quick: o.Quick, Large: o.Large, Trials: o.Trials, Backlog: o.Backlog, SkipDurable: o.SkipDurable,
		DBSource: o.DBSource, Pgbench: o.Pgbench, Only: o.Only, Settle: o.Settle, ProfileDir: o.ProfileDir,
	}
	opts.DatabaseURL = os.Getenv("DATABASE_URL")
	opts.Log = os.Stderr

	res, err := suite.Run(ctx, opts)
	if res != nil {
		if werr := res.WriteFile(o.Out); werr != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", werr)
		}
		fmt.Println()
		_ = res.WriteTable(os.Stdout)
		fmt.Printf("\nresults written to %s\n", o.Out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	return 0
}

// compare prints whether two results files agree: `go run ./bench compare
// A.json B.json`. Exit 1 when a quoted ratio differs by more than the
// margin, 2 on an unreadable file.
func compare(margin float64, fileA, fileB string) int {
	a, err := results.ReadFile(fileA)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	b, err := results.ReadFile(fileB)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	ags := results.Compare(a, b, margin)
	_ = results.WriteAgreement(os.Stdout, ags, margin)
	for _, ag := range ags {
		if ag.Judged && !ag.Within {
			return 1
		}
	}
	return 0
}
