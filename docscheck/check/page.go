package check

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// markdown parses GitHub Flavored Markdown; docscheck only reads the AST.
// Footnotes ([^1]) are GitHub's too: without them a footnote reference
// would read as a reference link without a definition.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote))

// page is one parsed Markdown file. Once the page is checked, release
// drops what only its own checks read (the fields marked "own"): links
// from other pages read the rest.
type page struct {
	path   string // relative to the root, slash-separated
	source []byte
	// doc, lineStarts and headings are own.
	doc        ast.Node
	lineStarts []int
	headings   []heading
	// released is set once the own fields are dropped.
	released atomic.Bool
	// anchors holds every id a "#fragment" may name on this page.
	anchors map[string]bool
	// anchorList keeps the anchors in page order, for suggestions.
	anchorList []string
	// generated is set when a plugin writes part of the page at build time
	// (a "::: module.name" line of mkdocstrings, mkdocs-click, mkautodoc):
	// its anchors are unknowable and not judged.
	generated bool
	// shortcodes is set when the page calls Hugo-style shortcodes
	// ({{< x >}}, {{% x %}}), which can write headings at build time.
	shortcodes bool
	// attrIDs are the ids of attribute blocks ("## Title {#id}", a line
	// "{#id}") and of docs-builder's inline markers ("$$$id$$$"): ids on
	// a docs site's renderer (mdBook, Hugo, VitePress, MkDocs,
	// Docusaurus, docs-builder), literal text on github.com.
	attrIDs []string
	// loose counts what some renderer's slug rule could make an id of:
	// the letters and digits (letterDigits) of each heading, of each
	// heading joined to its parents', and of each id (anyRendererCouldGive).
	// Made on first use (looseIDs): only pages whose renderer is in doubt
	// need it, and most pages are never asked.
	loose     map[string]int
	looseOnce sync.Once
	// tooComplex, when set, says why the page was over its budget and not
	// parsed (budget.go); its anchors are then unknown.
	tooComplex string
	// defs are the offsets of the reference definitions, by label
	// (links.go), found once.
	defsOnce sync.Once
	defs     map[string]int
	// linkNodes are the page's Link, AutoLink, RawHTML and HTMLBlock
	// nodes in page order, gathered by collectAnchors' walk so that
	// noteDownloads and linkedPages need not walk the whole page again.
	// Own: what other pages need of them is linked and destinations.
	linkNodes []ast.Node
	// linked are the pages this page links to (pages.go), found once:
	// Files walks the published pages once per folder argument.
	linkedOnce sync.Once
	linked     []string
	// linkedDirs are the folders of the tree this page links to as
	// folders, found with linked.
	linkedDirs []string
	// dests are the destinations of the page's links (elsewhere.go),
	// found once.
	destsOnce sync.Once
	dests     []string
	// letterDigits is the page's markup lines reduced to their letters
	// and digits, lower-cased, made once when a site's unmodelled config asks
	// (siteconfig.go).
	letterDigitsOnce sync.Once
	letterDigits     string
	// frontMatter is the page's front matter as written (parsePage blanks
	// it in source); markupTexts the letters and digits of its markup
	// lines, made on first use (markupTextGives).
	frontMatter     []byte
	markupTextsOnce sync.Once
	markupTexts     map[string]bool
	// examples are the names the page's prose gives as examples ("e.g.
	// `Helvetica`"), found on first use (namesExample).
	examplesOnce sync.Once
	examples     map[string]bool
	// saved are the file names the page's prose has the reader save or
	// create ("If we save this as `test_x.py` inside ...", savesName).
	savedOnce sync.Once
	saved     map[string]bool
	// rstNotes are what a reStructuredText page's references give beside
	// its Markdown reading: labels judged, missing files not judged;
	// rstCols map the columns of the Markdown it is read as back to the
	// page's (rst.go).
	rstNotes []finding.Finding
	// rstAddresses are the pages a reStructuredText page names by their
	// code host's addresses, which its Markdown reading does not hold
	// (linkedPages follows them).
	rstAddresses []string
	rstCols      [][]int
	// asHTML: the page links a page beside it by the HTML file built
	// from it (elsewhere.go), found once.
	asHTMLOnce sync.Once
	asHTML     bool
}

// release drops the page's own fields once its checks are done, keeping
// what links from other pages read: its anchors and loose ids, its source, the pages it
// links to (found now if Files has not yet) and, for a page whose link
// destinations another rule reads, those. A run checking 1,000 pages then
// holds the syntax trees of a few, so the garbage collector reuses their
// memory instead of the system handing the run fresh pages.
func (c *Checker) release(pg *page) {
	c.findLinks(pg)
	if destinationsRead(pg.path) {
		pg.destinations()
	}
	c.readAsHTML(pg)
	// A link from another page may ask for the loose ids (an unknown
	// renderer's), made from the headings dropped below: made now, or
	// that page would read them while they go.
	pg.looseIDs()
	pg.doc, pg.lineStarts, pg.headings, pg.linkNodes = nil, nil, nil, nil
	pg.released.Store(true)
}

type heading struct {
	text   string
	slug   string
	offset int
	level  int
	// spaced is an HTML heading's text with the spaces around it kept
	// (line breaks dropped), when it has any; else "".
	spaced string
}

// parsePage parses a page under a renderer's rules: style makes heading
// ids; bodies says which blocks of the renderer's Python-Markdown hold
// Markdown indented below their opening line.
func parsePage(path string, source []byte, style anchor.Style, bodies indentedBodies) *page {
	source = bytes.TrimPrefix(source, []byte("\uFEFF"))
	end := frontMatterEnd(source)
	frontMatter := source[:end]
	source = blankFrontMatter(source)
	p := &page{path: path, source: source, frontMatter: frontMatter, anchors: map[string]bool{}}
	p.lineStarts = make([]int, 1, bytes.Count(source, []byte("\n"))+1)
	for i := 0; ; {
		j := bytes.IndexByte(source[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		p.lineStarts = append(p.lineStarts, i)
	}
	parsed := bodies.asListItems(source)
	p.doc = markdown.Parser().Parse(text.NewReader(parsed), parser.WithContext(parser.NewContext()))
	p.collectAnchors(style)
	if bytes.Contains(source, []byte("$$$")) {
		// Elastic's docs-builder reads "$$$id$$$" in a page's text as an
		// anchor there; github.com shows it as text.
		for _, m := range inlineAnchorMarker.FindAllSubmatch(source, -1) {
			p.attrIDs = append(p.attrIDs, string(m[1]))
		}
	}
	p.shortcodes = bytes.Contains(source, []byte("{{<")) || bytes.Contains(source, []byte("{{%"))
	if style == anchor.MkDocs || style == anchor.MkDocsUnicode {
		p.generated = autodocLine.Match(source)
		p.attrIDs = append(p.attrIDs, p.unspacedHeadingIDs(style)...)
	}
	// Attribute blocks give ids on the renderers that take them
	// (Python-Markdown's attr_list after inline text,
	// "**`locale`**{ #mkdocs-locale }"; markdown-it-attrs and kramdown on
	// a line of their own, "{#id}", or after a container's title).
	for _, m := range attrListIDs(source) {
		p.attrIDs = append(p.attrIDs, string(m[1]))
	}
	return p
}

// unspacedHeading is a line of hashes and a heading's text with no space
// between them ("###**Developing Workflows**"), which CommonMark reads
// as a paragraph and Python-Markdown, MkDocs' renderer, as a heading.
var unspacedHeading = regexp.MustCompile(`^#{1,6}([^#\s].*?)[ \t]*#*[ \t]*$`)

// unspacedHeadingIDs are the ids MkDocs gives the lines of the page's
// paragraphs that Python-Markdown reads as headings though CommonMark
// does not (unspacedHeading), their emphasis and code marks taken off.
// They add ids only: a link to one is no breakage on such a site.
func (p *page) unspacedHeadingIDs(style anchor.Style) []string {
	if !bytes.Contains(p.source, []byte("#")) {
		return nil
	}
	var ids []string
	_ = ast.Walk(p.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Kind() != ast.KindParagraph {
			return ast.WalkContinue, nil
		}
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			if m := unspacedHeading.FindSubmatch(bytes.TrimRight(seg.Value(p.source), "\r\n")); m != nil {
				text := strings.NewReplacer("**", "", "__", "", "*", "", "`", "").Replace(string(m[1]))
				ids = append(ids, style.Make(strings.TrimSpace(text)))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	return ids
}

// looseIDs is the page's loose map, made on first use.
func (p *page) looseIDs() map[string]int {
	p.looseOnce.Do(func() { p.loose = looseAnchors(p.headings, p.anchorList, p.attrIDs) })
	return p.loose
}

// htmlEscaped escapes text as marked does before a heading's id is made
// of it.
var htmlEscaped = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// looseAnchors lists the letters and digits of what a renderer
// whose slug rule is unknown could make an id of: each heading's text
// (its attribute block left out; also as HTML-escaped text), that text
// joined to the texts of the headings it lies under, nearest first (a
// generator that nests a section's id under its parents': "###
// envPrefix" under "## Options" gives #Options-envPrefix), and each id
// the page has; a count above one is a repeated heading.
func looseAnchors(headings []heading, anchors, attrIDs []string) map[string]int {
	out := map[string]int{}
	var parents []string // letterDigits of the open headings, by level
	levels := []int{}
	for _, h := range headings {
		for len(levels) > 0 && levels[len(levels)-1] >= h.level {
			levels, parents = levels[:len(levels)-1], parents[:len(parents)-1]
		}
		t := h.text
		if id := headingAttrID(t); id != "" {
			t = t[:strings.LastIndex(t, "{")]
		} else if id := bracketIDOf(t); id != "" {
			t = t[:strings.LastIndex(t, "[")]
		}
		own := letterDigits(t)
		out[own]++
		if escaped := letterDigits(htmlEscaped.Replace(t)); escaped != own {
			// A renderer that slugs the heading's HTML (marked, under
			// docsify) spells `"` as "quot": "network found" in quotes
			// gives #quotnetwork-foundquot.
			out[escaped]++
		}
		joined := own
		for i := len(parents) - 1; i >= 0; i-- {
			joined = parents[i] + joined
			out[joined]++
		}
		levels, parents = append(levels, h.level), append(parents, own)
	}
	for _, ids := range [][]string{anchors, attrIDs} {
		for _, id := range ids {
			// An id is one more way to name a heading counted above,
			// not a repeated heading.
			out[letterDigits(id)] = max(out[letterDigits(id)], 1)
		}
	}
	delete(out, "")
	return out
}

// attrListIDs finds attribute blocks in a page's source; a page without
// a brace has none and skips the regular expression.
func attrListIDs(source []byte) [][][]byte {
	if !bytes.Contains(source, []byte("{")) {
		return nil
	}
	return attrListID.FindAllSubmatch(source, -1)
}

// Anchors lists, in page order, every id that a "#fragment" link may name
// on a page with this Markdown source: heading slugs of the given style and
// the ids of raw HTML elements.
func Anchors(source []byte, style anchor.Style) []string {
	return parsePage("", source, style, indentedBodies{}).anchorList
}

// position turns a byte offset into a 1-based line and byte column.
func (p *page) position(offset int) (int, int) {
	if offset < 0 {
		return 1, 1
	}
	i := sort.Search(len(p.lineStarts), func(i int) bool { return p.lineStarts[i] > offset }) - 1
	return i + 1, offset - p.lineStarts[i] + 1
}

var (
	// htmlHeading finds an HTML heading and its content; htmlTag a tag.
	htmlHeading = regexp.MustCompile(`(?is)<h([1-6])(?:\s[^>]*)?>(.*?)</h[1-6]\s*>`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
	// htmlIDAttr finds id="x" and name="x" attributes in raw HTML.
	htmlIDAttr = regexp.MustCompile(`(?i)\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))`)
	// customID is VitePress's "## Heading {#custom-id}".
	customID = regexp.MustCompile(`\s*\{#([^{}\s]+)\}\s*$`)
	// bracketID is Fumadocs' "## Heading [#custom-id]".
	bracketID = regexp.MustCompile(`\s\[#([^\[\]\s]+)\]\s*$`)
	// attrListID is Python-Markdown's attr_list "{ #id .class }" (also
	// "{: #id }"), on a heading or after inline text, as MkDocs pages use it.
	attrListID    = regexp.MustCompile(`\{:?\s*(?:\.[\w-]+\s+)*#([\w-]+)[^{}\n]*\}`)
	attrListAtEnd = regexp.MustCompile(`\s*\{:?\s*(?:\.[\w-]+\s+)*#([\w-]+)[^{}\n]*\}\s*$`)
)

// addAnchor records id as a fragment the page offers, once, in page order.
func (p *page) addAnchor(id string) {
	if id != "" && !p.anchors[id] {
		p.anchors[id] = true
		p.anchorList = append(p.anchorList, id)
	}
}

func (p *page) collectAnchors(style anchor.Style) {
	slugs := anchor.NewSet(style)
	_ = ast.Walk(p.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Link, *ast.AutoLink, *ast.RawHTML, *ast.HTMLBlock:
			p.linkNodes = append(p.linkNodes, n)
		}
		switch n := n.(type) {
		case *ast.Heading:
			t := anchor.Text(n, p.source)
			var s string
			mkdocs := style == anchor.MkDocs || style == anchor.MkDocsUnicode
			if m := bracketIDOf(t); m != "" {
				// Fumadocs' "## Title [#id]": the id on that site's
				// pages, while github.com slugs the whole text.
				p.attrIDs = append(p.attrIDs, m)
				s = slugs.Add(t)
			} else if !strings.Contains(t, "{") {
				// Every attribute form below needs a brace: most headings
				// skip the regular expressions.
				s = slugs.Add(t)
			} else if m := customID.FindStringSubmatch(t); m != nil && style == anchor.VitePress {
				t = strings.TrimSuffix(t, m[0])
				s = slugs.Reserve(m[1])
			} else if m := attrListAtEnd.FindStringSubmatch(t); m != nil && mkdocs {
				t = strings.TrimSuffix(t, m[0])
				s = slugs.Reserve(m[1])
			} else if m := headingAttrID(t); m != "" {
				// A heading attribute "{#id}": the id on a renderer that
				// honours it (mdBook, Hugo, Docusaurus), while github.com
				// slugs the whole text. The page's site decides (load).
				p.attrIDs = append(p.attrIDs, m)
				s = slugs.Add(t)
			} else {
				s = slugs.Add(t)
			}
			p.headings = append(p.headings, heading{text: strings.TrimSpace(t), slug: s, offset: nodeOffset(n, p.source), level: n.Level})
			p.addAnchor(s)
		case *ast.HTMLBlock:
			text := blockText(n, p.source)
			for _, id := range htmlIDs(text) {
				p.addAnchor(id)
			}
			// github.com gives every h1 to h6 of the rendered page an
			// id from its text, a raw HTML heading as much as a Markdown
			// one ("<h2><img src=x.svg>&nbsp;Features</h2>" is
			// #features); a renderer that gives it none only makes a
			// link to it uncertain, never a working one broken.
			for _, h := range htmlHeadings(text) {
				h.slug, h.offset = slugs.Add(h.text), nodeOffset(n, p.source)
				p.headings = append(p.headings, h)
				p.addAnchor(h.slug)
				if h.spaced != "" && style == anchor.GitHub {
					// github.com's id of an HTML heading may keep a
					// dash for each space around its text
					// (<h4>\n         Quickstart\n      </h4>), which
					// links copied from the rendered page carry.
					p.addAnchor(style.Make(h.spaced))
				}
			}
		case *ast.RawHTML:
			for _, id := range htmlIDs(string(n.Segments.Value(p.source))) {
				p.addAnchor(id)
			}
		}
		return ast.WalkContinue, nil
	})
}

// bracketIDOf is the id of a heading's trailing "[#id]", or "".
func bracketIDOf(t string) string {
	if !strings.HasSuffix(strings.TrimRight(t, " \t"), "]") {
		return "" // most headings: no regular expression
	}
	if m := bracketID.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// headingAttrID is the id of a heading's trailing attribute block,
// "{#id}" or "{: #id .class}", or "".
func headingAttrID(t string) string {
	if !strings.HasSuffix(strings.TrimRight(t, " \t\n\f\r"), "}") {
		return "" // most headings: both expressions end in "}" and spaces (RE2's \s)
	}
	if m := customID.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	if m := attrListAtEnd.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// htmlHeadings lists the HTML headings (<h1> to <h6>) of an HTML block:
// their level and their content without tags, entities resolved.
func htmlHeadings(s string) []heading {
	if !strings.Contains(s, "<h") && !strings.Contains(s, "<H") {
		return nil // most blocks: skip the regular expression
	}
	var out []heading
	for _, m := range htmlHeading.FindAllStringSubmatch(s, -1) {
		raw := html.UnescapeString(htmlTag.ReplaceAllString(m[2], ""))
		if t := strings.TrimSpace(raw); t != "" {
			h := heading{text: t, level: int(m[1][0] - '0')}
			if spaced := strings.NewReplacer("\n", "", "\r", "").Replace(raw); spaced != t && strings.Trim(spaced, " \t") == t {
				h.spaced = spaced
			}
			out = append(out, h)
		}
	}
	return out
}

func htmlIDs(s string) []string {
	if !strings.Contains(s, "=") {
		return nil // no attribute at all: skip the regular expression
	}
	var ids []string
	for _, m := range htmlIDAttr.FindAllStringSubmatch(s, -1) {
		ids = append(ids, html.UnescapeString(m[1]+m[2]+m[3]))
	}
	return ids
}

// blockText joins the lines of a block (code or HTML).
func blockText(n ast.Node, source []byte) string {
	var b bytes.Buffer
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	return b.String()
}

// nodeOffset finds a byte offset for a node: its own position when goldmark
// recorded one, else the start of its first line or first text.
func nodeOffset(n ast.Node, source []byte) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	if pos := n.Pos(); pos >= 0 {
		return pos
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
		if off := nodeOffset(c, source); off >= 0 {
			return off
		}
	}
	if p := n.Parent(); p != nil {
		return nodeOffset(p, source)
	}
	return -1
}

// frontMatterEnd is the offset where a leading YAML (---) or TOML (+++)
// front matter ends, after its closing line's text; 0 when the page has
// none.
func frontMatterEnd(source []byte) int {
	var fence string
	switch {
	case bytes.HasPrefix(source, []byte("---\n")), bytes.HasPrefix(source, []byte("---\r\n")):
		fence = "---"
	case bytes.HasPrefix(source, []byte("+++\n")), bytes.HasPrefix(source, []byte("+++\r\n")):
		fence = "+++"
	default:
		return 0
	}
	end := -1
	for i := bytes.IndexByte(source, '\n') + 1; i > 0 && i < len(source); {
		next := bytes.IndexByte(source[i:], '\n')
		line := source[i:]
		if next >= 0 {
			line = source[i : i+next]
		}
		if string(bytes.TrimRight(line, " \r")) == fence || fence == "---" && string(bytes.TrimRight(line, " \r")) == "..." {
			end = i + len(line)
			break
		}
		if next < 0 {
			break
		}
		i += next + 1
	}
	return max(end, 0)
}

// blankFrontMatter turns a leading YAML (---) or TOML (+++) front matter
// block into blank lines: it is metadata, not a heading or a paragraph, and
// blanking rather than cutting keeps every line number right. A block that
// is never closed is left alone.
func blankFrontMatter(source []byte) []byte {
	end := frontMatterEnd(source)
	if end == 0 {
		return source
	}
	out := bytes.Clone(source)
	for i := 0; i < end; i++ {
		if out[i] != '\n' && out[i] != '\r' {
			out[i] = ' '
		}
	}
	return out
}

// autodocLine is a "::: identifier" line that an MkDocs plugin replaces
// with generated documentation.
var autodocLine = regexp.MustCompile(`(?m)^:::[ \t]+[\w.:-]+[ \t]*$`)

// inlineAnchorMarker is docs-builder's inline anchor, "$$$id$$$".
var inlineAnchorMarker = regexp.MustCompile(`\$\$\$([A-Za-z0-9_-]+)\$\$\$`)

// admonitionOpener is a Python-Markdown admonition ("!!! note", "!!! tip
// \"Title\"") or a pymdownx.details block ("??? note", "???+ note"):
// the marker, one or more type words, an optional quoted title, as the
// two extensions' own patterns read them.
var admonitionOpener = regexp.MustCompile(`^( *)(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)*(?: +"[^"]*")? *$`)

// indentedBodies says which blocks of a site's Python-Markdown open with
// a line of their own and hold Markdown indented four spaces below it:
// admonitions ("!!! note", "??? tip": repo.Site.Admonitions) and content
// tabs ('=== "Title"': repo.Site.ContentTabs).
type indentedBodies struct{ admonitions, tabs bool }

// opens reports whether line opens such a block.
func (b indentedBodies) opens(line []byte) bool {
	return b.admonitions && admonitionOpener.Match(line) || b.tabs && tabLine.Match(line)
}

// asListItems returns a copy of source in which the first line of every
// such block's body (the lines after its opener indented four spaces more
// than it, blank lines between them included) starts with a list marker
// of the same length: "    text" becomes "-   text". The body is then one
// list item whose content sits where the body's does, so goldmark parses
// it as Markdown across its blank lines, as Python-Markdown does (its
// reference definitions are defined, its fences are code blocks),
// instead of as an indented code block or, right below a tab's title, a
// paragraph's lazy lines. Every byte keeps its offset, so positions
// found in the copy are positions in source; the page's text is still
// read from source. Nested blocks nest the same way.
func (b indentedBodies) asListItems(source []byte) []byte {
	if !(b.admonitions && (bytes.Contains(source, []byte("!!!")) || bytes.Contains(source, []byte("???")))) &&
		!(b.tabs && bytes.Contains(source, []byte("==="))) {
		return source
	}
	out := slices.Clone(source)
	type admonition struct {
		indent int
		marked bool // its body's first line has its marker
	}
	var open []admonition
	inFence := "" // the fence of a code block outside any admonition
	for start := 0; start < len(out); {
		end := bytes.IndexByte(out[start:], '\n')
		if end < 0 {
			end = len(out)
		} else {
			end += start
		}
		line := bytes.TrimRight(source[start:end], "\r")
		next := end + 1
		indent := len(line) - len(bytes.TrimLeft(line, " "))
		if indent == len(line) {
			start = next // a blank line ends no body
			continue
		}
		for len(open) > 0 && indent < open[len(open)-1].indent+4 {
			open = open[:len(open)-1]
		}
		if len(open) == 0 {
			// A fence outside admonitions shows "!!!" as code.
			if f := fenceMarker(line); f != "" && (inFence == "" || f[0] == inFence[0] && len(f) >= len(inFence)) {
				if inFence == "" {
					inFence = f
				} else {
					inFence = ""
				}
				start = next
				continue
			}
			if inFence != "" {
				start = next
				continue
			}
		}
		if n := len(open); n > 0 && !open[n-1].marked {
			copy(out[start+open[n-1].indent:], "-   ")
			open[n-1].marked = true
		}
		if b.opens(line) {
			open = append(open, admonition{indent: indent})
		}
		start = next
	}
	return out
}

// fenceMarker is the run of backticks or tildes (three or more) that
// opens or closes a fenced code block on the line, or "".
func fenceMarker(line []byte) string {
	t := bytes.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || t[0] != '`' && t[0] != '~' {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return string(t[:n])
}
