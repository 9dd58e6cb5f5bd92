// Package slug turns heading text into the anchor ids that Markdown hosts
// generate, so that docscheck can tell whether a "#fragment" link lands on a
// heading. Two styles are supported: GitHub's (github-slugger) and VitePress's
// (markdown-it-anchor with the VitePress slugify).
package slug

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Style names a slug algorithm.
type Style string

const (
	// GitHub is the algorithm github.com uses for README and docs headings.
	GitHub Style = "github"
	// VitePress is the algorithm of VitePress docs sites.
	VitePress Style = "vitepress"
)

// ParseStyle accepts "github" or "vitepress"; the empty string means GitHub.
func ParseStyle(s string) (Style, error) {
	switch Style(s) {
	case "", GitHub:
		return GitHub, nil
	case VitePress:
		return VitePress, nil
	}
	return "", fmt.Errorf("unknown slug style %q (want github or vitepress)", s)
}

// Make returns the slug of one heading text, without duplicate numbering.
func (s Style) Make(text string) string {
	if s == VitePress {
		return vitepress(text)
	}
	return github(text)
}

// github keeps letters, marks, digits, connector punctuation (the
// underscore), hyphens and spaces; lowercases; and turns every space into a
// hyphen without collapsing runs, as github-slugger does.
func github(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-':
			b.WriteRune(r)
		case unicode.IsLetter(r), unicode.IsMark(r), unicode.IsDigit(r),
			unicode.Is(unicode.Nd, r), unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
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
	if s.style == VitePress {
		// markdown-it-anchor: slug, slug-1, slug-2, ...
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
