package repo

import "testing"

// TestPublishedByOwnDocsAddress: a site whose config no build file names
// is published when a root README links the repository's own docs address
// (GitHub Pages', Read the Docs' for a project named as the repository)
// and it is the tree's only site; another repository's address, a longer
// name that starts with this one's, or two sites, say nothing.
func TestPublishedByOwnDocsAddress(t *testing.T) {
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
		{"read the docs", "Docs: <http://engine.readthedocs.io/en/latest/>\n", false, true},
		{"a longer name", "See [it](https://owner.github.io/Engine-extras/) and https://engine-extras.readthedocs.io/.\n", false, false},
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

// TestSphinxByOwnDocsAddress: a Sphinx project with no Makefile and no
// build file naming it is built when a root README links the Read the
// Docs project named as the repository, and it is the tree's only site.
func TestSphinxByOwnDocsAddress(t *testing.T) {
	for _, tc := range []struct {
		readme string
		want   int
	}{
		{"Docs: http://engine.readthedocs.io/en/latest/\n", 1},
		{"Docs: http://other.readthedocs.io/en/latest/\n", 0},
	} {
		root := t.TempDir()
		writeFile(t, root, ".git/config", "[remote \"origin\"]\n\turl = git@github.com:owner/engine.git\n")
		writeFile(t, root, "README.rst", tc.readme)
		writeFile(t, root, "docs/conf.py", "project = 'engine'\n")
		writeFile(t, root, "docs/index.rst", "Engine\n======\n")
		if got := len(New(root).SphinxSources()); got != tc.want {
			t.Errorf("README %q: %d Sphinx projects read, want %d", tc.readme, got, tc.want)
		}
	}
}
