package check

import (
	"regexp"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// rspecValueFlags are RSpec's options that take a value.
var rspecValueFlags = map[string]bool{
	"-I": true, "-r": true, "--require": true, "-O": true, "--options": true, "-o": true, "--out": true,
	"-f": true, "--format": true, "-e": true, "--example": true, "-E": true, "--example-matches": true,
	"-t": true, "--tag": true, "-P": true, "--pattern": true, "--exclude-pattern": true, "--seed": true,
	"--order": true, "--default-path": true, "--failure-exit-code": true, "--error-exit-code": true,
}

// rspecLocation is what RSpec reads after a spec file's path: line
// numbers (spec/x_spec.rb:12:30) or example ids (spec/x_spec.rb[1:2]).
var rspecLocation = regexp.MustCompile(`(?::\d+)+$|\[[\d:,]+\]$`)

// checkRSpec judges the spec files and folders rspec names: each path
// argument, its line numbers or example ids taken off, must exist from
// the folder rspec runs in, as pytest's files must. It reports whether it
// judged the command.
func (c *Checker) checkRSpec(r *report, call command.Call, at locate) bool {
	args := call.Args()
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, _ := strings.Cut(a.Text, "=")
		switch {
		case rspecValueFlags[name] && !strings.Contains(a.Text, "="):
			i++
			continue
		case strings.HasPrefix(a.Text, "-") || a.Dynamic() || strings.ContainsAny(a.Text, "*?") || strings.HasPrefix(a.Text, "/"):
			continue
		}
		written := rspecLocation.ReplaceAllString(a.Text, "")
		p := joinPath(call.Dir, written)
		if k, _ := c.stat(r, p); k != repo.Missing {
			continue
		}
		hint := c.nearbyName(p)
		r.missWord(a, at, c.missingIn(r, written, p, hint), ruleScript, shellPath(written, call.Dir, hint), "rspec: %s does not exist", written)
	}
	return true
}
