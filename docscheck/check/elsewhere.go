package check

import (
	"net/url"
	"path"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/yuin/goldmark/ast"
)

// A folder of pages can be published by a site the repository does not
// build: no site generator of the tree covers the folder, and the README
// sends its readers to a web address outside the code host whose whole
// path is the folder's name, the folder served as a section of the site
// ("the documentation: https://example.org/doc/" for doc/; a deep page
// such as https://example.org/docs/latest/security says nothing about a
// folder security/). That site's renderer makes the pages' heading ids, and nothing in
// the repository says how. So an anchor on such a page is judged only when
// none of the page's markup could give it (textCouldGive, as on a site
// whose config docscheck does not model); otherwise it is not judged, with
// this reason. Links to files and paths are judged as before: the files
// are there (such a site often holds the project's development pages too,
// which name the repository's own scripts).
const reasonUnknownRenderer = "unknown-renderer"

// codeHosts serve the repository's own files: a link to them is the
// repository rendered by the host, whose rules docscheck models.
var codeHosts = []string{"github.com", "githubusercontent.com", "gitlab.com", "bitbucket.org"}

// publishedElsewhere reports whether page lies in a folder published by a
// site the repository does not build (see reasonUnknownRenderer).
func (c *Checker) publishedElsewhere(page string) bool {
	if c.site(page) != nil || c.opts.Slug != "" {
		return false
	}
	c.elsewhereOnce.Do(func() { c.elsewhere = c.foldersPublishedElsewhere() })
	for _, dir := range c.elsewhere {
		if under(page, dir) {
			return true
		}
	}
	return false
}

// foldersPublishedElsewhere lists the root folders that a root README
// names as the whole path of an external web address.
func (c *Checker) foldersPublishedElsewhere() []string {
	rp := c.opts.Repo
	var out []string
	for _, n := range rp.Names(".") {
		if !isMarkdown(n) || !strings.HasPrefix(strings.ToLower(n), "readme") || rp.Stat(n) != repo.File {
			continue
		}
		pg, err := c.load(n)
		if err != nil || pg.tooComplex != "" {
			continue
		}
		for _, dest := range pageDestinations(pg) {
			dir := externalFolder(dest)
			if dir == "" {
				continue
			}
			for _, d := range rp.Names(".") {
				if strings.EqualFold(d, dir) && rp.Stat(d) == repo.Dir && c.site(path.Join(d, "x.md")) == nil {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// externalFolder is the path of an http(s) address outside the code
// hosts when it is one part ("doc" for https://example.org/doc/), or "".
func externalFolder(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range codeHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return ""
		}
	}
	if p := strings.Trim(u.Path, "/"); p != "" && !strings.Contains(p, "/") {
		return p
	}
	return ""
}

// pageDestinations lists the destinations of a page's links, autolinks
// and HTML hrefs.
func pageDestinations(pg *page) []string {
	var out []string
	src := pg.source
	for _, n := range pg.linkNodes {
		switch n := n.(type) {
		case *ast.Link:
			out = append(out, string(n.Destination))
		case *ast.AutoLink:
			out = append(out, string(n.URL(src)))
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				htmlLinks(string(seg.Value(src)), seg.Start, func(d string, _ int) { out = append(out, d) })
			}
		case *ast.HTMLBlock:
			htmlLinks(blockText(n, src), 0, func(d string, _ int) { out = append(out, d) })
		}
	}
	return out
}
