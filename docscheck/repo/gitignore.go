package repo

import (
	"path"
	"strings"
)

// ignoreRule is one line of a .gitignore.
type ignoreRule struct {
	base     string // the folder of the .gitignore, "." at the root
	pattern  string
	negate   bool
	dirOnly  bool
	anchored bool
}

// Ignored reports whether rel (a path that need not exist) is ignored by
// the repository's .gitignore files: something a build or a run makes,
// which the repository says it does not hold. It reads the .gitignore of
// the root and of every folder above rel, and follows git's rules for the
// common forms (globs, a leading or inner "/" anchoring, a trailing "/"
// for folders, "**", "!" negation; the last match wins).
func (r *Repo) Ignored(rel string) bool {
	rel = clean(rel)
	if rel == "." || strings.HasPrefix(rel, "../") {
		return false
	}
	var rules []ignoreRule
	parts := strings.Split(rel, "/")
	for i := 0; i < len(parts); i++ {
		dir := "."
		if i > 0 {
			dir = strings.Join(parts[:i], "/")
		}
		rules = append(rules, r.ignoreRules(dir)...)
	}
	ignored := false
	for _, rule := range rules {
		if rule.matches(rel) {
			ignored = !rule.negate
		}
	}
	return ignored
}

// ignoreRules reads one folder's .gitignore, once.
func (r *Repo) ignoreRules(dir string) []ignoreRule {
	v := r.memo("gitignore", dir, func() any {
		data, err := r.ReadFile(path.Join(dir, ".gitignore"))
		if err != nil {
			return []ignoreRule(nil)
		}
		var rules []ignoreRule
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimRight(line, " \r")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			rule := ignoreRule{base: dir}
			if rest, ok := strings.CutPrefix(line, "!"); ok {
				rule.negate, line = true, rest
			}
			if rest, ok := strings.CutSuffix(line, "/"); ok {
				rule.dirOnly, line = true, rest
			}
			rule.anchored = strings.Contains(line, "/")
			rule.pattern = strings.TrimPrefix(line, "/")
			if rule.pattern != "" {
				rules = append(rules, rule)
			}
		}
		return rules
	})
	return v.([]ignoreRule)
}

// matches: the rule ignores rel or one of the folders above it.
func (g ignoreRule) matches(rel string) bool {
	if g.base != "." {
		if !strings.HasPrefix(rel, g.base+"/") {
			return false
		}
		rel = strings.TrimPrefix(rel, g.base+"/")
	}
	parts := strings.Split(rel, "/")
	for i := len(parts); i >= 1; i-- {
		if g.dirOnly && i == len(parts) {
			continue // the path itself may be a file; its folders are folders
		}
		prefix := strings.Join(parts[:i], "/")
		if g.anchored {
			if globMatch(g.pattern, prefix) {
				return true
			}
			continue
		}
		if ok, _ := path.Match(g.pattern, parts[i-1]); ok {
			return true
		}
	}
	return false
}

// globMatch is path.Match with "**" standing for any number of folders.
func globMatch(pattern, name string) bool {
	if !strings.Contains(pattern, "**") {
		ok, _ := path.Match(pattern, name)
		return ok
	}
	head, tail, _ := strings.Cut(pattern, "**")
	head = strings.TrimSuffix(head, "/")
	tail = strings.TrimPrefix(tail, "/")
	parts := strings.Split(name, "/")
	for i := 0; i <= len(parts); i++ {
		pre := strings.Join(parts[:i], "/")
		if head != "" {
			if ok, _ := path.Match(head, pre); !ok {
				continue
			}
		}
		for j := i; j <= len(parts); j++ {
			if globMatch(tail, strings.Join(parts[j:], "/")) {
				return true
			}
		}
	}
	return false
}
