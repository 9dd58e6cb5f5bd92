package report

import (
	"errors"
)

// GeneratedMutantsFile is the result of the last `proofs mutants
// --generated` run, beside results.json.
const GeneratedMutantsFile = "generated-mutants.json"

// GeneratedOutcome is what became of one generated mutant.
type GeneratedOutcome string

const (
	// Killed: a proof whose coverage reaches the mutated line failed.
	Killed GeneratedOutcome = "killed"
	// Lived: every proof whose coverage reaches the line passed.
	Lived GeneratedOutcome = "survived"
	// NoCoverage: no proof runs the mutated line; nothing judged it.
	NoCoverage GeneratedOutcome = "no_coverage"
	// NotCompiled: the mutated backend does not build; discarded.
	NotCompiled GeneratedOutcome = "not_compiled"
	// Unjudged: the harness could not judge it (a proof ended in error,
	// the run was interrupted).
	Unjudged GeneratedOutcome = "error"
)

// GeneratedMutantRun is the content of generated-mutants.json.
type GeneratedMutantRun struct {
	SchemaVersion int        `json:"schema_version"`
	RunID         string     `json:"run_id"`
	Provenance    Provenance `json:"provenance"`
	// Total is how many mutants the generator made; Sample how many of
	// them this run drew (Seed makes the draw repeatable) or, for a run
	// of listed ids (--ids, Seed 0, Provenance.Command names the list),
	// how many it listed.
	Total  int   `json:"total"`
	Sample int   `json:"sample"`
	Seed   int64 `json:"seed"`
	// Packages is the score per package; Overall over all of them.
	Packages []MutationScore   `json:"packages"`
	Overall  MutationScore     `json:"overall"`
	Mutants  []GeneratedMutant `json:"mutants"`
}

// MutationScore counts one package's (or the run's) mutants by outcome.
// Score is Killed / (Killed + Survived + NoCoverage) in percent: a mutant
// no proof reaches counts as not killed.
type MutationScore struct {
	Package     string  `json:"package,omitempty"`
	Killed      int     `json:"killed"`
	Survived    int     `json:"survived"`
	NoCoverage  int     `json:"no_coverage"`
	NotCompiled int     `json:"not_compiled"`
	Errored     int     `json:"errored"`
	Score       float64 `json:"score"`
}

// Add counts one outcome and updates Score.
func (s *MutationScore) Add(o GeneratedOutcome) {
	switch o {
	case Killed:
		s.Killed++
	case Lived:
		s.Survived++
	case NoCoverage:
		s.NoCoverage++
	case NotCompiled:
		s.NotCompiled++
	default:
		s.Errored++
	}
	s.Score = percent(s.Killed, s.Killed+s.Survived+s.NoCoverage)
}

// GeneratedMutant is one generated change and its judgement.
type GeneratedMutant struct {
	ID       string           `json:"id"`
	File     string           `json:"file"`
	Package  string           `json:"package"`
	Line     int              `json:"line"`
	Operator string           `json:"operator"`
	Change   string           `json:"change"`
	Outcome  GeneratedOutcome `json:"outcome"`
	Reason   string           `json:"reason,omitempty"`
	// KilledBy is the proof that failed first, with its first failure.
	KilledBy     string     `json:"killed_by,omitempty"`
	FirstFailure *Assertion `json:"first_failure,omitempty"`
	// Proofs are the proofs whose coverage reaches the line, in the order
	// they ran (the run stops at the first failure); Ran how many ran.
	Proofs     []string `json:"proofs"`
	Ran        int      `json:"ran"`
	DurationMS int64    `json:"duration_ms"`
}

// ErrNoGeneratedRun means the folder holds no generated-mutants.json yet.
var ErrNoGeneratedRun = errors.New("no generated mutant run yet")

// LoadGeneratedMutants reads generated-mutants.json from dir.
func LoadGeneratedMutants(dir string) (*GeneratedMutantRun, error) {
	return loadVersioned[GeneratedMutantRun](dir, GeneratedMutantsFile, ErrNoGeneratedRun, func(v *GeneratedMutantRun) int { return v.SchemaVersion })
}
