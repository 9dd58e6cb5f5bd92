package check

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
	"golang.org/x/text/unicode/norm"
)

// A site whose config enables tools docscheck does not model
// (repo.Site.Unmodelled: a plugin, a markdown extension, hooks, a custom
// slugify or attribute syntax) can give a page ids that its Markdown does
// not show as headings. Such tools make ids out of the page's markup: a
// heading under another slugify, an attribute in other delimiters, a
// shortcode's argument in an HTML comment, a tab or admonition title
// joined to its heading. Running prose makes none. So a fragment is still
// certain when no markup line of the target page could give it: its
// letters and digits, in order, appear nowhere in those lines' letters and
// digits. Otherwise it is not judged, with this reason.
const reasonSiteConfig = "site-config"

// unmodelledSite names the first config setting that makes page's ids or
// definitions unmodelled, or "".
func (c *Checker) unmodelledSite(pagePath string) string {
	if s := c.site(pagePath); s != nil && len(s.Unmodelled) > 0 {
		return s.Unmodelled[0]
	}
	return ""
}

// anyChapterCouldGive reports whether page p is one of a site whose own
// code rewrites every page before rendering (RewritesChapters) and some
// page of that site could give frag (textCouldGive).
func (c *Checker) anyChapterCouldGive(p, frag string) bool {
	s := c.site(p)
	if s == nil || !s.RewritesChapters() {
		return false
	}
	return slices.ContainsFunc(c.markdownUnder(s.Pages), func(q string) bool {
		pg, err := c.load(q)
		return err == nil && pg.textCouldGive(frag)
	})
}

// textCouldGive reports whether some markup of pg could be turned into the
// fragment by a slugify or an id-making tool: the fragment's letters and
// digits, lower-cased, occur in those of its markup lines. A footnote's "fn:7" or
// "fnref:7" is looked for as "7".
func (pg *page) textCouldGive(frag string) bool {
	for _, p := range []string{"fn:", "fnref:"} {
		frag = strings.TrimPrefix(frag, p)
	}
	pg.letterDigitsOnce.Do(func() { pg.letterDigits = markupLetterDigits(pg.source) })
	// An id joined from two titles ("heading--tab", tabbed's
	// combine_header_slug) needs each part in the markup.
	for part := range strings.SplitSeq(frag, "--") {
		if want := letterDigits(part); want != "" && !strings.Contains(pg.letterDigits, want) {
			return false
		}
	}
	return true
}

// anyRendererCouldGive reports whether some renderer's slug rule could
// make frag an id of pg: its letters and digits, case folded, accents
// dropped, are those of a heading, of a heading joined to the headings
// it lies under, or of an id (looseAnchors). A number after them may
// tell a repeated heading apart (-1 on github.com, _1 in MkDocs).
func (pg *page) anyRendererCouldGive(frag string) bool {
	want := letterDigits(frag)
	loose := pg.looseIDs()
	if want == "" || loose[want] > 0 {
		return true
	}
	stem := strings.TrimRightFunc(want, unicode.IsDigit)
	return stem != want && loose[stem] > 1
}

// joinsAnchors reports whether frag is two or more of the page's anchors
// joined by "-" (a section's id nested under its parents' ids).
func (pg *page) joinsAnchors(frag string) bool {
	// ends[i]: frag[:i] is one or more anchors joined by "-".
	ends := make([]bool, len(frag)+1)
	for i := 0; i <= len(frag); i++ {
		if i < len(frag) && frag[i] != '-' {
			continue
		}
		for j := 0; j < i; j++ {
			if (j == 0 || ends[j-1] && frag[j-1] == '-') && pg.anchors[frag[j:i]] {
				if i == len(frag) && j > 0 {
					return true
				}
				ends[i] = true
				break
			}
		}
	}
	return false
}

// markupLetterDigits is letterDigits of the page's markup lines: headings,
// lines with an attribute block, HTML or a template ("{", "<"), and the
// title lines of tabs, admonitions, panels and containers ("===", "!!!",
// "???", ":::", and Retype's "==-" panels and "+++" tabs).
func markupLetterDigits(source []byte) string {
	var b strings.Builder
	for line := range bytes.Lines(source) {
		t := bytes.TrimLeft(line, " \t>")
		switch {
		case bytes.HasPrefix(t, []byte("#")), bytes.ContainsAny(t, "{<"),
			bytes.HasPrefix(t, []byte("===")), bytes.HasPrefix(t, []byte("==-")), bytes.HasPrefix(t, []byte("+++")), bytes.HasPrefix(t, []byte("!!!")),
			bytes.HasPrefix(t, []byte("???")), bytes.HasPrefix(t, []byte(":::")):
			b.WriteString(letterDigits(string(t)))
		}
	}
	return b.String()
}

// letterDigits keeps the letters and digits of s, lower-cased and without
// their accents: many slugifiers transliterate ("propriétés" gives
// "proprietes"), so an id may lack the accents its heading has.
func letterDigits(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) { // NFD leaves accents as marks, not letters
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// footnoteID reports whether frag is the id Python-Markdown's footnotes
// extension gives a footnote of pg ("fn:7" for [^7], "fnref:7" for its
// first use).
func (pg *page) footnoteID(frag string) bool {
	for _, p := range []string{"fn:", "fnref:"} {
		if label, ok := strings.CutPrefix(frag, p); ok && label != "" {
			return bytes.Contains(pg.source, []byte("[^"+label+"]"))
		}
	}
	return false
}

// unmodelledGenerators are site generators a package.json's dependencies
// name whose routing docscheck does not model: each serves its pages at
// routes from the site's root that its own rules and config decide.
var unmodelledGenerators = []string{"rspress", "@rspress/core", "nextra", "vuepress", "@vuepress/core", "hexo", "gatsby", "@11ty/eleventy", "dumi",
	"retypeapp"}

// unmodelledConfigs are the config files of site generators docscheck
// does not model that sit in the folder of the pages they build (Retype's
// retype.yml, installed as a .NET tool as often as from npm), by
// generator.
var unmodelledConfigs = map[string]string{"retype.yml": "retype", "retype.yaml": "retype", "retype.json": "retype"}

// dependsOnGenerator reports whether a package.json's sorted dependencies
// hold generator g, or one of its builds for a platform (npm's
// retypeapp-linux-x64 for retypeapp).
func dependsOnGenerator(deps []string, g string) bool {
	i, ok := slices.BinarySearch(deps, g)
	return ok || i < len(deps) && strings.HasPrefix(deps[i], g+"-")
}

// mdxExpression is what in an MDX line cannot name a heading: a
// JavaScript expression, "{...}", and a link's own target (an href or
// src attribute, a Markdown link's destination).
var mdxExpression = regexp.MustCompile(`\{[^{}]*\}|(?i)\b(?:href|src)\s*=\s*(?:"[^"]*"|'[^']*')|\]\([^)]*\)`)

// componentsCouldGive reports whether an MDX page's markup that docscheck
// does not read as a heading could give the fragment: a line with a
// component or an HTML tag ("<") whose text and attribute strings,
// expressions left out, hold the fragment's letters and digits, in order
// (a heading it writes at build time could have that id), or an indented heading line ("    ### Title"
// inside a component), which MDX reads as a heading, having no indented
// code, while CommonMark reads it as code.
func (pg *page) componentsCouldGive(frag string) bool {
	want := letterDigits(frag)
	if want == "" {
		return true
	}
	for line := range bytes.Lines(pg.source) {
		// A component's heading comes from its text or attribute
		// strings, not from the names in an expression
		// (<CodeBlock>{trimSnippet(subtreeScope)}</CodeBlock>).
		if bytes.IndexByte(line, '<') >= 0 && strings.Contains(letterDigits(mdxExpression.ReplaceAllString(string(line), " ")), want) {
			return true
		}
		if t := bytes.TrimLeft(line, " \t"); len(line)-len(t) >= 4 && bytes.HasPrefix(t, []byte("#")) {
			text := strings.TrimSpace(strings.TrimLeft(string(t), "#"))
			if anchor.GitHub.Make(text) == frag {
				return true
			}
		}
	}
	return false
}

// mystTarget reports whether pg names frag as a MyST explicit target:
// a "(frag)=" line, or a directive's ":name: frag" (Sphinx) or
// ":label: frag" (mystmd) option.
func (pg *page) mystTarget(frag string) bool {
	return bytes.Contains(pg.source, []byte("("+frag+")=")) || bytes.Contains(pg.source, []byte(":name: "+frag)) ||
		bytes.Contains(pg.source, []byte(":label: "+frag))
}

// unmodelledGenerator names the unmodelled site generator that renders a
// page: one the nearest package.json above the page's folder (not beside
// the page: a root README next to a site's package.json is github.com's)
// depends on. "" when there is none.
func (c *Checker) unmodelledGenerator(page string) string {
	for dir := path.Dir(page); dir != "." && dir != "/"; dir = path.Dir(dir) {
		// VuePress keeps its config in the source folder's .vuepress/
		// (docs/.vuepress/config.js), whichever package installs it: the
		// folder gives the site away, as .vitepress/ does VitePress's.
		// One at the root is left to the package.json test: the root
		// README beside it is read on github.com too.
		if c.opts.Repo.Stat(path.Join(dir, ".vuepress")) == repo.Dir {
			return "vuepress"
		}
		for name, g := range unmodelledConfigs {
			if c.opts.Repo.Stat(path.Join(dir, name)) == repo.File {
				return g
			}
		}
	}
	pkg := c.opts.Repo.NearestPackageJSON(path.Dir(page))
	if pkg == nil || path.Dir(pkg.Path) == path.Dir(page) {
		return ""
	}
	for _, g := range unmodelledGenerators {
		if dependsOnGenerator(pkg.Dependencies, g) {
			return g
		}
	}
	return ""
}
