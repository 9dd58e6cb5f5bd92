package repo

import (
	"slices"
	"testing"
)

// TestRunsScriptBefore: a package.json script writes pages before the
// generator builds when it runs a script file of the repository in a
// command chained before the generator's; cleaning, the generator alone,
// or a script run after the build does not.
func TestRunsScriptBefore(t *testing.T) {
	for script, want := range map[string]bool{
		"node scripts/sync.mjs && python scripts/generate-all-docs.py && vitepress build": true,
		"./scripts/api.sh; vitepress build docs":                                          true,
		"cross-env NODE_ENV=production node tools/gen.js && npx vitepress build":          true,
		"vitepress build": false,
		"rimraf .vitepress/dist && vitepress build":         false,
		"vitepress build && node scripts/post.mjs":          false,
		"node --max-old-space-size=4096 && vitepress build": false,
		"python scripts/generate.py && docusaurus build":    false, // another generator's build
	} {
		if got := runsScriptBefore(script, "vitepress"); got != want {
			t.Errorf("runsScriptBefore(%q) = %v, want %v", script, got, want)
		}
	}
}

// TestMentionsFolder: a build file names a folder wherever its path
// appears, alone or as the start of a longer path, but not where an rm
// command deletes the folder itself (the folder, ./folder, folder/ or
// folder/*): that folder is the build's output; nor, for publishing,
// where a workflow's paths-ignore filter leaves it out.
func TestMentionsFolder(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"docs:\n\tpandoc docs/markdown/*.md -o out.html\n", true},
		{"clean:\n\t@-rm -rf ./docs/markdown\n", false},
		{"clean:\n\trm -rf docs/markdown/*\n", false},
		{"clean:\n\trm -r \"docs/markdown/\"\n", false},
		{"clean:\n\tcd build && rm -rf docs/markdown\n", false},
		{"clean:\n\trm -rf docs/markdown/_build\n", true},
		{"x:\n\techo docs/markdown; rm -rf other\n", true},
		{"clean:\n\trm -rf docs/markdown\ndocs:\n\tpandoc docs/markdown/a.md\n", true},
		// A workflow's trigger that leaves the folder out reads none of
		// it; one that names it as a trigger may build it.
		{"on:\n  push:\n    paths-ignore:\n      - 'docs/markdown/**'\n      - '**.md'\n", false},
		{"on:\n  push:\n    paths-ignore:\n    - docs/markdown/**\n", false},
		{"on:\n  pull_request:\n    paths-ignore: ['docs/markdown/**']\n", false},
		{"on:\n  push:\n    paths:\n      - 'docs/markdown/**'\n", true},
		{"on:\n  push:\n    paths-ignore:\n      - '**.md'\njobs:\n  b:\n    steps:\n      - run: pandoc docs/markdown/a.md\n", true},
	} {
		if got := mentionsFolder(tc.text, "docs/markdown", true); got != tc.want {
			t.Errorf("mentionsFolder(%q, docs/markdown, publishing) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestTemplateTitle: a Markdown file whose front-matter title, or else
// its first heading, holds a template placeholder is a template of pages.
func TestTemplateTitle(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"# {{ name }}\n\ntext\n", true},
		{"---\ntitle: \"{{ name }}, built with it\"\n---\n\n# Intro\n", true},
		{"---\ntitle: Guide\n---\n\n# {{ name }}\n", false},
		{"# Guide\n\nUse {{ name }} here.\n", false},
		{"#!/bin/sh\ntext\n## {{ x }}\n", true},
		{"Intro\n\n#hashtag {{ x }}\n", false},
	} {
		if got := templateTitle([]byte(tc.src)); got != tc.want {
			t.Errorf("templateTitle(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}

// TestMdbookCommandPreprocessors: a preprocessor book.toml runs by a
// command of the repository's own (cargo run, a script of the tree)
// rewrites chapters in ways not modelled; a published mdbook-NAME
// program, or mdBook's own preprocessors, do not count.
func TestMdbookCommandPreprocessors(t *testing.T) {
	for _, tc := range []struct {
		config string
		want   []string
	}{
		{"[book]\nsrc = \"src\"\n\n[preprocessor.links]\n\n[preprocessor.pandocs]\ncommand = \"cargo run -p pandocs-preproc --\"\nafter = [ \"links\" ]\n",
			[]string{"book.toml: preprocessor pandocs"}},
		{"[preprocessor.gen]\ncommand = 'src/imgs/preproc.py'\n[output.html]\n", []string{"book.toml: preprocessor gen"}},
		{"[preprocessor]\n\n[preprocessor.mermaid]\ncommand = \"mdbook-mermaid\"\n", nil},
		{"[preprocessor.admonish]\ncommand = \"/usr/local/bin/mdbook-admonish\"\n", nil},
		{"[preprocessor.links]\n[preprocessor.index]\n[output.html]\ncommand = \"cargo run\"\n", nil},
	} {
		if got := mdbookCommandPreprocessors([]byte(tc.config)); !slices.Equal(got, tc.want) {
			t.Errorf("mdbookCommandPreprocessors(%q) = %q, want %q", tc.config, got, tc.want)
		}
	}
}
