package check

import "testing"

// TestLinkedFolderPages: a page that links a folder as a folder (the
// folder's file list on github.com) reaches the pages right inside it;
// they are browsed pages, whose links are judged and whose commands are
// not, and no published page says which renderer they are written for,
// so a route (a link without an extension, or from the site's root) is
// not judged on them. A linked folder of a test's inputs is not read, nor a page only
// a deeper folder holds, nor the pages beside a folder's README that a
// link reaches only with a fragment (book/#usage, ./#usage: the index
// page, not the file list).
func TestLinkedFolderPages(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":             "# Hub\n\nRead the documentation here: [hub/docs](docs). Samples: [fixtures](tests/fixtures). Book: [its usage](book/#usage).\n",
		"book/README.md":        "# Book\n\n## Usage\n\nSee [usage](./#usage).\n",
		"book/intro.md":         "# Intro\n\n[gone](gone.md)\n",
		"docs/overview.md":      "# Overview\n\nSee [the interfacers](interfacer.md).\n\n```bash\n./gone.sh\n```\n",
		"docs/interfacers.md":   "# Interfacers\n\nSee [contributing](contributing#setup) and [the guide](/guide/start.html).\n",
		"docs/deep/hidden.md":   "# Deep\n\n[nothing](nothing.md)\n",
		"tests/fixtures/bad.md": "# Bad\n\n[broken on purpose](nope.md)\n",
	})
	wantFindings(t, root, "docs/overview.md:3:5: link: link target `interfacer.md` does not exist (did you mean interfacers.md?)")
}
