package check

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/docscheck/rst"
	"github.com/yuin/goldmark/ast"
)

// Which pages are docs is decided from the repository itself, not from a
// list of folder names. A page is published when it is an entry point or
// a published page links to it:
//   - the Markdown files at the root (README.md and its peers), and the
//     pages a root README in another markup names by their code host's
//     address, or a root README.rst by its link targets (otherReadmeLinks);
//   - every Markdown file under .github/, and the reStructuredText pages
//     of the root and .github/ outside a Sphinx project, which github.com
//     renders with docutils (githubRSTPages);
//   - the page a package registry shows for each package that the root
//     holds or the build files name (its folder, or the folder of
//     packages it lies in): a Helm chart's README (Artifact Hub), the
//     readme a pyproject.toml declares (PyPI) (repo.RegistryPages);
//   - the pages folder of each published docs site: one whose config sits
//     at the root, or in a folder the repository's build files name (CI
//     workflows, the root package.json or Makefile, netlify.toml, ...);
//   - every page of a folder made of pages that the build files name
//     (not only for rm to delete it: a build's output) or an index.html
//     serves, rendered by a generator docscheck does not know
//     (repo.RenderedFolders; judged as such, elsewhere.go);
//   - then every Markdown page (or folder README) a published page links
//     to, transitively;
//   - then the README of every other folder (GitHub shows it below the
//     folder's files) and the pages it links to, transitively: their
//     links and anchors are judged, their commands are not
//     (reasonBrowsedPage). Folders of another project's files or a
//     test's inputs (notDocsFolders), hidden ones, ignored ones,
//     submodules and those a site or another renderer publishes are
//     left out;
//   - then, the same way, the Markdown pages right inside each folder a
//     page read so far links to as a folder: github.com lists its files.
//
// A page the Makefile of its folder writes by a recipe (a manual built
// from the site's pages) is a build output, not a published page.
// A sample book under tests/ that nothing links to is not published. A
// file named on the command line is checked whatever it is; a folder
// named on it means the published pages under it, with its own Markdown
// files as further entry points.

// Files expands the PATH arguments (files or folders, relative to the
// root) into the sorted list of pages to check. A symbolic link to a page
// in the repository is checked once, as the page it points to.
func (c *Checker) Files(paths []string) ([]string, error) {
	return c.files(paths, nil)
}

// files is Files, handing each page to found (when not nil) as soon as
// it is known to be one of the pages to check, its links followed.
func (c *Checker) files(paths []string, found func(string)) ([]string, error) {
	if found == nil {
		found = func(string) {}
	}
	// Only this walk says which pages are reached by browsing alone: a
	// page named on the command line is checked whatever it is.
	c.browsed.Clear()
	c.listed.Clear()
	c.forSite.Clear()
	var files, folders []string
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(p, "./"))
		switch c.opts.Repo.Stat(p) {
		case repo.File:
			files = append(files, c.pageAt(p))
		case repo.Dir:
			folders = append(folders, p)
		default:
			return nil, inputError(p, c.opts.Repo.Root())
		}
	}
	for _, f := range files {
		found(f)
	}
	if len(folders) > 0 {
		// A published page under a folder argument is one of that
		// folder's pages (an entry point of its walk below).
		underFolder := func(p string) {
			if slices.ContainsFunc(folders, func(dir string) bool { return under(p, dir) }) {
				found(p)
			}
		}
		published := c.published(c.entryPoints(), ".", underFolder)
		// Then the README of every folder, and the pages it links to:
		// GitHub shows a folder's README below its file list, so a
		// reader browsing the tree reads it though no page links it.
		browsed := c.published(c.folderReadmes("."), ".", func(p string) {
			if !published[p] {
				c.browsed.Store(p, true)
				underFolder(p)
			}
		})
		for p := range browsed {
			published[p] = true
		}
		// Then the pages of each folder a page read so far links to as a
		// folder: github.com lists its files, and the reader opens a page
		// from the list. They are browsed pages, as a folder's README is,
		// and no published page says which renderer they are written for.
		listed := c.published(c.listedPages(published), ".", func(p string) {
			if !published[p] {
				c.browsed.Store(p, true)
				c.listed.Store(p, true)
				underFolder(p)
			}
		})
		for p := range listed {
			published[p] = true
		}
		for _, dir := range folders {
			var entries []string
			for _, n := range c.opts.Repo.Names(dir) {
				if p := path.Join(dir, n); isMarkdown(n) && c.opts.Repo.Stat(p) == repo.File {
					entries = append(entries, p)
				}
			}
			for p := range published {
				if under(p, dir) {
					entries = append(entries, p)
				}
			}
			for p := range c.published(entries, dir, found) {
				files = append(files, p)
			}
		}
		// A Sphinx project builds every page of its source folder (its
		// pages link by document names and toctrees, which the links
		// between Markdown pages do not follow); github.com renders the
		// reStructuredText pages of the root and .github as it does
		// Markdown ones.
		for _, p := range append(c.sphinxPages(), c.githubRSTPages()...) {
			if slices.ContainsFunc(folders, func(dir string) bool { return under(p, dir) }) {
				found(p)
				files = append(files, p)
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// EntryPoints lists the repository's entry pages (see Files): those of
// its root, .github and published sites, then those of the folders of
// pages that a renderer docscheck does not know publishes.
func (c *Checker) entryPoints() []string {
	entries := c.siteEntryPoints()
	c.unknownRendererFolders()
	for _, dir := range c.rendered {
		entries = append(entries, c.markdownUnder(dir)...)
	}
	return entries
}

// isReadmePage: a page file named README (any case), the one GitHub
// shows in its folder's view.
func isReadmePage(name string) bool {
	return isPage(name) && strings.EqualFold(strings.TrimSuffix(name, path.Ext(name)), "readme")
}

// notDocsFolders hold another project's files (vendored code) or a
// test's inputs (fixtures, snapshots): their READMEs are not this
// repository's docs, whatever GitHub shows.
var notDocsFolders = map[string]bool{
	"node_modules": true, "vendor": true, "third_party": true, "third-party": true, "thirdparty": true,
	"testdata": true, "fixtures": true, "__fixtures__": true, "fixture": true, "__snapshots__": true,
	"snapshots": true, "__mocks__": true,
}

// folderReadmes lists the README of every folder under dir: GitHub shows
// a folder's README below its file list, so a reader browsing the tree
// reads it as a page (whose commands are not judged: reasonBrowsedPage).
// Folders whose pages a site or another renderer
// publishes (judged by their rules, or not at all), folders git does not
// hold (ignored, submodules) and folders of another project's files or a
// test's inputs (notDocsFolders) are left out.
func (c *Checker) folderReadmes(dir string) []string {
	rp := c.opts.Repo
	var out []string
	for _, n := range rp.Names(dir) {
		p := path.Join(dir, n)
		if !c.browsable(p) {
			continue
		}
		for _, m := range rp.Names(p) {
			readme := path.Join(p, m)
			// A README that is a symbolic link shows a page written for
			// another place (its target's folder, a registry's page, a
			// site's): browsing to it does not make its links this
			// folder's. It is read where it points, if anything there is.
			if isReadmePage(m) && rp.Stat(readme) == repo.File && rp.Resolve(readme) == readme {
				out = append(out, readme)
			}
		}
		out = append(out, c.folderReadmes(p)...)
	}
	return out
}

// listedPages are the Markdown pages right inside each folder that one of
// pages links to as a folder (its file list on github.com), when that
// folder is one browsing reads (browsable).
func (c *Checker) listedPages(pages map[string]bool) []string {
	var out []string
	for p := range pages {
		pg, err := c.load(p)
		if err != nil || pg.tooComplex != "" {
			continue
		}
		c.findLinks(pg)
		for _, dir := range pg.linkedDirs {
			if !c.browsable(dir) {
				continue
			}
			for _, n := range c.opts.Repo.Names(dir) {
				if q := path.Join(dir, n); isMarkdown(n) && c.opts.Repo.Stat(q) == repo.File {
					out = append(out, q)
				}
			}
		}
	}
	return out
}

// browsable reports whether browsing the tree reads the pages of folder
// dir: not the root (whose pages are entry points), nor a folder git does
// not hold (ignored, a submodule), a hidden one, one of another project's
// files or a test's inputs (notDocsFolders, or a folder below a copy of
// another repository: repo.CopyOfAnotherRepository), or one whose pages a
// site or another renderer publishes (judged by their rules, or not at
// all).
func (c *Checker) browsable(dir string) bool {
	rp := c.opts.Repo
	if dir == "." || rp.WalkStat(dir) != repo.Dir || rp.Ignored(dir) || rp.InSubmodule(dir) || c.nearSite(dir) {
		return false
	}
	for part := range strings.SplitSeq(dir, "/") {
		if strings.HasPrefix(part, ".") || notDocsFolders[strings.ToLower(part)] {
			return false
		}
	}
	for d := dir; d != "."; d = path.Dir(d) {
		if rp.CopyOfAnotherRepository(d) {
			return false
		}
	}
	elsewhere := c.unknownRendererFolders() // c.rendered is found with it
	return !slices.ContainsFunc(elsewhere, func(d string) bool { return under(dir, d) }) &&
		!slices.ContainsFunc(c.rendered, func(d string) bool { return under(dir, d) })
}

// communityHealthNames are the pages GitHub reads as a repository's
// community health files (without extension), in the upper case its docs
// and most repositories write them, wherever of the root, .github or docs
// they lie.
var communityHealthNames = map[string]bool{
	"CONTRIBUTING": true, "CODE_OF_CONDUCT": true, "SECURITY": true, "SUPPORT": true, "GOVERNANCE": true,
	"PULL_REQUEST_TEMPLATE": true,
}

// siteEntryPoints lists the Markdown files at the root, under .github,
// the community health files of docs (communityHealthNames) and the
// pages folder of each published site.
func (c *Checker) siteEntryPoints() []string {
	rp := c.opts.Repo
	var entries []string
	for _, n := range rp.Names(".") {
		if isMarkdown(n) && rp.Stat(n) == repo.File {
			entries = append(entries, n)
		} else if rp.Stat(n) == repo.File {
			entries = append(entries, c.otherReadmeLinks(n)...)
		}
	}
	if rp.Stat(".github") == repo.Dir {
		entries = append(entries, c.markdownUnder(".github")...)
	}
	for _, n := range rp.Names("docs") {
		// GitHub takes a repository's community health files from its
		// root, .github or docs folder, and links them where people
		// open issues and pull requests. Only a name written as GitHub
		// writes them: a docs site's own docs/security.md is its page.
		if p := path.Join("docs", n); isMarkdown(n) && communityHealthNames[strings.TrimSuffix(n, path.Ext(n))] && rp.Stat(p) == repo.File {
			entries = append(entries, p)
		}
	}
	for _, p := range rp.RegistryPages() {
		// A package that something publishes: the root's, or one whose
		// folder the build files name, or the folder of packages it lies
		// in (chart-releaser's charts_dir, helm package charts/x). A
		// sample package a test reads is not published.
		if p.Dir == "." || rp.BuildNames(p.Dir) || path.Dir(p.Dir) != "." && rp.BuildNames(path.Dir(p.Dir)) {
			entries = append(entries, p.Page)
		}
	}
	for _, s := range c.sites {
		if rp.PublishedSite(s) {
			entries = append(entries, c.markdownUnder(s.Pages)...)
		}
	}
	return entries
}

// published is the set of pages reachable from entries by relative
// links, staying under the folder within ("." for the whole repository).
// Every page is a resolved path (pageAt).
// Each page is handed to found once its links are followed.
func (c *Checker) published(entries []string, within string, found func(string)) map[string]bool {
	seen := map[string]bool{}
	queue := slices.Clone(entries)
	for len(queue) > 0 {
		p := c.pageAt(queue[0])
		if target := c.opts.Repo.Resolve(queue[0]); target != p && target != queue[0] {
			// A README that is a symbolic link: its target is a page
			// where it lies too (a folder's README GitHub shows there).
			// (A README reached through a link to its folder resolves
			// to its own path: pageAt gave its target already.)
			queue = append(queue, target)
		}
		queue = queue[1:]
		if seen[p] || !under(p, within) || !isPage(p) && !c.githubRendersRST(p) || c.opts.Repo.Stat(p) != repo.File || c.builtPage(p) {
			continue
		}
		seen[p] = true
		if pg, err := c.load(p); err == nil && pg.tooComplex == "" {
			c.findLinks(pg)
			queue = append(queue, pg.linked...)
		}
		found(p)
	}
	return seen
}

// pageAt is the page the path p names. A symbolic link to a page is
// that page, read once under its target's path, except a folder's README:
// GitHub shows a README that is a symbolic link where the link lies (on
// the repository's front page, in the folder's view) and resolves its
// relative links from the link's folder, not the target's, so it is a
// page of its own there (published reads the target too, where it lies).
// A folder reached through a folder link is still its target.
func (c *Checker) pageAt(p string) string {
	base := path.Base(p)
	if isReadmePage(base) {
		return path.Join(c.opts.Repo.Resolve(path.Dir(p)), base)
	}
	return c.opts.Repo.Resolve(p)
}

// builtPage reports whether the Makefile of the page's folder has a rule
// with a recipe that writes the page from other pages (MANUAL.md from the
// pages of a site): a copy of pages that are checked themselves, where
// its breakages are fixed. A page built from code alone (README.md: *.py,
// a recipe that splices the program's --help into it) is the only place
// its text is checked, and github.com shows it: it stays a page. When the
// rule names no source, or one docscheck cannot work out ($(SOURCES)),
// the page is taken as built: a page wrongly read costs false alarms.
func (c *Checker) builtPage(p string) bool {
	m := c.opts.Repo.Makefile(path.Dir(p), "")
	if m == nil {
		return false
	}
	target := path.Base(p)
	rule, ok := m.Rules[target]
	if !ok || len(rule.Recipe) == 0 {
		return false
	}
	if len(rule.Prereqs) == 0 {
		return true
	}
	for _, source := range rule.Prereqs {
		source = m.Expand(source, target)
		if strings.Contains(source, "$") || isPage(source) {
			return true
		}
	}
	return false
}

// builtByRepository reports whether the tree says a build writes p, a
// missing file: the .gitignore names it, a Makefile rule makes it
// (madeByBuild), a committed symbolic link points at it, or a script of
// the tree writes it. A link to it, or a snippet pasting it, is not
// certainly broken. An ignore rule that also covers hint, the committed
// file p is one typo from (typoOfCommittedIgnored: fk_scatterplot.png
// under "*.png"), says nothing of p ("" when there is no such file).
func (c *Checker) builtByRepository(p, hint string) bool {
	return c.opts.Repo.Ignored(p) && !c.typoOfCommittedIgnored(p, hint) || c.madeByBuild(p) ||
		c.opts.Repo.DanglingLink(p) || c.opts.Repo.WrittenByScript(p)
}

// madeByBuild reports whether a Makefile of p's folder or one above names
// p as an output (Makefile.Writes): a file the build writes, which a
// fresh checkout lacks.
func (c *Checker) madeByBuild(p string) bool {
	for d := path.Dir(p); ; d = path.Dir(d) {
		exists := func(q string) bool { return c.opts.Repo.Stat(path.Join(d, q)) != repo.Missing }
		if m := c.opts.Repo.Makefile(d, ""); m != nil && m.Writes(relativeTo(d, p), exists) {
			return true
		}
		if d == "." || d == "/" || d == "" {
			return false
		}
	}
}

// isPage: Markdown, or MDX as docs sites write it.
func isPage(p string) bool {
	return isMarkdown(p) || strings.EqualFold(path.Ext(p), ".mdx")
}

func under(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// findLinks sets, once, the pages and the folders pg links to
// (linkedPages).
func (c *Checker) findLinks(pg *page) {
	pg.linkedOnce.Do(func() { pg.linked, pg.linkedDirs = c.linkedPages(pg) })
}

// linkedPages lists the pages a page links to: Markdown files, and the
// README.md (or a site's index page) of a linked folder; and the folders
// it links to as folders, for their file list.
func (c *Checker) linkedPages(pg *page) (pages, dirs []string) {
	var out []string
	follow := func(dest string) {
		resolved, kind, ok := c.resolveDest(pg.path, dest)
		if !ok {
			if p := c.codeHostPage(dest); p != "" {
				out = append(out, p)
			}
			return
		}
		if kind == repo.Dir {
			// A folder's file list is what a link to another folder
			// shows; a link to the page's own folder, or to a part of a
			// folder's page ("./#usage"), is one to its index page.
			if resolved != path.Dir(pg.path) && !strings.Contains(dest, "#") {
				dirs = append(dirs, resolved)
			}
			resolved = path.Join(resolved, "README.md")
		}
		if isPage(resolved) || isRST(resolved) {
			out = append(out, resolved)
		}
	}
	// A reStructuredText page's code-host addresses, which its Markdown
	// reading does not hold (a link target's line is not prose).
	out = append(out, pg.rstAddresses...)
	src := pg.source
	// No Link or raw HTML node lies inside code (a code span holds only
	// text), so the page's link nodes are all there is to follow.
	for _, n := range pg.linkNodes {
		switch n := n.(type) {
		case *ast.Link:
			follow(destination(n.Destination))
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				htmlLinks(string(seg.Value(src)), seg.Start, func(d string, _ int) { follow(d) })
			}
		case *ast.HTMLBlock:
			text, _ := maskHTMLComments(blockText(n, src), false)
			htmlLinks(text, 0, func(d string, _ int) { follow(d) })
		}
	}
	return out, dirs
}

// markdownUnder lists the Markdown files in a folder tree, skipping hidden
// folders (but not .github, whose templates and guides are docs) and
// node_modules (installed dependencies, not the repository's).
func (c *Checker) markdownUnder(dir string) []string {
	var files []string
	for _, n := range c.opts.Repo.Names(dir) {
		p := path.Join(dir, n)
		switch c.opts.Repo.WalkStat(p) {
		case repo.Dir:
			if (!strings.HasPrefix(n, ".") || n == ".github") && n != "node_modules" {
				files = append(files, c.markdownUnder(p)...)
			}
		case repo.File:
			if isPage(n) {
				files = append(files, p)
			}
		}
	}
	return files
}

// otherMarkups are the markups besides Markdown that GitHub renders as a
// README (github/markup); a plain-text README is shown as text.
var otherMarkups = map[string]bool{".pod": true, ".pod6": true, ".rakudoc": true, ".rst": true, ".org": true, ".adoc": true,
	".asciidoc": true, ".asc": true, ".rdoc": true, ".textile": true, ".creole": true, ".mediawiki": true, ".wiki": true}

// codeAddress is a web address in any markup: Pod's L<text|url>, reST's
// `text <url>`_, Org's [[url][text]], AsciiDoc's url[text].
var codeAddress = regexp.MustCompile("https?://[^\\s<>|()\\[\\]\"'`]+")

// codeHostPages lists this tree's pages that the code-host addresses
// written in data name (codeHostPage).
func (c *Checker) codeHostPages(data []byte) []string {
	var out []string
	for _, m := range codeAddress.FindAll(data, -1) {
		if p := c.codeHostPage(strings.TrimRight(string(m), ".,;:")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// otherReadmeLinks lists the repository's pages that a root README in
// another markup GitHub renders (README.pod, README.rst, README.org, ...)
// names by their code host's address: the front page GitHub shows sends
// readers there. A README.rst's link targets are relative links too; the
// relative links of the other markups are their own syntax and are not
// read.
func (c *Checker) otherReadmeLinks(name string) []string {
	if !strings.EqualFold(strings.TrimSuffix(name, path.Ext(name)), "readme") || !otherMarkups[strings.ToLower(path.Ext(name))] {
		return nil
	}
	data, err := c.opts.Repo.ReadFile(name)
	if err != nil {
		return nil
	}
	out := c.codeHostPages(data)
	if strings.EqualFold(path.Ext(name), ".rst") {
		// reStructuredText's link targets are plain paths GitHub
		// resolves from the README's folder, as it does a Markdown
		// README's relative links: the pages they name are the
		// repository's own.
		for _, ref := range rst.Read(data).Refs {
			if ref.Kind != rst.Link {
				continue
			}
			dest, _, _ := strings.Cut(ref.Target, "#")
			p := path.Join(path.Dir(name), dest)
			if c.opts.Repo.Stat(p) == repo.Dir {
				p = path.Join(p, "README.md")
			}
			if isPage(p) && c.opts.Repo.Stat(p) == repo.File {
				out = append(out, p)
			}
		}
	}
	return out
}

// codeHostPage is the page of this tree that a code host's address of a
// file names ("https://codeberg.org/o/r/src/stable/doc/TUTORIAL.md",
// "https://github.com/o/r/blob/main/docs/x.md"): a Markdown or
// reStructuredText file, in a
// folder, at the path that follows the ref. Such an address on a
// published page sends its readers to that page (the repository's own,
// as rendered by its code host), so the page is published too; the
// address itself is not judged offline. A ref may hold slashes
// ("branch/main"), so each split is tried. "" when there is none.
func (c *Checker) codeHostPage(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || !slices.Contains(repo.CodeHosts, strings.TrimPrefix(strings.ToLower(u.Host), "www.")) {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 2; i+2 < len(parts); i++ {
		if parts[i] != "blob" && parts[i] != "src" && parts[i] != "tree" {
			continue
		}
		for j := i + 2; j < len(parts)-1; j++ {
			if p := strings.Join(parts[j:], "/"); (isPage(p) || isRST(p)) && c.opts.Repo.Stat(p) == repo.File {
				return p
			}
		}
	}
	return ""
}
