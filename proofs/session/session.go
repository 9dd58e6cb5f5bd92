// Package session is the one set-up every proofs command starts its run
// with (run, mutants, load and soak): the database source and the refusal
// to reset a database the run did not create, the report folder, the
// repository root, provenance and the exit statuses. The commands differ in
// what they run, never in how a run is set up.
package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Exit statuses of every proofs command.
const (
	ExitPass    = 0 // every proof or check held
	ExitFail    = 1 // one failed: a finding
	ExitHarness = 2 // the harness broke or the usage was wrong
)

// ErrWouldResetExisting is the refusal to wipe a database this run did not
// create.
var ErrWouldResetExisting = errors.New("refusing to reset the database named by DATABASE_URL: the run drops and recreates its schema public. " +
	"If that database is disposable, pass --" + cli.FlagResetExistingDB + "; otherwise unset DATABASE_URL or use --db local or --db docker for a throwaway server")

// Caller is what a command gets from the process that runs it.
type Caller struct {
	// Args is the command line after the program name, e.g. {"soak", "--jobs", "10"}.
	Args []string
	// Getenv reads the caller's environment (DATABASE_URL, the docker image).
	Getenv func(string) string
	// Dir is where to look for the repository and what a relative --report
	// is relative to; "" means the working folder.
	Dir string
}

// Session is a checked set-up: the parts every command needs before it
// provisions anything.
type Session struct {
	Source pgprovision.Source
	// DatabaseURL is the caller's DATABASE_URL, "" when unset.
	DatabaseURL   string
	ResetExisting bool
	// DockerImage is the docker source's image ("" = the provisioner's default).
	DockerImage string
	// ReportDir is --report, absolute.
	ReportDir string
	// Root is the repository's top folder.
	Root string
	// Command is how the run was invoked, e.g. "proofs soak --jobs 10".
	Command string
}

// Start checks the database flags against the caller's environment, finds
// the repository and makes the report folder absolute. Its error is a
// usage problem or a missing repository: the command prints it and exits
// ExitHarness, having touched nothing.
func Start(c Caller, o cli.RunOptions) (*Session, error) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	source, err := pgprovision.ParseSource(o.DB)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", cli.FlagDB, err)
	}
	s := &Session{Source: source, DatabaseURL: getenv("DATABASE_URL"), ResetExisting: o.ResetExistingDB,
		Command: strings.TrimSpace("proofs " + strings.Join(c.Args, " "))}
	usesURL := source == pgprovision.SourceURL || (source == pgprovision.SourceAuto && s.DatabaseURL != "")
	if usesURL && !o.ResetExistingDB {
		return nil, ErrWouldResetExisting
	}
	if source == pgprovision.SourceURL && s.DatabaseURL == "" {
		return nil, errors.New("--db url needs DATABASE_URL to be set")
	}
	if s.DockerImage, err = cli.DockerImage(o.DockerImage, getenv); err != nil {
		return nil, err
	}
	if s.Root, err = harness.RepoRoot(c.Dir); err != nil {
		return nil, err
	}
	s.ReportDir = o.ReportDir
	if !filepath.IsAbs(s.ReportDir) {
		base := c.Dir
		if base == "" {
			base, _ = os.Getwd()
		}
		s.ReportDir = filepath.Join(base, s.ReportDir)
	}
	return s, nil
}

// Provenance is the run's provenance as it starts: the checkout's commit,
// the Go version, the host and the command. The database fields are filled
// once a server is provisioned.
func (s *Session) Provenance(ctx context.Context) report.Provenance {
	return harness.Provenance(ctx, s.Root, s.Command)
}
