package check

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
)

// reasonNegated: inline code the text names as what not to do ("don't
// run `x`", "use `y`, NOT `x`", "❌ `x`", an item of a list led in by
// "Don't:"). The reader is told not to run it, so a path in it that is
// missing breaks nothing a reader follows; it may well be missing on
// purpose (the old script the sentence warns against).
const reasonNegated = "negated"

// outputBefore is the end of a clause that names where something is
// written: a word of making ("generates", "generated ... will be placed",
// "written", "output") and then, closing the clause right before the
// code, the preposition of a destination.
var outputBefore = regexp.MustCompile(`(?i)\b(generat\w*|writes|written|placed|outputs?|emit\w*|created)\b[^.;:!?]{0,60}\b(into|in|to|under)\s*$`)

// namedAsOutput reports whether the inline code n is named, on its line,
// as where something is generated ("which pydoc generates into
// `./docs/api_reference`", "the generated pages will be placed in
// `docs/gen/`"): a build's output, which the tree need not hold.
func namedAsOutput(src []byte, n *ast.CodeSpan) bool {
	start := nodeOffset(n, src)
	if start < 0 || start > len(src) {
		return false
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	return outputBefore.Match(bytes.TrimRight(src[lineStart:start], "`"))
}

// datedItem is a list item's text that starts with a date, as a log's
// entries do ("2026-05-12: Implemented ...", "**2024/01/31** —").
var datedItem = regexp.MustCompile(`^[*_]*\d{4}[-/.]\d{2}[-/.]\d{2}\b`)

// inDatedList reports whether the inline code n is in an item of a list
// some item of which starts with a date: a log, whose entries record what
// was done then (a script written and deleted, a file since moved), not
// what a reader is to run now.
func inDatedList(src []byte, n *ast.CodeSpan) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.ListItem); !ok {
			continue
		}
		for item := p.Parent().FirstChild(); item != nil; item = item.NextSibling() {
			if first := item.FirstChild(); first != nil && first.Lines().Len() > 0 &&
				datedItem.Match(bytes.TrimSpace([]byte(blockText(first, src)))) {
				return true
			}
		}
		return false
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

// namedAsNotToDo reports whether the inline code n is named as what not
// to do: on its line before it, a negation mark, or a negation word with
// at most two words and no punctuation between it and the code; or n is in
// an item of a list whose lead-in (the short paragraph or heading just
// before the list) forbids.
func namedAsNotToDo(src []byte, n *ast.CodeSpan) bool {
	start := nodeOffset(n, src)
	if start < 0 || start > len(src) {
		return false
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	if negatedBefore(strings.TrimRight(string(src[lineStart:start]), "`")) {
		return true
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if _, ok := p.(*ast.ListItem); !ok {
			continue
		}
		if lead := p.Parent().PreviousSibling(); lead != nil {
			switch lead.(type) {
			case *ast.Paragraph, *ast.Heading:
				return forbiddingLeadIn(blockText(lead, src))
			}
		}
		return false
	}
	return false
}

// negatedBefore reports whether the text before a code span ends a
// clause that forbids it.
func negatedBefore(before string) bool {
	if strings.ContainsAny(before, negationMarks) {
		return true
	}
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(before, "’", "'")))
	for i := len(words) - 1; i >= 0 && i >= len(words)-3; i-- {
		w := strings.TrimFunc(words[i], func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
		if i < len(words)-1 && strings.ContainsAny(words[i], ".,;:!?") {
			return false // a clause ends between the word and the code
		}
		if negationWords[w] || i > 0 && negationWords[strings.Trim(words[i-1], "*_")+" "+w] {
			return true
		}
	}
	return false
}

// forbiddingLeadIn reports whether a list's lead-in forbids its items:
// short (six words at most) and holding a negation word or mark
// ("**DON'T ❌**:", "Never:", "### Avoid").
func forbiddingLeadIn(text string) bool {
	if strings.ContainsAny(text, negationMarks) {
		return true
	}
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(text, "’", "'")))
	if len(words) == 0 || len(words) > 6 {
		return false
	}
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
		if negationWords[w] || w == "don'ts" {
			return true
		}
	}
	return false
}
