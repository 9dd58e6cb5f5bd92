package check

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
)

// The text around inline code can say that the code is no instruction:
// what not to do, an entry of a log, where a build writes. A missing path
// there breaks nothing a reader follows, so these are not judged.

// reasonNegated: inline code the text names as what not to do ("don't
// run `x`", "use `y`, NOT `x`", "❌ `x`", an item of a list led in by
// "Don't:"), or as what something replaced ("`x`: replaced by `y`"). The
// reader is told not to run it, so a path in it that is missing breaks
// nothing a reader follows; it may well be missing on
// purpose (the old script the sentence warns against).
const reasonNegated = "negated"

// proseReason is why the text around the inline code n makes its
// findings not judged, or "".
func proseReason(src []byte, n *ast.CodeSpan) string {
	before := lineBefore(src, n)
	list := enclosingList(n)
	switch {
	case negatedBefore(withoutCodeList(string(before))) || list != nil && forbiddingLeadIn(list, src) || supersededAfter(lineAfter(src, n)):
		return reasonNegated
	case list != nil && datedList(list, src):
		return reasonHistory
	case outputBefore.Match(before):
		return reasonOutput
	}
	return ""
}

// supersededLeads open the text right after inline code that names what
// replaced it: "`bin/install`: replaced by `vendor/bin/x install`", "`old`
// → `new`". The code is the old name, gone on purpose.
var supersededLeads = []string{"replaced by", "renamed to", "superseded by", "moved to", "→", "->", "=>"}

// supersededAfter reports whether after, the text following inline code
// on its line, starts (past punctuation) with a superseded lead.
func supersededAfter(after []byte) bool {
	t := strings.ToLower(strings.TrimLeft(string(after), " \t:,*_)"))
	for _, lead := range supersededLeads {
		if strings.HasPrefix(t, lead) {
			return true
		}
	}
	return false
}

// lineAfter is the text of n's line after it, its closing backticks left
// out.
func lineAfter(src []byte, n *ast.CodeSpan) []byte {
	end := -1
	for t := n.FirstChild(); t != nil; t = t.NextSibling() {
		if tx, ok := t.(*ast.Text); ok {
			end = tx.Segment.Stop
		}
	}
	if end < 0 || end > len(src) {
		return nil
	}
	rest := bytes.TrimLeft(src[end:], "`")
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// lineBefore is the text of n's line before it, its opening backticks
// left out.
func lineBefore(src []byte, n *ast.CodeSpan) []byte {
	start := nodeOffset(n, src)
	if start < 0 || start > len(src) {
		return nil
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	return bytes.TrimRight(src[lineStart:start], "`")
}

// enclosingList is the list whose item holds n (the nearest), or nil.
func enclosingList(n ast.Node) ast.Node {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.ListItem); ok {
			return p.Parent()
		}
	}
	return nil
}

// outputBefore is the end of a clause that names where something is
// written or put: a word of making, saving or moving ("generates",
// "generated ... will be placed", "written", "saved", "move ... back",
// "copy") and then, closing the clause right before the code, the
// preposition of a destination ("which pydoc generates into
// `./docs/api_reference`", "results will be saved in `./public`", "move
// `x.sh` back to `scripts/x.sh`"): a build's output or a file the reader
// puts there, which the tree need not hold. A dot inside a word (a file
// name in the clause) does not end it.
var outputBefore = regexp.MustCompile(`(?i)\b(generat\w*|writes|written|placed|outputs?|emit\w*|created|sav(?:e|es|ed)|stored|dumped|mov(?:e|es|ed)|cop(?:y|ies|ied)|renam(?:e|es|ed)|installed|extracted|downloaded)\b(?:[^.;:!?]|\.\S){0,60}\b(into|in|to|under|as)\s*$`)

// datedItem is a list item's text that starts with a date, as a log's
// entries do ("2026-05-12: Implemented ...", "**2024/01/31** —").
var datedItem = regexp.MustCompile(`^[*_]*\d{4}[-/.]\d{2}[-/.]\d{2}\b`)

// datedList reports whether some item of list starts with a date: a log,
// whose entries record what was done then (a script written and deleted,
// a file since moved), not what a reader is to run now.
func datedList(list ast.Node, src []byte) bool {
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		if first := item.FirstChild(); first != nil && first.Lines().Len() > 0 &&
			datedItem.MatchString(strings.TrimSpace(blockText(first, src))) {
			return true
		}
	}
	return false
}

// negationWords end a clause that forbids what follows; a word list,
// since no structure of Markdown marks a prohibition.
var negationWords = map[string]bool{
	"not": true, "don't": true, "dont": true, "never": true, "avoid": true,
	"shouldn't": true, "mustn't": true, "instead of": true, "rather than": true,
}

// negationMarks are symbols docs put before what not to do.
const negationMarks = "❌🚫⛔✗✘"

// usingWords may stand between a negation and the code it forbids ("don't
// suggest `x`", "never run the `x`"); any other word there makes the
// negation about something else ("specs not run by `x`").
var usingWords = map[string]bool{
	"run": true, "use": true, "call": true, "execute": true, "invoke": true, "suggest": true,
	"recommend": true, "type": true, "edit": true, "modify": true, "commit": true, "try": true,
	"add": true, "the": true, "a": true, "an": true,
}

// negatedBefore reports whether the text before a code span on its line
// forbids it: a negation mark, or a negation word followed by at most two
// words of using (usingWords) and no punctuation before the code.
// codeListItem is an inline code item of a list in a sentence, with what
// joins it to the next one: "`make test`, " or "`a` or ".
var codeListItem = regexp.MustCompile("`[^`\n]*`[ \t]*(?:,[ \t]*)?(?:(?:or|and|nor)[ \t]+)?$")

// withoutCodeList is the text before inline code with the inline code
// items of a list it continues taken off: "Do NOT run `make test`, " is
// "Do NOT run ", so that a negation governs every item of the list
// ("Do NOT run `make test`, `make lint` or `make py-lint`").
func withoutCodeList(before string) string {
	for {
		loc := codeListItem.FindStringIndex(before)
		if loc == nil || loc[0] == loc[1] {
			return before
		}
		before = before[:loc[0]]
	}
}

func negatedBefore(before string) bool {
	if strings.ContainsAny(before, negationMarks) {
		return true
	}
	words := proseWords(before)
	for i := len(words) - 1; i >= 0 && i >= len(words)-3; i-- {
		w := bareWord(words[i])
		if negationWords[w] || i > 0 && negationWords[bareWord(words[i-1])+" "+w] {
			return true
		}
		if strings.ContainsAny(words[i], ".,;:!?") || !usingWords[w] {
			return false // a clause ends, or a word the negation is about, between it and the code
		}
	}
	return false
}

// forbiddingLeadIn reports whether the lead-in of list (the paragraph or
// heading just before it) forbids its items: short (six words at most)
// and holding a negation word or mark ("**DON'T ❌**:", "Never:",
// "### Avoid").
func forbiddingLeadIn(list ast.Node, src []byte) bool {
	lead := list.PreviousSibling()
	switch lead.(type) {
	case *ast.Paragraph, *ast.Heading:
	default:
		return false
	}
	text := blockText(lead, src)
	if strings.ContainsAny(text, negationMarks) {
		return true
	}
	words := proseWords(text)
	if len(words) == 0 || len(words) > 6 {
		return false
	}
	for _, w := range words {
		if w = bareWord(w); negationWords[w] || w == "don'ts" {
			return true
		}
	}
	return false
}

// proseWords splits text into lower-case words, a curly apostrophe read
// as a straight one.
func proseWords(s string) []string {
	return strings.Fields(strings.ToLower(strings.ReplaceAll(s, "’", "'")))
}

// bareWord is a word without the punctuation and markup around it
// ("**don't**:" is don't).
func bareWord(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
}
