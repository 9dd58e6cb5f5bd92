// Package cli is the command-line surface of the proofs runner: its
// subcommands, flags and positional arguments. The runner parses its
// arguments through Tool, and docscheck reads the same value to verify the
// commands quoted in docs.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/prodproof/prodproof/proofs/catalog"
)

// Flag names, shared by the runner and its docs.
const (
	FlagJSON            = "json"
	FlagDB              = "db"
	FlagReport          = "report"
	FlagResetExistingDB = "reset-existing-db"
)

// DefaultReportDir is where `proofs run` writes evidence unless told.
const DefaultReportDir = "report"

// ErrUnknownProof is wrapped by the run command's argument check when a name
// is not a registered proof.
var ErrUnknownProof = errors.New("unknown proof")

// Tool describes the proofs runner.
func Tool() clispec.Tool {
	return clispec.Tool{
		Name:    "proofs",
		Package: "./proofs",
		Commands: []clispec.Command{
			{
				Path:    []string{"list"},
				Summary: "List the named proofs and their claims.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs list", flag.ContinueOnError)
					fs.Bool(FlagJSON, false, "print a JSON array of {name, claim, reproduce}")
					return fs
				},
			},
			{
				Path:    []string{"run"},
				Summary: "Run the named proofs (default: all, in registry order) and write the report.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs run", flag.ContinueOnError)
					fs.String(FlagDB, "auto", "database source: auto|url|docker|local (auto: url if DATABASE_URL is set, else docker if a daemon answers, else local)")
					fs.String(FlagReport, DefaultReportDir, "folder to write results.json, history.ndjson and scenarios/ into")
					fs.Bool(FlagResetExistingDB, false, "allow the url source to drop and recreate schema public of DATABASE_URL's database before each proof (destroys its data)")
					return fs
				},
				Args: CheckProofNames,
			},
		},
	}
}

// RunOptions are the parsed flags of `proofs run`.
type RunOptions struct {
	DB              string
	ReportDir       string
	ResetExistingDB bool
	Names           []string
}

// ParseRunOptions reads the run command's values from its parsed flag set.
func ParseRunOptions(fs *flag.FlagSet) RunOptions {
	return RunOptions{
		DB:              fs.Lookup(FlagDB).Value.String(),
		ReportDir:       fs.Lookup(FlagReport).Value.String(),
		ResetExistingDB: fs.Lookup(FlagResetExistingDB).Value.String() == "true",
		Names:           fs.Args(),
	}
}

// CheckProofNames accepts registered proof names only. The error lists the
// valid names and, when one is close, suggests it.
func CheckProofNames(names []string) error {
	valid := catalog.Names()
	for _, name := range names {
		if _, ok := catalog.Lookup(name); ok {
			continue
		}
		hint := ""
		if s := Suggest(name, valid); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%w %q%s\nvalid proofs:\n  %s", ErrUnknownProof, name, hint, strings.Join(valid, "\n  "))
	}
	return nil
}
