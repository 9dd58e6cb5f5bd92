package repo

import (
	"path"
	"regexp"
	"strings"
)

// markdownImport is a script's import of a Markdown renderer: a
// JavaScript require or import of marked, markdown-it, remark, unified,
// micromark, showdown or commonmark (or a package of theirs, such as
// marked-highlight or remark-gfm), or a Python import of Python-Markdown,
// mistune, markdown-it-py or commonmark.
var markdownImport = regexp.MustCompile(`(?m)(?:require\(\s*|\bfrom\s+|\bimport\s+)['"](?:marked|markdown-it|remark|unified|micromark|showdown|commonmark)(?:[-/][\w./-]*)?['"]` +
	`|^\s*(?:import|from)\s+(?:markdown|mistune|markdown_it|commonmark)\b`)

// scriptExts are the files MarkdownScript reads.
var scriptExts = map[string]bool{".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".mts": true, ".py": true}

// MarkdownScript names a script that renders the page's Markdown itself:
// one in the page's folder or a folder above it, below the root, that
// imports a Markdown renderer (docs/build.js requiring markdown-it). Such
// a folder is a site of its own making: the script decides the pages'
// URLs and ids, and may join pages into one (an id per file). "" when
// there is none; a script at the root is not counted, since the root's
// pages are read on github.com whatever a build makes of them.
func (r *Repo) MarkdownScript(page string) string {
	for dir := path.Dir(page); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if s := r.markdownScriptIn(dir); s != "" {
			return s
		}
	}
	return ""
}

// markdownScriptIn is MarkdownScript for the scripts directly in dir,
// memoized.
func (r *Repo) markdownScriptIn(dir string) string {
	return r.memo("markdownscript", dir, func() any {
		for _, n := range r.Names(dir) {
			p := path.Join(dir, n)
			if !scriptExts[strings.ToLower(path.Ext(n))] || r.Stat(p) != File {
				continue
			}
			data, err := r.ReadFile(p)
			if err != nil || len(data) > 1<<20 {
				continue
			}
			if markdownImport.Match(data) {
				return p
			}
		}
		return ""
	}).(string)
}
