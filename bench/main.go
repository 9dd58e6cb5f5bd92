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

	"github.com/prodproof/prodproof/bench/suite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx)
	stop()
	os.Exit(code)
}

func run(ctx context.Context) int {
	var opts suite.Options
	out := flag.String("out", "bench/results.json", "where to write the results document")
	flag.BoolVar(&opts.Quick, "quick", os.Getenv("QUICK") == "1", "a small smoke run (also QUICK=1)")
	flag.BoolVar(&opts.Large, "large", false, "add the 1,000,000-job backlog and the jobs table after 1,000,000 jobs (make bench-large)")
	flag.IntVar(&opts.Trials, "trials", 0, "drain trials, contenders alternating within each (default 5, quick 2)")
	flag.IntVar(&opts.Backlog, "backlog", 0, "main drain backlog (default 100000, quick 5000)")
	flag.BoolVar(&opts.SkipDurable, "no-durable", false, "leave out the durable-settings comparison")
	flag.StringVar(&opts.DBSource, "db", "auto", "database source: auto, local, docker (DATABASE_URL, when set, is used instead)")
	flag.StringVar(&opts.Pgbench, "pgbench", "", "pgbench binary (default /usr/lib/postgresql/15/bin/pgbench)")
	flag.StringVar(&opts.Only, "only", "", "run one part while tuning: drain, retention or latency (default: everything)")
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
