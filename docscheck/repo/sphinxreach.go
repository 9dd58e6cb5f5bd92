package repo

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/rst"
)

// sphinxMentions is what a Sphinx project's files say that may reach a
// document: the names written where a document or a file is named
// (documentNames), the :ref: targets, each with the files that write
// it; glob says a toctree globs, so that what it lists is not known.
type sphinxMentions struct {
	names, refs map[string][]string
	glob        bool
}

// sphinxRefRole is a :ref:, :numref: or :any: role (reStructuredText),
// or its MyST form ({ref}`...`): its text, whose target is in angle
// brackets when the role gives a title too.
var sphinxRefRole = regexp.MustCompile("(?::(?:ref|numref|any):|\\{(?:ref|numref|any)\\})`([^`\n]*)`")

// mentionSuffixes are the suffixes of the files read for mentions: pages
// of any kind Sphinx reads (with notebooks, whose toctrees and links are
// JSON strings), configs, templates and tables of contents.
var mentionSuffixes = map[string]bool{
	".rst": true, ".rest": true, ".txt": true, ".md": true, ".markdown": true, ".myst": true, ".ipynb": true,
	".py": true, ".html": true, ".htm": true, ".j2": true, ".jinja": true, ".jinja2": true, ".inc": true,
	".yml": true, ".yaml": true, ".toml": true, ".json": true, ".cfg": true,
}

// maxMentionFile bounds the size of a file read for mentions: a larger
// one (a notebook's pictures, a data table) counts as naming everything.
const maxMentionFile = 4 << 20

// sphinxMentionsOf reads, once per project, every file of s's source
// folder (hidden folders aside), its conf.py, and the pages of the root
// and .github (whose links GitHub follows into the source folder). Of
// the names, it keeps those of pages, the names in pages.
func (r *Repo) sphinxMentionsOf(s SphinxSource, pages []string) *sphinxMentions {
	return r.memo("sphinx-mentions", s.Dir, func() any {
		m := &sphinxMentions{names: map[string][]string{}, refs: map[string][]string{}}
		wanted := map[string]bool{}
		for _, p := range pages {
			wanted[strings.TrimSuffix(path.Base(p), path.Ext(p))] = true
		}
		read := func(p string) {
			data, err := r.ReadFile(p)
			if err != nil {
				return
			}
			if len(data) > maxMentionFile {
				m.glob = true
				return
			}
			text := string(data)
			if strings.Contains(text, ":glob:") {
				m.glob = true
			}
			for _, n := range documentNames(text, wanted) {
				m.names[n] = append(m.names[n], p)
			}
			for _, g := range sphinxRefRole.FindAllStringSubmatch(text, -1) {
				target := g[1]
				if i := strings.LastIndex(target, "<"); i >= 0 && strings.HasSuffix(strings.TrimSpace(target), ">") {
					target = strings.TrimSuffix(strings.TrimSpace(target[i+1:]), ">")
				}
				target = NormalizeLabel(strings.TrimPrefix(target, "~"))
				m.refs[target] = append(m.refs[target], p)
			}
		}
		var walk func(dir string)
		walk = func(dir string) {
			for _, n := range r.Names(dir) {
				p := path.Join(dir, n)
				switch kind := r.WalkStat(p); {
				case strings.HasPrefix(n, "."):
				case kind == Dir && !r.Ignored(p) && !r.InSubmodule(p):
					walk(p)
				case kind == File && mentionSuffixes[strings.ToLower(path.Ext(n))] && !r.Ignored(p):
					read(p)
				}
			}
		}
		walk(s.Dir)
		if !under(s.Config, s.Dir) {
			read(s.Config)
		}
		for _, dir := range []string{".", ".github"} {
			if dir == s.Dir {
				continue
			}
			for _, n := range r.Names(dir) {
				if p := path.Join(dir, n); mentionSuffixes[strings.ToLower(path.Ext(n))] && r.Stat(p) == File {
					read(p)
				}
			}
		}
		return m
	}).(*sphinxMentions)
}

// documentNames lists the names text writes where a document or a file
// is named. A name is a run of letters, digits, "_", "-" and "." (a
// document may be named "1.7.7.1"): one that ends in a page's or a built
// page's suffix ("authors.rst", "authors.html"), without it; one that
// ends a line holding a path alone (entryLine: a toctree's entry); one
// that a backquote, ">", "#", a quote, a backslash (a notebook's JSON
// line end) or ")" follows (a :doc: role, a titled entry, a link, a
// config's string). A word in prose ("the authors, ...") is none. Only
// the names wanted holds are listed.
func documentNames(text string, wanted map[string]bool) []string {
	var out []string
	for i := 0; i < len(text); {
		if !isNameByte(text[i]) && text[i] != '.' {
			i++
			continue
		}
		j := i
		for j < len(text) && (isNameByte(text[j]) || text[j] == '.') {
			j++
		}
		name := strings.TrimRight(text[i:j], ".")
		if stem, ok := withoutPageSuffix(name); ok {
			if wanted[stem] {
				out = append(out, stem)
			}
		} else if wanted[name] && namedAt(text, j) {
			out = append(out, name)
		}
		i = j
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pageSuffixes are a page's and a built page's suffixes.
var pageSuffixes = []string{".rst", ".rest", ".txt", ".md", ".markdown", ".myst", ".ipynb", ".html", ".htm"}

// hasPageSuffix reports whether name ends in a page's suffix.
func hasPageSuffix(name string) bool {
	_, ok := withoutPageSuffix(name)
	return ok
}

// withoutPageSuffix is name without its page suffix, if it has one.
func withoutPageSuffix(name string) (string, bool) {
	for _, suffix := range pageSuffixes {
		if len(name) > len(suffix) && strings.EqualFold(name[len(name)-len(suffix):], suffix) {
			return name[:len(name)-len(suffix)], true
		}
	}
	return "", false
}

// namedAt reports whether the name of text that ends at j is written as
// a name (see documentNames).
func namedAt(text string, j int) bool {
	if j == len(text) {
		return entryLine(text, j)
	}
	switch text[j] {
	case '`', '>', '#', '"', '\'', '\\', ')':
		return true
	case '\n', '\r', ' ', '\t':
		end := strings.IndexByte(text[j:], '\n')
		if end < 0 {
			end = len(text) - j
		}
		return strings.TrimSpace(text[j:j+end]) == "" && entryLine(text, j)
	}
	return false
}

// entryLine reports whether the path that ends at j, the end of its
// line, is all its line holds, but for a key or a list item's mark
// before it: a toctree's entry ("   guide/usage"), a table of contents'
// ("- file: guide/usage"). A line of prose ending in a word ("thanks to
// the authors") is none.
func entryLine(text string, j int) bool {
	i := j
	for i > 0 && (isNameByte(text[i-1]) || text[i-1] == '/' || text[i-1] == '.') {
		i--
	}
	start := strings.LastIndexByte(text[:i], '\n') + 1
	before := strings.TrimSpace(text[start:i])
	return before == "" || before == "-" || strings.HasSuffix(before, ":")
}

// orphanField is the :orphan: field of a page's metadata.
var orphanField = regexp.MustCompile(`(?m)^:orphan:[ \t]*\r?$`)

// sphinxUnreached reports, for a page of s's source folder, that no
// reader reaches it. Sphinx builds every document of its source folder;
// one that no toctree lists and no :doc:, :ref:, link or include names
// is built as a page nobody navigates to (Sphinx warns "document isn't
// included in any toctree"): a leftover template page, a test's input
// kept beside its test. Like a page no entry point links to, it is not
// the project's docs, and its references are not judged. Only a page
// certainly unreached is: not the root document, nor a README (which
// github.com shows below its folder's files), with no :orphan: field
// (which publishes a page outside the toctrees on purpose), and named by
// no other file sphinxMentionsOf reads, neither its document name (its
// file name without the suffix, the last part of any path that names
// it) where a name is written (documentNames), nor one of its labels
// (or, under autosectionlabel, its titles) as a :ref: target. When a
// toctree globs, or conf.py writes files, what reaches a page is not
// known: every page is reached.
func (r *Repo) sphinxUnreached(s SphinxSource, pages []string) func(string) bool {
	if s.WritesFiles {
		return func(string) bool { return false }
	}
	m := r.sphinxMentionsOf(s, pages)
	if m.glob {
		return func(string) bool { return false }
	}
	byOthers := func(files []string, p string) bool {
		return slices.ContainsFunc(files, func(f string) bool { return f != p })
	}
	return func(p string) bool {
		doc := strings.TrimSuffix(strings.TrimPrefix(p, s.Dir+"/"), path.Ext(p))
		if s.Dir == "." {
			doc = strings.TrimSuffix(p, path.Ext(p))
		}
		if doc == s.RootDoc || strings.EqualFold(path.Base(doc), "readme") || byOthers(m.names[path.Base(doc)], p) {
			return false
		}
		src, err := r.ReadFile(p)
		if err != nil {
			return false
		}
		if orphanField.Match(src) {
			return false
		}
		pg := rst.Read(src)
		labels := slices.Clone(pg.Labels)
		if s.SectionLabels {
			for _, t := range pg.Titles {
				labels = append(labels, t.Text, doc+":"+t.Text)
			}
		}
		return !slices.ContainsFunc(labels, func(l string) bool { return byOthers(m.refs[NormalizeLabel(l)], p) })
	}
}
