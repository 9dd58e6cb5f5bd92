package repo

import (
	"bufio"
	"bytes"
	"iter"
	"path"
	"regexp"
	"slices"
	"strings"
)

// A site's config can enable things that make ids, definitions and link
// targets at build time which the repository's Markdown does not show: a
// plugin that resolves cross-references (mkdocs-autorefs), a markdown
// extension that writes ids (attr_list, tabbed, snippets' auto_append), a
// hook script, a custom slugify or custom attribute delimiters. docscheck
// does not model them; a site whose config enables any of them has its
// anchors and reference links judged only where no such tool could make
// them (see check's anchor and reference rules). Everything here is read
// from the config files as text; nothing of a project's names is looked at.

// mkdocsModelled are the MkDocs markdown extensions whose effect on ids and
// links docscheck models, or which make none: Python-Markdown's and
// PyMdown's formatting extensions; attr_list's "{ #id }", footnotes' fn:N,
// md_in_html's HTML ids, snippets' "--8<--" includes and tabbed's
// __tabbed_ ids. toc is modelled with its default slugify or
// pymdownx.slugs (mkdocsSlugify); any other slugify is unmodelled, and so
// are snippets' auto_append (a file added to every page) and tabbed's
// combine_header_slug (tab ids made from heading and tab titles).
var mkdocsModelled = map[string]bool{
	"attr_list": true, "footnotes": true, "md_in_html": true, "pymdownx.snippets": true, "pymdownx.tabbed": true,
	"admonition": true, "tables": true, "fenced_code": true, "codehilite": true, "meta": true,
	"sane_lists": true, "smarty": true, "nl2br": true, "def_list": true, "abbr": true, "toc": true,
	"pymdownx.highlight": true, "pymdownx.inlinehilite": true, "pymdownx.superfences": true,
	"pymdownx.details": true, "pymdownx.emoji": true, "pymdownx.keys": true, "pymdownx.mark": true,
	"pymdownx.tilde": true, "pymdownx.caret": true, "pymdownx.betterem": true, "pymdownx.smartsymbols": true,
	"pymdownx.tasklist": true, "pymdownx.magiclink": true, "pymdownx.critic": true, "pymdownx.arithmatex": true,
	"pymdownx.escapeall": true, "pymdownx.progressbar": true, "pymdownx.saneheaders": true,
	"pymdownx.striphtml": true,
}

// mkdocsInert are MkDocs plugins that make no page, id or link target:
// search, and plugins that only restyle, compress or date what is built.
var mkdocsInert = map[string]bool{
	"search": true, "exclude": true, "redirects": true, "awesome-pages": true, "literate-nav": true, "minify": true, "offline": true, "social": true, "privacy": true, "optimize": true,
	"git-revision-date": true, "git-revision-date-localized": true, "git-committers": true,
	"git-authors": true, "glightbox": true, "typeset": true,
}

// mkdocsTocSlugify is a toc slugify option (modelled only when it is
// pymdownx.slugs, which mkdocsSlugify matches).
var mkdocsTocSlugify = regexp.MustCompile(`(?m)^\s+slugify\s*:`)

// mkdocsUnmodelledOptions are options of modelled extensions that make
// ids or definitions docscheck does not model.
var mkdocsUnmodelledOptions = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`(?m)^\s+auto_append\s*:`), "snippets auto_append"},
	{regexp.MustCompile(`(?m)^\s+combine_header_slug\s*:\s*true`), "tabbed combine_header_slug"},
}

// mkdocsItem is an entry of mkdocs.yml's plugins or markdown_extensions
// list, or the hooks key (section "hooks", no name).
type mkdocsItem struct{ section, name string }

// yamlLines yields each line of a YAML file read as text, trimmed, with
// its indentation; blank and comment lines are left out.
func yamlLines(data []byte) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			trimmed := strings.TrimSpace(line)
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			if !yield(trimmed, len(line)-len(strings.TrimLeft(line, " \t"))) {
				return
			}
		}
	}
}

// mkdocsItems reads the plugins and markdown extensions an mkdocs.yml
// lists (a "markdown.extensions." prefix dropped), and its hooks key.
func mkdocsItems(data []byte) []mkdocsItem {
	var out []mkdocsItem
	section, itemIndent := "", -1
	for trimmed, indent := range yamlLines(data) {
		// YAML lets a key's list sit at the key's own indentation
		// ("plugins:" then "- search" at the line's start).
		listItem := strings.HasPrefix(trimmed, "- ") || trimmed == "-"
		if indent == 0 && !(listItem && section != "" && itemIndent <= 0) {
			section, itemIndent = "", -1
			key, _, _ := strings.Cut(trimmed, ":")
			switch key {
			case "plugins", "markdown_extensions":
				section = key
			case "hooks":
				out = append(out, mkdocsItem{section: "hooks"})
			}
			continue
		}
		if section == "" {
			continue
		}
		if itemIndent < 0 {
			itemIndent = indent
		}
		if indent != itemIndent {
			continue // an option of the item above
		}
		name := strings.TrimSpace(strings.TrimPrefix(trimmed, "-"))
		name, _, _ = strings.Cut(name, ":")
		name = strings.Trim(strings.TrimSpace(name), `"'`)
		if name == "" {
			continue
		}
		if section == "markdown_extensions" {
			name = strings.TrimPrefix(name, "markdown.extensions.")
		}
		out = append(out, mkdocsItem{section, name})
	}
	return out
}

// mkdocsTabbed reports whether mkdocs.yml's markdown_extensions list
// pymdownx.tabbed, and the text of its slugify option when one is set
// (tab ids made from tab titles rather than numbered).
func mkdocsTabbed(data []byte) (enabled bool, slugify string) {
	slugify, _ = mkdocsExtensionOption(data, "pymdownx.tabbed", "slugify")
	return extensionListed(mkdocsItems(data), "pymdownx.tabbed"), slugify
}

// mkdocsExtensionOption returns the text of an option of a markdown
// extension that mkdocs.yml lists, the option's own line after its key and
// the lines indented below it, and whether the option is set.
func mkdocsExtensionOption(data []byte, extension, option string) (string, bool) {
	itemIndent, optionIndent := -1, -1
	var text strings.Builder
	for trimmed, indent := range yamlLines(data) {
		if itemIndent >= 0 {
			if indent <= itemIndent || optionIndent >= 0 && indent <= optionIndent {
				break // the next item, section or option
			}
			if optionIndent >= 0 {
				text.WriteString(trimmed + "\n")
			} else if rest, ok := strings.CutPrefix(trimmed, option+":"); ok {
				optionIndent = indent
				text.WriteString(strings.TrimSpace(rest) + "\n")
			}
			continue
		}
		name := strings.TrimSpace(strings.TrimPrefix(trimmed, "-"))
		name, _, _ = strings.Cut(name, ":")
		if strings.HasPrefix(trimmed, "-") && strings.Trim(strings.TrimSpace(name), `"'`) == extension {
			itemIndent = indent
		}
	}
	return text.String(), optionIndent >= 0
}

// mkdocsSnippetBases are the folders pymdownx.snippets looks files up in,
// from the config's folder dir: its base_path, one path or a list of
// them (flow or block style), by default "."; nil when mkdocs.yml does not
// list the extension.
func mkdocsSnippetBases(data []byte, dir string) []string {
	if !extensionListed(mkdocsItems(data), "pymdownx.snippets") {
		return nil
	}
	text, set := mkdocsExtensionOption(data, "pymdownx.snippets", "base_path")
	if !set {
		return []string{path.Clean(dir)}
	}
	var bases []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' }) {
		f = strings.Trim(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f), "-")), `[]"' `)
		if f != "" {
			bases = append(bases, path.Join(dir, f))
		}
	}
	return bases
}

// TabIDs is how a site's pymdownx.tabbed names its tabs.
type TabIDs int

const (
	// NoTabIDs: the site does not run pymdownx.tabbed, or names its tabs
	// by a slugify docscheck does not model (Unmodelled says so).
	NoTabIDs TabIDs = iota
	// NumberedTabIDs: __tabbed_s_n for the n-th tab of the page's s-th set.
	NumberedTabIDs
	// TitleTabIDs: each tab's title under pymdownx.slugs' lower-case
	// slugify (anchor.MkDocsUnicode).
	TitleTabIDs
)

// lowerCaseSlugs is pymdownx.slugs' option that lower-cases the slug.
var lowerCaseSlugs = regexp.MustCompile(`case\s*:\s*lower`)

// mkdocsTabIDs tells how mkdocs.yml's pymdownx.tabbed names tabs.
func mkdocsTabIDs(data []byte) TabIDs {
	enabled, slugify := mkdocsTabbed(data)
	switch {
	case !enabled:
		return NoTabIDs
	case slugify == "":
		return NumberedTabIDs
	case strings.Contains(slugify, "pymdownx.slugs") && lowerCaseSlugs.MatchString(slugify):
		return TitleTabIDs
	}
	return NoTabIDs
}

// extensionListed: the markdown extensions listed include name
// (mkdocs.yml or zensical.toml).
func extensionListed(items []mkdocsItem, name string) bool {
	return slices.ContainsFunc(items, func(it mkdocsItem) bool { return it.section == "markdown_extensions" && it.name == name })
}

// mkdocsAdmonitions: mkdocs.yml's markdown_extensions list the
// admonition extension or pymdownx.details.
func mkdocsAdmonitions(data []byte) bool { return admonitionsListed(mkdocsItems(data)) }

// admonitionsListed: the markdown extensions listed include the
// admonition extension or pymdownx.details (mkdocs.yml or zensical.toml).
func admonitionsListed(items []mkdocsItem) bool {
	return extensionListed(items, "admonition") || extensionListed(items, "pymdownx.details")
}

// unmodelledItems names the listed plugins, extensions and hooks
// docscheck does not model ("plugin X", "extension X", "hooks"), for
// mkdocs.yml and zensical.toml alike.
func unmodelledItems(items []mkdocsItem) []string {
	var out []string
	for _, it := range items {
		switch {
		case it.section == "hooks":
			out = append(out, "hooks")
		case it.section == "plugins" && !mkdocsInert[it.name]:
			out = append(out, "plugin "+it.name)
		case it.section == "markdown_extensions" && !mkdocsModelled[it.name]:
			out = append(out, "extension "+it.name)
		}
	}
	return out
}

// mkdocsUnmodelled lists what an mkdocs.yml enables that docscheck does not
// model: "plugin X", "extension X", "hooks", "toc slugify".
func mkdocsUnmodelled(data []byte) []string {
	out := unmodelledItems(mkdocsItems(data))
	if enabled, slugify := mkdocsTabbed(data); enabled && slugify != "" && mkdocsTabIDs(data) == NoTabIDs {
		out = append(out, "tabbed slugify")
	}
	if mkdocsTocSlugify.Match(data) && !mkdocsSlugify.Match(data) {
		out = append(out, "toc slugify")
	}
	for _, o := range mkdocsUnmodelledOptions {
		if o.re.Match(data) {
			out = append(out, o.what)
		}
	}
	return out
}

// vitepressIDOptions are the VitePress markdown options that change heading
// ids: markdown.anchor (its slugify, permalink) and markdown.attrs (custom
// attribute delimiters such as %{#id}%), or a slugify of the site's own.
var vitepressIDOptions = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\bslugify\b`), "markdown.anchor slugify"},
	{regexp.MustCompile(`\banchor\s*:\s*\{`), "markdown.anchor"},
	{regexp.MustCompile(`\battrs\s*:\s*\{`), "markdown.attrs"},
}

// vitepressUnmodelled lists the id options a VitePress config file sets.
func vitepressUnmodelled(data []byte) []string {
	var out []string
	for _, o := range vitepressIDOptions {
		if o.re.Match(data) {
			out = append(out, o.what)
		}
	}
	return out
}

// hugoIDSetting is a Hugo markup setting that changes how headings get
// their ids: another heading-id type than GitHub's (blackfriday's,
// github-ascii keeps no other script) or another Markdown renderer than
// Goldmark (pandoc, asciidoctor, ...).
var hugoIDSetting = regexp.MustCompile(`(?i)["']?(autoHeadingIDType|defaultMarkdownHandler)["']?\s*[:=]\s*["']?([A-Za-z-]+)`)

// hugoUnmodelled lists the heading-id settings of a Hugo config (a file,
// or a config folder read file by file) that docscheck does not model.
func (r *Repo) hugoUnmodelled(cfg string) []string {
	files := []string{cfg}
	if r.Stat(cfg) == Dir {
		files = nil
		for _, env := range r.Names(cfg) {
			for _, n := range r.Names(path.Join(cfg, env)) {
				files = append(files, path.Join(cfg, env, n))
			}
		}
	}
	var out []string
	for _, f := range files {
		data, err := r.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range hugoIDSetting.FindAllSubmatch(data, -1) {
			setting, value := strings.ToLower(string(m[1])), strings.ToLower(string(m[2]))
			if setting == "autoheadingidtype" && value != "github" || setting == "defaultmarkdownhandler" && value != "goldmark" {
				out = append(out, string(m[1])+": "+string(m[2]))
			}
		}
	}
	return out
}

// zensicalTable is a zensical.toml table header naming an extension or a
// plugin: [project.markdown_extensions.pymdownx.highlight],
// [project.plugins.search].
var zensicalTable = regexp.MustCompile(`(?m)^\s*\[project\.(markdown_extensions|plugins)\.([^\]]+)\]`)

// zensicalUnmodelledOptions are zensical.toml's spellings of what
// mkdocsUnmodelled reads from mkdocs.yml: hooks, a toc slugify other
// than pymdownx.slugs, snippets' auto_append, tabbed's
// combine_header_slug, and extensions or plugins given inline rather
// than as tables (not read here).
var zensicalUnmodelledOptions = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`(?m)^\s*hooks\s*=`), "hooks"},
	{regexp.MustCompile(`(?m)^\s*auto_append\s*=`), "snippets auto_append"},
	{regexp.MustCompile(`(?m)^\s*combine_header_slug\s*=\s*true`), "tabbed combine_header_slug"},
	{regexp.MustCompile(`(?m)^\s*(?:markdown_extensions|plugins)\s*=`), "extensions given inline"},
}

// zensicalItems reads the plugins and markdown extensions a zensical.toml
// configures as tables, each once (a plugin's options table,
// [project.plugins.x.y], names x).
func zensicalItems(data []byte) []mkdocsItem {
	var out []mkdocsItem
	seen := map[mkdocsItem]bool{}
	for _, m := range zensicalTable.FindAllSubmatch(data, -1) {
		it := mkdocsItem{section: string(m[1]), name: strings.Trim(strings.TrimSpace(string(m[2])), `"'`)}
		if it.section == "plugins" {
			it.name, _, _ = strings.Cut(it.name, ".")
		}
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return out
}

// zensicalUnmodelled lists what a zensical.toml enables that docscheck
// does not model, by the same lists as mkdocsUnmodelled.
func zensicalUnmodelled(data []byte) []string {
	out := unmodelledItems(zensicalItems(data))
	if bytes.Contains(data, []byte("slugify")) && !bytes.Contains(data, []byte("pymdownx.slugs")) {
		out = append(out, "toc slugify")
	}
	for _, o := range zensicalUnmodelledOptions {
		if o.re.Match(data) {
			out = append(out, o.what)
		}
	}
	return out
}
