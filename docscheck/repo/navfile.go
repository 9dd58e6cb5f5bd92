package repo

import (
	"path"
	"regexp"
	"strings"
)

// A site's navigation is often a data file beside its pages: a table of
// contents that names each page by its path without extension, which the
// site's renderer maps to the page (Hugging Face doc-builder's
// _toctree.yml "local: installation", Mintlify's navigation, Nextra's
// _meta.json). Which file a generator reads is its own convention; what
// all of them share is the shape: a YAML, JSON or TOML file that names
// several pages of the folder below it by path, extension left out. A
// path without extension is not a file's name: something maps it to one.

// navValue finds the words of a data file that can be a path: path
// characters that start a YAML value (after ": " or "- "), a TOML value
// (after "= "), or a quoted string. A key is found too ("- local:"),
// and counts only when it names a page.
var navValue = regexp.MustCompile(`(?:[:=-][ \t]+["']?|["'])(\.?/?[A-Za-z0-9_][A-Za-z0-9_./-]*)`)

// navExts are the data files NavFile reads.
var navExts = map[string]bool{".yml": true, ".yaml": true, ".json": true, ".toml": true}

// navMinPages: a navigation names the page and at least two others.
const navMinPages = 3

// NavFile names the data file of page's folder or one above (hidden
// files aside) that names page and at least two
// other pages by their paths from the file's folder without extension,
// or "".
func (r *Repo) NavFile(page string) string {
	for dir := path.Dir(page); ; dir = path.Dir(dir) {
		for _, nav := range r.navFiles(dir) {
			if nav.names[strings.TrimSuffix(relFrom(dir, page), path.Ext(page))] {
				return nav.path
			}
		}
		if dir == "." || dir == "/" {
			return ""
		}
	}
}

type navFile struct {
	path  string
	names map[string]bool // the pages it names, from its folder, without extension
}

// navFiles lists, memoized, the data files of dir that name at least
// navMinPages pages of the tree below dir without their extension.
func (r *Repo) navFiles(dir string) []navFile {
	return r.memo("navfiles", dir, func() any {
		var out []navFile
		for _, n := range r.Names(dir) {
			p := path.Join(dir, n)
			if !navExts[strings.ToLower(path.Ext(n))] || strings.HasPrefix(n, ".") || r.Stat(p) != File {
				continue
			}
			data, err := r.ReadFile(p)
			if err != nil || len(data) > 1<<20 {
				continue
			}
			names := map[string]bool{}
			for _, m := range navValue.FindAllSubmatch(data, -1) {
				v := strings.TrimPrefix(strings.TrimPrefix(string(m[1]), "./"), "/")
				v = strings.TrimSuffix(v, "/")
				if v == "" || path.Ext(v) != "" && r.Stat(path.Join(dir, v)) != Missing {
					continue // a file's own name, not a page's route
				}
				if r.Stat(path.Join(dir, v+".md")) == File || r.Stat(path.Join(dir, v+".mdx")) == File {
					names[v] = true
				}
			}
			if len(names) >= navMinPages {
				out = append(out, navFile{path: p, names: names})
			}
		}
		return out
	}).([]navFile)
}

// relFrom is p relative to dir, a folder at or above it.
func relFrom(dir, p string) string {
	if dir == "." {
		return p
	}
	return strings.TrimPrefix(p, dir+"/")
}
