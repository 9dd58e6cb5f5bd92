package check

import (
	"path"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
)

// ruleJust is a just recipe the justfile in use lacks.
const ruleJust = "just-recipe"

// justNoRecipe are just's options that run no recipe (they list, show,
// edit or print), so nothing after them is one.
var justNoRecipe = map[string]bool{"-l": true, "--list": true, "--summary": true, "--show": true, "-s": true,
	"--evaluate": true, "--choose": true, "--dump": true, "--fmt": true, "--init": true, "--edit": true, "-e": true,
	"--variables": true, "--completions": true, "--help": true, "-h": true, "--version": true, "-V": true,
	"--changelog": true, "--groups": true, "--man": true}

// justValueOptions are just's options that take the next word as their
// value.
var justValueOptions = map[string]bool{"--set": true, "--shell": true, "--shell-arg": true, "--color": true,
	"--dotenv-filename": true, "--dotenv-path": true, "--command": true, "-c": true, "--list-heading": true,
	"--list-prefix": true, "--chooser": true, "--timestamp-format": true}

// checkJust: "just RECIPE" runs a recipe of the justfile just finds in
// the folder the command runs in or one above it; a name that is neither
// a recipe nor an alias of a justfile docscheck reads whole is missing.
// Only the first recipe is judged: the words after it may be its
// arguments. It reports whether it judged the call.
func (c *Checker) checkJust(r *report, call command.Call, at locate) bool {
	if r.session != nil && r.session.readersProject {
		return false
	}
	args := call.Args()
	dir := call.Dir
	for i := 0; i < len(args); i++ {
		a := args[i]
		t := a.Text
		switch {
		case a.Dynamic(), justNoRecipe[t]:
			return false
		case t == "-f" || t == "--justfile" || t == "-d" || t == "--working-directory" || strings.HasPrefix(t, "--justfile=") || strings.HasPrefix(t, "--working-directory="):
			// Another justfile, or another folder: not the one found here.
			return false
		case t == "--set":
			i += 2
		case justValueOptions[t]:
			i++
		case strings.HasPrefix(t, "-"):
		case strings.Contains(t, "="):
			// NAME=VALUE: a variable's value for this run.
		default:
			if strings.Contains(t, "/") || strings.Contains(t, "::") {
				// A recipe of a justfile in another folder, or of a
				// module.
				return false
			}
			j := c.opts.Repo.FindJustfile(dir)
			if j == nil || !j.Known {
				return false
			}
			for _, n := range j.Names {
				if n == t {
					return true
				}
			}
			hint := c.nearest(t, j.Names)
			reason := ""
			if placeholderFilter(t, hint) {
				reason = reasonPlaceholder
			}
			if hint != "" {
				hint = "`just " + hint + "`"
			}
			r.missWord(a, at, reason, ruleJust, hint, "just: recipe %q is not defined in %s", t, path.Clean(j.Path))
			return true
		}
	}
	return false
}
