// Package anchor is the one place that turns a Markdown heading into the id
// a "#fragment" link names: the heading's text as a reader sees it (Text),
// and the slug a host derives from that text (Style.Make), with duplicate
// numbering per page (Set). docscheck uses it to judge links and the website
// to give its headings ids, so a link docscheck approves lands on the site.
package anchor

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
	"golang.org/x/text/unicode/norm"
)

// Style names a slug algorithm.
type Style string

const (
	// GitHub is the algorithm github.com uses for README and docs headings
	// (the one github-slugger reproduces); Docusaurus uses it too.
	GitHub Style = "github"
	// VitePress is the algorithm of VitePress docs sites.
	VitePress Style = "vitepress"
	// MkDocs is Python-Markdown's toc slugify, MkDocs' default: ASCII only,
	// duplicates numbered "_1", "_2".
	MkDocs Style = "mkdocs"
	// MkDocsUnicode is the same rule keeping non-ASCII letters, as
	// pymdownx.slugs configures it.
	MkDocsUnicode Style = "mkdocs-unicode"
	// Zola is the rule of Zola's internal links (slugify.anchors "on",
	// its default, the slug crate): ASCII only, lowercased, each run of
	// other characters one hyphen, none at either end; duplicates "-1".
	// It is not offered as --slug: docscheck applies it to the pages a
	// Zola "@/" link names.
	Zola Style = "zola"
)

// ParseStyle accepts "github", "vitepress", "mkdocs" or "mkdocs-unicode";
// the empty string means GitHub.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case "", GitHub:
		return GitHub, nil
	case VitePress, MkDocs, MkDocsUnicode:
		return Style(s), nil
	}
	return "", fmt.Errorf("unknown slug style %q (want github, vitepress, mkdocs or mkdocs-unicode)", s)
}

// Make returns the slug of one heading text, without duplicate numbering.
func (s Style) Make(text string) string {
	switch s {
	case VitePress:
		return vitepress(text)
	case MkDocs:
		return mkdocs(text, false)
	case MkDocsUnicode:
		return mkdocs(text, true)
	case Zola:
		return zola(text)
	}
	return github(text)
}

// mkdocs follows Python-Markdown's toc slugify: (NFKD and drop what is not
// ASCII, unless keepUnicode), drop what is not a word character, space or
// hyphen, trim spaces, lowercase, and turn each run of spaces and hyphens
// into one hyphen.
func mkdocs(text string, keepUnicode bool) string {
	if !keepUnicode {
		text = norm.NFKD.String(text)
	}
	var b strings.Builder
	for _, r := range text {
		word := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) && keepUnicode
		if !keepUnicode && r > unicode.MaxASCII {
			continue
		}
		if word || r == '-' || unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	out := strings.ToLower(strings.TrimSpace(b.String()))
	b.Reset()
	run := false
	for _, r := range out {
		if r == '-' || unicode.IsSpace(r) {
			if !run {
				b.WriteByte('-')
			}
			run = true
			continue
		}
		run = false
		b.WriteRune(r)
	}
	return b.String()
}

// zola follows the slug crate behind Zola's default anchors: the text
// transliterated to ASCII (here: NFKD with the marks dropped; a letter
// with no ASCII decomposition is dropped, where the crate transliterates
// it, so callers must not judge such pages), lowercased, and each run of
// characters other than ASCII letters and digits turned into one hyphen,
// with none left at either end.
func zola(text string) string {
	var b strings.Builder
	run := false
	for _, r := range strings.ToLower(norm.NFKD.String(text)) {
		if unicode.IsMark(r) {
			continue
		}
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if run && b.Len() > 0 {
				b.WriteByte('-')
			}
			run = false
			b.WriteRune(r)
			continue
		}
		run = true
	}
	return b.String()
}

// ZolaExact reports whether Zola.Make gives the slug crate's very output
// for text: every character is ASCII once decomposed and its marks
// dropped, so no transliteration table is involved.
func ZolaExact(text string) bool {
	for _, r := range norm.NFKD.String(text) {
		if r > unicode.MaxASCII && !unicode.IsMark(r) {
			return false
		}
	}
	return true
}

// github lowercases the text as JavaScript's toLowerCase does, then keeps
// letters, marks, decimal and letter numbers, connector punctuation (the
// underscore), other alphabetic characters (circled letters), hyphens and
// spaces, and turns every space into a hyphen without collapsing runs.
// Everything else goes: other punctuation, dashes other than "-", symbols
// (emoji, "©", "♥"), other numbers ("²", "①"), control and format
// characters, and separators other than the space.
func github(text string) string {
	lower := lowerJS(text)
	var b strings.Builder
	b.Grow(len(lower)) // the slug is never longer: one allocation
	for _, r := range lower {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r < utf8.RuneSelf:
			// The classes below hold, in ASCII, the letters, the digits
			// and "_": tested here without a walk of their tables.
			if r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
				b.WriteByte(byte(r))
			}
		case unicode.In(r, unicode.L, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc, unicode.Other_Alphabetic):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lowerJS is strings.ToLower plus the two context rules of JavaScript's
// toLowerCase that Go leaves out: "İ" becomes "i" and a combining dot, and
// a capital sigma that ends a word becomes the final "ς".
func lowerJS(s string) string {
	if !strings.ContainsAny(s, "\u0130\u03a3") {
		return strings.ToLower(s)
	}
	runes := []rune(s)
	var b strings.Builder
	for i, r := range runes {
		switch {
		case r == '\u0130':
			b.WriteString("i\u0307")
		case r == '\u03a3':
			before := i > 0 && unicode.IsLetter(runes[i-1])
			after := i+1 < len(runes) && unicode.IsLetter(runes[i+1])
			if before && !after {
				b.WriteRune('\u03c2')
			} else {
				b.WriteRune('\u03c3')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

var (
	vitepressSpecial = regexp.MustCompile("[\\s~`!@#$%^&*()\\-_+=\\[\\]{}|\\\\;:\"'\u201c\u201d\u2018\u2019<>,.?/]+")
	vitepressDashes  = regexp.MustCompile(`-{2,}`)
)

// vitepress follows the slugify of @mdit-vue/shared: NFKD, drop combining
// marks and control characters, runs of specials to one hyphen, trim
// hyphens, prefix a leading digit with "_", lowercase.
func vitepress(text string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(text) {
		if (r >= 0x300 && r <= 0x36f) || r < 0x20 {
			continue
		}
		b.WriteRune(r)
	}
	out := vitepressSpecial.ReplaceAllString(b.String(), "-")
	out = vitepressDashes.ReplaceAllString(out, "-")
	out = strings.Trim(out, "-")
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return strings.ToLower(out)
}

// Set hands out unique slugs for the headings of one page, numbering
// duplicates "-1", "-2", ... the way each host does.
type Set struct {
	style Style
	seen  map[string]int
}

// NewSet starts an empty set for one page.
func NewSet(style Style) *Set {
	return &Set{style: style, seen: map[string]int{}}
}

// Add returns the unique slug for the next heading with this text.
func (s *Set) Add(text string) string {
	return s.Reserve(s.style.Make(text))
}

// Reserve makes base unique on the page and records it. It is also how
// explicit ids (custom heading ids) take part in duplicate numbering.
func (s *Set) Reserve(base string) string {
	if s.style == MkDocs || s.style == MkDocsUnicode {
		// Python-Markdown: an empty or taken id gets "_1", and "x_1" taken
		// becomes "x_2".
		uniq := base
		for _, taken := s.seen[uniq]; taken || uniq == ""; _, taken = s.seen[uniq] {
			if i := strings.LastIndexByte(uniq, '_'); i >= 0 && i+1 < len(uniq) && strings.Trim(uniq[i+1:], "0123456789") == "" {
				n := 0
				fmt.Sscan(uniq[i+1:], &n)
				uniq = fmt.Sprintf("%s_%d", uniq[:i], n+1)
			} else {
				uniq += "_1"
			}
		}
		s.seen[uniq] = 0
		return uniq
	}
	if s.style == VitePress || s.style == Zola {
		// markdown-it-anchor, and Zola: slug, slug-1, slug-2, ...
		uniq := base
		for i := 1; ; i++ {
			if _, taken := s.seen[uniq]; !taken {
				break
			}
			uniq = fmt.Sprintf("%s-%d", base, i)
		}
		s.seen[uniq] = 0
		return uniq
	}
	// github-slugger keeps a counter per base slug and skips numbers that a
	// literal heading already produced.
	uniq := base
	if n, taken := s.seen[base]; taken {
		for {
			n++
			uniq = fmt.Sprintf("%s-%d", base, n)
			if _, taken := s.seen[uniq]; !taken {
				break
			}
		}
		s.seen[base] = n
	}
	s.seen[uniq] = 0
	return uniq
}

// Text is a heading's text as a browser's textContent gives it, which is
// what hosts slug: the text of emphasis, links, autolinks and code spans
// included; HTML tags and images (their alt text too) left out; backslash
// escapes and entities resolved outside code.
func Text(n ast.Node, source []byte) string {
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
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					switch t := t.(type) {
					case *ast.Text:
						b.Write(t.Segment.Value(source))
					case *ast.String:
						b.Write(t.Value)
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
