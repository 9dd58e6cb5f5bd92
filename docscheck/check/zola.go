package check

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
)

// Zola links pages by "@/x.md": a path from the content folder of the
// site, which Zola's build resolves and refuses when it is broken. No
// plain file renderer resolves it, so docscheck judges such a link only
// on a page of a recognised Zola site, under Zola's own rule, and counts
// it as not judged anywhere else (site-rule).

var (
	// zolaAnchors is a [slugify] "anchors" setting; only "on", the
	// default, gives the slug crate's ids.
	zolaAnchors = regexp.MustCompile(`(?m)^\s*anchors\s*=\s*["']([a-z]+)["']`)
)

// zolaSite is a Zola site a page belongs to: its content folder, and
// whether its heading ids follow Zola's default rule.
type zolaSite struct {
	content    string
	anchorsOff bool
}

// zolaSiteOf finds the Zola site of a page: a folder "content" above it
// whose parent holds a config.toml with base_url.
func (c *Checker) zolaSiteOf(page string) (zolaSite, bool) {
	for d := path.Dir(page); d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if path.Base(d) != "content" {
			continue
		}
		v, ok := c.zola.Load(d)
		if !ok {
			v = c.readZola(d)
			c.zola.Store(d, v)
		}
		if s := v.(zolaSite); s.content != "" {
			return s, true
		}
	}
	return zolaSite{}, false
}

// readZola reads the Zola config beside a folder named content; the zero
// zolaSite when there is none.
func (c *Checker) readZola(d string) zolaSite {
	var s zolaSite
	if c.opts.Repo.ZolaConfig(path.Dir(d)) {
		s.content = d
		data, _ := c.opts.Repo.ReadFile(path.Join(path.Dir(d), "config.toml"))
		m := zolaAnchors.FindSubmatch(data)
		s.anchorsOff = m != nil && string(m[1]) != "on"
	}
	return s
}

// checkZolaLink judges an "@/" link (rest is what follows "@/", decoded).
func (c *Checker) checkZolaLink(r *report, dest, rest, fragment string, offset int) {
	site, ok := c.zolaSiteOf(r.page.path)
	if !ok {
		r.missAt(offset, reasonSiteRule, ruleLink, "", "link target %s is an internal link of a site generator docscheck does not recognise here", quoteTarget(dest))
		return
	}
	target := path.Join(site.content, rest)
	if c := path.Clean(rest); c == ".." || strings.HasPrefix(c, "../") {
		r.add(offset, ruleLink, "", "link target %s leaves the content folder %s", quoteTarget(dest), site.content)
		return
	}
	if c.opts.Repo.Stat(target) != repo.File {
		r.add(offset, ruleLink, "", "link target %s: %s does not exist", quoteTarget(dest), target)
		return
	}
	if fragment == "" || !isMarkdown(target) {
		return
	}
	other, err := c.load(target)
	if err != nil {
		r.add(offset, ruleLink, "", "link target %s cannot be read", quoteTarget(dest))
		return
	}
	if other.tooComplex != "" || other.anchors[fragment] {
		return
	}
	found, exact, _ := zolaAnchor(site, other, fragment)
	if found {
		return
	}
	reason := ""
	if !exact {
		// Ids from another slugify setting, a transliteration table or
		// a shortcode: not modelled.
		reason = reasonSiteRule
	}
	r.missAt(offset, reason, ruleAnchor, "", "anchor #%s does not exist in %s", fragment, target)
}

// zolaAnchor reports whether Zola gives pg, a page of site, the id
// fragment (its slug of a heading, or a heading's {#id}), whether Zola's
// ids for the page are exactly known (the default slugify, no shortcode,
// headings whose slug needs no transliteration), and those ids.
func zolaAnchor(site zolaSite, pg *page, fragment string) (found, exact bool, ids []string) {
	zp := parsePage(pg.path, pg.source, anchor.Zola, indentedBodies{})
	exact = !site.anchorsOff && !pg.shortcodes
	for _, h := range zp.headings {
		exact = exact && anchor.ZolaExact(h.text)
	}
	return zp.anchors[fragment] || slices.Contains(zp.attrIDs, fragment), exact, zp.anchorList
}

// resolveZolaRoute resolves a link from the root of a Zola site ("/",
// "/features", "/logo.svg"): Zola serves the content folder's pages
// from there (a section by its _index.md, a page by its file or its
// folder's index.md) and the static folder beside it as it is. Missing
// when none holds it.
func (c *Checker) resolveZolaRoute(zs zolaSite, decoded string) (string, repo.Kind) {
	route := strings.Trim(decoded, "/")
	page := path.Join(zs.content, route)
	for _, p := range []string{path.Join(page, "_index.md"), page + ".md", path.Join(page, "index.md"), page,
		path.Join(path.Dir(zs.content), "static", route)} {
		if k := c.opts.Repo.Stat(p); k == repo.File || k == repo.Dir && route != "" && p != page {
			return p, k
		}
	}
	return page, repo.Missing
}
