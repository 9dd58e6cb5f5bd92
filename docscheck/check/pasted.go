package check

import (
	"path"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// A README that only browsing reaches (a folder's, see Files) may be
// written for a docs site: a build script pastes it into one of the
// site's pages (a plugin's README into the features page). Its evidence
// is a relative link that names no file from the README's folder but a
// page of a published site's pages folder (web-ui.md for docs/web-ui.md):
// written from where the site shows it. On such a README a link the
// site's pages serve and a fragment of its own are not judged
// (site-rule); a link missing from both stays certain.

// writtenForSite reports whether the page is a README only browsing
// reaches that links a page of a published site by the site's path.
func (c *Checker) writtenForSite(p string) bool {
	if _, browsed := c.browsed.Load(p); !browsed || c.site(p) != nil {
		return false
	}
	if v, ok := c.forSite.Load(p); ok {
		return v.(bool)
	}
	pg, err := c.load(p)
	found := false
	if err == nil {
		for _, dest := range pg.destinations() {
			dest, _, _ = strings.Cut(dest, "#")
			if dest == "" || hasScheme(dest) || strings.HasPrefix(dest, "/") {
				continue
			}
			if c.opts.Repo.Stat(joinPath(dirOf(p), dest)) == repo.Missing && c.sitePagesServe(dest) {
				found = true
				break
			}
		}
	}
	c.forSite.Store(p, found)
	return found
}

// sitePagesServe reports whether a relative link names a file of a
// published site's pages folder, read from that folder.
func (c *Checker) sitePagesServe(dest string) bool {
	if strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "../") {
		return false
	}
	for _, s := range c.sites {
		if c.opts.Repo.PublishedSite(s) && c.opts.Repo.Stat(path.Join(s.Pages, dest)) == repo.File {
			return true
		}
	}
	return false
}
