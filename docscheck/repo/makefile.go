package repo

import (
	"path"
	"regexp"
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
	// PatternPrereqs holds, for each pattern-rule target, the
	// prerequisites of each of its rule lines ("%.png: %.svg" gives
	// "%.png" the list ["%.svg"]), so Writes can tell whether make finds
	// what the rule needs.
	PatternPrereqs map[string][][]string
	// Default is the first ordinary target, or .DEFAULT_GOAL when set.
	Default string
	// Rules maps each explicit target to its prerequisites and recipe, so a
	// reader can tell which files "make T" evidently writes.
	Rules map[string]*Rule
	// Vars holds the simple variable assignments (NAME = value and the
	// like), last one wins; values are unexpanded.
	Vars map[string]string
	// Unread names an include whose path docscheck cannot work out (a
	// variable it does not know, a wildcard in a folder part), or a
	// $(eval ...) line: that file, or that text, may define any target.
	Unread string
	// uncertain names the variables whose value the Makefile alone does
	// not decide: assigned more than once, with ?= (the environment may
	// set it), +=, inside a conditional, or by define.
	uncertain map[string]bool
	// assigned counts each variable's assignments.
	assigned map[string]int
	// values holds every value each variable is assigned with =, :=, ::=
	// or ?= (in conditionals too), unexpanded; appended holds the values
	// appended with +=; open names those set by a command (!=) or by
	// define, whose words the Makefile's text does not give; fromEnv
	// names those set with ?=.
	values   map[string][]string
	appended map[string][]string
	open     map[string]bool
	fromEnv  map[string]bool
	// folders names the variables the Makefile uses as a folder:
	// $(NAME)/ in a rule line or recipe.
	folders map[string]bool
	// defines holds the text of each define ... endef block by name: a
	// template that $(eval $(call name,...)) turns into rules.
	defines map[string][]string
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
// count). As make does, a pattern rule counts only where each of its
// prerequisites with a "%" exists (exists: a path from the Makefile's
// folder is in the tree) or can be made in turn, by an explicit rule or
// by another pattern rule not yet in the chain: "%.png: %.svg" writes
// images/logo.png beside images/logo.svg, or beside images/logo.dot with
// "%.svg: %.dot" too, and not where neither source is.
func (m *Makefile) Writes(target string, exists func(string) bool) bool {
	return m.writes(target, exists, map[string]bool{})
}

func (m *Makefile) writes(target string, exists func(string) bool, chain map[string]bool) bool {
	if rule, ok := m.Rules[target]; ok && len(rule.Recipe) > 0 {
		return true
	}
	for _, p := range m.Patterns {
		stem, ok := patternStem(p, target)
		if !ok || chain[p] {
			continue
		}
		chain[p] = true
		made := m.prereqsMade(p, stem, target, exists, chain)
		delete(chain, p)
		if made {
			return true
		}
	}
	return false
}

// prereqsMade reports whether make finds everything one of pattern's rule
// lines needs to make target (whose stem is stem): each prerequisite with
// a "%" exists or can be made. A rule line without such prerequisites
// needs nothing, and one whose prerequisites docscheck cannot expand may
// need anything: both count as made.
func (m *Makefile) prereqsMade(pattern, stem, target string, exists func(string) bool, chain map[string]bool) bool {
	lines := m.PatternPrereqs[pattern]
	if len(lines) == 0 {
		return true
	}
	for _, prereqs := range lines {
		made := true
		for _, q := range prereqs {
			if q = m.Expand(q, target); strings.Contains(q, "$") {
				break
			}
			if !strings.Contains(q, "%") {
				continue
			}
			q = strings.Replace(q, "%", stem, 1)
			if !strings.Contains(pattern, "/") && strings.Contains(target, "/") && !strings.Contains(q, "/") {
				q = path.Join(path.Dir(target), q)
			}
			if !exists(q) && !m.writes(q, exists, chain) {
				if _, ok := m.Rules[q]; !ok {
					made = false
					break
				}
			}
		}
		if made {
			return true
		}
	}
	return false
}

// patternStem matches target against a pattern-rule target and returns
// the part "%" stands for. As make does, a pattern without a slash
// matches a target's last part, the folder staying with the stem
// ("%.png" on images/logo.png gives images/logo). "%" alone, Sphinx's
// catch-all, matches nothing here.
func patternStem(pattern, target string) (string, bool) {
	prefix, suffix, _ := strings.Cut(pattern, "%")
	if prefix+suffix == "" {
		return "", false
	}
	dir, name := "", target
	if !strings.Contains(pattern, "/") {
		if i := strings.LastIndexByte(target, '/'); i >= 0 {
			dir, name = target[:i+1], target[i+1:]
		}
	}
	if len(name) <= len(prefix)+len(suffix) || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return "", false
	}
	return dir + name[len(prefix):len(name)-len(suffix)], true
}

// MakefileNames are the names make reads a folder's Makefile by, in
// make's order.
var MakefileNames = []string{"GNUmakefile", "makefile", "Makefile"}

// Makefile returns the Makefile make would read in folder dir (one of
// MakefileNames, in make's order), or the file named when name is set.
// It returns nil when there is none.
func (r *Repo) Makefile(dir, name string) *Makefile {
	return remember(&r.mu, r.makefileAt, makefileKey{dir, name}, func() *Makefile { return r.findMakefile(dir, name) })
}

// makefileKey is a Makefile question: the folder and the file name asked.
type makefileKey struct{ dir, name string }

// findMakefile is Makefile without its memo.
func (r *Repo) findMakefile(dir, name string) *Makefile {
	candidates := MakefileNames
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
	m := &Makefile{Path: p, Rules: map[string]*Rule{}, PatternPrereqs: map[string][][]string{}, Vars: map[string]string{}, uncertain: map[string]bool{}, assigned: map[string]int{},
		values: map[string][]string{}, appended: map[string][]string{}, open: map[string]bool{}, fromEnv: map[string]bool{}, folders: map[string]bool{}, defines: map[string][]string{}}
	for k, v := range vars {
		m.Vars[k] = v
	}
	conditional := 0 // depth of ifeq/ifdef blocks: their assignments may not happen
	seen[p] = true
	var current []*Rule // the rules the recipe lines that follow belong to
	data, err := r.ReadFile(p)
	if err != nil {
		return m
	}
	for _, f := range folderUse.FindAllStringSubmatch(string(data), -1) {
		m.folders[f[1]] = true
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
		switch word, rest, _ := strings.Cut(trimmed, " "); word {
		case "ifeq", "ifneq", "ifdef", "ifndef":
			conditional++
			continue
		case "endif":
			conditional = max(conditional-1, 0)
			continue
		case "define":
			name := strings.Fields(rest)
			if len(name) > 0 {
				m.uncertain[name[0]] = true
				m.open[name[0]] = true
			}
			// The lines up to endef are the variable's text (a
			// Dockerfile, a template to eval), not rules of this file.
			var text []string
			for depth := 1; i+1 < len(lines); {
				i++
				switch first, _, _ := strings.Cut(strings.TrimSpace(lines[i]), " "); first {
				case "define":
					depth++
				case "endef":
					depth--
				}
				if depth == 0 {
					break
				}
				text = append(text, lines[i])
			}
			if len(name) > 0 {
				m.defines[name[0]] = text
			}
			continue
		}
		if strings.HasPrefix(trimmed, "ifeq(") || strings.HasPrefix(trimmed, "ifneq(") {
			conditional++
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
				optional := kw != "include "
				rest = m.Expand(rest, "")
				if pattern, ok := wildcardCall(rest); ok {
					// "include $(wildcard $(DEPFILES))" reads the files
					// that are there, if any, as -include does.
					rest, optional = pattern, true
				}
				for _, inc := range strings.Fields(rest) {
					if strings.Contains(inc, "$") {
						// "-include $(DEPS)" reads generated dependency
						// files, if any; a plain include is a part of
						// the Makefile, with targets of its own.
						if m.Unread == "" && !optional {
							m.Unread = inc
						}
						continue
					}
					ips := []string{clean(path.Join(dir, inc))}
					if strings.ContainsAny(inc, "*?[") {
						// make expands a wildcard in an include's name
						// ("include scripts/*.mk") to the files there.
						var ok bool
						if ips, ok = r.globFiles(ips[0]); !ok && !optional {
							m.unreadText(inc)
						}
					}
					for _, ip := range ips {
						if seen[ip] || r.Stat(ip) != File {
							continue
						}
						m.include(r.parseMakefile(ip, dir, m.Vars, seen))
					}
				}
				trimmed = ""
			}
		}
		if trimmed == "" {
			continue
		}
		if (strings.HasPrefix(trimmed, "$(") || strings.HasPrefix(trimmed, "${")) &&
			(strings.Contains(trimmed, "$(eval ") || strings.Contains(trimmed, "${eval ")) {
			// A bare $(eval ...) outside a recipe writes make text at
			// run time (an assignment's $(eval) is the variable's text).
			current = nil
			m.evalRules(trimmed)
			continue
		}
		colon := ruleColon(trimmed)
		if colon < 0 {
			current = nil
			if name, value, ok := assignment(trimmed); ok {
				m.Vars[name] = value
				m.assigned[name]++
				op := trimmed[:strings.IndexByte(trimmed, '=')]
				if conditional > 0 || strings.HasSuffix(op, "?") || strings.HasSuffix(op, "+") || strings.HasSuffix(op, "!") {
					m.uncertain[name] = true
				}
				switch {
				case strings.HasSuffix(op, "+"):
					m.appended[name] = append(m.appended[name], value)
				case strings.HasSuffix(op, "!"):
					m.open[name] = true
				case strings.HasSuffix(op, "?"):
					m.fromEnv[name] = true
					fallthrough
				default:
					m.values[name] = append(m.values[name], value)
				}
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
				if m.PatternPrereqs[t] == nil {
					m.Patterns = append(m.Patterns, t)
				}
				m.PatternPrereqs[t] = append(m.PatternPrereqs[t], slices.DeleteFunc(strings.Fields(prereqs), func(q string) bool { return q == "|" }))
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
			case !found && e.Type().IsRegular() && slices.Contains(MakefileNames, name):
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

// maxTargetNames bounds the names one computed target may expand to.
const maxTargetNames = 10000

// TargetNames expands a target written with variables ($(TESTS),
// bin/$(NAME)) to the names make gives it, when the Makefile alone decides
// them: every variable in it is assigned once, unconditionally, with =,
// := or ::=, and its value is literal words, such variables and the
// functions below, wildcard matching this tree's files (not under a path
// the .gitignore names, which a build may fill). ok is false otherwise:
// the environment, the command line, a conditional, an include docscheck
// cannot read or a function it does not evaluate ($(shell ...),
// $(foreach ...)) may give the target any name.
func (r *Repo) TargetNames(m *Makefile, target string) (names []string, ok bool) {
	if m.Unread != "" {
		return nil, false
	}
	e := makeEval{r: r, m: m, dir: path.Dir(m.Path)}
	s, ok := e.expand(target, 0)
	if !ok {
		return nil, false
	}
	names = strings.Fields(s)
	return names, len(names) <= maxTargetNames
}

// makeEval evaluates the part of make's expansion that the tree decides.
type makeEval struct {
	r   *Repo
	m   *Makefile
	dir string // the folder make runs in, where wildcard looks
}

// expand returns s with its variable references and function calls
// expanded, or false when one of them is not decided by the Makefile.
func (e makeEval) expand(s string, depth int) (string, bool) {
	if depth > 8 {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) || (s[i+1] != '(' && s[i+1] != '{') {
			return "", false // $@, $$, $X: automatic or one-letter variables
		}
		end := closing(s, i+1)
		if end < 0 {
			return "", false
		}
		v, ok := e.reference(s[i+2:end], depth)
		if !ok {
			return "", false
		}
		b.WriteString(v)
		i = end
	}
	return b.String(), true
}

// wildcardCall returns the argument of s when s is one $(wildcard ...)
// call and nothing else.
func wildcardCall(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, open := range []string{"$(wildcard ", "${wildcard "} {
		if strings.HasPrefix(s, open) && closing(s, 1) == len(s)-1 {
			return s[len(open) : len(s)-1], true
		}
	}
	return "", false
}

// closing is the index of the parenthesis or brace that closes the one at
// open, or -1.
func closing(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// reference expands the inside of $(...): a variable or a function call.
func (e makeEval) reference(ref string, depth int) (string, bool) {
	fn, args, call := strings.Cut(ref, " ")
	if !call {
		if strings.ContainsAny(ref, ":$") || e.m.uncertain[ref] || e.m.assigned[ref] != 1 {
			// A substitution reference ($(V:.c=.o)), a computed name, or
			// a variable the Makefile does not set once and for all.
			return "", false
		}
		return e.expand(e.m.Vars[ref], depth+1)
	}
	parts := splitArgs(args)
	vals := make([]string, len(parts))
	for i, a := range parts {
		v, ok := e.expand(a, depth+1)
		if !ok {
			return "", false
		}
		vals[i] = v
	}
	each := func(f func(string) string) (string, bool) {
		if len(vals) != 1 {
			return "", false
		}
		var out []string
		for _, w := range strings.Fields(vals[0]) {
			out = append(out, f(w))
		}
		return strings.Join(out, " "), true
	}
	switch {
	case fn == "wildcard" && len(vals) == 1:
		return e.wildcard(vals[0])
	case fn == "notdir":
		return each(path.Base)
	case fn == "dir":
		return each(func(w string) string { return path.Dir(w) + "/" })
	case fn == "basename":
		return each(func(w string) string { return strings.TrimSuffix(w, path.Ext(w)) })
	case fn == "strip" || fn == "sort":
		return each(func(w string) string { return w })
	case (fn == "addprefix" || fn == "addsuffix") && len(vals) == 2:
		var out []string
		for _, w := range strings.Fields(vals[1]) {
			if fn == "addprefix" {
				out = append(out, strings.TrimSpace(vals[0])+w)
			} else {
				out = append(out, w+strings.TrimSpace(vals[0]))
			}
		}
		return strings.Join(out, " "), true
	case fn == "patsubst" && len(vals) == 3:
		from, to := strings.TrimSpace(vals[0]), strings.TrimSpace(vals[1])
		var out []string
		for _, w := range strings.Fields(vals[2]) {
			out = append(out, patsubst(from, to, w))
		}
		return strings.Join(out, " "), true
	}
	return "", false
}

// splitArgs splits a function's arguments at the commas outside
// parentheses and braces: a make function's, or a Python call's
// (open(os.path.join(here, name), "r")).
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// patsubst replaces word as make's patsubst does: from's % matches any
// stem, which to's % takes; a word that does not match stays.
func patsubst(from, to, word string) string {
	prefix, suffix, pattern := strings.Cut(from, "%")
	if !pattern {
		if word == from {
			return to
		}
		return word
	}
	if len(word) < len(prefix)+len(suffix) || !strings.HasPrefix(word, prefix) || !strings.HasSuffix(word, suffix) {
		return word
	}
	stem := word[len(prefix) : len(word)-len(suffix)]
	return strings.Replace(to, "%", stem, 1)
}

// wildcard lists the files of the tree each pattern matches, from the
// folder make runs in; false when a pattern reaches into a path the
// .gitignore names (a build may write files there before make runs) or
// leaves the repository.
func (e makeEval) wildcard(patterns string) (string, bool) {
	var out []string
	for _, pat := range strings.Fields(patterns) {
		full := clean(path.Join(e.dir, pat))
		if full == ".." || strings.HasPrefix(full, "../") || strings.HasPrefix(pat, "/") || strings.HasPrefix(pat, "~") {
			return "", false
		}
		matches := []string{"."}
		for _, part := range strings.Split(full, "/") {
			var next []string
			for _, d := range matches {
				if !strings.ContainsAny(part, "*?[") {
					if p := clean(path.Join(d, part)); e.r.Stat(p) != Missing {
						next = append(next, p)
					}
					continue
				}
				for _, n := range e.r.Names(d) {
					if ok, _ := path.Match(part, n); ok && (!strings.HasPrefix(n, ".") || strings.HasPrefix(part, ".")) {
						next = append(next, clean(path.Join(d, n)))
					}
				}
			}
			matches = next
		}
		for _, p := range matches {
			if e.r.Ignored(p) {
				return "", false
			}
			rel := p
			if e.dir != "." {
				var inside bool
				if rel, inside = strings.CutPrefix(p, e.dir+"/"); !inside {
					return "", false // written from make's folder with ../: kept simple
				}
			}
			out = append(out, rel)
		}
		if d := path.Dir(full); e.r.Ignored(d) {
			return "", false
		}
	}
	return strings.Join(out, " "), true
}

// folderUse finds $(NAME)/ and ${NAME}/: a variable the Makefile uses as
// a folder.
var folderUse = regexp.MustCompile(`\$[({]([A-Za-z_][A-Za-z0-9_.]*)[)}]/`)

// anyWord is the shape of a word docscheck cannot tell: any name.
const anyWord = ".*"

// maxShapes bounds the shapes one target is worked out to; beyond it the
// target may be any name.
const maxShapes = 1024

// MayName reports whether target, an explicit target written with
// variables ("bin/gh$(EXE)", "$(BUILD_DIR)"), may be the name. Each
// variable stands for the words its assignments in the Makefile's text
// give (every one of them, in any branch of a conditional: make takes one
// of them), and a reference docscheck does not work out ($(shell ...), a
// variable the text does not set, or appends to with +=) for any one word,
// so the literal text around it still has to match: "$(shell pwd)/target"
// is a path, never the name "lint". A variable set with ?= may come from
// the environment; its text is taken only when it names paths ("/" in
// every word) or the Makefile uses it as a folder ($(NAME)/x): then the
// environment gives a folder too, not the name of a task. Behind an
// include docscheck cannot read any variable may be set: any name.
func (m *Makefile) MayName(target, name string) bool {
	return m.mayName(target, name, true)
}

// MayNameKnowingly is MayName without the shape of a word docscheck
// cannot tell (anyWord): target may name name by what its text says.
func (m *Makefile) MayNameKnowingly(target, name string) bool {
	return m.mayName(target, name, false)
}

func (m *Makefile) mayName(target, name string, unknown bool) bool {
	if !strings.Contains(target, "$(") && !strings.Contains(target, "${") {
		return false
	}
	shapes, _ := m.wordShapes(target, 0)
	// One expression for all the shapes (up to maxShapes), not one each.
	var alts []string
	for _, shape := range shapes {
		if shape != anyWord || unknown {
			alts = append(alts, "(?:"+shape+")")
		}
	}
	if len(alts) == 0 {
		return false
	}
	re, err := regexp.Compile("^(?:" + strings.Join(alts, "|") + ")$")
	return err != nil || re.MatchString(name)
}

// wordShapes returns one regular expression per word s may expand to;
// multi is set when s may expand to several words at once (not only to one
// of several alternatives), which a prefix or suffix glued to it would
// then reach only in part.
func (m *Makefile) wordShapes(s string, depth int) (shapes []string, multi bool) {
	if depth > 8 {
		return []string{anyWord}, false
	}
	words := makeWords(s)
	for _, w := range words {
		ws, wm := m.wordShape(w, depth)
		shapes = append(shapes, ws...)
		multi = multi || wm
		if len(shapes) > maxShapes {
			return []string{anyWord}, true
		}
	}
	return shapes, multi || len(words) > 1
}

// wordShape returns the shapes of one word of make text: its literal text
// and, for each reference in it, each word the reference may give (one of
// a variable's assignments, in any branch).
func (m *Makefile) wordShape(w string, depth int) ([]string, bool) {
	acc := []string{""}
	parts := 0
	var multi []string // the shapes of a reference of several words
	for i := 0; i < len(w); i++ {
		if w[i] != '$' {
			j := strings.IndexByte(w[i:], '$')
			if j < 0 {
				j = len(w) - i
			}
			for k := range acc {
				acc[k] += regexp.QuoteMeta(w[i : i+j])
			}
			parts++
			i += j - 1
			continue
		}
		var shapes []string
		many := false
		switch {
		case i+1 < len(w) && w[i+1] == '$':
			shapes = []string{regexp.QuoteMeta("$")}
			i++
		case i+1 < len(w) && (w[i+1] == '(' || w[i+1] == '{'):
			end := closing(w, i+1)
			if end < 0 {
				return []string{anyWord}, false
			}
			shapes, many = m.refShapes(w[i+2:end], depth)
			i = end
		default:
			shapes = []string{anyWord} // $@, $X
			i++
		}
		parts++
		if many {
			multi = shapes
			continue
		}
		if len(shapes) == 0 {
			continue
		}
		next := make([]string, 0, len(acc)*len(shapes))
		for _, a := range acc {
			for _, sh := range shapes {
				next = append(next, a+sh)
			}
		}
		if len(next) > maxShapes {
			return []string{anyWord}, false
		}
		acc = next
	}
	if multi != nil {
		if parts > 1 {
			// pre$(V) where V holds several words: only the first
			// takes the prefix; kept simple, any name.
			return []string{anyWord}, false
		}
		return multi, true
	}
	// An empty shape is a reference that gave no word ($(EXE) empty).
	return slices.DeleteFunc(acc, func(a string) bool { return a == "" }), false
}

// refShapes returns the shapes of the words $(ref) expands to, and whether
// it may give several words at once.
func (m *Makefile) refShapes(ref string, depth int) ([]string, bool) {
	fn, args, call := strings.Cut(ref, " ")
	if !call {
		if m.Unread != "" || strings.ContainsAny(ref, ":$") || m.open[ref] || len(m.values[ref]) == 0 {
			return []string{anyWord}, false
		}
		// Words appended with += join the words of the assignments; a
		// variable only appended to (no assignment above) starts from
		// the environment's value, and is any word.
		var out []string
		multi := len(m.appended[ref]) > 0
		for _, v := range slices.Concat(m.values[ref], m.appended[ref]) {
			ws, wm := m.wordShapes(v, depth+1)
			if len(ws) == 0 {
				ws = []string{""} // an empty value: the reference gives nothing
			}
			out = append(out, ws...)
			multi = multi || wm
		}
		if m.fromEnv[ref] && !m.folders[ref] && slices.ContainsFunc(out, func(s string) bool { return !strings.Contains(s, "/") }) {
			return []string{anyWord}, false
		}
		return out, multi
	}
	if parts := splitArgs(args); (fn == "addprefix" || fn == "addsuffix") && len(parts) == 2 {
		fix, fm := m.wordShapes(strings.TrimSpace(parts[0]), depth+1)
		if fm || len(fix) > 1 {
			return []string{anyWord}, true
		}
		if len(fix) == 0 {
			fix = []string{""}
		}
		list, lm := m.wordShapes(parts[1], depth+1)
		out := make([]string, 0, len(list))
		for _, w := range list {
			if fn == "addprefix" {
				out = append(out, fix[0]+w)
			} else {
				out = append(out, w+fix[0])
			}
		}
		return out, lm
	}
	if parts := splitArgs(args); fn == "patsubst" && len(parts) == 3 {
		// $(patsubst from,to,text): a word of text that from matches
		// becomes to, its "%" the stem (any text); any other word is
		// kept as it is.
		to, tm := m.wordShapes(strings.TrimSpace(parts[1]), depth+1)
		text, _ := m.wordShapes(parts[2], depth+1)
		if tm || len(to) == 0 {
			return []string{anyWord}, true
		}
		out := make([]string, 0, len(to)+len(text))
		for _, t := range to {
			// Only the first "%" takes the stem.
			out = append(out, strings.Replace(t, "%", anyWord, 1))
		}
		return append(out, text...), true
	}
	if fn == "dir" {
		// $(dir names): the folder part of each name, which always ends
		// in "/" ("./" for a bare name): a path, never a task's name.
		_, lm := m.wordShapes(args, depth+1)
		return []string{anyWord + "/"}, lm
	}
	return []string{anyWord}, false
}

// evalRules notes the rules an $(eval ...) line writes: the rule lines of
// the define templates it calls ($(eval $(call helm.chart,$(p))), whose
// target helm.build.$(1) stands for the names "helm.build." starts), or of
// its own text. A target that is a reference alone ($(eval $(g): ; @:))
// may be any name: Unread, as for an include docscheck cannot read. A
// template not defined by then writes nothing.
func (m *Makefile) evalRules(line string) {
	var text []string
	if strings.Contains(line, "$(call ") {
		for _, part := range strings.Split(line, "$(call ")[1:] {
			name, _, _ := strings.Cut(part, ",")
			name, _, _ = strings.Cut(name, ")")
			// A template not defined by this line expands to nothing, in
			// make as here: $(call) of an unset variable is empty.
			text = append(text, m.defines[strings.TrimSpace(name)]...)
		}
	} else {
		_, body, _ := strings.Cut(line, "eval ")
		text = []string{body}
	}
	for _, l := range text {
		if c := strings.IndexByte(l, '#'); c >= 0 {
			l = l[:c]
		}
		if strings.HasPrefix(l, "\t") {
			continue
		}
		colon := ruleColon(l)
		if colon < 0 {
			continue
		}
		for _, target := range makeWords(l[:colon]) {
			if shapes, _ := m.wordShapes(target, 0); slices.Contains(shapes, anyWord) {
				// A reference the Makefile does not set ($(g) of a
				// foreach): the rule's target may be any name.
				m.unreadText(line)
				continue
			}
			if !slices.Contains(m.Targets, target) {
				m.Targets = append(m.Targets, target)
			}
		}
	}
}

// unreadText marks the Makefile as holding text docscheck cannot read,
// unless something already did.
func (m *Makefile) unreadText(line string) {
	if m.Unread == "" {
		m.Unread = line
	}
}

// include merges the rules, variables and uncertainties of an included
// Makefile into m, as make reads the included text in place.
func (m *Makefile) include(sub *Makefile) {
	m.unreadText(sub.Unread)
	m.Targets = append(m.Targets, sub.Targets...)
	for _, p := range sub.Patterns {
		if m.PatternPrereqs[p] == nil {
			m.Patterns = append(m.Patterns, p)
		}
		m.PatternPrereqs[p] = append(m.PatternPrereqs[p], sub.PatternPrereqs[p]...)
	}
	for t, rule := range sub.Rules {
		if m.Rules[t] == nil {
			m.Rules[t] = rule
		}
	}
	for k, v := range sub.Vars {
		m.Vars[k] = v
	}
	for k, n := range sub.assigned {
		m.assigned[k] += n
	}
	for k := range sub.uncertain {
		m.uncertain[k] = true
	}
	for k, text := range sub.defines {
		m.defines[k] = text
	}
	for k, vs := range sub.values {
		m.values[k] = append(m.values[k], vs...)
	}
	for k, vs := range sub.appended {
		m.appended[k] = append(m.appended[k], vs...)
	}
	for _, from := range []struct{ sub, into map[string]bool }{{sub.open, m.open}, {sub.fromEnv, m.fromEnv}, {sub.folders, m.folders}} {
		for k := range from.sub {
			from.into[k] = true
		}
	}
}

// makeWords splits make text at the blanks outside references.
func makeWords(s string) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == '}':
			depth--
		case (c == ' ' || c == '\t') && depth <= 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// globFiles lists the files a wildcard path names, as make's wildcard
// expansion does, in sorted order. Only the last part may hold the
// wildcard; with one in a folder part it reports false (not read).
func (r *Repo) globFiles(pattern string) ([]string, bool) {
	dir, base := path.Split(pattern)
	dir = strings.TrimSuffix(dir, "/")
	if strings.ContainsAny(dir, "*?[") {
		return nil, false
	}
	if dir == "" {
		dir = "."
	}
	if _, err := path.Match(base, ""); err != nil {
		return nil, false
	}
	var out []string
	for _, n := range r.Names(dir) {
		if ok, _ := path.Match(base, n); ok && !strings.HasPrefix(n, ".") {
			out = append(out, clean(path.Join(dir, n)))
		}
	}
	slices.Sort(out)
	return out, true
}
