package check

import (
	"path"
	"regexp"
	"strings"
	"sync"
)

// A page whose front matter sets its own address ("permalink:
// /docs/repeat.html", as Jekyll and Eleventy read it) is written for the
// site that serves it there, not for its place in the tree: its relative
// links resolve from that address, against the addresses the site's
// other pages set. A link that lands on one of them is served by the
// site, though github.com, resolving it beside the file, shows a 404.

// permalinkLine is a front-matter line that sets a page's address.
var permalinkLine = regexp.MustCompile(`(?m)^permalink:[ \t]*['"]?(/[^'"\s#?]*)`)

// permalinkOf is the address the front matter of page sets, or "".
func (c *Checker) permalinkOf(page string) string {
	if v, ok := c.permalinks.Load(page); ok {
		return v.(string)
	}
	link := ""
	if src, err := c.opts.Repo.ReadFile(page); err == nil {
		if end := frontMatterEnd(src); end > 0 {
			if m := permalinkLine.FindSubmatch(src[:end]); m != nil {
				link = string(m[1])
			}
		}
	}
	c.permalinks.Store(page, link)
	return link
}

// sitePermalinks are the addresses the pages of a top folder set, made
// once per folder.
type sitePermalinks struct {
	once  sync.Once
	links map[string]bool
}

// permalinkServes reports whether target, a relative link of page,
// lands from page's own permalink on the permalink of a page of the same
// top folder (the tree of the site the page belongs to).
func (c *Checker) permalinkServes(page, target string) bool {
	own := c.permalinkOf(page)
	top, _, nested := strings.Cut(page, "/")
	if own == "" || !nested || strings.HasPrefix(target, "/") {
		return false
	}
	v, _ := c.sitePermalinks.LoadOrStore(top, &sitePermalinks{})
	sp := v.(*sitePermalinks)
	sp.once.Do(func() {
		sp.links = map[string]bool{}
		for _, p := range c.markdownUnder(top) {
			if l := c.permalinkOf(p); l != "" {
				sp.links[normalPermalink(l)] = true
			}
		}
	})
	base := own
	if !strings.HasSuffix(base, "/") {
		base = path.Dir(base)
	}
	return sp.links[normalPermalink(path.Join(base, target))]
}

// normalPermalink is an address without its trailing slash or index
// page, so that /docs/x/, /docs/x and /docs/x/index.html are one.
func normalPermalink(p string) string {
	p = strings.TrimSuffix(p, "index.html")
	return strings.TrimSuffix(path.Clean("/"+p), "/")
}

// A relative link written as a directory URL ("../debugging/", ending in
// a slash) is written for a site that serves each page at a folder of its
// own (a/b/compatibility.md at a/b/compatibility/), as Jekyll, Hugo and
// MkDocs do with pretty URLs. From that address, "../debugging/" is
// a/b/debugging/, the page a/b/debugging.md: the site serves it, though
// github.com, resolving the link beside the file, finds no folder.

// directoryURLServes reports whether target, a relative directory URL,
// names a page of the tree when read from page's own directory URL.
func (c *Checker) directoryURLServes(page, target string) bool {
	if !strings.HasSuffix(target, "/") || strings.HasPrefix(target, "/") || path.Ext(strings.TrimSuffix(target, "/")) != "" {
		return false
	}
	own := strings.TrimSuffix(page, path.Ext(page))
	if isReadmePage(path.Base(page)) || strings.EqualFold(path.Base(own), "index") {
		own = path.Dir(page)
	}
	url := path.Join(own, target)
	if url == ".." || strings.HasPrefix(url, "../") {
		return false
	}
	return c.pageUnderAnyName(url)
}
