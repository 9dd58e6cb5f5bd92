package repo

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/prodproof/prodproof/docscheck/rst"
)

// SphinxSource is a Sphinx project's source folder: every
// reStructuredText file under it is a page of the built site, except
// those its conf.py's exclude_patterns name. Sphinx reads a page's file
// references (image, figure, include, literalinclude, :download:, :doc:)
// from the page's folder, or from Dir when they start with "/".
type SphinxSource struct {
	Config, Dir string
	// RootDoc is the root document's name, from Dir, without a suffix
	// (conf.py's root_doc or master_doc, "index" when unset).
	RootDoc string
	// Excluded are conf.py's exclude_patterns, relative to Dir;
	// ExcludeKnown is false when conf.py computes them (a list built by
	// code, an append), so that which pages are built is unknown.
	Excluded     []string
	ExcludeKnown bool
	// Highlight is conf.py's highlight_language, "" when unset.
	Highlight string
	// WritesFiles: conf.py runs code at build time that may write any
	// file into the source folder (it opens, copies or writes files,
	// makes folders, runs a program, or loads sphinx-gallery, which
	// writes a gallery's pages, images and scripts), so a file the tree
	// lacks may exist when the site is built. WritesPages: conf.py loads
	// an extension that writes documents only (autosummary, autoapi,
	// apidoc, exhale): a document the tree lacks may exist then, an image
	// or a script may not. nbsphinx and jupyter_sphinx are no such
	// extension: they read the notebooks the source holds and run code
	// into the built pages, and write no source document.
	WritesFiles, WritesPages bool
	// stubDirs, when autosummary is the only extension that writes
	// documents, are the folders its directives' :toctree: options name
	// (from the root), where it writes its stub pages and nowhere else;
	// stubsKnown says they are known (see MayWritePage).
	stubDirs   []string
	stubsKnown bool
	// WrittenDirs, when WritesFiles is set by sphinx-gallery alone, are
	// the folders its config names as those it writes into (gallery_dirs,
	// backreferences_dir), from conf.py's folder: nil when anything else
	// writes, or the config computes them (see MayWrite).
	WrittenDirs []string
	// ownWrites, when WritesFiles is set by conf.py's own calls alone
	// (it opens, copies or writes files, and runs no program, no other
	// file's code, no extension that writes, and copies no folder), is
	// its code: what it writes has a name that code spells, or is a copy
	// of a file of the tree (see MayWrite).
	ownWrites string
	// runsDoxygen, when the only program conf.py runs is doxygen (and
	// it runs no other file's code and no extension that writes), says
	// doxygen writes too: its output formats' files only (see
	// doxygenWrites), with those ownWrites names, if conf.py has calls of
	// its own that write.
	runsDoxygen bool
	// doxygenDirs, when runsDoxygen, are the folders (from the root) the
	// Doxyfiles near conf.py write their output formats into
	// (doxygenOutputDirs); nil when unknown, and then doxygen may write
	// its formats' files anywhere.
	doxygenDirs []string
	// WrittenFiles are files, from the root, that an extension conf.py
	// loads writes at build time by a name its config gives: rst.linker
	// writes "NEWS (links).rst" for each file link_files names
	// (NEWS.rst), for the pages to include.
	WrittenFiles []string
	// RunsPageCode: conf.py loads an extension that runs the code of the
	// pages at build time (pageCodeRunners): that code may write files
	// (plt.savefig("x.png") in an ipython block) the page then shows.
	RunsPageCode bool
	// Intersphinx: conf.py loads sphinx.ext.intersphinx, and it may
	// resolve a :doc: name this project lacks against other projects'
	// inventories: conf.py sets intersphinx_disabled_reftypes, or the
	// repository pins Sphinx below 5.0. Since 5.0 that setting defaults
	// to ["std:doc"]: a :doc: without an inventory's name resolves only
	// here.
	Intersphinx bool
	// LabelsKnown: the source files alone define the project's :ref:
	// labels: conf.py writes no files and loads nothing that makes
	// labels from elsewhere (autodoc's docstrings, autosummary, autoapi,
	// notebooks, a gallery). SectionLabels: sphinx.ext.autosectionlabel
	// makes a label of every section title (SectionPrefix: prefixed by
	// its document's name).
	LabelsKnown, SectionLabels, SectionPrefix bool
}

// sphinxLabelMakers are what conf.py holds when something other than the
// source files may define labels.
var sphinxLabelMakers = []string{"autodoc", "automod", "autosummary", "autoapi", "nbsphinx", "myst_nb", "gallery",
	"jupyter", "breathe", "exhale", "doxy", "hawkmoth", "sphinx_needs", "bibtex"}

// pyAssign is what follows a name that Python assigns to, in a
// config's code: "=", or an annotated assignment's type and "="
// (exclude_patterns: list[str] = [], as a typed conf.py writes it).
const pyAssign = `(?:\s*:[^=\n]*)?\s*=\s*`

var (
	// sphinxExcludeName is a use of the name; sphinxExcludeAssign what
	// follows it in an assignment.
	sphinxExcludeName   = regexp.MustCompile(`\bexclude_patterns\b`)
	sphinxExcludeAssign = regexp.MustCompile(`^(?:` + pyAssign + `|\s*\+=\s*)`)
	sphinxHighlight     = regexp.MustCompile(`(?m)^highlight_language` + pyAssign + `['"]([^'"]+)['"]`)
	pyString            = regexp.MustCompile(`^(?:[rRuU]?)(?:'([^'\\\n]*)'|"([^"\\\n]*)")`)
	// sphinxWriters are what conf.py holds when it runs code that may
	// write any file into the source folder at build time.
	sphinxWriters = append(sphinxFileCalls, sphinxRunners...)
	// sphinxFileCalls are conf.py's own calls that write files.
	sphinxFileCalls = []string{"open(", "shutil", "copyfile", "copytree", "copy2", "write_text", "write_bytes", ".write(",
		"mkdir(", "makedirs"}
	// sphinxRunners are what conf.py holds when it runs a program, the
	// code of another file or an extension that writes files: what those
	// write, conf.py's code does not name.
	sphinxRunners = []string{"subprocess", "os.system", "check_call", "check_output", "Popen", "exec(", "sphinx_gallery",
		"breathe_projects_source", "runpy", "import_module"}
	// pageCodeRunners are the extensions that run code a page holds at
	// build time: IPython's directive, matplotlib's plot directive,
	// jupyter-sphinx's jupyter-execute, sphinx-exec-code.
	pageCodeRunners = []string{"ipython_directive", "plot_directive", "jupyter_sphinx", "sphinx_exec_code"}
	// sphinxPageWriters are the extensions that write documents, and only
	// documents, into the source folder at build time.
	sphinxPageWriters = []string{"autosummary", "autoapi", "apidoc", "exhale"}
)

// sphinxProject is a conf.py beside its project's root document (or
// above the folder that holds it, see sphinxPages): its path, its source
// folder and its text.
type sphinxProject struct {
	config, pages string
	data          []byte
}

// sphinxProjects lists, once, the Sphinx projects of the tree, published
// or not, at the root or up to four folders down.
func (r *Repo) sphinxProjects() []sphinxProject {
	return r.memo("sphinx-projects", "", func() any {
		var out []sphinxProject
		for _, d := range r.foldersDown(4) {
			cfg := path.Join(d, "conf.py")
			data, err := r.ReadFile(cfg)
			if err != nil {
				continue
			}
			if pages, ok := r.sphinxPages(d, data); ok {
				out = append(out, sphinxProject{cfg, pages, data})
			}
		}
		return out
	}).([]sphinxProject)
}

// SphinxSources finds the Sphinx projects of the tree whose site the
// repository publishes (PublishedSite, or one whose own Makefile builds
// it: buildsOwnSphinx): a conf.py beside its root
// document (or below the folder that holds it, see sphinx), at the root
// or up to four folders down.
func (r *Repo) SphinxSources() []SphinxSource {
	var out []SphinxSource
	for _, project := range r.sphinxProjects() {
		cfg, pages, data := project.config, project.pages, project.data
		if !r.PublishedSite(Site{Generator: "sphinx", Config: cfg, Pages: pages}) {
			continue
		}
		code := r.confCode(cfg, data)
		s := SphinxSource{Config: cfg, Dir: pages, RootDoc: "index"}
		if m := sphinxRootDoc.FindSubmatch(data); m != nil {
			s.RootDoc = string(m[1])
		}
		s.Excluded, s.ExcludeKnown = excludePatterns(code)
		if templates, ok := settingStrings(code, "templates_path"); ok && path.Dir(cfg) == pages {
			// Sphinx adds templates_path to exclude_patterns: a
			// template is no document.
			s.Excluded = append(s.Excluded, templates...)
		}
		if m := sphinxHighlight.FindStringSubmatch(code); m != nil {
			s.Highlight = strings.ToLower(m[1])
		}
		s.Intersphinx = strings.Contains(code, "intersphinx") &&
			(strings.Contains(code, "intersphinx_disabled_reftypes") || r.pinsSphinxBelow5(path.Dir(cfg)))
		s.RunsPageCode = slices.ContainsFunc(pageCodeRunners, func(w string) bool { return strings.Contains(code, w) })
		s.SectionLabels = strings.Contains(code, "autosectionlabel")
		s.SectionPrefix = strings.Contains(code, "autosectionlabel_prefix_document")
		s.WritesFiles, s.WritesPages = sphinxWrites(code)
		if s.WritesPages && !strings.Contains(code, "automod") && !r.loadsOwnExtension(code) &&
			!slices.ContainsFunc(sphinxPageWriters, func(w string) bool { return w != "autosummary" && strings.Contains(code, w) }) {
			s.stubDirs, s.stubsKnown = r.autosummaryDirs(pages), true
		}
		if acts := withoutReadOnlyRuns(code); s.WritesFiles && !strings.Contains(acts, "copytree") {
			rest := doxygenRun.ReplaceAllString(acts, "")
			if !slices.ContainsFunc(sphinxRunners, func(w string) bool { return strings.Contains(rest, w) }) {
				s.runsDoxygen = rest != acts
				if s.runsDoxygen {
					s.doxygenDirs = r.doxygenOutputDirs(path.Dir(cfg))
				}
				if !s.runsDoxygen || slices.ContainsFunc(sphinxFileCalls, func(w string) bool { return strings.Contains(rest, w) }) {
					s.ownWrites = strings.ToLower(code)
				}
			}
		}
		if s.WritesFiles {
			if dirs, ok := galleryOnlyDirs(code); ok {
				for _, d := range dirs {
					s.WrittenDirs = append(s.WrittenDirs, path.Join(path.Dir(cfg), d))
				}
			}
		}
		if strings.Contains(code, "rst.linker") {
			for _, f := range pyDictKeys(code, "link_files") {
				ext := path.Ext(f)
				s.WrittenFiles = append(s.WrittenFiles, path.Join(path.Dir(cfg), strings.TrimSuffix(f, ext)+" (links)"+ext))
			}
		}
		s.LabelsKnown = !s.WritesFiles && !s.WritesPages && !slices.ContainsFunc(sphinxLabelMakers, func(w string) bool { return strings.Contains(code, w) })
		out = append(out, s)
	}
	return out
}

// sphinxWrites reads conf.py's code (pythonCode) for what it writes into
// the source folder at build time: any file (sphinxWriters, outside the
// runs that only read), or documents only (sphinxPageWriters); see
// SphinxSource.
func sphinxWrites(code string) (files, pages bool) {
	acts := withoutReadOnlyRuns(code)
	files = slices.ContainsFunc(sphinxWriters, func(w string) bool { return strings.Contains(acts, w) })
	pages = slices.ContainsFunc(sphinxPageWriters, func(w string) bool { return strings.Contains(code, w) })
	return files, pages
}

// galleryOnlyDirs reads, when sphinx-gallery is the only thing in
// conf.py's code that writes files (sphinxWriters), the folders its
// config writes into: every gallery_dirs folder and the
// backreferences_dir, each a plain string or a list of them (None or
// False writes no backreferences). false when anything else writes, or
// a value is computed or absent.
func galleryOnlyDirs(code string) ([]string, bool) {
	acts := withoutReadOnlyRuns(code)
	for _, w := range sphinxWriters {
		if w != "sphinx_gallery" && strings.Contains(acts, w) {
			return nil, false
		}
	}
	var dirs []string
	for _, key := range []string{"gallery_dirs", "backreferences_dir"} {
		locs := galleryKeys[key].FindAllStringIndex(code, -1)
		if len(locs) == 0 && key == "gallery_dirs" {
			return nil, false
		}
		for _, loc := range locs {
			rest := strings.TrimLeft(code[loc[1]:], " \t")
			if strings.HasPrefix(rest, "None") || strings.HasPrefix(rest, "False") {
				continue
			}
			values, ok := pyDictValue(rest)
			if !ok {
				return nil, false
			}
			dirs = append(dirs, values...)
		}
	}
	return dirs, true
}

// galleryKeys are the keys of sphinx_gallery_conf that name the folders
// it writes, each with the colon after it.
var galleryKeys = map[string]*regexp.Regexp{
	"gallery_dirs":       regexp.MustCompile(`['"]gallery_dirs['"]\s*:`),
	"backreferences_dir": regexp.MustCompile(`['"]backreferences_dir['"]\s*:`),
}

// pyDictValue reads a dict entry's value: a plain string or a list of
// them, followed by the entry's end ("," or "}"), a comment or the line's
// end.
func pyDictValue(rest string) ([]string, bool) {
	out, rest, ok := readPyStrings(rest, strings.HasPrefix(rest, "["))
	if !ok {
		return nil, false
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest != "" && !strings.ContainsAny(rest[:1], ",}\n#") {
		return nil, false
	}
	return out, len(out) > 0
}

// MayWrite reports whether conf.py's code may write p (a path from the
// root) at build time: a file an extension writes by name
// (WrittenFiles); anything it runs may write anywhere, unless
// sphinx-gallery is all it runs, which writes into its folders only
// (WrittenDirs). When conf.py's own calls are all that write
// (ownWrites), a file is one of theirs only if the code spells its name
// (without the suffix, which code may add) or its folder (where it may
// write names it computes), or the code lists folders and the tree
// holds a file of that name, but for suffix and case, to copy or
// convert (inTree, given the name): a file that is none of these,
// nothing there writes.
func (s SphinxSource) MayWrite(p string, inTree func(name string) bool) bool {
	if slices.Contains(s.WrittenFiles, p) {
		return true
	}
	if !s.WritesFiles {
		return false
	}
	if s.runsDoxygen && doxygenWrites[strings.ToLower(path.Ext(p))] &&
		(s.doxygenDirs == nil || slices.ContainsFunc(s.doxygenDirs, func(d string) bool { return p == d || strings.HasPrefix(p, d+"/") })) {
		return true
	}
	if s.runsDoxygen && s.ownWrites == "" {
		return false
	}
	if s.ownWrites != "" {
		name := path.Base(p)
		return strings.Contains(s.ownWrites, FileStem(name)) || spellsFolder(withoutReadSettings(s.ownWrites), path.Base(path.Dir(p))) ||
			listsFolders.MatchString(s.ownWrites) && inTree(name)
	}
	if s.WrittenDirs == nil {
		return true
	}
	return slices.ContainsFunc(s.WrittenDirs, func(d string) bool { return p == d || strings.HasPrefix(p, d+"/") })
}

// MayWritePage reports whether an extension conf.py loads may write the
// document p (a path from the root) at build time: any, when one that
// writes documents is loaded (WritesPages), unless autosummary is the one
// and p lies outside every folder its directives' :toctree: options name
// (stubDirs): autosummary writes its stubs there alone.
func (s SphinxSource) MayWritePage(p string) bool {
	if !s.WritesPages {
		return false
	}
	if !s.stubsKnown {
		return true
	}
	return slices.ContainsFunc(s.stubDirs, func(d string) bool { return d == "." || strings.HasPrefix(p, d+"/") })
}

// settingStrings reads a top-level setting of conf.py's code assigned a
// list of plain strings (templates_path = ["_templates"]); false when it
// is absent or computed.
func settingStrings(code, name string) ([]string, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + pyAssign)
	loc := re.FindStringIndex(code)
	if loc == nil {
		return nil, false
	}
	return pyStrings(code[loc[1]:], true)
}

// loadsOwnExtension reports whether conf.py's extensions list names a
// module of this repository, wherever conf.py puts it on sys.path
// (gen_term_table in tools/, a package's docs/ext.py): code docscheck
// does not read, which may write any page. A module is one when a file
// of the tree ends in its path (tools/gen_term_table.py for
// gen_term_table, x/sphinxext/gen.py or x/sphinxext/gen/__init__.py for
// sphinxext.gen).
func (r *Repo) loadsOwnExtension(code string) bool {
	names, ok := settingStrings(code, "extensions")
	if !ok {
		return true // computed: which modules load is not known
	}
	var suffixes []string
	for _, n := range names {
		mod := strings.ReplaceAll(n, ".", "/")
		suffixes = append(suffixes, mod+".py", mod+"/__init__.py")
	}
	found := false
	r.walkFiles(".", ".py", func(p string) {
		found = found || slices.ContainsFunc(suffixes, func(s string) bool { return p == s || strings.HasSuffix(p, "/"+s) })
	})
	return found
}

// autosummaryDirective is an autosummary directive, in reStructuredText
// or a MyST fence; autosummaryToctree is its :toctree: option, whose
// value (the folder, from the page's) may be empty: the page's own.
var (
	autosummaryDirective = regexp.MustCompile(`^\s*(?:\.\.\s+autosummary::|[` + "`" + `:]{3,}\s*\{autosummary\})`)
	autosummaryToctree   = regexp.MustCompile(`^\s*:toctree:[ \t]*(\S*)`)
)

// autosummaryDirs lists the folders, from the root, that the :toctree:
// options of the autosummary directives of the source files under dir
// name (the option lines that follow a directive, up to its first line
// of content).
func (r *Repo) autosummaryDirs(dir string) []string {
	var dirs []string
	r.walkFiles(dir, "", func(p string) {
		switch strings.ToLower(path.Ext(p)) {
		case ".rst", ".md", ".txt":
		default:
			return
		}
		src, err := r.ReadFile(p)
		if err != nil {
			return
		}
		in := false
		for line := range strings.SplitSeq(string(src), "\n") {
			switch {
			case autosummaryDirective.MatchString(line):
				in = true
			case in && autosummaryToctree.MatchString(line):
				to := path.Join(path.Dir(p), autosummaryToctree.FindStringSubmatch(line)[1])
				if !slices.Contains(dirs, to) {
					dirs = append(dirs, to)
				}
			case in && strings.HasPrefix(strings.TrimSpace(line), ":"):
			default:
				in = false
			}
		}
	})
	return dirs
}

// FileStem is a file name without its suffix, lower-cased: what code
// that copies or converts a file keeps of its name (README.md to
// readme.rst).
func FileStem(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, path.Ext(name)))
}

// spellsFolder reports whether code (lower-cased) spells the folder name
// dir as a string or a part of a path in one.
func spellsFolder(code, dir string) bool {
	if dir == "." || dir == "" {
		return false
	}
	d := strings.ToLower(dir)
	for i := 0; ; {
		j := strings.Index(code[i:], d)
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(d)
		if at > 0 && end < len(code) && strings.ContainsRune(`"'/\`, rune(code[at-1])) && strings.ContainsRune(`"'/\`, rune(code[end])) {
			return true
		}
		i = end
	}
}

// sphinxReadSettings are Sphinx's settings whose values name files and
// folders Sphinx reads (a logo, the static and template folders): a
// folder spelled there is one the build reads from, not one conf.py's
// code writes into.
var sphinxReadSettings = regexp.MustCompile(`^(?:templates_path|html_static_path|html_extra_path|html_theme_path|html_logo|html_favicon|html_css_files|html_js_files|latex_logo|latex_additional_files|epub_cover|locale_dirs|exclude_patterns)\s*=`)

// withoutReadSettings is conf.py's code without its top-level assignments
// of sphinxReadSettings, each up to where its brackets close.
func withoutReadSettings(code string) string {
	var b strings.Builder
	depth := 0
	for line := range strings.SplitSeq(code, "\n") {
		if depth == 0 && !sphinxReadSettings.MatchString(line) {
			b.WriteString(line)
			b.WriteByte('\n')
			continue
		}
		depth += strings.Count(line, "[") + strings.Count(line, "(") + strings.Count(line, "{") -
			strings.Count(line, "]") - strings.Count(line, ")") - strings.Count(line, "}")
		depth = max(depth, 0)
	}
	return b.String()
}

// listsFolders matches the calls that list a folder's files.
var listsFolders = regexp.MustCompile(`\b(?:listdir|scandir|iterdir|walk|glob|rglob|iglob)\(`)

// sphinxBuiltinLabels are the labels Sphinx itself defines.
var sphinxBuiltinLabels = []string{"genindex", "modindex", "py-modindex", "search"}

// mystTarget is a MyST page's "(label)=" line.
var mystTarget = regexp.MustCompile(`(?m)^\(([^()\s][^()]*)\)=[ \t]*$`)

// SphinxLabels lists the :ref: labels the project's source files define,
// normalized as Sphinx compares them (NormalizeLabel), sorted: explicit
// targets and ":name:" options of every reStructuredText file under the
// source folder and of the files they include, MyST "(label)=" targets of
// its Markdown files, Sphinx's own labels, and, under autosectionlabel,
// every section title (prefixed by its document's name when so set).
func (r *Repo) SphinxLabels(s SphinxSource) []string {
	return remember(&r.mu, r.sphinxLabels, s.Dir, func() []string { return r.sphinxLabelsOf(s) })
}

func (r *Repo) sphinxLabelsOf(s SphinxSource) []string {
	labels := slices.Clone(sphinxBuiltinLabels)
	seen := map[string]bool{}
	var read func(p string)
	read = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		src, err := r.ReadFile(p)
		if err != nil {
			return
		}
		if !strings.EqualFold(path.Ext(p), ".rst") {
			for _, m := range mystTarget.FindAllSubmatch(src, -1) {
				labels = append(labels, NormalizeLabel(string(m[1])))
			}
			return
		}
		pg := rst.Read(src)
		for _, l := range pg.Labels {
			labels = append(labels, NormalizeLabel(l))
		}
		if s.SectionLabels {
			doc := strings.TrimSuffix(strings.TrimPrefix(p, s.Dir+"/"), path.Ext(p))
			for _, t := range pg.Titles {
				if s.SectionPrefix {
					labels = append(labels, NormalizeLabel(doc+":"+t.Text))
				} else {
					labels = append(labels, NormalizeLabel(t.Text))
				}
			}
		}
		for _, ref := range pg.Refs {
			if ref.Kind == rst.Include && !strings.HasPrefix(ref.Target, "<") {
				read(s.Resolve(p, ref.Target))
			}
		}
	}
	var walk func(dir string)
	walk = func(dir string) {
		for _, n := range r.Names(dir) {
			p := path.Join(dir, n)
			switch ext := strings.ToLower(path.Ext(n)); {
			case strings.HasPrefix(n, "."):
			case r.WalkStat(p) == Dir:
				walk(p)
			case ext == ".rst" || ext == ".md" || ext == ".txt":
				read(p)
			}
		}
	}
	walk(s.Dir)
	slices.Sort(labels)
	return slices.Compact(labels)
}

// NormalizeLabel is a label as Sphinx compares it: lower case, its runs
// of white space one space.
func NormalizeLabel(l string) string {
	return strings.ToLower(strings.Join(strings.Fields(l), " "))
}

// sphinxPages is the source folder of the Sphinx project whose conf.py
// is in dir: dir, or the folder above it when only that one holds the
// root document ("sphinx-build -c doc/_sphinx doc"); ok is false when
// neither holds it.
func (r *Repo) sphinxPages(dir string, conf []byte) (string, bool) {
	root := "index"
	if m := sphinxRootDoc.FindSubmatch(conf); m != nil {
		root = string(m[1])
	}
	switch parent := path.Dir(dir); {
	case r.hasRootDoc(dir, root):
		return dir, true
	case dir != "." && r.hasRootDoc(parent, root):
		return parent, true
	}
	return "", false
}

// subprocessReadOnly are the parts of conf.py's code that name the
// subprocess module or run a program without writing a file: the import,
// its constants and exceptions, and git's commands that only read the
// repository (a version from "git describe", a commit from "git
// rev-parse HEAD" for source links), as an argument list or a command
// line.
var subprocessReadOnly = regexp.MustCompile(`(?m)^[ \t]*(?:import subprocess\b|from subprocess import\b).*$` +
	`|\bsubprocess\.(?:PIPE|STDOUT|DEVNULL|CalledProcessError|TimeoutExpired|SubprocessError)\b` +
	`|(?:\bsubprocess\.)?\b(?:check_output|check_call|run|call|getoutput|getstatusoutput|Popen)\(\s*` +
	`(?:\[\s*["']git["']\s*,\s*["']|["']git\s+)(?:rev-parse|describe|log|show|rev-list|ls-files|status)\b`)

// doxygenRun is the start of a call in conf.py's code that runs doxygen,
// and only doxygen, from any folder: subprocess.call(["doxygen", ...]),
// subprocess.run("cd ..; doxygen", shell=True), os.system("doxygen
// Doxyfile"). Its arguments stay, and name no writer.
var doxygenRun = regexp.MustCompile(`(?:\bsubprocess\.|\bos\.)?\b(?:check_output|check_call|run|call|Popen|system)\(\s*` +
	`(?:\[\s*["']doxygen["']|[fr]?["'](?:cd\s+[^;&"'\n]*(?:;|&&)\s*)?doxygen\b)`)

// doxygenWrites are the extensions of the files doxygen writes, those of
// its output formats (HTML with its pictures, styles and scripts, XML,
// LaTeX, RTF, man pages, tag files): a source, a script or a page of
// another kind is none of its output.
var doxygenWrites = map[string]bool{
	".html": true, ".htm": true, ".xml": true, ".xsd": true, ".xslt": true, ".css": true, ".js": true,
	".png": true, ".svg": true, ".gif": true, ".map": true, ".md5": true, ".dot": true, ".tex": true,
	".sty": true, ".rtf": true, ".tag": true, ".qhp": true, ".pdf": true, ".3": true, "": true,
}

// openCall is a call of open() (or a path's .open()) whose arguments sit
// on its line, one level of parentheses deep at most; writeMode is a mode
// string or argument that writes (w, a, x or +).
var (
	openCall  = regexp.MustCompile(`\bopen\((?:[^()\n]|\([^()\n]*\))*\)`)
	writeMode = regexp.MustCompile(`["'][rbt]*[wax+][rbt+]*["']|\bmode\s*=`)
)

// withoutReadOnlyRuns is conf.py's code with subprocessReadOnly taken
// out, and every open() that only reads (no mode, or "r", "rb"): what is
// left of the subprocess module is a program that may write files
// (doxygen, a script of the repository), and what is left of open() a
// file written, or one whose mode a variable gives.
func withoutReadOnlyRuns(code string) string {
	code = subprocessReadOnly.ReplaceAllString(code, "")
	return openCall.ReplaceAllStringFunc(code, func(call string) string {
		args := strings.TrimSuffix(strings.TrimPrefix(call, "open("), ")")
		if writeMode.MatchString(args) {
			return call
		}
		var positional []string
		for _, a := range splitArgs(args) {
			if a = strings.TrimSpace(a); a != "" && !strings.Contains(a, "=") {
				positional = append(positional, a)
			}
		}
		if len(positional) > 1 && !strings.HasPrefix(positional[1], `"`) && !strings.HasPrefix(positional[1], "'") {
			return call // open(path, mode): a mode docscheck cannot read
		}
		return ""
	})
}

// execOfFile is the start of a call in conf.py's code that runs the text
// of a file named by a plain string: exec(open("../pkg/_version.py").read()
// with a read mode or an encoding, the string maybe made absolute first
// (open(os.path.abspath("../common/conf.py")), the same file from
// conf.py's folder, where Sphinx runs it); the call goes on to its
// closing parenthesis (the namespace to run it in).
var execOfFile = regexp.MustCompile(`\bexec\(\s*open\(\s*(?:os\.path\.(?:abspath|realpath|normpath)\(\s*)?["']([^"'\n]+)["'](?:\s*\))?[^()\n]*\)\.read\(\)`)

// confCode is conf.py's code (pythonCode) with every file of the tree it
// runs by execOfFile in that call's place: Sphinx runs conf.py from its
// own folder, and what the file's code assigns or writes is conf.py's.
// (A version file read that way writes nothing; a script run that way
// may.) Only conf.py's own calls are followed; a file the tree lacks, or
// a call whose end is not on its line, stays a call that runs code
// docscheck does not read.
func (r *Repo) confCode(cfg string, data []byte) string {
	code := pythonCode(string(data))
	var b strings.Builder
	for {
		m := execOfFile.FindStringSubmatchIndex(code)
		if m == nil {
			break
		}
		// The call's end, on its line (closing, makefile.go): one that
		// goes on past it is not read.
		end := closing(code, m[0]+len("exec"))
		text, ok := "", end >= 0 && !strings.Contains(code[m[0]:end], "\n")
		if ok {
			text, ok = r.execedText(cfg, code[m[2]:m[3]])
		}
		if !ok {
			b.WriteString(code[:m[1]])
			code = code[m[1]:]
			continue
		}
		b.WriteString(code[:m[0]])
		b.WriteString("\n" + pythonCode(text) + "\n")
		code = code[end+1:]
	}
	b.WriteString(code)
	return b.String()
}

// execedText is the text of the file that conf.py at cfg names as arg
// (from its own folder), when it is another file of the tree.
func (r *Repo) execedText(cfg, arg string) (string, bool) {
	name := path.Join(path.Dir(cfg), arg)
	if path.IsAbs(arg) || name == ".." || strings.HasPrefix(name, "../") || name == cfg {
		return "", false
	}
	data, err := r.ReadFile(name)
	return string(data), err == nil
}

// pythonCode is conf.py without its comment lines.
func pythonCode(src string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// excludePatterns reads conf.py's exclude_patterns: known when every
// use of the name adds plain strings to it (exclude_patterns = [...],
// += [...], .append("x"), .extend([...])). The result is every string
// any of them names, though a later assignment replaces an earlier one
// or a condition guards an append: a page such a pattern matches may be
// excluded, and a page docscheck does not read gives no false alarm.
// Any other use (a list built by code, an index, a call that may change
// it) leaves them unknown.
func excludePatterns(code string) ([]string, bool) {
	var pats []string
	for _, loc := range sphinxExcludeName.FindAllStringIndex(code, -1) {
		rest := code[loc[1]:]
		var list bool
		switch {
		case strings.HasPrefix(rest, ".append("):
			rest = strings.TrimPrefix(rest, ".append(")
		case strings.HasPrefix(rest, ".extend("):
			rest, list = strings.TrimPrefix(rest, ".extend("), true
		default:
			m := sphinxExcludeAssign.FindString(rest)
			if m == "" {
				return nil, false
			}
			rest, list = rest[len(m):], true
		}
		added, ok := pyStrings(strings.TrimLeft(rest, " \t"), list)
		if !ok {
			return nil, false
		}
		pats = append(pats, added...)
	}
	return pats, true
}

// pyStrings reads what follows an assignment or a call's "(": a list of
// plain strings ([...], and for a call the closing ")") when list is
// set, else one plain string and the call's ")". Nothing but a comment
// may follow it on its line: "[...] + more" is computed.
func pyStrings(rest string, list bool) ([]string, bool) {
	out, rest, ok := readPyStrings(rest, list)
	if !ok {
		return nil, false
	}
	line, _, _ := strings.Cut(rest, "\n")
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), ")"))
	if line != "" && !strings.HasPrefix(line, "#") {
		return nil, false
	}
	return out, true
}

// readPyStrings reads plain strings from the start of rest: a list of
// them, "[...]", when list is set, else one. It returns them and what
// follows.
func readPyStrings(rest string, list bool) ([]string, string, bool) {
	var out []string
	if list {
		var ok bool
		if rest, ok = strings.CutPrefix(rest, "["); !ok {
			return nil, "", false
		}
	}
	for {
		rest = strings.TrimLeft(rest, " \t\n,")
		if list && strings.HasPrefix(rest, "#") {
			// A comment after an item, inside the list ("'x',  #
			// requires: pip install x"): to the line's end.
			if _, after, ok := strings.Cut(rest, "\n"); ok {
				rest = after
				continue
			}
			return nil, "", false
		}
		if list {
			if after, ok := strings.CutPrefix(rest, "]"); ok {
				return out, after, true
			}
		} else if len(out) == 1 {
			return out, rest, true
		}
		m := pyString.FindStringSubmatch(rest)
		if m == nil {
			return nil, "", false
		}
		out = append(out, m[1]+m[2])
		rest = rest[len(m[0]):]
	}
}

// pyDictKeys reads the keys, written as plain strings, of the dict
// assigned to name at the top level of conf.py's code ("link_files = {
// '../NEWS.rst': dict(...) }"); nested dicts' keys are not its.
func pyDictKeys(code, name string) []string {
	loc := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + pyAssign + `\{`).FindStringIndex(code)
	if loc == nil {
		return nil
	}
	var keys []string
	depth := 1
	for i := loc[1]; i < len(code) && depth > 0; i++ {
		switch c := code[i]; c {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		case '"', '\'':
			end := strings.IndexByte(code[i+1:], c)
			if end < 0 {
				return keys
			}
			str := code[i+1 : i+1+end]
			i += end + 1
			if depth == 1 && strings.HasPrefix(strings.TrimLeft(code[i+1:], " \t\n"), ":") {
				keys = append(keys, str)
			}
		}
	}
	return keys
}

// Excludes reports whether conf.py's exclude_patterns name the page p
// (relative to the root): Sphinx matches them against the page's path in
// the source folder, where "*" stays within a folder and "**" does not.
func (s SphinxSource) Excludes(p string) bool {
	rel := strings.TrimPrefix(p, s.Dir+"/")
	if s.Dir == "." {
		rel = p
	}
	for _, pat := range s.Excluded {
		if matchSphinxPattern(pat, rel) {
			return true
		}
		// A folder's pattern excludes what is under it.
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if matchSphinxPattern(pat, d) {
				return true
			}
		}
	}
	return false
}

// matchSphinxPattern matches a Sphinx exclude pattern against a path of
// the source folder as Sphinx does (sphinx.util.matching): "**" matches
// anything, "/" included (`**.inc.rst` is every such file, in any
// folder); "*" and "?" stay within a folder; "[...]" is a class of
// characters; the whole path must match.
func matchSphinxPattern(pat, p string) bool {
	re, ok := sphinxPatterns.Load(pat)
	if !ok {
		// Compiled only on a miss: LoadOrStore's argument would be
		// built on every call.
		re, _ = sphinxPatterns.LoadOrStore(pat, sphinxPatternRegexp(pat))
	}
	return re.(*regexp.Regexp).MatchString(p)
}

// sphinxPatterns caches each exclude pattern's regular expression: every
// page and each of its folders is matched against every pattern.
var sphinxPatterns sync.Map

func sphinxPatternRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '*':
			if i+1 < len(pat) && pat[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^/" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^` + regexp.QuoteMeta(pat) + `$`)
	}
	return re
}

// SphinxPages lists the reStructuredText pages Sphinx builds from the
// source: every .rst file under its folder, except those exclude_patterns
// name and those in a nested project's folder, hidden, ignored or
// submodule folders. A file another page includes is one of them: Sphinx
// builds every source file as a document (notes/x.rst including
// advanced/x.rst, both in a toctree), though its references are also
// read from the including page's folder (the checker's
// writtenForIncluder). Nil when exclude_patterns is unknown.
func (r *Repo) SphinxPages(s SphinxSource, nested []string) []string {
	if !s.ExcludeKnown {
		return nil
	}
	pages := slices.DeleteFunc(r.SphinxFiles(s, nested), s.Excludes)
	return slices.DeleteFunc(pages, r.sphinxUnreached(s, pages))
}

// SphinxIncluders maps each file that one of the pages includes (an
// include or literalinclude directive, resolved as s resolves it) to the
// pages that include it.
func (r *Repo) SphinxIncluders(pages []string, s SphinxSource) map[string][]string {
	includers := map[string][]string{}
	for _, p := range pages {
		src, err := r.ReadFile(p)
		if err != nil {
			continue
		}
		for _, ref := range rst.Read(src).Refs {
			if ref.Kind == rst.Include {
				target := s.Resolve(p, ref.Target)
				includers[target] = append(includers[target], p)
			}
		}
	}
	return includers
}

// SphinxFiles lists every .rst file under the source folder, outside
// hidden, ignored or submodule folders and the nested projects' folders,
// whether Sphinx builds it as a page or not.
func (r *Repo) SphinxFiles(s SphinxSource, nested []string) []string {
	var all []string
	var walk func(dir string)
	walk = func(dir string) {
		for _, n := range r.Names(dir) {
			p := path.Join(dir, n)
			switch {
			case strings.HasPrefix(n, "."), r.Ignored(p), r.InSubmodule(p):
			case r.WalkStat(p) == Dir:
				if !slices.Contains(nested, p) {
					walk(p)
				}
			case strings.EqualFold(path.Ext(n), ".rst") && r.Stat(p) == File:
				all = append(all, p)
			}
		}
	}
	walk(s.Dir)
	return all
}

// Resolve is the path (from the root) that a file reference on page
// names: from the page's folder, or from the source folder when it
// starts with "/".
func (s SphinxSource) Resolve(page, target string) string {
	if rest, ok := strings.CutPrefix(target, "/"); ok {
		return path.Join(s.Dir, rest)
	}
	return path.Join(path.Dir(page), target)
}

// ResolveDoc is the path (from the root, without a suffix) of the
// document a :doc: name on page names. Sphinx joins a relative name to
// the page's document name as a path from the source folder's own root,
// so ".." stops there: "../guides/x" on a page at the top of the source
// folder names guides/x (unlike a file reference, which may leave the
// folder: ".. include:: ../README.rst").
func (s SphinxSource) ResolveDoc(page, name string) string {
	if rest, ok := strings.CutPrefix(name, "/"); ok {
		return path.Join(s.Dir, rest)
	}
	dir := path.Dir(page)
	if s.Dir != "." {
		dir = strings.TrimPrefix(strings.TrimPrefix(dir, s.Dir), "/")
	}
	return path.Join(s.Dir, strings.TrimPrefix(path.Join("/", dir, name), "/"))
}

// sphinxRequirement is a requirement on Sphinx in a requirements file,
// pyproject.toml, setup.cfg, tox.ini or a conda environment: the
// name, then its version constraints ("sphinx>=3,<5", "Sphinx==4.5.0",
// "sphinx = 4.2").
var sphinxRequirement = regexp.MustCompile(`(?im)(?:^|["'\s(\[,])sphinx\s*((?:(?:[<>=!~]=?=?|=)\s*[0-9][0-9.*]*\s*,?\s*)+)`)

// sphinxConstraint is one constraint of such a requirement.
var sphinxConstraint = regexp.MustCompile(`([<>=!~]=?=?|=)\s*([0-9]+)(?:\.([0-9]+))?`)

// sphinxPinFiles are the files a repository names its docs' requirements
// in, looked for at the root, in conf.py's folder and the one above it.
var sphinxPinFiles = regexp.MustCompile(`(?i)^(?:.*requirements.*\.(?:txt|in)|pyproject\.toml|setup\.cfg|setup\.py|tox\.ini|environment.*\.ya?ml|Pipfile)$`)

// pinsSphinxBelow5 reports whether the repository holds Sphinx below 5.0
// for its docs (==4.5, <=4.9, ~=3.0, <5): a requirement in a file of the
// root, of confDir or of the folder above it, or of a requirements
// folder there.
func (r *Repo) pinsSphinxBelow5(confDir string) bool {
	var dirs []string
	for _, d := range []string{".", confDir, path.Dir(confDir)} {
		for _, dd := range []string{d, path.Join(d, "requirements")} {
			if !slices.Contains(dirs, dd) {
				dirs = append(dirs, dd)
			}
		}
	}
	for _, d := range dirs {
		for _, n := range r.Names(d) {
			if !sphinxPinFiles.MatchString(n) {
				continue
			}
			data, err := r.ReadFile(path.Join(d, n))
			if err != nil {
				continue
			}
			for _, m := range sphinxRequirement.FindAllSubmatch(data, -1) {
				for _, c := range sphinxConstraint.FindAllSubmatch(m[1], -1) {
					if below5(string(c[1]), string(c[2]), string(c[3])) {
						return true
					}
				}
			}
		}
	}
	return false
}

// below5 reports whether a constraint keeps Sphinx below 5.0: a pin or
// an upper bound under 5, or "<5" / "<5.0".
func below5(op, major, minor string) bool {
	switch op {
	case "==", "=", "===", "~=", "<=":
		return major < "5" && len(major) == 1
	case "<":
		return len(major) == 1 && (major < "5" || major == "5" && (minor == "" || minor == "0"))
	}
	return false
}

// doxygenOutputs are a Doxyfile's output formats: the key that turns one
// on, whether it is on by default, the key naming its folder (below
// OUTPUT_DIRECTORY) and that folder's default name.
var doxygenOutputs = []struct {
	generate string
	on       bool
	output   string
	folder   string
}{
	{"GENERATE_HTML", true, "HTML_OUTPUT", "html"},
	{"GENERATE_LATEX", true, "LATEX_OUTPUT", "latex"},
	{"GENERATE_XML", false, "XML_OUTPUT", "xml"},
	{"GENERATE_MAN", false, "MAN_OUTPUT", "man"},
	{"GENERATE_RTF", false, "RTF_OUTPUT", "rtf"},
	{"GENERATE_DOCBOOK", false, "DOCBOOK_OUTPUT", "docbook"},
}

// doxyfileSetting is a Doxyfile's "KEY = value" line.
var doxyfileSetting = regexp.MustCompile(`(?m)^[ \t]*([A-Z_]+)[ \t]*=[ \t]*(.*?)[ \t]*\r?$`)

// doxygenOutputDirs lists the folders, from the root, that the Doxyfiles
// of conf.py's folder (dir) and of the folders above it write into: each
// output format it turns on writes below OUTPUT_DIRECTORY (the folder
// doxygen runs in, by default), in its own folder (html/, xml/, ...),
// and nowhere else; its tag file is written where GENERATE_TAGFILE says. Nil when no Doxyfile is there, or one's values
// are computed (an environment variable, a template's @VAR@, an
// @INCLUDE of another file): then what doxygen writes is not known.
func (r *Repo) doxygenOutputDirs(dir string) []string {
	var out []string
	found := false
	for d := dir; ; d = path.Dir(d) {
		for _, n := range r.Names(d) {
			if !strings.HasPrefix(n, "Doxyfile") {
				continue
			}
			data, err := r.ReadFile(path.Join(d, n))
			if err != nil || r.Stat(path.Join(d, n)) != File {
				continue
			}
			found = true
			settings := map[string]string{}
			for _, m := range doxyfileSetting.FindAllStringSubmatch(string(data), -1) {
				settings[m[1]] = strings.Trim(m[2], `"`)
			}
			if strings.Contains(string(data), "@INCLUDE") || strings.ContainsAny(strings.Join(slices.Collect(maps.Values(settings)), " "), "$@") {
				return nil
			}
			// Relative paths are read from where doxygen runs: the
			// Doxyfile's folder ("cd ..; doxygen"), conf.py's, or the
			// root ("doxygen docs/Doxyfile").
			var bases []string
			for _, at := range []string{d, dir, "."} {
				bases = append(bases, path.Join(at, settings["OUTPUT_DIRECTORY"]))
			}
			for _, o := range doxygenOutputs {
				on := o.on
				if v, ok := settings[o.generate]; ok {
					on = strings.EqualFold(v, "YES")
				}
				if !on {
					continue
				}
				folder := o.folder
				if v := settings[o.output]; v != "" {
					folder = v
				}
				for _, base := range bases {
					out = append(out, path.Join(base, folder))
				}
			}
			if tag := settings["GENERATE_TAGFILE"]; tag != "" {
				out = append(out, path.Join(d, tag), path.Join(dir, tag), path.Clean(tag))
			}
		}
		if d == "." || d == "/" {
			break
		}
	}
	if !found {
		return nil
	}
	return out
}
