package check

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/prodproof/prodproof/docscheck/slug"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown parses GitHub Flavored Markdown; docscheck only reads the AST.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// page is one parsed Markdown file.
type page struct {
	path       string // relative to the root, slash-separated
	source     []byte
	doc        ast.Node
	lineStarts []int
	headings   []heading
	// anchors holds every id a "#fragment" may name on this page.
	anchors map[string]bool
	// anchorList keeps the anchors in page order, for suggestions.
	anchorList []string
	// tooComplex, when set, says why the page was over its budget and not
	// parsed (budget.go); its anchors are then unknown.
	tooComplex string
}

type heading struct {
	text   string
	slug   string
	offset int
}

func parsePage(path string, source []byte, style slug.Style) *page {
	p := &page{path: path, source: source, anchors: map[string]bool{}}
	p.lineStarts = append(p.lineStarts, 0)
	for i, b := range source {
		if b == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
		}
	}
	p.doc = markdown.Parser().Parse(text.NewReader(source), parser.WithContext(parser.NewContext()))
	p.collectAnchors(style)
	return p
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
	// htmlIDAttr finds id="x" and name="x" attributes in raw HTML.
	htmlIDAttr = regexp.MustCompile(`(?i)\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))`)
	// customID is VitePress's "## Heading {#custom-id}".
	customID = regexp.MustCompile(`\s*\{#([^{}\s]+)\}\s*$`)
)

func (p *page) collectAnchors(style slug.Style) {
	slugs := slug.NewSet(style)
	add := func(id string) {
		if !p.anchors[id] {
			p.anchors[id] = true
			p.anchorList = append(p.anchorList, id)
		}
	}
	_ = ast.Walk(p.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			t := plainText(n, p.source)
			var s string
			if m := customID.FindStringSubmatch(t); m != nil && style == slug.VitePress {
				t = strings.TrimSuffix(t, m[0])
				s = slugs.Reserve(m[1])
			} else {
				s = slugs.Add(t)
			}
			p.headings = append(p.headings, heading{text: strings.TrimSpace(t), slug: s, offset: nodeOffset(n, p.source)})
			add(s)
		case *ast.HTMLBlock:
			for _, id := range htmlIDs(blockText(n, p.source)) {
				add(id)
			}
		case *ast.RawHTML:
			for _, id := range htmlIDs(string(n.Segments.Value(p.source))) {
				add(id)
			}
		}
		return ast.WalkContinue, nil
	})
}

func htmlIDs(s string) []string {
	var ids []string
	for _, m := range htmlIDAttr.FindAllStringSubmatch(s, -1) {
		ids = append(ids, html.UnescapeString(m[1]+m[2]+m[3]))
	}
	return ids
}

// plainText is a heading's text as a browser's textContent would give it:
// the text of emphasis, links and code spans included, HTML tags and images
// left out, escapes and entities resolved.
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(source)
				if !c.IsRaw() {
					v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
				}
				b.Write(v)
				if c.SoftLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if tx, ok := t.(*ast.Text); ok {
						b.Write(tx.Segment.Value(source))
					}
				}
			case *ast.AutoLink:
				b.Write(c.Label(source))
			case *ast.RawHTML, *ast.Image:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
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
