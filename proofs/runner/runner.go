// Package runner is the proofs command: it parses the command line through
// proofs/cli, provisions one database, builds the backend once, runs the
// chosen scenarios one after another (each on a freshly reset schema) and
// writes the report. Exit status: 0 every scenario passed, 1 a scenario
// failed, 2 the harness broke or the usage was wrong.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/progress"
	"github.com/prodproof/prodproof/proofs/scenario"
)

// Exit statuses.
const (
	ExitPass    = 0
	ExitFail    = 1
	ExitHarness = 2
)

// scenarioTimeout bounds one scenario; its own waits have shorter deadlines.
const scenarioTimeout = 5 * time.Minute

// Config is everything Main needs from the outside world; main fills it from
// the process, tests build their own.
type Config struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the caller's environment (DATABASE_URL).
	Getenv func(string) string
	// Environ is the caller's environment, passed to tools that need the Go
	// toolchain's settings (stage-deploy.sh). DATABASE_URL is dropped.
	Environ []string
	// Dir is where to look for the repository; "" means the working folder.
	Dir string
	// Terminal selects the redrawn progress line, TerminalWidth its
	// length (0: unknown).
	Terminal      bool
	TerminalWidth int
	// Tamper edits backend environments; for tests that break the backend
	// on purpose. Nil in the proofs command.
	Tamper func(scenario, instance string, env map[string]string)
}

// Main runs the proofs command and returns its exit status.
func Main(ctx context.Context, cfg Config) int {
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	red := &evidence.Redactor{}
	dbURL := cfg.Getenv("DATABASE_URL")
	red.AddURL(dbURL)
	stdout, stderr := red.Writer(cfg.Stdout), red.Writer(cfg.Stderr)

	tool := cli.Tool()
	if len(cfg.Args) == 0 || cfg.Args[0] == "help" || cfg.Args[0] == "-h" || cfg.Args[0] == "--help" {
		usage(stderr)
		if len(cfg.Args) == 0 {
			return ExitHarness
		}
		return ExitPass
	}
	cmd, fs, err := tool.Parse(cfg.Args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return ExitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "proofs: %v\n", err)
		if !errors.Is(err, cli.ErrUnknownProof) && !errors.Is(err, cli.ErrUnknownMutant) {
			usage(stderr)
		}
		return ExitHarness
	}
	switch strings.Join(cmd.Path, " ") {
	case "list":
		return list(stdout, fs.Lookup(cli.FlagJSON).Value.String() == "true")
	case "run":
		r := &run{cfg: cfg, opts: cli.ParseRunOptions(fs), red: red, dbURL: dbURL, stdout: stdout, stderr: stderr}
		return r.main(ctx)
	case "mutants":
		r := &run{cfg: cfg, opts: cli.ParseRunOptions(fs), red: red, dbURL: dbURL, stdout: stdout, stderr: stderr}
		return r.mutants(ctx)
	}
	fmt.Fprintf(stderr, "proofs: unhandled command %q\n", strings.Join(cmd.Path, " "))
	return ExitHarness
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: proofs COMMAND [flags]")
	for _, c := range cli.Tool().Commands {
		fmt.Fprintf(w, "  proofs %-7s %s\n", strings.Join(c.Path, " "), c.Summary)
	}
	fmt.Fprintln(w, "`proofs run -h` lists the run flags.")
}

type listEntry struct {
	Name      string `json:"name"`
	Claim     string `json:"claim"`
	Reproduce string `json:"reproduce"`
}

func list(w io.Writer, asJSON bool) int {
	entries := make([]listEntry, len(catalog.Proofs))
	for i, p := range catalog.Proofs {
		entries[i] = listEntry{p.Name, p.Claim, p.Reproduce()}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			return ExitHarness
		}
		return ExitPass
	}
	for _, e := range entries {
		fmt.Fprintf(w, "%-42s %s\n", e.Name, e.Claim)
	}
	return ExitPass
}

// ErrWouldResetExisting is the refusal to wipe a database this run did not
// create.
var ErrWouldResetExisting = errors.New("refusing to reset the database named by DATABASE_URL: every proof drops and recreates its schema public. " +
	"If that database is disposable, pass --" + cli.FlagResetExistingDB + "; otherwise unset DATABASE_URL or use --db local or --db docker for a throwaway server")

// run is one `proofs run`.
type run struct {
	cfg   Config
	opts  cli.RunOptions
	red   *evidence.Redactor
	dbURL string
	// dockerImage is the docker source's image ("" = the default).
	dockerImage string
	stdout      io.Writer
	stderr      io.Writer
	// proofRuns counts the proofs a mutant run has started, for progress.
	proofRuns int
	// coverage is the run's total backend coverage, set by execute.
	coverage *report.Coverage
}

// source checks the database flags: a usage problem is reported and
// returns a non-zero status.
func (r *run) source() (pgprovision.Source, int) {
	source, err := pgprovision.ParseSource(r.opts.DB)
	if err != nil {
		fmt.Fprintf(r.stderr, "proofs: --%s: %v\n", cli.FlagDB, err)
		return "", ExitHarness
	}
	usesURL := source == pgprovision.SourceURL || (source == pgprovision.SourceAuto && r.dbURL != "")
	if usesURL && !r.opts.ResetExistingDB {
		fmt.Fprintf(r.stderr, "proofs: %v\n", ErrWouldResetExisting)
		return "", ExitHarness
	}
	if source == pgprovision.SourceURL && r.dbURL == "" {
		fmt.Fprintln(r.stderr, "proofs: --db url needs DATABASE_URL to be set")
		return "", ExitHarness
	}
	if r.dockerImage, err = cli.DockerImage(r.opts.DockerImage, r.cfg.Getenv); err != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", err)
		return "", ExitHarness
	}
	return source, ExitPass
}

// reportDir is --report made absolute against the caller's folder.
func (r *run) reportDir() string {
	reportDir := r.opts.ReportDir
	if !filepath.IsAbs(reportDir) {
		base := r.cfg.Dir
		if base == "" {
			base, _ = os.Getwd()
		}
		reportDir = filepath.Join(base, reportDir)
	}
	return reportDir
}

func (r *run) main(ctx context.Context) int {
	source, code := r.source()
	if code != ExitPass {
		return code
	}
	names := r.opts.Names
	if len(names) == 0 {
		names = catalog.Names()
	}
	names = dedupe(names)

	prog := progress.New(r.stdout, r.cfg.Terminal, r.cfg.TerminalWidth)
	defer prog.Close()
	started := time.Now().UTC()
	root, err := harness.RepoRoot(r.cfg.Dir)
	if err != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", err)
		return ExitHarness
	}
	reportDir := r.reportDir()
	// Create the report folder first, so the tree looks the same before
	// and during the scenarios (deploy_artifact_smoke compares it).
	if err := os.MkdirAll(filepath.Join(reportDir, report.ScenarioDir), 0o755); err != nil {
		fmt.Fprintf(r.stderr, "proofs: create report folder: %v\n", err)
		return ExitHarness
	}
	prov := r.provenance(ctx, root, started)
	runID := started.Format("20060102T150405Z") + "-" + randomHex(3)

	results, setupErr := r.execute(ctx, root, source, names, reportDir, prog, &prov)
	prov.FinishedAt = time.Now().UTC()
	out := report.Run{SchemaVersion: report.SchemaVersion, RunID: runID, Provenance: prov, Scenarios: results, Coverage: r.coverage}
	out.Summary, out.Verdict = summarize(results)
	if err := evidence.WriteRun(reportDir, out, r.red); err != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", err)
		return ExitHarness
	}
	// Belt and braces: every file was redacted as written; prove it. The
	// built site is made from reports, so it is scanned too when present.
	if leaks, err := r.red.Leaks(reportDir); err != nil || len(leaks) > 0 {
		fmt.Fprintf(r.stderr, "proofs: the report holds a secret in %v (%v); remove %s\n", leaks, err, reportDir)
		return ExitHarness
	}
	if site := filepath.Join(root, "site"); isDir(site) {
		if leaks, err := r.red.Leaks(site); err != nil || len(leaks) > 0 {
			fmt.Fprintf(r.stderr, "proofs: the built site holds a secret in %v (%v); remove %s\n", leaks, err, site)
			return ExitHarness
		}
	}
	if scrubbed := r.red.Scrubbed(); len(scrubbed) > 0 {
		fmt.Fprintf(r.stderr, "proofs: the evidence redactor removed a secret from %d file(s) before writing them: %s\n", len(scrubbed), strings.Join(scrubbed, ", "))
	}
	if r.opts.JUnit != "" {
		if err := writeJUnit(r.opts.JUnit, out, r.red); err != nil {
			fmt.Fprintf(r.stderr, "proofs: --%s: %v\n", cli.FlagJUnit, err)
			return ExitHarness
		}
	}
	if path := r.cfg.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendStepSummary(path, out, r.red); err != nil {
			fmt.Fprintf(r.stderr, "proofs: GITHUB_STEP_SUMMARY: %v\n", err)
			return ExitHarness
		}
	}
	r.printSummary(out, reportDir, setupErr)
	switch {
	case out.Summary.Failed > 0:
		return ExitFail
	case out.Verdict != report.Pass:
		return ExitHarness
	}
	return ExitPass
}

// execute provisions, builds and runs. A set-up failure marks every
// scenario error with the reason and is returned too.
func (r *run) execute(ctx context.Context, root string, source pgprovision.Source, names []string, reportDir string, prog *progress.Progress, prov *report.Provenance) ([]report.Scenario, error) {
	failAll := func(err error) ([]report.Scenario, error) {
		var out []report.Scenario
		for _, name := range names {
			out = append(out, skeleton(name, report.Error, err.Error()))
		}
		return out, err
	}
	tmp, err := os.MkdirTemp("", "prodproof-proofs-")
	if err != nil {
		return failAll(fmt.Errorf("temp dir: %w", err))
	}
	defer os.RemoveAll(tmp)

	srv, err := r.provision(ctx, source, prog, prov)
	if err != nil {
		return failAll(err)
	}
	defer srv.Close()

	prog.Logf("proofs: building ./backend (with coverage)")
	buildStart := time.Now()
	binary, err := harness.BuildBackendCovered(ctx, root, tmp, r.cfg.Environ)
	if err != nil {
		return failAll(err)
	}
	prog.Logf("proofs: built in %.1fs; postgres %s (%s)", time.Since(buildStart).Seconds(), srv.Version, srv.Source)

	env := &scenario.Env{
		Root:     root,
		Binary:   binary,
		TempDir:  tmp,
		BaseEnv:  harness.WithoutEnv(r.cfg.Environ, "DATABASE_URL"),
		Redactor: r.red,
		Tamper:   r.cfg.Tamper,
		CoverDir: filepath.Join(tmp, "cover"),
	}
	prog.Begin(len(names))
	var out []report.Scenario
	for i, name := range names {
		if ctx.Err() != nil {
			out = append(out, skeleton(name, report.Skip, "interrupted before it ran"))
			continue
		}
		sc, _ := scenario.Lookup(name)
		prog.ScenarioStarted(i+1, name)
		res := r.runOne(ctx, env, srv, sc, reportDir, prog)
		prog.ScenarioDone(name, res.Verdict, time.Duration(res.DurationMS)*time.Millisecond, res.Reason)
		out = append(out, res)
	}
	total, err := r.runCoverage(ctx, env, names, reportDir)
	if err != nil {
		prog.Logf("proofs: backend coverage: %v", err)
	}
	r.coverage = total
	return out, nil
}

// runOne resets the database, runs one scenario and writes its files.
func (r *run) runOne(ctx context.Context, env *scenario.Env, srv *pgprovision.Server, sc scenario.Scenario, reportDir string, prog *progress.Progress) report.Scenario {
	res := skeleton(sc.Name, report.Error, "")
	res.StartedAt = time.Now().UTC()
	start := time.Now()
	rec := evidence.NewRecorder(sc.Name, nil)
	ctx, cancel := context.WithTimeout(ctx, scenarioTimeout)
	defer cancel()

	dbURL, err := r.freshDatabase(ctx, srv, sc.Name)
	if err != nil {
		res.Reason = err.Error()
	} else {
		r.red.Add(dbURL)
		rec.Step("reset database", resetDescription(srv))
		res.Verdict, res.Reason = scenario.Execute(ctx, env, sc, dbURL, rec, prog.Phase)
	}
	res.DurationMS = time.Since(start).Milliseconds()
	rec.Verdict(res.Verdict, res.Reason)
	o := rec.Outcome()
	res.Steps, res.Assertions, res.FirstFailure = o.Steps, o.Assertions, o.FirstFailure
	files, err := rec.WriteFiles(reportDir, r.red)
	if err != nil {
		res.Verdict, res.Reason = report.Error, "write evidence: "+err.Error()
	}
	res.Files = files
	if env.CoverDir != "" && err == nil {
		// Coverage is a measurement beside the verdict: failing to take
		// it is said, and changes no verdict.
		if res.Coverage, err = r.scenarioCoverage(ctx, env, sc.Name, reportDir); err != nil {
			prog.Logf("proofs: %s: backend coverage: %v", sc.Name, err)
		}
	}
	return res
}

func resetDescription(srv *pgprovision.Server) string {
	if srv.Owned {
		return "fresh database on the throwaway " + string(srv.Source) + " server"
	}
	return "schema public dropped and recreated (--" + cli.FlagResetExistingDB + ")"
}

// freshDatabase gives a scenario an empty schema: a new database on a
// server this run owns, or schema public dropped and recreated on the
// DATABASE_URL database (only with --reset-existing-db).
func (r *run) freshDatabase(ctx context.Context, srv *pgprovision.Server, name string) (string, error) {
	if srv.Owned {
		dbName := "proofs_" + name
		if err := srv.DropDatabase(ctx, dbName); err != nil {
			return "", fmt.Errorf("reset database: %s", r.red.Redact(err.Error()))
		}
		u, err := srv.CreateDatabase(ctx, dbName)
		if err != nil {
			return "", fmt.Errorf("reset database: %s", r.red.Redact(err.Error()))
		}
		return u, nil
	}
	if !r.opts.ResetExistingDB {
		return "", ErrWouldResetExisting
	}
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		return "", fmt.Errorf("reset schema: connect: %s", r.red.Redact(err.Error()))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`); err != nil {
		return "", fmt.Errorf("reset schema: %s", r.red.Redact(err.Error()))
	}
	return srv.URL, nil
}

func skeleton(name string, v report.Verdict, reason string) report.Scenario {
	p, _ := catalog.Lookup(name)
	return report.Scenario{
		Name: name, Claim: p.Claim, Reproduce: p.Reproduce(), Verdict: v, Reason: reason,
		StartedAt: time.Now().UTC(), Steps: []report.Step{}, Assertions: []report.Assertion{}, Files: map[string]string{},
	}
}

// summarize counts verdicts. The run fails if any scenario failed, is an
// error if none failed but one errored or was skipped, and passes otherwise.
func summarize(results []report.Scenario) (report.Summary, report.Verdict) {
	var s report.Summary
	for _, r := range results {
		switch r.Verdict {
		case report.Pass:
			s.Passed++
		case report.Fail:
			s.Failed++
		case report.Skip:
			s.Skipped++
		default:
			s.Errored++
		}
	}
	switch {
	case s.Failed > 0:
		return s, report.Fail
	case s.Errored > 0 || s.Skipped > 0 || len(results) == 0:
		return s, report.Error
	}
	return s, report.Pass
}

func (r *run) printSummary(run report.Run, reportDir string, setupErr error) {
	w := r.stdout
	if setupErr != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", setupErr)
	}
	fmt.Fprintln(w)
	for _, s := range run.Scenarios {
		line := fmt.Sprintf("%-5s %-42s %6.2fs", strings.ToUpper(string(s.Verdict)), s.Name, float64(s.DurationMS)/1000)
		if s.FirstFailure != nil {
			line += fmt.Sprintf("  first failure: %s (expected %s, observed %s)", s.FirstFailure.Name, clip(s.FirstFailure.Expected), clip(s.FirstFailure.Observed))
		} else if s.Reason != "" {
			line += "  " + clip(s.Reason)
		}
		fmt.Fprintln(w, line)
	}
	total := run.Provenance.FinishedAt.Sub(run.Provenance.StartedAt)
	fmt.Fprintf(w, "%s: %d passed, %d failed, %d errored, %d skipped in %.1fs; report in %s\n",
		strings.ToUpper(string(run.Verdict)), run.Summary.Passed, run.Summary.Failed, run.Summary.Errored, run.Summary.Skipped, total.Seconds(), reportDir)
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// provenance records what a run ran on: the Go version, the command, the
// host and the checkout's commit (and whether it was dirty).
func (r *run) provenance(ctx context.Context, root string, started time.Time) report.Provenance {
	prov := report.Provenance{
		GoVersion: runtime.Version(),
		Command:   "proofs " + strings.Join(r.cfg.Args, " "),
		Host:      fmt.Sprintf("%s/%s %dcpu", runtime.GOOS, runtime.GOARCH, runtime.NumCPU()),
		StartedAt: started,
	}
	if commit, err := harness.Git(ctx, root, "rev-parse", "HEAD"); err == nil {
		prov.Commit = commit
		if status, err := harness.Git(ctx, root, "status", "--porcelain"); err == nil {
			prov.Dirty = status != ""
		}
	}
	return prov
}

// provision starts (or connects to) the run's one database, records it in
// prov and teaches the redactor its secrets. It refuses a server the run did
// not create unless resetting it was asked for: a production DATABASE_URL
// must not be wiped. The caller closes the server.
func (r *run) provision(ctx context.Context, source pgprovision.Source, prog *progress.Progress, prov *report.Provenance) (*pgprovision.Server, error) {
	prog.Logf("proofs: provisioning postgres (--db %s)", source)
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{
		Source:      source,
		URL:         r.dbURL,
		DockerImage: r.dockerImage,
		Logf:        func(format string, args ...any) { prog.Logf("proofs: "+format, args...) },
	})
	if err != nil {
		return nil, fmt.Errorf("provision database: %w", err)
	}
	r.red.Add(srv.URL, srv.Password)
	prov.DBSource = string(srv.Source)
	prov.PostgresVersion = srv.Version
	if !srv.Owned && !r.opts.ResetExistingDB {
		srv.Close()
		return nil, ErrWouldResetExisting
	}
	return srv, nil
}
