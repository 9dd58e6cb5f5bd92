package check

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/docscheck/rst"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// Link rules.
const (
	ruleLink      = "link"
	ruleAnchor    = "anchor"
	ruleReference = "reference"
	ruleExternal  = "external"
)

var (
	htmlLinkAttr = regexp.MustCompile(`(?i)<(?:a|img|source|link)\b[^>]*?\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))`)
	scheme       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.\-]*:`)
	// missingRef finds "[text][label]" and "[text][]" left as plain text,
	// which is what goldmark makes of a reference without a definition.
	missingRef = regexp.MustCompile(`\[([^\[\]]+)\]\[([^\[\]]*)\]`)
)

type externalLink struct {
	path   string
	line   int
	col    int
	target string
}

// checkLinks checks every link, image and HTML href/src on the page and
// returns the external ones for the optional fetch pass.
func (c *Checker) checkLinks(r *report) []externalLink {
	var ext []externalLink
	check := func(dest string, offset int, image bool) {
		r.judged()
		if e, ok := c.checkTarget(r, dest, offset, image); ok {
			line, col := r.page.position(offset)
			ext = append(ext, externalLink{path: r.page.path, line: line, col: col, target: e})
		}
	}
	// Raw HTML reaches the built page as written: an <img src> there is
	// resolved by the browser from the page's URL, not as a Markdown
	// image is.
	//
	// A browser reads a backslash in such a URL as a slash (the URL
	// standard's rule for http and https addresses): docs/\_static/x.png,
	// a Markdown escape written into HTML, where it stays, is
	// docs/_static/x.png.
	htmlCheck := func(dest string, offset int) {
		if strings.Contains(dest, `\`) && c.existsWithSlashes(r.page.path, dest) {
			r.judged()
			return
		}
		check(dest, offset, false)
	}
	src := r.page.source
	// An unresolved "[text][label]" needs "][" in the source; most pages
	// have none, and then the per-block text scan is skipped.
	refSyntax := bytes.Contains(src, []byte("]["))
	_ = ast.Walk(r.page.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			check(destination(n.Destination), r.page.linkOffset(n, n.Reference, src), false)
		case *ast.Image:
			check(destination(n.Destination), r.page.linkOffset(n, n.Reference, src), true)
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL {
				check(string(n.URL(src)), nodeOffset(n, src), false)
			}
		case *ast.RawHTML:
			inComment := false
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				var text string
				text, inComment = maskHTMLComments(string(seg.Value(src)), inComment)
				htmlLinks(text, seg.Start, htmlCheck)
			}
		case *ast.HTMLBlock:
			inComment := false
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				var text string
				text, inComment = maskHTMLComments(string(seg.Value(src)), inComment)
				htmlLinks(text, seg.Start, htmlCheck)
			}
		case *ast.FencedCodeBlock:
			if dest, offset, ok := c.mystFile(r, n); ok {
				check(dest, offset, true)
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			if t, offset, ok := c.mystDocRole(r, n); ok {
				r.judged()
				c.checkMystDoc(r, t, offset)
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			return ast.WalkSkipChildren, nil
		default:
			if refSyntax && (n.Type() == ast.TypeBlock || n.Kind() == ast.KindEmphasis || n.Kind() == ast.KindLink) {
				c.checkMissingRefs(r, n)
			}
		}
		return ast.WalkContinue, nil
	})
	return ext
}

// mystFileDirective is a MyST fence that reads a file of the tree: its
// directive and the file's path (```{figure} _static/x.png, ```{include}
// ../README.md, ```{literalinclude} example.py).
var mystFileDirective = regexp.MustCompile(`^\{(?:figure|image|include|literalinclude)\}[ \t]+(\S+)`)

// mystFile is the file a MyST figure, image, include or literalinclude
// directive reads, on a page of a site that reads MyST (Sphinx with
// myst_parser, a MyST project), and where its path starts in the source:
// such a directive is the Markdown image ![](path) written as a
// directive, a file read from disk, its path resolved the same way, as
// reStructuredText's directives are (rst.go).
func (c *Checker) mystFile(r *report, n *ast.FencedCodeBlock) (string, int, bool) {
	if n.Info == nil {
		return "", 0, false
	}
	info := n.Info.Segment.Value(r.page.source)
	if len(info) == 0 || info[0] != '{' {
		return "", 0, false
	}
	m := mystFileDirective.FindSubmatchIndex(info)
	if m == nil {
		return "", 0, false
	}
	if s := c.site(r.page.path); s == nil || !s.ReadsMyST() {
		return "", 0, false
	}
	return string(info[m[2]:m[3]]), n.Info.Segment.Start + m[2], true
}

// existsWithSlashes reports whether the relative URL dest, read with its
// backslashes as slashes, names a file or folder of the tree from page.
func (c *Checker) existsWithSlashes(page, dest string) bool {
	if hasScheme(dest) || strings.HasPrefix(dest, "/") {
		return false
	}
	target, _, _ := strings.Cut(strings.ReplaceAll(dest, `\`, "/"), "#")
	target, _, _ = strings.Cut(target, "?")
	decoded, err := url.PathUnescape(target)
	if err != nil || decoded == "" {
		return false
	}
	_, kind := c.resolvePath(page, decoded)
	return kind != repo.Missing
}

// mystDocRole is the target of a MyST {doc} role, {doc}`x` or
// {doc}`text <x>`, whose inline code n is, on a page of a Sphinx project
// that reads Markdown through MyST: the role is the page's :doc: written
// in Markdown, and goldmark reads it as the text "{doc}" with the inline
// code right after it. It returns the target and where it starts.
func (c *Checker) mystDocRole(r *report, n *ast.CodeSpan) (string, int, bool) {
	prev, ok := n.PreviousSibling().(*ast.Text)
	if !ok || !bytes.HasSuffix(prev.Segment.Value(r.page.source), []byte("{doc}")) {
		return "", 0, false
	}
	if s := c.site(r.page.path); s == nil || s.Generator != "sphinx" {
		return "", 0, false
	}
	first, ok := n.FirstChild().(*ast.Text)
	if !ok || first.NextSibling() != nil {
		return "", 0, false
	}
	t, offset := string(first.Segment.Value(r.page.source)), first.Segment.Start
	if strings.HasSuffix(t, ">") {
		// "text <target>": the target is what the brackets hold.
		i := strings.LastIndex(t, "<")
		if i < 0 {
			return "", 0, false
		}
		t, offset = t[i+1:len(t)-1], offset+i+1
	}
	return t, offset, true
}

// checkMystDoc judges a {doc} role's target as a :doc: of the page's
// Sphinx project is judged (rstTarget): a document is a file of the
// name with any suffix, and the project's extensions and intersphinx
// decide what a missing one says.
func (c *Checker) checkMystDoc(r *report, target string, offset int) {
	s, ok := c.sphinxSourceOf(r.page.path)
	if !ok {
		return
	}
	link, missing, reason := c.rstTarget(r.page.path, rst.Ref{Kind: rst.Doc, Target: target}, s)
	switch {
	case missing != "":
		r.missAt(offset, reason, ruleLink, "", "link target %s does not exist", quoteTarget(missing))
	case link != "":
		c.checkTarget(r, link, offset, false)
	}
}

// refDefinition finds "[label]: destination" lines.
var refDefinition = regexp.MustCompile(`(?m)^ {0,3}\[((?:[^\]\\]|\\.)+)\]:`)

// linkOffset is where a link's problem is reported: at its reference
// definition when it has one, so that a stale definition used nine times
// is one finding (identical findings are merged), else at the link.
func (p *page) linkOffset(n ast.Node, ref *ast.ReferenceLink, src []byte) int {
	if ref != nil {
		if off, ok := p.definitions()[normalizeLabel(string(ref.Value))]; ok {
			return off
		}
	}
	return nodeOffset(n, src)
}

// definitions maps each normalized reference label to the offset of its
// first definition.
func (p *page) definitions() map[string]int {
	p.defsOnce.Do(func() {
		p.defs = map[string]int{}
		for _, m := range refDefinition.FindAllSubmatchIndex(p.source, -1) {
			label := normalizeLabel(string(p.source[m[2]:m[3]]))
			if _, ok := p.defs[label]; !ok {
				p.defs[label] = m[0] + bytes.IndexByte(p.source[m[0]:m[1]], '[')
			}
		}
	})
	return p.defs
}

// normalizeLabel matches labels as CommonMark does: case-folded, runs of
// white space as one space.
func normalizeLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// maskHTMLComments blanks what lies inside HTML comments (<!-- ... -->)
// in one line of HTML, keeping every other byte where it is; in says the
// line starts inside a comment an earlier line opened, and the result
// whether the line ends inside one. A browser shows nothing of a comment,
// so an address in it is no link a reader can follow.
func maskHTMLComments(s string, in bool) (string, bool) {
	if !in && !strings.Contains(s, "<!--") {
		return s, false
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		if !in {
			j := strings.Index(s[i:], "<!--")
			if j < 0 {
				break
			}
			i += j
			in = true
			continue
		}
		j := strings.Index(s[i:], "-->")
		end := len(b)
		if j >= 0 {
			end = i + j + len("-->")
		}
		for k := i; k < end; k++ {
			b[k] = ' '
		}
		i, in = end, j < 0
	}
	return string(b), in
}

func htmlLinks(s string, base int, check func(string, int)) {
	for _, m := range htmlLinkAttr.FindAllStringSubmatchIndex(s, -1) {
		var val string
		var at int
		for g := 2; g <= 4; g++ {
			if m[2*g] >= 0 {
				val, at = s[m[2*g]:m[2*g+1]], m[2*g]
			}
		}
		check(decodeHTMLEntities(val), base+at)
	}
}

func decodeHTMLEntities(s string) string {
	return strings.NewReplacer("&amp;", "&", "&quot;", `"`, "&#39;", "'").Replace(s)
}

// pathPlaceholder is a run of bracketed names glued into a path or a name
// (/keyServers/[start_key]/[src_server][dst_server]).
var pathPlaceholder = regexp.MustCompile(`[/\w](?:\[[^\[\]\s]+\])+`)

// pathPlaceholders are the names a paragraph writes in brackets glued into
// a path or a name, as a template's placeholders.
func pathPlaceholders(text []byte) map[string]bool {
	out := map[string]bool{}
	for _, m := range pathPlaceholder.FindAll(text, -1) {
		for name := range strings.SplitSeq(strings.Trim(string(m[1:]), "[]"), "][") {
			out[name] = true
		}
	}
	return out
}

// isPageTarget reports whether a link target names a page of a site: a
// Markdown file, its HTML, a clean URL (no extension) or a folder.
func isPageTarget(target string) bool {
	target = strings.TrimSuffix(target, "/")
	switch strings.ToLower(path.Ext(target)) {
	case "", ".html", ".htm":
		return true
	}
	return isMarkdown(target)
}

// enclosingBlock is n when it is a block, else the block its inline lies
// in.
func enclosingBlock(n ast.Node) ast.Node {
	for n.Type() != ast.TypeBlock && n.Parent() != nil {
		n = n.Parent()
	}
	return n
}

// checkMissingRefs looks at the runs of plain text directly inside n for
// "[text][label]" that goldmark could not resolve.
func (c *Checker) checkMissingRefs(r *report, n ast.Node) {
	src := r.page.source
	if isDisplayMath(n, src) {
		return // "\[ ... [+ 2H+] ... \]": brackets of a formula
	}
	var run strings.Builder
	var offsets []int                // source offset of each byte in run
	var placeholders map[string]bool // pathPlaceholders, once a match asks
	flush := func() {
		s := run.String()
		for _, m := range missingRef.FindAllStringSubmatchIndex(s, -1) {
			if m[0] > 0 && s[m[0]-1] == '\\' || s[m[1]-2] == '\\' {
				continue
			}
			if m[0] > 0 && isIdentByte(s[m[0]-1]) {
				// Glued to a name: an index or a type in prose
				// (map[string][]string, graph[from][to]), not a link.
				continue
			}
			if placeholders == nil {
				placeholders = pathPlaceholders(enclosingBlock(n).Lines().Value(src))
			}
			if placeholders[s[m[2]:m[3]]] && placeholders[s[m[4]:m[5]]] {
				// Brackets the paragraph writes into a path, there or
				// again elsewhere in it: a template's placeholders
				// (/keyServers/[start_key]/[src][dst]), not a link.
				continue
			}
			if text, l := s[m[2]:m[3]], s[m[4]:m[5]]; isNumber(text) && isNumber(l) && text != l {
				// Two numbers in brackets, one after the other ("[2][3]
				// : timestamp", a byte array's positions): indexes, not
				// a link's text and its label.
				continue
			}
			label := s[m[4]:m[5]]
			if label == "" {
				label = s[m[2]:m[3]]
			}
			if strings.HasPrefix(label, "^") || keyNames[strings.ToLower(label)] || keyNames[strings.ToLower(s[m[2]:m[3]])] {
				// A footnote, or keys in brackets ("press [tab][tab]"):
				// meant to read as written.
				continue
			}
			// A plugin or extension of the site (mkdocs-autorefs, snippets'
			// auto_append) may define it at build time.
			reason := ""
			if c.unmodelledSite(r.page.path) != "" {
				reason = reasonSiteConfig
			} else if c.rendererUnknown(r.page.path) != "" {
				// A renderer docscheck does not know may define it (a
				// site's global link definitions, Laika's).
				reason = reasonUnknownRenderer
			} else if isHistory(r.page.path) || isReleaseLog(r.page) {
				// A release entry quotes a commit message, whose
				// brackets are its author's text ("[rule-a][rule-b]").
				reason = reasonHistory
			} else if inQuotation(s, m[0], m[1]) {
				// A title or message the prose quotes ("[C++][Python]
				// Ensure ..."): its brackets are the quoted text.
				reason = reasonQuoted
			}
			r.missAt(offsets[m[0]], reason, ruleReference, "", "reference [%s] has no definition", label)
		}
		run.Reset()
		offsets = offsets[:0]
	}
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		t, ok := ch.(*ast.Text)
		if !ok {
			flush()
			continue
		}
		seg := t.Segment
		if len(offsets) > 0 && offsets[len(offsets)-1]+1 != seg.Start {
			run.WriteByte('\n')
			offsets = append(offsets, seg.Start)
		}
		run.Write(seg.Value(src))
		for i := seg.Start; i < seg.Stop; i++ {
			offsets = append(offsets, i)
		}
	}
	flush()
}

// inQuotation reports whether s[from:to] lies inside a quotation of the
// prose: between a pair of straight double quotes (an odd number before
// it, one more after it) or between an opening and a closing curly one.
func inQuotation(s string, from, to int) bool {
	before, after := s[:from], s[to:]
	if strings.Count(before, `"`)%2 == 1 && strings.Contains(after, `"`) {
		return true
	}
	open := strings.LastIndex(before, "\u201c")
	return open >= 0 && open > strings.LastIndex(before, "\u201d") && strings.Contains(after, "\u201d")
}

// isDisplayMath: a paragraph that opens with a display-math delimiter
// ("\[" or "$$"), which MathJax and KaTeX render as a formula.
func isDisplayMath(n ast.Node, src []byte) bool {
	if n.Type() != ast.TypeBlock || n.Lines().Len() == 0 {
		return false
	}
	seg := n.Lines().At(0)
	first := bytes.TrimSpace(seg.Value(src))
	return bytes.HasPrefix(first, []byte(`\[`)) || bytes.HasPrefix(first, []byte("$$"))
}

// checkTarget judges one link destination, a Markdown image's when image
// is set. It returns the URL and true when the link is external (http or
// https) and left to the fetch pass.
func (c *Checker) checkTarget(r *report, dest string, offset int, image bool) (string, bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" {
		return "", false
	}
	if strings.HasPrefix(dest, "//") {
		return "https:" + dest, true
	}
	if hasScheme(dest) {
		lower := strings.ToLower(dest)
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
			c.checkOwnAddress(r, dest, offset)
			return dest, true
		}
		return "", false // mailto:, tel:, ...
	}
	if site := c.site(r.page.path); site != nil && site.ReadsMyST() && markedExternal(r.page.source, offset, dest) {
		// MyST's {.external}: the link is a URL the built site's web
		// server resolves, not a source file (a page an extension
		// writes at build time).
		r.missAt(offset, reasonSiteRule, ruleLink, "", "link target %s is marked {.external}: a URL of the built site", quoteTarget(dest))
		return "", false
	}
	target, fragment, _ := strings.Cut(dest, "#")
	target, _, _ = strings.Cut(target, "?")
	if target == "" {
		c.checkAnchor(r, r.page, fragment, offset, "")
		return "", false
	}
	decoded, err := url.PathUnescape(target)
	if err != nil && hasTemplate(target) {
		// "{{% param repo %}}/x": a template the site's build fills in.
		r.missAt(offset, reasonSiteRule, ruleLink, "", "link target %s is a template", quoteTarget(dest))
		return "", false
	}
	if err != nil {
		r.add(offset, ruleLink, "", "link target %s has a malformed %%-escape", quoteTarget(dest))
		return "", false
	}
	if rest, ok := strings.CutPrefix(decoded, "@/"); ok {
		c.checkZolaLink(r, dest, rest, fragment, offset)
		return "", false
	}
	if joined := joinPath(dirOf(r.page.path), decoded); !strings.HasPrefix(decoded, "/") && (joined == ".." || strings.HasPrefix(joined, "../")) ||
		climbsFromRoot(decoded) && c.site(r.page.path) == nil && c.opts.SiteRoot == "" {
		if climbsFromRoot(decoded) {
			// "/../gh-pages/x.png": from the root, as github.com
			// reads a "/" link (the branch's folder), it climbs out.
			joined = joinPath(".", decoded[1:])
		}
		reason := ""
		if c.site(r.page.path) == nil && c.opts.SiteRoot == "" && climbsToWeb(joined) {
			// On github.com a page is served at /owner/repo/blob/ref/...:
			// "../assets/x.png" from the root is file x.png of branch
			// assets, "../../graphs/contributors" one of the repository's
			// web pages; they exist without being files of this tree.
			reason = reasonWebRelative
		} else if c.site(r.page.path) != nil && c.opts.SiteRoot == "" {
			// A site page is served at a URL of its own (/en/docs/x/):
			// climbing out of the site's pages lands on the web server,
			// as any relative link that leaves them does (linkDoubt).
			reason = reasonSiteRule
		}
		r.missAt(offset, reason, ruleLink, "", "link target %s points outside the repository", quoteTarget(dest))
		return "", false
	}
	if isTemplate(r.page.path) {
		if rest, ok := webRelative(decoded); ok {
			// "../blob/main/X" on a template's page on github.com is the
			// repository's file X.
			if c.opts.Repo.Stat(rest) == repo.Missing {
				r.add(offset, ruleLink, "", "link target %s: %s does not exist", quoteTarget(dest), rest)
			}
			return "", false
		}
	}
	usage := c.usageKeyOf(r.page.path, ruleLink)
	r.usageChecked(usage)
	resolved, kind := c.resolvePath(r.page.path, decoded)
	if kind == repo.Missing {
		hint := ""
		if !strings.HasPrefix(decoded, "/") {
			hint = c.nearbyName(resolved)
		}
		reason := c.linkDoubt(r.page.path, decoded, resolved, hint, image)
		if hint != "" {
			hint = relativeTo(path.Dir(r.page.path), hint)
		}
		r.missAt(offset, reason, ruleLink, hint, "link target %s does not exist", quoteTarget(dest))
		if reason == "" {
			r.usageFailed(usage, decoded, c.anyRendererServes(decoded, resolved), "")
		}
		return "", false
	}
	if fragment == "" {
		return "", false
	}
	if kind == repo.Dir {
		readme := path.Join(resolved, "README.md")
		if c.opts.Repo.Stat(readme) != repo.File {
			return "", false
		}
		resolved = readme
	}
	if !isPage(resolved) {
		return "", false // "#L10" on a source file and the like
	}
	other, err := c.load(resolved)
	if err != nil {
		r.add(offset, ruleLink, "", "link target %s cannot be read", quoteTarget(dest))
		return "", false
	}
	before := len(r.findings)
	c.checkAnchor(r, other, fragment, offset, resolved)
	if len(r.findings) > before && strings.HasPrefix(decoded, "/") && c.ownRenderer(r.page.path) {
		// "/#x" from a page the repository's own build renders (a
		// script of its folder, or a file joining it into another
		// page): that site has its own root, whose page is not the
		// file at the repository's root that docscheck resolved.
		// Asked only once the anchor is missing there: ownRenderer
		// may walk the tree.
		r.demote(before, reasonUnknownRenderer)
	} else if len(r.findings) > before && strings.HasPrefix(decoded, "/") && c.site(r.page.path) == nil && c.opts.SiteRoot == "" && c.unmodelledGenerator(r.page.path) != "" {
		// "/#x" on a page of a site generator docscheck recognises but
		// does not model (Gatsby): the site's root page, not the
		// repository's README, as for a missing target above.
		r.demote(before, reasonSiteRule)
	}
	return "", false
}

// anyRendererServes reports whether some renderer could serve a link
// written decoded that resolves to resolved, a path that is not in the
// tree: where a rooted path starts, which file a name without its
// extension is (a clean URL, pageUnderAnyName), which page x.html is
// built from, and which folder a file is served from are a renderer's
// rules. A page linked by its bare name, or a file that exists under no
// name, is missing under any of them.
func (c *Checker) anyRendererServes(decoded, resolved string) bool {
	return strings.HasPrefix(decoded, "/") || c.pageUnderAnyName(resolved) || c.builtFromPage(resolved) || c.servedElsewhere(decoded)
}

// builtFromPage reports whether target is the HTML page a site builds
// from a Markdown page beside it (x.html from x.md).
func (c *Checker) builtFromPage(target string) bool {
	if ext := path.Ext(target); strings.EqualFold(ext, ".html") || strings.EqualFold(ext, ".htm") {
		stem := strings.TrimSuffix(target, ext)
		return c.opts.Repo.Stat(stem+".md") == repo.File || c.opts.Repo.Stat(stem+".mdx") == repo.File
	}
	return false
}

// hasScheme is scheme.MatchString without the regular expression (a test
// holds the two equal): every link on every page asks it.
func hasScheme(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return true
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '+', c == '.', c == '-':
		default:
			return false
		}
	}
	return false
}

func quoteTarget(s string) string { return "`" + s + "`" }

// ignoredPageSource reports whether a source page a site would serve at
// resolved, a link without a page's extension (a clean URL: x for x.md,
// x/ or x/index for x/index.md), is one the .gitignore names
// ("reference/rules/*.md"): the build writes it, as it does a file the
// link names itself.
func (c *Checker) ignoredPageSource(resolved string) bool {
	if isPage(resolved) {
		return false
	}
	base := strings.TrimSuffix(resolved, "/")
	for _, p := range []string{base + ".md", base + ".mdx", path.Join(base, "index.md"), path.Join(base, "index.mdx"), path.Join(base, "README.md")} {
		if c.opts.Repo.Ignored(p) {
			return true
		}
	}
	return false
}

// linkDoubt weighs a relative link to a path that is not in the tree: ""
// when the renderer certainly fails on it, else why it may not:
//   - the repository's .gitignore names the path: a build makes it;
//   - a page of a GitHub issue or pull-request template is shown on a web
//     page, and its relative links resolve against that page's URL;
//   - on a Docusaurus site a link without an extension may be a page's
//     front-matter id or slug, unless it is one typo away from a page;
//   - on a VitePress site a folder with a dynamic route ([name].md) serves
//     pages that are not files;
//   - on a site whose package.json runs a script before the build
//     ("prebuild"), that script may write the page;
//   - on a page a renderer docscheck does not know publishes, a path
//     without an extension, from the site's root, or to x.html beside a
//     page x.md is that renderer's to resolve, and so is one that climbs
//     out of a folder a site built in another repository takes in;
//   - a tsconfig/jsconfig of the page's folder or above declares the
//     path's prefix as an alias ("~/*"): the site's build resolves it.
//   - on a docs site's page (a Sphinx project's too), a path in a git
//     submodule: the site's build may take files from it (github.com
//     serves none of them: a 404).
func (c *Checker) linkDoubt(pagePath, decoded, resolved, hint string, image bool) string {
	if isTemplate(pagePath) {
		return reasonWebRelative
	}
	if _, ok := webRelative(decoded); ok {
		// "../tree/HEAD/X", "../../blob/main/X": a github.com address
		// written relative to a web page of the repository (a pull
		// request, an issue, a comment a bot posts from this file), not
		// to a file of the tree, where no such folder is.
		return reasonWebRelative
	}
	if _, zola := c.zolaSiteOf(pagePath); zola && c.site(pagePath) == nil && c.opts.SiteRoot == "" {
		// Zola serves a page at a URL its section and front matter
		// (path, slug, aliases) decide, resolves the page's relative
		// links from there (../rss.xml from /blog/post/), and writes
		// feeds, sitemaps and taxonomy pages: as on a Hugo site, a
		// missing link is not modelled ("@/" internal links, which Zola
		// itself checks, are judged: checkZolaLink).
		return reasonSiteRule
	}
	if _, sphinx := c.sphinxSourceOf(pagePath); c.opts.Repo.InSubmodule(resolved) && (c.site(pagePath) != nil || sphinx) {
		// A site's build may take pages from a submodule; github.com
		// serves none of its paths from this repository (a 404).
		return reasonSubmodule
	}
	if c.builtByRepository(resolved, hint) ||
		c.site(pagePath) != nil && c.ignoredPageSource(resolved) {
		// A page a build generates: the .gitignore, or a rule of a
		// Makefile above it, says so, or the tree holds a symbolic link
		// to it (which github.com shows as a page of its own), or a
		// script of the tree writes it (one that copies a module's
		// README into the site's pages).
		return reasonOutput
	}
	if hasTemplate(decoded) || strings.EqualFold(path.Ext(pagePath), ".mdx") && strings.HasPrefix(decoded, "{") && strings.HasSuffix(decoded, "}") {
		// A template the site's build fills in, or an MDX expression
		// (href={config.url}) its JavaScript computes.
		return reasonSiteRule
	}
	if addressWord[strings.ToLower(strings.TrimPrefix(decoded, "./"))] {
		// "[Module](link)" in a template of release notes: the word for
		// the address to fill in, not a file's name.
		return reasonPlaceholder
	}
	if c.placeholderIn(decoded, resolved) && !(hint != "" && typoOf(resolved, hint)) {
		// A part of the reader's choosing (NAME.md), unless a file of the
		// tree is one typo away: doc/README.test beside doc/README.tests
		// is a misspelling, as a make target or a test filter near a
		// real one is.
		return reasonPlaceholder
	}
	if c.permalinkServes(pagePath, decoded) {
		// The page sets its own address, and from there the link
		// lands on the address another page of its site sets.
		return reasonSiteRule
	}
	if c.writtenForSite(pagePath) && c.sitePagesServe(decoded) {
		// A folder README written for a site's page (writtenForSite):
		// the link is read from where the site shows it.
		return reasonSiteRule
	}
	if c.site(pagePath) == nil && c.directoryURLServes(pagePath, decoded) {
		// A directory URL, read from the page's own directory URL,
		// names a page of the tree.
		return reasonSiteRule
	}
	if c.opts.Repo.AliasFor(pagePath, decoded) != "" {
		// A build tool of the page's folder resolves the prefix as an
		// alias (tsconfig "paths"), not as a path beside the page.
		return reasonAlias
	}
	if joiner := c.opts.Repo.JoinedBy(pagePath); joiner != "" && c.site(pagePath) == nil && c.opts.SiteRoot == "" &&
		c.opts.Repo.Stat(joinPath(dirOf(joiner), decoded)) != repo.Missing {
		// A part joined into another page (a template's include) links
		// from where that page is built: from the joining file's folder
		// the target is there.
		return reasonUnknownRenderer
	}
	if c.pastedWhereThere(pagePath, decoded) {
		// The page is a file the site's pages paste in with snippet
		// lines: the reader meets the link on such a page, read from
		// its folder, where the target is.
		return reasonSiteRule
	}
	why := c.rendererUnknown(pagePath)
	if why == evidenceElsewhere && !strings.HasPrefix(decoded, "/") && c.climbsOutOfAssembled(pagePath, resolved) {
		// A relative link that climbs out of the folder a site built in
		// another repository takes in (another repository's docs beside
		// this one's), where the link lands; from the tree nothing says
		// what is there.
		return reasonUnknownRenderer
	}
	if strings.HasPrefix(decoded, "/") && why != evidenceElsewhere && c.opts.Repo.MintlifyRoot(path.Dir(pagePath)) != "" {
		why = "" // mintlifyPage below weighs it
	}
	routed := why == evidenceElsewhere || why == evidenceListed
	if why != "" && (routed && path.Ext(decoded) == "" || why == evidenceElsewhere && c.fromElsewhereRoot(pagePath, decoded) || c.anyRendererServes(decoded, resolved)) {
		// A renderer docscheck does not know serves the page: where its
		// root is, which file a name without its extension is (a clean
		// URL), which page x.html is built from and which folder it
		// serves a file from are its rules. A site published elsewhere
		// also routes names the tree does not show (Documenter's @ref,
		// number prefixes dropped), and so may the site of a page only a
		// folder's file list reaches. A page linked by its bare name, or a
		// file that exists under no name, is missing under any of them.
		// A link from the root of a Mintlify site is weighed below
		// (mintlifyPage), unless a site published elsewhere holds it.
		// A path there from the root of the folder such a site publishes
		// may be resolved from that root (fromElsewhereRoot).
		return reasonUnknownRenderer
	}
	site := c.site(pagePath)
	if site == nil && strings.HasPrefix(decoded, "/") && c.opts.SiteRoot == "" && c.unmodelledGenerator(pagePath) != "" {
		// A site generator docscheck recognises but does not model
		// serves the page: its routes from the site's root are its own.
		return reasonSiteRule
	}
	if site == nil && c.opts.SiteRoot == "" && c.opts.Slug == "" && c.servedAsPage(resolved) && c.unmodelledGenerator(pagePath) != "" {
		// A site generator docscheck recognises but does not model
		// serves the page, and the target is a page's clean URL or its
		// folder's other index name, which such generators serve as
		// that page.
		return reasonSiteRule
	}
	if site == nil && strings.HasPrefix(decoded, "/") && c.opts.SiteRoot == "" && c.mintlifyPage(pagePath, decoded) {
		// A Mintlify site serves the page: from its base path, which
		// its config does not say, the link may name a page.
		return reasonSiteRule
	}
	if site == nil {
		return ""
	}
	if site.PagesWriter != "" && (!site.WritesOnlyPages || !image && (isPageTarget(decoded) || site.Generator == "sphinx" && servablePage(decoded))) &&
		!(site.Generator == "sphinx" && c.missesDocument(resolved)) {
		// A script run before the generator writes pages docscheck does
		// not see (a page per plugin, an API reference); a plugin that
		// writes only pages writes no script or image. A Sphinx
		// extension's documents (autosummary's page per object) may have
		// any source suffix Sphinx reads (.rst, .ipynb); a near miss of a
		// file that is there, or of a document by its name whatever its
		// suffix (a {doc} role's lazy_validations beside
		// lazy_validation.md), stays judged, as on the project's
		// reStructuredText pages (rstTarget).
		return reasonSiteConfig
	}
	if len(site.Unmodelled) > 0 && c.pageUnderAnyName(resolved) {
		// The site's own code (a plugin, hooks) may rewrite a link to a
		// page under another extension (x.md for the page x.mdx).
		return reasonSiteConfig
	}
	if site.UnmodelledPlugin() && !strings.Contains(strings.TrimPrefix(decoded, "./"), "/") &&
		slices.ContainsFunc(c.filesNamed(path.Base(decoded)), func(p string) bool { return under(p, site.Pages) }) {
		// A link by a file's bare name, which a page of the site has
		// elsewhere: a plugin docscheck does not model may resolve it
		// there (MkDocs' autolinks, ezlinks, roamlinks link a bare name
		// to the page of that name anywhere in the site).
		return reasonSiteConfig
	}
	if site.Generator == "hugo" {
		// Hugo serves a page at a URL its front matter (slug, url,
		// aliases), its section and its language can all change, and
		// render hooks rewrite links: not modelled.
		return reasonSiteRule
	}
	if _, sphinx := c.sphinxSourceOf(pagePath); sphinx && isRST(pagePath) || image && (sphinx || site.Generator == "sphinx") {
		// On a reStructuredText page of a Sphinx project the links
		// docscheck reads are the files its directives read (an image,
		// an include, a literalinclude, a download), from the source
		// folder on disk, wherever the tree holds them: no URL rule of
		// the site (MyST's, on a project that also reads Markdown)
		// decides them. So are a Markdown page's images and its MyST
		// directives' files (```{literalinclude} ../../designs/x.tcl),
		// outside the source folder too.
		return ""
	}
	if strings.HasPrefix(decoded, "/") && c.opts.SiteRoot == "" && !c.rootedPartExists(site, decoded) {
		// Nothing of the site is at the link's first folder: the web
		// server answers there (another app of the deployment, pages an
		// API generator writes, a path prefix of the site's URL).
		return reasonSiteRule
	}
	served := site.DirectoryURLs && site.Contains(path.Join(servedDir(pagePath), decoded))
	if !strings.HasPrefix(decoded, "/") && !site.Contains(resolved) && !served {
		// A relative link that climbs out of the site's pages lands on
		// the web server beside the site (../std/ next to a book).
		return reasonSiteRule
	}
	if ext := strings.ToLower(path.Ext(decoded)); site.ReadsMyST() && !image && ext != ".md" && ext != ".rst" && ext != ".ipynb" {
		// Only a link to a source file is a file link in MyST; a
		// target without one is a reference or a built page. An
		// image's path is always a file, which Sphinx copies from
		// beside the page.
		return reasonSiteRule
	}
	switch site.Generator {
	case "docusaurus":
		if rest, ok := cutURLPrefix(decoded, repo.DocsBase); ok && site.DocRoutes != nil && !isPage(decoded) &&
			!strings.HasPrefix(rest, "category/") && !translated(site, pagePath) {
			// Every doc's URL is known (repo.Site.DocRoutes), and the
			// link is none of them; a generated category index
			// (/docs/category/x) is a page the build makes.
			return ""
		}
		// A page's front-matter id (configuration for Configuration.md)
		// may be the link: only a real typo of a page is certain.
		if !isPage(decoded) && !(hint != "" && typoOf(resolved, hint) && !caseOnly(resolved, hint)) && !c.typoOfPage(resolved) {
			return reasonSiteRule
		}
	case "starlight":
		// A translated Starlight site shows the default language's page
		// where a language lacks one: /de/x/ falls back to /x/.
		if first, rest, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/"); ok && strings.HasPrefix(decoded, "/") &&
			c.opts.Repo.Stat(path.Join(site.Pages, first)) == repo.Dir {
			if _, kind := c.resolveRooted(site, "/"+rest); kind != repo.Missing {
				return reasonSiteRule
			}
		}
	case "fumadocs":
		if strings.HasPrefix(decoded, "/") && slices.ContainsFunc(site.AppRoutes, func(re *regexp.Regexp) bool { return re.MatchString(decoded) }) {
			// The app around the pages serves the path: a redirect or
			// rewrite of its config, or a page of its own.
			return reasonSiteRule
		}
	case "mdbook":
		if strings.HasPrefix(decoded, "/") {
			// An absolute link leaves the book for the web server's
			// root, which mdBook does not describe.
			return reasonSiteRule
		}
	case "vitepress":
		for d := path.Dir(resolved); under(d, site.Pages) && d != ".."; d = path.Dir(d) {
			if slices.ContainsFunc(c.opts.Repo.Names(d), isDynamicRoute) {
				return reasonSiteRule
			}
			if d == "." {
				break
			}
		}
	}
	return ""
}

// rootedPartExists reports whether the first part of a "/x/..." link is a
// page or folder in one of the site's roots, or one typo away from a page.
func (c *Checker) rootedPartExists(site *repo.Site, p string) bool {
	for _, rt := range site.Routes {
		// Past a route's prefix, the first part must be a page or folder
		// of its pages (in a "(group)" folder, maybe).
		if rest, ok := cutURLPrefix(p, rt.URL); ok {
			first, _, _ := strings.Cut(rest, "/")
			if _, kind := c.resolveGrouped(site, rt.Dir, first, false); first == "" || kind != repo.Missing || c.typoOfPage(path.Join(rt.Dir, first)) {
				return true
			}
		}
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if first == "" {
		return true
	}
	for route := range site.DocRoutes {
		// A page's URL under its generator's rule (a slugified folder,
		// multi-user-mode for "Multi-User Mode") starts there.
		if r, _, _ := strings.Cut(strings.TrimPrefix(route, "/"), "/"); r == first {
			return true
		}
	}
	for _, root := range site.Roots {
		if _, kind := c.resolveRelative(site, path.Join(root, first), false); kind != repo.Missing || c.typoOfPage(path.Join(root, first)) {
			return true // there, or a typo of a page that is
		}
	}
	return false
}

// mintlifyPage reports whether the root link p, on a page of a Mintlify
// site (repo.MintlifyRoot), names one of the site's pages by its route,
// as it is or past a first part that may be the site's base path
// (/docs/core/x for core/x.mdx). A link that names no page under either
// reading is missing whatever the base path.
func (c *Checker) mintlifyPage(pagePath, p string) bool {
	root := c.opts.Repo.MintlifyRoot(path.Dir(pagePath))
	if root == "" {
		return false
	}
	rel := strings.Trim(p, "/")
	routes := []string{rel}
	if _, rest, ok := strings.Cut(rel, "/"); ok {
		routes = append(routes, rest)
	}
	for _, route := range routes {
		for _, cand := range []string{route + ".mdx", route + ".md", path.Join(route, "index.mdx"), path.Join(route, "index.md")} {
			if c.opts.Repo.Stat(path.Join(root, cand)) == repo.File {
				return true
			}
		}
	}
	return false
}

// typoOfPage reports whether a clean URL is one typo away from a page in
// its folder ("setpu" for setup.mdx).
func (c *Checker) typoOfPage(p string) bool {
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	return slices.ContainsFunc(c.opts.Repo.Names(dir), func(n string) bool {
		stem := strings.TrimSuffix(n, path.Ext(n))
		return isPage(n) && oneTypo(base, stem) && !strings.EqualFold(base, stem)
	})
}

// caseOnly: a and b differ in case only (their page extensions aside).
func caseOnly(a, b string) bool {
	a, b = path.Base(a), path.Base(b)
	a, b = strings.TrimSuffix(a, path.Ext(a)), strings.TrimSuffix(b, path.Ext(b))
	return a != b && strings.EqualFold(a, b)
}

// isDynamicRoute is a VitePress route file such as [pkg].md.
func isDynamicRoute(name string) bool {
	return strings.HasPrefix(name, "[") && strings.Contains(name, "].") && isPage(name)
}

// markedExternal reports whether the link at offset, to dest, is
// followed by an attribute block with the class external
// ("[x](y.html.md){.external}"), MyST's mark for a URL it leaves alone.
func markedExternal(src []byte, offset int, dest string) bool {
	if offset < 0 || offset >= len(src) {
		return false
	}
	rest := src[offset:]
	if end := bytes.IndexByte(rest, '\n'); end >= 0 {
		rest = rest[:end]
	}
	i := bytes.Index(rest, []byte("("+dest+")"))
	if i < 0 {
		return false
	}
	rest = rest[i+len(dest)+2:]
	end := bytes.IndexByte(rest, '}')
	if !bytes.HasPrefix(rest, []byte("{")) || end < 0 {
		return false
	}
	return slices.Contains(strings.Fields(string(rest[1:end])), ".external")
}

// isDottedName: two or more identifiers joined by dots (a Python
// object's full name: wagtail.models.Page.title).
func isDottedName(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] >= '0' && p[0] <= '9' {
			return false
		}
		for i := range len(p) {
			if !isIdentByte(p[i]) {
				return false
			}
		}
	}
	return true
}

// isTemplate: an issue or pull-request template under .github (or
// docs/), which GitHub shows on a web page of its own.
func isTemplate(p string) bool {
	if !strings.Contains(p, "EMPLATE") && !strings.Contains(p, "emplate") {
		return false // the common case, without a copy of the path
	}
	upper := strings.ToUpper(p)
	return (strings.HasPrefix(upper, ".GITHUB/") || strings.HasPrefix(upper, "DOCS/") || !strings.Contains(upper, "/")) &&
		(strings.Contains(upper, "ISSUE_TEMPLATE") || strings.Contains(upper, "PULL_REQUEST_TEMPLATE"))
}

// isIssueTemplate: an issue template (isTemplate), where the reporter
// shows their own program; a pull-request template's commands are this
// repository's, run in a clone of it by whoever changes it.
func isIssueTemplate(p string) bool {
	return isTemplate(p) && strings.Contains(strings.ToUpper(p), "ISSUE_TEMPLATE")
}

// hasTemplate: s holds template syntax a site's build fills in.
func hasTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "${") || buildVariable.MatchString(s)
}

// buildVariable is a variable a docs build substitutes in the page's text
// ("@API_URL@", "@VERSION@": mdoc's, Maven's resource filtering; meson's
// and autoconf's configure_file take any case, "@docroot@").
var buildVariable = regexp.MustCompile(`@[A-Za-z_][A-Za-z0-9_]*@`)

// climbsToWeb: a repository-relative path above the root that github.com
// can serve: more than a ref (a file of another branch or commit), or a
// page of the repository or of its owner. Only "../name" alone, which is a
// ref with no file, is certainly missing.
func climbsToWeb(joined string) bool {
	rest, ok := strings.CutPrefix(joined, "../")
	return ok && (strings.HasPrefix(rest, "../") || strings.Contains(rest, "/"))
}

// climbsFromRoot reports whether a "/" link climbs above the root
// ("/../gh-pages/images/x.png").
func climbsFromRoot(decoded string) bool {
	rest, ok := strings.CutPrefix(decoded, "/")
	if !ok {
		return false
	}
	joined := joinPath(".", rest)
	return joined == ".." || strings.HasPrefix(joined, "../")
}

// webRelative reads "../blob/<ref>/X" and "../../tree/<ref>/X" as the
// repository path X.
func webRelative(p string) (string, bool) {
	rest := p
	ups := 0
	for strings.HasPrefix(rest, "../") {
		rest, ups = rest[3:], ups+1
	}
	kind, rest, ok := strings.Cut(rest, "/")
	if ups == 0 || !ok || kind != "blob" && kind != "tree" {
		return "", false
	}
	_, file, ok := strings.Cut(rest, "/")
	if !ok || file == "" {
		return "", false
	}
	return path.Clean(file), true
}

// resolvePath finds the file or folder a decoded link path (without
// fragment or query) on a page names, the way the page's renderer does:
// GitHub's rules, or those of the docs site the page belongs to. The
// answer depends on the page and the path alone: it is remembered
// (resolved.go).
func (c *Checker) resolvePath(pagePath, decoded string) (string, repo.Kind) {
	return c.rememberResolved(pagePath, decoded, c.resolvePathFresh)
}

// resolvePathFresh is resolvePath without its memo.
func (c *Checker) resolvePathFresh(pagePath, decoded string) (string, repo.Kind) {
	site := c.site(pagePath)
	if zs, zola := c.zolaSiteOf(pagePath); zola && site == nil && c.opts.SiteRoot == "" && strings.HasPrefix(decoded, "/") {
		return c.resolveZolaRoute(zs, decoded)
	}
	if strings.HasPrefix(decoded, "/") {
		if site != nil && site.DocRoutes != nil && translated(site, pagePath) {
			// A translated page's /docs links are served under its
			// locale, by translations docscheck does not pair with
			// their docs: the doc URLs are not used there.
			plain := *site
			plain.DocRoutes = nil
			return c.resolveRooted(&plain, decoded)
		}
		return c.resolveRooted(site, decoded)
	}
	joined := joinPath(dirOf(pagePath), decoded)
	if site != nil && site.DirectoryURLs && strings.HasSuffix(decoded, ".md/") {
		// MkDocs normalises "x.md/" to the page x.md.
		decoded = strings.TrimSuffix(decoded, "/")
		joined = strings.TrimSuffix(joined, "/")
	}
	resolved, kind := c.resolveRelative(site, joined, strings.HasSuffix(decoded, "/"))
	if kind == repo.Missing && site != nil && site.Generator == "docusaurus" && isPage(decoded) &&
		!strings.HasPrefix(decoded, "./") && !strings.HasPrefix(decoded, "../") {
		// Docusaurus resolves a link to a Markdown file against the
		// page's folder and against the docs folder (its content path,
		// docs/ by default): @docusaurus/utils' markdown link resolver
		// tries both; one starting with ./ or ../ only the page's.
		if p := path.Join(site.Pages, "docs", decoded); c.opts.Repo.Stat(p) == repo.File {
			return p, repo.File
		}
	}
	if kind == repo.Missing && site != nil && site.DirectoryURLs && !isMarkdown(decoded) {
		// MkDocs serves a/b.md at a/b/: a link written for the site
		// resolves from there.
		if served, alt := c.resolveRelative(site, path.Join(servedDir(pagePath), decoded), strings.HasSuffix(decoded, "/")); alt != repo.Missing {
			return served, alt
		}
	}
	if kind == repo.Missing && site != nil && len(site.ThemeDirs) > 0 && !isMarkdown(decoded) {
		// The theme's own files sit at the site's root: the link's URL,
		// from the page's URL, may reach one there.
		url := joined
		if site.DirectoryURLs {
			url = path.Join(servedDir(pagePath), decoded)
		}
		if rest, ok := strings.CutPrefix(url, site.Pages+"/"); ok {
			for _, dir := range site.ThemeDirs {
				if p := path.Join(dir, rest); c.opts.Repo.Stat(p) == repo.File {
					return p, repo.File
				}
			}
		}
	}
	return resolved, kind
}

// resolveDest is resolvePath for a raw destination: false for external,
// same-page, malformed and outside links.
func (c *Checker) resolveDest(pagePath, dest string) (string, repo.Kind, bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" || strings.HasPrefix(dest, "//") || hasScheme(dest) {
		return "", repo.Missing, false
	}
	target, _, _ := strings.Cut(dest, "#")
	target, _, _ = strings.Cut(target, "?")
	decoded, err := url.PathUnescape(target)
	if err != nil || decoded == "" {
		return "", repo.Missing, false
	}
	resolved, kind := c.resolvePath(pagePath, decoded)
	if kind == repo.Missing || resolved == ".." || strings.HasPrefix(resolved, "../") {
		return "", repo.Missing, false
	}
	return resolved, kind, true
}

// resolveRooted maps a "/..." link: onto the site's roots when the page
// belongs to a docs site, else onto the repository root (as GitHub does for
// files in a repository).
func (c *Checker) resolveRooted(site *repo.Site, p string) (string, repo.Kind) {
	if site == nil {
		rel := path.Clean(strings.TrimPrefix(p, "/"))
		if rel == "" {
			rel = "."
		}
		return rel, c.opts.Repo.Stat(rel)
	}
	if f, ok := site.DocRoutes[path.Clean(p)]; ok {
		// A doc's URL under its generator's rule (a slug, an id, number
		// prefixes dropped).
		return f, c.opts.Repo.Stat(f)
	}
	first, kind, routed := c.resolveRoute(site, p)
	if routed && kind != repo.Missing {
		return first, kind
	}
	for i, root := range site.Roots {
		resolved, kind := c.resolveRelative(site, path.Join(root, p), strings.HasSuffix(p, "/"))
		if kind == repo.Dir && staticRoot(site, root) && c.opts.Repo.Stat(path.Join(resolved, "index.html")) != repo.File {
			// A static folder's files are served as they are: a
			// folder there with no index.html is no page.
			kind = repo.Missing
		}
		if kind != repo.Missing {
			return resolved, kind
		}
		if i == 0 && !routed {
			first = resolved
		}
	}
	return first, repo.Missing
}

// servedAsPage reports whether a missing target is a page under the
// rules every site generator shares: "x" (or "x.html") beside the page
// x.md, served at a clean URL; or a folder's README.md where its index.md
// is, or the other way round, both being the folder's index page.
func (c *Checker) servedAsPage(target string) bool {
	rp := c.opts.Repo
	switch ext := path.Ext(target); {
	case ext == "" || ext == ".html":
		base := strings.TrimSuffix(target, ext)
		return rp.Stat(base+".md") == repo.File || rp.Stat(base+".mdx") == repo.File
	case strings.EqualFold(path.Base(target), "README.md"):
		return rp.Stat(path.Join(path.Dir(target), "index.md")) == repo.File
	case strings.EqualFold(path.Base(target), "index.md"):
		return rp.Stat(path.Join(path.Dir(target), "README.md")) == repo.File
	}
	return false
}

// staticRoot: root is the folder of static files the site's generator
// copies to the site's root unchanged (VitePress' and Starlight's
// public/, Hugo's static/), not a folder of pages.
func staticRoot(site *repo.Site, root string) bool {
	return root != site.Pages && (path.Base(root) == "public" || path.Base(root) == "static")
}

// translated: the page is a translation of a Docusaurus site (under its
// i18n/ folder), served under its locale's URL.
func translated(site *repo.Site, pagePath string) bool {
	return under(pagePath, path.Join(site.Pages, "i18n"))
}

// resolveRoute finds a "/x" link among the site's routes (Fumadocs'
// loaders): the part after a route's URL prefix, as a clean URL under
// its folder. routed is false when no route's prefix holds the link.
func (c *Checker) resolveRoute(site *repo.Site, p string) (resolved string, kind repo.Kind, routed bool) {
	for _, rt := range site.Routes {
		rest, ok := cutURLPrefix(p, rt.URL)
		if !ok {
			continue
		}
		f, k := c.resolveGrouped(site, rt.Dir, rest, strings.HasSuffix(p, "/"))
		if k != repo.Missing {
			return f, k, true
		}
		if !routed {
			resolved, kind, routed = f, repo.Missing, true
		}
	}
	return resolved, kind, routed
}

// cutURLPrefix returns what follows the URL prefix in the path p, when p
// is the prefix or lies below it.
func cutURLPrefix(p, prefix string) (string, bool) {
	if prefix == "/" {
		return strings.TrimPrefix(p, "/"), true
	}
	rest, ok := strings.CutPrefix(p, prefix)
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	return strings.TrimPrefix(rest, "/"), true
}

// resolveGrouped resolves the clean URL rest under dir, where a folder
// named in parentheses ("(group)") adds no part to the URL: its pages
// are served as if they sat in the folder around it.
func (c *Checker) resolveGrouped(site *repo.Site, dir, rest string, dirSlash bool) (string, repo.Kind) {
	if f, k := c.resolveRelative(site, path.Join(dir, rest), dirSlash); k != repo.Missing {
		return f, k
	}
	for _, n := range c.opts.Repo.Names(dir) {
		if g := path.Join(dir, n); strings.HasPrefix(n, "(") && strings.HasSuffix(n, ")") && c.opts.Repo.WalkStat(g) == repo.Dir {
			if f, k := c.resolveGrouped(site, g, rest, dirSlash); k != repo.Missing {
				return f, k
			}
		}
	}
	if first, more, ok := strings.Cut(rest, "/"); ok && first != "" && c.opts.Repo.Stat(path.Join(dir, first)) == repo.Dir {
		if f, k := c.resolveGrouped(site, path.Join(dir, first), more, dirSlash); k != repo.Missing {
			return f, k
		}
	}
	return path.Join(dir, rest), repo.Missing
}

// readsDotMarkdown reports whether the site's generator makes a page of a
// ".markdown" file as of a ".md" one: MkDocs and Hugo do (their default
// Markdown extensions include it), so "x" and "x.html" may name x.markdown
// there; VitePress, Docusaurus, mdBook and Starlight read ".md" only.
func readsDotMarkdown(site *repo.Site) bool {
	return site.Generator == "mkdocs" || site.Generator == "hugo"
}

// servedDir is the folder a MkDocs page is served as: a/b.md at a/b/,
// a/index.md and a/README.md at a/.
func servedDir(page string) string {
	base := path.Base(page)
	if strings.EqualFold(base, "index.md") || strings.EqualFold(base, "README.md") {
		return path.Dir(page)
	}
	return strings.TrimSuffix(page, path.Ext(page))
}

// resolveRelative finds the file a repository-relative link names. On a
// docs site, clean URLs are tried too: "x/" → x/index.md, "x" → x.md,
// "x.html" → x.md (and .mdx).
func (c *Checker) resolveRelative(site *repo.Site, p string, dirSlash bool) (string, repo.Kind) {
	if p == "" {
		p = "."
	}
	kind := c.opts.Repo.Stat(p)
	if kind != repo.Missing && (kind == repo.Dir || !dirSlash) && (site == nil || kind == repo.File) {
		return p, kind
	}
	if site != nil {
		var candidates []string
		if dirSlash || kind == repo.Dir {
			candidates = append(candidates, path.Join(p, "index.md"), path.Join(p, "README.md"), path.Join(p, "index.mdx"))
			if site.DirectoryURLs {
				candidates = append(candidates, p+".md", p+".mdx") // MkDocs and Starlight serve x.md at x/
				if readsDotMarkdown(site) {
					candidates = append(candidates, p+".markdown")
				}
			}
		} else {
			base := strings.TrimSuffix(p, ".html")
			candidates = append(candidates, base+".md", path.Join(base, "index.md"), base+".mdx", path.Join(base, "index.mdx"))
			if readsDotMarkdown(site) {
				candidates = append(candidates, base+".markdown")
			}
		}
		if site.Generator == "mdbook" && (path.Base(p) == "index.html" || path.Base(p) == "index.md") {
			// mdBook serves a folder's README.md as its index.html.
			candidates = append(candidates, path.Join(path.Dir(p), "README.md"))
		}
		for _, cand := range candidates {
			if c.opts.Repo.Stat(cand) == repo.File {
				return cand, repo.File
			}
		}
		if kind == repo.Dir {
			return p, kind
		}
	}
	if dirSlash && kind == repo.File {
		return p, repo.Missing // "file.md/" is not a folder
	}
	return p, kind
}

// nearbyName suggests an existing path for a missing one: a near name in
// its folder, or in the folder nearest to its missing folder. The answer
// always exists: a folder is only walked into when it is one.
func (c *Checker) nearbyName(p string) string {
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	if c.opts.Repo.Stat(dir) != repo.Dir {
		parent := c.nearbyName(dir)
		if parent == "" || c.opts.Repo.Stat(parent) != repo.Dir {
			return ""
		}
		dir = parent
		if c.opts.Repo.Stat(path.Join(dir, base)) != repo.Missing {
			return path.Join(dir, base)
		}
	}
	if n := c.nearest(base, c.opts.Repo.Names(dir)); n != "" {
		return path.Join(dir, n)
	}
	return ""
}

// relativeTo writes target (repository-relative) as a link from folder dir.
func relativeTo(dir, target string) string {
	if dir == "." {
		return target
	}
	up := ""
	for dir != "." && !strings.HasPrefix(target+"/", dir+"/") {
		dir = path.Dir(dir)
		up += "../"
	}
	if dir == "." {
		return up + target
	}
	return up + strings.TrimPrefix(target, dir+"/")
}

// checkAnchor reports a fragment that names no heading or id on target.
// inFile is "" for the page itself.
func (c *Checker) checkAnchor(r *report, target *page, fragment string, offset int, inFile string) {
	if fragment == "" || fragment == "top" || target.tooComplex != "" {
		return
	}
	// A fragment directive (":~:text=..." after the fragment, the URL
	// standard's text fragments) is taken off by the browser before the
	// fragment is looked up, and scrolls to text if it is found, else
	// does nothing: only the fragment before it names an id.
	fragment, _, _ = strings.Cut(fragment, ":~:")
	if fragment == "" {
		return
	}
	frag, err := url.PathUnescape(fragment)
	if err != nil {
		frag = fragment
	}
	usage := c.usageKeyOf(target.path, ruleAnchor)
	r.usageChecked(usage)
	if target.anchors[frag] || target.anchors[strings.TrimPrefix(frag, "user-content-")] || target.generated {
		return
	}
	if site := c.site(target.path); frag == "_top" && site != nil && site.Generator == "starlight" {
		// Starlight's page layout gives every page the id _top (its
		// table of contents' "Overview" entry links it).
		return
	}
	included, partial := c.includedAnchor(target, frag, 0)
	if included {
		return
	}
	if site := c.site(target.path); site != nil && site.Generator == "mkdocs" && target.footnoteID(frag) {
		return
	}
	zolaReason, anchorList := "", target.anchorList
	if zs, ok := c.zolaSiteOf(target.path); ok && c.site(target.path) == nil && c.opts.Slug == "" {
		// A page of a Zola site gets Zola's ids, whichever way it is
		// linked ("#x" as much as "@/page.md#x").
		found, exact, ids := zolaAnchor(zs, target, frag)
		if found {
			return
		}
		if !exact {
			zolaReason = reasonSiteRule
		}
		anchorList = ids
	}
	where := "on this page"
	if inFile != "" {
		where = "in " + inFile
	}
	hint := c.nearest(frag, anchorList)
	reason := zolaReason
	if reason == "" && c.opts.Slug == "" && c.site(target.path) == nil && slices.ContainsFunc(target.anchorList, func(a string) bool { return strings.EqualFold(a, frag) }) {
		// github.com finds a heading whatever the case of the fragment; a
		// docs site does not, nor a renderer the config names.
		reason = reasonAnchorCase
	}
	if reason == "" && frag == "readme" && c.opts.Slug == "" && c.site(target.path) == nil && c.rendererUnknown(target.path) == "" {
		// GitHub's own id for the rendered file (reasonGitHubReadme).
		reason = reasonGitHubReadme
	}
	if reason == "" && hint == "" && isPlaceholderName(frag) && !strings.ContainsAny(frag, "-_") {
		// A metasyntactic fragment with no anchor near it ([foo](#bar) in
		// a syntax demo): an example link, not a section to scroll to. One
		// word only: a heading's id may well start with "my-"
		// (#my-provider-updates-too-often).
		reason = reasonPlaceholder
	}
	if reason == "" && partial {
		// Part of an included file (a region or line range) is on the
		// page: which of its headings is not modelled.
		reason = reasonSiteRule
	}
	if reason == "" && target.shortcodes {
		// A shortcode ({{< x >}}, {{% x %}}) on the page may write the
		// heading at build time.
		reason = reasonSiteRule
	}
	if reason == "" && strings.EqualFold(path.Ext(target.path), ".mdx") && target.componentsCouldGive(frag) {
		// An MDX page's components (<TypeTable>, <Step>, an import)
		// can write headings at build time; its Markdown headings'
		// ids are known, so only a component line could give it.
		reason = reasonSiteRule
	}
	if reason == "" && inFile == "" && c.writtenForSite(target.path) {
		// A folder README written for a site's page (writtenForSite):
		// its own fragments name headings of the page it is pasted
		// into.
		reason = reasonSiteRule
	}
	if reason == "" && target == r.page && tooltipIcon(target.source, offset) {
		// An icon whose title is the message (all-contributors'
		// <a href="#question-login" title="Answering Questions">💬</a>):
		// the fragment is a label the generator writes, not a heading.
		reason = reasonTooltip
	}
	if reason == "" && c.unmodelledSite(target.path) != "" && target.textCouldGive(frag) {
		// The site's config makes ids docscheck does not model, and the
		// page's text could give this one.
		reason = reasonSiteConfig
	}
	if reason == "" && c.anyChapterCouldGive(target.path, frag) {
		// The site's own preprocessor rewrites the pages' links before
		// they are rendered and may point the fragment at another
		// page's heading, which could give it.
		reason = reasonSiteConfig
	}
	if reason == "" && c.site(target.path) == nil && slices.Contains(target.attrIDs, frag) && c.opts.Repo.ReadsInlineIDs() {
		// "## How does it work? {#how-it-works}", "$$$id$$$": the page
		// writes that id for kramdown, Doxygen or docs-builder, which the
		// repository builds docs with and may publish the page with;
		// github.com shows it as text (certain where nothing reads it).
		reason = reasonUnknownRenderer
	}
	if reason == "" && c.opts.Slug == "" && c.site(target.path) == nil && c.readAsHTML(target) &&
		(target.textCouldGive(frag) || target.joinsAnchors(frag)) {
		// A generator the repository does not name builds the page as
		// HTML (readAsHTML); its ids may nest a section's under its
		// parents' (#lexical-analysis-string-literals).
		reason = reasonUnknownRenderer
	}
	if reason == "" && (c.ownRenderer(target.path) ||
		(c.rendererUnknown(target.path) != "" || c.unmodelledGenerator(target.path) != "") && (target.textCouldGive(frag) || target.anyRendererCouldGive(frag))) {
		// A renderer the repository does not show makes the page's
		// heading ids: only a fragment no slug rule could give from its
		// headings and ids is certain (rendererUnknown). So does a
		// generator docscheck recognises but does not model
		// (unmodelledGenerator), whose markup may give ids no heading
		// does (Retype's panels, "==- Title"). The repository's own
		// build of the page (ownRenderer) may make any id.
		reason = reasonUnknownRenderer
	}
	if site := c.site(target.path); reason == "" && site != nil && site.ReadsMyST() &&
		(inFile == "" && (c.folderCouldGive(site.Pages, frag) || site.Generator == "sphinx" && isDottedName(frag)) ||
			inFile != "" && target.mystTarget(frag)) {
		// MyST resolves a bare #name against every target of the
		// project ((name)=, :label:, :name:), not only the page's own:
		// certain only when no page of the project names it or gives
		// it as a heading (folderCouldGive). Under Sphinx, a dotted
		// name (#pkg.module.Class.attr) is an object of the Python
		// domain, which autodoc documents from code docscheck does not
		// read. After a page's path MyST looks in that page alone,
		// whose explicit targets docscheck reads as text.
		reason = reasonSiteConfig
	}
	if site := c.site(target.path); site != nil && reason == "" && len(site.PluginHeadings) > 0 {
		slugs := anchor.NewSet(c.slugFor(target.path))
		for _, h := range site.PluginHeadings {
			if slugs.Add(h) == frag {
				reason = reasonSiteRule // a heading the site's code writes
				break
			}
		}
	}
	if reason == "" && target.markupTextGives(frag) &&
		!slices.ContainsFunc(target.anchorList, func(a string) bool { return letterDigits(a) == letterDigits(frag) }) {
		// A markup line docscheck reads as no heading has the fragment's
		// text; a renderer feature it does not model may make the id
		// (reasonMarkupText). When an id docscheck knows already has
		// those letters (## go_cross_binary, (deploy:base-url)=), the
		// fragment spells a known id otherwise: certain.
		reason = reasonMarkupText
	}
	if hint != "" {
		hint = "#" + hint
	}
	r.missAt(offset, reason, ruleAnchor, hint, "anchor #%s does not exist %s", frag, where)
	if reason == "" {
		bareOn := ""
		if inFile == "" {
			bareOn = target.path
		}
		r.usageFailed(usage, frag, target.textCouldGive(frag) || target.anyRendererCouldGive(frag), bareOn)
	}
}

// includeDirectives are the lines that pull another file into a page
// before it is rendered, so that the file's headings are the page's, each
// with the path it names relative to the page's folder and whether it
// takes only a part of the file:
//   - VitePress's "<!--@include: ./part.md-->", with an optional
//     "#region" or "{3,10}" line range after the path;
//   - the MkDocs include-markdown plugin's "{% include-markdown "x.md" %}"
//     and "{% include "x.md" %}", over several lines too, with optional
//     start and end markers that take a part; a path not found from the
//     page's folder is looked up in the site's docs folder, as the plugin
//     does ("includes/x.md" from any page);
//   - a remark include directive, '::include{file="x.md"}' (remark-directive
//     syntax, which site plugins that include files read), with optional
//     start and end markers that take a part.
var includeDirectives = []struct {
	marker string
	re     *regexp.Regexp
	// path is the submatch that holds the path; part reports whether the
	// match takes only a part of the file.
	path     int
	part     func(m [][]byte) bool
	fromSite bool
}{
	{"@include:", regexp.MustCompile(`<!--\s*@include:\s*([^\s#{]+)([#{][^>]*)?-->`), 1,
		func(m [][]byte) bool { return len(m[2]) > 0 }, false},
	{"{%", regexp.MustCompile(`\{%-?\s*include(?:-markdown)?\s+["']([^"'\n]+)["']([^%]*)-?%\}`), 1,
		func(m [][]byte) bool { return markerOptions(m[2]) }, true},
	{"::include{", regexp.MustCompile(`(?m)^[ \t]*::include\{([^}\n]*?)\bfile=["']([^"'\n]+)["']([^}\n]*)\}`), 2,
		func(m [][]byte) bool { return markerOptions(m[1]) || markerOptions(m[3]) }, false},
}

// markerOptions: an include's options take a region by start or end
// markers.
func markerOptions(o []byte) bool {
	return bytes.Contains(o, []byte("start=")) || bytes.Contains(o, []byte("end="))
}

// includedAnchors are the ids inc's headings get on pg, which includes
// it: pg's renderer's, which need not be inc's own.
func (c *Checker) includedAnchors(pg, inc *page) map[string]bool {
	slug := c.slugFor(pg.path)
	if slug == c.slugFor(inc.path) {
		return inc.anchors
	}
	return parsePage(inc.path, inc.source, slug, c.indentedBodies(pg.path)).anchors
}

// includedAnchor reports whether a file the page includes offers frag
// (the included headings are the page's), and whether a part of a file,
// or a file that is not there, is included, whose headings are then not
// known.
func (c *Checker) includedAnchor(pg *page, frag string, depth int) (found, partial bool) {
	if depth > 3 {
		return false, false
	}
	for _, d := range includeDirectives {
		if !bytes.Contains(pg.source, []byte(d.marker)) {
			continue
		}
		for _, m := range d.re.FindAllSubmatch(pg.source, -1) {
			if d.part(m) {
				partial = true
			}
			written := string(m[d.path])
			inc, err := c.load(path.Join(path.Dir(pg.path), written))
			if site := c.site(pg.path); err != nil && d.fromSite && site != nil {
				inc, err = c.load(path.Join(site.Pages, written))
			}
			if err != nil {
				partial = true
				continue
			}
			if inc.generated || c.includedAnchors(pg, inc)[frag] {
				return true, partial
			}
			f, p := c.includedAnchor(inc, frag, depth+1)
			if f {
				return true, partial
			}
			partial = partial || p
		}
	}
	return false, partial
}

// pastedWhereThere reports whether page is a file that pages of its site
// paste in with snippet lines (repo.SnippetIncluders) and target, read
// from one such page's folder, is in the tree.
func (c *Checker) pastedWhereThere(page, target string) bool {
	s := c.site(page)
	if s == nil {
		return false
	}
	for _, includer := range c.opts.Repo.SnippetIncluders(*s, page) {
		if c.opts.Repo.Stat(joinPath(dirOf(includer), target)) != repo.Missing {
			return true
		}
	}
	return false
}

// addressWord are the words a link's whole target can be when it stands
// for the address someone fills in later ("[Module](link)",
// "[docs](URL)"): a file of that name, without an extension, is not
// what a page links (one that exists is found before this is asked).
var addressWord = map[string]bool{"link": true, "url": true, "href": true}

// keyNames are keyboard keys that prose writes in brackets.
var keyNames = map[string]bool{
	"tab": true, "enter": true, "return": true, "esc": true, "escape": true, "space": true,
	"ctrl": true, "alt": true, "shift": true, "cmd": true, "meta": true, "up": true, "down": true,
	"left": true, "right": true, "backspace": true, "delete": true, "del": true, "home": true, "end": true,
}

// tooltipIcon reports whether offset is a link with a title whose text
// has no letter or digit: an icon whose tooltip is the point. The link is
// an HTML <a> tag with a title attribute, offset in its href, or a
// Markdown link with a title, `[💬](#question-bob "Answering Questions")`,
// offset at its bracket.
func tooltipIcon(source []byte, offset int) bool {
	return markdownTooltipIcon(source, offset) || htmlTooltipIcon(source, offset)
}

// markdownTooltipIcon is tooltipIcon's Markdown form: "[", an icon, "](",
// a destination, a quoted title, ")", on one line.
func markdownTooltipIcon(source []byte, offset int) bool {
	s := source[offset:]
	if line := bytes.IndexByte(s, '\n'); line >= 0 {
		s = s[:line]
	}
	if len(s) == 0 || s[0] != '[' {
		return false
	}
	textEnd := bytes.Index(s, []byte("]("))
	if textEnd < 0 {
		return false
	}
	text, rest := s[1:textEnd], s[textEnd+2:]
	closeAt := bytes.IndexByte(rest, ')')
	if closeAt < 0 || !bytes.Contains(rest[:closeAt], []byte(` "`)) && !bytes.Contains(rest[:closeAt], []byte(" '")) {
		return false
	}
	return len(bytes.TrimSpace(text)) > 0 && !bytes.ContainsFunc(text, notIconRune)
}

// notIconRune: a letter, a digit or a tag's start, which an icon's text
// (an emoji, a symbol) holds none of.
func notIconRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '<' }

// htmlTooltipIcon is tooltipIcon's HTML form.
func htmlTooltipIcon(source []byte, offset int) bool {
	start := bytes.LastIndex(source[:offset], []byte("<a "))
	if start < 0 || bytes.IndexByte(source[start:offset], '>') >= 0 {
		return false
	}
	tagEnd := bytes.IndexByte(source[offset:], '>')
	if tagEnd < 0 {
		return false
	}
	tag := source[start : offset+tagEnd]
	rest := source[offset+tagEnd+1:]
	closeAt := bytes.Index(rest, []byte("</a>"))
	if !bytes.Contains(tag, []byte("title=")) || closeAt < 0 {
		return false
	}
	return !bytes.ContainsFunc(rest[:closeAt], notIconRune)
}

// isIdentByte: an ASCII letter, digit or underscore, as in a program's names.
func isIdentByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// destination is the target a renderer follows for a link's destination
// as written: CommonMark resolves backslash escapes (`mage\_x/` is
// `mage_x/`) and entity references (`&amp;`) there, while goldmark's tree
// keeps the text as written (its HTML renderer resolves them).
func destination(written []byte) string {
	if !bytes.ContainsAny(written, `\&`) {
		return string(written)
	}
	d := util.UnescapePunctuations(append([]byte(nil), written...))
	return string(util.ResolveEntityNames(util.ResolveNumericReferences(d)))
}
