// Package cli declares the benchmark driver's command line (`go run ./bench`):
// the one definition the driver parses with and docscheck verifies the docs
// against, so a page cannot quote a flag the driver lacks.
package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/prodproof/prodproof/internal/clispec"
)

// Defaults shared by the flags and the driver.
const (
	DefaultOut = "bench/results.json"
	// DefaultMargin is how close two runs' ratio medians must be to agree.
	// On two shared cores at load 15-25 a single trial's ours ÷ River
	// scatters by about ±30 %, and the median of 5 trials by about ±10 %:
	// two such runs agree within 20 %. A quiet machine does much better
	// (docs/benchmarks.md).
	DefaultMargin = 0.20
)

// Tool returns the benchmark driver's command line.
func Tool() clispec.Tool {
	return clispec.Tool{
		Name:    "bench",
		Package: "./bench",
		Commands: []clispec.Command{
			{Summary: "measure the backend against River and pgbench's limit; print a table and write the results file", Flags: runFlags},
			{
				Path:    []string{"compare"},
				Summary: "say whether the ratios of two results files agree (exit 1 when one does not)",
				Flags:   compareFlags,
				Args: func(args []string) error {
					if len(args) != 2 {
						return fmt.Errorf("bench compare takes two results files, A.json B.json; got %d arguments", len(args))
					}
					return nil
				},
			},
		},
	}
}

func runFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.String("out", DefaultOut, "where to write the results `file`")
	fs.Bool("quick", false, "a small smoke run (also QUICK=1)")
	fs.Bool("large", false, "the growth curve up to 1,000,000 jobs and the jobs table after 1,000,000 jobs, nothing else (make bench-large)")
	fs.Int("trials", 0, "drain trials, contenders alternating within each (default 5, quick 2, large 3)")
	fs.Int("backlog", 0, "main drain backlog (default 100000, quick 2000)")
	fs.Bool("no-durable", false, "leave out the durable-settings comparison")
	fs.String("db", "auto", "database source: auto, local, docker (DATABASE_URL, when set, is used instead)")
	fs.String("pgbench", "", "pgbench `binary` (default /usr/lib/postgresql/15/bin/pgbench)")
	fs.String("only", "", "run one part while tuning: drain, retention or latency (default: everything)")
	fs.Duration("settle", 0, "longest wait before each side of a trial for the one-minute load average to fall below 1 (default 5m, quick 0; negative: no wait); each side also stops waiting at a cap derived from the load's decay")
	fs.String("profile", "", "`directory` for CPU profiles of the backend (builds it with -tags pprof)")
	return fs
}

func compareFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("bench compare", flag.ContinueOnError)
	fs.Float64("margin", DefaultMargin, "largest relative difference of two ratio medians that still agrees")
	return fs
}

// Options are the parsed flags of a benchmark run.
type Options struct {
	Out         string
	Quick       bool
	Large       bool
	Trials      int
	Backlog     int
	SkipDurable bool
	DBSource    string
	Pgbench     string
	Only        string
	Settle      time.Duration
	ProfileDir  string
}

// Run reads a benchmark run's options from a flag set that Tool's root
// command parsed. quickEnv is the QUICK=1 environment switch, which -quick
// overrides when given.
func Run(fs *flag.FlagSet, quickEnv bool) Options {
	o := Options{
		Out:         fs.Lookup("out").Value.String(),
		Quick:       get[bool](fs, "quick"),
		Large:       get[bool](fs, "large"),
		Trials:      get[int](fs, "trials"),
		Backlog:     get[int](fs, "backlog"),
		SkipDurable: get[bool](fs, "no-durable"),
		DBSource:    fs.Lookup("db").Value.String(),
		Pgbench:     fs.Lookup("pgbench").Value.String(),
		Only:        fs.Lookup("only").Value.String(),
		Settle:      get[time.Duration](fs, "settle"),
		ProfileDir:  fs.Lookup("profile").Value.String(),
	}
	if !set(fs, "quick") {
		o.Quick = quickEnv
	}
	return o
}

// Margin reads `bench compare`'s -margin from a flag set Tool parsed.
func Margin(fs *flag.FlagSet) float64 { return get[float64](fs, "margin") }

func get[T any](fs *flag.FlagSet, name string) T {
	return fs.Lookup(name).Value.(flag.Getter).Get().(T)
}

// set reports whether the command line gave flag name.
func set(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
