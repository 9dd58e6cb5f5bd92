package check

import (
	"slices"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// tabbedPage is a page of two content tabs, the first right below its
// title, the second after a blank line: a script one letter from the
// fixture's in a fence, and a link to a page that is not there.
const tabbedPage = `# Run

=== "Shell"
    ` + "```" + ` shell
    ./scripts/buidl.sh
    ` + "```" + `

===! "Link"

    See [the gone page](gone.md).
`

// TestContentTabBodies: on a site whose Python-Markdown runs
// pymdownx.tabbed, a tab's body is Markdown (its fence a code block, its
// link a link); without the extension it is a paragraph's lazy lines and
// an indented code block, and nothing in it is judged.
func TestContentTabBodies(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   []string
	}{
		{"site_name: Fixture\nmarkdown_extensions:\n  - pymdownx.tabbed:\n      alternate_style: true\n", []string{
			"docs/run.md:5:5: script: ./scripts/buidl.sh does not exist (did you mean ./scripts/build.sh?)",
			"docs/run.md:10:9: link: link target `gone.md` does not exist",
		}},
		{"site_name: Fixture\nmarkdown_extensions:\n  - admonition\n", nil},
	} {
		root := writeTree(t, map[string]string{
			"mkdocs.yml":       tc.config,
			"docs/index.md":    "# Home\n",
			"docs/run.md":      tabbedPage,
			"scripts/build.sh": "#!/bin/sh\n",
		})
		got := checkPage(t, Options{Repo: repo.New(root)}, "docs/run.md")
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.config, got, tc.want)
		}
	}
}
