package runner

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/cli"
	"github.com/prodproof/prodproof/proofs/coverage"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/mutant"
	"github.com/prodproof/prodproof/proofs/progress"
	"github.com/prodproof/prodproof/proofs/scenario"
	"github.com/prodproof/prodproof/prove"
)

// mutatedDirs are the folders whose Go code the generated mutants change.
var mutatedDirs = []string{"backend", "migrations"}

// generatedMutants is `proofs mutants --generated`: mutate backend/ and
// migrations/ mechanically (package mutant's go/ast operators), then judge
// each mutant on a scratch copy by the proofs whose coverage reaches the
// mutated line, fastest first, stopping at the first that fails. It
// measures (generated-mutants.json, the score per package); survivors are
// triaged by people (proofs/mutant/testdata/triage.md), so survivors alone
// do not fail the command. Exit status: 0 the run completed, 2 the harness
// broke (including a proof that fails on the unmutated backend: nothing
// could be judged).
func (r *run) generatedMutants(ctx context.Context) int {
	if len(r.opts.Names) > 0 {
		fmt.Fprintf(r.stderr, "proofs: mutants --%s takes no mutant names (they name curated mutants); use --%s and --%s to draw a sample, or --%s FILE to list generated mutants by id\n", cli.FlagGenerated, cli.FlagSample, cli.FlagSeed, cli.FlagIDs)
		return ExitHarness
	}
	// A listed run (--ids) judges exactly the list: a draw on top of it
	// would silently judge something else.
	var listed []string
	if file := r.opts.IDsFile; file != "" {
		if r.opts.Sample != 0 {
			fmt.Fprintf(r.stderr, "proofs: --%s and --%s exclude each other: the list is the sample\n", cli.FlagIDs, cli.FlagSample)
			return ExitHarness
		}
		var err error
		if listed, err = readIDFile(file); err != nil {
			fmt.Fprintf(r.stderr, "proofs: --%s %s: %v\n", cli.FlagIDs, file, err)
			return ExitHarness
		}
	}
	root := r.sess.Root
	all, err := mutant.GenerateDirs(root, mutatedDirs...)
	if err != nil {
		fmt.Fprintf(r.stderr, "proofs: generate mutants: %v\n", err)
		return ExitHarness
	}
	chosen := drawSample(all, r.opts.Sample, r.opts.Seed)
	seed := r.opts.Seed
	command := fmt.Sprintf("proofs mutants --%s --%s %d --%s %d", cli.FlagGenerated, cli.FlagSample, r.opts.Sample, cli.FlagSeed, r.opts.Seed)
	if listed != nil {
		if chosen, err = mutant.Select(all, listed); err != nil {
			fmt.Fprintf(r.stderr, "proofs: --%s %s: %v\n", cli.FlagIDs, r.opts.IDsFile, err)
			return ExitHarness
		}
		seed = 0
		command = fmt.Sprintf("proofs mutants --%s --%s %s", cli.FlagGenerated, cli.FlagIDs, r.opts.IDsFile)
	}
	reportDir := r.sess.ReportDir
	prog := progress.New(r.stdout, r.cfg.Terminal, r.cfg.TerminalWidth)
	defer prog.Close()
	prov := r.sess.Provenance(ctx)
	started := prov.StartedAt
	prov.Command = command

	if listed != nil {
		prog.Logf("proofs: %d generated mutants of %s; judging the %d listed in %s", len(all), strings.Join(mutatedDirs, ", "), len(chosen), r.opts.IDsFile)
	} else {
		prog.Logf("proofs: %d generated mutants of %s; judging %d (seed %d)", len(all), strings.Join(mutatedDirs, ", "), len(chosen), r.opts.Seed)
	}
	runID := report.NewRunID(started)
	// The report is rewritten after every mutant: a long run that is
	// stopped keeps what it judged (Sample says how many were drawn, the
	// list how many were judged).
	write := func(results []report.GeneratedMutant) (report.GeneratedMutantRun, error) {
		prov.FinishedAt = time.Now().UTC()
		out := report.GeneratedMutantRun{
			SchemaVersion: report.SchemaVersion, RunID: runID, Provenance: prov,
			Total: len(all), Sample: len(chosen), Seed: seed, Mutants: results,
		}
		out.Packages, out.Overall = scoreGenerated(results)
		return out, report.WriteGeneratedMutantRun(reportDir, out, r.red)
	}
	results, setupErr := r.judgeGenerated(ctx, root, chosen, prog, &prov, func(sofar []report.GeneratedMutant) {
		if _, err := write(sofar); err != nil {
			prog.Logf("proofs: write %s: %v", report.GeneratedMutantsFile, err)
		}
	})
	out, err := write(results)
	if err != nil {
		fmt.Fprintf(r.stderr, "proofs: write %s: %v\n", report.GeneratedMutantsFile, err)
		return ExitHarness
	}
	printGenerated(r.stdout, out, reportDir)
	if setupErr != nil {
		fmt.Fprintf(r.stderr, "proofs: %v\n", setupErr)
		return ExitHarness
	}
	return ExitPass
}

// readIDFile reads the mutant ids listed in file (mutant.ReadIDs).
func readIDFile(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mutant.ReadIDs(f)
}

// drawSample returns n mutants drawn with seed (all of them when n is 0 or
// at least their number), in ID order.
func drawSample(all []mutant.Generated, n int, seed int64) []mutant.Generated {
	if n <= 0 || n >= len(all) {
		return all
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	picked := slices.Clone(all)
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	picked = picked[:n]
	slices.SortFunc(picked, func(a, b mutant.Generated) int { return cmp.Compare(a.ID, b.ID) })
	return picked
}

// baselineProof is one proof on the unmutated backend: how long it took and
// which lines it ran.
type baselineProof struct {
	name     string
	duration time.Duration
	profile  *coverage.Profile
}

func (r *run) judgeGenerated(ctx context.Context, root string, chosen []mutant.Generated, prog *progress.Progress, prov *report.Provenance, judged func([]report.GeneratedMutant)) ([]report.GeneratedMutant, error) {
	out := make([]report.GeneratedMutant, 0, len(chosen))
	failRest := func(from int, err error) ([]report.GeneratedMutant, error) {
		for _, g := range chosen[from:] {
			res := generatedSkeleton(g)
			res.Outcome, res.Reason = report.Unjudged, err.Error()
			out = append(out, res)
		}
		return out, err
	}
	tmp, err := os.MkdirTemp("", "prodproof-generated-")
	if err != nil {
		return failRest(0, fmt.Errorf("temp dir: %w", err))
	}
	defer os.RemoveAll(tmp)
	scratch := filepath.Join(tmp, "repo")
	prog.Logf("proofs: copying the repository to a scratch folder")
	if err := copyRepository(ctx, root, scratch); err != nil {
		return failRest(0, err)
	}
	baseline, err := r.generatedBaseline(ctx, scratch, filepath.Join(tmp, "baseline"), prog, prov)
	if err != nil {
		return failRest(0, err)
	}
	evidenceDir := filepath.Join(tmp, "evidence")
	for i, g := range chosen {
		if ctx.Err() != nil {
			return failRest(i, fmt.Errorf("interrupted before it ran"))
		}
		res := r.judgeOneGenerated(ctx, scratch, evidenceDir, g, baseline, prog)
		prog.Logf("proofs: generated %d/%d %s %s: %s %s", i+1, len(chosen), g.ID, g.Change, strings.ToUpper(string(res.Outcome)), clip(cmp.Or(res.KilledBy, res.Reason)))
		out = append(out, res)
		judged(out)
	}
	return out, nil
}

// generatedBaseline builds the unmutated scratch copy with coverage and
// runs every proof on it: each must pass (else no mutant can be judged),
// and its profile says which lines it reaches.
func (r *run) generatedBaseline(ctx context.Context, scratch, dir string, prog *progress.Progress, prov *report.Provenance) ([]baselineProof, error) {
	if err := os.MkdirAll(filepath.Join(dir, "cover"), 0o755); err != nil {
		return nil, err
	}
	prog.Logf("proofs: baseline: every proof on the unmutated backend, with coverage")
	env := &scenario.Env{
		Root: scratch, BaseEnv: harness.WithoutEnv(r.cfg.Environ, "DATABASE_URL"),
		CoverDir: filepath.Join(dir, "cover"),
	}
	var names []string
	var proofs []prove.Proof
	for _, sc := range scenario.Registry() {
		names = append(names, sc.Name)
		proofs = append(proofs, sc.Bind(env))
	}
	evidenceDir := filepath.Join(dir, "evidence")
	params := r.params(scratch, evidenceDir, prog, proofs, func(ctx context.Context, tmp string) error {
		var err error
		env.Binary, err = harness.BuildBackendCovered(ctx, scratch, tmp, r.cfg.Environ)
		return err
	})
	params.JUnit = ""
	params.CoverageOf = r.coverageOf(env, names)
	run, err := prove.Run(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	prov.DBSource, prov.PostgresVersion = run.Database, run.PostgresVersion
	results, err := report.Load(evidenceDir)
	if err != nil {
		return nil, fmt.Errorf("baseline report: %w", err)
	}
	var out []baselineProof
	for _, s := range results.Scenarios {
		if s.Verdict != report.Pass {
			return nil, fmt.Errorf("baseline: proof %s ended %s on the unmutated backend (%s); no mutant can be judged", s.Name, s.Verdict, cmp.Or(s.Reason, "no reason"))
		}
		b := baselineProof{name: s.Name, duration: time.Duration(s.DurationMS) * time.Millisecond}
		if s.Coverage != nil {
			if b.profile, err = coverage.ReadProfile(filepath.Join(evidenceDir, filepath.FromSlash(s.Coverage.Profile))); err != nil {
				return nil, fmt.Errorf("baseline coverage of %s: %w", s.Name, err)
			}
		}
		out = append(out, b)
	}
	// Fastest first: a mutant stops at its first failing proof.
	slices.SortStableFunc(out, func(a, b baselineProof) int { return cmp.Compare(a.duration, b.duration) })
	return out, nil
}

// judgeOneGenerated applies g to the scratch copy and runs the proofs that
// cover its line, fastest first, through the framework with FailFast: the
// first that fails kills it.
func (r *run) judgeOneGenerated(ctx context.Context, scratch, evidenceDir string, g mutant.Generated, baseline []baselineProof, prog *progress.Progress) (res report.GeneratedMutant) {
	res = generatedSkeleton(g)
	start := time.Now()
	defer func() { res.DurationMS = time.Since(start).Milliseconds() }()
	var judges []string
	for _, b := range baseline {
		if b.profile == nil {
			continue
		}
		if g.Decl && b.profile.CoversPackage(harness.ModulePath, g.Package) || !g.Decl && b.profile.Covers(harness.ModulePath, g.File, g.ReachLine) {
			judges = append(judges, b.name)
		}
	}
	res.Proofs = judges
	if len(judges) == 0 {
		res.Outcome, res.Reason = report.NoCoverage, "no proof runs line "+fmt.Sprint(g.ReachLine)
		return res
	}
	original, err := g.Apply(scratch)
	if err != nil {
		res.Outcome, res.Reason = report.Unjudged, err.Error()
		return res
	}
	// The scratch copy is shared by every mutant: put the file back
	// whatever happens.
	defer os.WriteFile(filepath.Join(scratch, filepath.FromSlash(g.File)), original, 0o644)
	env := &scenario.Env{Root: scratch, BaseEnv: harness.WithoutEnv(r.cfg.Environ, "DATABASE_URL")}
	var proofs []prove.Proof
	for _, name := range judges {
		sc, ok := scenario.Lookup(name)
		if !ok {
			res.Outcome, res.Reason = report.Unjudged, fmt.Sprintf("judge %q is not a registered proof", name)
			return res
		}
		proofs = append(proofs, sc.Bind(env))
	}
	var buildErr error
	params := r.params(scratch, filepath.Join(evidenceDir, g.ID), prog, proofs, func(ctx context.Context, tmp string) error {
		env.Binary, buildErr = harness.BuildBackend(ctx, scratch, tmp, r.cfg.Environ)
		return buildErr
	})
	params.JUnit = ""
	params.FailFast = true
	run, err := prove.Run(ctx, params)
	if buildErr != nil {
		res.Outcome, res.Reason = report.NotCompiled, "does not build"
		return res
	}
	if err != nil && run.Failed == 0 {
		res.Outcome, res.Reason = report.Unjudged, r.red.Redact(err.Error())
		return res
	}
	var unsure []string
	for _, p := range run.Proofs {
		switch p.Verdict {
		case report.Fail:
			res.Ran++
			res.Outcome, res.KilledBy = report.Killed, p.Name
			if f := p.FirstFailure; f != nil {
				res.FirstFailure = &report.Assertion{Name: f.Name, Expected: f.Expected, Observed: f.Observed}
			}
			return res
		case report.Pass:
			res.Ran++
		default:
			unsure = append(unsure, fmt.Sprintf("%s ended %s: %s", p.Name, p.Verdict, p.Reason))
		}
	}
	if len(unsure) > 0 {
		res.Outcome, res.Reason = report.Unjudged, strings.Join(unsure, "; ")
		return res
	}
	res.Outcome, res.Reason = report.Lived, "passed: "+strings.Join(judges, ", ")
	return res
}

func generatedSkeleton(g mutant.Generated) report.GeneratedMutant {
	return report.GeneratedMutant{ID: g.ID, File: g.File, Package: g.Package, Line: g.Line, Operator: g.Operator, Change: g.Change, Proofs: []string{}}
}

// scoreGenerated counts outcomes per package and overall.
func scoreGenerated(results []report.GeneratedMutant) ([]report.MutationScore, report.MutationScore) {
	byPkg := map[string]*report.MutationScore{}
	var overall report.MutationScore
	for _, m := range results {
		s := byPkg[m.Package]
		if s == nil {
			s = &report.MutationScore{Package: m.Package}
			byPkg[m.Package] = s
		}
		s.Add(m.Outcome)
		overall.Add(m.Outcome)
	}
	var out []report.MutationScore
	for _, s := range byPkg {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b report.MutationScore) int { return cmp.Compare(a.Package, b.Package) })
	return out, overall
}

func printGenerated(w interface{ Write([]byte) (int, error) }, run report.GeneratedMutantRun, reportDir string) {
	fmt.Fprintln(w)
	for _, m := range run.Mutants {
		if m.Outcome == report.Lived || m.Outcome == report.NoCoverage || m.Outcome == report.Unjudged {
			fmt.Fprintf(w, "%-11s %s  %s (%s)\n", strings.ToUpper(string(m.Outcome)), m.ID, m.Change, clip(m.Reason))
		}
	}
	fmt.Fprintf(w, "%-22s %7s %8s %11s %12s %7s %6s\n", "package", "killed", "survived", "no_coverage", "not_compiled", "errored", "score")
	for _, s := range append(run.Packages, run.Overall) {
		name := cmp.Or(s.Package, "all")
		fmt.Fprintf(w, "%-22s %7d %8d %11d %12d %7d %5.1f%%\n", name, s.Killed, s.Survived, s.NoCoverage, s.NotCompiled, s.Errored, s.Score)
	}
	total := run.Provenance.FinishedAt.Sub(run.Provenance.StartedAt)
	fmt.Fprintf(w, "%d of %d generated mutants judged in %.1fs; %s in %s\n", run.Sample, run.Total, total.Seconds(), report.GeneratedMutantsFile, reportDir)
}
