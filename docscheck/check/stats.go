package check

import "github.com/prodproof/prodproof/docscheck/finding"

// shellBuiltins are commands of the shell itself: there is nothing outside
// the page to check them against, so they are neither checks nor "not
// checked".
var shellBuiltins = map[string]bool{
	"cd": true, "pushd": true, "popd": true, "export": true, "unset": true, "set": true,
	"echo": true, "printf": true, "true": true, "false": true, "exit": true, "read": true,
	"wait": true, "trap": true, "alias": true, "shift": true, "return": true, "local": true,
	"declare": true, "eval": true, "test": true, "[": true, "[[": true, ":": true,
}

// judged counts one link, command or contract rule that was checked.
func (r *report) judged() { r.checks++ }

// unjudged counts a command docscheck cannot judge, by program name.
func (r *report) unjudged(program string) {
	if shellBuiltins[program] {
		return
	}
	if r.notChecked == nil {
		r.notChecked = map[string]int{}
	}
	r.notChecked[program]++
}

// statsOnly is the report's counts alone: a run keeps them to the end,
// not the findings and session the rest of the report holds.
func (r *report) statsOnly() *report {
	return &report{checks: r.checks, notChecked: r.notChecked, skipped: r.skipped}
}

// addStats folds one page's counts into the run's.
func (c *Checker) addStats(r *report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Files++
	c.stats.Checks += r.checks
	if r.skipped {
		c.stats.Skipped++
	}
	for p, n := range r.notChecked {
		if c.stats.NotChecked == nil {
			c.stats.NotChecked = map[string]int{}
		}
		c.stats.NotChecked[p] += n
	}
}

// Stats returns the counts of every Run so far.
func (c *Checker) Stats() finding.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.NotChecked = make(map[string]int, len(c.stats.NotChecked))
	for p, n := range c.stats.NotChecked {
		s.NotChecked[p] = n
	}
	return s
}
