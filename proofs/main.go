// Command proofs runs the project's named end-to-end proofs against the
// reference backend and a real Postgres, and writes the evidence to a report
// folder. `proofs list` names them; `proofs run [NAME...]` runs them;
// `proofs mutants`, `proofs load` and `proofs soak` (package proofs/soak)
// start their runs the same way (package proofs/session).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/prodproof/prodproof/proofs/runner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	tty := term.IsTerminal(int(os.Stdout.Fd()))
	width := 0
	if tty {
		width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	code := runner.Main(ctx, runner.Config{
		Args:          os.Args[1:],
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Getenv:        os.Getenv,
		Environ:       os.Environ(),
		Terminal:      tty,
		TerminalWidth: width,
	})
	stop()
	os.Exit(code)
}
