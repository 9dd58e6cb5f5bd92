package prove

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Verdict is a proof's (or a run's) outcome: pass (the claim held), fail
// (the system under test broke it), error (the harness could not tell),
// skip (not run; it says why and never counts as a pass).
type Verdict = report.Verdict

// Coverage is how much of the system under test a proof (or a run) ran:
// statements covered of the total, per package, and where the profile and
// its listing were written inside the report folder.
type Coverage = report.Coverage

// The verdicts.
const (
	Pass  = report.Pass
	Fail  = report.Fail
	Error = report.Error
	Skip  = report.Skip
)

// Params is everything Run needs. Only Proofs is required.
type Params struct {
	// Proofs run in this order, one after another, each on its own
	// freshly created database.
	Proofs []Proof
	// ReportDir receives results.json, history.ndjson and each proof's
	// evidence (scenarios/NAME.*). Default "report".
	ReportDir string
	// Database is where Postgres comes from: "local" (initdb and pg_ctl
	// from PATH or /usr/lib/postgresql/*/bin, a throwaway server),
	// "docker" (a throwaway container), "url" (DatabaseURL) or "auto"
	// (url when DatabaseURL is set, else docker when a daemon answers,
	// else local). Default "auto".
	Database string
	// DatabaseURL is a server of your own. Every proof drops and recreates
	// its schema public, so Run refuses it unless ResetExistingDatabase
	// says it is disposable.
	DatabaseURL           string
	ResetExistingDatabase bool
	// DockerImage is the docker source's image; default postgres:15.
	DockerImage string
	// JUnit, when set, is a file to write JUnit XML to; StepSummary, when
	// set, a file to append a Markdown table to (GITHUB_STEP_SUMMARY).
	JUnit       string
	StepSummary string
	// Setup, when set, runs once after the database is up and before the
	// first proof, with a scratch folder removed after the run: build the
	// system under test there. Its error marks every proof error.
	Setup func(ctx context.Context, tempDir string) error
	// Dir is the checkout whose commit (and dirty flag) the report
	// records; default the working folder.
	Dir string
	// Command is recorded in the report as what ran; default os.Args.
	Command string
	// Secrets are known before the run starts (a DATABASE_URL of your
	// own is added by itself); see T.AddSecret.
	Secrets []string
	// ScanAlso lists folders besides ReportDir that must hold no secret
	// after the run (a built site, say); a secret found fails the run.
	ScanAlso []string
	// FailFast skips the proofs after the first that fails (verdict
	// skip, saying why): for a judge that needs one failure, such as a
	// mutant run.
	FailFast bool
	// CoverageOf, when set, measures the system under test after each
	// proof (proof is its name, reportDir the run's report folder) and
	// once for the whole run (proof ""), e.g. by merging the counters of
	// a binary built with `go build -cover`. What it returns is recorded
	// beside the verdicts and changes none of them; its error is logged.
	CoverageOf func(ctx context.Context, proof, reportDir string) (*Coverage, error)
	// ProofTimeout bounds one proof; default 5 minutes.
	ProofTimeout time.Duration
	// Log receives plain progress lines; nil discards them. Progress,
	// when set, receives every event instead (a live display).
	Log      io.Writer
	Progress func(Event)
}

// Event is one thing a run reports as it goes.
type Event struct {
	// Kind is "log" (Message), "begin" (Total proofs), "start" (Proof,
	// Index counting from 1), "step" (Message is the proof's step) or
	// "done" (Proof, Verdict, Duration, Reason).
	Kind     string
	Message  string
	Proof    string
	Index    int
	Total    int
	Verdict  Verdict
	Duration time.Duration
	Reason   string
}

// Result is what a run found; the report holds the evidence.
type Result struct {
	Verdict                          Verdict
	Passed, Failed, Errored, Skipped int
	Proofs                           []ProofResult
	// Database is the source that provisioned the server (local, docker,
	// url) and PostgresVersion its version.
	Database        string
	PostgresVersion string
}

// ProofResult is one proof's verdict.
type ProofResult struct {
	Name     string
	Verdict  Verdict
	Reason   string
	Duration time.Duration
	// FirstFailure is the first assertion that did not hold, if any.
	FirstFailure *Assertion
}

// Assertion is a recorded expectation.
type Assertion struct {
	Name, Expected, Observed string
}

// ExitCode is the conventional status of a run: 0 every proof passed, 1 a
// proof failed, 2 none failed but one errored or was skipped.
func (r Result) ExitCode() int {
	switch {
	case r.Failed > 0:
		return 1
	case r.Verdict != Pass:
		return 2
	}
	return 0
}

// ErrWouldResetExisting is Run's refusal to wipe a database it did not
// create.
var ErrWouldResetExisting = errors.New("refusing to reset the database at DatabaseURL: every proof drops and recreates its schema public; set ResetExistingDatabase if that database is disposable, or use a throwaway server")

// proofName is the shape of a proof's name: it becomes file names.
var proofName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Run provisions one Postgres server, runs every proof on a fresh
// database of it, writes the report, and returns the verdicts. The error
// is non-nil when the harness broke: bad Params, no database, a failed
// Setup, a report that could not be written or that holds a secret; the
// report is still written whenever it can be.
func Run(ctx context.Context, p Params) (Result, error) {
	if err := p.validate(); err != nil {
		return Result{Verdict: Error}, err
	}
	s := &session{p: p, red: &evidence.Redactor{}}
	s.red.AddURL(p.DatabaseURL)
	for _, secret := range p.Secrets {
		s.red.AddURL(secret)
	}
	return s.run(ctx)
}

func (p Params) validate() error {
	if len(p.Proofs) == 0 {
		return errors.New("prove: no proofs to run")
	}
	seen := map[string]bool{}
	for _, pr := range p.Proofs {
		switch {
		case !proofName.MatchString(pr.Name):
			return fmt.Errorf("prove: proof name %q: use letters, digits, _ and -", pr.Name)
		case seen[pr.Name]:
			return fmt.Errorf("prove: proof %q is listed twice", pr.Name)
		case pr.Run == nil:
			return fmt.Errorf("prove: proof %q has no Run", pr.Name)
		}
		seen[pr.Name] = true
	}
	source, err := pgprovision.ParseSource(cmp.Or(p.Database, string(pgprovision.SourceAuto)))
	if err != nil {
		return fmt.Errorf("prove: Database: %w", err)
	}
	usesURL := source == pgprovision.SourceURL || (source == pgprovision.SourceAuto && p.DatabaseURL != "")
	if source == pgprovision.SourceURL && p.DatabaseURL == "" {
		return errors.New("prove: Database url needs DatabaseURL")
	}
	if usesURL && !p.ResetExistingDatabase {
		return ErrWouldResetExisting
	}
	return nil
}

// session is one Run.
type session struct {
	p   Params
	red *evidence.Redactor
	srv *pgprovision.Server
	tmp string
}

func (s *session) emit(e Event) {
	if s.p.Progress != nil {
		s.p.Progress(e)
		return
	}
	if s.p.Log == nil {
		return
	}
	switch e.Kind {
	case "log":
		fmt.Fprintln(s.p.Log, s.red.Redact(e.Message))
	case "start":
		fmt.Fprintf(s.p.Log, "[%d/%d] %s\n", e.Index, e.Total, e.Proof)
	case "done":
		line := fmt.Sprintf("%-5s %s %.2fs", strings.ToUpper(string(e.Verdict)), e.Proof, e.Duration.Seconds())
		if e.Reason != "" {
			line += "  " + e.Reason
		}
		fmt.Fprintln(s.p.Log, s.red.Redact(line))
	}
}

func (s *session) logf(format string, args ...any) {
	s.emit(Event{Kind: "log", Message: fmt.Sprintf(format, args...)})
}

func (s *session) run(ctx context.Context) (Result, error) {
	started := time.Now().UTC()
	reportDir, err := filepath.Abs(cmp.Or(s.p.ReportDir, "report"))
	if err != nil {
		return Result{Verdict: Error}, fmt.Errorf("prove: report folder: %w", err)
	}
	// Create the report folder first, so the tree looks the same before
	// and during the proofs.
	if err := os.MkdirAll(filepath.Join(reportDir, report.ScenarioDir), 0o755); err != nil {
		return Result{Verdict: Error}, fmt.Errorf("prove: create report folder: %w", err)
	}
	prov := s.provenance(ctx, started)
	results, setupErr := s.execute(ctx, reportDir, &prov)
	prov.FinishedAt = time.Now().UTC()
	out := report.Run{SchemaVersion: report.SchemaVersion, RunID: report.NewRunID(started), Provenance: prov, Scenarios: results}
	if s.p.CoverageOf != nil && setupErr == nil {
		if out.Coverage, err = s.p.CoverageOf(ctx, "", reportDir); err != nil {
			s.logf("coverage of the run: %v", err)
		}
	}
	out.Summary, out.Verdict = summarize(results)
	res := resultOf(out)
	if err := report.WriteRun(reportDir, out, s.red); err != nil {
		return res, fmt.Errorf("prove: %w", err)
	}
	// Every file was redacted as written; prove it.
	for _, dir := range append([]string{reportDir}, s.p.ScanAlso...) {
		if leaks, err := s.red.Leaks(dir); err != nil || len(leaks) > 0 {
			return res, fmt.Errorf("prove: %s holds a secret in %v (%v); remove it", dir, leaks, err)
		}
	}
	if scrubbed := s.red.Scrubbed(); len(scrubbed) > 0 {
		s.logf("the evidence redactor removed a secret from %d file(s) before writing them: %s", len(scrubbed), strings.Join(scrubbed, ", "))
	}
	if s.p.JUnit != "" {
		if err := writeJUnit(s.p.JUnit, out, s.red); err != nil {
			return res, fmt.Errorf("prove: JUnit: %w", err)
		}
	}
	if s.p.StepSummary != "" {
		if err := appendStepSummary(s.p.StepSummary, out, s.red); err != nil {
			return res, fmt.Errorf("prove: step summary: %w", err)
		}
	}
	if setupErr != nil {
		return res, setupErr
	}
	return res, nil
}

func resultOf(run report.Run) Result {
	res := Result{
		Verdict: run.Verdict, Passed: run.Summary.Passed, Failed: run.Summary.Failed, Errored: run.Summary.Errored, Skipped: run.Summary.Skipped,
		Database: run.Provenance.DBSource, PostgresVersion: run.Provenance.PostgresVersion,
	}
	for _, sc := range run.Scenarios {
		pr := ProofResult{Name: sc.Name, Verdict: sc.Verdict, Reason: sc.Reason, Duration: time.Duration(sc.DurationMS) * time.Millisecond}
		if f := sc.FirstFailure; f != nil {
			pr.FirstFailure = &Assertion{Name: f.Name, Expected: f.Expected, Observed: f.Observed}
		}
		res.Proofs = append(res.Proofs, pr)
	}
	return res
}

// execute provisions, sets up and runs. A set-up failure marks every proof
// error with the reason and is returned too.
func (s *session) execute(ctx context.Context, reportDir string, prov *report.Provenance) ([]report.Scenario, error) {
	failAll := func(err error) ([]report.Scenario, error) {
		var out []report.Scenario
		for _, pr := range s.p.Proofs {
			out = append(out, skeleton(pr, report.Error, s.red.Redact(err.Error())))
		}
		return out, err
	}
	tmp, err := os.MkdirTemp("", "prove-")
	if err != nil {
		return failAll(fmt.Errorf("temp dir: %w", err))
	}
	defer os.RemoveAll(tmp)
	s.tmp = tmp
	if err := s.provision(ctx, prov); err != nil {
		return failAll(err)
	}
	defer s.srv.Close()
	if s.p.Setup != nil {
		if err := s.p.Setup(ctx, tmp); err != nil {
			return failAll(err)
		}
	}
	s.emit(Event{Kind: "begin", Total: len(s.p.Proofs)})
	var out []report.Scenario
	failed := ""
	for i, pr := range s.p.Proofs {
		if ctx.Err() != nil {
			out = append(out, skeleton(pr, report.Skip, "interrupted before it ran"))
			continue
		}
		if failed != "" {
			out = append(out, skeleton(pr, report.Skip, "not run: "+failed+" failed first (FailFast)"))
			continue
		}
		s.emit(Event{Kind: "start", Proof: pr.Name, Index: i + 1, Total: len(s.p.Proofs)})
		res := s.runOne(ctx, pr, reportDir)
		s.emit(Event{Kind: "done", Proof: pr.Name, Verdict: res.Verdict, Duration: time.Duration(res.DurationMS) * time.Millisecond, Reason: res.Reason})
		out = append(out, res)
		if s.p.FailFast && res.Verdict == report.Fail {
			failed = pr.Name
		}
	}
	return out, nil
}

// provision starts (or connects to) the run's one database server and
// records it in prov.
func (s *session) provision(ctx context.Context, prov *report.Provenance) error {
	source, _ := pgprovision.ParseSource(cmp.Or(s.p.Database, string(pgprovision.SourceAuto)))
	s.logf("provisioning postgres (%s)", source)
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{
		Source:      source,
		URL:         s.p.DatabaseURL,
		DockerImage: s.p.DockerImage,
		Logf:        s.logf,
	})
	if err != nil {
		return fmt.Errorf("provision database: %w", err)
	}
	s.red.Add(srv.URL, srv.Password)
	prov.DBSource = string(srv.Source)
	prov.PostgresVersion = srv.Version
	if !srv.Owned && !s.p.ResetExistingDatabase {
		srv.Close()
		return ErrWouldResetExisting
	}
	s.srv = srv
	s.logf("postgres %s (%s)", srv.Version, srv.Source)
	return nil
}

// runOne gives a proof a fresh database, runs it and writes its files.
func (s *session) runOne(ctx context.Context, pr Proof, reportDir string) report.Scenario {
	res := skeleton(pr, report.Error, "")
	res.StartedAt = time.Now().UTC()
	start := time.Now()
	rec := evidence.NewRecorder(pr.Name, nil)
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(s.p.ProofTimeout, 5*time.Minute))
	defer cancel()

	dbURL, err := s.freshDatabase(ctx, pr.Name)
	if err != nil {
		res.Reason = err.Error()
	} else {
		s.red.Add(dbURL)
		rec.Step("reset database", s.resetDescription())
		phase := func(step string) { s.emit(Event{Kind: "step", Proof: pr.Name, Message: step}) }
		res.Verdict, res.Reason = execute(ctx, pr, dbURL, s.tmp, s.red, rec, phase)
	}
	res.DurationMS = time.Since(start).Milliseconds()
	rec.Verdict(res.Verdict, res.Reason)
	o := rec.Outcome()
	res.Steps, res.Assertions, res.FirstFailure = o.Steps, o.Assertions, o.FirstFailure
	files, err := rec.WriteFiles(reportDir, s.red)
	if err != nil {
		res.Verdict, res.Reason = report.Error, "write evidence: "+err.Error()
	}
	res.Files = files
	if s.p.CoverageOf != nil && err == nil {
		if res.Coverage, err = s.p.CoverageOf(ctx, pr.Name, reportDir); err != nil {
			s.logf("%s: coverage: %v", pr.Name, err)
		}
	}
	return res
}

func (s *session) resetDescription() string {
	if s.srv.Owned {
		return "fresh database on the throwaway " + string(s.srv.Source) + " server"
	}
	return "schema public dropped and recreated (ResetExistingDatabase)"
}

// freshDatabase gives a proof an empty schema: a new database on a server
// this run owns, or schema public dropped and recreated on the
// DatabaseURL database.
func (s *session) freshDatabase(ctx context.Context, name string) (string, error) {
	if s.srv.Owned {
		dbName := "proofs_" + strings.ToLower(strings.ReplaceAll(name, "-", "_"))
		if err := s.srv.DropDatabase(ctx, dbName); err != nil {
			return "", fmt.Errorf("reset database: %s", s.red.Redact(err.Error()))
		}
		u, err := s.srv.CreateDatabase(ctx, dbName)
		if err != nil {
			return "", fmt.Errorf("reset database: %s", s.red.Redact(err.Error()))
		}
		return u, nil
	}
	if !s.p.ResetExistingDatabase {
		return "", ErrWouldResetExisting
	}
	conn, err := pgx.Connect(ctx, s.srv.URL)
	if err != nil {
		return "", fmt.Errorf("reset schema: connect: %s", s.red.Redact(err.Error()))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`); err != nil {
		return "", fmt.Errorf("reset schema: %s", s.red.Redact(err.Error()))
	}
	return s.srv.URL, nil
}

func skeleton(p Proof, v report.Verdict, reason string) report.Scenario {
	return report.Scenario{
		Name: p.Name, Claim: p.Claim, Reproduce: p.Reproduce, Verdict: v, Reason: reason,
		StartedAt: time.Now().UTC(), Steps: []report.Step{}, Assertions: []report.Assertion{}, Files: map[string]string{},
	}
}

// summarize counts verdicts. The run fails if any proof failed, is an
// error if none failed but one errored or was skipped, and passes
// otherwise.
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

// provenance records what a run ran on.
func (s *session) provenance(ctx context.Context, started time.Time) report.Provenance {
	prov := harness.Provenance(ctx, cmp.Or(s.p.Dir, "."), cmp.Or(s.p.Command, strings.Join(os.Args, " ")))
	prov.StartedAt = started
	return prov
}
