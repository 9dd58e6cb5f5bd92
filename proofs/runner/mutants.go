package runner

import (
	"context"

	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/mutant"
	"github.com/prodproof/prodproof/proofs/progress"
	"github.com/prodproof/prodproof/proofs/scenario"
	"github.com/prodproof/prodproof/prove"
)

// mutants is `proofs mutants`: every curated mutant is applied to a scratch
// copy of the repository, built, and judged by the proofs that must catch
// it. Exit status: 0 every mutant caught, 1 one survived or no longer
// applies, 2 the harness broke.
func (r *run) mutants(ctx context.Context) int {
	if r.opts.Generated {
		return r.generatedMutants(ctx)
	}
	if r.opts.IDsFile != "" {
		fmt.Fprintf(r.stderr, "proofs: --%s lists generated mutants; it needs --%s\n", cli.FlagIDs, cli.FlagGenerated)
		return ExitHarness
	}
	names := r.opts.Names
	if len(names) == 0 {
		names = mutant.Names()
	}
	names = dedupe(names)
	root := r.sess.Root
	reportDir := r.sess.ReportDir
	prog := progress.New(r.stdout, r.cfg.Terminal, r.cfg.TerminalWidth)
	defer prog.Close()
	prov := r.sess.Provenance(ctx)
	started := prov.StartedAt

	results, setupErr := r.judgeMutants(ctx, root, names, reportDir, prog, &prov)
	prov.FinishedAt = time.Now().UTC()
	out := report.MutantRun{
		SchemaVersion: report.SchemaVersion,
		RunID:         report.NewRunID(started),
		Provenance:    prov,
		Mutants:       results,
	}
	out.Summary, out.Verdict = summarizeMutants(results)
	if setupErr != nil {
		out.Verdict = report.Error
	}
	if err := report.WriteMutantRun(reportDir, out, r.red); err != nil {
		fmt.Fprintf(r.stderr, "proofs: write %s: %v\n", report.MutantsFile, err)
		return ExitHarness
	}
	// Secret mutants make the backend print the password on purpose: every
	// evidence file was redacted as written; prove it, as proofs run does.
	if leaks, err := r.red.Leaks(reportDir); err != nil || len(leaks) > 0 {
		fmt.Fprintf(r.stderr, "proofs: the report holds a secret in %v (%v); remove %s\n", leaks, err, reportDir)
		return ExitHarness
	}
	if setupErr != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", setupErr)
	}
	printMutants(r.stdout, out, reportDir)
	switch {
	case out.Summary.Survived > 0 || out.Summary.Stale > 0:
		return ExitFail
	case out.Verdict != report.Pass:
		return ExitHarness
	}
	return ExitPass
}

// judgeMutants copies the repository once, then for each mutant applies
// it, builds it and runs its guards (one proofs run each, on a database
// of its own), and restores the file.
func (r *run) judgeMutants(ctx context.Context, root string, names []string, reportDir string, prog *progress.Progress, prov *report.Provenance) ([]report.Mutant, error) {
	var out []report.Mutant
	failAll := func(err error) ([]report.Mutant, error) {
		for _, name := range names {
			m, _ := mutant.Lookup(name)
			res := mutantSkeleton(m)
			res.Outcome, res.Reason = report.Broken, err.Error()
			out = append(out, res)
		}
		return out, err
	}
	tmp, err := os.MkdirTemp("", "prodproof-mutants-")
	if err != nil {
		return failAll(fmt.Errorf("temp dir: %w", err))
	}
	defer os.RemoveAll(tmp)
	scratch := filepath.Join(tmp, "repo")
	prog.Logf("proofs: copying the repository to a scratch folder")
	if err := copyRepository(ctx, root, scratch); err != nil {
		return failAll(err)
	}
	if err := os.RemoveAll(filepath.Join(reportDir, report.MutantsDir)); err != nil {
		return failAll(fmt.Errorf("clear %s: %w", report.MutantsDir, err))
	}
	for i, name := range names {
		m, _ := mutant.Lookup(name)
		if ctx.Err() != nil {
			res := mutantSkeleton(m)
			res.Outcome, res.Reason = report.Broken, "interrupted before it ran"
			out = append(out, res)
			continue
		}
		prog.Logf("proofs: mutant %d/%d %s (breaks %s): %s", i+1, len(names), m.Name, m.Breaks, m.Change)
		res := r.judgeMutant(ctx, scratch, m, reportDir, prog, prov)
		prog.Logf("proofs: mutant %s: %s%s", m.Name, strings.ToUpper(string(res.Outcome)), describeOutcome(res))
		out = append(out, res)
	}
	return out, nil
}

func (r *run) judgeMutant(ctx context.Context, scratch string, m mutant.Mutant, reportDir string, prog *progress.Progress, prov *report.Provenance) (res report.Mutant) {
	res = mutantSkeleton(m)
	start := time.Now()
	defer func() { res.DurationMS = time.Since(start).Milliseconds() }()
	path := filepath.Join(scratch, filepath.FromSlash(m.File))
	original, err := os.ReadFile(path)
	if err != nil {
		res.Outcome, res.Reason = report.Stale, fmt.Sprintf("%s: %v", m.File, err)
		return res
	}
	if err := m.Apply(scratch); err != nil {
		res.Outcome, res.Reason = report.Stale, err.Error()
		return res
	}
	// The scratch copy is shared by every mutant: put the file back
	// whatever happens.
	defer os.WriteFile(path, original, 0o644)
	env := &scenario.Env{Root: scratch, BaseEnv: harness.WithoutEnv(r.cfg.Environ, "DATABASE_URL")}
	var proofs []prove.Proof
	for _, name := range mutant.Guards(m.Name) {
		sc, ok := scenario.Lookup(name)
		if !ok {
			res.Proofs = append(res.Proofs, report.MutantProof{Name: name, Verdict: report.Error, Reason: "not a registered proof"})
			continue
		}
		proofs = append(proofs, sc.Bind(env))
	}
	if len(proofs) > 0 {
		var buildErr error
		params := r.params(scratch, filepath.Join(reportDir, report.MutantsDir, m.Name), prog, proofs, func(ctx context.Context, tmp string) error {
			env.Binary, buildErr = harness.BuildBackend(ctx, scratch, tmp, r.cfg.Environ)
			return buildErr
		})
		params.JUnit = ""
		run, err := prove.Run(ctx, params)
		if buildErr != nil {
			res.Outcome, res.Reason = report.Broken, "build the mutant: "+buildErr.Error()
			return res
		}
		if err != nil && run.Failed == 0 {
			res.Outcome, res.Reason = report.Broken, r.red.Redact(err.Error())
			return res
		}
		prov.DBSource, prov.PostgresVersion = run.Database, run.PostgresVersion
		for _, p := range run.Proofs {
			mp := report.MutantProof{Name: p.Name, Verdict: p.Verdict, Reason: p.Reason, DurationMS: p.Duration.Milliseconds()}
			if f := p.FirstFailure; f != nil {
				mp.FirstFailure = &report.Assertion{Name: f.Name, Expected: f.Expected, Observed: f.Observed}
			}
			res.Proofs = append(res.Proofs, mp)
		}
	}
	res.Outcome, res.Reason = judge(res.Proofs)
	return res
}

// judge: caught when every guard failed; survived when one passed; an
// error otherwise (a guard that errored or was skipped says nothing).
func judge(proofs []report.MutantProof) (report.MutantOutcome, string) {
	if len(proofs) == 0 {
		return report.Broken, "no proof guards this mutant"
	}
	var passed, unsure []string
	for _, p := range proofs {
		switch p.Verdict {
		case report.Fail:
		case report.Pass:
			passed = append(passed, p.Name)
		default:
			unsure = append(unsure, fmt.Sprintf("%s ended %s: %s", p.Name, p.Verdict, p.Reason))
		}
	}
	switch {
	case len(passed) > 0:
		return report.Survived, "passed against the mutant: " + strings.Join(passed, ", ")
	case len(unsure) > 0:
		return report.Broken, strings.Join(unsure, "; ")
	}
	return report.Caught, ""
}

func mutantSkeleton(m mutant.Mutant) report.Mutant {
	return report.Mutant{Name: m.Name, Breaks: m.Breaks, Change: m.Change, File: m.File, Proofs: []report.MutantProof{}}
}

func summarizeMutants(results []report.Mutant) (report.MutantSummary, report.Verdict) {
	var s report.MutantSummary
	for _, m := range results {
		switch m.Outcome {
		case report.Caught:
			s.Caught++
		case report.Survived:
			s.Survived++
		case report.Stale:
			s.Stale++
		default:
			s.Errored++
		}
	}
	switch {
	case s.Survived > 0 || s.Stale > 0:
		return s, report.Fail
	case s.Errored > 0 || len(results) == 0:
		return s, report.Error
	}
	return s, report.Pass
}

func describeOutcome(m report.Mutant) string {
	if m.Outcome == report.Caught {
		var by []string
		for _, p := range m.Proofs {
			first := ""
			if p.FirstFailure != nil {
				first = ": " + clip(p.FirstFailure.Name)
			}
			by = append(by, p.Name+first)
		}
		return " by " + strings.Join(by, "; ")
	}
	return " (" + clip(m.Reason) + ")"
}

func printMutants(w io.Writer, run report.MutantRun, reportDir string) {
	fmt.Fprintln(w)
	for _, m := range run.Mutants {
		fmt.Fprintf(w, "%-8s %-34s %6.1fs%s\n", strings.ToUpper(string(m.Outcome)), m.Name, float64(m.DurationMS)/1000, describeOutcome(m))
	}
	total := run.Provenance.FinishedAt.Sub(run.Provenance.StartedAt)
	fmt.Fprintf(w, "%s: %d caught, %d survived, %d stale, %d errored in %.1fs; %s in %s\n",
		strings.ToUpper(string(run.Verdict)), run.Summary.Caught, run.Summary.Survived, run.Summary.Stale, run.Summary.Errored,
		total.Seconds(), report.MutantsFile, reportDir)
}

// copyRepository copies the files git knows (tracked, and untracked but
// not ignored: uncommitted work is judged too) into dst, and makes dst a
// git repository of its own, so proofs that look at `git status` work there
// as in the source tree. Nothing is written into the source tree.
func copyRepository(ctx context.Context, root, dst string) error {
	list, err := harness.Git(ctx, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return fmt.Errorf("list the repository's files: %w", err)
	}
	for _, rel := range strings.Split(list, "\x00") {
		if rel == "" {
			continue
		}
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			return err
		}
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=proofs mutants", "-c", "user.email=mutants@localhost", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "scratch copy for proofs mutants"},
	} {
		if _, err := harness.Git(ctx, dst, args...); err != nil {
			return fmt.Errorf("scratch copy: %w", err)
		}
	}
	return nil
}

// dedupe keeps the first of each name, in order.
func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
