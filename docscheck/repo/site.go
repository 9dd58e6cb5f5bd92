package repo

import (
	"bytes"
	"cmp"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/internal/anchor"
)

// Site is a docs site generator found in the tree. Its pages are linked the
// way the generator serves them: "/x" from the site's root, clean URLs
// without ".md", and headings slugged by the generator's own rule.
type Site struct {
	// Generator is "vitepress", "mkdocs", "docusaurus", "mdbook", "hugo",
	// "starlight", "sphinx", "myst" or "fumadocs".
	Generator string
	// Config is the file or folder that gave the site away.
	Config string
	// Pages is the folder whose Markdown files are the site's pages.
	Pages string
	// Roots are the folders a link starting with "/" is looked up in, in
	// order (the pages folder, then static assets such as public/).
	Roots []string
	// Slug is the generator's heading-id rule.
	Slug anchor.Style
	// DirectoryURLs is MkDocs' use_directory_urls: page a/b.md is served
	// at a/b/, so a relative link without ".md" resolves from there.
	DirectoryURLs bool
	// PluginHeadings are headings that code in the site's config folder
	// writes into pages at build time ("## Type Declarations" in a
	// markdown transform): which pages get them is not modelled.
	PluginHeadings []string
	// Unmodelled names what the site's config enables that can make ids,
	// definitions or link targets docscheck does not model (a plugin, a
	// markdown extension, hooks, a custom slugify or attribute syntax):
	// on its pages an anchor or reference that such a tool could make is
	// not judged (siteconfig.go).
	Unmodelled []string
	// PagesWriter names what writes pages into the site before its
	// generator runs (a "prebuild" script of the site's package.json, an
	// MkDocs gen-files plugin): a missing page may be one it writes, so a
	// link to it is not judged.
	PagesWriter string
	// WritesOnlyPages is set when PagesWriter is a plugin whose work is
	// pages (Markdown, which the site serves as pages): a missing file of
	// another kind (a script, an image) is not one it writes. A prebuild
	// script may copy anything.
	WritesOnlyPages bool
	// DocRoutes maps each doc's URL to its page when the generator's
	// rule decides every one (Docusaurus, docusaurusRoutes); nil when
	// it does not.
	DocRoutes map[string]string
	// AppRoutes match the URL paths the app around the site serves
	// beside its pages (Next.js redirects, rewrites and static pages):
	// a link there is not the pages' to judge.
	AppRoutes []*regexp.Regexp
	// Routes are URL prefixes served from a folder of pages (Fumadocs: a
	// loader's baseUrl over a content folder), tried for "/x" links
	// before Roots.
	Routes []Route
	// Admonitions: the site's Python-Markdown runs the admonition or
	// pymdownx.details extension, so a "!!! type" or "??? type" line
	// opens a block whose body, indented four spaces, is Markdown (its
	// reference definitions, links and code blocks count), not an
	// indented code block.
	Admonitions bool
	// TabIDs: how the site's pymdownx.tabbed names content tabs.
	TabIDs TabIDs
	// ContentTabs: the site's Python-Markdown runs pymdownx.tabbed, so a
	// '=== "Title"' line opens a tab whose body, indented four spaces,
	// is Markdown (its fenced blocks are code blocks), as Admonitions.
	ContentTabs bool
	// ThemeDirs are folders whose files the generator copies to the
	// site's root beside the pages (MkDocs' theme custom_dir): a link
	// that reaches the root's URL of such a file is served.
	ThemeDirs []string
	// SnippetBases are the folders, in order, in which the site's
	// pymdownx.snippets looks up a file that a page pastes in with a
	// snippet line (its base_path option, from the config's folder); nil
	// when the site does not run the extension (snippets.go).
	SnippetBases []string
}

// Route serves the pages under Dir at the URL prefix URL: page a/b.mdx
// at URL/a/b, a/index.mdx at URL/a. A folder named in parentheses,
// "(group)", groups pages without a part of the URL.
type Route struct {
	URL, Dir string
}

// pluginHeading is a Markdown heading inside a string of site code.
var pluginHeading = regexp.MustCompile(`(?:^|\\n|\n|["'])#{2,6} ([A-Za-z][^\n"'$\\{}]*)`)

// pluginHeadings reads the headings the scripts under dir write.
func (r *Repo) pluginHeadings(dir string, depth int) []string {
	var out []string
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch ext := path.Ext(n); {
		case r.WalkStat(p) == Dir && depth < 3 && n != "node_modules" && n != "cache" && n != "dist":
			out = append(out, r.pluginHeadings(p, depth+1)...)
		case ext == ".ts" || ext == ".js" || ext == ".mts" || ext == ".mjs":
			data, err := r.ReadFile(p)
			if err != nil {
				continue
			}
			for _, m := range pluginHeading.FindAllSubmatch(data, -1) {
				out = append(out, strings.TrimSpace(string(m[1])))
			}
		}
	}
	return out
}

// Contains reports whether the repository-relative page belongs to the site.
func (s Site) Contains(page string) bool {
	return s.Pages == "." || page == s.Pages || strings.HasPrefix(page, s.Pages+"/")
}

var (
	vitepressSrcDir = regexp.MustCompile(`srcDir\s*:\s*['"]([^'"]+)['"]`)
	// 'en/:rest*': ':rest*' serves en/x.md at /x; a computed prefix such
	// as [`${channel}/:path*`] is caught too (its folder is then unknown).
	vitepressRewrite = regexp.MustCompile(`[\[]?['"\x60]([^'"\x60:]+)/:[A-Za-z]+\*['"\x60][\]]?\s*:\s*['"\x60]:[A-Za-z]+\*['"\x60]`)
	mkdocsDocsDir    = regexp.MustCompile(`(?m)^docs_dir\s*:\s*['"]?([^'"#\n]+?)['"]?\s*(?:#.*)?$`)
	mkdocsDirURLs    = regexp.MustCompile(`(?m)^use_directory_urls\s*:\s*false\b`)
	// mkdocsCustomDir is theme.custom_dir, indented under theme:.
	mkdocsCustomDir = regexp.MustCompile(`(?m)^theme\s*:\s*\n(?:[ \t]+.*\n)*?[ \t]+custom_dir\s*:\s*['"]?([^'"#\n]+?)['"]?\s*(?:#.*)?$`)
	mkdocsSlugify   = regexp.MustCompile(`(?m)^\s*slugify\s*:.*pymdownx\.slugs`)
)

// Sites finds the docs site generators of the tree (VitePress, MkDocs,
// Docusaurus, mdBook, Hugo, Starlight, Sphinx with MyST, a MyST project,
// Fumadocs), at
// the root or up to four folders down.
// It reads their config files as text and runs nothing.
func (r *Repo) Sites() []Site {
	var sites []Site
	// Sites sit at the root or a few folders down (docs/, website/, a test
	// fixture's site).
	dirs := r.foldersDown(4)
	detectors := []func(string) (Site, bool){r.vitepress, r.docusaurus, r.mkdocs, r.mdbook, r.hugo, r.starlight, r.sphinx, r.mystProject}
	for _, d := range dirs {
		for _, detect := range detectors {
			if s, ok := detect(d); ok {
				sites = append(sites, s)
			}
		}
		sites = append(sites, r.fumadocs(d)...)
	}
	for i := range sites {
		sites[i].PagesWriter, sites[i].WritesOnlyPages = r.pagesWriter(sites[i])
	}
	return sites
}

// foldersDown lists the root and the folders up to depth levels below
// it, breadth first; hidden folders and node_modules are not looked in.
func (r *Repo) foldersDown(depth int) []string {
	dirs := []string{"."}
	for level, from := 0, 0; level < depth; level++ {
		to := len(dirs)
		for _, d := range dirs[from:to] {
			for _, n := range r.Names(d) {
				if p := path.Join(d, n); !strings.HasPrefix(n, ".") && n != "node_modules" && r.WalkStat(p) == Dir {
					dirs = append(dirs, p)
				}
			}
		}
		from = to
	}
	return dirs
}

// mdbookSrc is book.toml's [book] src = "dir".
var mdbookSrc = regexp.MustCompile(`(?m)^\s*src\s*=\s*['"]([^'"]+)['"]`)

// mdbook is a book.toml: its pages are src/ (or [book] src), and mdBook
// serves a README.md as the index.html of its folder. A book.toml.in is
// the same config as a template the build fills in (meson's or
// autoconf's configure_file: "@version@" replaced, the rest as written),
// so it gives the book away just as well.
func (r *Repo) mdbook(dir string) (Site, bool) {
	cfg := path.Join(dir, "book.toml")
	data, err := r.ReadFile(cfg)
	if err != nil {
		cfg += ".in"
		if data, err = r.ReadFile(cfg); err != nil {
			return Site{}, false
		}
	}
	src := path.Join(dir, "src")
	if m := mdbookSrc.FindSubmatch(data); m != nil {
		src = path.Join(dir, string(m[1]))
	}
	return Site{Generator: "mdbook", Config: cfg, Pages: src, Roots: []string{src}, Slug: anchor.GitHub,
		Unmodelled: mdbookCommandPreprocessors(data)}, true
}

// mdbookSection is a book.toml table's header line.
var mdbookSection = regexp.MustCompile(`(?m)^\s*\[([^\]\n]+)\]\s*$`)

// mdbookCommand is a command key, the program a preprocessor runs, and
// its first word.
var mdbookCommand = regexp.MustCompile(`(?m)^\s*command\s*=\s*['"]\s*([^\s'"]*)`)

// mdbookCommandPreprocessors names the preprocessors a book.toml runs by
// a command of its own ([preprocessor.pandocs] with command = "cargo run
// -p pandocs-preproc", a script of the tree): the repository's code,
// which rewrites the chapters before mdBook renders them, links and
// anchors too ("#Name" pointed at whichever chapter has that heading),
// and which docscheck does not model. A published preprocessor, a
// program named mdbook-NAME by mdBook's convention (mdbook-mermaid,
// which turns diagrams' code blocks into pictures), does what its
// documentation says for everyone, and mdBook's own links and index
// preprocessors run no command.
func mdbookCommandPreprocessors(data []byte) []string {
	var out []string
	headers := mdbookSection.FindAllSubmatchIndex(data, -1)
	for i, h := range headers {
		name, ok := strings.CutPrefix(strings.TrimSpace(string(data[h[2]:h[3]])), "preprocessor.")
		if !ok {
			continue
		}
		end := len(data)
		if i+1 < len(headers) {
			end = headers[i+1][0]
		}
		if m := mdbookCommand.FindSubmatch(data[h[1]:end]); m != nil && !strings.HasPrefix(path.Base(string(m[1])), "mdbook-") {
			out = append(out, "book.toml: preprocessor "+strings.Trim(name, `"`))
		}
	}
	return out
}

// hugo is a Hugo site: a content/ folder beside hugo.toml (.yaml, .json),
// beside a config/_default/ folder, or beside a config.* file with Hugo's
// layouts/, archetypes/ or themes/ folder. Its pages are content/ (one
// folder per language, maybe), and static/ is served at the root.
func (r *Repo) hugo(dir string) (Site, bool) {
	content := path.Join(dir, "content")
	if r.Stat(content) != Dir {
		return Site{}, false
	}
	cfg := ""
	if r.Stat(path.Join(dir, "config/_default")) == Dir {
		cfg = path.Join(dir, "config")
	}
	hugoFolders := slices.ContainsFunc([]string{"layouts", "archetypes", "themes"}, func(d string) bool { return r.Stat(path.Join(dir, d)) == Dir })
	for _, ext := range []string{"toml", "yaml", "yml", "json"} {
		if r.Stat(path.Join(dir, "hugo."+ext)) == File || hugoFolders && r.Stat(path.Join(dir, "config."+ext)) == File {
			cfg = path.Join(dir, "hugo."+ext)
			if r.Stat(cfg) != File {
				cfg = path.Join(dir, "config."+ext)
			}
		}
	}
	if cfg == "" || r.ZolaConfig(dir) {
		return Site{}, false
	}
	return Site{Generator: "hugo", Config: cfg, Pages: content, Roots: []string{content, path.Join(dir, "static")}, Slug: anchor.GitHub,
		Unmodelled: r.hugoUnmodelled(cfg)}, true
}

// relativeImport is a JavaScript import of a module by a relative path,
// under a name ("import name from './plugins/x.mjs'").
var relativeImport = regexp.MustCompile(`(?m)^\s*import\s+([\w$]+)\s+from\s+['"](\.\.?/[^'"]+)['"]`)

// pluginsList is the start of a config's list of plugins (plugins,
// remarkPlugins, rehypePlugins).
var pluginsList = regexp.MustCompile(`(?i)plugins\s*:\s*\[`)

// ownPlugins names the modules of the repository's own that a site's
// JavaScript config imports by a relative path and lists among its
// plugins ("./plugins/strip-md-extension.mjs"): code of the site's that
// can rewrite links and write ids and pages. A module imported for
// anything else (a config object, a sidebar) is no plugin.
func ownPlugins(config []byte) []string {
	var lists []string
	for _, at := range pluginsList.FindAllIndex(config, -1) {
		// The list up to its closing bracket, nested lists included.
		depth, end := 1, at[1]
		for ; end < len(config) && depth > 0; end++ {
			switch config[end] {
			case '[':
				depth++
			case ']':
				depth--
			}
		}
		lists = append(lists, string(config[at[1]:end]))
	}
	var out []string
	for _, m := range relativeImport.FindAllSubmatch(config, -1) {
		name := regexp.MustCompile(`\b` + regexp.QuoteMeta(string(m[1])) + `\b`)
		if slices.ContainsFunc(lists, name.MatchString) {
			out = append(out, "plugin "+string(m[2]))
		}
	}
	return out
}

// zolaBaseURL is the one key every Zola config.toml has ("base_url";
// Hugo spells it baseURL, in any case, never with an underscore).
var zolaBaseURL = regexp.MustCompile(`(?m)^base_url\s*=`)

// ZolaConfig reports whether dir holds a Zola config: a config.toml
// with base_url. Zola lays a site out as Hugo does (content/, themes/,
// config.toml), so this tells the two apart.
func (r *Repo) ZolaConfig(dir string) bool {
	data, err := r.ReadFile(path.Join(dir, "config.toml"))
	return err == nil && zolaBaseURL.Match(data)
}

// starlight is an Astro Starlight site: an astro.config.* that uses the
// @astrojs/starlight integration. Its pages are src/content/docs, served
// at clean URLs from the site's root (a/b.md at a/b/, as MkDocs does);
// public/ and src/pages are served beside them. Headings get
// github-slugger ids, GitHub's rule.
func (r *Repo) starlight(dir string) (Site, bool) {
	for _, ext := range []string{"mjs", "ts", "js", "mts", "cjs"} {
		cfg := path.Join(dir, "astro.config."+ext)
		data, err := r.ReadFile(cfg)
		if err != nil || !strings.Contains(string(data), "@astrojs/starlight") {
			continue
		}
		pages := path.Join(dir, "src/content/docs")
		return Site{Generator: "starlight", Config: cfg, Pages: pages, Slug: anchor.GitHub, DirectoryURLs: true,
			Roots:     []string{pages, path.Join(dir, "public"), path.Join(dir, "src/pages")},
			DocRoutes: r.starlightRoutes(pages), Unmodelled: ownPlugins(data)}, true
	}
	return Site{}, false
}

// starlightRoutes maps the URL of every page of a Starlight site whose
// URL differs from its path to its file: Astro's content collections
// make a page's URL from its path, each part slugified as github-slugger
// does (GitHub's heading rule: "Multi-User Mode/Setup.md" is served at
// /multi-user-mode/setup/), an index page standing for its folder, and a
// front-matter slug replaces it. A page whose URL is its path is left to
// the clean-URL rule. (Not every URL, as Site.DocRoutes is for
// Docusaurus: a site's own pages, src/pages, have routes of their own.)
// The URLs are from the site's root, below any base path of the config,
// as a rooted link is resolved on any site.
func (r *Repo) starlightRoutes(pages string) map[string]string {
	routes := map[string]string{}
	var walk func(folder, url string)
	walk = func(folder, url string) {
		for _, n := range r.Names(folder) {
			p := path.Join(folder, n)
			if strings.HasPrefix(n, "_") || strings.HasPrefix(n, ".") {
				continue
			}
			switch r.WalkStat(p) {
			case Dir:
				walk(p, url+"/"+anchor.GitHub.Make(n))
			case File:
				ext := path.Ext(n)
				if ext != ".md" && ext != ".mdx" && ext != ".mdoc" {
					continue
				}
				route := url + "/" + anchor.GitHub.Make(strings.TrimSuffix(n, ext))
				if strings.TrimSuffix(n, ext) == "index" {
					route = cmp.Or(url, "/")
				}
				if src, err := r.ReadFile(p); err == nil {
					if slug := frontMatterValue(src, "slug"); slug != "" {
						route = "/" + strings.Trim(slug, "/")
					}
				}
				if route != "/"+strings.TrimSuffix(strings.TrimPrefix(p, pages+"/"), ext) {
					routes[path.Clean(route)] = p
				}
			}
		}
	}
	walk(pages, "")
	return routes
}

// sphinx is a Sphinx site that reads Markdown (readsMarkdown: MyST's
// myst_parser or myst_nb, or another Markdown parser, among conf.py's
// extensions): its pages are conf.py's folder.
// MyST links by reference as well as by file ([text](label), a page's
// built .html) and makes ids from (label)= targets and its heading-anchor
// setting: a link to a Markdown file is judged, other missing targets
// are not (site-rule), and anchors only where no markup could give them
// (site-config).
//
// The pages are Sphinx's source folder, the one that holds the root
// document (conf.py's root_doc or master_doc, default "index"). It is
// conf.py's folder unless the build names the config folder apart
// ("sphinx-build -c doc/_sphinx doc"): then conf.py's folder lacks the
// root document and the folder above it holds it.
func (r *Repo) sphinx(dir string) (Site, bool) {
	cfg := path.Join(dir, "conf.py")
	data, err := r.ReadFile(cfg)
	if err != nil || !readsMarkdown(pythonCode(string(data))) {
		return Site{}, false
	}
	pages, ok := r.sphinxPages(dir, data)
	if !ok {
		pages = dir
	}
	return Site{Generator: "sphinx", Config: cfg, Pages: pages, Roots: []string{pages}, Slug: anchor.GitHub,
		Unmodelled: []string{"conf.py: MyST"}}, true
}

// sphinxMarkdownParsers are the extensions that give Sphinx a parser of
// Markdown pages: MyST's, and the older CommonMark and m2r ones.
var sphinxMarkdownParsers = []string{"myst_parser", "myst_nb", "recommonmark", "m2r", "sphinx_mdinclude", "sphinx_markdown_parser", "sphinxcontrib.markdown"}

// markdownSuffix is conf.py's source_suffix or source_parsers naming
// ".md" (as a list item or a dict key): the project reads Markdown pages
// by a parser it names itself.
var markdownSuffix = regexp.MustCompile(`\bsource_(?:suffix|parsers)` + pyAssign + `(?:[\[{(][^\]})]*|[^\n]*)['"]\.md['"]`)

// readsMarkdown reports whether conf.py's code (comments dropped) makes
// Sphinx read Markdown pages: it loads a Markdown parser
// (sphinxMarkdownParsers) or names ".md" as a source suffix.
func readsMarkdown(code string) bool {
	return slices.ContainsFunc(sphinxMarkdownParsers, func(p string) bool { return strings.Contains(code, p) }) || markdownSuffix.MatchString(code)
}

// mystProject is a MyST Markdown project (the mystmd tool, Jupyter Book
// 2): a myst.yml with a project: section; its pages are myst.yml's
// folder. MyST reads Markdown as Sphinx with MyST does (ReadsMyST):
// mystmd's guide (Cross-references) resolves [](#label) against the
// targets of every page of the project, and a link without a source
// file's extension may be a reference.
func (r *Repo) mystProject(dir string) (Site, bool) {
	cfg := path.Join(dir, "myst.yml")
	data, err := r.ReadFile(cfg)
	if err != nil || !mystProjectSection.Match(data) {
		return Site{}, false
	}
	return Site{Generator: "myst", Config: cfg, Pages: dir, Roots: []string{dir}, Slug: anchor.GitHub,
		Unmodelled: []string{"myst.yml: MyST"}}, true
}

// mystProjectSection is myst.yml's top-level project: key.
var mystProjectSection = regexp.MustCompile(`(?m)^project\s*:`)

// RewritesChapters reports whether the site runs code of its own over
// every page before rendering (mdbookCommandPreprocessors), which may
// point a link's fragment at a heading of another page.
func (s Site) RewritesChapters() bool {
	return slices.ContainsFunc(s.Unmodelled, func(u string) bool { return strings.HasPrefix(u, "book.toml: preprocessor ") })
}

// UnmodelledPlugin reports whether the site's config enables a plugin
// docscheck does not model (Unmodelled's "plugin X"), whose code may
// rewrite links as well as ids.
func (s Site) UnmodelledPlugin() bool {
	return slices.ContainsFunc(s.Unmodelled, func(u string) bool { return strings.HasPrefix(u, "plugin ") })
}

// ReadsMyST reports whether the site reads its Markdown as MyST (Sphinx
// with MyST, or a MyST project): its links may name a target label
// rather than a file, and a bare #label any target of the project.
func (s Site) ReadsMyST() bool { return s.Generator == "sphinx" || s.Generator == "myst" }

// sphinxRootDoc is conf.py's root_doc = "x" (master_doc before Sphinx 4).
var sphinxRootDoc = regexp.MustCompile(`(?m)^(?:root|master)_doc` + pyAssign + `['"]([^'"]+)['"]`)

// hasRootDoc: dir holds the Sphinx root document named root, in one of
// the source formats a MyST project reads.
func (r *Repo) hasRootDoc(dir, root string) bool {
	return slices.ContainsFunc([]string{".md", ".rst", ".ipynb", ".txt"}, func(ext string) bool {
		return r.Stat(path.Join(dir, root+ext)) == File
	})
}

// pageWritingPlugins are MkDocs plugins whose work is to write pages into
// the site at build time, from scripts or code of the repository.
var pageWritingPlugins = map[string]bool{"gen-files": true, "mkdocs-gen-files": true}

// pagesWriter names what writes pages into the site that docscheck does
// not see (an API reference, a page per plugin): a plugin of an MkDocs
// site's config that does (pageWritingPlugins), or the script that runs
// before the site's generator, in the package.json of the site's folder
// ("prebuild", "predev"); "" when there is none. onlyPages is set for a
// plugin that writes only pages (Site.WritesOnlyPages).
func (r *Repo) pagesWriter(s Site) (writer string, onlyPages bool) {
	if s.Generator == "mkdocs" {
		// A plugin that runs scripts of the repository to write pages
		// into the site at build time (mkdocs-gen-files).
		data, _ := r.ReadFile(s.Config)
		for _, it := range mkdocsItems(data) {
			if it.section == "plugins" && pageWritingPlugins[it.name] {
				return s.Config + " plugin " + it.name, true
			}
		}
	}
	if s.Generator == "sphinx" {
		// conf.py's own code, or an extension it loads (autosummary
		// writes a page per documented object), as for its
		// reStructuredText pages (SphinxSource).
		// Either may write a document; an image or another file on a
		// Markdown page stays judged, as it was before conf.py was
		// read for this (round 29's and 47's deleted images, seen).
		data, _ := r.ReadFile(s.Config)
		switch files, pages := sphinxWrites(r.confCode(s.Config, data)); {
		case files:
			return s.Config + " code", true
		case pages:
			return s.Config + " extension", true
		}
		return "", false
	}
	dir := path.Dir(s.Config)
	if strings.HasSuffix(dir, "/.vitepress") || dir == ".vitepress" {
		dir = path.Dir(dir)
	}
	p := path.Join(dir, "package.json")
	if r.Stat(p) != File {
		return "", false
	}
	pkg := r.PackageJSON(p)
	for _, name := range []string{"prebuild", "predev", "prestart"} {
		if _, ok := pkg.Scripts[name]; ok {
			return p + " " + name, false
		}
	}
	// A script that runs a script of the repository and then the
	// generator ("python scripts/gen.py && vitepress build"): what runs
	// first does a prebuild's work.
	names := slices.Sorted(maps.Keys(pkg.Scripts))
	for _, name := range names {
		if runsScriptBefore(pkg.Scripts[name], siteBuilders[s.Generator]) {
			return p + " " + name, false
		}
	}
	return "", false
}

// siteBuilders are the programs that build a site of each generator
// whose site a package.json builds.
var siteBuilders = map[string]string{"vitepress": "vitepress", "docusaurus": "docusaurus", "starlight": "astro", "fumadocs": "next"}

// scriptRunners are the programs that run a script file given to them.
var scriptRunners = map[string]bool{"node": true, "python": true, "python3": true, "bash": true, "sh": true, "tsx": true, "ts-node": true, "bun": true, "deno": true}

// runsScriptBefore reports whether a package.json script runs a script
// file of the repository (node scripts/x.mjs, ./gen.sh) in a command
// chained before one that runs builder.
func runsScriptBefore(script, builder string) bool {
	if builder == "" {
		return false
	}
	ranScript := false
	for _, part := range strings.FieldsFunc(script, func(r rune) bool { return r == '&' || r == ';' }) {
		words := strings.Fields(part)
		for len(words) > 0 && (strings.Contains(words[0], "=") || words[0] == "npx" || words[0] == "cross-env") {
			words = words[1:]
		}
		if len(words) == 0 {
			continue
		}
		switch {
		case words[0] == builder:
			return ranScript
		case strings.HasPrefix(words[0], "./"), scriptRunners[words[0]] && len(words) > 1 && strings.Contains(words[1], "/"):
			ranScript = true
		}
	}
	return false
}

// buildFiles are where a repository says what it builds and publishes
// (Python projects' task runners, tox and nox, among them: a docs
// environment's sphinx-build names the source folder).
var buildFiles = []string{"package.json", "Makefile", "makefile", "GNUmakefile", "netlify.toml", "vercel.json",
	".readthedocs.yaml", ".readthedocs.yml", "readthedocs.yaml", "readthedocs.yml", "justfile", "Taskfile.yml", "Taskfile.yaml", "build.sbt",
	"tox.ini", "noxfile.py"}

// PublishedSite reports whether the repository publishes a docs site: its
// config sits at the root, or the repository's build files (CI workflows,
// the root package.json, Makefile, netlify.toml, ...) name its folder, or,
// for Sphinx, the project's own folder holds the Makefile that builds it
// (buildsOwnSphinx), or a root README links the repository's own docs
// address (GitHub Pages', Read the Docs') and the site is the tree's
// only one. A sample site that only a test reads is not published.
func (r *Repo) PublishedSite(s Site) bool {
	if r.publishedByBuild(s) {
		return true
	}
	// Or a root README links the address of the repository's own docs
	// host (GitHub Pages' https://owner.github.io/name/, Read the Docs'
	// https://name.readthedocs.io/), which serves one site, and this is
	// the tree's only site, as no other is published.
	configs := r.siteConfigs()
	return len(configs) == 1 && configs[0] == s.Config && r.linksOwnDocsAddress()
}

// siteConfigs lists the config of every site of the tree, published or
// not: the site generators' (Sites) and every Sphinx project's conf.py.
func (r *Repo) siteConfigs() []string {
	return r.memo("site-configs", "", func() any {
		var out []string
		for _, s := range r.Sites() {
			out = append(out, s.Config)
		}
		for _, project := range r.sphinxProjects() {
			out = append(out, project.config)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}).([]string)
}

// linksOwnDocsAddress reports whether a root README links this
// repository's own docs address, by the github.com owner and name its
// origin remote gives (Checkout): GitHub Pages' owner.github.io/name, or
// Read the Docs' name.readthedocs.io (name.rtfd.io,
// readthedocs.org/projects/name), a project named as the repository.
func (r *Repo) linksOwnDocsAddress() bool {
	return r.memo("own-docs-address", "", func() any {
		c := r.Checkout()
		if c.Owner == "" {
			return false
		}
		o, n := regexp.QuoteMeta(strings.ToLower(c.Owner)), regexp.QuoteMeta(strings.ToLower(c.Name))
		address := regexp.MustCompile(`://(?:` + o + `\.github\.io/` + n + `|` + n + `\.readthedocs\.io|` + n + `\.rtfd\.io|(?:www\.)?readthedocs\.org/projects/` + n + `)(?:[/#?"')\s>\]]|$)`)
		for _, file := range r.Names(".") {
			if !strings.EqualFold(strings.TrimSuffix(file, path.Ext(file)), "readme") {
				continue
			}
			if data, err := r.ReadFile(file); err == nil && address.Match(bytes.ToLower(data)) {
				return true
			}
		}
		return false
	}).(bool)
}

// publishedByBuild is PublishedSite by what the tree's build says.
func (r *Repo) publishedByBuild(s Site) bool {
	dir := path.Dir(s.Config)
	if strings.HasSuffix(dir, "/.vitepress") || dir == ".vitepress" {
		dir = path.Dir(dir)
	}
	// The build may name the pages folder rather than the config's
	// (Sphinx's source folder beside a config folder of its own).
	if dir == "." || r.BuildNames(dir) || s.Pages != dir && s.Pages != "." && r.BuildNames(s.Pages) {
		return true
	}
	if s.Generator == "sphinx" && r.buildsOwnSphinx(dir) {
		return true
	}
	// Or it may name the site's own package: the folder above whose
	// package.json runs the generator on the site's folder
	// (packages/docs, whose "build" is "vitepress build pages").
	pkg := r.sitePackage(s, dir)
	return pkg != "" && r.BuildNames(pkg)
}

// sphinxModuleRun is Python running Sphinx as a module, its -m option
// with the module after a space or glued on (python -m sphinx, python3
// -msphinx).
var sphinxModuleRun = regexp.MustCompile(`-m\s*sphinx\b`)

// sphinxMakefiles are the files sphinx-quickstart writes beside conf.py
// to build the project (SPHINXBUILD = sphinx-build).
var sphinxMakefiles = []string{"Makefile", "makefile", "GNUmakefile", "make.bat"}

// buildsOwnSphinx reports whether the Sphinx project in dir is one the
// repository builds: its folder, or the folder above it when conf.py lies
// in a source folder of its own (sphinx-quickstart's "separate source and
// build" layout, docs/Makefile over docs/source/conf.py), holds a Makefile
// (or make.bat) that runs Sphinx (sphinx-build, or python -m sphinx), as
// sphinx-quickstart writes it, and neither that folder nor one between it
// and the root is another project's (holds a license of its own: a
// vendored library's docs build that library's site, not this
// repository's).
func (r *Repo) buildsOwnSphinx(dir string) bool {
	runsSphinx := func(folder string) bool {
		return slices.ContainsFunc(sphinxMakefiles, func(n string) bool {
			data, err := r.ReadFile(path.Join(folder, n))
			return err == nil && (strings.Contains(string(data), "sphinx-build") || sphinxModuleRun.Match(data))
		})
	}
	if !runsSphinx(dir) && (dir == "." || !runsSphinx(path.Dir(dir))) {
		return false
	}
	for d := dir; d != "." && d != "/"; d = path.Dir(d) {
		if slices.ContainsFunc(r.Names(d), isLicenseFile) {
			return false
		}
	}
	return true
}

// builtFileSuffixes are the suffixes of what a library's build ships to
// a web page: minified scripts and styles, their source maps, web fonts
// and pictures.
var builtFileSuffixes = []string{".min.js", ".min.mjs", ".min.css", ".map", ".woff", ".woff2", ".ttf", ".eot", ".otf",
	".png", ".svg", ".gif", ".jpg", ".ico"}

// builtDistribution reports whether folder dir holds nothing but a
// library's build (builtFileSuffixes, one minified script or style at
// least) and its pages (Markdown, text): a copy of what another project
// ships, written by no one here. A file of any other kind (a source, a
// script not minified) may be this repository's.
func (r *Repo) builtDistribution(dir string) bool {
	minified := false
	var walk func(d string, depth int) bool
	walk = func(d string, depth int) bool {
		for _, n := range r.Names(d) {
			p := path.Join(d, n)
			lower := strings.ToLower(n)
			switch r.Stat(p) {
			case Dir:
				if depth > 3 || !walk(p, depth+1) {
					return false
				}
			case File:
				switch {
				case strings.HasSuffix(lower, ".min.js"), strings.HasSuffix(lower, ".min.mjs"), strings.HasSuffix(lower, ".min.css"):
					minified = true
				case slices.ContainsFunc(builtFileSuffixes, func(s string) bool { return strings.HasSuffix(lower, s) }),
					isLicenseFile(n):
				case hasPageSuffix(lower):
				default:
					return false
				}
			}
		}
		return true
	}
	return walk(dir, 0) && minified
}

// isLicenseFile: LICENSE, LICENCE, COPYING, with any extension or suffix
// (LICENSE.txt, LICENSE-MIT, License.md), in any case, except a docs
// site's page about the license, named in lower case (license.rst,
// license.md).
func isLicenseFile(name string) bool {
	up := strings.ToUpper(name)
	if !strings.HasPrefix(up, "LICENSE") && !strings.HasPrefix(up, "LICENCE") && !strings.HasPrefix(up, "COPYING") {
		return false
	}
	switch path.Ext(name) {
	case ".rst", ".md", ".txt", ".html":
		return name != strings.ToLower(name) || path.Ext(name) == ".txt"
	}
	return true
}

// siteCommands are the commands of the generators a package.json script
// runs.
var siteCommands = map[string]string{"vitepress": "vitepress", "docusaurus": "docusaurus", "starlight": "astro"}

// sitePackage is the folder above dir (not the root) whose package.json
// has a script that runs the site's generator on dir, or "".
func (r *Repo) sitePackage(s Site, dir string) string {
	command := siteCommands[s.Generator]
	if command == "" {
		return ""
	}
	for pkg := path.Dir(dir); pkg != "." && pkg != "/"; pkg = path.Dir(pkg) {
		if r.Stat(path.Join(pkg, "package.json")) != File {
			continue
		}
		rel := strings.TrimPrefix(dir, pkg+"/")
		for _, script := range r.PackageJSON(path.Join(pkg, "package.json")).Scripts {
			words := strings.Fields(script)
			if slices.Contains(words, command) && (slices.Contains(words, rel) || slices.Contains(words, "./"+rel)) {
				return pkg
			}
		}
		return "" // the nearest package is the site's, whatever it runs
	}
	return ""
}

// BuildNames reports whether the repository's build files (CI workflows,
// the root package.json, Makefile, netlify.toml, build.sbt, ...) name the
// folder as a path.
func (r *Repo) BuildNames(dir string) bool {
	return r.buildMentions(dir, false)
}

// PublishedFolder reports whether something publishes folder dir of
// pages (see renderedFolder): it holds an index.html, a Jekyll config
// builds it, or a build file names it outside a workflow trigger's
// paths-ignore filter (ignoredByTrigger). A folder only such a filter
// names is one of docs (changes there need no build), not one a build
// publishes.
func (r *Repo) PublishedFolder(dir string) bool {
	// Once per folder: the users'-page test asks it for every command of
	// a page in the folder, and buildMentions reads every build file.
	return r.memo("published-folder", dir, func() any {
		return r.Stat(path.Join(dir, "index.html")) == File || r.jekyllBuilds(dir) || r.buildMentions(dir, true)
	}).(bool)
}

// buildMentions reports whether a build file names dir (mentionsFolder),
// outside paths-ignore filters when publishing is set.
func (r *Repo) buildMentions(dir string, publishing bool) bool {
	for _, f := range r.buildFilePaths() {
		data, err := r.ReadFile(f)
		if err == nil && mentionsFolder(string(data), dir, publishing) {
			return true
		}
	}
	return false
}

// buildFilePaths are the build files BuildNames and namedMkDocsConfigs
// read: buildFiles at the root and every CI workflow.
func (r *Repo) buildFilePaths() []string {
	files := slices.Clone(buildFiles)
	for _, n := range r.Names(".github/workflows") {
		files = append(files, ".github/workflows/"+n)
	}
	return files
}

// mentionsFolder: dir appears in text as a path, not inside a longer
// name, nor as what an rm command deletes (removedAt), nor, when
// publishing is set, as what a workflow's trigger leaves out
// (ignoredByTrigger).
func mentionsFolder(text, dir string, publishing bool) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], dir)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(dir)
		before := j == 0 || !isNameByte(text[j-1])
		after := end == len(text) || !isNameByte(text[end])
		if before && after && !removedAt(text, j, end) && !(publishing && ignoredByTrigger(text, j)) {
			return true
		}
		i = j + 1
	}
}

// ignoredByTrigger reports whether the path at text[j] is an entry of a
// CI workflow's paths-ignore filter (a list item under the key, or its
// inline list): changes there do not start the workflow, so it reads
// nothing of that folder ("paths-ignore: ['doc/**', '**.md']" on a
// firmware build), let alone publishes it: a folder of docs, whose
// changes need no build.
func ignoredByTrigger(text string, j int) bool {
	start := strings.LastIndexByte(text[:j], '\n') + 1
	line := text[start:j]
	if strings.Contains(line, "paths-ignore:") {
		return true
	}
	item := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(item, "- ") {
		return false
	}
	indent := len(line) - len(item)
	for end := start - 1; end > 0; {
		lineStart := strings.LastIndexByte(text[:end], '\n') + 1
		above := text[lineStart:end]
		end = lineStart - 1
		key := strings.TrimLeft(above, " \t")
		if key == "" || strings.HasPrefix(key, "#") || strings.HasPrefix(key, "- ") && len(above)-len(key) == indent {
			continue
		}
		return len(above)-len(key) <= indent && strings.TrimRight(key, " \t\r") == "paths-ignore:"
	}
	return false
}

// removedAt reports whether the folder named at text[j:end] is the whole
// argument of an rm command on its line (dir, ./dir, dir/ or dir/*): a
// build deletes what it writes, so a folder a clean recipe removes is
// its output, not pages it publishes (a manual a docs build converts to
// Markdown and copies in). A path below the folder is no deletion of it.
func removedAt(text string, j, end int) bool {
	start := j
	for start > 0 && !strings.ContainsRune(" \t\n\"';&|", rune(text[start-1])) {
		start--
	}
	stop := end
	for stop < len(text) && !strings.ContainsRune(" \t\n\"';&|)", rune(text[stop])) {
		stop++
	}
	arg := strings.TrimPrefix(text[start:stop], "./")
	dir := text[j:end]
	if arg != dir && arg != dir+"/" && arg != dir+"/*" {
		return false
	}
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	command := text[lineStart:start]
	if k := strings.LastIndexAny(command, ";&|"); k >= 0 {
		command = command[k+1:]
	}
	words := strings.Fields(command)
	return len(words) > 0 && strings.TrimLeft(words[0], "@-") == "rm"
}

func isNameByte(b byte) bool {
	return b == '_' || b == '-' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (r *Repo) vitepress(dir string) (Site, bool) {
	cfgDir := path.Join(dir, ".vitepress")
	if r.Stat(cfgDir) != Dir {
		return Site{}, false
	}
	s := Site{Generator: "vitepress", Config: cfgDir, Pages: dir, Slug: anchor.VitePress}
	var rewrites []string
	for _, n := range r.Names(cfgDir) {
		if n == "config" && r.Stat(path.Join(cfgDir, n)) == Dir {
			// A config split over config/*.ts: read for id options only.
			for _, part := range r.Names(path.Join(cfgDir, n)) {
				if data, err := r.ReadFile(path.Join(cfgDir, n, part)); err == nil {
					s.Unmodelled = append(s.Unmodelled, vitepressUnmodelled(data)...)
				}
			}
			continue
		}
		if !strings.HasPrefix(n, "config.") {
			continue
		}
		data, err := r.ReadFile(path.Join(cfgDir, n))
		if err != nil {
			continue
		}
		s.Config = path.Join(cfgDir, n)
		s.Unmodelled = append(s.Unmodelled, vitepressUnmodelled(data)...)
		for _, m := range vitepressSrcDir.FindAllSubmatch(data, -1) {
			// The pages are never in a hidden folder: a srcDir such as
			// '.vitepress/' belongs to a plugin's options (a PWA's).
			if src := path.Clean(string(m[1])); !strings.HasPrefix(src, ".") || src == "." {
				s.Pages = path.Join(dir, src)
				break
			}
		}
		for _, m := range vitepressRewrite.FindAllSubmatch(data, -1) {
			rewrites = append(rewrites, string(m[1]))
		}
	}
	s.Roots = []string{s.Pages}
	for _, rw := range rewrites {
		if !strings.Contains(rw, "${") {
			s.Roots = append(s.Roots, path.Join(s.Pages, rw))
			continue
		}
		// The prefix is computed: any folder of the pages may be it.
		for _, n := range r.Names(s.Pages) {
			if p := path.Join(s.Pages, n); !strings.HasPrefix(n, ".") && n != "public" && r.Stat(p) == Dir {
				s.Roots = append(s.Roots, p)
			}
		}
	}
	s.Roots = append(s.Roots, path.Join(s.Pages, "public"))
	s.PluginHeadings = r.pluginHeadings(cfgDir, 0)
	return s, true
}

func (r *Repo) docusaurus(dir string) (Site, bool) {
	for _, ext := range []string{"js", "ts", "mjs", "cjs", "mts"} {
		cfg := path.Join(dir, "docusaurus.config."+ext)
		if r.Stat(cfg) == File {
			return Site{
				Generator: "docusaurus", Config: cfg, Pages: dir, Slug: anchor.GitHub,
				// /docs/x is docs/x.md, /blog/... is blog/, the rest comes
				// from src/pages and static/.
				Roots:     []string{dir, path.Join(dir, "src/pages"), path.Join(dir, "static")},
				DocRoutes: r.docusaurusRoutes(dir, cfg),
			}, true
		}
	}
	return Site{}, false
}

// DocsBase is the URL prefix of a Docusaurus site's docs, under which
// DocRoutes is the whole truth.
const DocsBase = "/docs"

// docusaurusRoutes maps the URL of every doc of a Docusaurus site to its
// file, when Docusaurus's documented rule decides them all: the docs
// plugin at its defaults (pages in docs/, served at /docs: the config
// names no routeBasePath and no second docs plugin), no versions
// (versioned_docs/). A doc's URL is then its path with each part's
// number prefix ("01-", "2_") and the extension dropped, index.md,
// README.md or a file named as its folder standing for the folder; a
// front-matter id replaces the last part, a slug the whole ("/x" from
// /docs, "x" from the doc's folder). Files whose name starts with "_"
// are partials, not docs. nil when the rule does not decide (then a link
// without an extension stays not judged).
func (r *Repo) docusaurusRoutes(dir, cfg string) map[string]string {
	data, err := r.ReadFile(cfg)
	docs := path.Join(dir, "docs")
	if err != nil || r.Stat(docs) != Dir || r.Stat(path.Join(dir, "versioned_docs")) == Dir ||
		bytes.Contains(data, []byte("routeBasePath")) || bytes.Contains(data, []byte("plugin-content-docs")) {
		return nil
	}
	routes := map[string]string{}
	// Routes the config, the sidebars and the categories name (a
	// redirect's from, a generated index's slug) are served too.
	named := slices.Clone(data)
	for _, n := range r.Names(dir) {
		if strings.HasPrefix(n, "sidebars.") {
			if d, err := r.ReadFile(path.Join(dir, n)); err == nil {
				named = append(named, d...)
			}
		}
	}
	var walk func(folder, url string)
	walk = func(folder, url string) {
		for _, n := range r.Names(folder) {
			p := path.Join(folder, n)
			if strings.HasPrefix(n, "_category_") {
				// A category's own page: its slug, or /docs/category/x.
				if d, err := r.ReadFile(p); err == nil {
					named = append(named, d...)
				}
			}
			if strings.HasPrefix(n, "_") || strings.HasPrefix(n, ".") {
				continue
			}
			switch r.WalkStat(p) {
			case Dir:
				walk(p, url+"/"+dropNumberPrefix(n))
			case File:
				ext := path.Ext(n)
				if ext != ".md" && ext != ".mdx" {
					continue
				}
				name := dropNumberPrefix(strings.TrimSuffix(n, ext))
				route := url + "/" + name
				if base := strings.ToLower(name); base == "index" || base == "readme" || strings.EqualFold(name, path.Base(url)) {
					route = url
				}
				src, _ := r.ReadFile(p)
				id, slug := frontMatterValue(src, "id"), frontMatterValue(src, "slug")
				switch {
				case strings.HasPrefix(slug, "/"):
					route = path.Clean(DocsBase + slug)
				case slug != "":
					route = path.Join(url, slug)
				case id != "":
					route = path.Join(url, id)
				}
				routes[route] = p
			}
		}
	}
	walk(docs, DocsBase)
	for _, m := range quotedRoute.FindAllSubmatch(named, -1) {
		for _, u := range []string{string(m[1]), DocsBase + string(m[1])} {
			if u = path.Clean(u); routes[u] == "" {
				routes[u] = docs // served, by a page the build makes
			}
		}
	}
	return routes
}

// quotedRoute is a quoted URL path in site code ('/docs/webgl').
var quotedRoute = regexp.MustCompile(`['"\x60](/[^'"\x60\s]*)['"\x60]`)

// numberPrefix is Docusaurus's number prefix of a file or folder name.
var numberPrefix = regexp.MustCompile(`^\d+\s*[-_.]+\s*([^-_.\s].*)$`)

func dropNumberPrefix(name string) string {
	if m := numberPrefix.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

// frontMatterValue is the value of a top-level key in a page's YAML
// front matter ("slug: /clock", quotes dropped), or "".
func frontMatterValue(src []byte, key string) string {
	rest, ok := bytes.CutPrefix(src, []byte("---\n"))
	if !ok {
		rest, ok = bytes.CutPrefix(src, []byte("---\r\n"))
	}
	if !ok {
		return ""
	}
	for line := range bytes.Lines(rest) {
		line = bytes.TrimRight(line, " \r\n")
		if string(line) == "---" {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte(key+":")); ok {
			v = bytes.TrimSpace(v)
			if i := bytes.Index(v, []byte(" #")); i >= 0 {
				v = bytes.TrimSpace(v[:i])
			}
			return strings.Trim(string(v), `"'`)
		}
	}
	return ""
}

func (r *Repo) mkdocs(dir string) (Site, bool) {
	names := []string{"mkdocs.yml", "mkdocs.yaml"}
	for _, config := range r.namedMkDocsConfigs() {
		if ext := path.Ext(config); path.Dir(config) == dir && (ext == ".yml" || ext == ".yaml") && !slices.Contains(names, path.Base(config)) {
			names = append(names, path.Base(config))
		}
	}
	for _, name := range names {
		name = path.Join(dir, name)
		data, err := r.ReadFile(name)
		if err != nil {
			continue
		}
		docs := path.Join(dir, "docs")
		if m := mkdocsDocsDir.FindSubmatch(data); m != nil {
			docs = path.Join(dir, strings.TrimSpace(string(m[1])))
		}
		style := anchor.MkDocs
		if mkdocsSlugify.Match(data) {
			style = anchor.MkDocsUnicode
		}
		var themeDirs []string
		if m := mkdocsCustomDir.FindSubmatch(data); m != nil {
			themeDirs = []string{path.Join(dir, strings.TrimSpace(string(m[1])))}
		}
		return Site{
			Generator: "mkdocs", Config: name, Pages: docs, Roots: []string{docs}, Slug: style,
			ThemeDirs:     themeDirs,
			DirectoryURLs: !mkdocsDirURLs.Match(data),
			Unmodelled:    mkdocsUnmodelled(data),
			Admonitions:   mkdocsAdmonitions(data),
			TabIDs:        mkdocsTabIDs(data),
			ContentTabs:   extensionListed(mkdocsItems(data), "pymdownx.tabbed"),
			SnippetBases:  mkdocsSnippetBases(data, dir),
		}, true
	}
	return r.zensical(dir)
}

var (
	zensicalDocsDir = regexp.MustCompile(`(?m)^\s*docs_dir\s*=\s*['"]([^'"]+)['"]`)
	zensicalDirURLs = regexp.MustCompile(`(?m)^\s*use_directory_urls\s*=\s*false\b`)
)

// mkdocsConfigOption is a build's run of MkDocs or Zensical on a config
// file it names (mkdocs build -f docs/mkdocs.yml, zensical serve
// --config-file=docs/site.yml): the file's path.
var mkdocsConfigOption = regexp.MustCompile(`\b(?:mkdocs|zensical)\s+(?:build|serve|gh-deploy)\b[^\n]*?\s(?:-f|--config-file)(?:\s+|=)['"]?([\w./-]+)`)

// namedMkDocsConfigs are the config files, from the root, that the
// repository's build files (buildFiles and CI workflows) pass to MkDocs
// or Zensical with -f or --config-file: the site's config, whatever its
// name (docs/zensical.yml), read as mkdocs.yml is. Read once.
func (r *Repo) namedMkDocsConfigs() []string {
	if v, ok := r.manifests.Load("mkdocs-configs:"); ok {
		return v.([]string)
	}
	var configs []string
	for _, f := range r.buildFilePaths() {
		data, err := r.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range mkdocsConfigOption.FindAllStringSubmatch(string(data), -1) {
			if c := path.Clean(strings.TrimPrefix(m[1], "./")); !strings.HasPrefix(c, "../") && r.Stat(c) == File && !slices.Contains(configs, c) {
				configs = append(configs, c)
			}
		}
	}
	v, _ := r.manifests.LoadOrStore("mkdocs-configs:", configs)
	return v.([]string)
}

// zensical is a site configured by zensical.toml: Zensical builds
// MkDocs-compatible sites (it reads mkdocs.yml too) with the same
// Python-Markdown extensions, so its pages get MkDocs' rules: pages in
// [project] docs_dir (default docs), served at directory URLs unless
// use_directory_urls = false, headings slugged by toc (attribute-list
// "{#id}" on a heading gives its id). The extensions and plugins are
// its [project.markdown_extensions.X] and [project.plugins.X] tables.
func (r *Repo) zensical(dir string) (Site, bool) {
	name := path.Join(dir, "zensical.toml")
	data, err := r.ReadFile(name)
	if err != nil {
		return Site{}, false
	}
	docs := path.Join(dir, "docs")
	if m := zensicalDocsDir.FindSubmatch(data); m != nil {
		docs = path.Join(dir, strings.TrimSpace(string(m[1])))
	}
	style := anchor.MkDocs
	if bytes.Contains(data, []byte("pymdownx.slugs")) {
		style = anchor.MkDocsUnicode
	}
	return Site{
		Generator: "mkdocs", Config: name, Pages: docs, Roots: []string{docs}, Slug: style,
		DirectoryURLs: !zensicalDirURLs.Match(data),
		Unmodelled:    zensicalUnmodelled(data),
		Admonitions:   admonitionsListed(zensicalItems(data)),
		ContentTabs:   extensionListed(zensicalItems(data), "pymdownx.tabbed"),
	}, true
}

// SiteFor returns the site a page belongs to, preferring the one whose
// pages folder is the deepest.
func SiteFor(sites []Site, page string) (Site, bool) {
	best := -1
	for i, s := range sites {
		if s.Contains(page) && (best < 0 || len(s.Pages) > len(sites[best].Pages)) {
			best = i
		}
	}
	if best < 0 {
		return Site{}, false
	}
	return sites[best], true
}

var (
	// fumadocsDir is a collection's folder in source.config.*:
	// defineDocs({ dir: "content/docs" }), defineCollections({ dir: ... }).
	fumadocsDir = regexp.MustCompile(`\bdir\s*:\s*['"]([^'"]+)['"]`)
	// fumadocsBase is a loader's URL prefix: loader({ baseUrl: "/docs" }).
	fumadocsBase = regexp.MustCompile(`\bbaseUrl\s*:\s*['"](/[^'"]*)['"]`)
)

// fumadocs is a Fumadocs site: a source.config.* that imports
// fumadocs-mdx's config names the folders of its collections (dir:),
// and the loaders of fumadocs-core/source in the app's code serve them
// at URL prefixes (baseUrl:). Which loader takes which collection is
// code docscheck does not run, so every prefix is tried over every
// folder: a page found under any pairing exists. Headings get
// github-slugger ids (remark-heading), or a "[#id]" of their own.
// Each collection folder is a site of its own, with the same routes;
// public/ is served at the root.
func (r *Repo) fumadocs(dir string) []Site {
	var cfg string
	var data []byte
	for _, ext := range []string{"ts", "mts", "js", "mjs"} {
		p := path.Join(dir, "source.config."+ext)
		if d, err := r.ReadFile(p); err == nil && strings.Contains(string(d), "fumadocs-mdx/config") {
			cfg, data = p, d
			break
		}
	}
	if cfg == "" {
		return nil
	}
	var dirs []string
	for _, m := range fumadocsDir.FindAllSubmatch(data, -1) {
		if d := path.Join(dir, string(m[1])); r.Stat(d) == Dir && !slices.Contains(dirs, d) && under(d, dir) {
			dirs = append(dirs, d)
		}
	}
	var routes []Route
	for _, base := range r.fumadocsBases(dir, dirs, 0) {
		for _, d := range dirs {
			routes = append(routes, Route{URL: base, Dir: d})
		}
	}
	served := r.nextRoutes(dir)
	var sites []Site
	for _, d := range dirs {
		sites = append(sites, Site{Generator: "fumadocs", Config: cfg, Pages: d, Slug: anchor.GitHub,
			Roots: []string{path.Join(dir, "public")}, Routes: routes, AppRoutes: served})
	}
	return sites
}

var (
	// nextSource is a redirect's or rewrite's source in next.config.*,
	// a string literal, or anything else (a computed one).
	nextSource = regexp.MustCompile(`\bsource\s*:\s*(?:['"\x60]([^'"\x60]*)['"\x60])?`)
	// nextParam is a path parameter of a Next.js source pattern:
	// ":name", ":name*", ":name+", ":name?", ":name(regex)".
	nextParam = regexp.MustCompile(`:[A-Za-z_][A-Za-z0-9_]*(?:\((?:[^()]|\([^()]*\))*\))?[*+?]?`)
)

// nextRoutes lists what the Next.js app around a site serves beside its
// content routes, as regular expressions over a URL path: each source of
// next.config's redirects and rewrites (its parameters as wildcards: a
// regex group Go cannot compile stands for any part), and each page of
// the app router (app/ or src/app/) whose folders have no dynamic part,
// "(group)" folders dropped. A source the config computes stands for
// every path.
func (r *Repo) nextRoutes(dir string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, ext := range []string{"js", "mjs", "ts", "cjs", "mts"} {
		data, err := r.ReadFile(path.Join(dir, "next.config."+ext))
		if err != nil {
			continue
		}
		for _, m := range nextSource.FindAllSubmatchIndex(data, -1) {
			if m[2] < 0 {
				return []*regexp.Regexp{regexp.MustCompile(`.*`)}
			}
			pat := string(data[m[2]:m[3]])
			if strings.Contains(pat, "${") {
				return []*regexp.Regexp{regexp.MustCompile(`.*`)} // computed
			}
			var b strings.Builder
			last := 0
			for _, p := range nextParam.FindAllStringIndex(pat, -1) {
				b.WriteString(regexp.QuoteMeta(pat[last:p[0]]))
				switch pat[p[1]-1] {
				case '*', '+':
					b.WriteString(`.*`)
				default:
					b.WriteString(`[^/]*`)
				}
				last = p[1]
			}
			b.WriteString(regexp.QuoteMeta(pat[last:]))
			if re, err := regexp.Compile("^" + b.String() + "/?$"); err == nil {
				out = append(out, re)
			}
		}
	}
	for _, app := range []string{"app", "src/app"} {
		r.appPages(path.Join(dir, app), "", 0, &out)
	}
	return out
}

// appPages adds the static routes of the app router's pages under dir.
func (r *Repo) appPages(dir, route string, depth int, out *[]*regexp.Regexp) {
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch r.WalkStat(p) {
		case Dir:
			if depth > 8 || strings.HasPrefix(n, "[") || strings.HasPrefix(n, "@") || strings.HasPrefix(n, "_") || strings.HasPrefix(n, ".") {
				continue // a dynamic segment, a parallel slot, a private folder
			}
			next := route + "/" + n
			if strings.HasPrefix(n, "(") && strings.HasSuffix(n, ")") {
				next = route // a route group adds no part
			}
			r.appPages(p, next, depth+1, out)
		case File:
			if strings.HasPrefix(n, "page.") {
				*out = append(*out, regexp.MustCompile("^"+regexp.QuoteMeta(cmpRoute(route))+"/?$"))
			}
		}
	}
}

func cmpRoute(route string) string {
	if route == "" {
		return "/"
	}
	return route
}

// under: p is dir or inside it.
func under(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// fumadocsBases reads the baseUrl of every fumadocs-core/source loader in
// the app's scripts under dir (down to three folders; the collections'
// pages, hidden folders and node_modules skipped).
func (r *Repo) fumadocsBases(dir string, pages []string, depth int) []string {
	var out []string
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch ext := path.Ext(n); {
		case r.WalkStat(p) == Dir:
			if depth < 3 && !strings.HasPrefix(n, ".") && n != "node_modules" && !slices.Contains(pages, p) {
				out = append(out, r.fumadocsBases(p, pages, depth+1)...)
			}
		case ext == ".ts" || ext == ".tsx" || ext == ".js" || ext == ".mjs" || ext == ".mts":
			data, err := r.ReadFile(p)
			if err != nil || !strings.Contains(string(data), "fumadocs-core/source") {
				continue
			}
			for _, m := range fumadocsBase.FindAllSubmatch(data, -1) {
				if b := path.Clean(string(m[1])); !slices.Contains(out, b) {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// MintlifyRoot returns the folder of the Mintlify config (mint.json, or a
// docs.json naming Mintlify's schema) in dir or the nearest folder above
// it, or "". Mintlify serves each page of that folder at its path without
// the extension, under a base path set outside the repository (its
// dashboard, a proxy): the config does not say it.
func (r *Repo) MintlifyRoot(dir string) string {
	dir = clean(dir)
	key := "mintlify:" + dir
	if v, ok := r.manifests.Load(key); ok {
		return v.(string)
	}
	out := ""
	if r.Stat(path.Join(dir, "mint.json")) == File {
		out = dir
	} else if data, err := r.ReadFile(path.Join(dir, "docs.json")); err == nil && bytes.Contains(data, []byte("mintlify")) {
		out = dir
	} else if dir != "." && dir != ".." && !strings.HasPrefix(dir, "../") {
		out = r.MintlifyRoot(path.Dir(dir))
	}
	r.manifests.Store(key, out)
	return out
}

// kramdownSetting is a Jekyll _config.yml's "markdown: kramdown".
var kramdownSetting = regexp.MustCompile(`(?m)^markdown:\s*['"]?kramdown`)

// ReadsInlineIDs reports whether the repository builds docs with a
// renderer that reads ids written in a page's text, which github.com
// shows as text: a heading's "{#id}" (a Jekyll site whose Markdown is
// kramdown's, Jekyll's default: a _config.yml that says "markdown:
// kramdown", or that sits beside Jekyll's _layouts/ or _includes/
// folder; or Doxygen, a Doxyfile), or docs-builder's "$$$id$$$"
// (Elastic's docs-builder, a docset.yml), at the root or up to two
// folders down.
func (r *Repo) ReadsInlineIDs() bool {
	return r.memo("inline-ids", ".", func() any {
		for _, d := range r.foldersDown(2) {
			if r.Stat(path.Join(d, "Doxyfile")) == File || r.Stat(path.Join(d, "docset.yml")) == File {
				return true
			}
			data, err := r.ReadFile(path.Join(d, "_config.yml"))
			if err != nil {
				continue
			}
			if kramdownSetting.Match(data) || r.Stat(path.Join(d, "_layouts")) == Dir || r.Stat(path.Join(d, "_includes")) == Dir {
				return true
			}
		}
		return false
	}).(bool)
}

// githubReference is a github.com address of a repository (or of one of
// its pages): the owner and the name.
var githubReference = regexp.MustCompile(`(?i)\bgithub\.com/([a-z0-9-]+)/([a-z0-9_.-]+)`)

// versionSuffix is a release number a copied folder's name ends in
// (filesystem-1.5.8, redis-6.2.6, go-arg-v2).
var versionSuffix = regexp.MustCompile(`(?i)[-_.]v?\d+(?:\.\d+)*$`)

// CopyOfAnotherRepository reports whether folder dir (not the root) is a
// copy of another GitHub repository, vendored into this one: it holds a
// license of its own, or is a built distribution of a library
// (builtDistribution: KaTeX's minified scripts and fonts beside its
// README, under a web app's static/), and its README links to a github.com repository
// named as the folder is, or a folder it lies in (a release number after the name aside), that
// another owner than this checkout's holds ("Docs/doxygen-awesome-css"
// linking github.com/jothepro/doxygen-awesome-css). Its pages are that
// project's, written for its own tree: what they link to is there, not
// here. A package of this repository that was once a repository of its
// owner's (a monorepo's packages/dnd-core, from react-dnd/dnd-core) stays
// this repository's.
func (r *Repo) CopyOfAnotherRepository(dir string) bool {
	dir = clean(dir)
	if dir == "." || strings.HasPrefix(dir, "../") {
		return false
	}
	return r.memo("copy-of-another-repository", dir, func() any {
		names := r.Names(dir)
		if !slices.ContainsFunc(names, isLicenseFile) && !r.builtDistribution(dir) {
			return false
		}
		// Named as the folder, or as a folder it lies in (a library's
		// copy kept in lib/native/ under services/JNativeHook/).
		want := map[string]bool{}
		for d := dir; d != "." && d != "/"; d = path.Dir(d) {
			want[strings.ToLower(versionSuffix.ReplaceAllString(path.Base(d), ""))] = true
		}
		own := strings.ToLower(r.Checkout().Owner)
		for _, n := range names {
			if !strings.EqualFold(strings.TrimSuffix(n, path.Ext(n)), "readme") {
				continue
			}
			data, err := r.ReadFile(path.Join(dir, n))
			if err != nil {
				continue
			}
			for _, m := range githubReference.FindAllSubmatch(data, -1) {
				owner, name := strings.ToLower(string(m[1])), strings.ToLower(strings.TrimSuffix(string(m[2]), ".git"))
				if want[name] && owner != own {
					return true
				}
			}
		}
		return false
	}).(bool)
}
