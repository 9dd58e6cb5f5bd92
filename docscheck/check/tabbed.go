package check

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
)

// tabLine is a content tab's title line of pymdownx.tabbed
// (=== "Title", ===! starts a new set, ===+ selects the tab).
var tabLine = regexp.MustCompile(`^([ \t]*)===([!+]{0,2})[ \t]+"`)

// tabIDs lists the ids pymdownx.tabbed gives a page's tabs: without a
// slugify of its own, __tabbed_s_n for the n-th tab of the s-th tab set,
// sets numbered in the order they begin on the page (a nested set after
// the one it lies in); with pymdownx.slugs' lower-case slugify, the
// tab's title as an id. Tabs follow one another at the same indentation,
// each with its content indented below it; a line at or left of a set's
// indentation that is no tab ends the set. Lines in fenced code blocks
// are code, not tabs.
func tabIDs(source []byte, naming repo.TabIDs) []string {
	type set struct{ indent, number, tabs int }
	var open []set
	var ids []string
	sets := 0
	fence := ""
	for line := range bytes.Lines(source) {
		line = bytes.TrimRight(line, "\r\n")
		trimmed := bytes.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		// A tab's fences are indented with its content: read them from
		// the line's first character.
		if f := fenceMarker(trimmed); f != "" && (fence == "" || f[0] == fence[0] && len(f) >= len(fence)) {
			if fence == "" {
				fence = f
			} else {
				fence = ""
			}
			continue
		}
		if fence != "" || len(trimmed) == 0 {
			continue
		}
		m := tabLine.FindSubmatch(line)
		for len(open) > 0 && (open[len(open)-1].indent > indent || m == nil && open[len(open)-1].indent == indent) {
			open = open[:len(open)-1]
		}
		if m == nil {
			continue
		}
		if len(open) == 0 || open[len(open)-1].indent < indent || bytes.Contains(m[2], []byte("!")) {
			if len(open) > 0 && open[len(open)-1].indent == indent {
				open = open[:len(open)-1]
			}
			sets++
			open = append(open, set{indent: indent, number: sets})
		}
		top := &open[len(open)-1]
		top.tabs++
		if naming == repo.TitleTabIDs {
			title, _, _ := strings.Cut(string(line[len(m[0]):]), `"`)
			ids = append(ids, anchor.MkDocsUnicode.Make(strings.NewReplacer("`", "", "*", "").Replace(title)))
		} else {
			ids = append(ids, fmt.Sprintf("__tabbed_%d_%d", top.number, top.tabs))
		}
	}
	return ids
}
