// Package rst reads the parts of a reStructuredText page that docscheck
// judges: its section titles, its code blocks (a code-block directive's
// body, a literal block after "::"), and the files it names by a
// directive (image, figure, include, literalinclude) or a role (:doc:,
// :download:). It is not a reStructuredText parser: everything else on a
// page (prose, tables, other directives' options) is read as nothing, and
// what sits in a comment, a literal block or a directive whose body is
// not markup (raw, math, a diagram's source) is never read as markup.
package rst

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// RefKind says how a page names a file.
type RefKind int

const (
	// Image is an image or figure directive's argument (or a
	// substitution's image): a path from the page's folder, or from the
	// project's source folder when it starts with "/".
	Image RefKind = iota
	// Include is an include or literalinclude directive's argument, read
	// as Image's is.
	Include
	// Download is a :download: role's target, read as Image's is.
	Download
	// Doc is a :doc: role's target: a document name (a source file
	// without its suffix), from the page's folder or, with a leading
	// "/", from the source folder.
	Doc
	// Label is a :ref: role's target: a label the project defines.
	Label
	// Link is a hyperlink target written as a relative path, embedded
	// ("`the guide <docs/guide.rst>`_") or explicit (".. _guide:
	// docs/guide.rst"): an address from the page's own, as docutils
	// writes it into the page unchanged.
	Link
)

// Ref is a file a page names. Line and Col (both from 1) are where the
// target is written.
type Ref struct {
	Kind      RefKind
	Target    string
	Line, Col int
	// Substitution is the name a substitution definition gives its image
	// (".. |logo| image:: logo.png" names it "logo"); "" for any other
	// reference. The image shows only where a page writes "|logo|".
	Substitution string
}

// Block is a code block: the body of a code-block (code, sourcecode,
// code-tab, prompt) directive, or a literal block after a paragraph
// ending in "::". Lines are the body's lines without the body's
// indentation, from line First to Last (from 1, Last the last non-blank
// line). Lang is the directive's language, "" when it names none or for a
// literal block; Highlight is the language of the page's last highlight
// directive before the block ("" when there is none).
type Block struct {
	Lang, Highlight string
	Literal         bool
	First, Last     int
	Lines           []string
}

// Title is a section title: its line (from 1), its text and its level (1
// for the first adornment style the page uses, 2 for the second, ...).
type Title struct {
	Line, Level int
	Text        string
}

// Page is what Read finds on a page. Labels are the labels it defines
// for :ref: (explicit targets, ".. _name:", and directives' ":name:"
// options), as written. Prose[i] is set when line i+1 is
// text the page shows as prose (a paragraph, a list item, a table row,
// a directive's body that is markup), not a title, an adornment, a
// directive or option line, a comment or target, a code block, or the
// body of a directive that is not markup.
type Page struct {
	Titles []Title
	Blocks []Block
	Refs   []Ref
	Labels []string
	Prose  []bool
}

var (
	// directiveLine is ".. name:: argument" (the name may hold a domain,
	// "py:function"; docutils allows one space before "::", ".. image ::
	// x.png"); substitutionLine is ".. |name| image:: argument".
	directiveLine    = regexp.MustCompile(`^\.\.[ \t]+([A-Za-z0-9][-A-Za-z0-9_:.+]*) ?::(?:[ \t]+(.*))?$`)
	substitutionLine = regexp.MustCompile(`^\.\.[ \t]+\|([^|]+)\|[ \t]+([A-Za-z0-9][-A-Za-z0-9_:.+]*) ?::(?:[ \t]+(.*))?$`)
	// fileRole is :doc:`target`, :download:`target` or :ref:`label`
	// (each may be "title <target>").
	fileRole = regexp.MustCompile("(?:^|[^A-Za-z0-9_`:])(:(doc|download|ref):`)([^`]+)`")
	// hyperlinkEmbedded is a hyperlink reference on one line with an
	// embedded target, "`text <target>`_" or anonymous "__"; a role's
	// backticks (":doc:`x <y>`") are not one.
	hyperlinkEmbedded = regexp.MustCompile("(?:^|[^A-Za-z0-9_`:])`[^`<>]*?<([^<>`\\s]+)>`__?(?:[^A-Za-z0-9_]|$)")
	// targetLine is an explicit target, ".. _name:" (maybe quoted in
	// backticks); nameOption a directive's ":name: label" option.
	targetLine = regexp.MustCompile("^\\.\\.[ \t]+_(`[^`]+`|[^:`][^:]*):(?:[ \t]|$)")
	nameOption = regexp.MustCompile(`^[ \t]*:name:[ \t]+(\S.*?)[ \t]*$`)
	// embedded is a role's "title <target>".
	embedded = regexp.MustCompile(`^(?s:.*?)<([^<>]+)>\s*$`)
)

// codeDirectives hold a code block whose language is their argument's
// first word.
var codeDirectives = map[string]bool{"code-block": true, "code": true, "sourcecode": true, "code-tab": true, "prompt": true}

// opaqueDirectives have a body that is not markup: program text, data, a
// diagram's source, a template, or output the build makes by running
// their argument. Nothing in it is read.
var opaqueDirectives = map[string]bool{
	"raw": true, "math": true, "parsed-literal": true, "csv-table": true, "graphviz": true, "graph": true,
	"digraph": true, "mermaid": true, "plantuml": true, "uml": true, "jinja": true, "testcode": true,
	"testoutput": true, "testsetup": true, "testcleanup": true, "doctest": true, "ipython": true,
	"jupyter-execute": true, "program-output": true, "command-output": true, "runblock": true,
	"productionlist": true, "toctree": true, "autosummary": true, "literalinclude": true, "include": true,
	"image": true, "highlight": true, "plot": true, "asciinema": true, "tikz": true, "bibliography": true,
	"exec": true, "code-cell": true, "tabularcolumns": true,
}

// adornment characters of section titles.
const adornments = "=-`:'\"~^_*+#<>.!$%&(),/;?@[\\]{|}"

// Read finds a page's titles, code blocks and file references.
func Read(src []byte) Page {
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	pg := Page{Prose: make([]bool, len(lines))}
	styles := map[string]int{}
	highlight := ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		ind := indentOf(line)
		text := strings.TrimSpace(line)
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "..") && (len(text) == 2 || text[2] == ' ' || text[2] == '\t') {
			i = readExplicit(&pg, lines, i, ind, text, &highlight)
			continue
		}
		if isAdornment(line) {
			continue // an overline, or a transition
		}
		if strings.HasPrefix(text, ">>>") {
			// A doctest block: Python and its output, to the blank line.
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				i++
			}
			continue
		}
		if level, next, ok := readTitle(lines, i, styles); ok {
			pg.Titles = append(pg.Titles, Title{Line: i + 1, Level: level, Text: text})
			i = next
			continue
		}
		pg.Prose[i] = true
		readRoles(&pg, line, i)
		// "text::" ends a paragraph that introduces a literal block, and so
		// does a paragraph of "::" alone (docutils' expanded form); a line
		// that starts with ":" and ends in "::" otherwise is a field's.
		if text == "::" || strings.HasSuffix(text, "::") && !strings.HasPrefix(text, ":") {
			b, end, ok := readBody(lines, i, textIndent(line), i+1)
			if !ok {
				b, end, ok = readQuoted(lines, i, textIndent(line))
			}
			if ok {
				b.Literal, b.Highlight = true, highlight
				pg.Blocks = append(pg.Blocks, b)
				i = end
			}
		}
	}
	return pg
}

// readExplicit reads an explicit markup line (".. "): a directive, a
// substitution definition, a target, a footnote or a comment. It returns
// the last line it consumed.
func readExplicit(pg *Page, lines []string, i, ind int, text string, highlight *string) int {
	m := directiveLine.FindStringSubmatch(text)
	substitution := ""
	if m == nil {
		if sm := substitutionLine.FindStringSubmatch(text); sm != nil {
			substitution, m = sm[1], []string{sm[0], sm[2], sm[3]}
		}
	}
	if m == nil {
		if strings.HasPrefix(text, ".. [") {
			return i // a footnote or citation: its body is prose
		}
		if t := targetLine.FindStringSubmatchIndex(text); t != nil {
			pg.Labels = append(pg.Labels, strings.Trim(text[t[2]:t[3]], "`"))
			// ".. _guide: docs/guide.rst": the target's address.
			if rest := strings.TrimSpace(text[t[1]:]); rest != "" && !strings.ContainsAny(rest, " \t") && relativeLink(rest) {
				pg.Refs = append(pg.Refs, Ref{Kind: Link, Target: rest, Line: i + 1, Col: ind + strings.Index(text[t[1]:], rest) + t[1] + 1})
			}
		}
		// A comment or a target: its indented body is not read.
		return skipBody(lines, i, ind)
	}
	name, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	for j, opt := range lines[i+1 : optionsEnd(lines, i, ind)] {
		if n := nameOption.FindStringSubmatch(opt); n != nil {
			pg.Labels = append(pg.Labels, n[1])
		}
		if n := fileOption.FindStringSubmatchIndex(opt); n != nil && fileOptionDirectives[name] {
			// ".. csv-table::" with ":file: ../data.csv": docutils reads
			// the table from that file, from the page's folder, as it
			// reads an include.
			pg.Refs = append(pg.Refs, Ref{Kind: Include, Target: opt[n[2]:n[3]], Line: i + j + 2, Col: n[2] + 1})
		}
	}
	argCol := strings.LastIndex(lines[i], arg) + 1
	switch {
	case name == "image" || name == "figure":
		if arg != "" {
			pg.Refs = append(pg.Refs, Ref{Kind: Image, Target: arg, Line: i + 1, Col: argCol, Substitution: substitution})
		}
		if name == "figure" {
			return i // its caption and legend are prose
		}
	case name == "include" || name == "literalinclude":
		if arg != "" {
			pg.Refs = append(pg.Refs, Ref{Kind: Include, Target: arg, Line: i + 1, Col: argCol})
		}
	case name == "highlight":
		*highlight = strings.ToLower(firstWord(arg))
	case codeDirectives[name]:
		start := optionsEnd(lines, i, ind)
		if b, end, ok := readBody(lines, i, ind, start); ok {
			b.Lang, b.Highlight = strings.ToLower(firstWord(arg)), *highlight
			pg.Blocks = append(pg.Blocks, b)
			return end
		}
		return skipBody(lines, i, ind)
	}
	if opaqueDirectives[name] {
		return skipBody(lines, i, ind)
	}
	return i // any other directive: its body is markup, read on
}

// fileOption is a directive's ":file:" option line, with its path.
var fileOption = regexp.MustCompile(`^\s*:file:\s+(\S+)\s*$`)

// fileOptionDirectives are the directives whose ":file:" option names a
// file docutils reads into the page: a table's data, raw output.
var fileOptionDirectives = map[string]bool{"csv-table": true, "raw": true}

// optionsEnd is the first line after a directive's option lines
// (":name: value" lines right below it, indented).
func optionsEnd(lines []string, i, ind int) int {
	j := i + 1
	for j < len(lines) {
		t := strings.TrimSpace(lines[j])
		if t == "" || indentOf(lines[j]) <= ind || !strings.HasPrefix(t, ":") {
			break
		}
		j++
	}
	return j
}

// readBody reads the indented body that starts at or after line from,
// below line i indented by ind: the lines more indented than ind, blank
// lines among them, up to the first line indented by ind or less. It
// returns the block and its last non-blank line.
func readBody(lines []string, i, ind, from int) (Block, int, bool) {
	first, last := -1, -1
	for j := from; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		if indentOf(lines[j]) <= ind {
			break
		}
		if first < 0 {
			first = j
		}
		last = j
	}
	if first < 0 {
		return Block{}, i, false
	}
	cut := -1
	for _, l := range lines[first : last+1] {
		if strings.TrimSpace(l) != "" && (cut < 0 || indentOf(l) < cut) {
			cut = indentOf(l)
		}
	}
	b := Block{First: first + 1, Last: last + 1}
	for _, l := range lines[first : last+1] {
		b.Lines = append(b.Lines, dedent(l, cut))
	}
	return b, last, true
}

// readQuoted reads a quoted literal block: after the blank line that
// ends a paragraph in "::", lines at the paragraph's own indentation that
// all start with the same punctuation character ("$ make docs", "> x"),
// to the next blank line. docutils shows them as a literal block, quote
// characters kept. A run followed by a line without the character is a
// quoting docutils reports as inconsistent: not read, as docscheck cannot
// tell what the reader sees.
func readQuoted(lines []string, i, ind int) (Block, int, bool) {
	j := i + 1
	if j >= len(lines) || strings.TrimSpace(lines[j]) != "" {
		return Block{}, i, false
	}
	for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
		j++
	}
	if j >= len(lines) || indentOf(lines[j]) != ind {
		return Block{}, i, false
	}
	text := strings.TrimLeft(lines[j], " \t")
	quote := text[0]
	if !isQuoteChar(quote) {
		return Block{}, i, false
	}
	b := Block{First: j + 1}
	last := j
	for ; last < len(lines); last++ {
		l := lines[last]
		if strings.TrimSpace(l) == "" {
			break
		}
		t := strings.TrimLeft(l, " \t")
		if indentOf(l) != ind || t[0] != quote {
			return Block{}, i, false
		}
		b.Lines = append(b.Lines, dedent(l, ind))
	}
	b.Last = last
	return b, last - 1, true
}

// isQuoteChar reports whether c may quote a literal block: a printable
// 7-bit ASCII character that is neither a letter nor a digit.
func isQuoteChar(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
}

// skipBody returns the last line of the indented body below line i.
func skipBody(lines []string, i, ind int) int {
	end := i
	for j := i + 1; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		if indentOf(lines[j]) <= ind {
			break
		}
		end = j
	}
	return end
}

// readTitle reports whether line i is a section title (text over an
// adornment line at least as long, maybe under an overline of the same
// character), its level by adornment style, and the title's last line.
func readTitle(lines []string, i int, styles map[string]int) (int, int, bool) {
	if i+1 >= len(lines) || indentOf(lines[i]) > 0 || isAdornment(lines[i]) {
		return 0, 0, false
	}
	under := strings.TrimRight(lines[i+1], " \t")
	if strings.TrimSpace(lines[i]) == "" || !isAdornmentRun(under) || utf8.RuneCountInString(under) < utf8.RuneCountInString(strings.TrimSpace(lines[i])) {
		return 0, 0, false
	}
	if i > 0 && strings.TrimSpace(lines[i-1]) != "" && !isAdornment(lines[i-1]) {
		return 0, 0, false // the last line of a paragraph
	}
	style := under[:1]
	if i > 0 && strings.TrimRight(lines[i-1], " \t") == under {
		style = "over" + style
	}
	level, ok := styles[style]
	if !ok {
		level = len(styles) + 1
		styles[style] = level
	}
	return level, i + 1, true
}

// isAdornment: a line of four or more of one adornment character (a
// title's underline or overline, or a transition).
func isAdornment(line string) bool {
	return len(strings.TrimRight(line, " \t")) >= 4 && isAdornmentRun(line)
}

// isAdornmentRun: a line of one adornment character, of any length. As
// docutils reads it, an underline as long as its title is one however
// short ("all" over "~~~"); only a transition needs four.
func isAdornmentRun(line string) bool {
	t := strings.TrimRight(line, " \t")
	if t == "" || !strings.ContainsRune(adornments, rune(t[0])) {
		return false
	}
	return strings.Count(t, t[:1]) == len(t)
}

// readRoles records the :doc:, :download: and :ref: roles of a prose line,
// outside its inline literals.
func readRoles(pg *Page, line string, i int) {
	if strings.Contains(line, ">`_") {
		readEmbeddedLinks(pg, line, i)
	}
	if !strings.Contains(line, ":doc:`") && !strings.Contains(line, ":download:`") && !strings.Contains(line, ":ref:`") {
		return
	}
	masked := maskLiterals(line)
	for _, m := range fileRole.FindAllStringSubmatchIndex(masked, -1) {
		target := line[m[6]:m[7]]
		col := m[6]
		if e := embedded.FindStringSubmatchIndex(target); e != nil {
			col += e[2]
			target = target[e[2]:e[3]]
		}
		kind := Doc
		switch line[m[4]:m[5]] {
		case "download":
			kind = Download
		case "ref":
			kind = Label
		}
		if t := strings.TrimSpace(target); t != "" {
			pg.Refs = append(pg.Refs, Ref{Kind: kind, Target: t, Line: i + 1, Col: col + 1})
		}
	}
}

// readEmbeddedLinks records the relative embedded targets
// (relativeLink) of a prose line's hyperlink references (Link), outside
// its inline literals.
func readEmbeddedLinks(pg *Page, line string, i int) {
	masked := maskLiterals(line)
	for _, m := range hyperlinkEmbedded.FindAllStringSubmatchIndex(masked, -1) {
		if target := line[m[2]:m[3]]; relativeLink(target) {
			pg.Refs = append(pg.Refs, Ref{Kind: Link, Target: target, Line: i + 1, Col: m[2] + 1})
		}
	}
}

// relativeLink reports whether a hyperlink target is a relative path: not
// a URL (a scheme), a fragment alone, an absolute path, a reference to
// another target ("name_") or an email address (emailAddress).
func relativeLink(target string) bool {
	return !strings.Contains(target, ":") && !strings.HasPrefix(target, "#") && !strings.HasPrefix(target, "/") && !strings.HasSuffix(target, "_") &&
		!emailAddress.MatchString(target)
}

// emailAddress is a target docutils writes as a mailto: link
// (".. _Robert: robert@example.com"), not a file.
var emailAddress = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$`)

// maskLiterals blanks the inline literals (“text“) of a line, keeping
// its length, so that a role quoted in one is not read as a role.
func maskLiterals(line string) string {
	b := []byte(line)
	for from := 0; ; {
		open := bytes.Index(b[from:], []byte("``"))
		if open < 0 {
			return string(b)
		}
		open += from
		end := bytes.Index(b[open+2:], []byte("``"))
		if end < 0 {
			end = len(b)
		} else {
			end += open + 4
		}
		for k := open; k < end && k < len(b); k++ {
			b[k] = ' '
		}
		from = min(end, len(b))
	}
}

// listMarker is a bullet or an enumerator that starts a list item.
var listMarker = regexp.MustCompile(`^[ \t]*(?:[-*+•]|\(?(?:[0-9]+|[A-Za-z#])[.)])[ \t]+`)

// textIndent is the column where a line's text starts, past a list
// item's marker: a literal block in a list item is indented more than
// the item's text, and the item's next paragraph as much.
func textIndent(line string) int {
	if m := listMarker.FindString(line); m != "" {
		col := 0
		for _, r := range m {
			if r == '\t' {
				col += 8 - col%8
			} else {
				col++
			}
		}
		return col
	}
	return indentOf(line)
}

// indentOf is a line's indentation in columns, a tab moving to the next
// multiple of 8 as reStructuredText reads it.
func indentOf(line string) int {
	col := 0
	for _, r := range line {
		switch r {
		case ' ':
			col++
		case '\t':
			col += 8 - col%8
		default:
			return col
		}
	}
	return col
}

// dedent removes cut columns of indentation from a line.
func dedent(line string, cut int) string {
	col := 0
	for i, r := range line {
		if col >= cut || (r != ' ' && r != '\t') {
			return strings.Repeat(" ", max(col-cut, 0)) + line[i:]
		}
		if r == '\t' {
			col += 8 - col%8
		} else {
			col++
		}
	}
	return ""
}

// firstWord is the first whitespace-separated word of s.
func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// substitutionReference is "|name|" in running text (followed by "_" or
// "__" when it is a link too); a name does not start or end with a space.
var substitutionReference = regexp.MustCompile(`\|([^|\s](?:[^|]*[^|\s])?)\|`)

// SubstitutionUses are the substitution names that text writes as
// references, in lower case with its spaces normalized, as docutils
// compares them when no name matches exactly. A definition's own name is
// no use (".. |x| image:: x.png" defines x), but its body may use
// others (".. |y| replace:: see |x|"). A table's cells between bars may
// read as names too: those only keep a definition judged.
func SubstitutionUses(text []byte) map[string]bool {
	used := map[string]bool{}
	for _, line := range strings.Split(strings.ToLower(string(text)), "\n") {
		if substitutionLine.MatchString(strings.TrimSpace(line)) {
			_, line, _ = strings.Cut(line, "|")
			_, line, _ = strings.Cut(line, "|")
		}
		for _, m := range substitutionReference.FindAllStringSubmatch(line, -1) {
			used[strings.Join(strings.Fields(m[1]), " ")] = true
		}
	}
	return used
}
