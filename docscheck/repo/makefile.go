package repo

import (
	"path"
	"slices"
	"strings"
)

// Makefile holds the targets one Makefile defines.
type Makefile struct {
	// Path is the Makefile's path relative to the root.
	Path string
	// Targets are explicit targets, in order of first appearance.
	Targets []string
	// Patterns are pattern-rule targets such as "%.o".
	Patterns []string
	// Default is the first ordinary target, or .DEFAULT_GOAL when set.
	Default string
	// Rules maps each explicit target to its prerequisites and recipe, so a
	// reader can tell which files "make T" evidently writes.
	Rules map[string]*Rule
	// Vars holds the simple variable assignments (NAME = value and the
	// like), last one wins; values are unexpanded.
	Vars map[string]string
	// Unread names an include whose path docscheck cannot work out (a
	// variable it does not know): that file may define any target.
	Unread string
}

// Rule is what one target's rule lines say.
type Rule struct {
	Prereqs []string
	// Recipe holds the recipe lines, tab and continuations removed.
	Recipe []string
}

// Expand replaces $(NAME) and ${NAME} of known variables (recursively, a
// few levels deep) and $@ with target. Anything else stays as it is.
func (m *Makefile) Expand(s, target string) string {
	for range 4 {
		if !strings.Contains(s, "$") {
			return s
		}
		var b strings.Builder
		b.Grow(len(s)) // most expansions are about as long: one allocation, not one per doubling
		for i := 0; i < len(s); i++ {
			if s[i] != '$' || i+1 >= len(s) {
				b.WriteByte(s[i])
				continue
			}
			switch next := s[i+1]; next {
			case '@':
				b.WriteString(target)
				i++
				continue
			case '(', '{':
				closing := byte(')')
				if next == '{' {
					closing = '}'
				}
				if end := strings.IndexByte(s[i+2:], closing); end >= 0 {
					name := s[i+2 : i+2+end]
					if v, ok := m.Vars[name]; ok {
						b.WriteString(v)
						i += 2 + end
						continue
					}
				}
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	return s
}

// Has reports whether make would find a rule for target.
func (m *Makefile) Has(target string) bool {
	if slices.Contains(m.Targets, target) {
		return true
	}
	for _, p := range m.Patterns {
		prefix, suffix, _ := strings.Cut(p, "%")
		if len(target) > len(prefix)+len(suffix) && strings.HasPrefix(target, prefix) && strings.HasSuffix(target, suffix) {
			return true
		}
	}
	return false
}

// Writes reports whether a rule of the Makefile names target (a path from
// the Makefile's folder) as its output: an explicit target with a recipe,
// or a pattern rule's target such as "pages/%.html" that matches it ("%"
// alone, Sphinx's catch-all that hands any name to its builder, does not
// count).
func (m *Makefile) Writes(target string) bool {
	if rule, ok := m.Rules[target]; ok && len(rule.Recipe) > 0 {
		return true
	}
	for _, p := range m.Patterns {
		prefix, suffix, _ := strings.Cut(p, "%")
		if prefix+suffix != "" && len(target) > len(prefix)+len(suffix) && strings.HasPrefix(target, prefix) && strings.HasSuffix(target, suffix) {
			return true
		}
	}
	return false
}

// Makefile returns the Makefile make would read in folder dir (GNUmakefile,
// makefile, Makefile, in make's order), or the file named when name is set.
// It returns nil when there is none.
func (r *Repo) Makefile(dir, name string) *Makefile {
	return remember(&r.mu, r.makefileAt, makefileKey{dir, name}, func() *Makefile { return r.findMakefile(dir, name) })
}

// makefileKey is a Makefile question: the folder and the file name asked.
type makefileKey struct{ dir, name string }

// findMakefile is Makefile without its memo.
func (r *Repo) findMakefile(dir, name string) *Makefile {
	candidates := []string{"GNUmakefile", "makefile", "Makefile"}
	if name != "" {
		candidates = []string{name}
	}
	for _, c := range candidates {
		p := clean(path.Join(dir, c))
		if r.Stat(p) != File {
			continue
		}
		return remember(&r.mu, r.makefiles, p, func() *Makefile { return r.parseMakefile(p, path.Dir(p), nil, map[string]bool{}) })
	}
	return nil
}

// parseMakefile reads rule lines: "a b: deps", "a:: deps", "%.o: %.c",
// skipping recipes, variable assignments and special targets, and following
// include lines. An included file's path is read, as make reads it, from
// the folder make runs in (dir), with the variables known at that line
// (vars: the including files' so far).
func (r *Repo) parseMakefile(p, dir string, vars map[string]string, seen map[string]bool) *Makefile {
	m := &Makefile{Path: p, Rules: map[string]*Rule{}, Vars: map[string]string{}}
	for k, v := range vars {
		m.Vars[k] = v
	}
	seen[p] = true
	var current []*Rule // the rules the recipe lines that follow belong to
	data, err := r.ReadFile(p)
	if err != nil {
		return m
	}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + lines[i]
		}
		if strings.HasPrefix(line, "\t") {
			for _, rule := range current {
				rule.Recipe = append(rule.Recipe, strings.TrimSpace(line))
			}
			continue
		}
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(trimmed, ".DEFAULT_GOAL"); ok {
			rest = strings.TrimSpace(rest)
			for _, op := range []string{":=", "::=", "?=", "="} {
				if v, ok := strings.CutPrefix(rest, op); ok {
					m.Default = strings.TrimSpace(v)
					break
				}
			}
			continue
		}
		for _, kw := range []string{"include ", "-include ", "sinclude "} {
			if rest, ok := strings.CutPrefix(trimmed, kw); ok {
				for _, inc := range strings.Fields(m.Expand(rest, "")) {
					if strings.Contains(inc, "$") {
						// "-include $(DEPS)" reads generated dependency
						// files, if any; a plain include is a part of
						// the Makefile, with targets of its own.
						if m.Unread == "" && kw == "include " {
							m.Unread = inc
						}
						continue
					}
					ip := clean(path.Join(dir, inc))
					if seen[ip] || r.Stat(ip) != File {
						continue
					}
					sub := r.parseMakefile(ip, dir, m.Vars, seen)
					if m.Unread == "" {
						m.Unread = sub.Unread
					}
					m.Targets = append(m.Targets, sub.Targets...)
					m.Patterns = append(m.Patterns, sub.Patterns...)
					for t, rule := range sub.Rules {
						if m.Rules[t] == nil {
							m.Rules[t] = rule
						}
					}
					for k, v := range sub.Vars {
						m.Vars[k] = v
					}
				}
				trimmed = ""
			}
		}
		if trimmed == "" {
			continue
		}
		colon := ruleColon(trimmed)
		if colon < 0 {
			current = nil
			if name, value, ok := assignment(trimmed); ok {
				m.Vars[name] = value
			}
			continue
		}
		prereqs := strings.TrimLeft(trimmed[colon+1:], ":")
		if strings.Contains(prereqs, "=") {
			prereqs = "" // a target-specific variable
		}
		prereqs, inline, _ := strings.Cut(prereqs, ";")
		current = nil
		for _, t := range strings.Fields(trimmed[:colon]) {
			if !strings.Contains(t, "%") && !(strings.HasPrefix(t, ".") && strings.ToUpper(t) == t) {
				rule := m.Rules[t]
				if rule == nil {
					rule = &Rule{}
					m.Rules[t] = rule
				}
				rule.Prereqs = append(rule.Prereqs, strings.Fields(prereqs)...)
				if inline = strings.TrimSpace(inline); inline != "" {
					rule.Recipe = append(rule.Recipe, inline)
				}
				current = append(current, rule)
			}
			switch {
			case strings.HasPrefix(t, ".") && strings.ToUpper(t) == t:
				// .PHONY, .SUFFIXES, ...: special targets.
			case strings.Contains(t, "%"):
				m.Patterns = append(m.Patterns, t)
			default:
				if !slices.Contains(m.Targets, t) {
					m.Targets = append(m.Targets, t)
				}
				if m.Default == "" && !strings.HasPrefix(t, ".") {
					m.Default = t
				}
			}
		}
	}
	return m
}

// ruleColon finds the colon that separates targets from prerequisites, or
// -1 when the line is an assignment or not a rule.
func ruleColon(line string) int {
	depth := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case '=':
			if depth == 0 {
				return -1 // "X = y", "X ?= y", "X += y"
			}
		case ':':
			if depth > 0 {
				continue
			}
			if i+1 < len(line) && line[i+1] == '=' {
				return -1 // "X := y"
			}
			if i+2 < len(line) && line[i+1] == ':' && line[i+2] == '=' {
				return -1 // "X ::= y"
			}
			// A target-specific variable "t: X = y" is still a rule for t.
			return i
		}
	}
	return -1
}

// assignment splits "NAME = value", "NAME := value", "NAME ?= value",
// "NAME ::= value", "NAME += value" and "export NAME = value".
func assignment(line string) (name, value string, ok bool) {
	line = strings.TrimPrefix(line, "export ")
	i := strings.IndexByte(line, '=')
	if i <= 0 {
		return "", "", false
	}
	name = strings.TrimRight(line[:i], ":?+! \t")
	if name == "" || strings.ContainsAny(name, " \t$") {
		return "", "", false
	}
	return name, strings.TrimSpace(line[i+1:]), true
}

// maxMakefileFolders bounds the folders Makefiles reads: a tree larger than
// that is listed in part, which only means fewer targets found elsewhere.
const maxMakefileFolders = 20000

// MakefileFolders lists, once, every folder of the tree that holds a
// Makefile (GNUmakefile, makefile or Makefile), sorted. Hidden folders and
// node_modules are not entered (they hold tools' copies, not the project's
// own builds), and symbolic links are not followed, so a link to a parent
// folder cannot loop.
func (r *Repo) MakefileFolders() []string {
	if v, ok := r.manifests.Load("makefiles:"); ok {
		return v.([]string)
	}
	var out []string
	queue := []string{"."}
	for n := 0; len(queue) > 0 && n < maxMakefileFolders; n++ {
		dir := queue[0]
		queue = queue[1:]
		l := r.listing(dir)
		found := false
		for _, name := range l.names {
			e := l.entries[name]
			switch {
			case e.IsDir():
				if !strings.HasPrefix(name, ".") && name != "node_modules" {
					queue = append(queue, clean(path.Join(dir, name)))
				}
			case !found && e.Type().IsRegular() && (name == "GNUmakefile" || name == "makefile" || name == "Makefile"):
				found = true
				out = append(out, dir)
			}
		}
	}
	slices.Sort(out)
	v, _ := r.manifests.LoadOrStore("makefiles:", out)
	return v.([]string)
}

// MakefilesDefining lists the Makefiles of the tree, other than the one at
// path except, that make would read in their folder and that have an
// explicit rule for target (their included files' rules count; a pattern
// rule does not: a catch-all "%" would name every target).
func (r *Repo) MakefilesDefining(target, except string) []string {
	var out []string
	for _, dir := range r.MakefileFolders() {
		if m := r.Makefile(dir, ""); m != nil && m.Path != except && slices.Contains(m.Targets, target) {
			out = append(out, m.Path)
		}
	}
	return out
}
