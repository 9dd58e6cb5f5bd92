// Package cli declares the reference-backend command line: the one
// definition the binary parses with and docscheck verifies docs against.
package cli

import (
	"flag"

	"github.com/prodproof/prodproof/internal/clispec"
)

// Tool returns the reference-backend command line.
func Tool() clispec.Tool {
	jsonFlag := func(name string) func() *flag.FlagSet {
		return func() *flag.FlagSet {
			fs := flag.NewFlagSet(name, flag.ContinueOnError)
			fs.Bool("json", false, "print the status as JSON")
			return fs
		}
	}
	return clispec.Tool{
		Name:    "reference-backend",
		Package: "./backend",
		Commands: []clispec.Command{
			{Summary: "run the HTTP server and the supervised worker (same as serve)"},
			{Path: []string{"serve"}, Summary: "run the HTTP server and the supervised worker"},
			{Path: []string{"migrate", "status"}, Summary: "list every migration as applied, pending or modified", Flags: jsonFlag("reference-backend migrate status")},
			{Path: []string{"migrate", "up"}, Summary: "apply pending migrations, each in its own transaction"},
		},
	}
}
