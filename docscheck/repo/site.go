package repo

import (
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
	// Generator is "vitepress", "mkdocs", "docusaurus", "mdbook", "hugo"
	// or "starlight".
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
	// generator runs (a "prebuild" script of the site's package.json):
	// a missing page may be one it writes, so a link to it is not judged.
	PagesWriter string
}

// pluginHeading is a Markdown heading inside a string of site code.
var pluginHeading = regexp.MustCompile(`(?:^|\\n|\n|["'])#{2,6} ([A-Za-z][^\n"'$\\{}]*)`)

// pluginHeadings reads the headings the scripts under dir write.
func (r *Repo) pluginHeadings(dir string, depth int) []string {
	var out []string
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch ext := path.Ext(n); {
		case r.Stat(p) == Dir && depth < 3 && n != "node_modules" && n != "cache" && n != "dist":
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
	mkdocsSlugify    = regexp.MustCompile(`(?m)^\s*slugify\s*:.*pymdownx\.slugs`)
)

// Sites finds the docs site generators of the tree: VitePress (a
// .vitepress folder), MkDocs (mkdocs.yml) and Docusaurus
// (docusaurus.config.*), at the root or up to four folders down.
// It reads their config files as text and runs nothing.
func (r *Repo) Sites() []Site {
	var sites []Site
	dirs := []string{"."}
	// Sites sit at the root or a few folders down (docs/, website/, a test
	// fixture's site); hidden folders and node_modules are not looked in.
	for level, from := 0, 0; level < 4; level++ {
		to := len(dirs)
		for _, d := range dirs[from:to] {
			for _, n := range r.Names(d) {
				p := path.Join(d, n)
				if !strings.HasPrefix(n, ".") && n != "node_modules" && r.Stat(p) == Dir {
					dirs = append(dirs, p)
				}
			}
		}
		from = to
	}
	detectors := []func(string) (Site, bool){r.vitepress, r.docusaurus, r.mkdocs, r.mdbook, r.hugo, r.starlight, r.sphinx}
	for _, d := range dirs {
		for _, detect := range detectors {
			if s, ok := detect(d); ok {
				sites = append(sites, s)
			}
		}
	}
	for i := range sites {
		sites[i].PagesWriter = r.pagesWriter(sites[i])
	}
	return sites
}

// mdbookSrc is book.toml's [book] src = "dir".
var mdbookSrc = regexp.MustCompile(`(?m)^\s*src\s*=\s*['"]([^'"]+)['"]`)

// mdbook is a book.toml: its pages are src/ (or [book] src), and mdBook
// serves a README.md as the index.html of its folder.
func (r *Repo) mdbook(dir string) (Site, bool) {
	cfg := path.Join(dir, "book.toml")
	data, err := r.ReadFile(cfg)
	if err != nil {
		return Site{}, false
	}
	src := path.Join(dir, "src")
	if m := mdbookSrc.FindSubmatch(data); m != nil {
		src = path.Join(dir, string(m[1]))
	}
	return Site{Generator: "mdbook", Config: cfg, Pages: src, Roots: []string{src}, Slug: anchor.GitHub}, true
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
	if cfg == "" {
		return Site{}, false
	}
	return Site{Generator: "hugo", Config: cfg, Pages: content, Roots: []string{content, path.Join(dir, "static")}, Slug: anchor.GitHub,
		Unmodelled: r.hugoUnmodelled(cfg)}, true
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
			Roots: []string{pages, path.Join(dir, "public"), path.Join(dir, "src/pages")}}, true
	}
	return Site{}, false
}

// sphinx is a Sphinx site that reads Markdown through MyST (myst_parser
// or myst_nb among conf.py's extensions): its pages are conf.py's folder.
// MyST links by reference as well as by file ([text](label), a page's
// built .html) and makes ids from (label)= targets and its heading-anchor
// setting: a link to a Markdown file is judged, other missing targets
// are not (site-rule), and anchors only where no markup could give them
// (site-config).
func (r *Repo) sphinx(dir string) (Site, bool) {
	cfg := path.Join(dir, "conf.py")
	data, err := r.ReadFile(cfg)
	if err != nil || !strings.Contains(string(data), "myst_parser") && !strings.Contains(string(data), "myst_nb") {
		return Site{}, false
	}
	return Site{Generator: "sphinx", Config: cfg, Pages: dir, Roots: []string{dir}, Slug: anchor.GitHub,
		Unmodelled: []string{"conf.py: MyST"}}, true
}

// pagesWriter names the script that runs before the site's generator, in
// the package.json of the site's folder ("prebuild", "predev"): such a
// script writes pages (an API reference, a page per plugin) docscheck
// does not see. "" when there is none.
func (r *Repo) pagesWriter(s Site) string {
	dir := path.Dir(s.Config)
	if strings.HasSuffix(dir, "/.vitepress") || dir == ".vitepress" {
		dir = path.Dir(dir)
	}
	p := path.Join(dir, "package.json")
	if r.Stat(p) != File {
		return ""
	}
	pkg := r.PackageJSON(p)
	for _, name := range []string{"prebuild", "predev", "prestart"} {
		if _, ok := pkg.Scripts[name]; ok {
			return p + " " + name
		}
	}
	return ""
}

// buildFiles are where a repository says what it builds and publishes.
var buildFiles = []string{"package.json", "Makefile", "makefile", "GNUmakefile", "netlify.toml", "vercel.json",
	".readthedocs.yaml", ".readthedocs.yml", "justfile", "Taskfile.yml", "Taskfile.yaml", "build.sbt"}

// PublishedSite reports whether the repository publishes a docs site: its
// config sits at the root, or the repository's build files (CI workflows,
// the root package.json, Makefile, netlify.toml, ...) name its folder. A
// sample site that only a test reads is not published.
func (r *Repo) PublishedSite(s Site) bool {
	dir := path.Dir(s.Config)
	if strings.HasSuffix(dir, "/.vitepress") || dir == ".vitepress" {
		dir = path.Dir(dir)
	}
	return dir == "." || r.BuildNames(dir)
}

// BuildNames reports whether the repository's build files (CI workflows,
// the root package.json, Makefile, netlify.toml, build.sbt, ...) name the
// folder as a path.
func (r *Repo) BuildNames(dir string) bool {
	files := slices.Clone(buildFiles)
	for _, n := range r.Names(".github/workflows") {
		files = append(files, ".github/workflows/"+n)
	}
	for _, f := range files {
		data, err := r.ReadFile(f)
		if err == nil && mentionsFolder(string(data), dir) {
			return true
		}
	}
	return false
}

// mentionsFolder: dir appears in text as a path, not inside a longer name.
func mentionsFolder(text, dir string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], dir)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(dir)
		before := j == 0 || !isNameByte(text[j-1])
		after := end == len(text) || !isNameByte(text[end])
		if before && after {
			return true
		}
		i = j + 1
	}
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
				Roots: []string{dir, path.Join(dir, "src/pages"), path.Join(dir, "static")},
			}, true
		}
	}
	return Site{}, false
}

func (r *Repo) mkdocs(dir string) (Site, bool) {
	for _, name := range []string{"mkdocs.yml", "mkdocs.yaml"} {
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
		return Site{
			Generator: "mkdocs", Config: name, Pages: docs, Roots: []string{docs}, Slug: style,
			DirectoryURLs: !mkdocsDirURLs.Match(data),
			Unmodelled:    mkdocsUnmodelled(data),
		}, true
	}
	return Site{}, false
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
