package site

import (
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// token is a run of code text with a chroma CSS class ("" for none).
type token struct {
	class string
	text  string
}

// codeStyle is the chroma style whose CSS classes the site's stylesheet carries.
const codeStyle = "github"

// highlight splits code into classed tokens. Unknown or missing languages
// give one plain token: code is never dropped.
func highlight(lang, code string) []token {
	lexer := lexers.Get(strings.ToLower(strings.TrimSpace(lang)))
	if lang == "" || lexer == nil {
		return []token{{text: code}}
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return []token{{text: code}}
	}
	var out []token
	for t := it(); t != chroma.EOF; t = it() {
		out = append(out, token{class: tokenClass(t.Type), text: t.Value})
	}
	return out
}

// tokenClass is the short class chroma's HTML formatter would use.
func tokenClass(t chroma.TokenType) string {
	for ; t != 0; t = t.Parent() {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
	}
	return ""
}

// writeCodeBlock writes a highlighted <pre> in which proof commands link to
// their proof pages.
func writeCodeBlock(w io.Writer, lang, code string, links *docLinks) {
	io.WriteString(w, `<pre class="chroma code"`)
	if lang != "" {
		io.WriteString(w, ` data-lang="`+escapeAttr(lang)+`"`)
	}
	io.WriteString(w, "><code>")
	writeLinked(w, highlight(lang, code), proofCommandLinks(code, links))
	io.WriteString(w, "</code></pre>\n")
}

// writeLinked writes tokens, escaped, opening an <a> at each span start and
// closing it at its end; tokens that cross a boundary are split there.
func writeLinked(w io.Writer, tokens []token, spans []span) {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	pos, si := 0, 0
	inLink := false
	for _, tk := range tokens {
		rest := tk.text
		for rest != "" {
			for !inLink && si < len(spans) && spans[si].start < pos {
				si++ // overlaps a span already written: leave it unlinked
			}
			// Cut the token at the next span boundary, if it lies inside it.
			cut := len(rest)
			if si < len(spans) {
				boundary := spans[si].start
				if inLink {
					boundary = spans[si].end
				}
				if boundary-pos < cut {
					cut = boundary - pos
				}
			}
			if cut > 0 {
				writeToken(w, tk.class, rest[:cut])
				pos += cut
				rest = rest[cut:]
			}
			if si < len(spans) && !inLink && pos == spans[si].start {
				io.WriteString(w, `<a class="proof-ref" href="`+escapeAttr(spans[si].href)+`">`)
				inLink = true
			} else if si < len(spans) && inLink && pos == spans[si].end {
				io.WriteString(w, "</a>")
				inLink = false
				si++
			}
		}
	}
	if inLink {
		io.WriteString(w, "</a>")
	}
}

func writeToken(w io.Writer, class, text string) {
	if class == "" {
		io.WriteString(w, escapeText(text))
		return
	}
	io.WriteString(w, `<span class="`+class+`">`+escapeText(text)+`</span>`)
}

// codeCSS is the stylesheet for the highlight classes, scoped to .chroma.
func codeCSS() string {
	var b strings.Builder
	style := styles.Get(codeStyle)
	if err := chromahtml.New(chromahtml.WithClasses(true)).WriteCSS(&b, style); err != nil {
		return ""
	}
	return b.String()
}
