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
		{"a list at its key's own indentation", "plugins:\n- search\n- autolinks\n- git-revision-date-localized:\n    type: timeago\nmarkdown_extensions:\n- attr_list\n- pymdownx.blocks.tab\nextra:\n  x: 1\n", []string{"plugin autolinks", "extension pymdownx.blocks.tab"}},
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

func TestAdmonitionsEnabled(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		want      bool
	}{
		{"listed", "markdown_extensions:\n  - toc\n  - admonition\n", true},
		{"details with options", "markdown_extensions:\n  - pymdownx.details:\n      foo: 1\n", true},
		{"a theme's admonition icons only", "theme:\n  icon:\n    admonition:\n      note: x\nmarkdown_extensions:\n  - toc\n", false},
		{"none", "site_name: x\n", false},
	} {
		if got := mkdocsAdmonitions([]byte(tc.yml)); got != tc.want {
			t.Errorf("mkdocs.yml, %s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name, toml string
		want       []string
	}{
		{"modelled tables", "[project]\nsite_name = \"x\"\n[project.markdown_extensions.attr_list]\n[project.markdown_extensions.pymdownx.highlight]\nanchor_linenums = true\n[project.plugins.search]\n", nil},
		{"unmodelled extension, plugin, hooks", "[project]\nhooks = [\"h.py\"]\n[project.markdown_extensions.pymdownx.blocks.caption]\n[project.plugins.mkdocstrings]\n[project.plugins.mkdocstrings.handlers]\n", []string{"extension pymdownx.blocks.caption", "plugin mkdocstrings", "hooks"}},
	} {
		if got := zensicalUnmodelled([]byte(tc.toml)); !slices.Equal(got, tc.want) {
			t.Errorf("zensical.toml, %s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if !admonitionsListed(zensicalItems([]byte("[project]\n[project.markdown_extensions.admonition]\n"))) || admonitionsListed(zensicalItems([]byte("[project]\n"))) {
		t.Error("zensical.toml admonition table not read")
	}
}

func TestMkdocsSnippetBases(t *testing.T) {
	for _, tc := range []struct {
		name, yml string
		want      []string
	}{
		{"not listed", "markdown_extensions:\n  - toc\n", nil},
		{"default: the config's folder", "markdown_extensions:\n  - pymdownx.snippets\n", []string{"site"}},
		{"one path, with a sibling option after it", "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: docs\n      check_paths: true\n  - toc\n", []string{"site/docs"}},
		{"a flow list", "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [\"docs\", '.']\n", []string{"site/docs", "site"}},
		{"a block list", "markdown_extensions:\n  - pymdownx.snippets:\n      check_paths: true\n      base_path:\n        - docs/snippets\n        - .\n      auto_append: []\n", []string{"site/docs/snippets", "site"}},
	} {
		if got := mkdocsSnippetBases([]byte(tc.yml), "site"); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
