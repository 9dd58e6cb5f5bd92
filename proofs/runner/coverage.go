package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/coverage"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/scenario"
)

// Coverage files inside a scenario's folder and at the top of the report.
const (
	coverageProfile = "coverage.txt"
	coverageListing = "coverage.html"
)

// coverFlushFile is backend/coverflush.go, built only into covered
// binaries; it is left out of every number and listing.
const coverFlushFile = "/backend/coverflush.go"

// coverageOf is the framework's CoverageOf for a run of names: one proof's
// coverage, or with proof "" the whole run's.
func (r *run) coverageOf(env *scenario.Env, names []string) func(ctx context.Context, proof, reportDir string) (*report.Coverage, error) {
	return func(ctx context.Context, proof, reportDir string) (*report.Coverage, error) {
		if proof == "" {
			return r.runCoverage(ctx, env, names, reportDir)
		}
		return r.scenarioCoverage(ctx, env, proof, reportDir)
	}
}

// scenarioCoverage merges the counters the scenario's processes wrote into
// scenarios/NAME/coverage.txt, renders coverage.html beside it and returns
// the numbers (nil when the scenario started no covered process).
func (r *run) scenarioCoverage(ctx context.Context, env *scenario.Env, name, reportDir string) (*report.Coverage, error) {
	rel := filepath.Join(report.ScenarioDir, name)
	return r.writeCoverage(ctx, env.Root, []string{env.CoverDirFor(name)}, reportDir, rel, "Backend coverage of proof "+name)
}

// runCoverage is scenarioCoverage over every scenario of the run, written
// at the top of the report folder.
func (r *run) runCoverage(ctx context.Context, env *scenario.Env, names []string, reportDir string) (*report.Coverage, error) {
	var dirs []string
	for _, n := range names {
		dirs = append(dirs, env.CoverDirFor(n))
	}
	return r.writeCoverage(ctx, env.Root, dirs, reportDir, "", "Backend coverage of every proof")
}

func (r *run) writeCoverage(ctx context.Context, root string, dirs []string, reportDir, rel, title string) (*report.Coverage, error) {
	profile := filepath.Join(reportDir, rel, coverageProfile)
	err := coverage.Merge(ctx, root, r.cfg.Environ, dirs, profile)
	if errors.Is(err, coverage.ErrNoData) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := coverage.ReadProfile(profile)
	if err != nil {
		return nil, err
	}
	// The counter flush is the harness's code inside the covered build,
	// not the backend's.
	p = p.Without(coverFlushFile)
	if err := coverage.WriteListing(p, root, harness.ModulePath, title, filepath.Join(reportDir, rel, coverageListing)); err != nil {
		return nil, fmt.Errorf("coverage listing: %w", err)
	}
	c := p.Summary()
	c.Profile = filepath.ToSlash(filepath.Join(rel, coverageProfile))
	c.Listing = filepath.ToSlash(filepath.Join(rel, coverageListing))
	return &c, nil
}
