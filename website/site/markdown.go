package site

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// docLinks knows, for the page being rendered, where every other page of the
// site is, so Markdown links and proof commands can point at them.
type docLinks struct {
	// source is the page's repository-relative Markdown path, e.g. "docs/proofs.md".
	source string
	// page is the page's own site path, e.g. "docs/proofs.html".
	page string
	// root is the relative prefix from the page to the site root, e.g. "../".
	root string
	// pages maps repository-relative Markdown paths to site paths.
	pages map[string]string
	// assets holds repository-relative paths of non-Markdown files copied
	// into the site at the same relative place (images beside the docs).
	assets map[string]bool
	// proofs holds every proof name that has a page.
	proofs map[string]bool
}

func (l *docLinks) proofHref(name string) string {
	return l.root + proofPath(name)
}

// rewrite maps a link destination in the Markdown to one in the site. ok is
// false when the target is a repository file the site does not carry.
func (l *docLinks) rewrite(dest string) (out string, ok bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") || hasScheme(dest) {
		return dest, true
	}
	target, fragment, _ := strings.Cut(dest, "#")
	target, _, _ = strings.Cut(target, "?")
	resolved := path.Clean(path.Join(path.Dir(l.source), target))
	if strings.HasPrefix(resolved, "../") || resolved == ".." {
		return "", false
	}
	if fragment != "" {
		fragment = "#" + fragment
	}
	if page, found := l.pages[resolved]; found {
		return relativeURL(l.page, page) + fragment, true
	}
	if l.assets[resolved] {
		return relativeURL(l.page, resolved) + fragment, true
	}
	return "", false
}

// relativeURL is the link from one site page to another site path.
func relativeURL(from, to string) string {
	fromDir := path.Dir(from)
	if fromDir == "." {
		return to
	}
	rel, err := filepath.Rel(filepath.FromSlash(fromDir), filepath.FromSlash(to))
	if err != nil {
		return rootPrefix(from) + to
	}
	return filepath.ToSlash(rel)
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

func hasScheme(dest string) bool { return schemeRE.MatchString(dest) }

// renderMarkdown renders one Markdown page. Raw HTML is never passed through:
// goldmark runs without WithUnsafe, so it is omitted and dangerous link
// schemes are dropped.
func renderMarkdown(source []byte, links *docLinks) (body []byte, title string, err error) {
	md := goldmark.New(
		goldmark.WithExtensions(
			// GFM, with table alignment as attributes: a style attribute
			// would break the pages' Content-Security-Policy.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough, extension.Linkify, extension.TaskList),
		goldmark.WithParserOptions(parser.WithASTTransformers(
			util.Prioritized(&docTransformer{links: links}, 100))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(
			util.Prioritized(&docRenderer{links: links}, 100))),
	)
	doc := md.Parser().Parse(text.NewReader(source))
	title = firstHeading(doc, source)
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, source, doc); err != nil {
		return nil, "", fmt.Errorf("render %s: %w", links.source, err)
	}
	return buf.Bytes(), title, nil
}

func firstHeading(doc ast.Node, source []byte) string {
	var title string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level == 1 {
			title = anchor.Text(h, source)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return title
}

// repoRef is a link to a repository file the site does not carry: shown as
// its text, marked, instead of a link that would be broken.
type repoRef struct {
	ast.BaseInline
	Target string
}

var kindRepoRef = ast.NewNodeKind("RepoRef")

func (n *repoRef) Kind() ast.NodeKind { return kindRepoRef }

func (n *repoRef) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Target": n.Target}, nil)
}

// docTransformer gives headings GitHub-style ids and points links between
// Markdown files at the generated pages.
type docTransformer struct{ links *docLinks }

func (t *docTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	ids := anchor.NewSet(anchor.GitHub)
	var unwrap []*ast.Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			// The same ids docscheck accepts for "#fragment" links.
			if id := ids.Add(anchor.Text(n, source)); id != "" {
				n.SetAttributeString("id", []byte(id))
			}
		case *ast.Link:
			dest, ok := t.links.rewrite(string(n.Destination))
			if ok {
				n.Destination = []byte(dest)
			} else {
				unwrap = append(unwrap, n)
			}
		case *ast.Image:
			if dest, ok := t.links.rewrite(string(n.Destination)); ok {
				n.Destination = []byte(dest)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, link := range unwrap {
		ref := &repoRef{Target: path.Clean(path.Join(path.Dir(t.links.source), string(link.Destination)))}
		for c := link.FirstChild(); c != nil; {
			next := c.NextSibling()
			ref.AppendChild(ref, c)
			c = next
		}
		link.Parent().ReplaceChild(link.Parent(), link, ref)
	}
}

// docRenderer draws headings with a self-link, code with proof commands
// linked to their pages, fenced code highlighted with CSS classes, and
// repository references.
type docRenderer struct{ links *docLinks }

func (r *docRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindCodeSpan, r.codeSpan)
	reg.Register(ast.KindFencedCodeBlock, r.fencedCode)
	reg.Register(ast.KindCodeBlock, r.indentedCode)
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(kindRepoRef, r.repoRef)
}

func (r *docRenderer) heading(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	if entering {
		fmt.Fprintf(w, "<h%d", n.Level)
		html.RenderAttributes(w, n, html.HeadingAttributeFilter)
		w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id, ok := n.AttributeString("id"); ok {
		fmt.Fprintf(w, `<a class="anchor" href="#%s" aria-label="Link to this section">#</a>`, escapeAttr(string(id.([]byte))))
	}
	fmt.Fprintf(w, "</h%d>\n", n.Level)
	return ast.WalkContinue, nil
}

func (r *docRenderer) codeSpan(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var code strings.Builder
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			code.WriteString(strings.ReplaceAll(string(t.Value(source)), "\n", " "))
		}
	}
	s := code.String()
	if r.links.proofs[strings.TrimSpace(s)] {
		fmt.Fprintf(w, `<a class="proof-ref" href="%s"><code>%s</code></a>`, escapeAttr(r.links.proofHref(strings.TrimSpace(s))), escapeText(s))
		return ast.WalkSkipChildren, nil
	}
	w.WriteString("<code>")
	writeLinked(w, []token{{text: s}}, proofCommandLinks(s, r.links))
	w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

func (r *docRenderer) fencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*ast.FencedCodeBlock)
		writeCodeBlock(w, string(n.Language(source)), blockText(n, source), r.links)
	}
	return ast.WalkSkipChildren, nil
}

func (r *docRenderer) indentedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		writeCodeBlock(w, "", blockText(node, source), r.links)
	}
	return ast.WalkSkipChildren, nil
}

func (r *docRenderer) repoRef(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*repoRef)
	if entering {
		fmt.Fprintf(w, `<span class="repo-ref" title="%s">`, escapeAttr("in the repository: "+n.Target))
	} else {
		w.WriteString("</span>")
	}
	return ast.WalkContinue, nil
}

func blockText(n ast.Node, source []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	return b.String()
}

// proofRunRE finds a `proofs run` invocation: `go run ./proofs run`,
// `bin/proofs run` or plain `proofs run`.
var (
	proofRunRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])proofs\s+run\b`)
	wordRE     = regexp.MustCompile(`[A-Za-z0-9_]+`)
)

// span is a byte range of code text that links to href.
type span struct {
	start, end int
	href       string
}

// proofCommandLinks finds the proof names given to `proofs run` in code and
// returns where each one is and the page it links to.
func proofCommandLinks(code string, links *docLinks) []span {
	var out []span
	lineStart := 0
	for _, line := range strings.SplitAfter(code, "\n") {
		if loc := proofRunRE.FindStringIndex(line); loc != nil {
			for _, w := range wordRE.FindAllStringIndex(line[loc[1]:], -1) {
				name := line[loc[1]+w[0] : loc[1]+w[1]]
				if links.proofs[name] {
					out = append(out, span{lineStart + loc[1] + w[0], lineStart + loc[1] + w[1], links.proofHref(name)})
				}
			}
		}
		lineStart += len(line)
	}
	return out
}

func escapeText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func escapeAttr(s string) string { return escapeText(s) }
