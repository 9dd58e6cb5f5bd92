// Command river-proofs proves, with real processes and a real Postgres,
// the claims that matter to someone choosing River
// (github.com/riverqueue/river) as a job queue. It is written only with
// the public proof framework, github.com/prodproof/prodproof/prove, and
// lives in its own module so the main module never depends on River.
//
//	go run . [-report DIR] [-db auto|local|docker|url] [-junit FILE] [NAME...]
//
// The worker it proves is ./worker, an ordinary River program. Whatever
// River does is the verdict: a claim River does not meet fails, with its
// evidence in the report. Exit status: 0 every claim held, 1 one failed, 2
// the harness broke.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/prodproof/prodproof/prove"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:]))
}

// Main runs the suite with the command line args and returns the exit
// status.
func Main(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("river-proofs", flag.ContinueOnError)
	reportDir := fs.String("report", "report", "report `folder`")
	db := fs.String("db", "auto", "database source: auto, local, docker or url (DATABASE_URL)")
	junit := fs.String("junit", "", "write JUnit XML to `file`")
	reset := fs.Bool("reset-existing-db", false, "allow dropping schema public of the DATABASE_URL database")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	suite := &suite{}
	proofs := suite.proofs()
	if names := fs.Args(); len(names) > 0 {
		proofs = slices.DeleteFunc(proofs, func(p prove.Proof) bool { return !slices.Contains(names, p.Name) })
		if len(proofs) != len(names) {
			fmt.Fprintf(os.Stderr, "river-proofs: unknown proof among %v\n", names)
			return 2
		}
	}
	res, err := prove.Run(ctx, prove.Params{
		Proofs:                proofs,
		ReportDir:             *reportDir,
		Database:              *db,
		DatabaseURL:           os.Getenv("DATABASE_URL"),
		ResetExistingDatabase: *reset,
		JUnit:                 *junit,
		Command:               "proofs/river: go run . " + strings.Join(args, " "),
		Log:                   os.Stdout,
		Setup: func(ctx context.Context, tmp string) error {
			suite.worker = filepath.Join(tmp, "river-worker")
			build := exec.CommandContext(ctx, "go", "build", "-o", suite.worker, "./worker")
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				return fmt.Errorf("build ./worker: %w", err)
			}
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "river-proofs: %v\n", err)
		return 2
	}
	fmt.Printf("%s: %d passed, %d failed, %d errored; report in %s\n", res.Verdict, res.Passed, res.Failed, res.Errored, *reportDir)
	return res.ExitCode()
}
