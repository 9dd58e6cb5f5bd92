package repo

import (
	"path"
	"regexp"
	"strings"
)

// The paths a script writes: a Python call's destination (the last
// argument of a rename, move or copy, a file opened for writing), a shell
// line's (the last word of a cp, mv, ln, install or rsync, a redirection's
// target). A path a script only reads or compares ([[ $f == doc/x.png ]])
// is not one.
var (
	pythonWrite = regexp.MustCompile(`\b(?:rename|replace|move|copy|copyfile|copy2|copytree|symlink)\([^()\n]*,\s*(?:[rfb]?)["']([^"'\n]+)["']\s*\)` +
		`|\bopen\(\s*["']([^"'\n]+)["']\s*,\s*["'][wax]`)
	shellWrite = regexp.MustCompile(`(?m)(?:^|[;&|(]|\bthen|\bdo)[ \t]*(?:cp|mv|ln|install|rsync)\b[^\n;&|#]*[ \t]["']?([^\s"';&|]+)["']?[ \t]*$` +
		`|>>?[ \t]*["']?([^\s"';&|<>()]+)`)
)

// scriptExtensions are the scripts WrittenByScript reads, by the expression
// that finds what they write.
var scriptExtensions = map[string]*regexp.Regexp{".py": pythonWrite, ".sh": shellWrite, ".bash": shellWrite}

// WrittenByScript reports whether a Python or shell script of the tree
// writes the file p (from the root): a build helper that makes it
// (os.rename('doc/_build/latex/x.pdf', 'doc/x.pdf'), cp
// coil-gif/README.md docs/gifs.md), so a fresh checkout may lack it. A
// written path is read from the root and from the script's folder. One
// walk, memoized; files over joinScanMax are not read.
func (r *Repo) WrittenByScript(p string) bool {
	written := r.memo("scriptwrites", ".", func() any {
		paths := map[string]bool{}
		r.walkFiles(".", "", func(file string) {
			writes := scriptExtensions[strings.ToLower(path.Ext(file))]
			if writes == nil {
				return
			}
			data, err := r.ReadFile(file)
			if err != nil || len(data) > joinScanMax {
				return
			}
			dir := path.Dir(file)
			for _, m := range writes.FindAllSubmatch(data, -1) {
				w := string(m[1]) + string(m[2])
				if w == "" || strings.ContainsAny(w, "$*?{}`") || strings.HasPrefix(w, "/") {
					continue // a variable, a glob, a path outside the tree
				}
				paths[path.Clean(w)] = true
				paths[path.Join(dir, w)] = true
			}
		})
		return paths
	}).(map[string]bool)
	return written[path.Clean(p)]
}
