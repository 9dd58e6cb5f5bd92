package check

import "testing"

// TestPermalinkServes: a page that sets its own address in front matter
// links from that address; a link landing on the address another page of
// its site sets is served there (not judged), though the file is not
// beside it. A link that lands on no page's address, one from a page
// that sets none, and a misspelt one stay findings.
func TestPermalinkServes(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":                       "# R\n\nSee [the spec](site/docs/spec.md) and [guide](site/guide.md).\n",
		"site/docs/spec.md":               "---\npermalink: /docs/spec.html\n---\n# Spec\n\n[repeat](repeat.html), [layer](layer.html), [rpeat](rpeat.html), [home](../index.html)\n",
		"site/docs/composition/repeat.md": "---\ntitle: Repeat\npermalink: /docs/repeat.html\n---\n# Repeat\n",
		"site/index.md":                   "---\npermalink: /\n---\n# Home\n",
		"site/guide.md":                   "# Guide\n\n[repeat](repeat.html)\n",
	})
	wantFindings(t, root,
		"site/docs/spec.md:6:24: link: link target `layer.html` does not exist",
		"site/docs/spec.md:6:45: link: link target `rpeat.html` does not exist",
		"site/guide.md:3:1: link: link target `repeat.html` does not exist",
	)
}
