package report

import (
	"errors"
)

// MutantsFile is the result of the last `proofs mutants` run, beside
// results.json; MutantsDir holds each mutant's proof evidence
// (mutants/MUTANT/scenarios/PROOF/...).
const (
	MutantsFile = "mutants.json"
	MutantsDir  = "mutants"
)

// MutantOutcome is what became of one mutant.
type MutantOutcome string

const (
	// Caught: every proof that must catch the mutant failed on it.
	Caught MutantOutcome = "caught"
	// Survived: a proof that must catch the mutant passed on it; the
	// proofs have a hole.
	Survived MutantOutcome = "survived"
	// Stale: the mutant's snippet no longer occurs exactly once in its
	// file; the mutant must be brought up to date.
	Stale MutantOutcome = "stale"
	// Broken: the harness could not judge the mutant (the build failed, a
	// proof ended in error).
	Broken MutantOutcome = "error"
)

// MutantRun is the content of mutants.json.
type MutantRun struct {
	SchemaVersion int           `json:"schema_version"`
	RunID         string        `json:"run_id"`
	Verdict       Verdict       `json:"verdict"` // pass: every mutant caught
	Provenance    Provenance    `json:"provenance"`
	Mutants       []Mutant      `json:"mutants"`
	Summary       MutantSummary `json:"summary"`
}

// MutantSummary counts mutants by outcome.
type MutantSummary struct {
	Caught   int `json:"caught"`
	Survived int `json:"survived"`
	Stale    int `json:"stale"`
	Errored  int `json:"errored"`
}

// Mutant is one claim-breaking change and what the proofs made of it.
type Mutant struct {
	Name string `json:"name"`
	// Breaks is the claim (a proof name) the change breaks.
	Breaks string `json:"breaks"`
	// Change says in words what the change does to the backend.
	Change  string        `json:"change"`
	File    string        `json:"file"` // relative to the repository root
	Outcome MutantOutcome `json:"outcome"`
	Reason  string        `json:"reason,omitempty"`
	// Proofs are the proofs that must catch it, with their verdicts.
	Proofs     []MutantProof `json:"proofs"`
	DurationMS int64         `json:"duration_ms"`
}

// MutantProof is one guarding proof's verdict on a mutant.
type MutantProof struct {
	Name         string     `json:"name"`
	Verdict      Verdict    `json:"verdict"`
	Reason       string     `json:"reason,omitempty"`
	FirstFailure *Assertion `json:"first_failure"`
	DurationMS   int64      `json:"duration_ms"`
}

// ErrNoMutantRun means the folder holds no mutants.json yet.
var ErrNoMutantRun = errors.New("no mutant run yet")

// LoadMutants reads mutants.json from dir.
func LoadMutants(dir string) (*MutantRun, error) {
	return loadVersioned[MutantRun](dir, MutantsFile, ErrNoMutantRun, func(v *MutantRun) int { return v.SchemaVersion })
}
