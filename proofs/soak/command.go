package soak

import (
	"context"
	"crypto/rand"
	"encoding/binary"
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
	"github.com/prodproof/prodproof/proofs/session"
)

// dbName is the database the soak creates on a server it owns.
const dbName = "proofs_soak"

// Caller is what the soak gets from the proofs command beside its session:
// where to print (already redacting the caller's DATABASE_URL), the
// environment for the build, and the redactor to add this run's secrets to.
type Caller struct {
	Stdout, Stderr io.Writer
	Environ        []string
	Redactor       *evidence.Redactor
}

// Command is `proofs soak`, on a session set up like every other run
// (package session), and returns its exit status: 0 every check held, 1 a
// check failed, 2 the harness broke or the usage was wrong. Its last line
// is Report.Line.
func Command(ctx context.Context, sess *session.Session, opts cli.SoakOptions, c Caller) int {
	red, stdout, stderr := c.Redactor, c.Stdout, c.Stderr
	if err := validate(opts); err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return session.ExitHarness
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	logf("soak: seed %d (replay: make soak JOBS=%d SEED=%d)", opts.Seed, opts.Jobs, opts.Seed)

	root, reportDir := sess.Root, sess.ReportDir
	tmp, err := os.MkdirTemp("", "prodproof-soak-")
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: temp dir: %v\n", err)
		return session.ExitHarness
	}
	defer os.RemoveAll(tmp)

	prov := sess.Provenance(ctx)

	logf("soak: provisioning postgres (--db %s)", sess.Source)
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{Source: sess.Source, URL: sess.DatabaseURL, DockerImage: sess.DockerImage, Logf: func(format string, args ...any) { logf("soak: "+format, args...) }})
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: provision database: %s\n", red.Redact(err.Error()))
		return session.ExitHarness
	}
	defer srv.Close()
	red.Add(srv.URL, srv.Password)
	prov.DBSource, prov.PostgresVersion = string(srv.Source), srv.Version
	dbURL, err := freshDatabase(ctx, srv, sess.ResetExisting)
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %s\n", red.Redact(err.Error()))
		return session.ExitHarness
	}
	red.Add(dbURL)

	logf("soak: building ./backend")
	bin, err := harness.BuildBackend(ctx, root, tmp, harness.WithoutEnv(c.Environ, "DATABASE_URL"))
	if err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return session.ExitHarness
	}

	res, runErr := Run(ctx, Options{
		Binary: bin, DatabaseURL: dbURL, Dir: tmp,
		Jobs: opts.Jobs, Seed: opts.Seed, Instances: opts.Instances, Rate: opts.Rate, Settle: opts.Settle,
		Redactor: red, Logf: logf,
	})
	prov.FinishedAt = time.Now().UTC()
	res.Report.Provenance = prov
	if err := report.WriteSoak(reportDir, res.Report, res.Events, res.Log, red); err != nil {
		fmt.Fprintf(stderr, "proofs soak: %v\n", err)
		return session.ExitHarness
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
			return session.ExitHarness
		}
	}

	printChecks(stdout, res.Report)
	fmt.Fprintf(stdout, "report in %s\n", filepath.Join(reportDir, Dir))
	if runErr != nil {
		fmt.Fprintf(stderr, "proofs soak: %s\n", red.Redact(runErr.Error()))
		fmt.Fprintln(stdout, res.Report.Line())
		return session.ExitHarness
	}
	fmt.Fprintln(stdout, res.Report.Line())
	if res.Report.Verdict != report.Pass {
		return session.ExitFail
	}
	return session.ExitPass
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
		return "", session.ErrWouldResetExisting
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
