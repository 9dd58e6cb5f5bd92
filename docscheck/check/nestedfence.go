package check

import (
	"bytes"
	"strings"
)

// reasonNestedSample: the finding lies in a Markdown sample whose author
// nested a fenced block inside it with a fence as long as the sample's
// own, so that CommonMark closes the sample early and renders the rest of
// it as the page's text (nestedSamples): the author means it as a sample,
// not as a reference.
const reasonNestedSample = "nested-sample"

// markdownInfo are the info strings that tag a fenced block as a sample
// of Markdown source.
var markdownInfo = map[string]bool{"markdown": true, "md": true, "mdx": true, "gfm": true}

// nestedSamples returns the lines (1-based, first and last included) of
// each fenced block tagged as Markdown that the author nested fences in
// and that CommonMark therefore closes early. A page showing how to write
// a page often nests a ```bash block in a ```markdown sample: a closing
// fence may not carry an info string, so the inner opener is the sample's
// text, and the inner closer, as long as the outer opener, closes the
// sample. The rest of the sample then renders as the page's own text,
// placeholder links and all, and every fence after it is out of step.
// Read as the author wrote it, a fence with an info string inside the
// sample opens a nested block and a bare fence closes the innermost one;
// the sample ends when the outermost closes. Samples that nest nothing
// that clashes read the same either way and are not returned.
func nestedSamples(source []byte) [][2]int {
	var spans [][2]int
	var (
		outside string   // the marker of an ordinary fenced block open, or ""
		nested  []string // the markers open inside a Markdown sample, outermost first
		first   int      // the line the sample opened on
		clashed bool     // an inner fence would close the sample in CommonMark
	)
	line := 0
	for len(source) > 0 {
		line++
		end := bytes.IndexByte(source, '\n')
		if end < 0 {
			end = len(source)
		}
		text := source[:end]
		source = source[min(end+1, len(source)):]
		marker := fenceMarker(text)
		if marker == "" {
			continue
		}
		info, ok := fenceInfo(text, marker)
		if !ok {
			continue
		}
		switch {
		case outside != "":
			if info == "" && marker[0] == outside[0] && len(marker) >= len(outside) {
				outside = ""
			}
		case len(nested) == 0:
			if !markdownInfo[strings.ToLower(info)] {
				outside = marker
				continue
			}
			nested, first, clashed = []string{marker}, line, false
		case info != "":
			if marker[0] == nested[0][0] && len(marker) >= len(nested[0]) {
				clashed = true
			}
			nested = append(nested, marker)
		default:
			nested = nested[:len(nested)-1]
			if len(nested) == 0 && clashed {
				spans = append(spans, [2]int{first, line})
			}
		}
	}
	if len(nested) > 0 && clashed {
		spans = append(spans, [2]int{first, line})
	}
	return spans
}

// fenceInfo is the first word of a fence line's info string, after its
// marker ("bash" for "```bash title=x"), and false when the line is no
// fence: a backtick fence's info string holds no backtick.
func fenceInfo(line []byte, marker string) (string, bool) {
	t := bytes.TrimLeft(line, " ")[len(marker):]
	if marker[0] == '`' && bytes.IndexByte(t, '`') >= 0 {
		return "", false
	}
	t = bytes.TrimLeft(t, " \t{.")
	if i := bytes.IndexAny(t, " \t}\r,"); i >= 0 {
		t = t[:i]
	}
	return string(t), true
}

// demoteNestedSamples turns the page's findings that lie in a nested
// Markdown sample (nestedSamples) into cases not judged.
func (r *report) demoteNestedSamples() {
	if len(r.findings) == 0 {
		return // most pages: no need to read the page's fences
	}
	spans := nestedSamples(r.page.source)
	if len(spans) == 0 {
		return
	}
	kept := r.findings[:0]
	for _, f := range r.findings {
		if inSpans(spans, f.Line) {
			delete(r.usageCases, f)
			f.NotCertain = reasonNestedSample
			r.doubts = append(r.doubts, f)
			continue
		}
		kept = append(kept, f)
	}
	r.findings = kept
}

// inSpans reports whether line lies in one of spans.
func inSpans(spans [][2]int, line int) bool {
	for _, s := range spans {
		if line >= s[0] && line <= s[1] {
			return true
		}
	}
	return false
}
