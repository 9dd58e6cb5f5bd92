package soak

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Exit statuses, as for `proofs run`.
const (
	ExitPass    = 0
	ExitFail    = 1
	ExitHarness = 2
)

// dbName is the database the soak creates on a server it owns.
const dbName = "proofs_soak"

// CommandConfig is what Main needs from the process.
type CommandConfig struct {
	// Args start with "soak".
	Args    []string
	Stdout  io.Writer
	Stderr  io.Writer
	Getenv  func(string) string
	Environ []string
	// Dir is where to look for the repository; "" means the working folder.
	Dir string
}

// ErrWouldResetExisting is the refusal to wipe a database the soak did not
// create.
var ErrWouldResetExisting = errors.New("refusing to reset the database named by DATABASE_URL: the soak drops and recreates its schema public. " +
	"If that database is disposable, pass --" + cli.FlagResetExistingDB + "; otherwise unset DATABASE_URL or use --db local or --db docker for a throwaway server")

// Main runs `proofs soak` and returns its exit status: 0 every check held,
// 1 a check failed, 2 the harness broke or the usage was wrong. Its last
// line is Report.Line.
func Main(ctx context.Context, cfg CommandConfig) int {
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	red := &evidence.Redactor{}
	envURL := cfg.Getenv("DATABASE_URL")
	red.AddURL(envURL)
	stdout, stderr := red.Writer(cfg.Stdout), red.Writer(cfg.Stderr)

	_, fs, err := cli.Tool().Parse(cfg.Args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "proofs: %v\n", err)
		return ExitHarness
	}
	opts := cli.ParseSoakOptions(fs)
	if err := validate(opts); err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return ExitHarness
	}
	source, err := pgprovision.ParseSource(opts.DB)
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: --%s: %v\n", cli.FlagDB, err)
		return ExitHarness
	}
	usesURL := source == pgprovision.SourceURL || (source == pgprovision.SourceAuto && envURL != "")
	if usesURL && !opts.ResetExistingDB {
		fmt.Fprintf(stderr, "proofs soak: %v\n", ErrWouldResetExisting)
		return ExitHarness
	}
	if source == pgprovision.SourceURL && envURL == "" {
		fmt.Fprintln(stderr, "proofs soak: --db url needs DATABASE_URL to be set")
		return ExitHarness
	}
	dockerImage, err := cli.DockerImage(opts.DockerImage, cfg.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return ExitHarness
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	logf("soak: seed %d (replay: make soak JOBS=%d SEED=%d)", opts.Seed, opts.Jobs, opts.Seed)

	root, err := harness.RepoRoot(cfg.Dir)
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return ExitHarness
	}
	reportDir := opts.ReportDir
	if !filepath.IsAbs(reportDir) {
		base := cfg.Dir
		if base == "" {
			base, _ = os.Getwd()
		}
		reportDir = filepath.Join(base, reportDir)
	}
	tmp, err := os.MkdirTemp("", "prodproof-soak-")
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: temp dir: %v\n", err)
		return ExitHarness
	}
	defer os.RemoveAll(tmp)

	prov := harness.Provenance(ctx, root, "proofs "+strings.Join(cfg.Args, " "))

	logf("soak: provisioning postgres (--db %s)", source)
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{Source: source, URL: envURL, DockerImage: dockerImage, Logf: func(format string, args ...any) { logf("soak: "+format, args...) }})
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: provision database: %s\n", red.Redact(err.Error()))
		return ExitHarness
	}
	defer srv.Close()
	red.Add(srv.URL, srv.Password)
	prov.DBSource, prov.PostgresVersion = string(srv.Source), srv.Version
	dbURL, err := freshDatabase(ctx, srv, opts.ResetExistingDB)
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %s\n", red.Redact(err.Error()))
		return ExitHarness
	}
	red.Add(dbURL)

	logf("soak: building ./backend")
	bin, err := harness.BuildBackend(ctx, root, tmp, harness.WithoutEnv(cfg.Environ, "DATABASE_URL"))
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return ExitHarness
	}

	res, runErr := Run(ctx, Options{
		Binary: bin, DatabaseURL: dbURL, Dir: tmp,
		Jobs: opts.Jobs, Seed: opts.Seed, Instances: opts.Instances, Rate: opts.Rate, Settle: opts.Settle,
		Redactor: red, Logf: logf,
	})
	prov.FinishedAt = time.Now().UTC()
	res.Report.Provenance = prov
	if err := Write(reportDir, res.Report, res.Events, res.Log, red); err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return ExitHarness
	}
	// Every file was redacted as written; prove it, and check the built
	// site too when there is one, since it is made from the report.
	scanned := []string{filepath.Join(reportDir, Dir)}
	if site := filepath.Join(root, "site"); isDir(site) {
		scanned = append(scanned, site)
	}
	for _, dir := range scanned {
		leaks, err := red.Leaks(dir)
		if err != nil || len(leaks) > 0 {
			fmt.Fprintf(stderr, "proofs soak: a secret of this run is in %v (%v); delete those files\n", leaks, err)
			return ExitHarness
		}
	}

	printChecks(stdout, res.Report)
	fmt.Fprintf(stdout, "report in %s\n", filepath.Join(reportDir, Dir))
	if runErr != nil {
		fmt.Fprintf(stderr, "proofs soak: %s\n", red.Redact(runErr.Error()))
		fmt.Fprintln(stdout, res.Report.Line())
		return ExitHarness
	}
	fmt.Fprintln(stdout, res.Report.Line())
	if res.Report.Verdict != report.Pass {
		return ExitFail
	}
	return ExitPass
}

func validate(o cli.SoakOptions) error {
	switch {
	case o.Jobs < 1:
		return fmt.Errorf("--%s must be at least 1, got %d", cli.FlagJobs, o.Jobs)
	case o.Instances < 2 || o.Instances > 5:
		return fmt.Errorf("--%s must be from 2 to 5, got %d", cli.FlagInstances, o.Instances)
	case o.Rate < 1 || o.Rate > 10000:
		return fmt.Errorf("--%s must be from 1 to 10000 jobs per second, got %d", cli.FlagRate, o.Rate)
	case o.Settle <= 0:
		return fmt.Errorf("--%s must be positive, got %s", cli.FlagSettle, o.Settle)
	}
	return nil
}

func printChecks(w io.Writer, r *report.SoakReport) {
	fmt.Fprintf(w, "\n%s: seed %d, %d instances started, %.1fs\n", strings.ToUpper(string(r.Verdict)), r.Seed, len(r.InstancesStarted), float64(r.Durations.TotalMS)/1000)
	if r.Reason != "" && r.Verdict == report.Error {
		fmt.Fprintf(w, "  error: %s\n", r.Reason)
	}
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, c.Name, clip(c.Observed))
	}
	fmt.Fprintf(w, "  faults: %v\n", r.Faults)
	fmt.Fprintf(w, "  client: %d requests, %d accepted, %d 503s and %d unanswered requests retried\n",
		r.Client.Requests, r.Client.Accepted, r.Client.Status503, r.Client.TransportErrors)
	fmt.Fprintf(w, "  rows: %d (%d not acknowledged, %d jobs with a second row); %d retries recognised by their idempotency key\n",
		r.Jobs, r.Tally.Unacknowledged, r.Tally.RetriedSeqs, r.Client.Replayed)
}

func clip(s string) string {
	if len(s) > 240 {
		return s[:240] + "…"
	}
	return s
}

// freshDatabase gives the soak an empty database: a new one on a server
// this run owns, or schema public dropped and recreated (url source, only
// with --reset-existing-db).
func freshDatabase(ctx context.Context, srv *pgprovision.Server, resetExisting bool) (string, error) {
	if srv.Owned {
		if err := srv.DropDatabase(ctx, dbName); err != nil {
			return "", fmt.Errorf("reset database: %w", err)
		}
		return srv.CreateDatabase(ctx, dbName)
	}
	if !resetExisting {
		return "", ErrWouldResetExisting
	}
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		return "", fmt.Errorf("reset schema: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`); err != nil {
		return "", fmt.Errorf("reset schema: %w", err)
	}
	return srv.URL, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func randomSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	seed := int64(binary.LittleEndian.Uint64(b[:]) >> 2)
	if seed == 0 {
		seed = 1
	}
	return seed
}
