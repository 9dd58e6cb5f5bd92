// Package scenario holds the named proofs and the small framework they run
// in: T records steps and assertions (with expected and observed values),
// starts real backend processes, polls their /health into a timeline and
// reads the database. A scenario that cannot reach its verdict because the
// harness broke ends in verdict error, never in pass.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Env is what every scenario of one run shares.
type Env struct {
	// Root is the repository root; scripts and migrations are read from it.
	Root string
	// Binary is the reference-backend built once for this run.
	Binary string
	// TempDir is the run's scratch folder, removed by the runner.
	TempDir string
	// BaseEnv is the environment for tools that need the caller's setup
	// (the Go toolchain in stage-deploy.sh). DATABASE_URL is never in it.
	BaseEnv []string
	// Redactor learns every database URL handed out.
	Redactor *evidence.Redactor
	// Tamper, when set, edits each backend's environment just before it
	// starts. Tests use it to break the backend on purpose and check that
	// the assertions notice; the proofs command never sets it.
	Tamper func(scenario, instance string, env map[string]string)
	// CoverDir, when set, says Binary was built with coverage: every
	// process of Binary a scenario starts writes its counters to
	// CoverDirFor(scenario), which the runner merges afterwards.
	CoverDir string
}

// CoverDirFor is the GOCOVERDIR of a scenario's processes ("" without
// coverage).
func (e *Env) CoverDirFor(scenario string) string {
	if e.CoverDir == "" {
		return ""
	}
	return filepath.Join(e.CoverDir, scenario)
}

// withCoverage adds GOCOVERDIR to env when binary is the run's covered
// build. A covered binary without GOCOVERDIR warns on stderr at exit,
// which would change what the startup proofs see.
func (t *T) withCoverage(binary string, env map[string]string) map[string]string {
	dir := t.env.CoverDirFor(t.Name)
	if dir == "" || binary != t.env.Binary {
		return env
	}
	env["GOCOVERDIR"] = dir
	return env
}

// Scenario is one named proof.
type Scenario struct {
	Name string
	Run  func(t *T)
}

// T is one scenario's running context.
type T struct {
	Name string
	// DatabaseURL is this scenario's freshly reset database.
	DatabaseURL string

	ctx   context.Context
	env   *Env
	rec   *evidence.Recorder
	phase func(string)
	procs harness.Group
	http  *http.Client
	dir   string

	leaks leakWatch
	inv   invariantWatch

	mu       sync.Mutex
	db       *pgxpool.Pool
	cleanups []func()
	backends []*Backend
}

// failNow stops a scenario after a failed required assertion.
type failNow struct{}

// harnessError stops a scenario because the harness broke.
type harnessError struct{ err error }

// Execute runs sc and returns its verdict and, for error, the reason. It
// kills every process the scenario started, whatever happened.
func Execute(ctx context.Context, env *Env, sc Scenario, databaseURL string, rec *evidence.Recorder, phase func(string)) (verdict report.Verdict, reason string) {
	t := &T{
		Name:        sc.Name,
		DatabaseURL: databaseURL,
		ctx:         ctx,
		env:         env,
		rec:         rec,
		phase:       phase,
		http:        &http.Client{Timeout: 5 * time.Second},
	}
	defer t.cleanup()
	// Failures seen after an interrupt are the interrupt's doing, not the
	// product's: remember when it came.
	var mu sync.Mutex
	var interruptedAt time.Time
	stopWatch := context.AfterFunc(ctx, func() {
		mu.Lock()
		interruptedAt = time.Now().UTC()
		mu.Unlock()
	})
	defer stopWatch()
	defer func() {
		r := recover()
		mu.Lock()
		interrupted := interruptedAt
		mu.Unlock()
		first := rec.Outcome().FirstFailure
		switch e := r.(type) {
		case nil, failNow:
		case harnessError:
			verdict, reason = report.Error, e.err.Error()
			if first != nil && (interrupted.IsZero() || first.At.Before(interrupted)) {
				// The product had already failed before the harness broke.
				verdict, reason = report.Fail, first.Name
			}
			return
		default:
			rec.Note("panic", map[string]string{"panic": fmt.Sprint(r), "stack": string(debug.Stack())})
			verdict, reason = report.Error, fmt.Sprintf("harness panic: %v", r)
			return
		}
		switch {
		case first != nil && (interrupted.IsZero() || first.At.Before(interrupted)):
			verdict, reason = report.Fail, first.Name
		case !interrupted.IsZero():
			verdict, reason = report.Error, "interrupted: "+context.Cause(ctx).Error()
		default:
			verdict = report.Pass
		}
	}()
	dir, err := os.MkdirTemp(env.TempDir, sc.Name+"-")
	if err != nil {
		return report.Error, fmt.Sprintf("scenario temp dir: %v", err)
	}
	t.dir = dir
	if cover := env.CoverDirFor(sc.Name); cover != "" {
		if err := os.MkdirAll(cover, 0o755); err != nil {
			return report.Error, fmt.Sprintf("coverage folder: %v", err)
		}
	}
	sc.Run(t)
	// Every proof, not only the secrets proof, fails when the backend
	// printed or answered a secret.
	t.checkNoLeak("no database URL or password in the raw output or any HTTP body", "")
	// And every proof checks the documented invariants on what it saw.
	t.checkInvariants()
	return
}

func (t *T) cleanup() {
	t.flushCoverage()
	t.procs.KillAll()
	t.mu.Lock()
	cleanups := t.cleanups
	t.cleanups = nil
	db := t.db
	t.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	if db != nil {
		db.Close()
	}
}

// Cleanup registers f to run when the scenario ends, last registered first,
// after every process has been killed.
func (t *T) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// Context is the scenario's context: cancelled on Ctrl-C and at its timeout.
func (t *T) Context() context.Context { return t.ctx }

// Dir is a scratch folder for this scenario, outside the repository.
func (t *T) Dir() string { return t.dir }

// Step records what the scenario is doing and shows it as the live phase.
func (t *T) Step(name string, detailf ...any) {
	detail := ""
	if len(detailf) > 0 {
		detail = fmt.Sprintf(fmt.Sprint(detailf[0]), detailf[1:]...)
	}
	t.rec.Step(name, detail)
	if t.phase != nil {
		t.phase(name)
	}
}

// Note records a remark with optional data in the event stream.
func (t *T) Note(note string, data any) { t.rec.Note(note, data) }

// Rows records database rows as evidence under label.
func (t *T) Rows(label string, rows any) { t.rec.DBRows(label, rows) }

// Check records an assertion and returns whether it held. The scenario
// goes on either way; use it where later checks still say something.
func (t *T) Check(name, expected, observed string, ok bool) bool {
	return t.rec.Assert(name, expected, observed, ok)
}

// Require records an assertion and ends the scenario with verdict fail when
// it does not hold.
func (t *T) Require(name, expected, observed string, ok bool) {
	if !t.rec.Assert(name, expected, observed, ok) {
		panic(failNow{})
	}
}

// Equal checks observed == expected, formatted with %v.
func Equal[V comparable](t *T, name string, expected, observed V) bool {
	return t.Check(name, fmt.Sprint(expected), fmt.Sprint(observed), expected == observed)
}

// RequireEqual is Equal that ends the scenario on a mismatch.
func RequireEqual[V comparable](t *T, name string, expected, observed V) {
	t.Require(name, fmt.Sprint(expected), fmt.Sprint(observed), expected == observed)
}

// Fatal ends the scenario with verdict error: the harness could not do its
// part, which says nothing about the product.
func (t *T) Fatal(format string, args ...any) {
	panic(harnessError{fmt.Errorf(format, args...)})
}

// pollEvery is how often waits re-check their condition.
const pollEvery = 20 * time.Millisecond

// Eventually polls probe until it reports true or timeout passes, then
// records one assertion with the last observation. probe returns whether the
// condition holds and what it saw.
func (t *T) Eventually(name, expected string, timeout time.Duration, probe func() (bool, string)) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		ok, observed := probe()
		if ok {
			return t.Check(name, expected, observed, true)
		}
		if time.Now().After(deadline) {
			return t.Check(name, expected, fmt.Sprintf("after %s: %s", timeout, observed), false)
		}
		select {
		case <-t.ctx.Done():
			t.Fatal("interrupted while waiting for %q: %v", name, t.ctx.Err())
		case <-tick.C:
		}
	}
}

// RequireEventually is Eventually that ends the scenario when time runs out.
func (t *T) RequireEventually(name, expected string, timeout time.Duration, probe func() (bool, string)) {
	if !t.Eventually(name, expected, timeout, probe) {
		panic(failNow{})
	}
}

// Run runs a short command (migrate, a deploy script) to completion, its
// output recorded in backend.log under label.
func (t *T) Run(label string, spec harness.Spec, timeout time.Duration) harness.Result {
	spec.Name = label
	spec.Output = t.output(label)
	res, err := t.procs.Run(t.ctx, spec, timeout)
	if errors.Is(err, harness.ErrTimeout) {
		// A command that hangs is the product's fault; the caller's
		// assertions see TimedOut.
		t.Note("command timed out", map[string]any{"label": label, "timeout_ms": timeout.Milliseconds()})
		return res
	}
	if err != nil {
		t.Fatal("run %s: %v", label, err)
	}
	return res
}

// output is a command's line sink: each line is checked for a secret, then
// recorded in backend.log under label.
func (t *T) output(label string) func(stream, line string) {
	return func(stream, line string) {
		t.scanRaw(label+" output", line)
		t.rec.LogLine(label, line)
	}
}

// RunBackendCommand runs `reference-backend` with args and the given environment
// (nothing inherited) and waits for it.
func (t *T) RunBackendCommand(label string, env map[string]string, timeout time.Duration, args ...string) harness.Result {
	env = t.withCoverage(t.env.Binary, maps.Clone(env))
	return t.Run(label, harness.Spec{Path: t.env.Binary, Args: args, Env: envList(env), Dir: t.dir}, timeout)
}

// Migrate applies the migrations to the scenario's database with the built
// binary, as an operator would, and requires it to succeed.
func (t *T) Migrate() {
	t.Step("migrate up")
	res := t.RunBackendCommand("migrate", map[string]string{"DATABASE_URL": t.DatabaseURL}, 30*time.Second, "migrate", "up")
	t.Require("migrate up succeeds", "exit 0", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 0)
}

// ScriptPath is a file of the repository's scripts/ folder.
func (t *T) ScriptPath(name string) string { return filepath.Join(t.env.Root, "scripts", name) }

// Root is the repository root.
func (t *T) Root() string { return t.env.Root }

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// lastLine is the last non-empty line of s, for short observations.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
