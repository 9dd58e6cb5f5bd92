package repo

import (
	"path"
	"regexp"
	"strings"
)

// Justfile holds the recipes and aliases one justfile defines, read as
// text.
type Justfile struct {
	// Path is the justfile's path relative to the root.
	Path string
	// Names are its recipes' and aliases' names.
	Names []string
	// Known is false when the file may define recipes elsewhere (an
	// import or a module, a fallback to a justfile above it) or holds a
	// top-level line docscheck cannot read: then no recipe is missing.
	Known bool
}

// JustfileNames are the names just finds a justfile by.
var JustfileNames = []string{"justfile", "Justfile", ".justfile", "JUSTFILE"}

var (
	// justRecipe is a recipe's header: an optional quiet "@", the name,
	// parameters, then a colon that is no ":=" assignment.
	justRecipe = regexp.MustCompile(`^@?([A-Za-z_][A-Za-z0-9_-]*)(?:\s[^:]*)?:(?:[^=]|$)`)
	// justAlias is "alias name := recipe".
	justAlias = regexp.MustCompile(`^alias\s+([A-Za-z_][A-Za-z0-9_-]*)\s*:=`)
	// justAssignment is a variable's assignment, exported or not, and a
	// setting ("set shell := [...]", "set dotenv-load"); justUnknown begins a line that
	// brings recipes from elsewhere (import, mod, a fallback setting).
	justAssignment = regexp.MustCompile(`^(?:export\s+|set\s+)?[A-Za-z_][A-Za-z0-9_-]*\s*:=|^set\s+[A-Za-z_][A-Za-z0-9_-]*$`)
	justUnknown    = regexp.MustCompile(`^(?:import\??|mod\??)\s|^set\s+fallback\b`)
)

// FindJustfile returns the justfile just would read when run in folder
// dir: the first of JustfileNames there, else in the folders above it up
// to the root, as just searches. It returns nil when there is none.
func (r *Repo) FindJustfile(dir string) *Justfile {
	for d := clean(dir); ; d = path.Dir(d) {
		for _, n := range JustfileNames {
			if p := clean(path.Join(d, n)); r.Stat(p) == File {
				return r.readJustfile(p)
			}
		}
		if d == "." || d == "/" || strings.HasPrefix(d, "..") {
			return nil
		}
	}
}

// readJustfile reads a justfile's recipes and aliases.
func (r *Repo) readJustfile(p string) *Justfile {
	j := &Justfile{Path: p, Known: true}
	data, err := r.ReadFile(p)
	if err != nil {
		j.Known = false
		return j
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimRight(line, " \t\r")
		switch {
		case line == "", line[0] == ' ', line[0] == '\t', line[0] == '#', line[0] == '[':
			// A recipe's body or a continuation, a comment, an
			// attribute ([private], [group('x')]).
		case justUnknown.MatchString(line):
			j.Known = false
		case justAlias.MatchString(line):
			j.Names = append(j.Names, justAlias.FindStringSubmatch(line)[1])
		case justAssignment.MatchString(line):
		case justRecipe.MatchString(line):
			j.Names = append(j.Names, justRecipe.FindStringSubmatch(line)[1])
		default:
			// A line docscheck cannot read (an expression that goes on
			// past its line): recipes may hide behind it.
			j.Known = false
		}
	}
	return j
}
