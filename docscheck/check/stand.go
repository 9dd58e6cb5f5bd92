package check

import (
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// Where the reader stands. A command rule judges a command against this
// repository's files and manifests (its Makefile, package.json, scripts,
// crates, tests). That is certain only where the page certainly puts the
// reader in a checkout of this repository. Evidence for it:
//   - the page is addressed to people working on the repository: a page
//     github.com shows for the repository or one of its folders (a
//     README, a page at the root, a page under .github/), or a page whose
//     name is an ecosystem-wide convention for contributor or coding-agent
//     instructions (CONTRIBUTING or CONTRIBUTE, AGENTS, CLAUDE, GEMINI,
//     HACKING, DEVELOPMENT), or one in a folder named for the contributor section
//     of a docs site (contributing/, development/, developer-guide/);
//   - the page clones this repository (its identity from the repository
//     itself, see isThisRepository): from there on, the reader works in
//     the clone (a cd into it, or the one docs leave out), so the commands
//     run in this repository, on any page.
//
// Evidence against it: the page is one a docs site publishes (under a
// site generator's pages folder, or in a folder of pages a site docscheck
// does not model publishes: see publishedElsewhere) for the users of the
// product, who run its commands in a project of their own. There, a
// command rule's finding is not judged (reasonUsersPage) until the page
// clones this repository. Pages that are neither
// (a docs folder github.com shows, read by contributors and users alike)
// are judged as before: their commands are the repository's unless the
// page itself says otherwise (a project of the reader's, a clone of
// another repository, a placeholder).
const reasonUsersPage = "users-page"

// reasonBrowsedPage: a page that only a folder's README reaches (no page
// links it; GitHub shows it below the folder's file list). Its links and
// anchors resolve the same for whoever reads it, but where its reader
// stands when running its commands the repository does not say: the
// folder, the root, a subfolder, an archive the README ships in. Its
// command rules' findings are not judged, until the page clones this
// repository.
const reasonBrowsedPage = "browsed-page"

// repositoryPageNames are the conventional names (upper case, without
// extension) of pages addressed to people working on a repository,
// wherever they lie: contributor guides and coding-agent instructions.
// A page named by a word of the contributor section (below) is one too:
// DEVELOPERS.md as much as a folder developers/.
var repositoryPageNames = map[string]bool{
	"README": true, "AGENTS": true, "CLAUDE": true, "GEMINI": true, "COPILOT-INSTRUCTIONS": true,
}

// contributeWords name a page, a docs site's section or a page's section
// for people working on the product rather than with it, in any project
// (CONTRIBUTING.md, docs/contributing/, "## Contributing").
var contributeWords = map[string]bool{
	"contribute": true, "contributing": true, "contributor": true, "contributors": true, "hacking": true,
}

// developmentWords name a page or a docs site's section for people
// working on the product too (DEVELOPER.md, docs/developer-guide/), but
// not a page's section: a tutorial's "Development" section is the
// reader's own project's.
var developmentWords = map[string]bool{
	"development": true, "developing": true, "developer": true, "developers": true,
}

// guideWords name a body of documentation: after the short form "dev"
// (dev-guide, dev_docs) they make it a guide for developers, which "dev"
// alone does not say (DevTools, a users' topic).
var guideWords = map[string]bool{
	"guide": true, "guides": true, "doc": true, "docs": true, "documentation": true, "manual": true, "handbook": true,
}

// isContributorSectionWord: a word that names a page or a docs site's
// section for people working on the product.
func isContributorSectionWord(w string) bool { return contributeWords[w] || developmentWords[w] }

// isRepositoryPage reports whether a page is addressed to people working
// on the repository itself (see above): at the root, under .github/, by a
// conventional name or one with a contribute word in it, or in a folder
// whose name is a word of the contributor section (alone, hyphenated or
// run together with capitals: developer-guide, DeveloperDocs).
func isRepositoryPage(p string) bool {
	if path.Dir(p) == "." || p == ".github" || strings.HasPrefix(p, ".github/") {
		return true
	}
	base := path.Base(p)
	name := strings.TrimSuffix(base, path.Ext(base))
	if repositoryPageNames[strings.ToUpper(name)] || isContributorSectionWord(strings.ToLower(name)) {
		return true
	}
	// A page named with a contribute word among others
	// (contributing-scalafmt.md, hacking-on-the-parser.md); not with a
	// development word, which a users' tutorial may carry too
	// (web-development.md).
	if slices.ContainsFunc(folderWords(name), func(w string) bool { return contributeWords[w] }) {
		return true
	}
	for _, dir := range strings.Split(path.Dir(p), "/") {
		words := folderWords(dir)
		for i, word := range words {
			if isContributorSectionWord(word) || word == "dev" && i+1 < len(words) && guideWords[words[i+1]] {
				return true
			}
		}
	}
	return false
}

// folderWords splits a folder name into its words, lower-cased, where
// a separator (developer-guide, dev_docs, contributing.d) or a capital
// after a small letter (DeveloperDocs) starts one.
func folderWords(dir string) []string {
	var words []string
	start, prev := 0, rune(0)
	for i, r := range dir {
		switch {
		case isWordSeparator(r):
			if i > start {
				words = append(words, strings.ToLower(dir[start:i]))
			}
			start = i + 1
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			words = append(words, strings.ToLower(dir[start:i]))
			start = i
		}
		prev = r
	}
	if start < len(dir) {
		words = append(words, strings.ToLower(dir[start:]))
	}
	return words
}

// isWordSeparator splits a folder name into its words (developer-guide,
// dev_docs, contributing.d).
func isWordSeparator(r rune) bool { return r == '-' || r == '_' || r == '.' }

// usersPage returns reasonUsersPage when the page is one a docs site of
// the repository publishes for users of the product and not one addressed
// to people working on the repository; else "".
func (c *Checker) usersPage(p string) string {
	if isRepositoryPage(p) {
		return ""
	}
	if c.site(p) != nil {
		return reasonUsersPage
	}
	// A folder of pages a site docscheck does not model publishes: one
	// the README sends readers to on the web, or one that is made of
	// pages and that the repository's build publishes.
	for _, dir := range c.unknownRendererFolders() {
		if under(p, dir) {
			return reasonUsersPage
		}
	}
	for _, dir := range c.rendered {
		// A folder of docs that a workflow's trigger only leaves out
		// (paths-ignore) is read, but nothing says a site publishes it
		// for users: github.com shows it.
		if under(p, dir) && c.opts.Repo.PublishedFolder(dir) {
			return reasonUsersPage
		}
	}
	return ""
}

// sitePageFolder is the folder of page p when a docs site builds it (a
// page of a site docscheck models, of a Sphinx project, or of a folder of
// pages another generator publishes) and it is no page addressed to
// people working on the repository (isRepositoryPage), which github.com
// shows in its folder; else "". The root is no such folder: every page's
// commands start there.
func (c *Checker) sitePageFolder(p string) string {
	d := path.Dir(p)
	if d == "." || isRepositoryPage(p) {
		return ""
	}
	if _, ok := c.sphinxSourceOf(p); ok || c.usersPage(p) != "" {
		return d
	}
	return ""
}

// commandRules are the rules that judge a command against this
// repository's files and manifests: certain only where the reader stands
// in this repository.
var commandRules = map[string]bool{
	ruleScript: true, ruleMake: true, ruleNPM: true, ruleCargo: true, rulePython: true,
	ruleGoPackage: true, ruleGoTest: true,
}

// pathRules are the command rules that judge a file (or a local Go
// package's folder) by its path: a path one typo from this repository's
// file in the same folder is a misspelling of it wherever the reader
// stands (misspelt). A task's name
// one typo from this repository's (a make target, an npm script) is such
// evidence only where the page is the repository's and its folder alone
// is unknown (reasonBrowsedPage): on a users' page, build, test and serve
// are the reader's project's names as much as this repository's.
var pathRules = map[string]bool{ruleScript: true, rulePython: true, ruleGoPackage: true}

// misspeltAnywhere reports whether f, a command's finding on a page whose
// reader's place is unknown for reason, names a misspelling of this
// repository's name that is wrong wherever the reader stands: a path
// (pathRules), or on a page only browsing reaches a task's name too. The
// finding was judged from the root and the page's folder; a folder
// between them may be the root of a release archive that ships the page
// (lib/dll/example/README.md's `cd example`, right in an archive of
// lib/dll), so the name must not be there either, and a task's name is
// judged only when no folder between them holds a manifest of its own.
func (c *Checker) misspeltAnywhere(page string, f finding.Finding, reason string) bool {
	if f.Misspelt == "" || !pathRules[f.Rule] && reason != reasonBrowsedPage {
		return false
	}
	for d := path.Dir(path.Dir(page)); d != "." && d != "/"; d = path.Dir(d) {
		if pathRules[f.Rule] && c.opts.Repo.Stat(joinPath(d, f.Misspelt)) != repo.Missing {
			return false
		}
		if !pathRules[f.Rule] && slices.ContainsFunc(manifestNames, func(n string) bool { return c.opts.Repo.Stat(path.Join(d, n)) == repo.File }) {
			return false
		}
	}
	return true
}

// manifestNames are the files that define a task's name a command rule
// judges (make targets, scripts, crates).
var manifestNames = append(slices.Clone(repo.MakefileNames), "package.json", "Cargo.toml")

// standing runs one command unit (an inline command, a code block) and
// then weighs its command findings by where the reader stands: on a
// users' page that has not cloned this repository (nor cd'd into a clone
// of it, nor named its root by its name as where the section runs, "from
// the root of the cloned CameraTraps repo": atOwnRoot), or a page only
// browsing reaches, they are not judged, except a name that misspells
// this repository's (misspeltAnywhere).
func (c *Checker) standing(r *report, unit func()) {
	from := len(r.findings)
	unit()
	reason := r.session.elsewhere
	if reason == "" || r.session.inClone || r.session.atOwnRoot || len(r.session.clones) > 0 || len(r.findings) == from {
		return
	}
	kept := r.findings[:from]
	for _, f := range r.findings[from:] {
		if commandRules[f.Rule] && !c.misspeltAnywhere(r.page.path, f, reason) {
			f.NotCertain = reason
			r.doubts = append(r.doubts, f)
		} else {
			kept = append(kept, f)
		}
	}
	r.findings = kept
}
