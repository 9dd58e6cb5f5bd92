package repo

import (
	"bytes"
	"path"
	"slices"
	"strings"
)

// A folder of pages can be rendered by a generator docscheck does not
// recognise (Docsify, Documenter.jl, mdoc, a registry's docs/ convention,
// ...). What every such site shares is not its config but two facts the
// tree shows: the folder is made of pages (its files are mostly Markdown,
// not code or fixtures), and something publishes it: the repository's
// build files name it (a CI workflow building the docs, a package.json
// script, build.sbt; not a clean recipe that deletes it), or it holds an index.html, a web page served from
// the folder that renders the Markdown beside it.

// mediaExts are a site's assets: they sit beside pages in any docs
// folder and say nothing about whether the folder is made of pages.
var mediaExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true,
	".ico": true, ".mp4": true, ".webm": true, ".pdf": true, ".css": true, ".woff": true, ".woff2": true, ".ttf": true}

// RenderedFolders lists the topmost folders, down to three levels below
// the root, that are made of pages and published (see above), leaving out
// those covered reports true for (a recognised site's pages).
func (r *Repo) RenderedFolders(covered func(dir string) bool) []string {
	return r.topFolders(covered, r.renderedFolder)
}

// GeneratorFolders lists the topmost folders, down to three levels below
// the root, that hold (themselves or in a folder just below) a file only
// one site generator reads, leaving out those covered reports true for: a
// detected site of that generator reads its own files, so a folder left
// is published by a site whose config is not in the repository.
// Docusaurus' category metadata (_category_.json, _category_.yml) is such
// a file: it sets a sidebar category's label and position from inside a
// docs folder; so is a page whose front matter sets a key only that
// generator reads (generatorFrontMatter).
func (r *Repo) GeneratorFolders(covered func(dir string) bool) []string {
	return r.topFolders(covered, r.generatorMetadata)
}

// generatorFiles are the files GeneratorFolders looks for.
var generatorFiles = []string{"_category_.json", "_category_.yml", "_category_.yaml"}

// generatorFrontMatter are the front-matter keys only one generator
// reads: Docusaurus' custom_edit_url, the address of a page's "Edit this
// page" link, which a site built in another repository sets to send its
// readers back to this one.
var generatorFrontMatter = []string{"custom_edit_url"}

// generatorMetadata: dir, or a folder just below it, holds a
// generatorFiles file, or a page whose front matter sets a
// generatorFrontMatter key.
func (r *Repo) generatorMetadata(dir string) bool {
	has := func(d string) bool {
		// Once per folder: the walk asks of a folder as itself and as
		// the one just below its parent, and reading its pages is I/O.
		return r.memo("generator-metadata", d, func() any {
			if slices.ContainsFunc(generatorFiles, func(f string) bool { return r.Stat(path.Join(d, f)) == File }) {
				return true
			}
			return slices.ContainsFunc(r.Names(d), func(n string) bool {
				ext := strings.ToLower(path.Ext(n))
				if ext != ".md" && ext != ".mdx" {
					return false
				}
				src, err := r.ReadFile(path.Join(d, n))
				return err == nil && slices.ContainsFunc(generatorFrontMatter, func(key string) bool { return frontMatterValue(src, key) != "" })
			})
		}).(bool)
	}
	if has(dir) {
		return true
	}
	return slices.ContainsFunc(r.Names(dir), func(n string) bool {
		p := path.Join(dir, n)
		return !strings.HasPrefix(n, ".") && r.WalkStat(p) == Dir && has(p)
	})
}

// topFolders lists the topmost folders, down to three levels below the
// root, that match, skipping hidden folders, node_modules and the folders
// covered reports true for (a recognised site's pages; a folder beside the
// site, further down, may still match).
func (r *Repo) topFolders(covered func(dir string) bool, match func(dir string) bool) []string {
	var out []string
	var visit func(dir string, depth int)
	visit = func(dir string, depth int) {
		for _, n := range r.Names(dir) {
			p := path.Join(dir, n)
			if strings.HasPrefix(n, ".") || n == "node_modules" || r.WalkStat(p) != Dir {
				continue
			}
			if covered(p) {
				// A site's folder, or one holding it: a folder beside
				// the site, further down, may still be one.
				if depth < 3 {
					visit(p, depth+1)
				}
				continue
			}
			if match(p) {
				out = append(out, p)
				continue
			}
			if depth < 3 {
				visit(p, depth+1)
			}
		}
	}
	visit(".", 1)
	return out
}

// pageCounts counts, in a folder tree (hidden folders and node_modules
// skipped), the Markdown pages, the pages of other markups
// (reStructuredText, AsciiDoc, plain text) and the other files, media
// left out.
type pageCounts struct{ markdown, otherMarkup, other int }

func (r *Repo) pageCounts(dir string) pageCounts {
	if v, ok := r.manifests.Load("pagecount:" + dir); ok {
		return v.(pageCounts)
	}
	var c pageCounts
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch r.WalkStat(p) {
		case Dir:
			if !strings.HasPrefix(n, ".") && n != "node_modules" {
				sub := r.pageCounts(p)
				c.markdown, c.otherMarkup, c.other = c.markdown+sub.markdown, c.otherMarkup+sub.otherMarkup, c.other+sub.other
			}
		case File:
			switch ext := strings.ToLower(path.Ext(n)); {
			case ext == ".md" || ext == ".markdown" || ext == ".mdx":
				c.markdown++
			case markupExts[ext]:
				c.otherMarkup++
			case !mediaExts[ext]:
				c.other++
			}
		}
	}
	r.manifests.Store("pagecount:"+dir, c)
	return c
}

// markupExts are the pages of markups other than Markdown.
var markupExts = map[string]bool{".rst": true, ".adoc": true, ".asciidoc": true, ".txt": true}

// renderedFolder: dir is made of Markdown pages and something publishes
// it: the build files name it, or an index.html renders it.
func (r *Repo) renderedFolder(dir string) bool {
	c := r.pageCounts(dir)
	if c.markdown == 0 || c.markdown < c.otherMarkup+c.other || r.Stat(path.Join(dir, "index.html")) != File && !r.BuildNames(dir) && !r.jekyllBuilds(dir) {
		return false
	}
	// A template of pages is the input of a program that fills it in,
	// not a page: it counts as another file (read only for a folder
	// that counts already: reading every Markdown file is I/O).
	t := r.templatePages(dir)
	return c.markdown > t && c.markdown-t >= c.otherMarkup+c.other+t
}

// jekyllBuilds reports whether a Jekyll config (_config.yml) says a site
// is built from dir: the config sits in it, or at the root above a top
// folder (Jekyll renders the pages of every folder of its source). GitHub
// Pages builds such a site from the root or docs/ with no build file
// naming it.
func (r *Repo) jekyllBuilds(dir string) bool {
	return r.Stat(path.Join(dir, "_config.yml")) == File || path.Dir(dir) == "." && r.Stat("_config.yml") == File
}

// templatePages counts the Markdown files under dir (hidden folders and
// node_modules skipped) whose title is written with a template
// placeholder: a front-matter title or the first heading holding
// "{{ ... }}" (Jinja's, Handlebars', Go's), which a program fills in for
// each page it writes from the file ("# {{ name }}").
func (r *Repo) templatePages(dir string) int {
	n := 0
	for _, name := range r.Names(dir) {
		p := path.Join(dir, name)
		switch r.WalkStat(p) {
		case Dir:
			if !strings.HasPrefix(name, ".") && name != "node_modules" {
				n += r.templatePages(p)
			}
		case File:
			if ext := strings.ToLower(path.Ext(name)); ext != ".md" && ext != ".markdown" && ext != ".mdx" {
				continue
			}
			if src, err := r.ReadFile(p); err == nil && templateTitle(src) {
				n++
			}
		}
	}
	return n
}

// templateTitle reports whether a Markdown file's title, its front
// matter's or else its first heading's, holds a template placeholder.
func templateTitle(src []byte) bool {
	placeholder := func(s string) bool {
		i := strings.Index(s, "{{")
		return i >= 0 && strings.Contains(s[i:], "}}")
	}
	if t := frontMatterValue(src, "title"); t != "" {
		return placeholder(t)
	}
	for line := range bytes.Lines(src) {
		if h, ok := strings.CutPrefix(strings.TrimSpace(string(line)), "#"); ok && (h == "" || h[0] == ' ' || h[0] == '#') {
			return placeholder(h)
		}
	}
	return false
}

// MadeOfPages reports whether dir holds pages, of any markup, at least as
// many as its other files (media left out): a folder a site can publish,
// not one of code, data or an API description with a README.
func (r *Repo) MadeOfPages(dir string) bool {
	c := r.pageCounts(dir)
	pages := c.markdown + c.otherMarkup
	return pages > 0 && pages >= c.other
}

// CodeHosts serve a repository's own files: a link to them is the
// repository rendered by the host, whose rules docscheck models.
var CodeHosts = []string{"github.com", "githubusercontent.com", "gitlab.com", "codeberg.org", "bitbucket.org"}
