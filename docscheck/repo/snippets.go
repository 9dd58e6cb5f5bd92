package repo

import (
	"bytes"
	"path"
	"regexp"
	"strings"
)

// pymdownx.snippets pastes a file's text into a page where the page
// writes --8<-- "file", before the page is parsed: the file's headings
// are the page's, and its links are read where the page is. The file is
// looked up in each folder of the extension's base_path in turn (by
// default ".", the folder MkDocs runs in, which is the config's).

// snippetLine is a snippet include line: --8<-- "file".
var snippetLine = regexp.MustCompile(`(?m)^[ \t]*-+8<-+[ \t]+["']([^"'\n]+)["'][ \t]*$`)

// SnippetIncludes lists the files a page's snippet lines name, as written.
func SnippetIncludes(src []byte) []string {
	var out []string
	for _, n := range SnippetNames(src) {
		out = append(out, n.Name)
	}
	return out
}

// SnippetName is a file a snippet line names, as written, and the byte
// offset of that name in the page.
type SnippetName struct {
	Name   string
	Offset int
}

// SnippetNames lists a page's snippet lines.
func SnippetNames(src []byte) []SnippetName {
	if !bytes.Contains(src, []byte("8<")) {
		return nil // no page without the marker has an include line; the scan is costly
	}
	var out []SnippetName
	for _, m := range snippetLine.FindAllSubmatchIndex(src, -1) {
		out = append(out, SnippetName{Name: string(src[m[2]:m[3]]), Offset: m[2]})
	}
	return out
}

// SnippetFile is the repository file a snippet line of the site's pages
// names: the first base path folder that holds it; "" when none does, or
// when the site does not run the extension.
func (r *Repo) SnippetFile(s Site, written string) string {
	for _, base := range s.SnippetBases {
		p := path.Join(base, written)
		if strings.HasPrefix(p, "../") || p == ".." {
			continue // the extension keeps includes inside their base path
		}
		if r.Stat(p) == File {
			return p
		}
	}
	return ""
}

// SnippetIncluders are the pages of the site that paste file in with a
// snippet line: where the file's text is read on the site.
func (r *Repo) SnippetIncluders(s Site, file string) []string {
	if len(s.SnippetBases) == 0 {
		return nil
	}
	includers := r.memo("snippet-includers", s.Config, func() any {
		m := map[string][]string{}
		r.walkFiles(s.Pages, ".md", func(page string) {
			src, err := r.ReadFile(page)
			if err != nil {
				return
			}
			for _, written := range SnippetIncludes(src) {
				if f := r.SnippetFile(s, written); f != "" && f != page {
					m[f] = append(m[f], page)
				}
			}
		})
		return m
	}).(map[string][]string)
	return includers[file]
}
