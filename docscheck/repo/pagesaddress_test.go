package repo

import "testing"

// TestPublishedByPagesAddress: a site whose config no build file names is
// published when a root README links the repository's GitHub Pages
// address and it is the tree's only such site; another repository's Pages
// address, or two such sites, say nothing.
func TestPublishedByPagesAddress(t *testing.T) {
	site := func(readme string, extra bool) []bool {
		root := t.TempDir()
		writeFile(t, root, ".git/config", "[remote \"origin\"]\n\turl = https://github.com/Owner/Engine.git\n")
		writeFile(t, root, "README.md", readme)
		writeFile(t, root, "docs/mkdocs.yml", "site_name: Engine\ndocs_dir: sources\n")
		writeFile(t, root, "docs/sources/index.md", "# Engine\n")
		if extra {
			writeFile(t, root, "examples/site/mkdocs.yml", "site_name: Example\n")
			writeFile(t, root, "examples/site/docs/index.md", "# Example\n")
		}
		r := New(root)
		var out []bool
		for _, s := range r.Sites() {
			out = append(out, r.PublishedSite(s))
		}
		return out
	}
	for _, tc := range []struct {
		name, readme string
		extra        bool
		want         bool
	}{
		{"own address", "See the [doc site](https://owner.github.io/Engine/).\n", false, true},
		{"no address", "See the docs folder.\n", false, false},
		{"another repository's address", "See [it](https://owner.github.io/Other/).\n", false, false},
		{"two sites", "See the [doc site](https://owner.github.io/Engine/).\n", true, false},
	} {
		got := site(tc.readme, tc.extra)
		if len(got) == 0 {
			t.Fatalf("%s: no site found", tc.name)
		}
		for _, published := range got {
			if published != tc.want {
				t.Errorf("%s: PublishedSite = %v, want %v", tc.name, published, tc.want)
			}
		}
	}
}
