package report

import (
	"errors"
	"time"
)

// ClaimsFile holds each claim's latest verdict, across runs: running one
// proof updates its claim and leaves the others as they were. results.json
// stays the record of the latest run alone.
const ClaimsFile = "claims.json"

// Claims is the content of claims.json.
type Claims struct {
	SchemaVersion int     `json:"schema_version"`
	Claims        []Claim `json:"claims"`
}

// Claim is one scenario's latest result and the run it came from.
type Claim struct {
	Run ClaimRun `json:"run"`
	Scenario
}

// ClaimRun says which run a claim's verdict came from.
type ClaimRun struct {
	RunID      string    `json:"run_id"`
	Commit     string    `json:"commit"`
	Dirty      bool      `json:"dirty"`
	Command    string    `json:"command"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// ErrNoClaims means the folder holds no claims.json.
var ErrNoClaims = errors.New("no claims file")

// ClaimRunOf is the ClaimRun for a run's scenarios.
func ClaimRunOf(run Run) ClaimRun {
	p := run.Provenance
	return ClaimRun{RunID: run.RunID, Commit: p.Commit, Dirty: p.Dirty, Command: p.Command, StartedAt: p.StartedAt, FinishedAt: p.FinishedAt}
}

// Merge records run's results: each scenario it ran replaces that claim's
// entry, in place; claims it did not run are kept. A skip (a scenario the
// run never reached) does not replace an earlier verdict, as it says
// nothing about the claim.
func (c *Claims) Merge(run Run) {
	c.SchemaVersion = SchemaVersion
	from := ClaimRunOf(run)
	index := map[string]int{}
	for i, cl := range c.Claims {
		index[cl.Name] = i
	}
	for _, s := range run.Scenarios {
		i, seen := index[s.Name]
		switch {
		case !seen:
			index[s.Name] = len(c.Claims)
			c.Claims = append(c.Claims, Claim{Run: from, Scenario: s})
		case s.Verdict == Skip && c.Claims[i].Verdict != Skip:
		default:
			c.Claims[i] = Claim{Run: from, Scenario: s}
		}
	}
}

// LoadClaims reads claims.json from dir; ErrNoClaims when there is none.
func LoadClaims(dir string) (*Claims, error) {
	return loadVersioned[Claims](dir, ClaimsFile, ErrNoClaims, func(v *Claims) int { return v.SchemaVersion })
}
