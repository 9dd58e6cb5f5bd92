package check

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

// reasonMarkupText: the fragment is the text of a line of the target
// page's markup that docscheck reads as no heading (an HTML element, a
// front-matter entry, a label line such as "(name)="), so a renderer
// feature it does not model may make an id of that line.
//
// Round after round, the largest family of false alarms on docs nobody
// had looked at was an id some renderer made from a line docscheck did
// not read as a heading: MyST's "(label)=", raw HTML headings on
// github.com, a site layout writing a heading from front matter. Each
// was modelled once seen; the next round brought another. What they
// share is evidence in the page itself: a whole markup line whose
// letters and digits are the fragment's. A stale anchor (a heading
// renamed or removed) leaves no such line, so it stays certain; and a
// fragment that only differs from a heading docscheck parsed (its slug
// rule is modelled) is not helped by this, since headings are not
// markup lines here.
const reasonMarkupText = "markup-text"

// markupTextGives reports whether one markup line of pg, read as text,
// has exactly the fragment's letters and digits (letterDigits): a line
// with an HTML element (its tags, entities and links taken out: a link's
// text names where it goes, it is no heading), a front-matter key or
// value, or a line that is a bracketed label ("(name)=", ".. _name:").
// Lines inside fenced code are not markup.
func (pg *page) markupTextGives(frag string) bool {
	want := letterDigits(frag)
	if want == "" {
		return false
	}
	pg.markupTextsOnce.Do(func() { pg.markupTexts = markupLineTexts(pg.frontMatter, pg.source) })
	return pg.markupTexts[want]
}

var (
	htmlLinkElement = regexp.MustCompile(`(?is)<a\b[^>]*\bhref\b[^>]*>.*?</a\s*>`)
	markdownLink    = regexp.MustCompile(`!?\[[^\]]*\]\([^)]*\)`)
	htmlElementOpen = regexp.MustCompile(`<[a-zA-Z]`)
	labelLine       = regexp.MustCompile(`^(?:\(([^()\s]+)\)=|\.\. _([^:]+):)\s*$`)
)

// markupLineTexts lists the letterDigits of each markup line of a page
// (see markupTextGives): frontMatter is the page's front matter as
// written, source the page with it blanked.
func markupLineTexts(frontMatter, source []byte) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		if ld := letterDigits(s); ld != "" {
			out[ld] = true
		}
	}
	for line := range bytes.Lines(frontMatter) {
		t := strings.TrimSpace(string(line))
		if t == "---" || t == "+++" || strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimLeft(t, "- ")
		key, value, ok := strings.Cut(t, ":")
		if !ok {
			key, value, ok = strings.Cut(t, "=")
		}
		add(key)
		if ok {
			add(strings.Trim(strings.TrimSpace(value), `"'`))
		}
	}
	fence := ""
	for line := range bytes.Lines(source) {
		if f := fenceMarker(line); f != "" && (fence == "" || f[0] == fence[0] && len(f) >= len(fence)) {
			if fence == "" {
				fence = f
			} else {
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		t := strings.TrimSpace(string(line))
		if strings.HasPrefix(t, "#") {
			continue // an ATX heading: its id is modelled
		}
		if m := labelLine.FindStringSubmatch(t); m != nil {
			add(m[1] + m[2])
			continue
		}
		if !htmlElementOpen.MatchString(t) {
			continue
		}
		t = htmlLinkElement.ReplaceAllString(t, " ")
		t = markdownLink.ReplaceAllString(t, " ")
		add(html.UnescapeString(htmlTag.ReplaceAllString(t, " ")))
	}
	return out
}
