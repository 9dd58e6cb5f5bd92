package check

import (
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

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

// A verdict that depends on the renderer (which URL reaches which file,
// which id a heading gets) is certain only when the renderer is known:
// github.com for a page no site publishes, or a generator docscheck
// models whose config is in the tree. rendererUnknown names the evidence
// in the tree that a page has another renderer, or "" when it has none:
//   - a folder of pages published by a site the repository does not
//     build, or by an unrecognised generator (publishedElsewhere);
//   - the page is MDX: a format a build compiles to JavaScript, which
//     no one reads raw (github.com shows its source as text);
//   - a data file (YAML, JSON, TOML) of the page's folder or one above
//     names the page and two or more other pages by their paths without
//     extension: a site's navigation, whose renderer maps each name to
//     a page (repo.NavFile);
//   - a script of the page's folder or one above (below the root)
//     imports a Markdown renderer: the folder is a site the script
//     builds (repo.MarkdownScript). Its ids are the script's to make,
//     from anything (a page's file name when it joins pages into one),
//     so no anchor on such a page is judged, whatever other evidence
//     the page has (ownRenderer).
//
// One more piece of evidence needs the whole run, so it is weighed when
// the run ends (usage.go, evidenceAuthorsUsage): the authors' own links
// in the page's scope fail too often under docscheck's model.
//
// On such a page docscheck reports only what no renderer could serve: a
// link whose target is no file under any extension or index name
// (pageUnderAnyName), an anchor that no slug rule could give from the
// target page's headings and ids (anyRendererCouldGive). Everything else
// is not judged (reasonUnknownRenderer).
func (c *Checker) rendererUnknown(page string) string {
	switch {
	case c.site(page) != nil || c.opts.Slug != "" || c.opts.SiteRoot != "":
		// A generator docscheck models, its config in the tree, or
		// the renderer the user named.
		return ""
	case c.publishedElsewhere(page):
		return evidenceElsewhere
	case strings.EqualFold(path.Ext(page), ".mdx"):
		return evidenceMDX
	case c.opts.Repo.NavFile(page) != "":
		return evidenceNavFile
	case c.opts.Repo.MarkdownScript(page) != "":
		return evidenceOwnRenderer
	case c.onlyListed(page):
		return evidenceListed
	}
	return ""
}

// onlyListed: only a folder's file list reaches the page (Files), so no
// published page says which renderer it is written for: a site's page
// browsed on github.com (a Jekyll page's root links, a custom site's
// routes) is not the site's breakage.
func (c *Checker) onlyListed(page string) bool {
	_, ok := c.listed.Load(page)
	return ok
}

// The evidence rendererUnknown finds.
const (
	evidenceElsewhere   = "published-elsewhere"
	evidenceMDX         = "mdx"
	evidenceNavFile     = "nav-file"
	evidenceOwnRenderer = "own-renderer"
	evidenceListed      = "folder-listing"
)

// ownRenderer reports whether a script of the repository renders page
// (repo.MarkdownScript), or a file of the repository joins it into
// another page (repo.JoinedBy: a template's include, a cat of pages, a
// data file listing the pages a builder joins), unless a generator
// docscheck models, or the renderer the user named, renders it. Either
// way the page's ids are made where the whole is built, from all its
// parts.
func (c *Checker) ownRenderer(page string) bool {
	return c.site(page) == nil && c.opts.Slug == "" && c.opts.SiteRoot == "" &&
		(c.opts.Repo.MarkdownScript(page) != "" || c.opts.Repo.JoinedBy(page) != "")
}

// pageUnderAnyName reports whether some renderer could serve target, a
// repository path that is not a file: a file of its folder has its name
// under another extension (x.md, x.mdx, x.html, x.ipynb for x or
// x.html), or a folder of that name holds an index page (index.* or
// README.*).
func (c *Checker) pageUnderAnyName(target string) bool {
	rp := c.opts.Repo
	target = strings.TrimSuffix(target, "/")
	stem := path.Base(target)
	if rp.Stat(target) == repo.Dir {
		return slices.ContainsFunc(rp.Names(target), func(n string) bool {
			s := strings.ToLower(strings.TrimSuffix(n, path.Ext(n)))
			return (s == "index" || s == "readme") && rp.Stat(path.Join(target, n)) == repo.File
		})
	}
	base, dir := stem, path.Dir(target)
	if servablePage(base) {
		stem = strings.TrimSuffix(base, path.Ext(base)) // x for x.html
	}
	// An image or a source file (x.jpg) is no page: no renderer serves
	// it under another name, while x.y may be the clean URL of x.y.md.
	// A page with variants (x-js.md, x-python.md: per language,
	// platform or locale) may be served under the plain name x by a
	// generator that publishes one site per variant.
	names := rp.Names(dir)
	return slices.ContainsFunc(names, func(n string) bool {
		s := strings.TrimSuffix(n, path.Ext(n))
		return (s == base || s == stem || variantOf(names, n, stem)) && servablePage(n) && rp.Stat(path.Join(dir, n)) == repo.File
	})
}

// variantOf reports whether the file name n of a folder holding names is
// a variant of the page stem: stem, then "-", "_" or "." and letters,
// digits and dashes (intro-js.md, guide.fr.md), where that suffix is a
// scheme of the folder: another page ends with it too (test-js.md). A
// suffix only one page has (custom-types.lite.md) is a page of its own.
func variantOf(names []string, n, stem string) bool {
	ext := path.Ext(n)
	rest, ok := strings.CutPrefix(strings.TrimSuffix(n, ext), stem)
	if !ok || len(rest) < 2 || strings.IndexByte("-_.", rest[0]) < 0 ||
		strings.IndexFunc(rest[1:], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) >= 0 {
		return false
	}
	others := 0
	for _, m := range names {
		if m != n && strings.HasSuffix(m, rest+ext) && len(m) > len(rest+ext) {
			others++
		}
	}
	return others > 0
}

// servablePage: a file a renderer serves as a page, under a URL that
// may drop or change its extension.
func servablePage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".mdx", ".markdown", ".html", ".htm", ".ipynb", ".rst", ".adoc":
		return true
	}
	return false
}

// publishedElsewhere reports whether page lies in a folder published by a
// site the repository does not build (see reasonUnknownRenderer).
func (c *Checker) publishedElsewhere(page string) bool {
	return c.elsewhereRoot(page) != ""
}

// elsewhereRoot is the folder of pages that a renderer docscheck does not
// know publishes with page in it (publishedElsewhere), or "".
func (c *Checker) elsewhereRoot(page string) string {
	if c.site(page) != nil || c.opts.Slug != "" {
		return ""
	}
	for _, dir := range c.unknownRendererFolders() {
		if under(page, dir) {
			return dir
		}
	}
	for _, dir := range c.rendered {
		if under(page, dir) && !c.linkedFromPublished[page] {
			return dir
		}
	}
	return ""
}

// climbsOutOfAssembled reports whether resolved, the target of a
// relative link on page, lies outside a folder that holds page and that
// a site built in another repository takes in (c.assembled: a folder
// holding a generator's own files whose config is not here): that site
// puts the folder among pages of its own, where the link lands. A folder a site
// of this repository publishes (one the README names on the web, one the
// build publishes) gives no such evidence: what lies outside it is this
// tree's.
func (c *Checker) climbsOutOfAssembled(page, resolved string) bool {
	c.unknownRendererFolders()
	return slices.ContainsFunc(c.assembled, func(dir string) bool { return under(page, dir) && !under(resolved, dir) })
}

// fromElsewhereRoot reports whether target, a relative link of page that
// is missing beside it, is there from the root of the folder of pages a
// renderer docscheck does not know publishes, when that folder serves an
// index.html: a renderer in the browser (docsify, docute) shows every
// page at that one web page's address, and resolves a page's links from
// its site's root (docsify does unless its relativePath is on), so the
// link is not certainly missing. A site built elsewhere (a folder the
// README sends readers to on the web) gives no such evidence: its links
// resolve as github.com resolves them unless the tree shows otherwise.
func (c *Checker) fromElsewhereRoot(page, target string) bool {
	root := c.elsewhereRoot(page)
	if root == "" || strings.HasPrefix(target, "/") || c.opts.Repo.Stat(path.Join(root, "index.html")) != repo.File {
		return false
	}
	joined := joinPath(root, target)
	return joined != ".." && !strings.HasPrefix(joined, "../") && under(joined, root) && c.opts.Repo.Stat(joined) != repo.Missing
}

// unknownRendererFolders finds, once, the folders whose pages a renderer
// docscheck does not know publishes: those the README sends readers to
// on another site, those holding a site generator's own files while its
// config is not in the repository (repo.GeneratorFolders), and those
// made of pages that something publishes
// (repo.RenderedFolders). Pages of the latter that a published page
// links to are read on github.com like it, so they keep its rules.
func (c *Checker) unknownRendererFolders() []string {
	c.elsewhereOnce.Do(func() {
		c.elsewhere = c.foldersPublishedElsewhere()
		if !c.opts.NoSiteDetection && c.opts.SiteRoot == "" && c.opts.Slug == "" {
			c.rendered = c.opts.Repo.RenderedFolders(c.nearSite)
			// A folder holding a generator's own files whose config is
			// not here: that generator publishes every page of it,
			// whichever other page links it.
			c.assembled = c.opts.Repo.GeneratorFolders(c.nearSite)
			c.elsewhere = append(c.elsewhere, c.assembled...)
		}
		if len(c.rendered) > 0 {
			c.linkedFromPublished = c.published(c.siteEntryPoints(), ".", func(string) {})
		}
	})
	return c.elsewhere
}

// nearSite reports whether a recognised site's pages hold the folder or
// lie inside it: its pages are the site's, judged by the site's rules.
func (c *Checker) nearSite(dir string) bool {
	return slices.ContainsFunc(c.sites, func(s repo.Site) bool { return s.Contains(dir) || under(s.Pages, dir) })
}

// foldersPublishedElsewhere lists the root folders, made of pages, that
// a root README names as the whole path of an external web address.
func (c *Checker) foldersPublishedElsewhere() []string {
	rp := c.opts.Repo
	var out []string
	for _, n := range rp.Names(".") {
		if !destinationsRead(n) || rp.Stat(n) != repo.File {
			continue
		}
		pg, err := c.load(n)
		if err != nil || pg.tooComplex != "" {
			continue
		}
		for _, dest := range pg.destinations() {
			if d := c.nestedSection(dest); d != "" && !slices.Contains(out, d) {
				out = append(out, d)
				continue
			}
			dir := externalFolder(dest)
			if dir == "" {
				continue
			}
			for _, d := range rp.Names(".") {
				// A folder named as this repository is the project's own
				// source (locust/ in locust): an address ending in the
				// project's name names the project (a blog, a registry
				// page), not that folder.
				// A folder that is not made of pages (an API description
				// with its README) is not what a site at that address
				// publishes: the address names a section of a site built
				// elsewhere.
				if strings.EqualFold(d, dir) && rp.Stat(d) == repo.Dir && c.site(path.Join(d, "x.md")) == nil && !c.isThisRepository(d) && rp.MadeOfPages(d) {
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
	p := externalPath(dest)
	if p != "" && !strings.Contains(p, "/") {
		return p
	}
	return ""
}

// externalPath is the path of an http(s) address outside the code hosts,
// without its outer slashes, or "".
func externalPath(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range repo.CodeHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return ""
		}
	}
	return strings.Trim(u.Path, "/")
}

// nestedSection is the folder one level below the root that an external
// address of two parts ending in a slash names as a section of a site
// built elsewhere ("site/docs" for https://example.org/content/docs/:
// the site serves the pages of site/ under /content/), or "": the
// address's first part is no folder of the tree (an address whose path
// is a folder's path names that folder as it is: foldersPublishedElsewhere
// weighs those at the root), its last part is the folder's name, and of
// the root's folders exactly one holds a folder of that name made of
// pages, which no site docscheck recognises publishes. A deep page's
// address (https://example.org/docs/intro) names no section.
func (c *Checker) nestedSection(dest string) string {
	p := externalPath(dest)
	first, last, ok := strings.Cut(p, "/")
	if !ok || first == "" || strings.Contains(last, "/") || !strings.HasSuffix(strings.SplitN(dest, "?", 2)[0], "/") {
		return ""
	}
	rp := c.opts.Repo
	if rp.Stat(first) != repo.Missing || c.isThisRepository(last) {
		return ""
	}
	found := ""
	for _, top := range rp.Names(".") {
		d := path.Join(top, last)
		if strings.HasPrefix(top, ".") || rp.Stat(d) != repo.Dir || !rp.MadeOfPages(d) || c.site(path.Join(d, "x.md")) != nil {
			continue
		}
		if found != "" {
			return "" // two folders of that name: the address says not which
		}
		found = d
	}
	return found
}

// destinations lists the destinations of a page's links, autolinks and
// HTML hrefs, found once.
func (pg *page) destinations() []string {
	pg.destsOnce.Do(func() { pg.dests = pageDestinations(pg) })
	return pg.dests
}

// readAsHTML reports whether the page links another page by the HTML
// file the repository's build writes from it (x.html for x.md beside the
// target, x.html ignored by the .gitignore or written by a Makefile): the
// page is written to be read as HTML that a generator the repository does
// not name builds, so its own fragments follow that generator's id rule,
// which is not in the repository.
func (c *Checker) readAsHTML(pg *page) bool {
	pg.asHTMLOnce.Do(func() {
		for _, dest := range pg.destinations() {
			dest, _, _ = strings.Cut(dest, "#")
			dest, _, _ = strings.Cut(dest, "?")
			if dest == "" || hasScheme(dest) || strings.HasPrefix(dest, "/") || !strings.EqualFold(path.Ext(dest), ".html") {
				continue
			}
			if t := joinPath(dirOf(pg.path), dest); c.opts.Repo.Stat(t) == repo.Missing && c.builtFromPage(t) &&
				(c.opts.Repo.Ignored(t) || c.madeByBuild(t)) {
				pg.asHTML = true
				return
			}
		}
	})
	return pg.asHTML
}

// destinationsRead: foldersPublishedElsewhere reads the destinations of
// the root READMEs.
func destinationsRead(p string) bool {
	return !strings.Contains(p, "/") && isMarkdown(p) && strings.HasPrefix(strings.ToLower(p), "readme")
}

// pageDestinations lists the destinations of a page's links, autolinks
// and HTML hrefs.
func pageDestinations(pg *page) []string {
	var out []string
	src := pg.source
	for _, n := range pg.linkNodes {
		switch n := n.(type) {
		case *ast.Link:
			out = append(out, destination(n.Destination))
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

// servedElsewhere reports whether a missing target may be a file the
// site serves from another folder: an asset whose path ends some file's
// path ("assets/x.png" from docs/assets/x.png), or a page whose path,
// folders included, does (a README copied into the site keeps links
// from the root: "./docs/api/x.md"). A page by its bare name is a page
// beside this one: another folder's page of that name is another page.
func (c *Checker) servedElsewhere(target string) bool {
	rest := strings.TrimLeft(strings.ReplaceAll(target, "../", ""), "./")
	if isPage(target) && !strings.Contains(rest, "/") {
		return false
	}
	return c.fileEndingIn(target)
}

// fileEndingIn reports whether some file of the repository has the path
// target (its leading ./ and ../ dropped) as its last parts: a site may
// serve it there ("assets/x.png" from docs/assets/x.png).
func (c *Checker) fileEndingIn(target string) bool {
	rest := target
	for {
		if r, ok := strings.CutPrefix(rest, "./"); ok {
			rest = r
		} else if r, ok := strings.CutPrefix(rest, "../"); ok {
			rest = r
		} else {
			break
		}
	}
	if rest == "" {
		return false
	}
	return slices.ContainsFunc(c.filesNamed(path.Base(rest)), func(p string) bool { return p == rest || strings.HasSuffix(p, "/"+rest) })
}

// inTree reports whether the repository holds a file named name, or named
// as name is but for the suffix and letter case: what code copies or
// converts from the tree (README.md to readme.rst) keeps that much of
// its name.
func (c *Checker) inTree(name string) bool {
	c.filesNamed(name)
	return c.fileStems[repo.FileStem(name)]
}

// filesNamed lists the repository's files whose name is name (outside
// hidden folders and node_modules), from one walk of the tree.
func (c *Checker) filesNamed(name string) []string {
	c.filesOnce.Do(func() {
		c.filesByName = map[string][]string{}
		c.fileStems = map[string]bool{}
		var walk func(dir string)
		walk = func(dir string) {
			for _, n := range c.opts.Repo.Names(dir) {
				p := path.Join(dir, n)
				switch c.opts.Repo.WalkStat(p) {
				case repo.Dir:
					if !strings.HasPrefix(n, ".") && n != "node_modules" {
						walk(p)
					}
				case repo.File:
					c.filesByName[n] = append(c.filesByName[n], p)
					c.fileStems[repo.FileStem(n)] = true
				}
			}
		}
		walk(".")
	})
	return c.filesByName[name]
}
