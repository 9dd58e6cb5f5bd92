package evidence

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prodproof/prodproof/internal/report"
)

// WriteRun writes results.json for run, merges its results into
// claims.json and appends its line to history.ndjson, all redacted;
// report.Load, report.LoadClaims and report.LoadHistory read them back.
func WriteRun(reportDir string, run report.Run, red *Redactor) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", report.ResultsFile, err)
	}
	// The claims file is merged before results.json is replaced: a
	// report folder from before claims.json existed starts from its last
	// run's results.
	claims, err := report.LoadClaims(reportDir)
	if errors.Is(err, report.ErrNoClaims) {
		claims = &report.Claims{}
		if previous, err := report.Load(reportDir); err == nil {
			claims.Merge(*previous)
		}
	} else if err != nil {
		return fmt.Errorf("%w; remove it to start the claims over from this run", err)
	}
	claims.Merge(run)
	claimsData, err := json.MarshalIndent(claims, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", report.ClaimsFile, err)
	}
	if err := WriteFile(filepath.Join(reportDir, report.ClaimsFile), append(claimsData, '\n'), red); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(reportDir, report.ResultsFile), append(data, '\n'), red); err != nil {
		return err
	}
	entry := report.HistoryEntry{
		RunID:      run.RunID,
		Commit:     run.Provenance.Commit,
		Dirty:      run.Provenance.Dirty,
		StartedAt:  run.Provenance.StartedAt,
		FinishedAt: run.Provenance.FinishedAt,
		Verdicts:   map[string]report.Verdict{},
	}
	for _, s := range run.Scenarios {
		entry.Verdicts[s.Name] = s.Verdict
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode history entry: %w", err)
	}
	return AppendFile(filepath.Join(reportDir, report.HistoryFile), append(line, '\n'), red)
}

// WriteMutantRun writes mutants.json for run, redacted; report.LoadMutants
// reads it back.
func WriteMutantRun(reportDir string, run report.MutantRun, red *Redactor) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", report.MutantsFile, err)
	}
	return WriteFile(filepath.Join(reportDir, report.MutantsFile), append(data, '\n'), red)
}

// WriteGeneratedMutantRun writes generated-mutants.json, redacted; the
// website and `proofs mutants --generated` readers use
// report.LoadGeneratedMutants.
func WriteGeneratedMutantRun(reportDir string, run report.GeneratedMutantRun, red *Redactor) error {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", report.GeneratedMutantsFile, err)
	}
	return WriteFile(filepath.Join(reportDir, report.GeneratedMutantsFile), append(data, '\n'), red)
}
