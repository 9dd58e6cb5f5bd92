package check

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// A rule reports a breakage only when its evidence makes it certain: a
// reader following the page on the renderer they use would hit it. What a
// rule sees but cannot call certain is "not judged": counted by one of
// these reasons in the summary, listed with --not-judged, and reported
// only in strict mode. docs/docscheck.md states each rule's certain
// evidence.
const (
	// reasonNotInRepo: no folder of the path is in the repository, so it
	// names something outside it (the reader's machine, another project).
	reasonNotInRepo = "not-in-repo"
	// reasonFolderMissing: some of the path's folders are in the
	// repository, but not the one it would sit in.
	reasonFolderMissing = "folder-missing"
	// reasonReadersFile: a bare name in the folder the command runs in,
	// not a near miss of anything there: a file the reader makes.
	reasonReadersFile = "readers-file"
	// reasonOutput: below a folder builds write (dist, target, .venv), or
	// a path the repository's .gitignore names (a generated page).
	reasonOutput = "build-output"
	// reasonReadersProject: the page has the reader set up a project of
	// their own (npm init, a package.json to write) before this command.
	reasonReadersProject = "readers-project"
	// reasonInWorkspace: the root package.json lacks the script, but a
	// workspace member has it; the reader may be meant to stand there.
	reasonInWorkspace = "in-workspace"
	// reasonSiteRule: a docs site can serve this through rules docscheck
	// does not model (front-matter ids, dynamic routes).
	reasonSiteRule = "site-rule"
	// reasonWebRelative: a link in an issue or pull-request template
	// resolves against the github.com page it is shown on.
	reasonWebRelative = "web-relative"
	// reasonPlaceholder: a part of the path stands for a name of the
	// reader's choosing (xxx, foo, my-app, NAME).
	reasonPlaceholder = "placeholder"
	// reasonAnchorCase: a fragment that differs from an anchor only in
	// case, on a page github.com renders: it finds the heading anyway.
	reasonAnchorCase = "anchor-case"
	// reasonNoManifest: no package.json (Cargo.toml) where the page
	// starts: the project the command runs in is the reader's.
	reasonNoManifest = "no-manifest"
	// reasonNoMakefile: no Makefile where make runs, so which one the
	// reader uses (generated, their own) is unknown.
	reasonNoMakefile = "no-makefile"
	// reasonPackageBinary: "yarn X" / "pnpm X" where the package.json in
	// use has no script X nor one a typo away: X may be a binary of an
	// installed package, which docscheck cannot see.
	reasonPackageBinary = "package-binary"
	// reasonHistory: release history (a changelog, a page of release
	// headings) quotes commit messages: brackets there are their text;
	// a log's dated entries record what was done then (inDatedList).
	reasonHistory = "history"
	// reasonQuoted: text the prose quotes between double quotes (an issue
	// title, a message someone types) is meant to read as written: its
	// brackets are the quoted text's, not a link.
	reasonQuoted = "quoted"
	// reasonAlias: the link's prefix is a path alias a build tool of the
	// repository declares (tsconfig.json "paths": "~/*"), resolved by
	// that tool's rules, not as a file beside the page.
	reasonAlias = "build-alias"
	// reasonTooltip: a same-page fragment on an icon link whose title is
	// its message (<a href="#x" title="...">💬</a>): a label, not a
	// heading to scroll to.
	reasonTooltip = "tooltip-icon"
	// reasonGitHubReadme: the fragment #readme on a page github.com
	// renders: GitHub wraps a rendered Markdown file in an element with
	// the id readme (its saved blob pages show it), not a heading of the
	// page; whether today's pages still do is not in the repository, and
	// the link opens the page either way.
	reasonGitHubReadme = "github-readme"
	// reasonFolderListing: a folder of the repository, or a file no shell
	// runs (a page, a picture, data), alone on a line of a shell block: a
	// listing of the tree, or a file named to open, not a program run.
	reasonFolderListing = "folder-listing"
	// reasonUnpairedBacktick: inline code across a line break whose
	// closing backtick starts a word: an unclosed backtick that
	// CommonMark paired with the next span's opener, so the span holds
	// prose after the command.
	reasonUnpairedBacktick = "unpaired-backtick"
	// reasonMakeInclude: the Makefile includes a file whose path holds a
	// variable docscheck cannot work out, which may define the target.
	reasonMakeInclude = "make-include"
	// reasonMakeElsewhere: make runs where the page starts (or where an
	// earlier block left the reader), and another Makefile of the
	// repository defines the target: the reader may be meant to stand
	// beside that one.
	reasonMakeElsewhere = "make-elsewhere"
	// reasonDependency: cargo's -p names a package that is no member of
	// the workspace but one it depends on (a manifest's dependency, a
	// package of its Cargo.lock), which cargo may build.
	reasonDependency = "dependency"
	// reasonSubmodule: the path lies in a git submodule (.gitmodules):
	// another repository's files, present only in a recursive clone.
	reasonSubmodule = "submodule"
	// reasonFolderLost: the reader's folder is lost where the command
	// runs (an earlier cd docscheck cannot follow, a block that ended in a
	// folder the tree lacks); judged from where the page starts, it would
	// fail, but the reader is not known to be there (judgeLost).
	reasonFolderLost = "folder-lost"
	// reasonUnpacked: a program the tree lacks, run where an archive was
	// unpacked earlier on the page: the archive may hold it.
	reasonUnpacked = "unpacked"
	// reasonWorkspaceFilter: a workspace-filtered script run whose
	// selection docscheck cannot work out (a filter expression, several
	// filters, a package.json whose workspaces are not known).
	reasonWorkspaceFilter = "workspace-filter"
	// reasonOtherStart: make -C names a folder the tree lacks below the
	// folder make is judged from, while it is there below another folder
	// the page may start in: the reader stands there (startsElsewhere).
	// Or a path prose names alone is missing where it is judged from, and
	// there below a folder the page names (namedFolderHolds). Or a path
	// that starts with this repository's name is there from the folder
	// above the reader's checkout (aboveCheckout), or is there from a
	// folder between the root and the page's own (fromPageAncestor).
	reasonOtherStart = "other-start"
	// reasonScriptElsewhere: the package.json in use lacks the script,
	// but one in a folder the page names as a place to stand has it: the
	// prose may send the reader there (scriptElsewhere).
	reasonScriptElsewhere = "script-elsewhere"
	// reasonOptionValue: the word follows an option docscheck does not
	// know (a plugin's), which may take it as its value.
	reasonOptionValue = "option-value"
	// reasonUnusedDefinition: the reference sits in a definition no page
	// uses (a reST substitution whose name no page writes), which renders
	// nothing, as goldmark renders nothing of an unused Markdown link
	// definition (unusedSubstitution).
	reasonUnusedDefinition = "unused-definition"
	// reasonNamespacePackage: "python -m" names a module through a folder
	// without an __init__.py, which an installed package of the same
	// name takes the place of (namespacePackage).
	reasonNamespacePackage = "namespace-package"
)

// miss reports a breakage when reason is "" and records a case not judged
// otherwise: the one call every rule makes for evidence it weighed.
func (r *report) miss(line, col int, reason, rule, suggestion, format string, args ...any) {
	f := finding.Finding{
		Path: r.page.path, Line: line, Col: col, Rule: rule,
		Message: fmt.Sprintf(format, args...), Suggestion: suggestion, NotCertain: reason,
	}
	if reason == "" {
		r.findings = append(r.findings, f)
	} else {
		r.doubts = append(r.doubts, f)
	}
}

// demote turns the findings from index from on into cases not judged for
// reason: what a rule saw there was certain only if the text is what it
// seemed.
func (r *report) demote(from int, reason string) {
	for _, f := range r.findings[from:] {
		f.NotCertain = reason
		r.doubts = append(r.doubts, f)
	}
	r.findings = r.findings[:from]
}

// missAt is miss at a byte offset of the page.
func (r *report) missAt(offset int, reason, rule, suggestion, format string, args ...any) {
	line, col := r.page.position(offset)
	r.miss(line, col, reason, rule, suggestion, format, args...)
}

// missWord is miss at a word of a command.
func (r *report) missWord(w command.Word, at locate, reason, rule, suggestion, format string, args ...any) {
	line, col := at(w.Line, w.Col)
	r.miss(line, col, reason, rule, suggestion, format, args...)
	if reason == "" {
		r.markMisspelt(w, suggestion)
	}
}

// markMisspelt notes on the finding just added, about the word w, that w
// misspells suggestion (misspelt): standing reads it.
func (r *report) markMisspelt(w command.Word, suggestion string) {
	if misspelt(w.Text, suggestion) {
		r.findings[len(r.findings)-1].Misspelt = w.Text
	}
}

// misspelt reports whether written, a name a command names (a path, a
// make target, a script), is one typo from suggestion, the nearest name
// the repository has (a path as the command would write it, or "`make
// test`", "`npm run x`"): the same folder, the same extension, and stems
// (the names without their extensions) of at least four characters, one
// letter apart and not only in case. A reader's own file is not one typo
// from this repository's file in the same folder (main.js beside
// main.ts, Desktop beside desktop, and a short name like api beside app
// may be one); a misspelling of this repository's file is, wherever the
// reader stands (standing weighs which rules' names that holds for).
func misspelt(written, suggestion string) bool {
	fields := strings.Fields(strings.Trim(suggestion, "`"))
	if written == "" || len(fields) == 0 {
		return false
	}
	a, b := path.Clean(written), path.Clean(fields[len(fields)-1])
	if path.Dir(a) != path.Dir(b) || path.Ext(a) != path.Ext(b) {
		return false
	}
	stemA := strings.TrimSuffix(path.Base(a), path.Ext(a))
	stemB := strings.TrimSuffix(path.Base(b), path.Ext(b))
	return min(utf8.RuneCountInString(stemA), utf8.RuneCountInString(stemB)) >= 4 &&
		!strings.EqualFold(stemA, stemB) && oneTypo(stemA, stemB)
}

// missingPath weighs a path that is not in the tree: written as the page
// writes it, p where it resolves to (repository-relative), hint the
// did-you-mean for p or "". It returns "" when the breakage is certain,
// else the reason it is not judged:
//   - in a git submodule: another repository's file, there or not
//     depending on how the reader cloned;
//   - a "#" in its file name: a number's placeholder;
//   - below a folder builds write, a hidden name, or ignored by the
//     repository's .gitignore: an output;
//   - one typo away from a path that exists: certain;
//   - the folders the page writes are in the repository while the last
//     part is not: certain;
//   - a bare name, with no folder written (main.py, ./myproject): a file
//     the reader makes;
//   - else some or none of the written folders are in the repository.
//
// Only folders the page writes count as evidence: the folder a command
// runs in is where the reader stands, not a claim about the file.
func (c *Checker) missingPath(written, p, hint string) string {
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") {
		// Above the root: the folder that holds the checkout is the
		// reader's own (or this machine's), so a file missing there says
		// nothing of the repository, even though that folder exists.
		return reasonNotInRepo
	}
	if c.opts.Repo.InSubmodule(p) {
		return reasonSubmodule
	}
	if strings.Contains(path.Base(p), "#") {
		// A "#" inside a file name stands for a number in prose and
		// code alike ("built by a build_qt#.sh script": build_qt5.sh,
		// build_qt6.sh); a file really named so would have been found.
		return reasonPlaceholder
	}
	if c.isGenerated(p) {
		// A build's output, even next to a similar name (./coverage by
		// coverage.md): what the build writes there is not in the tree.
		return reasonOutput
	}
	if c.opts.Repo.Ignored(p) && !c.typoOfCommittedIgnored(p, hint) || c.opts.Repo.DanglingLink(p) {
		return reasonOutput
	}
	if hint != "" && typoOf(p, hint) {
		return ""
	}
	if c.placeholderIn(written, p) ||
		isPlaceholderIdent(strings.TrimSuffix(path.Base(written), path.Ext(written))) {
		// A part the reader chooses (foo, my-app, NAME), or a file name
		// written as a plausible one with a word of choice in it
		// (tests/test_specific_feature.py), as make targets and tests are.
		return reasonPlaceholder
	}
	switch {
	case path.Dir(path.Clean(written)) == ".":
		return reasonReadersFile
	case c.opts.Repo.Stat(path.Dir(p)) == repo.Dir:
		return ""
	}
	dir := path.Dir(p)
	for q := path.Dir(dir); q != "." && q != "/" && q != ".."; q = path.Dir(q) {
		if c.opts.Repo.Stat(q) == repo.Dir {
			return reasonFolderMissing
		}
	}
	return reasonNotInRepo
}

// aboveCheckout reports whether a path judged from the root may be
// written from the folder above the reader's checkout: its first part is
// this repository's name, the folder a clone makes, and the rest is
// there at the root ("cd janome/ipadic", where ipadic/ is at the root
// and the tree's janome/ is a package folder without it); and the page,
// which cloned nothing, enters the checkout by that name itself ("cd
// janome // change directory to janome root"). A page that only runs
// "pytest nglview/tests/" from the root, with no such cd, means the
// tree's folder.
func (c *Checker) aboveCheckout(r *report, written, p string) bool {
	w := path.Clean(written)
	first, rest, ok := strings.Cut(w, "/")
	if !ok || p != w || rest == "" || r.page == nil || r.session == nil || r.session.inClone || len(r.session.clones) > 0 ||
		c.opts.Repo.Stat(rest) == repo.Missing || !c.isThisRepository(first) {
		return false
	}
	for _, m := range cdFirstPart.FindAllSubmatch(r.page.source, -1) {
		if strings.EqualFold(string(m[1]), first) {
			return true
		}
	}
	return false
}

// fromPageAncestor reports whether written, a relative path run or named
// on a page two folders or more below the root, is there from a folder
// between the root and the page's folder ("./tools/release.sh" on
// common/tools/README.md, for common/tools/release.sh): the page may be
// written from that folder, its project's root (a subproject, or a
// repository merged into this one), where its reader then stands. The
// page does not say which, so the path is not judged.
func (c *Checker) fromPageAncestor(r *report, written string) bool {
	w := path.Clean(written)
	if r.page == nil || w == "." || strings.HasPrefix(w, "../") || w == ".." || isOutsidePath(w) {
		return false
	}
	for d := path.Dir(path.Dir(r.page.path)); d != "." && d != "/"; d = path.Dir(d) {
		if c.opts.Repo.Stat(path.Join(d, w)) != repo.Missing {
			return true
		}
	}
	return false
}

// cdFirstPart is a cd on a page, with the first part of the folder it
// enters.
var cdFirstPart = regexp.MustCompile(`(?m)\bcd\s+(?:\./)?([A-Za-z0-9_.-]+)(?:/|\s|$)`)

// typoOfCommittedIgnored reports whether p, a path an ignore rule covers,
// is one typo from hint, a file the repository commits though an ignore
// rule covers it too (build-aarch64.sh under "build-*", bin/cache-clear
// under "[Bb]in/"). Such a rule evidently covers committed files, so it
// says nothing of p being a build's output; the near committed file says
// p is a misspelling of it.
func (c *Checker) typoOfCommittedIgnored(p, hint string) bool {
	return hint != "" && typoOf(p, hint) && c.opts.Repo.Stat(hint) == repo.File && c.opts.Repo.Ignored(hint)
}

// missingIn is missingPath's verdict weighed by the page and its session
// (clonedName, readersCopy): one reading for every command that runs a
// file by path.
func (c *Checker) missingIn(r *report, written, p, hint string) string {
	reason := c.missingFolderIn(r, written, p, hint)
	if reason == "" && (c.compiledFrom(p) || c.compiledFrom(joinPath(".", written))) {
		// ./Shake beside Shake.hs, ./test_print beside test_print.c: the
		// program a compiler writes from the source, not a file of the
		// tree (here, or at the root, where a clone of this repository
		// puts the reader), whether a block runs it or a sentence
		// names it.
		return reasonOutput
	}
	return reason
}

// missingFolderIn is missingIn for a path that names a folder, such as a
// Go package's (./util/template/...): a compiler writes programs, not
// folders, so a source beside it (util/template.go) says nothing of the
// folder being a build's output.
func (c *Checker) missingFolderIn(r *report, written, p, hint string) string {
	reason := c.missingPath(written, p, hint)
	if reason == reasonReadersFile && r.clonedName(reason) == "" && path.Ext(written) == "" && r.session.ranWriter {
		// After a clone, a program by a bare name once the page has run
		// a command that may write files (a build: make, ninja, v x.v):
		// that command's output, not a file of the clone.
		return reasonOutput
	}
	reason = r.clonedName(reason)
	if reason == "" && r.session != nil && r.session.ranLost[written] {
		// "cd <path>", a deploy there, "python manage.py runserver";
		// later "python manage.py test": the page already ran the file
		// where docscheck lost the reader, who runs it from there again.
		return reasonFolderLost
	}
	if reason == "" && (c.readersCopy(r.page, written) || r.page != nil && savesName(r.page, written)) {
		return reasonReadersFile
	}
	if reason == "" && (c.aboveCheckout(r, written, p) || c.fromPageAncestor(r, written)) {
		return reasonOtherStart
	}
	if reason == "" && r.page != nil && namesExample(r.page, written) {
		// "To add your own font, e.g. `Helvetica`, include
		// `./ttf/Helvetica-Bold.ttf`": the prose gave the name as an
		// example, so a path made of it is the reader's to choose.
		return reasonPlaceholder
	}
	return reason
}

// exampleName finds a name prose gives as an example after "e.g." or
// "for example" / "for instance": one word, or a whole path, in inline
// code ("To include your own font, e.g. `Helvetica`, ...", "Create a new
// module in `pkg/` (e.g., `pkg/mine.py`)"), or a file name with a suffix
// as plain text ("a local script (e.g., snippet.py)"; reStructuredText's
// single backticks, interpreted text and no code, read as plain text).
var exampleName = regexp.MustCompile("(?i)(?:\\be\\.g\\.|\\beg\\.|\\bfor (?:example|instance)),?:?\\s+(?:`([A-Za-z.][A-Za-z0-9_./-]*)`|([A-Za-z][A-Za-z0-9_-]*(?:/[A-Za-z0-9_.-]+)*\\.[A-Za-z0-9]+)\\b)")

// exampleSentence is a sentence that opens as an example and poses a
// case: "Example:", "For example," or "For instance," at its start
// (after a sentence's end, a line's start or a parenthesis, with
// emphasis marks around the label allowed), then "if", "suppose",
// "say", "imagine", "assume" or "when", up to its end (a stop before a
// space, or a blank line). The files of such a scenario are the
// reader's ("*Example:* If a file `src/main.py` is modified, ... prints
// `src/main.py`"); an example stated as a fact of the tree ("For
// example, `ListComments` style is located in `./app/x.tsx`") is not
// one.
var exampleSentence = regexp.MustCompile(`(?im)(?:^|[.!?]\s+|\(\s*)[*_]*(?:example|for example|for instance)[*_]*\s*[:,][*_]*\s+((?:if|suppose|say|imagine|assume|when)\b(?:[^.!?\n]|[.!?][^\s]|\n[ \t]*[^\s])*)`)

// inlineCodePath is a path in inline code (Markdown's backticks or
// reStructuredText's double ones) with a folder or a suffix: a file.
var inlineCodePath = regexp.MustCompile("``?([A-Za-z0-9_.~-]*(?:/[A-Za-z0-9_.-]+)+/?|[A-Za-z0-9_-]+\\.[A-Za-z0-9]+)``?")

// namesExample reports whether path written is one the page gives as an
// example, or a part of it, between slashes, dashes, underscores or dots,
// is such a name: the path is one the reader makes from their own choice
// of name. A file in a sentence that opens as an example
// (exampleSentence) counts as a whole path only.
func namesExample(pg *page, written string) bool {
	pg.examplesOnce.Do(func() {
		add := func(name string) {
			if pg.examples == nil {
				pg.examples = map[string]bool{}
			}
			pg.examples[name] = true
		}
		for _, m := range exampleName.FindAllSubmatch(pg.source, -1) {
			add(string(m[1]) + string(m[2]))
		}
		for _, m := range exampleSentence.FindAllSubmatch(pg.source, -1) {
			for _, f := range inlineCodePath.FindAllSubmatch(m[1], -1) {
				add(string(f[1]))
			}
		}
	})
	if len(pg.examples) == 0 {
		return false
	}
	if pg.examples[written] || pg.examples[path.Clean(written)] {
		return true
	}
	return slices.ContainsFunc(strings.FieldsFunc(written, func(r rune) bool {
		return r == '/' || isWordSeparator(r)
	}), func(part string) bool { return pg.examples[part] })
}

// savedName is prose that has the reader save, create or write a file
// under a name given as inline code (Markdown's or reStructuredText's
// backticks): "If we save this as `test_x.py` inside `pkg.tests`",
// "create a file called `conf.py`", "write it to `out.json`". The verb
// and its preposition must both be there: "save your changes and run
// `x.sh`" names no file to make.
var savedName = regexp.MustCompile("(?i)\\b(?:save|saved|saving|create|creating|write|writing)\\b[^.:;\\n`]{0,40}?\\b(?:as|to|into|called|named)\\s+``?([A-Za-z0-9_./-]+\\.[A-Za-z0-9]+)``?")

// captionHeading is a Markdown heading that is only a file's name in
// inline code, emphasis around it allowed, right above a fenced code
// block ("#### **`core/src/app.py`**", then the file's text): a caption,
// as a paragraph that is only the name is one (noteCaptions), which
// tutorials set as a heading to show in the page's outline.
var captionHeading = regexp.MustCompile("(?m)^#{1,6}[ \t]+[*_]*`([A-Za-z0-9_./-]+\\.[A-Za-z0-9]+)`[*_]*[ \t]*\n(?:[ \t]*\n)*[ \t]*(?:```|~~~)")

// savesName reports whether the page's prose has the reader save or
// create a file named as written's last part, or a heading captions a
// snippet with that name (captionHeading): the reader makes it, from the
// snippet the page shows, wherever the prose puts it, and wherever on the
// page it is named, before the snippet as after it ("create a file
// `x/app.py` and fill it with the content below:").
func savesName(pg *page, written string) bool {
	pg.savedOnce.Do(func() {
		for _, re := range []*regexp.Regexp{savedName, captionHeading} {
			for _, m := range re.FindAllSubmatch(pg.source, -1) {
				if pg.saved == nil {
					pg.saved = map[string]bool{}
				}
				pg.saved[path.Base(string(m[1]))] = true
			}
		}
	})
	return pg.saved[path.Base(written)]
}

// readersCopy reports whether written, a path with a folder (cmd/main.go),
// is the tail of a file elsewhere in the repository that the page links
// to ("Copy [main.go](/plugins/shim/example/cmd/main.go) into your
// project"): the page shows the original, and the path is the reader's
// copy of it in a project of their own.
func (c *Checker) readersCopy(pg *page, written string) bool {
	w := path.Clean(strings.TrimPrefix(written, "./"))
	if pg == nil || !strings.Contains(w, "/") || strings.HasPrefix(w, "../") {
		return false
	}
	for _, dest := range pg.destinations() {
		dest, _, _ = strings.Cut(dest, "#")
		dest, _, _ = strings.Cut(dest, "?")
		if dest == "" || hasScheme(dest) {
			continue
		}
		t := joinPath(dirOf(pg.path), dest)
		if strings.HasPrefix(dest, "/") {
			t = path.Clean(strings.TrimPrefix(dest, "/"))
		}
		if strings.HasSuffix(t, "/"+w) && c.opts.Repo.Stat(t) == repo.File {
			return true
		}
	}
	return false
}

// clonedName weighs missingPath's verdict by the session: a bare name is
// the reader's own file (reasonReadersFile) only while the reader may be in
// a project of their own. Once the page has cloned this repository (or a
// fork of it) and has not started a project of the reader's, the reader
// holds this repository's files, and the bare name is one of them. So it
// is when a cd of the command's own block put the reader in a folder of
// the repository ("cd scripts/bench && node benchmark.js"): the block
// names the folder whose file it runs; when this repository's own
// front page says the section runs "from the root of the repository"
// (checkoutPinned); and when prose on any page names this repository's
// root by its name as where the reader runs the section ("from the root
// of the cloned CameraTraps repo", atOwnRoot).
func (r *report) clonedName(reason string) string {
	if reason == reasonReadersFile && r.session != nil && (len(r.session.clones) > 0 || r.session.inClone || r.session.placed || r.session.checkoutPinned || r.session.atOwnRoot) && !r.session.readersProject {
		return ""
	}
	return reason
}

// placeholderMarkers are the words that, inside a name, say the name is
// the reader's to choose: "TestSpecificFunction" under "Run a single test
// function", "some-target", "my-package", "test_something".
var placeholderMarkers = map[string]bool{
	"specific": true, "some": true, "particular": true, "certain": true, "given": true,
	"my": true, "your": true, "foo": true, "bar": true, "baz": true, "qux": true, "xxx": true, "yyy": true, "zzz": true,
	"whatever": true, "something": true,
}

// isPlaceholderIdent reports whether a name of something the page runs (a
// test, a workspace, a make target) is a placeholder written as a
// plausible name: one of its words (split at case changes, "-", "_", ".",
// "/", "@" and ":", as in the script family dev:foo) is a marker of choice
// (placeholderMarkers), every word of two or more names a kind of piece
// of code (codeKindWords: "test_file", "test_function"), or its
// last word is "name" after another ("website-name", "@scope/package-name"). Callers
// ask only when no real name is near it: a near miss is still a typo.
func isPlaceholderIdent(s string) bool {
	if bracketedPart.MatchString(s) {
		return true // test_<file_name>: the part in brackets, separators and all
	}
	var words []string
	start := 0
	for i := 0; i <= len(s); i++ {
		split := i == len(s) || strings.IndexByte("-_./@:", s[i]) >= 0
		upper := i < len(s) && i > start && s[i] >= 'A' && s[i] <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z'
		if split || upper {
			if i > start {
				words = append(words, strings.ToLower(s[start:i]))
			}
			start = i
			if split {
				start = i + 1
			}
		}
	}
	for _, w := range words {
		if placeholderMarkers[w] || placeholderCompound(w) || isBracketedWord(w) {
			return true
		}
	}
	// A name made only of the words for a piece of code names the kind,
	// not one of them: "test_file" with "::test_function", for the test
	// file the reader means.
	if len(words) > 1 && !slices.ContainsFunc(words, func(w string) bool { return !codeKindWords[w] }) {
		return true
	}
	return len(words) > 1 && words[len(words)-1] == "name"
}

// isBracketedWord: a word in angle brackets, square brackets or braces
// (`<os>`, `[platform]`, `{lang}`), as docs write the part of a name the
// reader fills in ("make mv3-[platform], where [platform] is ...").
func isBracketedWord(w string) bool {
	if len(w) < 3 {
		return false
	}
	open, inner, close := w[0], w[1:len(w)-1], w[len(w)-1]
	if !(open == '<' && close == '>' || open == '[' && close == ']' || open == '{' && close == '}') {
		return false
	}
	return strings.Trim(inner, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
}

// bracketedPart is a name's part in angle brackets, square brackets or
// braces that starts with a letter (`test_<file_name>`, `{lang_code}`):
// isBracketedWord's part, with the separators a name of choice may hold.
var bracketedPart = regexp.MustCompile(`<[A-Za-z][\w-]*>|\[[A-Za-z][\w-]*\]|\{[A-Za-z][\w-]*\}`)

// placeholderNouns are the things a page tells the reader to name, which
// a marker of choice may be glued to without a separator ("mytest",
// "yourcrate").
var placeholderNouns = map[string]bool{
	"test": true, "tests": true, "app": true, "project": true, "package": true, "pkg": true, "crate": true,
	"module": true, "mod": true, "lib": true, "bin": true, "func": true, "function": true, "fn": true,
	"service": true, "plugin": true, "target": true, "task": true, "feature": true, "file": true,
	"component": true, "command": true, "example": true, "bench": true, "benchmark": true,
}

// codeKindWords are the words for the kinds of pieces of code a test
// command runs: a name made only of them ("test_file", "test_method") is
// the kind, written where the reader puts their own.
var codeKindWords = map[string]bool{
	"test": true, "tests": true, "file": true, "function": true, "func": true, "module": true,
	"class": true, "method": true, "case": true,
}

// placeholderCompound: one word made of "my" or "your" and a noun of
// placeholderNouns ("mytest" in "cargo test mytest"); a name that merely
// starts with the letters (mysql, mypy, yourls) is not one.
func placeholderCompound(w string) bool {
	for _, marker := range []string{"my", "your"} {
		if rest, ok := strings.CutPrefix(w, marker); ok && placeholderNouns[rest] {
			return true
		}
	}
	return false
}

// placeholderFilter reports whether a test filter that matches nothing is
// the reader's to choose: a placeholder identifier (isPlaceholderIdent)
// that no real name is a typo away from. A nearest name further off
// ("test" for "mytest") does not make it a misspelling.
func placeholderFilter(name, hint string) bool {
	return isPlaceholderIdent(name) && (hint == "" || !oneTypo(name, hint))
}

// exampleWords name any one of a kind: a file named so is the reader's
// to pick ("example.py", "sample.txt").
var exampleWords = map[string]bool{"example": true, "sample": true}

// exampleOfKind reports whether a file's stem is an example word with the
// words for a kind of piece of code and nothing else ("test_example",
// "example-test": "To run an individual test file, python -m unittest
// tests/test_example.py").
func exampleOfKind(stem string) bool {
	words := strings.FieldsFunc(stem, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	return len(words) > 1 && slices.ContainsFunc(words, func(w string) bool { return exampleWords[w] }) &&
		!slices.ContainsFunc(words, func(w string) bool { return !exampleWords[w] && !codeKindWords[w] })
}

// isPlaceholderName reports whether a path part stands for a name the
// reader chooses: the metasyntactic words (foo, bar, xxx), my-*/your-*,
// <name>, ..., a single capital letter (X) and a word in capitals (NAME,
// PROJECT).
func isPlaceholderName(part string) bool {
	stem := strings.ToLower(strings.TrimSuffix(part, path.Ext(part)))
	switch {
	case stem == "foo", stem == "bar", stem == "baz", stem == "qux", exampleWords[stem],
		strings.Trim(stem, "x") == "" && len(stem) >= 2, stem == "..." || stem == "…":
		return true
	case strings.HasPrefix(stem, "my-"), strings.HasPrefix(stem, "my_"), strings.HasPrefix(stem, "your-"), strings.HasPrefix(stem, "your_"),
		strings.HasPrefix(part, "<") && strings.HasSuffix(part, ">"):
		return true
	case len(part) > 2 && part[0] == '[' && part[len(part)-1] == ']':
		// [options], [file_or_dir], [...]: a usage line's optional
		// arguments.
		return true
	case len(stem) > 2 && stem[0] == '{' && stem[len(stem)-1] == '}' && !strings.ContainsAny(stem, ",. "):
		// {lang}: a word in braces, which no shell expands (brace
		// expansion needs a comma or ".."), stands for a value.
		return true
	}
	if len(part) == 1 && part[0] >= 'A' && part[0] <= 'Z' {
		// A single capital letter stands for any name (packages/X).
		return true
	}
	// A word in capitals stands for a value (NAME, ENGLISH_VERSION_URL),
	// except the conventional names of text files (README, LICENSE,
	// CODE_OF_CONDUCT.md), which come without an extension or with a
	// text one.
	s := strings.TrimSuffix(part, path.Ext(part))
	if len(s) < 2 || strings.ToUpper(s) != s || strings.ToLower(s) == s || !readsAsName(s) {
		return false
	}
	switch strings.ToLower(path.Ext(part)) {
	case ".md", ".markdown", ".mdx", ".txt", ".rst", ".adoc":
		return false
	case "":
		return strings.Contains(s, "_")
	}
	return true
}

// placeholderIn reports whether a part of written reads as a value of the
// reader's choosing (isPlaceholderName, or exampleOfKind: test_example.py),
// unless the path, resolved, passes
// through a folder of the tree by that name (example/x.cpp where the tree
// has example/ names that folder), or its file name shares its stem with
// files of its folder (README.win64 beside README.win32: a word in
// capitals the folder names its own files with is no value).
func (c *Checker) placeholderIn(written, resolved string) bool {
	parts := strings.Split(path.Clean(resolved), "/")
	base := path.Base(path.Clean(written))
	for _, w := range strings.Split(path.Clean(written), "/") {
		if !isPlaceholderName(w) && !exampleOfKind(strings.ToLower(strings.TrimSuffix(w, path.Ext(w)))) ||
			w == base && c.stemOfSiblings(path.Dir(path.Clean(resolved)), w) {
			continue
		}
		folder := false
		for i, part := range parts[:len(parts)-1] {
			if part == w && c.opts.Repo.Stat(strings.Join(parts[:i+1], "/")) == repo.Dir {
				folder = true
				break
			}
		}
		if !folder {
			return true
		}
	}
	return false
}

// stemOfSiblings reports whether the stem of name (README of
// README.win64) is the stem of a file the folder dir holds.
func (c *Checker) stemOfSiblings(dir, name string) bool {
	stem := strings.TrimSuffix(name, path.Ext(name))
	if stem == name {
		return false
	}
	return slices.ContainsFunc(c.opts.Repo.Names(dir), func(n string) bool { return strings.HasPrefix(n, stem+".") })
}

// readsAsName reports whether a word in capitals reads as a value's name
// (NAME, VERSION_2): it starts with a letter, as an identifier does, and
// has more letters than digits. A code in capitals and digits (a Unicode
// sequence 1F468-200D-1F469, a hash) is a file's own name.
func readsAsName(s string) bool {
	letters, digits := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	return unicode.IsLetter(rune(s[0])) && letters > digits
}

// noManifest weighs a missing manifest (package.json, Cargo.toml) in the
// folder a command runs in: certain in a folder the page moved to, not
// judged where the page starts (the reader's own project).
func (r *report) noManifest(dir string) string {
	if slices.Contains(r.session.startDirs(), dir) {
		return reasonNoManifest
	}
	return ""
}

// pluralOf reports whether one name is the other with an "s" added
// (tests and test, docs and doc).
func pluralOf(a, b string) bool {
	return a == b+"s" || b == a+"s"
}

// typoOf reports whether hint is p with one typo (or a change of case) in
// one or more of its parts: the reader meant hint.
func typoOf(p, hint string) bool {
	a, b := strings.Split(path.Clean(p), "/"), strings.Split(path.Clean(hint), "/")
	if len(a) != len(b) || slices.Equal(a, b) {
		return false
	}
	for i := range a {
		want := b[i]
		if i == len(a)-1 && path.Ext(a[i]) == "" {
			want = strings.TrimSuffix(want, path.Ext(want)) // a clean URL: setpu for setup.md
		}
		if a[i] != want && !strings.EqualFold(a[i], want) && !oneTypo(a[i], want) {
			return false
		}
	}
	return true
}

// recordDoubts folds a run's cases not judged into the stats.
func (c *Checker) recordDoubts(doubts []finding.Finding) {
	if len(doubts) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats.NotJudged == nil {
		c.stats.NotJudged = map[string]int{}
	}
	for _, d := range doubts {
		c.stats.NotJudged[d.NotCertain]++
	}
	c.doubts = append(c.doubts, doubts...)
}

// NotJudged lists, sorted, the cases of every Run so far that a rule saw
// but could not call certain (each with its reason in NotCertain).
func (c *Checker) NotJudged() []finding.Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	return finding.Sort(slices.Clone(c.doubts))
}
