package repo

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ToxEnvs are the environments a tox.ini declares: the entries of its
// env_list (envlist), the names of its [testenv:NAME] sections and the
// members of its labels, each generative name ("py3{11,12}-{lint,docs}")
// expanded. Factors are every factor ("-"-separated part) of those names
// and of the factor conditions in its settings ("lint: flake8"), which
// tox accepts in combinations too. Known is false where the file may
// declare environments its text does not show: a substitution in a name,
// a tox older than 4.9 that its requires admits (tox runs that one, and
// before 4.9 it made any environment it was asked for), or a plugin it
// requires, which may add environments of its own. (minversion is a
// lower bound: today's tox meets it.)
type ToxEnvs struct {
	Names   []string
	Factors []string
	Known   bool
}

var (
	// inlineComment is a comment after a value, from white space and "#".
	inlineComment = regexp.MustCompile(`[ \t]#.*$`)
	// iniSection is an ini section header.
	iniSection = regexp.MustCompile(`^\[([^\]]+)\]\s*$`)
	// iniKey is a setting at the start of a line: its key and value.
	iniKey = regexp.MustCompile(`^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$`)
	// toxCondition is a setting line's factor condition ("py311,lint: x").
	toxCondition = regexp.MustCompile(`^\s*([!\w.{},-]+):\s`)
	// toxRequirement is a requirement's package name and version clause.
	toxRequirement = regexp.MustCompile(`^([A-Za-z0-9][\w.-]*)\s*(.*)$`)
	// toxOld is a version clause that admits a tox older than 4.9 (an
	// upper bound below it, an exact 3.x or early 4.x), which tox then
	// provisions and runs.
	toxOld = regexp.MustCompile(`(?:<=?|==|~=)\s*(?:[0-3](?:\.|$|\s|,)|4(?:\.[0-8])?(?:\.|$|\s|,))`)
)

// ToxEnvs reads the tox.ini at file.
func (r *Repo) ToxEnvs(file string) ToxEnvs {
	return r.memo("tox", file, func() any {
		src, err := r.ReadFile(file)
		if err != nil {
			return ToxEnvs{}
		}
		return parseToxINI(string(src))
	}).(ToxEnvs)
}

func parseToxINI(text string) ToxEnvs {
	out := ToxEnvs{Known: true}
	names := func(list string) {
		for _, entry := range splitOutsideBraces(list) {
			expanded, ok := expandBraces(entry)
			if !ok {
				out.Known = false
				continue
			}
			out.Names = append(out.Names, expanded...)
		}
	}
	section, key := "", ""
	values := map[string]string{} // [tox]'s settings, continuation lines joined
	for _, line := range strings.Split(text, "\n") {
		// A "#" after white space starts a comment that ends the line
		// (tox strips it from values: "py313  # EOL 2028").
		if strings.IndexByte(line, '#') >= 0 {
			if i := inlineComment.FindStringIndex(line); i != nil {
				line = line[:i[0]]
			}
		}
		line = strings.TrimRight(line, "\r \t")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if line[0] == '[' {
			if m := iniSection.FindStringSubmatch(line); m != nil {
				section, key = strings.TrimSpace(m[1]), ""
				if env, ok := strings.CutPrefix(section, "testenv:"); ok {
					names(env)
				}
				continue
			}
		}
		indented := line[0] == ' ' || line[0] == '\t'
		if !indented {
			if m := iniKey.FindStringSubmatch(line); m != nil {
				key = strings.ReplaceAll(m[1], "_", "")
				if section == "tox" {
					values[key] = m[2]
				}
				line = m[2]
			}
		} else if section == "tox" && key != "" {
			values[key] += "\n" + trimmed
		}
		if strings.HasPrefix(section, "testenv") && strings.Contains(line, ": ") {
			if m := toxCondition.FindStringSubmatch(line); m != nil {
				for _, f := range strings.FieldsFunc(m[1], func(c rune) bool { return strings.ContainsRune("!,-{}", c) }) {
					out.Factors = append(out.Factors, f)
				}
			}
		}
	}
	names(values["envlist"])
	for _, l := range strings.Split(values["labels"], "\n") {
		if _, members, ok := strings.Cut(l, "="); ok {
			names(members)
		}
	}
	for _, req := range splitOutsideBraces(values["requires"]) {
		m := toxRequirement.FindStringSubmatch(req)
		if m == nil {
			continue
		}
		switch strings.ToLower(m[1]) {
		case "tox":
			if toxOld.MatchString(m[2]) {
				out.Known = false
			}
		case "virtualenv", "pip", "setuptools", "wheel", "tox-uv":
		default:
			out.Known = false
		}
	}
	for _, n := range out.Names {
		out.Factors = append(out.Factors, strings.Split(n, "-")...)
	}
	slices.Sort(out.Names)
	out.Names = slices.Compact(out.Names)
	slices.Sort(out.Factors)
	out.Factors = slices.Compact(out.Factors)
	return out
}

// Has reports whether tox runs an environment of that name: one it
// declares, ALL, or one whose every factor is a Python version
// ("py312", "3.12", "pypy3") or a factor of the file's names and
// conditions.
func (e ToxEnvs) Has(name string) bool {
	if name == "ALL" || slices.Contains(e.Names, name) {
		return true
	}
	for _, f := range strings.Split(name, "-") {
		if !pythonFactor.MatchString(f) && !slices.Contains(e.Factors, f) {
			return false
		}
	}
	return true
}

// pythonFactor is a factor tox reads as a Python to run with.
var pythonFactor = regexp.MustCompile(`^(?:(?:py|pypy|cpython|graalpy|jython|rustpython)(?:\d+(?:\.\d+)*t?)?|\d+(?:\.\d+)*t?)$`)

// splitOutsideBraces splits a tox list at commas and line ends that are
// not inside braces, trimming each entry and dropping empty ones.
func splitOutsideBraces(s string) []string {
	var out []string
	depth, start := 0, 0
	add := func(end int) {
		if e := strings.TrimSpace(s[start:end]); e != "" {
			out = append(out, e)
		}
		start = end + 1
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',', '\n':
			if depth <= 0 {
				add(i)
			}
		}
	}
	add(len(s))
	return out
}

// expandBraces expands tox's generative names: each {a,b} group is one
// of its alternatives, each {3-5} group one of the numbers of its range.
// It reports false for a group it cannot expand (a substitution such as
// {[tox]envs} or {env:X}, nested braces, an empty group).
func expandBraces(name string) ([]string, bool) {
	open := strings.IndexByte(name, '{')
	if open < 0 {
		if strings.ContainsAny(name, "} \t") {
			return nil, false
		}
		return []string{name}, true
	}
	end := strings.IndexByte(name[open:], '}')
	if end < 0 {
		return nil, false
	}
	inner := name[open+1 : open+end]
	if inner == "" || strings.ContainsAny(inner, "{[]:= \t") {
		return nil, false
	}
	alternatives := strings.Split(inner, ",")
	if lo, hi, ok := strings.Cut(inner, "-"); ok && len(alternatives) == 1 {
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if errA != nil || errB != nil || b < a || b-a > 100 {
			return nil, false
		}
		alternatives = nil
		for n := a; n <= b; n++ {
			alternatives = append(alternatives, strconv.Itoa(n))
		}
	}
	rest, ok := expandBraces(name[open+end+1:])
	if !ok {
		return nil, false
	}
	var out []string
	for _, alt := range alternatives {
		for _, tail := range rest {
			out = append(out, name[:open]+strings.TrimSpace(alt)+tail)
		}
	}
	return out, true
}
