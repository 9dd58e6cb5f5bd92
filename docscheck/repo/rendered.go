package repo

import (
	"path"
	"strings"
)

// A folder of pages can be rendered by a generator docscheck does not
// recognise (Docsify, Documenter.jl, mdoc, a registry's docs/ convention,
// ...). What every such site shares is not its config but two facts the
// tree shows: the folder is made of pages (its files are mostly Markdown,
// not code or fixtures), and something publishes it: the repository's
// build files name it (a CI workflow building the docs, a package.json
// script, build.sbt), or it holds an index.html, a web page served from
// the folder that renders the Markdown beside it.

// mediaExts are a site's assets: they sit beside pages in any docs
// folder and say nothing about whether the folder is made of pages.
var mediaExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true,
	".ico": true, ".mp4": true, ".webm": true, ".pdf": true, ".css": true, ".woff": true, ".woff2": true, ".ttf": true}

// RenderedFolders lists the topmost folders, down to three levels below
// the root, that are made of pages and published (see above), leaving out
// those covered reports true for (a recognised site's pages).
func (r *Repo) RenderedFolders(covered func(dir string) bool) []string {
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
			if r.renderedFolder(p) {
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

// pageCounts counts the Markdown pages and the other files (media
// left out) in a folder tree, hidden folders and node_modules skipped.
func (r *Repo) pageCounts(dir string) (pages, other int) {
	if v, ok := r.manifests.Load("pagecount:" + dir); ok {
		c := v.([2]int)
		return c[0], c[1]
	}
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch r.WalkStat(p) {
		case Dir:
			if !strings.HasPrefix(n, ".") && n != "node_modules" {
				a, b := r.pageCounts(p)
				pages, other = pages+a, other+b
			}
		case File:
			switch ext := strings.ToLower(path.Ext(n)); {
			case ext == ".md" || ext == ".markdown" || ext == ".mdx":
				pages++
			case !mediaExts[ext]:
				other++
			}
		}
	}
	r.manifests.Store("pagecount:"+dir, [2]int{pages, other})
	return pages, other
}

// renderedFolder: dir is made of pages and something publishes it: the
// build files name it, or an index.html renders it.
func (r *Repo) renderedFolder(dir string) bool {
	pages, other := r.pageCounts(dir)
	return pages > 0 && pages >= other && (r.Stat(path.Join(dir, "index.html")) == File || r.BuildNames(dir))
}

// CodeHosts serve a repository's own files: a link to them is the
// repository rendered by the host, whose rules docscheck models.
var CodeHosts = []string{"github.com", "githubusercontent.com", "gitlab.com", "codeberg.org", "bitbucket.org"}
