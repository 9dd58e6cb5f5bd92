// Package runner is the proofs command: it parses the command line through
// proofs/cli, provisions one database, builds the backend once, runs the
// chosen scenarios one after another (each on a freshly reset schema) and
// writes the report. Exit status: 0 every scenario passed, 1 a scenario
// failed, 2 the harness broke or the usage was wrong.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/load"
	"github.com/prodproof/prodproof/proofs/progress"
	"github.com/prodproof/prodproof/proofs/scenario"
	"github.com/prodproof/prodproof/proofs/session"
	"github.com/prodproof/prodproof/proofs/soak"
	"github.com/prodproof/prodproof/prove"
)

// Exit statuses, the same for every command (package session).
const (
	ExitPass    = session.ExitPass
	ExitFail    = session.ExitFail
	ExitHarness = session.ExitHarness
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
	red.AddURL(cfg.Getenv("DATABASE_URL"))
	stdout, stderr := red.Writer(cfg.Stdout), red.Writer(cfg.Stderr)

	// The run command's names are resolved here, once, while the command
	// line is parsed: each becomes the scenario it runs.
	var chosen []scenario.Scenario
	tool := cli.ToolResolving(func(names []string) (err error) {
		chosen, err = cli.Resolve(names, scenario.Registry(), func(s scenario.Scenario) string { return s.Name })
		return err
	})
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
	name := strings.Join(cmd.Path, " ")
	if name == "list" {
		return list(stdout, fs.Lookup(cli.FlagJSON).Value.String() == "true")
	}
	// Every other command starts a run, and every run is set up one way.
	opts := cli.ParseRunOptions(fs)
	sess, err := session.Start(session.Caller{Args: cfg.Args, Getenv: cfg.Getenv, Dir: cfg.Dir}, opts)
	if err != nil {
		fmt.Fprintf(stderr, "proofs %s: %s\n", name, red.Redact(err.Error()))
		return ExitHarness
	}
	r := &run{cfg: cfg, opts: opts, sess: sess, red: red, stdout: stdout, stderr: stderr}
	switch name {
	case "run":
		return r.main(ctx, chosen)
	case "mutants":
		return r.mutants(ctx)
	case "load":
		return r.load(ctx, cli.ParseLoadOptions(fs))
	case "soak":
		return soak.Command(ctx, sess, cli.ParseSoakOptions(fs), soak.Caller{
			Stdout: stdout, Stderr: stderr, Environ: cfg.Environ, Redactor: red})
	}
	fmt.Fprintf(stderr, "proofs: unhandled command %q\n", name)
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
var ErrWouldResetExisting = session.ErrWouldResetExisting

// run is one run of proofs: run, mutants or load.
type run struct {
	cfg    Config
	opts   cli.RunOptions
	sess   *session.Session
	red    *evidence.Redactor
	stdout io.Writer
	stderr io.Writer
}

func (r *run) main(ctx context.Context, chosen []scenario.Scenario) int {
	root := r.sess.Root
	prog := progress.New(r.stdout, r.cfg.Terminal, r.cfg.TerminalWidth)
	// The backend is built with coverage; each proof's processes write
	// their counters under coverDir, merged after each proof and for the
	// run (coverage.go). It outlives the framework's own temp folder.
	coverDir, err := os.MkdirTemp("", "prodproof-cover-")
	if err != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", err)
		return ExitHarness
	}
	defer os.RemoveAll(coverDir)
	env := &scenario.Env{Root: root, BaseEnv: harness.WithoutEnv(r.cfg.Environ, "DATABASE_URL"), Tamper: r.cfg.Tamper, CoverDir: coverDir}
	var proofs []prove.Proof
	var names []string
	for _, sc := range chosen {
		proofs = append(proofs, sc.Bind(env))
		names = append(names, sc.Name)
	}
	params := r.params(root, r.sess.ReportDir, prog, proofs, func(ctx context.Context, tmp string) error {
		prog.Logf("proofs: building ./backend (with coverage)")
		start := time.Now()
		binary, err := harness.BuildBackendCovered(ctx, root, tmp, r.cfg.Environ)
		if err != nil {
			return err
		}
		env.Binary = binary
		prog.Logf("proofs: built in %.1fs", time.Since(start).Seconds())
		return nil
	})
	params.CoverageOf = r.coverageOf(env, names)
	if site := filepath.Join(root, "site"); isDir(site) {
		// The built site is made from reports: it must hold no secret either.
		params.ScanAlso = []string{site}
	}
	params.StepSummary = r.cfg.Getenv("GITHUB_STEP_SUMMARY")
	started := time.Now()
	res, runErr := prove.Run(ctx, params)
	prog.Close()
	r.printSummary(res, params.ReportDir, time.Since(started), runErr)
	if runErr != nil {
		// The harness broke (a set-up failure, a secret in the report):
		// whatever the proofs said, the run cannot be trusted.
		return ExitHarness
	}
	return res.ExitCode()
}

// load is `proofs load`: the load proof, run like every proof, its
// evidence and load.json in the report's load/ folder.
func (r *run) load(ctx context.Context, lo cli.LoadOptions) int {
	if lo.Duration <= 0 || lo.Rate <= 0 {
		fmt.Fprintf(r.stderr, "proofs: --%s and --%s must be positive\n", cli.FlagDuration, cli.FlagRate)
		return ExitHarness
	}
	root := r.sess.Root
	reportDir := filepath.Join(r.sess.ReportDir, report.LoadDir)
	var binary string
	proof := load.Proof(load.ProofOptions{
		Binary: func() string { return binary }, Duration: lo.Duration, Rate: lo.Rate, HealthStrict: lo.HealthStrict,
		ReportFile: filepath.Join(reportDir, report.LoadReportFile),
	})
	prog := progress.New(r.stdout, r.cfg.Terminal, r.cfg.TerminalWidth)
	params := r.params(root, reportDir, prog, []prove.Proof{proof}, func(ctx context.Context, tmp string) error {
		var err error
		binary, err = harness.BuildBackend(ctx, root, tmp, r.cfg.Environ)
		return err
	})
	params.ProofTimeout = lo.Duration + 5*time.Minute
	started := time.Now()
	res, runErr := prove.Run(ctx, params)
	prog.Close()
	r.printSummary(res, reportDir, time.Since(started), runErr)
	if runErr != nil {
		// The harness broke (a set-up failure, a secret in the report):
		// whatever the proofs said, the run cannot be trusted.
		return ExitHarness
	}
	return res.ExitCode()
}

// params is what every run of proofs shares: the database source, the
// secrets, provenance and the live progress.
func (r *run) params(root, reportDir string, prog *progress.Progress, proofs []prove.Proof, setup func(context.Context, string) error) prove.Params {
	return prove.Params{
		Proofs:                proofs,
		ReportDir:             reportDir,
		Database:              string(r.sess.Source),
		DatabaseURL:           r.sess.DatabaseURL,
		ResetExistingDatabase: r.sess.ResetExisting,
		DockerImage:           r.sess.DockerImage,
		JUnit:                 r.opts.JUnit,
		Setup:                 setup,
		Dir:                   root,
		Command:               r.sess.Command,
		ProofTimeout:          scenarioTimeout,
		Progress: func(e prove.Event) {
			switch e.Kind {
			case "log":
				prog.Logf("proofs: %s", e.Message)
			case "begin":
				prog.Begin(e.Total)
			case "start":
				prog.ScenarioStarted(e.Index, e.Proof)
			case "step":
				prog.Phase(e.Message)
			case "done":
				prog.ScenarioDone(e.Proof, e.Verdict, e.Duration, e.Reason)
			}
		},
	}
}

func (r *run) printSummary(res prove.Result, reportDir string, took time.Duration, runErr error) {
	w := r.stdout
	if runErr != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", r.red.Redact(runErr.Error()))
	}
	fmt.Fprintln(w)
	for _, p := range res.Proofs {
		line := fmt.Sprintf("%-5s %-42s %6.2fs", strings.ToUpper(string(p.Verdict)), p.Name, p.Duration.Seconds())
		if f := p.FirstFailure; f != nil {
			line += fmt.Sprintf("  first failure: %s (expected %s, observed %s)", f.Name, clip(f.Expected), clip(f.Observed))
		} else if p.Reason != "" {
			line += "  " + clip(p.Reason)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%s: %d passed, %d failed, %d errored, %d skipped in %.1fs; report in %s\n",
		strings.ToUpper(string(res.Verdict)), res.Passed, res.Failed, res.Errored, res.Skipped, took.Seconds(), reportDir)
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
