package repo

import (
	"path"
	"regexp"
	"strings"
)

// A page may be a part of another page that a build of the repository
// makes by joining files: a template that includes it
// ({%= include('docs/usage.md') %}), a recipe that concatenates it with
// others (cat src/index.md ../CHANGELOG.md > tmp.md), or a data file
// whose array of three or more pages a docs builder joins into one
// (doc/config.json: ["mjml/doc/guide.md", "mjml/packages/x/README.md",
// ...]). On the joined page its anchors may name the other parts'
// headings, and its relative links resolve from where the joined page is
// published. JoinedBy finds such a file by reading the tree's templates,
// Makefiles, shell scripts and data files as text.

var (
	// includeDirective is a template's include of a Markdown file.
	includeDirective = regexp.MustCompile(`\binclude[\w-]*\s*\(?\s*['"]([^'"\s]+\.(?:md|markdown))['"]`)
	// catPages is a cat of two or more Markdown files.
	catPages = regexp.MustCompile(`\bcat((?:\s+[^\s|>;&<]+\.(?:md|markdown)){2,})`)
	// pageArray is a data file's array of three or more Markdown file
	// names and nothing else, in flow style (["a.md", "b.md", "c.md"],
	// over lines or not) or as a YAML block list ("- a.md" lines). Names
	// among other keys ("@id": "README.md" in a manifest's objects) are
	// no list of pages.
	pageArray = regexp.MustCompile(`(?:["'][^"'\s]+\.(?:md|markdown)["']\s*,\s*){2,}["'][^"'\s]+\.(?:md|markdown)["']` +
		`|(?m)(?:^[ \t]*-[ \t]+["']?[^"'\s]+\.(?:md|markdown)["']?[ \t]*\n){3,}`)
	// pageName is one Markdown file name of such an array.
	pageName = regexp.MustCompile(`([^"'\s-][^"'\s]*\.(?:md|markdown))\b`)
)

// joinScanMax bounds the bytes of one file JoinedBy reads.
const joinScanMax = 256 << 10

// JoinedBy names the file that joins page into another page, or "".
func (r *Repo) JoinedBy(page string) string {
	return r.joinedParts()[page]
}

// joinedParts maps each page a file of the tree joins to that file,
// memoized: one walk, skipping hidden folders and node_modules.
func (r *Repo) joinedParts() map[string]string {
	return r.memo("joined", ".", func() any {
		parts := map[string]string{}
		add := func(file, written string) {
			for _, p := range r.joinedCandidates(file, written) {
				if _, ok := parts[p]; !ok {
					parts[p] = file
				}
			}
		}
		r.walkFiles(".", "", func(file string) {
			base := path.Base(file)
			ext := strings.ToLower(path.Ext(base))
			kind := ""
			switch {
			case ext == ".md" || ext == ".markdown" || ext == ".html" || ext == ".njk" || ext == ".hbs" || ext == ".tmpl":
				kind = "template"
			case base == "Makefile" || base == "makefile" || base == "GNUmakefile" || ext == ".mk" || ext == ".sh":
				kind = "recipe"
			case (ext == ".json" || ext == ".yml" || ext == ".yaml") && base != "package.json" && base != "package-lock.json" &&
				!strings.HasPrefix(base, "."):
				// A hidden data file configures a tool (a review bot's
				// .coderabbit.yaml, a linter's), which reads the files
				// it lists one by one and joins none into a page.
				kind = "list"
			default:
				return
			}
			data, err := r.ReadFile(file)
			if err != nil || len(data) > joinScanMax {
				return
			}
			text := string(data)
			switch kind {
			case "template":
				included := 0
				for _, m := range includeDirective.FindAllStringSubmatchIndex(text, -1) {
					if partialInclude(text[m[1]:]) {
						// A region of a page (start and end markers)
						// makes no part of it: the page stays its own.
						continue
					}
					add(file, text[m[2]:m[3]])
					included++
				}
				if included > 0 && (ext == ".md" || ext == ".markdown") {
					// A Markdown template is itself a part of the page
					// it builds (.verb.md of README.md).
					if _, ok := parts[file]; !ok {
						parts[file] = file
					}
				}
			case "recipe":
				for _, m := range catPages.FindAllStringSubmatch(text, -1) {
					for _, w := range strings.Fields(m[1]) {
						add(file, w)
					}
				}
			case "list":
				for _, list := range pageArray.FindAllString(text, -1) {
					for _, m := range pageName.FindAllStringSubmatch(list, -1) {
						add(file, m[1])
					}
				}
			}
		})
		return parts
	}).(map[string]string)
}

// partialInclude reports whether the rest of an include directive, up to
// its end ("%}", "}}" or a line without it), takes a region of the file
// by markers (include-markdown's start= and end=).
func partialInclude(rest string) bool {
	end := len(rest)
	for _, closer := range []string{"%}", "}}"} {
		if i := strings.Index(rest, closer); i >= 0 && i < end {
			end = i
		}
	}
	end = min(end, 400)
	return strings.Contains(rest[:end], "start=") || strings.Contains(rest[:end], "end=")
}

// joinedCandidates are the pages of the tree a file may mean by written:
// the path from the file's folder, from the root, or, when its first
// folder is none of the tree's, from the root once that folder is dropped
// (mjml/doc/guide.md in the mjml repository, written from above it).
func (r *Repo) joinedCandidates(file, written string) []string {
	written = strings.TrimPrefix(written, "./")
	var out []string
	for _, p := range []string{path.Join(path.Dir(file), written), path.Clean(written)} {
		if !strings.HasPrefix(p, "../") && r.Stat(p) == File {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		// Written from the folder above the checkout: a first folder
		// the tree lacks, then a path of the tree.
		if first, rest, ok := strings.Cut(path.Clean(written), "/"); ok && r.Stat(first) == Missing && r.Stat(rest) == File {
			out = append(out, rest)
		}
	}
	return out
}
