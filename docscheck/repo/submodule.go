package repo

import (
	"bufio"
	"bytes"
	"strings"
)

// InSubmodule reports whether rel lies in a git submodule the root's
// .gitmodules declares (its folder or below). A clone made without
// --recurse-submodules holds an empty folder there, and a page may tell
// the reader to clone recursively: what the submodule holds is another
// repository's, not this tree's, so a path there is neither certainly
// present nor certainly missing.
func (r *Repo) InSubmodule(rel string) bool {
	rel = clean(rel)
	for _, sub := range r.submodulePaths() {
		if rel == sub || strings.HasPrefix(rel, sub+"/") {
			return true
		}
	}
	return false
}

// submodulePaths lists, memoized, the path = values of .gitmodules.
func (r *Repo) submodulePaths() []string {
	return r.memo("gitmodules", ".", func() any {
		data, err := r.ReadFile(".gitmodules")
		if err != nil {
			return []string(nil)
		}
		var out []string
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			key, value, ok := strings.Cut(sc.Text(), "=")
			if ok && strings.TrimSpace(key) == "path" {
				if p := clean(strings.Trim(strings.TrimSpace(value), `"`)); p != "." && !strings.HasPrefix(p, "../") {
					out = append(out, p)
				}
			}
		}
		return out
	}).([]string)
}
