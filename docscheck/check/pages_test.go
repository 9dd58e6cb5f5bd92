package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// TestPublishedPages: which pages are docs is read from the repository:
// the root's pages, .github, a published site's pages and what they link
// to; not a sample book under tests/ that nothing links to, nor an
// unpublished site's pages, nor a page a Makefile recipe writes from
// other pages (a manual built from the guide), while a page the Makefile
// only reads, or builds from code alone, stays.
// A symbolic link to a page is that page, once.
func TestPublishedPages(t *testing.T) {
	root := t.TempDir()
	write := func(p, content string) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# R\n\n[guide](docs/guide.md), [examples](examples/), [same guide](docs/alias.md)\n")
	write("CONTRIBUTING.md", "# C\n")
	write("MANUAL.md", "# M\n\n[stale](#gone)\n")
	write("USAGE.md", "# U\n")
	write("OPTIONS.md", "# O\n")
	write("Makefile", "MANUAL.md: docs/guide.md CONTRIBUTING.md\n\tcat docs/guide.md CONTRIBUTING.md > MANUAL.md\n"+
		"USAGE.md: cli/*.py\n\tpython cli/main.py --help | python tools/splice.py USAGE.md\n"+
		"OPTIONS.md: $(SOURCES)\n\tpython tools/options.py > OPTIONS.md\n")
	write("docs/guide.md", "# G\n\n[next](next.md#n)\n")
	write("docs/next.md", "# N\n")
	write("docs/orphan.md", "# O\n")
	write("examples/README.md", "# E\n")
	write(".github/PULL_REQUEST_TEMPLATE.md", "# PR\n")
	write("tests/book/book.toml", "[book]\n")
	write("tests/book/src/SUMMARY.md", "- [broken](missing.md)\n")
	write("guide/book.toml", "[book]\n")
	write("guide/src/SUMMARY.md", "- [intro](intro.md)\n")
	write("guide/src/intro.md", "# I\n")
	write(".github/workflows/docs.yml", "jobs:\n  docs:\n    steps:\n      - run: mdbook build guide\n")
	if err := os.Symlink("guide.md", filepath.Join(root, "docs", "alias.md")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		paths []string
		want  []string
	}{
		{[]string{"."}, []string{
			// docs/orphan.md: the Makefile builds from docs/, a folder
			// of pages, so all of it is published (TestRenderedFolders).
			// USAGE.md: built from code alone, its text is checked
			// nowhere else; MANUAL.md (from pages) and OPTIONS.md (from
			// sources docscheck cannot work out) are build outputs.
			".github/PULL_REQUEST_TEMPLATE.md", "CONTRIBUTING.md", "README.md", "USAGE.md", "docs/guide.md", "docs/next.md",
			"docs/orphan.md", "examples/README.md", "guide/src/SUMMARY.md", "guide/src/intro.md",
		}},
		// A folder named on the command line: its own pages are entry
		// points too.
		{[]string{"docs"}, []string{"docs/guide.md", "docs/next.md", "docs/orphan.md"}},
		// A file named on the command line is checked whatever it is; a
		// symbolic link as the page it points to.
		{[]string{"tests/book/src/SUMMARY.md", "docs/alias.md"}, []string{"docs/guide.md", "tests/book/src/SUMMARY.md"}},
	} {
		got, err := c.Files(tc.paths)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Files(%v) =\n%q\nwant\n%q", tc.paths, got, tc.want)
		}
	}
}

// TestSphinxPublishedByTox: a Sphinx project that only tox's docs
// environment builds (sphinx-build docs/source ...) is published, as one
// a Makefile or a CI workflow builds; one nothing names is not.
func TestSphinxPublishedByTox(t *testing.T) {
	tree := map[string]string{
		"README.md":               "# R\n",
		"docs/source/conf.py":     "project = 'x'\n",
		"docs/source/index.rst":   "Index\n=====\n",
		"examples/site/conf.py":   "project = 'y'\n",
		"examples/site/index.rst": "Sample\n======\n",
	}
	wantFiles(t, writeTree(t, tree), "README.md")
	tree["tox.ini"] = "[testenv:docs]\ncommands =\n    sphinx-build docs/source build/html -b html\n"
	wantFiles(t, writeTree(t, tree), "README.md", "docs/source/index.rst")
}

// TestCommunityHealthPagesInDocs: GitHub takes community health files
// (CONTRIBUTING, SUPPORT, ...) from docs/ as from the root and .github,
// and links them where people open issues and pull requests: they are
// entry pages though no page links them; docs/'s other pages are not,
// nor a docs site's own page that happens to be named so in lower case
// (docs/security.md).
func TestCommunityHealthPagesInDocs(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":                "# R\n",
		"docs/CONTRIBUTING.md":     "# C\n\n[guide](guide.md)\n",
		"docs/security.md":         "# S\n",
		"docs/SUPPORT.md":          "# H\n",
		"docs/guide.md":            "# G\n",
		"docs/orphan.md":           "# O\n",
		"docs/contributing-faq.md": "# F\n",
	})
	wantFiles(t, root, "README.md", "docs/CONTRIBUTING.md", "docs/SUPPORT.md", "docs/guide.md")
}

// TestSphinxProjectWithOwnMakefile: a Sphinx project whose folder holds
// the Makefile sphinx-quickstart writes (it runs sphinx-build, or python
// -m sphinx, the module glued on too: -msphinx), or whose source folder
// lies below that Makefile's folder
// (book/Makefile over book/source/conf.py), is built by the repository
// though no build file at the root names it: its pages are read, a page
// about the license among them. One whose Makefile runs no Sphinx is not,
// nor one inside a folder with a license file of its own (a vendored
// library's docs).
func TestSphinxProjectWithOwnMakefile(t *testing.T) {
	sphinxMake := "SPHINXBUILD   = sphinx-build\n\nhtml:\n\t$(SPHINXBUILD) -b html . _build\n"
	root := writeTree(t, map[string]string{
		"README.md":                      "# R\n",
		"docs/manual/conf.py":            "project = 'm'\n",
		"docs/manual/Makefile":           sphinxMake,
		"docs/manual/index.rst":          "Manual\n======\n\n.. toctree::\n\n   users/guide\n",
		"docs/manual/users/guide.rst":    "Guide\n=====\n",
		"docs/notes/conf.py":             "project = 'n'\n",
		"docs/notes/Makefile":            "all:\n\techo notes\n",
		"docs/notes/index.rst":           "Notes\n=====\n",
		"third_party/lib/LICENSE":        "MIT\n",
		"third_party/lib/docs/conf.py":   "project = 'lib'\n",
		"third_party/lib/docs/make.bat":  "set SPHINXBUILD=sphinx-build\n",
		"third_party/lib/docs/index.rst": "Lib\n===\n",
		"book/Makefile":                  "SPHINXBUILD = $(PYTHON) -m sphinx\n",
		"book/source/conf.py":            "project = 'b'\n",
		"book/source/index.rst":          "Book\n====\n\nSee :doc:`license`.\n",
		"book/source/license.rst":        "License\n=======\n",
		"guide/Makefile":                 "SPHINXBUILD   = python3 -msphinx\n",
		"guide/source/conf.py":           "project = 'g'\n",
		"guide/source/index.rst":         "Guide\n=====\n",
	})
	wantFiles(t, root, "README.md", "book/source/index.rst", "book/source/license.rst", "docs/manual/index.rst", "docs/manual/users/guide.rst",
		"guide/source/index.rst")
}

// TestSphinxUnreachedPages: a page of a Sphinx source folder that no
// toctree, role, link or include names (nor the root's pages, nor
// conf.py) is built as a page no reader reaches, and is not read; one
// named in any of those ways is, and so is one with an :orphan: field,
// the root document, a README (github.com shows it in its folder), and
// every page of a project whose toctree globs.
func TestSphinxUnreachedPages(t *testing.T) {
	sphinxMake := "html:\n\tsphinx-build -b html . _build\n"
	root := writeTree(t, map[string]string{
		"README.md":     "# R\n\nSee [the history](docs/history.rst).\n",
		"docs/Makefile": sphinxMake,
		// "authors," in a comment and "the authors" in prose name no
		// document.
		"docs/conf.py": "# (source start file, name, description, authors, manual section).\nproject = 'p'\n",
		"docs/index.rst": "Index\n=====\n\nThanks to the authors\nand to all.\n\n.. toctree::\n\n   install\n   Usage <guide/usage>\n   releases/1.2.3\n\n" +
			".. include:: snippet.rst\n\nSee :ref:`faq-top` and :doc:`/guide/api`.\n",
		"docs/install.rst":             "Install\n=======\n",
		"docs/releases/1.2.3.rst":      "1.2.3\n=====\n",
		"docs/guide/usage.rst":         "Usage\n=====\n",
		"docs/guide/api.rst":           "API\n===\n",
		"docs/snippet.rst":             "Some text.\n",
		"docs/faq.rst":                 ".. _faq-top:\n\nFAQ\n===\n",
		"docs/notes.rst":               ":orphan:\n\nNotes\n=====\n",
		"docs/history.rst":             "History\n=======\n",
		"docs/tour.ipynb":              "{\"cells\": [{\"source\": [\".. toctree::\\n\", \"   recipes\\n\"]}]}\n",
		"docs/recipes.rst":             "Recipes\n=======\n",
		"docs/authors.rst":             "Authors\n=======\n\n.. include:: ../AUTHORS.rst\n",
		"docs/test/input.rst":          "Input\n=====\n\nA test reads this page: input.rst.\n",
		"docs/api/README.rst":          "API sources\n===========\n",
		"book/Makefile":                "html:\n\tsphinx-build -b html source _build\n",
		"book/source/conf.py":          "project = 'b'\n",
		"book/source/index.rst":        "Book\n====\n\n.. toctree::\n   :glob:\n\n   chapters/*\n",
		"book/source/chapters/one.rst": "One\n===\n",
		"book/source/loose.rst":        "Loose\n=====\n",
	})
	wantFiles(t, root, "README.md", "book/source/chapters/one.rst", "book/source/index.rst", "book/source/loose.rst",
		"docs/api/README.rst", "docs/faq.rst", "docs/guide/api.rst", "docs/guide/usage.rst", "docs/history.rst", "docs/index.rst", "docs/install.rst",
		"docs/notes.rst", "docs/recipes.rst", "docs/releases/1.2.3.rst", "docs/snippet.rst")
}

// TestDocsFolderATriggerIgnores: a folder of pages that a workflow's
// trigger leaves out (paths-ignore) is read as docs, but no site
// publishes it for users: its commands are the repository's, judged (a
// cd into a folder the tree lacks is reported), as on a folder a build
// publishes they are not (users-page).
func TestDocsFolderATriggerIgnores(t *testing.T) {
	page := "# Build\n\n```sh\ncd src/font\nmake\n```\n"
	files := map[string]string{
		"README.md":                "# R\n\nSee [building](doc/build.md).\n",
		"doc/build.md":             page,
		"doc/flash.md":             "# Flash\n",
		"doc/debug.md":             "# Debug\n",
		"src/fonts/a.c":            "int a;\n",
		"src/Makefile":             "all:\n",
		".github/workflows/ci.yml": "on:\n  push:\n    paths-ignore:\n      - 'doc/**'\n      - '**.md'\njobs:\n  b:\n    runs-on: x\n",
	}
	wantFindings(t, writeTree(t, files), "doc/build.md:4:4: script: cd src/font: no such folder (did you mean fonts?)")
	files[".github/workflows/ci.yml"] = "on:\n  push:\n    paths:\n      - 'doc/**'\njobs:\n  b:\n    steps:\n      - run: pandoc doc/*.md\n"
	wantFindings(t, writeTree(t, files))
}

// TestRenderedFolders: a folder made of pages that something publishes
// is read though no page links into it: one the build files name
// (docs/, built by a CI workflow), one holding an index.html that renders
// the Markdown beside it (site/), one holding a Jekyll config
// (pages-site/_config.yml, a GitHub Pages site that no build file names).
// A folder of code the build names (lib/: one README among Go files) is
// not, nor a folder nothing names (notes/).
func TestRenderedFolders(t *testing.T) {
	c, err := New(Options{Repo: repo.New(filepath.Join("testdata", "sites", "rendered-folder"))})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	// packages/ holds a site's pages (an unpublished book) and code: not
	// a folder of pages itself, but old-docs/ beside the book is one.
	// lib/README.md is no folder of pages either: it is read as the
	// README GitHub shows below lib/'s files (TestFolderReadmes).
	// manual/markdown/ is made of pages, but the build files name it only
	// to delete it (the Makefile's clean recipe): a build's output.
	// tools/ holds a script a workflow runs and the templates it fills
	// in ("# {{ name }}"): no pages.
	want := []string{"README.md", "docs/src/guide/options.md", "docs/src/index.md", "lib/README.md", "packages/old-docs/guide.md", "pages-site/index.md", "pages-site/sensors.md", "site/intro.md"}
	if !slices.Equal(got, want) {
		t.Errorf("Files(.) =\n%q\nwant\n%q", got, want)
	}
}

// TestFolderReadmes: the README of a folder nothing links to is read, as
// GitHub shows it below the folder's files, with the pages it links to;
// its links and anchors are judged, its commands are not (browsed-page),
// except a name one typo from one beside it (./deplyo.sh beside
// deploy.sh, make deplyo beside its Makefile's deploy: misspelt). A
// folder of another project's files or of a test's inputs (vendor/,
// testdata/, fixtures/, tools/theme-css-2.1/: a copy of the repository
// its README links, with a license of its own), a hidden one and one a
// site's pages lie in are
// not browsed for READMEs, nor is a README that is a symbolic link
// (linked/README.md, to tools/USAGE.md: a page written for its target's
// folder).
func TestFolderReadmes(t *testing.T) {
	c, err := New(Options{Repo: repo.New(filepath.Join("testdata", "sites", "folder-readmes")), Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	got, lines := publishedAndFound(t, c)
	want := []string{"README.md", "tools/README.md", "tools/USAGE.md", "tools/pkg/example/README.md"}
	if !slices.Equal(got, want) {
		t.Errorf("Files(.) =\n%q\nwant\n%q", got, want)
	}
	// tools/pkg/example/README.md's `cd example` (beside the root's
	// examples/) is no certain misspelling: the page may be read in an
	// archive of tools/pkg, whose example/ it enters; nor is its `make
	// biuld`, as tools/ holds a Makefile of its own (misspeltAnywhere).
	wantFindings := []string{
		"tools/README.md:3:1: link: link target `gone.md` does not exist",
		"tools/README.md:6:1: script: ./rn.sh does not exist (did you mean ./run.sh?) [not certain: browsed-page]",
		"tools/README.md:11:1: script: ./deplyo.sh does not exist (did you mean ./deploy.sh?)",
		`tools/README.md:15:6: make-target: make target "deplyo" is not defined in tools/Makefile (did you mean ` + "`make deploy`?)",
		`tools/README.md:16:6: make-target: make target "publish" is not defined in tools/Makefile [not certain: browsed-page]`,
		"tools/USAGE.md:3:1: anchor: anchor #gone does not exist on this page",
		"tools/pkg/example/README.md:6:4: script: cd example: no such folder (did you mean examples?) [not certain: browsed-page]",
		`tools/pkg/example/README.md:12:6: make-target: make target "biuld" is not defined in tools/pkg/example/Makefile (did you mean ` + "`make build`?) [not certain: browsed-page]",
	}
	if !slices.Equal(lines, wantFindings) {
		t.Errorf("findings =\n%q\nwant\n%q", lines, wantFindings)
	}
	// Named on the command line, the same README is checked whatever it
	// is: its commands are judged.
	named, err := c.Check(context.Background(), []string{"tools/README.md"})
	if err != nil {
		t.Fatal(err)
	}
	if len(named) != 5 || named[1].String() != "tools/README.md:6:1: script: ./rn.sh does not exist (did you mean ./run.sh?)" {
		t.Errorf("tools/README.md named: findings %q", named)
	}
}

// TestPublishedSiteSources: a site is published when the build files name
// its pages folder, not only its config's: Sphinx's source folder doc/,
// whose conf.py sits in a config folder of its own (sphinx-build -c), is
// read though no page links into it and it is not a folder made of
// pages (its extensions outnumber the pages).
func TestPublishedSiteSources(t *testing.T) {
	wantFiles(t, filepath.Join("testdata", "sites", "sphinx-confdir"), "doc/guide.md", "doc/index.md")
}

// TestPublishedSitePackage: a site is published when the build files
// name the folder of its own package, whose package.json runs the
// generator on the site's folder (packages/docs runs "vitepress build
// pages"); a sample site whose package nothing names is not.
func TestPublishedSitePackage(t *testing.T) {
	wantFiles(t, filepath.Join("testdata", "sites", "vitepress-package"), "README.md", "packages/docs/pages/guide.md", "packages/docs/pages/index.md")
}

// TestPublishedByLink: a code host's address of a Markdown file this
// tree holds publishes that file; an address on any other host does
// not, nor does a link to the folder of a site nothing publishes (a
// book whose generated pages the build writes).
func TestPublishedByLink(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md": "# R\n\nSee the [manual](./doc/manual/source), the [tutorial](https://codeberg.org/o/r/src/stable/doc/TUTORIAL.md)," +
			" the [guide](https://github.com/o/r/blob/main/doc/GUIDE.md) and [other](https://example.org/o/r/blob/main/doc/OTHER.md).\n",
		"doc/manual/book.toml.in":        "[book]\ntitle = \"R @version@\"\nsrc = \"source\"\n",
		"doc/manual/source/SUMMARY.md":   "- [Intro](intro.md)\n",
		"doc/manual/source/intro.md":     "# Intro\n",
		"doc/TUTORIAL.md":                "# T\n",
		"doc/GUIDE.md":                   "# G\n",
		"doc/OTHER.md":                   "# O\n",
		"doc/manual/source/unlinked.txt": "not a page\n",
	})
	wantFiles(t, root, "README.md", "doc/GUIDE.md", "doc/TUTORIAL.md")
}

// TestSymlinkedReadme: a README that is a symbolic link to a page is
// shown by GitHub where the link lies, its relative links resolved from
// the link's folder: it is checked there, at its own lines, and its
// target where it lies. Another symbolic link to a page is that page.
func TestSymlinkedReadme(t *testing.T) {
	root := writeTree(t, map[string]string{
		"CONTRIBUTING.md":  "# C\n\n## Setup\n",
		"pkg/README.md":    "# P\n\n[setup](CONTRIBUTING.md#setup)\n[stale](CONTRIBUTING.md#gone)\n[beside the target](local.md)\n",
		"pkg/local.md":     "# L\n",
		"docs/guide.md":    "# G\n",
		"docs/readme.txt":  "not a page\n",
		"docs/more/inn.md": "# I\n",
	})
	for link, target := range map[string]string{"README.md": "pkg/README.md", "docs/alias.md": "guide.md"} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Files([]string{"README.md", "docs/alias.md"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"README.md", "docs/guide.md"}; !slices.Equal(got, want) {
		t.Errorf("Files =\n%q\nwant\n%q", got, want)
	}
	// Published: the README where the link lies, and its target where it
	// lies (the README of its folder there).
	all, err := c.Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"CONTRIBUTING.md", "README.md", "pkg/README.md", "pkg/local.md"}; !slices.Equal(all, want) {
		t.Errorf("Files(.) =\n%q\nwant\n%q", all, want)
	}
	findings, err := c.Run(context.Background(), []string{"README.md"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range findings {
		lines = append(lines, fmt.Sprintf("%s:%d %s", f.Path, f.Line, f.Rule))
	}
	// From the root: CONTRIBUTING.md#setup resolves; #gone does not, and
	// local.md, beside the target only, is not there.
	if want := []string{"README.md:4 anchor", "README.md:5 link"}; !slices.Equal(lines, want) {
		t.Errorf("findings %q, want %q", lines, want)
	}
}

// TestOtherMarkupReadme: a root README in another markup GitHub renders
// (Pod) sends readers to the pages it names by their code host's address;
// a plain-text README is shown as text, its addresses are not links.
func TestOtherMarkupReadme(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.pod":        "=head1 R\n\nOps are in L<the docs|https://github.com/o/r/blob/main/docs/ops.markdown>.\n",
		"README.txt":        "See https://github.com/o/r/blob/main/docs/other.md\n",
		"docs/ops.markdown": "# Ops\n",
		"docs/other.md":     "# Other\n",
	})
	wantFiles(t, root, "docs/ops.markdown")
}

// TestRegistryPages: a page a package registry shows is published though
// no page links it, when something publishes the package: the build files
// name its folder or the folder of packages it lies in. A Helm chart's
// README.md is the chart's page (helm package puts it into the archive,
// Artifact Hub shows it); the readme a pyproject.toml declares
// ([project], or [tool.poetry]) is the project's page on PyPI. Not read:
// a README beside a pyproject.toml that declares none, and a sample chart
// or project under test/ that no build file names.
// publishedAndFound runs a fixture as the command does by default: the
// pages Files finds from the root, then the findings of checking them.
func publishedAndFound(t *testing.T, c *Checker) (files, findings []string) {
	t.Helper()
	files, err := c.Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	return files, checkedLines(t, c, ".")
}

func TestRegistryPages(t *testing.T) {
	c, err := New(Options{Repo: repo.New(filepath.Join("testdata", "sites", "registry-pages"))})
	if err != nil {
		t.Fatal(err)
	}
	got, lines := publishedAndFound(t, c)
	want := []string{"README.md", "charts/app/README.md", "python/lib/README.md", "python/pkg/DESCRIPTION.md"}
	if !slices.Equal(got, want) {
		t.Errorf("Files(.) =\n%q\nwant\n%q", got, want)
	}
	wantFindings := []string{
		"charts/app/README.md:4:19: anchor: anchor #values does not exist on this page",
		"python/pkg/DESCRIPTION.md:3:34: anchor: anchor #install does not exist on this page",
	}
	if !slices.Equal(lines, wantFindings) {
		t.Errorf("findings =\n%q\nwant\n%q", lines, wantFindings)
	}
}

// TestRestructuredTextReadme: GitHub renders a root README.rst (a page
// checked itself) with its link targets as relative links, so the pages
// they name are published: explicit targets (".. _name: path") and
// embedded ones ("`text <path>`_"), a folder meaning its README.md. A
// target on another site, or a page nothing names, is not.
func TestRestructuredTextReadme(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.rst": "R\n=\n\n`Go with Bzlmod`_, the `core rules <docs/rules.md#go_binary>`__ and the docs_.\n\n" +
			".. _Go with Bzlmod: docs/bzlmod.md\n.. _docs: docs/\n.. _site: https://example.org/docs/web.md\n",
		"docs/README.md": "# Docs\n",
		"docs/bzlmod.md": "# Bzlmod\n",
		"docs/rules.md":  "# Rules\n",
		"docs/web.md":    "# Web\n",
		"docs/orphan.md": "# Orphan\n",
	})
	wantFiles(t, root, "README.rst", "docs/README.md", "docs/bzlmod.md", "docs/rules.md")
}

// TestGitHubRenderedRST: a reStructuredText page at the root or under
// .github, outside any Sphinx project, is a page github.com renders with
// docutils alone: its commands and images are judged as a Markdown
// page's are, and so are the relative targets of its hyperlink
// references, embedded or explicit, while Sphinx's roles (:doc:), include
// and literalinclude, which github.com does not render, name no file. One
// in a folder below the root is not an entry page.
func TestGitHubRenderedRST(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":    "# R\n",
		"run-tests.sh": "#!/bin/sh\n",
		"logo.png":     "",
		"CONTRIBUTING.rst": "Contributing\n============\n\nFrom the top of the tree::\n\n    $ ./run-test.sh\n\n" +
			".. image:: logo.png\n\n.. image:: logos.png\n\nSee :doc:`gone` and\n\n.. include:: gone.rst\n\n" +
			"Read the `guide <doc/gide.rst>`_, the `notes`_, `the site <https://example.org/x.rst>`__ and `Notes <doc/notes.rst>`_.\n\n" +
			".. _notes: doc/note.rst\n",
		".github/PULL_REQUEST_TEMPLATE.rst": "Checklist\n=========\n\n.. code-block:: console\n\n   $ sh run-tests.sh\n",
		"doc/notes.rst":                     "Notes\n=====\n\n.. image:: nowhere.png\n",
	})
	wantFiles(t, root, ".github/PULL_REQUEST_TEMPLATE.rst", "CONTRIBUTING.rst", "README.md")
	wantFindings(t, root,
		"CONTRIBUTING.rst:6:7: script: ./run-test.sh does not exist (did you mean ./run-tests.sh?)",
		"CONTRIBUTING.rst:10:12: link: link target `logos.png` does not exist (did you mean logo.png?)",
		"CONTRIBUTING.rst:16:18: link: link target `doc/gide.rst` does not exist",
		"CONTRIBUTING.rst:18:12: link: link target `doc/note.rst` does not exist (did you mean doc/notes.rst?)",
	)
}

// TestRSTWrittenForIncluder: a root reStructuredText page that a Sphinx
// page includes (docs/authors.rst: ".. include:: ../AUTHORS.rst") is
// written for the including page, where its references resolve: an image
// missing beside it but there beside the including page is not judged on
// its github.com view; one missing from both is reported. Its relative
// link targets are the site's addresses (roadmap.html), as a Sphinx
// page's are: not judged.
func TestRSTWrittenForIncluder(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":          "# R\n",
		".readthedocs.yaml":  "version: 2\nsphinx:\n  configuration: docs/conf.py\n",
		"docs/conf.py":       "project = 'p'\n",
		"docs/index.rst":     "P\n=\n",
		"docs/authors.rst":   ".. include:: ../AUTHORS.rst\n",
		"docs/logos/lab.png": "",
		"AUTHORS.rst":        "Authors\n=======\n\n.. image:: logos/lab.png\n\n.. image:: logos/fund.png\n\nSee the `roadmap <roadmap.html>`_.\n",
	})
	wantFindings(t, root, "AUTHORS.rst:6:12: link: link target `logos/fund.png` does not exist")
}

// TestIncludedSphinxPage: a page of the source folder that another page
// includes is a document Sphinx builds too (notes/x.rst including
// advanced/x.rst, for an old address): its references are judged from
// its own folder, and one missing there that resolves from the
// including page's folder (a fragment written for its includer, a :doc:
// name there) is not judged.
func TestIncludedSphinxPage(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":                  "# R\n",
		".readthedocs.yaml":          "version: 2\nsphinx:\n  configuration: docs/conf.py\n",
		"docs/conf.py":               "project = 'p'\n",
		"docs/index.rst":             "P\n=\n",
		"docs/notes/graph.rst":       ".. include:: ../advanced/graph.rst\n",
		"docs/advanced/graph.rst":    "Graph\n=====\n\n.. figure:: ../_figures/results.png\n\n.. figure:: ../_figures/result.png\n",
		"docs/_figures/results.png":  "",
		"docs/guide/setup.rst":       "Setup\n=====\n\n.. include:: ../_inc/common.rst\n",
		"docs/guide/images/shot.png": "",
		"docs/guide/install.rst":     "Install\n=======\n",
		"docs/_inc/common.rst":       ".. image:: images/shot.png\n\nSee :doc:`install`.\n",
	})
	wantFindings(t, root, "docs/advanced/graph.rst:6:13: link: link target `../_figures/result.png` does not exist (did you mean ../_figures/results.png?)")
}

// TestWrittenByScript: a file a script of the tree writes is one a build
// may make: a page a shell script copies into the docs (cp gif/README.md
// docs/gifs.md), a manual a Python helper moves into a Sphinx source
// (os.rename(..., 'docs/manual.pdf')). A link or download to it is not
// judged. One to a file no script writes is, even when a script names it
// otherwise: compiles it (cc src/cli.c) or compares a name with it.
func TestWrittenByScript(t *testing.T) {
	root := writeTree(t, map[string]string{
		".readthedocs.yaml": "version: 2\nsphinx:\n  configuration: docs/conf.py\n",
		"docs/conf.py":      "project = 'p'\n",
		"docs/index.rst":    "P\n=\n\n:download:`manual.pdf` and :download:`guide.pdf`.\n",
		"README.md":         "# R\n\nSee [GIFs](docs/gifs.md) and [SVGs](docs/svgs.md).\n\n![shot](doc/shot.png)\n",
		"gif/README.md":     "# GIF\n",
		"deploy_docs.sh":    "#!/bin/sh\ncp gif/README.md docs/gifs.md\n",
		"tools/build.py":    "import os\nos.rename('docs/_build/latex/P.pdf', 'docs/manual.pdf')\n",
		"sys/urls.sh":       "#!/bin/bash\nif [[ \"$file\" == \"doc/shot.png\" ]]; then echo skip; fi\n",
		"lib/make-ci.sh":    "#!/bin/sh\ncc src/cli.c\n",
		"lib/README.md":     "# Lib\n\nSee [the CLI](/src/cli.c).\n",
	})
	wantFindings(t, root,
		"README.md:3:30: link: link target `docs/svgs.md` does not exist",
		"README.md:5:1: link: link target `doc/shot.png` does not exist",
		"docs/index.rst:4:39: link: link target `guide.pdf` does not exist",
		"lib/README.md:3:5: link: link target `/src/cli.c` does not exist",
	)
}

// wantFiles fails t unless a run with no arguments in root reads exactly want, in order.
func wantFiles(t *testing.T, root string, want ...string) {
	t.Helper()
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Files([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Files(.) =\n%q\nwant\n%q", got, want)
	}
}

// TestPublishedByReadTheDocsLegacyName: Read the Docs reads its config
// under the names without a dot too (readthedocs.yml): a Sphinx site it
// names is published, and its pages are read though no page links them.
func TestPublishedByReadTheDocsLegacyName(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":        "# R\n",
		"readthedocs.yml":  "version: 2\nsphinx:\n  configuration: docs/conf.py\n",
		"docs/conf.py":     "extensions = ['myst_parser']\nmaster_doc = 'index'\n",
		"docs/index.rst":   "R\n=\n\n.. toctree::\n\n   guide\n",
		"docs/guide.md":    "# Guide\n",
		"docs/Makefile":    "html:\n\tsphinx-build . _build\n",
		"docs/unrelated.c": "int main(void) { return 0; }\n",
	})
	wantFiles(t, root, "README.md", "docs/guide.md", "docs/index.rst")
}

// TestSphinxPages: a published Sphinx project's reStructuredText pages
// are read, except those exclude_patterns names (a page another page
// includes is read too: Sphinx builds it); a project nothing publishes is
// not read, and neither is a project whose exclude_patterns conf.py
// computes.
func TestSphinxPages(t *testing.T) {
	wantFiles(t, filepath.Join("testdata", "sites", "sphinx-rst"), "README.md", "docs/_includes/common.rst", "docs/guide/install.rst", "docs/index.rst")
	root := writeTree(t, map[string]string{
		"README.md":          "# R\n",
		"sample/conf.py":     "project = 'sample'\n",
		"sample/index.rst":   "S\n=\n",
		"computed/conf.py":   "exclude_patterns = ['_build'] + DRAFTS\n",
		"computed/index.rst": "C\n=\n",
		".readthedocs.yaml":  "version: 2\nsphinx:\n  configuration: computed/conf.py\n",
	})
	wantFiles(t, root, "README.md")
}

// TestRepositoryNamedFolderNotElsewhere: a root README's address whose
// whole path is a folder's name says that folder is published elsewhere,
// but not when the folder is named as this repository (its own source,
// locust/ in locust): an address ending in the project's name names the
// project. That folder's README is read as any folder's.
func TestRepositoryNamedFolderNotElsewhere(t *testing.T) {
	root := writeTree(t, map[string]string{
		".git/config":      "[remote \"origin\"]\n\turl = https://github.com/example/tool.git\n",
		"README.md":        "# Tool\n\nRead [our blog](https://medium.com/tool) and the [manual](https://example.org/doc/).\n",
		"tool/README.md":   "# Web UI\n\nSee [gone](gone.md).\n",
		"tool/main.py":     "print('hi')\n",
		"doc/README.md":    "# Doc\n\nSee [gone](gone.md).\n",
		"doc/reference.md": "# Reference\n",
	})
	wantFiles(t, root, "README.md", "tool/README.md")
}

// TestFolderOfDataNotElsewhere: an address whose whole path is a folder's
// name says nothing of a folder that is not made of pages (an API
// description with its README): the site there is built elsewhere, and
// the folder's README is read as any folder's; a folder made of pages
// (reStructuredText counts) is still published there.
func TestFolderOfDataNotElsewhere(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":          "# Tool\n\nRead the [docs](https://example.org/docs) and the [manual](https://example.org/manual/).\n",
		"docs/README.md":     "# OpenAPI\n\nSee [gone](gone.md).\n",
		"docs/root.yaml":     "openapi: 3.0.0\n",
		"docs/schemas.yaml":  "{}\n",
		"docs/openapi.json":  "{}\n",
		"manual/README.md":   "# Manual\n",
		"manual/index.rst":   "Manual\n======\n",
		"manual/install.rst": "Install\n=======\n",
		"manual/conf.py":     "project = 'tool'\n",
	})
	wantFiles(t, root, "README.md", "docs/README.md")
}

// TestPastedReadme: a folder README that only browsing reaches and that
// links a page of a published site by the site's path is written for the
// site (a build pastes it into a page there): its links the site serves
// and its own fragments are not judged; a link missing from both stays
// certain, and a README with no such link is judged as any other.
func TestPastedReadme(t *testing.T) {
	c, err := New(Options{Repo: repo.New(filepath.Join("testdata", "sites", "pasted-readme"))})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Check(context.Background(), []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.String())
	}
	for _, f := range c.NotJudged() {
		got = append(got, f.String())
	}
	want := []string{
		"plugins/antibot/README.md:4:28: link: link target `old-guide.md` does not exist",
		"plugins/limit/README.md:3:5: anchor: anchor #setings does not exist on this page",
		"plugins/limit/README.md:3:34: link: link target `guide.md` does not exist",
		"plugins/antibot/README.md:3:26: link: link target `web-ui.md` does not exist [not certain: site-rule]",
		"plugins/antibot/README.md:4:1: anchor: anchor #sessions does not exist on this page [not certain: site-rule]",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadmeThroughFolderLink: a page links a folder's README by way of a
// symbolic link to the folder (docs/frontend, a link to ../frontend).
// The README is its target's, read once where it lies; following the
// links of the published pages ends (it once queued the README's path
// through the link again and again).
func TestReadmeThroughFolderLink(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":          "# R\n\n[frontend](docs/frontend/README.md)\n",
		"frontend/README.md": "# F\n\n[back](../README.md)\n",
		"docs/guide.md":      "# G\n",
	})
	if err := os.Symlink("../frontend", filepath.Join(root, "docs", "frontend")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		files []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		files, err := c.Files([]string{"."})
		done <- result{files, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if want := []string{"README.md", "frontend/README.md"}; !slices.Equal(r.files, want) {
			t.Errorf("Files(.) =\n%q\nwant\n%q", r.files, want)
		}
	case <-time.After(time.Minute):
		t.Fatal("Files(.) did not end within a minute: the published pages' walk does not end")
	}
}

// TestPublishedReStructuredTextByLink: github.com renders a
// reStructuredText file outside any Sphinx project wherever it lies, so
// one a published page links, by a relative link or by the code host's
// address of it (an rst page's explicit or embedded target), is published
// too; one nothing links is not, nor one of a Sphinx project's folder
// that the site does not publish.
func TestPublishedReStructuredTextByLink(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.rst": "R\n=\n\nSee the FAQ_ and `the tutorial <https://github.com/o/r/blob/main/docs/tutorial.rst>`_.\n\n" +
			".. _FAQ: https://github.com/o/r/blob/master/docs/faq.rst\n",
		"CONTRIBUTING.md":           "# C\n\n[process](docs/internal/process.rst)\n",
		"docs/faq.rst":              "FAQ\n===\n\nSee MORE_.\n\n.. _MORE: https://github.com/o/r/blob/main/docs/more.rst\n",
		"docs/more.rst":             "More\n====\n",
		"docs/tutorial.rst":         "Tutorial\n========\n",
		"docs/unlinked.rst":         "Unlinked\n========\n",
		"docs/internal/process.rst": "Process\n=======\n",
	})
	wantFiles(t, root, "CONTRIBUTING.md", "README.rst", "docs/faq.rst", "docs/internal/process.rst", "docs/more.rst", "docs/tutorial.rst")
}

// TestSphinxMarkdownParsers: a Sphinx project reads Markdown pages, which
// it publishes as documents, through any Markdown parser conf.py loads
// (not only MyST's: sphinx_mdinclude, recommonmark) or through ".md"
// named as a source suffix; a project with none reads its .md files as
// nothing, and they are not its pages.
func TestSphinxMarkdownParsers(t *testing.T) {
	for conf, published := range map[string]bool{
		"extensions = [\"sphinx.ext.autodoc\", \"sphinx_mdinclude\"]\n":                   true,
		"extensions = ['recommonmark']\n":                                                 true,
		"source_suffix = {\n    '.rst': 'restructuredtext',\n    '.md': 'markdown',\n}\n": true,
		"source_suffix = ['.rst', '.md']\n":                                               true,
		"extensions = [\"sphinx.ext.autodoc\"]\n# extensions.append('myst_parser')\n":     false,
		"source_suffix = '.rst'\nnote = '.md'\n":                                          false,
	} {
		root := writeTree(t, map[string]string{
			".readthedocs.yaml":            "version: 2\nsphinx:\n  configuration: docs/conf.py\n",
			"docs/conf.py":                 conf,
			"docs/index.rst":               "Index\n=====\n\n.. toctree::\n\n   install/contributors.md\n",
			"docs/install/contributors.md": "# Contributors\n",
		})
		want := []string{"docs/index.rst"}
		if published {
			want = append(want, "docs/install/contributors.md")
		}
		t.Run(conf, func(t *testing.T) { wantFiles(t, root, want...) })
	}
}

// TestRootedTreeFolder: a folder prose writes with a leading slash is
// the repository's when the tree has it and it is no folder of a
// machine's file system.
func TestRootedTreeFolder(t *testing.T) {
	root := writeTree(t, map[string]string{"frontend/package.json": "{}\n", "etc/x.conf": "x\n", "docs/api/x.md": "# X\n"})
	c := newTestChecker(t, root)
	for name, want := range map[string]string{
		"/frontend": "frontend", "/docs/api/": "docs/api", "/etc": "/etc", "/usr/local": "/usr/local",
		"/missing": "/missing", "frontend": "frontend", "/": "/",
	} {
		if got := c.rootedTreeFolder(name); got != want {
			t.Errorf("rootedTreeFolder(%q) = %q, want %q", name, got, want)
		}
	}
}
