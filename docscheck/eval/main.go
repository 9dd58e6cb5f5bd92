// Command eval measures docscheck on a corpus of public repositories it was
// not tuned to (issue 18): it runs a given docscheck binary over each
// checked-out repository as a new user would (`docscheck --root DIR .`, no
// flags, JSON output), joins the findings with the hand-made labels in
// labels.tsv, and prints precision per repository and per half, the
// findings nobody has labelled yet, and whether breakages planted in scratch
// copies (plants.tsv) are reported.
//
// It never touches the network: the corpus is a folder holding one
// checked-out tree per repository, named owner+name. See README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line and runs one measurement; it returns the exit
// status (0 done, 1 the measurement failed, 2 bad usage).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "the docscheck binary to measure (required)")
	corpusDir := fs.String("corpus", "", "folder of checked-out repositories, one owner+name folder each (required)")
	evalDir := fs.String("eval", "docscheck/eval", "folder holding corpus.tsv, labels.tsv and plants.tsv (and their -ROUND.tsv siblings)")
	half := fs.String("half", "", "measure only this half: one of "+strings.Join(halves, ", ")+" (default all)")
	saveDir := fs.String("save", "", "also write each repository's JSON output to this folder")
	unlabeled := fs.Bool("unlabeled", true, "list the findings no label covers")
	plant := fs.Bool("plant", true, "run the planted breakages (scratch copies of the repositories named in plants.tsv)")
	timeout := fs.Duration("timeout", 0, "kill each docscheck run after this long and report the repository as \"did not finish\" (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *bin == "" || *corpusDir == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "usage: eval --bin DOCSCHECK --corpus DIR [--eval DIR] [--half %s] [--save DIR] [--timeout D]\n", strings.Join(halves, "|"))
		return 2
	}
	if *half != "" && !slices.Contains(halves, *half) {
		fmt.Fprintf(stderr, "eval: --half %q: want one of %s\n", *half, strings.Join(halves, ", "))
		return 2
	}
	m := measurement{bin: *bin, corpusDir: *corpusDir, evalDir: *evalDir, half: *half, saveDir: *saveDir, timeout: *timeout}
	rep, err := m.run(ctx, *plant)
	if err != nil {
		fmt.Fprintf(stderr, "eval: %v\n", err)
		return 1
	}
	rep.write(stdout, *unlabeled)
	return 0
}
