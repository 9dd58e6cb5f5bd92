package check

import (
	"bytes"
	"cmp"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/docscheck/rst"
)

// A Sphinx project's reStructuredText pages are published pages
// (repo.SphinxSources, repo.SphinxPages). docscheck reads of them what
// package rst finds, written out as the Markdown page that holds the same
// on the same lines, which the rules for Markdown then judge:
//   - a section title is a heading (a section of the page's session);
//   - a code block is a fence in its language: the directive's, else the
//     page's highlight directive's, else conf.py's highlight_language;
//     with none of them (Sphinx's default, Python, or "none") it is a
//     fence without a language, read as Markdown's is: a console session
//     when it has "$ " prompts, else commands only when every line is
//     one docscheck judges;
//   - an image or figure is an image, an include, literalinclude or
//     :download: a link, each to the path from the page's folder (a "/"
//     path is the source folder's);
//   - a :doc: name that no source file has is a link to the .rst file it
//     would be;
//   - prose keeps its words and inline literals (rstProse), for the rules
//     that read a command's sentence.
//
// Everything else is blank: directive and option lines, comments,
// targets, doctest blocks, the bodies of directives that are not markup.
// A page's ids are made by docutils' rules, which docscheck does not
// model, so a link into a reStructuredText page is judged to the file,
// never to an anchor (a page's headings here give it no ids). Where
// conf.py runs code that may write into the source folder
// (repo.SphinxSource.WritesFiles), a missing file is not judged
// (build-output), where it loads an extension that writes documents only
// (WritesPages) a missing document is not, and where it loads intersphinx
// a missing document name is not (site-rule), unless it is one typo away
// from one that is there.

// sphinxSourceOf is the innermost published Sphinx source folder that
// holds p, if any.
func (c *Checker) sphinxSourceOf(p string) (repo.SphinxSource, bool) {
	best, found := repo.SphinxSource{}, false
	for _, s := range c.sphinxSources {
		if under(p, s.Dir) && (!found || len(s.Dir) > len(best.Dir)) {
			best, found = s, true
		}
	}
	return best, found
}

// isRST reports whether p is a reStructuredText file.
func isRST(p string) bool { return strings.EqualFold(path.Ext(p), ".rst") }

// sphinxPages lists the pages of every published Sphinx source, each
// under the innermost source that holds it.
func (c *Checker) sphinxPages() []string {
	var out []string
	for _, s := range c.sphinxSources {
		var nested []string
		for _, o := range c.sphinxSources {
			if o.Dir != s.Dir && under(o.Dir, s.Dir) {
				nested = append(nested, o.Dir)
			}
		}
		out = append(out, c.opts.Repo.SphinxPages(s, nested)...)
	}
	return out
}

// includersOf lists the Sphinx pages that include file p (".. include::
// ../AUTHORS.rst").
func (c *Checker) includersOf(p string) []string {
	c.includersOnce.Do(func() {
		c.includers, c.includes = map[string][]string{}, map[string][]string{}
		for _, s := range c.sphinxSources {
			for target, pages := range c.opts.Repo.SphinxIncluders(c.opts.Repo.SphinxFiles(s, nil), s) {
				c.includers[target] = append(c.includers[target], pages...)
				for _, pg := range pages {
					c.includes[pg] = append(c.includes[pg], target)
				}
			}
		}
	})
	return c.includers[p]
}

// writtenForIncluder reports whether a relative reference that page p
// lacks from its own folder resolves from the folder of a Sphinx page
// that includes p: the file is written for the page that includes it,
// where its references resolve (a root AUTHORS.rst with logos/x.png,
// included by doc/authors.rst beside doc/logos/; a page of the source
// folder included by another, which Sphinx builds as a document of its
// own too). A :doc: name resolves as a document name does there.
func (c *Checker) writtenForIncluder(p string, ref rst.Ref, s repo.SphinxSource) bool {
	target, _, _ := strings.Cut(ref.Target, "#")
	if target == "" || strings.HasPrefix(target, "/") {
		return false
	}
	there := func(page string) bool {
		if ref.Kind == rst.Doc {
			return c.namesDocument(s.ResolveDoc(page, target))
		}
		return c.opts.Repo.Stat(joinPath(path.Dir(page), target)) != repo.Missing
	}
	return !there(p) && slices.ContainsFunc(c.includersOf(p), there)
}

// namesDocument reports whether resolved, a document's path without a
// suffix, may be a document: a file of that name with some suffix (a
// project's source_suffix may be any: .lagda.rst, .txt, .md), or a
// folder.
func (c *Checker) namesDocument(resolved string) bool {
	base := path.Base(resolved)
	return slices.ContainsFunc(c.opts.Repo.Names(path.Dir(resolved)), func(n string) bool { return n == base || strings.HasPrefix(n, base+".") })
}

// githubRSTPage reports whether p is a reStructuredText page github.com
// renders as an entry page, outside any Sphinx project: one at the root
// (README.rst, CONTRIBUTING.rst) or under .github.
func (c *Checker) githubRSTPage(p string) bool {
	dir := path.Dir(p)
	return (dir == "." || dir == ".github") && c.githubRendersRST(p)
}

// githubRendersRST reports whether p is a reStructuredText file outside
// any Sphinx project: github.com renders it with docutils, wherever it
// lies, so a published page that links it (docs/faq.rst from the README)
// leads the reader to a page read as an entry page is.
func (c *Checker) githubRendersRST(p string) bool {
	if !isRST(p) || c.opts.Repo.Stat(p) != repo.File {
		return false
	}
	_, ok := c.sphinxSourceOf(p)
	return !ok
}

// githubRSTPages lists the reStructuredText pages github.com renders as
// entry pages (githubRSTPage).
func (c *Checker) githubRSTPages() []string {
	var out []string
	for _, dir := range []string{".", ".github"} {
		for _, n := range c.opts.Repo.Names(dir) {
			if p := path.Join(dir, n); c.githubRSTPage(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// rstAsMarkdown writes a Sphinx page as the Markdown page that holds what
// docscheck reads of it on the same lines, and lists the file references
// it does not judge. cols maps each written line's bytes back to the
// page's columns (nil where they are the same): a finding on the page
// is placed where the page has what it found. onGitHub: the page is one
// github.com renders (githubRSTPage), with docutils and no Sphinx: Sphinx's
// roles render as text and include is off, so only its images and the
// relative targets of its hyperlink references name files.
func (c *Checker) rstAsMarkdown(p string, src []byte, s repo.SphinxSource, onGitHub bool) (md []byte, cols [][]int, doubts []finding.Finding) {
	read := rst.Read(src)
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	out := make([]string, len(lines))
	cols = make([][]int, len(lines))
	var tail []string
	blank := func(i int) bool { return strings.TrimSpace(lines[i]) == "" }
	for _, b := range read.Blocks {
		opener, closer := b.First-2, b.Last
		if opener < 0 || !blank(opener) && read.Prose[opener] || closer < len(lines) && !blank(closer) {
			continue // no line around it to hold the fence
		}
		fence := strings.Repeat("`", max(3, longestBacktickRun(b.Lines)+1))
		out[opener] = fence + rstFenceLanguage(b, s)
		for k, l := range b.Lines {
			i := b.First - 1 + k
			out[i] = l
			// The block's indentation is cut from the front.
			cols[i] = shifted(len(l), len(lines[i])-len(l))
		}
		if closer < len(lines) {
			out[closer] = fence
		} else {
			tail = append(tail, fence)
		}
	}
	for _, t := range read.Titles {
		text, at := rstProse(lines[t.Line-1])
		prefix := strings.Repeat("#", min(t.Level, 6)) + " "
		out[t.Line-1] = prefix + text
		cols[t.Line-1] = append(shifted(len(prefix), 0), at...)
	}
	for i, prose := range read.Prose {
		if prose && out[i] == "" {
			out[i], cols[i] = rstProse(lines[i])
		}
	}
	for _, ref := range read.Refs {
		if onGitHub && (ref.Kind != rst.Image && ref.Kind != rst.Link || strings.HasPrefix(ref.Target, "/")) ||
			ref.Kind == rst.Link && (!onGitHub || len(c.includersOf(p)) > 0) {
			// A relative hyperlink target is a file on github.com; on a
			// Sphinx site it is an address beside the built page (a
			// page's .html), which the source tree does not hold. So it
			// is in a file a Sphinx page includes, written for the site
			// (the CHANGELOG.rst that docs/changelog.rst includes).
			continue
		}
		if (onGitHub || len(c.includersOf(p)) > 0) && c.writtenForIncluder(p, ref, s) {
			doubts = append(doubts, finding.Finding{Path: p, Line: ref.Line, Col: ref.Col, Rule: ruleLink,
				Message: "link target " + quoteTarget(ref.Target) + " does not exist", NotCertain: reasonSiteRule})
			continue
		}
		if ref.Substitution != "" && c.unusedSubstitution(p, src, ref.Substitution, s, onGitHub) {
			if c.opts.Repo.Stat(s.Resolve(p, ref.Target)) == repo.Missing {
				doubts = append(doubts, finding.Finding{Path: p, Line: ref.Line, Col: ref.Col, Rule: ruleLink,
					Message: "link target " + quoteTarget(ref.Target) + " does not exist", NotCertain: reasonUnusedDefinition})
			}
			continue
		}
		if ref.Kind == rst.Label {
			if f, ok := c.rstLabel(p, ref, s); ok {
				doubts = append(doubts, f)
			}
			continue
		}
		link, missing, reason := c.rstReference(p, ref, s)
		if link != "" && ref.Kind != rst.Doc && s.RunsPageCode && quotedIn(src, ref.Target) && c.opts.Repo.Stat(s.Resolve(p, ref.Target)) == repo.Missing {
			// The page's own code, which the build runs, names the file
			// as a string: it writes it (plt.savefig("x.png") in an
			// ipython block above ".. image:: x.png").
			link, missing, reason = "", ref.Target, reasonOutput
		}
		if missing != "" {
			doubts = append(doubts, finding.Finding{Path: p, Line: ref.Line, Col: ref.Col, Rule: ruleLink,
				Message: "link target " + quoteTarget(missing) + " does not exist", NotCertain: reason})
		}
		switch i := ref.Line - 1; {
		case link == "":
		case out[i] == "":
			// Dots up to the target's column: the link starts where the
			// target does.
			out[i] = strings.Repeat(".", ref.Col-1) + link
		case read.Prose[i]:
			out[i] += " " + link
			for range len(link) + 1 {
				cols[i] = append(cols[i], ref.Col)
			}
		}
	}
	return []byte(strings.Join(append(out, tail...), "\n")), cols, doubts
}

// unusedSubstitution reports whether the document that holds page p
// (source src) never writes the substitution name, which p defines, as a
// reference (|name|, |name|_ or |name|__): its image then shows nowhere.
// A definition holds within its document only: on github.com, the page
// alone; under Sphinx, the page, the pages that include it and what
// those include, and conf.py, whose rst_prolog and rst_epilog every
// document gets (substitutionScope). Another page's use of the same name
// takes that page's own definition, not p's.
func (c *Checker) unusedSubstitution(p string, src []byte, name string, s repo.SphinxSource, onGitHub bool) bool {
	name = strings.Join(strings.Fields(strings.ToLower(name)), " ")
	if rst.SubstitutionUses(src)[name] {
		return false
	}
	if onGitHub {
		return true
	}
	for _, f := range c.substitutionScope(p, s) {
		if c.substitutionUsesOf(f)[name] {
			return false
		}
	}
	return true
}

// substitutionScope lists the files whose text is part of a document
// that holds page p: the pages that include p (and those that include
// them), every file one of those or p itself includes, and conf.py.
func (c *Checker) substitutionScope(p string, s repo.SphinxSource) []string {
	c.includersOf("") // builds includers and includes
	seen := map[string]bool{p: true}
	queue := []string{p}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, next := range append(slices.Clone(c.includers[f]), c.includes[f]...) {
			if !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	scope := []string{s.Config}
	for f := range seen {
		if f != p {
			scope = append(scope, f)
		}
	}
	return scope
}

// substitutionUsesOf is rst.SubstitutionUses of file f, read once.
func (c *Checker) substitutionUsesOf(f string) map[string]bool {
	c.substitutionMu.Lock()
	defer c.substitutionMu.Unlock()
	if used, ok := c.substitutionUses[f]; ok {
		return used
	}
	text, _ := c.opts.Repo.ReadFile(f)
	used := rst.SubstitutionUses(text)
	if c.substitutionUses == nil {
		c.substitutionUses = map[string]map[string]bool{}
	}
	c.substitutionUses[f] = used
	return used
}

// quotedIn reports whether src writes name as a string, in double or
// single quotes, as code does.
func quotedIn(src []byte, name string) bool {
	return bytes.Contains(src, []byte(`"`+name+`"`)) || bytes.Contains(src, []byte("'"+name+"'"))
}

// shifted maps n bytes of a written line to the page's columns, by past
// bytes the page has before them.
func shifted(n, by int) []int {
	m := make([]int, n)
	for k := range m {
		m[k] = k + by + 1
	}
	return m
}

// rstProse writes a line of reStructuredText prose as Markdown text, with
// the page's column of each byte it writes: an inline literal (“x“) is
// a code span, as in Markdown, and the other markup that Markdown would
// read otherwise is dropped: other backticks (roles, references),
// brackets (footnote and citation references), "<" (reStructuredText has
// no inline HTML), the ">" that closes a reference's embedded target
// (`text <URL>`_: Markdown would link the URL with its ">") and the
// indentation (which would make an indented code block); a leading "#"
// or "~~~" is escaped.
func rstProse(line string) (string, []int) {
	var b strings.Builder
	var at []int
	write := func(text string, col int) {
		b.WriteString(text)
		for range len(text) {
			at = append(at, col)
		}
	}
	start := len(line) - len(strings.TrimLeft(line, " \t"))
	if strings.HasPrefix(line[start:], "#") || strings.HasPrefix(line[start:], "~~~") {
		// Neither a heading nor a fence in Markdown's reading:
		// reStructuredText has none of that syntax.
		write("\\", start+1)
	}
	for i := start; i < len(line); i++ {
		switch ch := line[i]; {
		case strings.HasPrefix(line[i:], "``"):
			end := strings.Index(line[i+2:], "``")
			if end < 0 {
				i++ // an inline literal that goes on past the line: its text as text
				continue
			}
			inner := line[i+2 : i+2+end]
			delim := "`"
			if strings.Contains(inner, "`") {
				delim = "`` "
			}
			write(delim, i+1)
			for k := range len(inner) {
				write(inner[k:k+1], i+3+k)
			}
			write(strings.TrimLeft(reverse(delim), ""), i+3+end)
			i += end + 3
		case ch == '`' || ch == '[' || ch == ']' || ch == '<', strings.HasPrefix(line[i:], ">`"):
			write(" ", i+1)
		case (ch == 'h' || ch == 'H') && startsBareURI(line, i):
			uri, tail := bareURI(line[i:])
			for k := range len(uri) {
				write(uri[k:k+1], i+1+k)
			}
			for k := range len(tail) {
				write(" ", i+1+len(uri)+k)
			}
			i += len(uri) + len(tail) - 1
		default:
			write(line[i:i+1], i+1)
		}
	}
	return b.String(), at
}

// startsBareURI reports whether a standalone http(s) URI starts at i: at
// the line's start or after a character that is no part of a word.
func startsBareURI(line string, i int) bool {
	lower := strings.ToLower(line[i:])
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return false
	}
	return i == 0 || !isURIWordByte(line[i-1])
}

func isURIWordByte(b byte) bool {
	return b == '-' || b == '/' || isIdentByte(b)
}

// bareURI splits a standalone URI at the start of s where docutils ends
// it: it runs to white space, "<", ">" or a backtick, and its last
// character is a letter, a digit or one of "_~*/=+"; what follows that
// (";", ".", ")", "-", "?") is the sentence's. Markdown's linkify would
// keep some of it (a ";", a closing parenthesis) in the link.
func bareURI(s string) (uri, tail string) {
	end := strings.IndexAny(s, " \t<>`")
	if end < 0 {
		end = len(s)
	}
	uri = s[:end]
	last := len(uri)
	for last > 0 && !strings.ContainsRune("~*/=+", rune(uri[last-1])) && !isIdentByte(uri[last-1]) {
		last--
	}
	return uri[:last], uri[last:]
}

// reverse is a code span's closing delimiter for its opening one.
func reverse(delim string) string {
	if delim == "`` " {
		return " ``"
	}
	return delim
}

// rstReference is the Markdown link or image that stands for a file
// reference ("" when none is judged), and, for a missing file that is
// not judged, the target as the link would name it and the reason.
func (c *Checker) rstReference(p string, ref rst.Ref, s repo.SphinxSource) (md, missing, reason string) {
	link, missing, reason := c.rstTarget(p, ref, s)
	switch {
	case link == "":
		return "", missing, reason
	case strings.ContainsAny(link, " ()"):
		link = "<" + link + ">"
	}
	if ref.Kind == rst.Image {
		return "![](" + link + ")", "", ""
	}
	return "[file](" + link + ")", "", ""
}

// rstTarget is the link target, from the page's folder, that a file
// reference is judged as ("" when none is judged), and, for a missing
// file that is not judged, that target and the reason.
func (c *Checker) rstTarget(p string, ref rst.Ref, s repo.SphinxSource) (link, missing, reason string) {
	t := ref.Target
	if t == "" || strings.ContainsAny(t, ":*|{}$<>`") || ref.Kind == rst.Doc && strings.ContainsAny(t, " \t") {
		// A URL, a wildcard (image.*: Sphinx picks a format), a
		// template, docutils' own include (<isonum.txt>), a reference
		// into another project (:doc:`other:page`).
		return "", "", ""
	}
	resolved := s.Resolve(p, t)
	link = t
	if ref.Kind == rst.Doc {
		resolved = s.ResolveDoc(p, t)
	}
	if strings.HasPrefix(t, "/") || resolved != s.Resolve(p, t) {
		link = relativeTo(path.Dir(p), resolved)
	}
	if ref.Kind == rst.Doc {
		if c.namesDocument(resolved) {
			return "", "", ""
		}
		resolved += ".rst"
		link += ".rst"
		nearDoc := c.missesDocument(resolved)
		if s.Intersphinx && !nearDoc {
			// Intersphinx may resolve a name this project lacks in
			// another project's inventory; a near miss of a document
			// here is still this project's.
			return "", link, reasonSiteRule
		}
		if (s.MayWrite(resolved, c.inTree) || s.MayWritePage(resolved)) && !nearDoc {
			return "", link, reasonOutput
		}
	}
	// A file conf.py's exclude_patterns names is one Sphinx may find in
	// the source folder at build time and must pass over as a document: a
	// build's output (_build/, a folder of generated includes), a
	// virtualenv. (A document there is none: :doc: cannot name it.)
	excluded := ref.Kind != rst.Doc && s.ExcludeKnown && s.Excludes(resolved)
	if ref.Kind != rst.Doc && (s.MayWrite(resolved, c.inTree) || s.MayWritePage(resolved) && writtenAsDocument(ref.Kind, resolved) || excluded) && c.opts.Repo.Stat(resolved) == repo.Missing {
		if hint := c.nearbyName(resolved); hint == "" || !typoOf(resolved, hint) {
			return "", link, reasonOutput
		}
	}
	if ref.Kind != rst.Doc && c.opts.Repo.Stat(resolved) == repo.Missing && c.opts.Repo.WrittenByScript(resolved) {
		// A script of the tree writes it: a build helper (a manual's
		// PDF moved into the source).
		return "", link, reasonOutput
	}
	return link, "", ""
}

// missesDocument reports whether p, a page's path with its suffix, is a
// near miss of a document that is there: by the document's name whatever
// its suffix (nearDocument), or one typo from a file (a folder of the
// name misspelt: /tutorial/ddp/index).
func (c *Checker) missesDocument(p string) bool {
	if c.nearDocument(strings.TrimSuffix(p, path.Ext(p))) {
		return true
	}
	hint := c.nearbyName(p)
	return hint != "" && typoOf(p, hint)
}

// nearDocument reports whether the document name doc (a path without a
// suffix) is one typo away from a document of its folder, by name: its
// suffix (.rst, .md, .ipynb) is not part of the name :doc: gives.
func (c *Checker) nearDocument(doc string) bool {
	dir, base := path.Split(doc)
	for _, n := range c.opts.Repo.Names(path.Clean(dir)) {
		stem := strings.TrimSuffix(n, path.Ext(n))
		if stem != n && stem != base && (strings.EqualFold(stem, base) || oneTypo(base, stem)) {
			return true
		}
	}
	return false
}

// writtenAsDocument reports whether an extension that writes documents
// (repo.SphinxSource.WritesPages) could write the file a reference names:
// a document (:doc:), or a text file a page includes. An image, a script
// shown by literalinclude or a download is not a document.
func writtenAsDocument(kind rst.RefKind, target string) bool {
	switch kind {
	case rst.Doc:
		return true
	case rst.Include:
		switch strings.ToLower(path.Ext(target)) {
		case ".rst", ".md", ".txt", ".inc":
			return true
		}
	}
	return false
}

// rstFenceLanguage is the language a code block is highlighted in, as a
// fence's info string; a block with none (Sphinx's default, Python, or
// "none") is a fence without a language.
func rstFenceLanguage(b rst.Block, s repo.SphinxSource) string {
	lang := cmp.Or(b.Lang, b.Highlight, s.Highlight)
	switch lang {
	case "default", "none":
		// No language docscheck can go by: read as a Markdown fence
		// without one is (a session when it has prompts, else
		// commands only when every line is one).
		return ""
	}
	return lang
}

// longestBacktickRun is the longest run of backticks that starts one of
// the lines (after its indentation): a fence must be longer.
func longestBacktickRun(lines []string) int {
	n := 0
	for _, l := range lines {
		t := strings.TrimLeft(l, " \t")
		k := len(t) - len(strings.TrimLeft(t, "`"))
		n = max(n, k)
	}
	return n
}

// rstLabel judges a :ref: label: one no source file of the project
// defines (repo.SphinxLabels) is reported when it is one typo away from
// one that is defined, in a project whose labels the source files alone
// define (repo.SphinxSource.LabelsKnown); any other is not judged
// (site-rule): an extension, intersphinx or a docstring may define it.
// A label with a colon (another project's, or a document-prefixed
// section) is not judged.
func (c *Checker) rstLabel(p string, ref rst.Ref, s repo.SphinxSource) (finding.Finding, bool) {
	if ref.Target == "" || strings.ContainsAny(ref.Target, ":*|{}$<>`") {
		return finding.Finding{}, false
	}
	label := repo.NormalizeLabel(ref.Target)
	labels := c.opts.Repo.SphinxLabels(s)
	if _, ok := slices.BinarySearch(labels, label); ok {
		return finding.Finding{}, false
	}
	f := finding.Finding{Path: p, Line: ref.Line, Col: ref.Col, Rule: ruleReference,
		Message: "label " + quoteTarget(ref.Target) + " is defined nowhere in the Sphinx project", NotCertain: reasonSiteRule}
	if hint := c.nearest(label, labels); hint != "" && s.LabelsKnown && utf8.RuneCountInString(label) >= 4 && oneTypo(label, hint) {
		f.NotCertain, f.Suggestion = "", hint
	}
	return f, true
}

// placeOnRST moves the findings on a reStructuredText page to the
// page's columns.
func (r *report) placeOnRST() {
	cols := r.page.rstCols
	if cols == nil {
		return
	}
	place := func(fs []finding.Finding) {
		for i, f := range fs {
			if f.Line < 1 || f.Line > len(cols) || cols[f.Line-1] == nil {
				continue
			}
			switch at := cols[f.Line-1]; {
			case f.Col >= 1 && f.Col <= len(at):
				fs[i].Col = at[f.Col-1]
			case len(at) > 0:
				fs[i].Col = at[len(at)-1] + 1
			}
		}
	}
	place(r.findings)
	place(r.doubts)
}
