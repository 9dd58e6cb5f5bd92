package site

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/prodproof/prodproof/docscheck/check"
	"github.com/prodproof/prodproof/internal/anchor"
)

// headingID finds the id attribute of every rendered heading.
var headingID = regexp.MustCompile(`<h[1-6] id="([^"]*)"`)

// TestAnchorsMatchDocscheck renders every page of docs/ and a page of
// tricky headings, and checks that the ids docscheck accepts for
// "#fragment" links are exactly the heading ids the site gives: a link
// docscheck approves must land on the site.
func TestAnchorsMatchDocscheck(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs pages: %v", err)
	}
	pages = append(pages, filepath.Join("..", "..", "README.md"), filepath.Join("testdata", "headings.md"))
	for _, p := range pages {
		t.Run(filepath.Base(p), func(t *testing.T) {
			source, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			accepted := check.Anchors(source, anchor.GitHub)
			links := &docLinks{source: "docs/page.md", page: "docs/page.html", root: "../"}
			body, _, err := renderMarkdown(source, links)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range headingID.FindAllSubmatch(body, -1) {
				ids = append(ids, string(m[1]))
			}
			for _, a := range accepted {
				if !slices.Contains(ids, a) {
					t.Errorf("docscheck accepts #%s, the site has no such id (site ids: %q)", a, ids)
				}
			}
			for _, id := range ids {
				if !slices.Contains(accepted, id) {
					t.Errorf("the site has id %q, docscheck rejects #%s", id, id)
				}
			}
		})
	}
}

// TestTrickyHeadingIDs pins GitHub's ids for the tricky page, so that both
// sides cannot drift together.
func TestTrickyHeadingIDs(t *testing.T) {
	source, err := os.ReadFile(filepath.Join("testdata", "headings.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tricky-headings",
		"fish--chips",
		"x-and-y",
		"use-make-proofs--go-test-",
		"emphasis-strong-and-struck-text",
		"a-link-and-an-httpsexamplecomauto-autolink",
		"ünïcode-überschrift-und-straße",
		"привет-non-latin-你好",
		"ⅻ-roman--circled-ⓐ-letter",
		"i--unicode--and-smile",
		"endash--em-dash---hyphen",
		"whats-new-in-v12-beta-draft-x",
		"snake_case-and-kebab-case-and-trailing-",
		"quotes-smart-single-plain-single",
		"duplicate",
		"duplicate-1",
		"duplicate-1-1",
		"duplicate-2",
		"taband--two-spaces",
		"escaped-stars-and--hash",
		"-2026--",
		"\u03c3\u03bf\u03c6\u03bf\u03c2-and-i\u0307stanbul",
		"setext-heading",
		"image--inside",
	}
	links := &docLinks{source: "docs/page.md", page: "docs/page.html", root: "../"}
	body, _, err := renderMarkdown(source, links)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range headingID.FindAllSubmatch(body, -1) {
		ids = append(ids, string(m[1]))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("site heading ids\n got %q\nwant %q", ids, want)
	}
	if got := check.Anchors(source, anchor.GitHub); !slices.Equal(got, want) {
		t.Errorf("docscheck anchors\n got %q\nwant %q", got, want)
	}
}
