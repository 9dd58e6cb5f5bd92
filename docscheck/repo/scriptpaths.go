package repo

import (
	"path"
	"regexp"
	"strings"
)

// quotedPath is a quoted path in a script's text: a string with a folder
// and an extension ('doc/sfepy_manual.pdf'); shellPath is one a shell
// script writes as a word, quoted or not (cp x/README.md docs/network.md).
var (
	quotedPath = regexp.MustCompile(`["']([\w.-]+(?:/[\w.-]+)+\.\w+)["']`)
	shellPath  = regexp.MustCompile(`(?:^|[\s'"=(])((?:\./)?[\w.-]+(?:/[\w.-]+)+\.\w+)`)
)

// scriptExtensions are the scripts NamedByScript reads.
var scriptExtensions = map[string]bool{".py": true, ".sh": true, ".bash": true}

// NamedByScript reports whether a Python or shell script of the tree names
// the file p (from the root) by its path, as a Python string or a shell
// word: a build helper that writes it (os.rename('doc/_build/latex/x.pdf',
// 'doc/x.pdf'), cp coil-gif/README.md docs/gifs.md), or one that reads it
// where another step wrote it. Either way a fresh checkout may lack it. A
// path that names a file beside the script (src/x.c in lib/make-ci.sh,
// with lib/src/x.c there) names that file, not one a build makes.
// One walk, memoized; files over joinScanMax are not read.
func (r *Repo) NamedByScript(p string) bool {
	named := r.memo("scriptpaths", ".", func() any {
		paths := map[string]bool{}
		r.walkFiles(".", "", func(file string) {
			ext := strings.ToLower(path.Ext(file))
			if !scriptExtensions[ext] {
				return
			}
			data, err := r.ReadFile(file)
			if err != nil || len(data) > joinScanMax {
				return
			}
			words := quotedPath
			if ext != ".py" {
				words = shellPath
			}
			dir := path.Dir(file)
			for _, m := range words.FindAllSubmatch(data, -1) {
				w := string(m[1])
				if r.Stat(path.Join(dir, w)) != Missing {
					// A file beside the script (its own sources, run from
					// its folder): named, not made.
					continue
				}
				// Run from the root or from its own folder.
				paths[path.Clean(w)] = true
				paths[path.Join(dir, w)] = true
			}
		})
		return paths
	}).(map[string]bool)
	return named[path.Clean(p)]
}
