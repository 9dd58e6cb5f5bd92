package repo

import (
	"slices"
	"strings"
	"testing"
)

// TestExcludePatterns: the plain strings exclude_patterns is given, by an
// assignment (an annotated one too: exclude_patterns: list[str] = []),
// +=, .append or .extend; any other use leaves them unknown.
func TestExcludePatterns(t *testing.T) {
	for _, tc := range []struct {
		code  string
		want  []string
		known bool
	}{
		{"project = 'x'\n", nil, true},
		{"exclude_patterns = ['_build', \"drafts/**\"]  # built elsewhere\n", []string{"_build", "drafts/**"}, true},
		{"exclude_patterns = [\n    '_build',\n    'Thumbs.db',\n]\n", []string{"_build", "Thumbs.db"}, true},
		{"exclude_patterns = ['_build'] + DRAFTS\n", nil, false},
		{"exclude_patterns = ['_build']\nexclude_patterns.append('x')\n", []string{"_build", "x"}, true},
		{"exclude_patterns = []\nexclude_patterns += ['x']\n", []string{"x"}, true},
		{"exclude_patterns = ['a']\nexclude_patterns = ['_build']  # the one Sphinx reads\n", []string{"a", "_build"}, true},
		{"exclude_patterns = ['b']\nif FAST:\n    exclude_patterns.append(\"**/*.ipynb\")\n", []string{"b", "**/*.ipynb"}, true},
		{"exclude_patterns = []\nexclude_patterns.extend(['x', 'y'])\n", []string{"x", "y"}, true},
		{"exclude_patterns = ['_build']\nexclude_patterns.append(DRAFT)\n", nil, false},
		{"exclude_patterns = ['_build']\nexclude_patterns[0] = 'x'\n", nil, false},
		{"exclude_patterns = ['_build']\nprune(exclude_patterns)\n", nil, false},
		{"exclude_patterns = drafts()\n", nil, false},
		{"exclude_patterns: list[str] = []\n", nil, true},
		{"exclude_patterns: list[str] = ['_build']\nexclude_patterns += ['x']\n", []string{"_build", "x"}, true},
		{"exclude_patterns: list[str] = drafts()\n", nil, false},
		{"exclude_patterns = [\n    '_build',  # Sphinx's output\n    'drafts',  # not yet\n]\n", []string{"_build", "drafts"}, true},
	} {
		got, known := excludePatterns(tc.code)
		if !slices.Equal(got, tc.want) || known != tc.known {
			t.Errorf("excludePatterns(%q) = %q, %v; want %q, %v", tc.code, got, known, tc.want, tc.known)
		}
	}
}

func TestSphinxExcludes(t *testing.T) {
	s := SphinxSource{Dir: "docs", Excluded: []string{"_build", "drafts/**", "*.inc.rst", "api/*/index.rst", "**.part.rst", "old?.rst"}}
	for p, want := range map[string]bool{
		"docs/using/x.part.rst":    true, // "**" crosses folders, within a name too
		"docs/x.part.rst":          true,
		"docs/old1.rst":            true,
		"docs/old12.rst":           false,
		"docs/_build/html/x.rst":   true,
		"docs/drafts/a/b.rst":      true,
		"docs/x.inc.rst":           true,
		"docs/sub/x.inc.rst":       false, // "*" stays within a folder
		"docs/api/core/index.rst":  true,
		"docs/api/core/other.rst":  false,
		"docs/guide/install.rst":   false,
		"docs/guide/_build.rst":    false,
		"docs/guide/drafts/rn.rst": false,
	} {
		if got := s.Excludes(p); got != want {
			t.Errorf("Excludes(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestWithoutReadOnlyRuns(t *testing.T) {
	for _, tc := range []struct {
		code   string
		writes bool
	}{
		{"import subprocess\nversion = subprocess.check_output([\"git\", \"rev-parse\", \"HEAD\"], text=True)\n", false},
		{"import subprocess\nrelease = subprocess.run(\n    [\"git\", \"describe\", \"--long\"], stdout=subprocess.PIPE, text=True\n)\n", false},
		{"import subprocess\ntag = subprocess.getoutput(\"git describe --tags\")\n", false},
		{"import subprocess\ntry:\n    rev = subprocess.check_output(['git', 'rev-parse', 'HEAD'])\nexcept subprocess.CalledProcessError:\n    rev = 'main'\n", false},
		{"import subprocess\nsubprocess.run(\"doxygen\", cwd=\"..\")\n", true},
		{"import subprocess\nsubprocess.check_call([\"git\", \"clone\", URL, \"ext\"])\n", true},
		{"from subprocess import check_output\nout = check_output(['git', 'rev-parse', 'HEAD'])\nsubprocess.call('cd ..; doxygen', shell=True)\n", true},
		{"with open(os.path.join(here, '..', 'VERSION')) as f:\n    version = f.read().strip()\n", false},
		{"with codecs.open(os.path.join(here, *parts), \"r\") as fp:\n    return fp.read()\n", false},
		{"with open(os.path.join(here, *parts), mode) as fp:\n    pass\n", true},
		{"version = open('../VERSION', encoding='utf-8').read()\nmeta = json.load(Path('x.json').open('rb'))\n", false},
		{"with open('_static/table.html', 'w') as f:\n    f.write(table)\n", true},
		{"with open(out, mode='a') as f:\n    pass\n", true},
		{"with open(path, flags) as f:\n    pass\n", true},
		{"with open(\n    path,\n    'w',\n) as f:\n    pass\n", true},
	} {
		acts := withoutReadOnlyRuns(tc.code)
		if got := slices.ContainsFunc(sphinxWriters, func(w string) bool { return strings.Contains(acts, w) }); got != tc.writes {
			t.Errorf("conf.py %q: writes files = %v, want %v (left: %q)", tc.code, got, tc.writes, acts)
		}
	}
}

// TestPyDictKeys: the keys of a dict assigned at conf.py's top level,
// written as plain strings; a nested dict's keys are its values', not
// its own.
func TestPyDictKeys(t *testing.T) {
	code := "link_files = {\n    '../NEWS.rst': dict(\n        using={'GH': 'https://github.com'},\n    ),\n    \"../CHANGES.rst\": {},\n}\nother = {'x': 1}\n"
	if got, want := pyDictKeys(code, "link_files"), []string{"../NEWS.rst", "../CHANGES.rst"}; !slices.Equal(got, want) {
		t.Errorf("pyDictKeys = %q, want %q", got, want)
	}
	if got, want := pyDictKeys("link_files: dict[str, dict] = {'../NEWS.rst': {}}\n", "link_files"), []string{"../NEWS.rst"}; !slices.Equal(got, want) {
		t.Errorf("pyDictKeys(annotated) = %q, want %q", got, want)
	}
	if got := pyDictKeys(code, "missing"); got != nil {
		t.Errorf("pyDictKeys(missing) = %q, want nil", got)
	}
}

// TestAutosummaryDirs: the folders autosummary writes its stubs into are
// those its directives' :toctree: options name, from the page's folder (an
// empty value is the page's own), in reStructuredText and in MyST fences;
// a directive without the option writes none.
func TestAutosummaryDirs(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) { writeFile(t, root, name, text) }
	write("docs/index.rst", "Title\n=====\n\n.. autosummary::\n   :nosignatures:\n   :toctree: generated\n\n   pkg.mod\n")
	write("docs/guide/here.rst", ".. autosummary::\n   :toctree:\n\n   pkg.other\n")
	write("docs/myst.md", "```{autosummary}\n:toctree: api\n\npkg.third\n```\n")
	write("docs/plain.rst", ".. autosummary::\n\n   pkg.listed\n\n:toctree: notanoption\n")
	got := New(root).autosummaryDirs("docs")
	slices.Sort(got)
	if want := []string{"docs/api", "docs/generated", "docs/guide"}; !slices.Equal(got, want) {
		t.Errorf("autosummaryDirs = %v, want %v", got, want)
	}
}

// TestSphinxOwnExtensionsAndTemplates: a module of the repository that
// conf.py loads as an extension may write any page, so autosummary's
// :toctree: folders no longer bound what is written; Sphinx excludes
// templates_path from the documents it builds.
func TestSphinxOwnExtensionsAndTemplates(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		module     string // a file of the tree
		wantOther  bool   // MayWritePage of a document outside api/
	}{
		{"autosummary alone", `extensions = ["sphinx.ext.autosummary"]` + "\n", "", false},
		{"a module beside conf.py", `extensions = ["sphinx.ext.autosummary", "gen_table"]` + "\n", "docs/gen_table.py", true},
		{"a module on a folder put on sys.path", `extensions = ["sphinx.ext.autosummary", "gen_table"]` + "\n", "tools/gen_table.py", true},
		{"a package's module", `extensions = ["sphinx.ext.autosummary", "sphinxext.gen"]` + "\n", "tools/sphinxext/gen/__init__.py", true},
		{"another module of that name's end", `extensions = ["sphinx.ext.autosummary", "gen_table"]` + "\n", "tools/regen_table.py", false},
		{"computed", "extensions = base + [\"sphinx.ext.autosummary\"]\n", "", true},
	} {
		root := t.TempDir()
		write := func(name, text string) { writeFile(t, root, name, text) }
		write(".readthedocs.yaml", "version: 2\nsphinx:\n  configuration: docs/conf.py\n")
		write("docs/conf.py", tc.conf+"templates_path = [\"_templates\"]\n")
		write("docs/index.rst", "Title\n=====\n\n.. autosummary::\n   :toctree: api\n\n   pkg.mod\n")
		write("docs/_templates/autosummary/module.rst", "{{ fullname }}\n\n:doc:`gone`\n")
		if tc.module != "" {
			write(tc.module, "def setup(app): pass\n")
		}
		r := New(root)
		srcs := r.SphinxSources()
		if len(srcs) != 1 {
			t.Fatalf("%s: %d Sphinx sources", tc.name, len(srcs))
		}
		s := srcs[0]
		if got := s.MayWritePage("docs/install.rst"); got != tc.wantOther {
			t.Errorf("%s: MayWritePage(docs/install.rst) = %v, want %v", tc.name, got, tc.wantOther)
		}
		if !s.MayWritePage("docs/api/pkg.mod.rst") {
			t.Errorf("%s: MayWritePage(docs/api/pkg.mod.rst) = false", tc.name)
		}
		if slices.Contains(r.SphinxPages(s, nil), "docs/_templates/autosummary/module.rst") {
			t.Errorf("%s: a template under templates_path is read as a page", tc.name)
		}
	}
}

// TestConfCode: a file of the tree that conf.py runs by
// exec(open(...).read()) is read in the call's place, from conf.py's
// folder, whatever follows its read(), its name maybe made absolute
// first (os.path.abspath); a file the tree lacks, one above the root, a
// name joined by code and a call that goes on past its line stay calls.
func TestConfCode(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "pkg/_version.py", "# the version\n__version__ = \"1.0\"\n")
	r := New(root)
	for _, tc := range []struct {
		conf    string
		inlined bool
	}{
		{"exec(open(\"../pkg/_version.py\", \"r\").read())\nrelease = __version__\n", true},
		{"exec(open('../pkg/_version.py').read(), dict(globals()))\n", true},
		{"exec(open(os.path.abspath(\"../pkg/_version.py\")).read())\n", true},
		{"exec(open(os.path.join(here, \"../pkg/_version.py\")).read())\n", false},
		{"exec(open(\"../pkg/gone.py\").read())\n", false},
		{"exec(open(\"../../pkg/_version.py\").read())\n", false},
		{"exec(open(\"../pkg/_version.py\").read(),\n     ns)\n", false},
	} {
		got := r.confCode("docs/conf.py", []byte(tc.conf))
		inlined := strings.Contains(got, `__version__ = "1.0"`) && !strings.Contains(got, "exec(") && !strings.Contains(got, "the version")
		if inlined != tc.inlined || !inlined && !strings.Contains(got, strings.TrimSuffix(tc.conf, "\n")) {
			t.Errorf("confCode(%q) = %q, want the file in the call's place: %v", tc.conf, got, tc.inlined)
		}
	}
}

// TestMkDocsConfigNamedByBuild: a config file that a build file passes to
// MkDocs or Zensical with -f (or --config-file) is a site's config,
// whatever its name, its docs_dir read from its own folder; one no build
// names is not, nor one a build names that the tree lacks.
func TestMkDocsConfigNamedByBuild(t *testing.T) {
	for _, tc := range []struct {
		name, makefile string
		want           bool
	}{
		{"zensical -f", "docs:\n\tuv run zensical build --strict -f docs/site.yml\n", true},
		{"mkdocs --config-file=", "docs:\n\tmkdocs serve --config-file=./docs/site.yml\n", true},
		{"named by no build", "docs:\n\techo docs/site.yml\n", false},
		{"a config the tree lacks", "docs:\n\tmkdocs build -f docs/other.yml\n", false},
	} {
		root := t.TempDir()
		write := func(name, text string) { writeFile(t, root, name, text) }
		write("Makefile", tc.makefile)
		write("docs/site.yml", "site_name: x\ndocs_dir: .\nnav:\n  - index.md\n")
		write("docs/index.md", "# x\n")
		found := false
		for _, s := range New(root).Sites() {
			if s.Generator == "mkdocs" && s.Config == "docs/site.yml" && s.Pages == "docs" {
				found = true
			}
		}
		if found != tc.want {
			t.Errorf("%s: an MkDocs site of docs/site.yml = %v, want %v", tc.name, found, tc.want)
		}
	}
}
