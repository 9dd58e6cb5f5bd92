package repo

import (
	"slices"
	"testing"
)

func TestMkdocsUnmodelled(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		want      []string
	}{
		{"defaults", "site_name: x\nnav:\n  - index.md\n", nil},
		{"inert plugins and modelled extensions", "plugins:\n  - search:\n      lang: en\n  - minify\nmarkdown_extensions:\n  - attr_list\n  - toc:\n      permalink: true\n  - markdown.extensions.tables\n", nil},
		{"a cross-reference plugin, mapping form", "plugins:\n  search: {}\n  mkdocstrings:\n    handlers: {}\n", []string{"plugin mkdocstrings"}},
		{"hooks and an unknown extension", "hooks:\n  - hooks/x.py\nmarkdown_extensions:\n  - 'pymdownx.blocks.tab'\n", []string{"hooks", "extension pymdownx.blocks.tab"}},
		{"options that make ids", "markdown_extensions:\n  - pymdownx.snippets:\n      auto_append:\n        - a.md\n  - pymdownx.tabbed:\n      combine_header_slug: true\n", []string{"snippets auto_append", "tabbed combine_header_slug"}},
		{"toc slugify: pymdownx.slugs is modelled", "markdown_extensions:\n  - toc:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify\n", nil},
		{"toc slugify of its own", "markdown_extensions:\n  - toc:\n      slugify: !!python/name:my.slug\n", []string{"toc slugify"}},
	} {
		if got := mkdocsUnmodelled([]byte(tc.yml)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVitepressUnmodelled(t *testing.T) {
	if got := vitepressUnmodelled([]byte("export default { markdown: { lineNumbers: true } }")); got != nil {
		t.Errorf("no id option: got %q", got)
	}
	got := vitepressUnmodelled([]byte("markdown: { attrs: { leftDelimiter: '%{' }, anchor: { slugify } }"))
	if want := []string{"markdown.anchor slugify", "markdown.anchor", "markdown.attrs"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
