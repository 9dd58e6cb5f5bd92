// Command bench measures the reference backend side by side with River and
// with the database's own limit for the same SQL, on a throwaway Postgres:
// `make bench` (full), `make bench-large` (adds the 1,000,000-job backlog)
// or `make bench QUICK=1` (a smoke).
// It prints a table and writes bench/results.json. See docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/bench/suite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx)
	stop()
	os.Exit(code)
}

// agreementMargin is how close two runs' ratio medians must be to agree.
// On two shared cores at load 15-25 a single trial's ours ÷ River
// scatters by about ±30 %, and the median of 5 trials by about ±10 %: two
// such runs agree within 20 %. A quiet machine does much better
// (docs/benchmarks.md).
const agreementMargin = 0.20

func run(ctx context.Context) int {
	if len(os.Args) > 1 && os.Args[1] == "compare" {
		return compare(os.Args[2:])
	}
	var opts suite.Options
	out := flag.String("out", "bench/results.json", "where to write the results document")
	flag.BoolVar(&opts.Quick, "quick", os.Getenv("QUICK") == "1", "a small smoke run (also QUICK=1)")
	flag.BoolVar(&opts.Large, "large", false, "the growth curve up to 1,000,000 jobs and the jobs table after 1,000,000 jobs, nothing else (make bench-large)")
	flag.IntVar(&opts.Trials, "trials", 0, "drain trials, contenders alternating within each (default 5, quick 2, large 3)")
	flag.IntVar(&opts.Backlog, "backlog", 0, "main drain backlog (default 100000, quick 2000)")
	flag.BoolVar(&opts.SkipDurable, "no-durable", false, "leave out the durable-settings comparison")
	flag.StringVar(&opts.DBSource, "db", "auto", "database source: auto, local, docker (DATABASE_URL, when set, is used instead)")
	flag.StringVar(&opts.Pgbench, "pgbench", "", "pgbench binary (default /usr/lib/postgresql/15/bin/pgbench)")
	flag.StringVar(&opts.Only, "only", "", "run one part while tuning: drain, retention or latency (default: everything)")
	flag.DurationVar(&opts.Settle, "settle", 0, "longest wait before each side of a trial for the one-minute load average to fall below 1 (default 5m, quick 0; negative: no wait); each side also stops waiting at a cap derived from the load's decay")
	flag.StringVar(&opts.ProfileDir, "profile", "", "directory for CPU profiles of the backend (builds it with -tags pprof)")
	flag.Parse()
	opts.DatabaseURL = os.Getenv("DATABASE_URL")
	opts.Log = os.Stderr

	res, err := suite.Run(ctx, opts)
	if res != nil {
		if werr := res.WriteFile(*out); werr != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", werr)
		}
		fmt.Println()
		_ = res.WriteTable(os.Stdout)
		fmt.Printf("\nresults written to %s\n", *out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	return 0
}

// compare prints whether two results files agree: `go run ./bench compare
// A.json B.json`. Exit 1 when a quoted ratio differs by more than the
// margin, 2 on bad usage or an unreadable file.
func compare(args []string) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	margin := fs.Float64("margin", agreementMargin, "largest relative difference of two ratio medians that still agrees")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: bench compare [-margin 0.1] A.json B.json")
		return 2
	}
	a, err := results.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	b, err := results.ReadFile(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	ags := results.Compare(a, b, *margin)
	_ = results.WriteAgreement(os.Stdout, ags, *margin)
	for _, ag := range ags {
		if ag.Judged && !ag.Within {
			return 1
		}
	}
	return 0
}
