package check

import (
	"regexp"
	"testing"
)

// TestLeadInWordsGate: followProseMoves runs a lead-in expression only
// where leadInWords holds the words it needs; on prose that matches an
// expression, those words must always be found, in any case, or the gate
// would hide a match.
func TestLeadInWordsGate(t *testing.T) {
	prose := []string{
		"Change directory to `tools/bench` and run:",
		"cd into the `docs` folder, then",
		"Navigate to [databuilder](databuilder/README.md) first.",
		"GO TO the py directory:",
		"In the `py` directory, run",
		"Inside the `owner/docs` directory:",
		"While in `extras/scripts`, export",
		"when you are in `py`",
		"From within `web`:",
		"From the repository root, run:",
		"from the top-level directory of your pybind11 git clone",
		"In the ROOT directory of jsPsych",
		"starting from your clawpack directory",
		"from the `build/` folder",
		"Run this\tfrom the root of the source tree:",
		"switch over to\n`main`",
	}
	gates := []struct {
		name string
		re   *regexp.Regexp
		has  func(leadInWords) bool
	}{
		{"proseMove", proseMove, func(w leadInWords) bool { return w.to }},
		{"namedFolder", namedFolder, func(w leadInWords) bool { return w.folder }},
		{"proseRootOf", proseRootOf, func(w leadInWords) bool { return w.root }},
		{"proseAtRoot", proseAtRoot, func(w leadInWords) bool { return w.from && w.root }},
		{"proseStand", proseStand, func(w leadInWords) bool { return w.code && w.stand }},
		{"proseLeave", proseLeave, func(w leadInWords) bool { return w.code && w.to }},
		{"proseStartIn", proseStartIn, func(w leadInWords) bool { return w.from && w.folder }},
	}
	matched := map[string]bool{}
	for _, p := range prose {
		w := leadInWordsOf([]byte(p))
		for _, g := range gates {
			if g.re.MatchString(p) {
				matched[g.name] = true
				if !g.has(w) {
					t.Errorf("%s matches %q, but its words are not found (%+v)", g.name, p, w)
				}
			}
		}
	}
	for _, g := range gates {
		if !matched[g.name] {
			t.Errorf("no sample prose matches %s: the test does not exercise its gate", g.name)
		}
	}
}
