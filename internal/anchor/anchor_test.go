package anchor

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

func TestGitHubSlug(t *testing.T) {
	// Expected ids are what github.com gives these headings (github-slugger's
	// fixtures were recorded from it).
	tests := []struct{ in, want string }{
		{"Recovery & restarts", "recovery--restarts"},
		{"Use make proofs", "use-make-proofs"},
		{"What's new in v1.2?", "whats-new-in-v12"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
		{"Ünïcode Überschrift", "ünïcode-überschrift"},
		{"heading with a - dash", "heading-with-a---dash"},
		{"exchange.bind_headers(exchange, routing [, bindCallback])", "exchangebind_headersexchange-routing--bindcallback"},
		{" a ", "-a-"},
		{"apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"},
		{"I ♥ unicode", "i--unicode"},
		{"en–dash", "endash"},
		{"😄-😄 unicode emoji", "--unicode-emoji"},
		{":ok_hand: Single", "ok_hand-single"},
		{"Привет non-latin 你好", "привет-non-latin-你好"},
		{"x² and ½", "x-and-"},     // other numbers go
		{"Ⅻ and ⓐ", "ⅻ-and-ⓐ"},     // letter numbers and circled letters stay
		{"a\u2028b\u00a0c", "abc"}, // separators other than the space go
		{"a\u200db", "ab"},         // format characters go
		{"ΟΔΟΣ Σ", "οδος-σ"},       // final sigma only at a word's end
		{"İ", "i\u0307"},           // as JavaScript lowercases it
		{"", ""},
	}
	for _, tt := range tests {
		if got := GitHub.Make(tt.in); got != tt.want {
			t.Errorf("GitHub.Make(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVitePressSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Getting Started", "getting-started"},
		{"Fish & chips", "fish-chips"},
		{"Ünïcode", "unicode"},
		{"2. Install", "_2-install"},
		{"  --a--b--  ", "a-b"},
	}
	for _, tt := range tests {
		if got := VitePress.Make(tt.in); got != tt.want {
			t.Errorf("VitePress.Make(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMkDocsSlug(t *testing.T) {
	tests := []struct {
		style    Style
		in, want string
	}{
		{MkDocs, "Client Instances", "client-instances"},
		{MkDocs, "Fish & chips -- now", "fish-chips-now"},
		{MkDocs, "Ünïcode Straße", "unicode-strae"},
		{MkDocs, "snake_case  and  spaces ", "snake_case-and-spaces"},
		{MkDocs, "Привет", ""},
		{MkDocsUnicode, "Привет мир", "привет-мир"},
	}
	for _, tt := range tests {
		if got := tt.style.Make(tt.in); got != tt.want {
			t.Errorf("%s.Make(%q) = %q, want %q", tt.style, tt.in, got, tt.want)
		}
	}
}

// TestZolaSlug holds the slug crate's outputs for Zola's default anchors.
func TestZolaSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Internal links & anchors", "internal-links-anchors"},
		{"snake_case and `code`", "snake-case-and-code"},
		{"  -- Ünïcode Strasse --", "unicode-strasse"},
		{"v1.2: what's new?", "v1-2-what-s-new"},
	}
	for _, tt := range tests {
		if got := Zola.Make(tt.in); got != tt.want {
			t.Errorf("Zola.Make(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]bool{"Ünïcode": true, "Straße": false, "Привет": false, "a → b": false} {
		if got := ZolaExact(in); got != want {
			t.Errorf("ZolaExact(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSetNumbersDuplicates(t *testing.T) {
	tests := []struct {
		style Style
		in    []string
		want  []string
	}{
		{GitHub, []string{"echo", "echo", "echo 1", "echo-1", "echo"}, []string{"echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2"}},
		{GitHub, []string{"foxtrot-1", "foxtrot", "foxtrot"}, []string{"foxtrot-1", "foxtrot", "foxtrot-2"}},
		{VitePress, []string{"a", "a", "a-1", "a"}, []string{"a", "a-1", "a-1-1", "a-2"}},
		{MkDocs, []string{"a", "a", "a", "Привет"}, []string{"a", "a_1", "a_2", "_1"}},
	}
	for _, tt := range tests {
		set := NewSet(tt.style)
		var got []string
		for _, h := range tt.in {
			got = append(got, set.Add(h))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %q: got %q, want %q", tt.style, tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ md, want string }{
		{"# Fish &amp; chips", "Fish & chips"},
		{"# Use `a &amp; b` here", "Use a &amp; b here"},
		{"# *em* and **strong** and ~~del~~", "em and strong and del"},
		{"# [link](x.md) and <https://e.com/a>", "link and https://e.com/a"},
		{"# Image ![alt](x.png) gone", "Image  gone"},
		{"# <kbd>Ctrl</kbd> key", "Ctrl key"},
		{"# Escaped \\*x\\*", "Escaped *x*"},
		{"# &#169; &#xA9; &copy;", "© © ©"},
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	for _, tt := range tests {
		src := []byte(tt.md)
		doc := md.Parser().Parse(text.NewReader(src))
		var got string
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if h, ok := n.(*ast.Heading); ok && entering {
				got = Text(h, src)
				return ast.WalkStop, nil
			}
			return ast.WalkContinue, nil
		})
		if got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.md, got, tt.want)
		}
	}
}

// TestGitHubSlugASCII: the ASCII shortcut of github keeps exactly the
// runes the Unicode classes keep, for every ASCII rune in every position.
func TestGitHubSlugASCII(t *testing.T) {
	byClass := func(text string) string {
		var b strings.Builder
		for _, r := range lowerJS(text) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-', unicode.In(r, unicode.L, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc, unicode.Other_Alphabetic):
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	for r := rune(0); r < utf8.RuneSelf; r++ {
		for _, text := range []string{string(r), "a" + string(r) + "É", "Ü" + string(r)} {
			if got, want := github(text), byClass(text); got != want {
				t.Errorf("github(%q) = %q, want %q", text, got, want)
			}
		}
	}
}
