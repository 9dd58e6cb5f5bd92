package prove

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Proof is one named claim and the code that checks it.
type Proof struct {
	// Name names the proof in the report, on the command line and in file
	// names: letters, digits and underscores.
	Name string
	// Claim is the sentence the proof checks, as a reader of the report
	// should understand it.
	Claim string
	// Reproduce is the command that runs this proof alone; it is shown
	// beside the verdict. Empty: none is shown.
	Reproduce string
	// Mutants names the changes to the system under test that must make
	// this proof fail (the proofs of the proof). The framework records
	// them in the proof's evidence; applying them (a scratch copy, a
	// build, a run of the proofs against it) is the suite's business, as
	// `proofs mutants` does for the reference backend.
	Mutants []string
	// Run checks the claim. It ends with verdict fail at the first failed
	// Require (or after any failed Check), error at Fatal, pass otherwise.
	Run func(t *T)
}

// T is one running proof: what it records and what it has started. Its
// methods may be called from the proof's goroutine; Check, Note, Rows,
// Step and ScanOutput from any goroutine.
type T struct {
	// Name is the proof's name.
	Name string
	// DatabaseURL is this proof's own, freshly created (or reset) database.
	DatabaseURL string

	ctx   context.Context
	red   *evidence.Redactor
	rec   *evidence.Recorder
	phase func(string)
	procs harness.Group
	http  *http.Client
	dir   string

	leaks leakWatch

	mu       sync.Mutex
	db       *pgxpool.Pool
	cleanups []func()
}

// failNow stops a proof after a failed required assertion.
type failNow struct{}

// harnessError stops a proof because the harness broke.
type harnessError struct{ err error }

// execute runs p and returns its verdict and, for error, the reason. It
// kills every process the proof started, whatever happened.
func execute(ctx context.Context, p Proof, databaseURL, tempDir string, red *evidence.Redactor, rec *evidence.Recorder, phase func(string)) (verdict report.Verdict, reason string) {
	t := &T{
		Name:        p.Name,
		DatabaseURL: databaseURL,
		ctx:         ctx,
		red:         red,
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
	dir, err := os.MkdirTemp(tempDir, p.Name+"-")
	if err != nil {
		return report.Error, fmt.Sprintf("proof temp dir: %v", err)
	}
	t.dir = dir
	if len(p.Mutants) > 0 {
		rec.Note("mutants that must break this proof", p.Mutants)
	}
	p.Run(t)
	// Every proof, not only one about secrets, fails when a process it
	// started printed or answered a secret.
	t.CheckNoSecret("no database URL or password in the raw output or any HTTP body", "")
	return
}

func (t *T) cleanup() {
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

// Cleanup registers f to run when the proof ends, last registered first,
// after every process has been killed.
func (t *T) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// Context is the proof's context: cancelled on Ctrl-C and at its timeout.
func (t *T) Context() context.Context { return t.ctx }

// Dir is a scratch folder for this proof, removed after the run.
func (t *T) Dir() string { return t.dir }

// Step records what the proof is doing and shows it as the live phase.
// detailf, when given, is a format and its arguments.
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

// Note records a remark with optional data (any JSON value) in the event
// stream.
func (t *T) Note(note string, data any) { t.rec.Note(note, data) }

// Rows records database rows (any JSON value) as evidence under label.
func (t *T) Rows(label string, rows any) { t.rec.DBRows(label, rows) }

// Check records an assertion and returns whether it held. The proof goes
// on either way; use it where later checks still say something.
func (t *T) Check(name, expected, observed string, ok bool) bool {
	return t.rec.Assert(name, expected, observed, ok)
}

// Require records an assertion and ends the proof with verdict fail when
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

// RequireEqual is Equal that ends the proof on a mismatch.
func RequireEqual[V comparable](t *T, name string, expected, observed V) {
	t.Require(name, fmt.Sprint(expected), fmt.Sprint(observed), expected == observed)
}

// Fatal ends the proof with verdict error: the harness could not do its
// part, which says nothing about the system under test.
func (t *T) Fatal(format string, args ...any) {
	panic(harnessError{fmt.Errorf(format, args...)})
}

// pollEvery is how often waits re-check their condition.
const pollEvery = 20 * time.Millisecond

// Eventually polls probe until it reports true or timeout passes, then
// records one assertion with the last observation. probe returns whether the
// condition holds and what it saw.
func (t *T) Eventually(name, expected string, timeout time.Duration, probe func() (bool, string)) bool {
	var observed string
	err := await.Poll(t.ctx, timeout, pollEvery, name, func() (bool, string, error) {
		var ok bool
		ok, observed = probe()
		return ok, observed, nil
	})
	switch {
	case err == nil:
		return t.Check(name, expected, observed, true)
	case t.ctx.Err() != nil:
		t.Fatal("interrupted while waiting for %q: %v", name, t.ctx.Err())
	}
	return t.Check(name, expected, fmt.Sprintf("after %s: %s", timeout, observed), false)
}

// RequireEventually is Eventually that ends the proof when time runs out.
func (t *T) RequireEventually(name, expected string, timeout time.Duration, probe func() (bool, string)) {
	if !t.Eventually(name, expected, timeout, probe) {
		panic(failNow{})
	}
}

// Exit is what a finished command left behind.
type Exit struct {
	ExitCode int
	Stdout   string
	Stderr   string
	Duration time.Duration
	// TimedOut is true when the command was killed at its deadline.
	TimedOut bool
}

// Combined is stdout followed by stderr.
func (e Exit) Combined() string { return e.Stdout + e.Stderr }

// Run runs a short command (a migration, a deploy script) to completion in
// its own process group, its output recorded in the proof's log under
// label. A non-zero exit or a timeout is the command's answer, for the
// proof to judge; failing to start it ends the proof with verdict error.
func (t *T) Run(label string, c Command, timeout time.Duration) Exit {
	res, err := t.Exec(label, c, timeout)
	if err != nil {
		t.Fatal("run %s: %v", label, err)
	}
	return res
}

// Exec is Run for other goroutines: it returns the error instead of ending
// the proof.
func (t *T) Exec(label string, c Command, timeout time.Duration) (Exit, error) {
	res, err := t.procs.Run(t.ctx, harness.Spec{
		Name: label, Path: c.Path, Args: c.Args, Env: c.Env, Dir: cmpDir(c.Dir, t.dir),
		Output: t.output(label, c.OnLine),
	}, timeout)
	out := Exit{ExitCode: res.ExitCode, Stdout: res.Stdout, Stderr: res.Stderr, Duration: res.Duration, TimedOut: res.TimedOut}
	if errors.Is(err, harness.ErrTimeout) {
		// A command that hangs is the system's fault; the caller's
		// assertions see TimedOut.
		t.Note("command timed out", map[string]any{"label": label, "timeout_ms": timeout.Milliseconds()})
		return out, nil
	}
	return out, err
}

// output is a command's line sink: each line is checked for a secret, then
// recorded in the proof's log under label.
func (t *T) output(label string, onLine func(string)) func(stream, line string) {
	return func(stream, line string) {
		t.ScanOutput(label+" output", line)
		t.rec.LogLine(label, line)
		if onLine != nil {
			onLine(line)
		}
	}
}

func cmpDir(dir, fallback string) string {
	if dir == "" {
		return fallback
	}
	return dir
}
