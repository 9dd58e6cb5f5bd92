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
	// zolaBaseURL is the one key every Zola config.toml has ("base_url";
	// Hugo spells it baseURL).
	zolaBaseURL = regexp.MustCompile(`(?m)^base_url\s*=`)
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
	if data, err := c.opts.Repo.ReadFile(path.Join(path.Dir(d), "config.toml")); err == nil && zolaBaseURL.Match(data) {
		s.content = d
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
	zp := parsePage(target, other.source, anchor.Zola, false)
	exact := !site.anchorsOff && !other.shortcodes
	for _, h := range zp.headings {
		exact = exact && anchor.ZolaExact(h.text)
	}
	if zp.anchors[fragment] || slices.Contains(zp.attrIDs, fragment) {
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
