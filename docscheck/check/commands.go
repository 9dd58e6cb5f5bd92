package check

import (
	"bytes"
	"cmp"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/yuin/goldmark/ast"
)

// Command rules.
const (
	ruleMake      = "make-target"
	ruleScript    = "script"
	ruleGoPackage = "go-package"
	ruleGoTest    = "go-test"
	ruleCommand   = "command"
	ruleProof     = "proof"
)

// shellLanguages are the fenced code block languages whose lines are
// commands. In any of them, a block with a "$ " line counts only its
// prompted lines; one with none is read as a script.
var shellLanguages = map[string]bool{
	"bash": true, "sh": true, "shell": true, "zsh": true,
	"console": true, "shell-session": true, "terminal": true,
}

// locate maps a (line, col) of parsed shell text back to the page.
type locate func(line, col int) (int, int)

func (c *Checker) checkCommands(r *report) {
	if isHistory(r.page.path) || isIssueTemplate(r.page.path) {
		// A changelog's commands are history; an issue template's show
		// the reporter's own program, not this repository's commands (a
		// pull-request template's are this repository's: a checklist of
		// what to run before submitting a change to it).
		return
	}
	src := r.page.source
	// On a page whose headings are mostly releases, a release's section
	// is history; a section under no release (a README's "Contributing"
	// after its changelog) is the page's instructions.
	releaseLog := isReleaseLog(r.page)
	sections := releaseSections()
	// A section whose heading calls it outdated shows what was run
	// before: its commands' findings are history.
	outdated := outdatedSections()
	// skip holds inline code that captions a code block (lines.go).
	skip := map[ast.Node]bool{}
	_ = ast.Walk(r.page.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if releaseLog && n.Parent() == r.page.doc {
			h, isHeading := n.(*ast.Heading)
			if isHeading {
				sections.enter(h.Level, anchor.Text(h, src))
			}
			if sections.within() {
				if isHeading {
					r.session.newSection(h.Level)
				}
				return ast.WalkSkipChildren, nil
			}
		}
		if outdated.within() {
			// What this call finds is history: inline code and code
			// blocks are judged within it (their children are skipped),
			// and the demotion runs when it returns.
			defer r.demote(len(r.findings), reasonHistory)
		}
		switch n := n.(type) {
		case *ast.Heading:
			outdated.enter(n.Level, anchor.Text(n, src))
			r.session.newSection(n.Level)
			if isContributeHeading(anchor.Text(n, src)) {
				c.contributeSection(r)
			}
		case *ast.Paragraph:
			c.noteCaptions(r, n, skip)
			c.noteCopyTargets(r, n, skip)
			c.noteFilesToMake(r, n)
		case *ast.TextBlock:
			// A tight list item's text ("* Copy `a` to `b`").
			c.noteCopyTargets(r, n, skip)
		case *ast.CodeSpan:
			if !skip[n] {
				from := len(r.findings)
				c.standing(r, func() { c.inlineUnit(r, n) })
				if len(r.findings) > from {
					if reason := proseReason(src, n); reason != "" {
						r.demote(from, reason)
					}
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock:
			// "sh:line-numbers", "bash{2}", "sh [npm]": the language is
			// the part before the options.
			info := ""
			if n.Info != nil {
				info = string(n.Info.Segment.Value(src))
			}
			lang := strings.ToLower(string(n.Language(src)))
			if i := strings.IndexAny(lang, ":{["); i > 0 {
				lang = lang[:i]
			}
			if l, ok := mystCodeLanguage(info); ok {
				lang = l
			}
			if name := shownFileName(lang, info, n, src); name != "" {
				c.readerCopies(r, name)
			}
			switch {
			case shellLanguages[lang]:
				c.standing(r, func() { c.shellBlockUnit(r, n) })
			case windowsLanguages[lang]:
				// A cmd or PowerShell block: only its programs run by a
				// relative path are read (windows.go).
				c.standing(r, func() { c.checkWindowsBlock(r, n) })
			case lang == "" && isWindowsStart(blockTexts(n, src)):
				// A block without a language that starts with ".\x": a
				// Windows command line, read as a shell block's is.
				c.standing(r, func() { c.shellBlockUnit(r, n) })
			case lang == "" && hasPrompt(blockTexts(n, src)):
				// A block with no language whose lines start with "$ "
				// is a terminal session.
				c.standing(r, func() { c.shellBlockUnit(r, n) })
			case lang == "" && (c.allCommands(blockTexts(n, src)) || isCloneBlock(blockTexts(n, src))):
				c.standing(r, func() { c.shellBlockUnit(r, n) })
			case lang == "" && movesReader(blockTexts(n, src)):
				// Not read as commands, but a cd in it moves the reader:
				// its leading cds are judged, and then the reader is lost.
				c.standing(r, func() { c.checkLeadingCds(r, n) })
				r.session.dirs = nil
			case len(r.session.clones) == 0 && !r.session.inClone && readersManifest(lang, string(n.Lines().Value(src))):
				// A manifest shown on a page that has cloned this
				// repository is its own (or its examples'): the reader
				// stands in the clone, not in a project of their own. A
				// command that makes a project (npm init) still moves
				// them there.
				r.session.readersProject = true
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			// An indented block has no language; it is read as a fence
			// without one is: a terminal session (then only its "$ "
			// lines), or a block whose every line parses as a command.
			if isSession(n, src) || c.allCommands(blockTexts(n, src)) || isCloneBlock(blockTexts(n, src)) {
				c.standing(r, func() { c.shellBlockUnit(r, n) })
			} else if movesReader(blockTexts(n, src)) {
				c.standing(r, func() { c.checkLeadingCds(r, n) })
				r.session.dirs = nil
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// mystCodeDirectives are the MyST directives whose fence holds code in
// the language their argument names ("```{code-block} bash").
var mystCodeDirectives = map[string]bool{"{code-block}": true, "{code}": true, "{sourcecode}": true, "{prompt}": true}

// mystCodeLanguage is the language of a fence written as a MyST code
// directive: its argument's first word ("" when it names none).
func mystCodeLanguage(info string) (string, bool) {
	f := strings.Fields(info)
	if len(f) == 0 || !mystCodeDirectives[strings.ToLower(f[0])] {
		return "", false
	}
	if len(f) < 2 {
		return "", true
	}
	return strings.ToLower(f[1]), true
}

// checkInlineCode judges `inline code` as a command only when its first
// word says it is one (see isCommandLike); everything else is prose.
func (c *Checker) checkInlineCode(r *report, n *ast.CodeSpan) {
	src := r.page.source
	var b strings.Builder
	start := -1
	for t := n.FirstChild(); t != nil; t = t.NextSibling() {
		if tx, ok := t.(*ast.Text); ok {
			if start < 0 {
				start = tx.Segment.Start
			}
			b.Write(tx.Segment.Value(src))
		}
	}
	text := b.String()
	if start >= 0 && inlineFence(src, start, text) {
		return
	}
	if strings.Contains(text, "\n") && closerOpensWord(src, n) {
		// A span across a line break whose closing backtick starts a
		// word (`dune): an author left a backtick unclosed, and
		// CommonMark paired it with the opener of the next span; the
		// span is a command's start and the prose after it.
		defer r.demote(len(r.findings), reasonUnpairedBacktick)
	}
	shift := 0
	if rest, ok := strings.CutPrefix(text, "$ "); ok {
		text, shift = rest, 2
	}
	if strings.ContainsAny(text, "\n") {
		text = strings.ReplaceAll(text, "\n", " ")
	}
	if c.recordInlineClone(r, text) {
		return
	}
	if strings.IndexByte(text, '<') >= 0 && placeholderWord.MatchString(text) {
		return // a template with a <name> of the reader's
	}
	if strings.IndexByte(text, '[') >= 0 && bracketPlaceholder.MatchString(text) {
		return // the same with a [NAME] ("DGLBACKEND=[BACKEND] python gcn.py")
	}
	if !c.mayBeCommand(text) {
		if strings.IndexByte(text, '/') > 0 && barePath.MatchString(text) {
			c.checkBarePath(r, text, start+shift)
		} else if prog, flag, ok := strings.Cut(text, " "); ok && strings.HasPrefix(flag, "-") && strings.IndexByte(prog, '/') > 0 && barePath.MatchString(prog) {
			// A path followed by a flag is a program run with it
			// (`script/release --help`): the path is judged as a bare path.
			c.checkBarePath(r, prog, start+shift)
		}
		return
	}
	script, err := c.parseShell(text)
	if err != nil || len(script.Calls) == 0 {
		return
	}
	calls := script.Calls
	lead := slices.IndexFunc(calls, func(call command.Call) bool { return !call.IsChdir() })
	if lead >= 0 && !c.isCommandLike(calls[lead]) {
		return
	}
	at := func(line, col int) (int, int) {
		return r.page.position(start + shift + col - 1)
	}
	if first := calls[0]; len(calls) == 1 && len(first.Words) == 1 && !first.Words[0].Dynamic() && strings.Contains(first.Program(), "/") && !first.IsChdir() {
		if _, isTool := c.tool(first.Program()); !isTool {
			// A lone path such as `./backend` or `scripts/x.sh` names a file
			// or folder; it need not be a program. Prose names it as the
			// page writes it, so it is looked for from the folders the
			// page starts in as well as where the reader stands (a
			// `cd playground && npm ci` above does not move the file).
			before := r.session.dirs
			if before != nil {
				r.session.dirs = slices.Clone(before)
				for _, d := range r.session.startDirs() {
					if !slices.Contains(r.session.dirs, d) {
						r.session.dirs = append(r.session.dirs, d)
					}
				}
			}
			c.runScript(r, script, at, func(pr *report, call command.Call) { c.checkMentionedPath(pr, call, at) })
			r.session.dirs = before
			return
		}
	}
	if lead >= 0 {
		// A one-liner in prose ("`cd pkg && make build`") is an example of
		// its own; only a bare "`cd dir`" moves the reader.
		script.EndDir = "."
	}
	if folder := sentenceFolder(src, start); folder != "" && !c.folderNear(r, folder) {
		// "Start it in the bundle directory with `node main.js`": the
		// sentence puts the reader in a folder the tree lacks (an
		// unpacked release, a build's output), not where the page left
		// them, so the command's files are not this tree's to judge.
		defer r.demote(len(r.findings), reasonFolderLost)
	}
	before := r.session.dirs
	c.runScript(r, script, at, func(pr *report, call command.Call) { c.judge(pr, call, at) })
	if r.session.dirs == nil && before != nil {
		// A bare cd in prose to a folder that is not there ("`cd dir`
		// moves the reader") explains cd rather than taking a step.
		r.session.dirs = before
	}
}

// recordInlineClone notes a clone of this repository that inline code
// runs ("To clone this project, use `git clone
// https://github.com/o/r.git`"), as a block's clone is noted: the
// repository's files are in the reader's hands for the rest of the page
// (clonedName). Like any one-liner in prose it moves nobody. A clone of
// another repository in prose is not followed, as a bare cd in prose to
// a folder the tree lacks is not. It reports whether text is a clone.
func (c *Checker) recordInlineClone(r *report, text string) bool {
	fields := strings.Fields(text)
	skip := 0 // the words before the clone's own arguments
	switch {
	case len(fields) > 2 && fields[0] == "git" && fields[1] == "clone":
		skip = 2
	case len(fields) > 3 && fields[0] == "gh" && fields[1] == "repo" && fields[2] == "clone":
		skip = 3
	default:
		return false
	}
	if r.session == nil || r.session.dirs == nil {
		return true
	}
	if strings.IndexByte(text, '<') >= 0 {
		// "`git clone git@github.com:<your username>/r.git`": the
		// placeholder is no shell word; the URL ends the line.
		if c.isThisRepository(clonedRepositoryName(fields[len(fields)-1])) {
			c.recordTemplateClone(r, text)
		}
		return true
	}
	script, err := c.parseShell(text)
	if err != nil || len(script.Calls) != 1 {
		return true
	}
	call := script.Calls[0]
	ops := cloneOperands(call.Words[skip:])
	if len(ops) == 0 || !c.isThisRepository(clonedRepositoryName(ops[0].Text)) {
		return true
	}
	for _, d := range slices.Clone(r.session.dirs) {
		c.recordOutputs(r, call, d)
	}
	return true
}

// namedFolder is a sentence's phrase placing the reader in a folder:
// "in the bundle directory", "cd to the correct `dist` folder", "from
// the build dir", "inside the `owner/docs` directory"; the folder's name
// is the word or path before "directory". "The X repository" is not one:
// X may well be this repository's name.
var namedFolder = regexp.MustCompile("(?i)\\b(?:in|into|to|inside|within|from)\\s+(?:(?:the|a|an)\\s+)?(?:[a-z]+\\s+)?`?(/?[\\w.-]+?(?:/[\\w.-]+?)*)/?`?\\s+(?:directory|folder|dir)\\b")

// thisTreeFolders are the words that, before "directory", name a folder
// of the reader's checkout by its role rather than by its name ("in the
// root directory", "from the project folder"): the tree has it, whatever
// it is called.
var thisTreeFolders = map[string]bool{
	"root": true, "top": true, "top-level": true, "toplevel": true, "project": true, "repository": true,
	"repo": true, "source": true, "current": true, "same": true, "this": true, "that": true,
	"working": true, "checkout": true, "clone": true, "cloned": true, "base": true, "main": true,
	"parent": true, "home": true, "its": true, "our": true, "his": true, "their": true, "each": true,
	"any": true, "new": true, "other": true, "own": true, "git": true, "package": true, "module": true,
	// An article or a possessive read as the name ("from the
	// repository's top-level directory").
	"the": true, "a": true, "an": true, "your": true, "my": true,
}

// sentenceFolder finds the folder the sentence around offset at names as
// where the reader runs its command ("so that it starts in bundle
// directory command `node main.js`"), or "" when it names none or names
// one by its role (thisTreeFolders). A sentence runs from the last full
// stop, colon, list item or blank line before at to the next full stop
// or blank line, and at most sentenceReach bytes either side of at (so
// that a page of many commands and few full stops is not read once per
// command).
func sentenceFolder(src []byte, at int) string {
	if at < 0 || at > len(src) {
		return ""
	}
	from, to := max(0, at-sentenceReach), min(len(src), at+sentenceReach)
	for _, sep := range []string{". ", ".\n", ":\n", "\n\n", "\n- ", "\n* "} {
		if i := bytes.LastIndex(src[from:at], []byte(sep)); i >= 0 {
			from += i + len(sep)
		}
	}
	for _, sep := range []string{". ", ".\n", "\n\n"} {
		if i := bytes.Index(src[at:to], []byte(sep)); i >= 0 {
			to = at + i
		}
	}
	m := namedFolder.FindSubmatch(src[from:to])
	if m == nil {
		// A list's lead-in ("Inside the `docs` directory:") places
		// every item below it.
		m = namedFolder.FindSubmatch(listLeadIn(src, at))
	}
	if m == nil {
		return ""
	}
	name := string(m[1])
	if thisTreeFolders[strings.ToLower(name)] {
		return ""
	}
	return name
}

// listLeadIn is the line that introduces the list item around at, when
// that line ends with a colon ("2. Inside the `docs` directory:" over
// "   1. Run ...", or a paragraph over its list): the nearest line above
// the item that is neither blank, nor an earlier item's text, nor an item
// of the same list. nil when there is none. At most leadInReach bytes
// above at are read.
func listLeadIn(src []byte, at int) []byte {
	start := bytes.LastIndexByte(src[:at], '\n') + 1
	line := src[start:at]
	indent := len(line) - len(bytes.TrimLeft(line, " \t"))
	if !listItemStart.Match(line[indent:]) {
		return nil
	}
	for end := start - 1; end > 0 && at-end < leadInReach; {
		from := bytes.LastIndexByte(src[:end], '\n') + 1
		above := src[from:end]
		end = from - 1
		text := bytes.TrimLeft(above, " \t")
		if depth := len(above) - len(text); len(text) == 0 || depth > indent || depth == indent && listItemStart.Match(text) {
			continue // a blank line, an earlier item's text, or an item of the same list
		}
		if bytes.HasSuffix(bytes.TrimRight(text, " \t\r"), []byte(":")) {
			return above
		}
		return nil
	}
	return nil
}

// listItemStart is the marker a list item's line starts with.
var listItemStart = regexp.MustCompile(`^(?:[-*+]|\d+[.)])\s`)

// leadInReach bounds how far above an item listLeadIn looks: a list's
// worth of lines.
const leadInReach = 2000

// sentenceReach bounds how far sentenceFolder looks for a sentence's
// ends: a few lines of prose.
const sentenceReach = 1000

// folderNear reports whether folder is there below a folder the page
// starts in or the reader may stand in: the sentence then names a folder
// of this tree.
func (c *Checker) folderNear(r *report, folder string) bool {
	for _, dirs := range [][]string{r.session.startDirs(), r.session.dirs} {
		for _, d := range dirs {
			if c.opts.Repo.Stat(joinPath(d, folder)) == repo.Dir {
				return true
			}
		}
	}
	return false
}

// inlineFence reports whether a code span whose text starts at offset
// start is a fenced block written inside a line (Doxygen's "@tab{Title |
// ```bash", a template's tabs): CommonMark reads it as a span, but its
// opening run is a fence's (three backticks or more) and its first line
// a lone word, the fence's language, not a program to run.
func inlineFence(src []byte, start int, text string) bool {
	first, _, multiline := strings.Cut(text, "\n")
	if !multiline || first == "" || strings.ContainsAny(first, " \t") {
		return false
	}
	ticks := 0
	for i := start - 1; i >= 0 && src[i] == '`'; i-- {
		ticks++
	}
	return ticks >= 3
}

// closerOpensWord reports whether the backtick run that closes a code span
// is followed at once by a letter or digit, as an opening one would be.
func closerOpensWord(src []byte, n *ast.CodeSpan) bool {
	last, ok := n.LastChild().(*ast.Text)
	if !ok {
		return false
	}
	i := last.Segment.Stop
	for i < len(src) && src[i] == ' ' {
		i++
	}
	if i >= len(src) || src[i] != '`' {
		return false
	}
	for i < len(src) && src[i] == '`' {
		i++
	}
	return i < len(src) && isIdentByte(src[i])
}

// placeholderWord is a <name> standing for a word of the reader's, alone
// or as a part of one (@<scope>/<name>, --out=<dir>).
var placeholderWord = regexp.MustCompile(`(^|[\s@/=])<[A-Za-z][\w.:-]*>`)

// bracketPlaceholder is a [NAME] standing for a word of the reader's,
// alone or as an assignment's value ("DGLBACKEND=[BACKEND] python x.py",
// "make [target]"); a shell's test ("[ -f x ]") has a space after "[",
// an array's index ("a[0]") a name before it.
var bracketPlaceholder = regexp.MustCompile(`(^|[\s=])\[[A-Za-z][\w.:-]*\](\s|$)`)

// placeholderPhrase is placeholderWord whose name may also be several
// words (<DetectorType enum name>, <Emscripten's LLVM fork directory>),
// one of them quoted as prose quotes a name (<path to A `test_results`>):
// in a code block's line it still stands for one word of the reader's.
// "<in.txt >out" is a redirect.
var placeholderPhrase = regexp.MustCompile("(^|[\\s@/=])<[A-Za-z][\\w.:'-]*(?: [\\w.:'`-]+)*>")

// barePath is inline code that may name a repository path without a
// leading ./ : one word of at least two parts, no scheme, no variable,
// no placeholder (script/setup/install-dev-tools, docs/guide.md:12).
var barePath = regexp.MustCompile(`^[\w.@+-][\w.@+-]*(?:/[\w.@+*?-]+)+/?(?::\d+(?::\d+)?|#L\d+(?:-L\d+)?)?$`)

// holdsPrograms reports whether dir (as written, from a folder the reader
// may be in) holds a program: an executable file. A folder of Python
// modules, whose files are not executable, does not (material/plus-circle
// names an icon of a package folder, not a program).
func (c *Checker) holdsPrograms(r *report, dir string) bool {
	for _, d := range r.session.dirs {
		full := path.Join(d, dir)
		for _, n := range c.opts.Repo.Names(full) {
			p := path.Join(full, n)
			if c.opts.Repo.Stat(p) == repo.File && c.opts.Repo.Executable(p) {
				return true
			}
		}
	}
	return false
}

// scriptExtensions are the extensions of programs a reader runs.
var scriptExtensions = map[string]bool{
	".sh": true, ".bash": true, ".zsh": true, ".py": true, ".rb": true, ".pl": true,
	".ps1": true, ".cmd": true, ".bat": true,
}

// checkBarePath judges inline code that is a bare path to a program (no
// extension, or a script's), as a reader would: it names a file of this repository only when its first folder is
// one (else it is a module path, a MIME type, a branch: not judged, not
// counted). Then it must exist, as a file or folder, or with an extension
// (src/util/log names src/util/log.ts), or as a glob that matches.
func (c *Checker) checkBarePath(r *report, text string, offset int) {
	if strings.HasSuffix(text, "/") {
		// Written as a folder (`cms/media/`): not a program, and a
		// folder named in prose may be one a build or the reader makes.
		return
	}
	if i := strings.LastIndexAny(text, ":#"); i > 0 {
		text = text[:i] // a line number: docs/guide.md:12, main.go#L10
	}
	first, _, _ := strings.Cut(text, "/")
	if strings.ContainsAny(path.Dir(text), "*?") || strings.HasPrefix(first, "@") {
		return // a glob over folders, an npm scope: not judged
	}
	if rest, _ := strings.CutPrefix(text, first+"/"); c.opts.Repo.Stat(rest) != repo.Missing && c.isThisRepository(first) {
		// "from the `lnd/docker/` directory": the folder a clone of
		// this repository makes is named after it, so the path starts
		// at the root.
		return
	}
	if ext := path.Ext(text); ext != "" && !scriptExtensions[ext] {
		// A data file, a page, a build output named in prose
		// (bench/results.json, docs/x.html): an example as often as a
		// file of the repository.
		return
	}
	if path.Ext(text) == "" && !c.holdsPrograms(r, path.Dir(text)) {
		// Without an extension a path names a program only in a folder
		// of programs (script/setup/install-dev-tools); elsewhere it is a
		// folder or a module described in prose.
		return
	}
	if r.session.dirs == nil {
		return
	}
	var live []string
	for _, d := range c.knowableDirs(r, r.session.dirs) {
		if c.opts.Repo.Stat(path.Join(d, first)) == repo.Dir {
			live = append(live, d)
		}
	}
	if len(live) == 0 {
		return
	}
	line, col := r.page.position(offset)
	at := func(int, int) (int, int) { return line, col }
	word := command.Word{Text: text, Line: 1, Col: 1}
	r.judged()
	c.judgeInDirs(r, command.Call{Words: []command.Word{word}}, live, at, func(pr *report, call command.Call) {
		p := path.Join(call.Dir, text)
		if k, _ := c.stat(pr, p); k != repo.Missing {
			return
		}
		if matched, glob := c.globMatches(p); glob {
			if !matched {
				pr.missWord(word, at, c.missingPath(text, p, ""), ruleScript, "", "%s matches no file", text)
			}
			return
		}
		dir, base := path.Split(p)
		for _, n := range c.opts.Repo.Names(path.Clean(dir + ".")) {
			if strings.TrimSuffix(n, path.Ext(n)) == base {
				return // src/util/log for src/util/log.ts
			}
		}
		hint := c.nearbyName(p)
		reason := c.missingIn(pr, text, p, hint)
		if reason == "" && c.namedFolderHolds(pr.page, text) {
			reason = reasonOtherStart
		}
		if hint != "" {
			hint = relativeTo(call.Dir, hint)
		}
		pr.missWord(word, at, reason, ruleScript, hint, "%s does not exist", text)
	})
}

// pathSpan is inline code that is a path alone (`netbox/`, `./sub`): with
// movedTo's cd and -C operands, the folders a page names as places to
// stand (pageNamesFolder names the same, one folder at a time).
var pathSpan = regexp.MustCompile("`(\\.?/?[\\w.@-]+(?:/[\\w.@-]+)*)/?`")

// namedFolderHolds reports whether a path prose names alone is a file
// below a folder the page names (pathSpan, movedTo): prose gives a path no
// folder of its own ("these commands run in the `netbox/` directory ...
// the test configuration at `netbox/configuration_testing.py`"), so a path
// that is there from a folder the page sends the reader to may be meant
// from it.
func (c *Checker) namedFolderHolds(pg *page, written string) bool {
	for _, names := range []*regexp.Regexp{pathSpan, movedTo} {
		for _, m := range names.FindAllSubmatch(pg.source, -1) {
			dir := path.Clean(string(m[1]))
			if dir != "." && !strings.HasPrefix(dir, "../") && !strings.HasPrefix(dir, "/") && c.opts.Repo.Stat(dir) == repo.Dir &&
				c.opts.Repo.Stat(path.Join(dir, written)) != repo.Missing {
				return true
			}
		}
	}
	return false
}

// mayBeCommand is a cheap look at the first word before the shell parser
// runs: most inline code is prose (`status`, `DATABASE_URL`). It only rules
// out text that isCommandLike would reject anyway.
func (c *Checker) mayBeCommand(text string) bool {
	fields := strings.Fields(text)
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		if strings.ContainsAny(fields[0], "\"'$`") {
			return true // a quoted or expanded assignment: let the parser decide
		}
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return false
	}
	first := fields[0]
	switch {
	case strings.ContainsAny(first, "\"'$`\\"):
		return true
	case first == "make", first == "go", first == "bash", first == "sh", first == "node", interpreterScripts[first] != "",
		first == "cd", first == "env", first == "sudo", first == "exec", first == "nohup", first == "time", first == "command",
		strings.HasPrefix(first, "("), strings.HasPrefix(first, "{"):
		return true
	case strings.HasPrefix(first, "./"), strings.HasPrefix(first, "../"), strings.Contains(first, "/") && strings.HasSuffix(first, ".sh"):
		return true
	case ecosystemPrograms[first]:
		return true
	case len(fields) > 2 && fields[1] == "run":
		return true // a runner and, maybe, a script file (runnerScript)
	}
	_, ok := c.tool(first)
	return ok
}

// isCommandLike is the rule for inline code: it is a command when its first
// word is make, go followed by a subcommand, bash or sh followed by a file,
// node followed by a .js, .mjs or .cjs file, ruby, perl or php followed by a
// script file of their extension,
// one of the project's tools followed by an argument, or a path that starts
// with "./" or "../" or names a ".sh" file.
func (c *Checker) isCommandLike(call command.Call) bool {
	prog := call.Program()
	n := len(call.Words)
	switch {
	case prog == "make":
		return true
	case prog == "go", prog == "bash", prog == "sh", ecosystemPrograms[prog]:
		return n > 1
	case prog == "node":
		// node with a script file: judged like bash with one.
		return slices.ContainsFunc(call.Words[1:], func(w command.Word) bool { return nodeScripts[path.Ext(w.Text)] })
	case interpreterScripts[prog] != "":
		_, ok := scriptFileOf(call)
		return ok
	case strings.HasPrefix(prog, "./"), strings.HasPrefix(prog, "../"):
		return true
	case strings.Contains(prog, "/") && strings.HasSuffix(prog, ".sh"):
		return true
	}
	if _, ok := runnerScript(call); ok {
		return true
	}
	_, ok := c.tool(prog)
	return ok && n > 1
}

// allCommands reports whether a prompt-free block with no language holds
// commands only: every line (comments, blank lines and exportLine
// aside) is one that inline code would take for a command (isCommandLike:
// make, go or bash with arguments, a program run by a relative path,
// ...). Output, data and other languages' code have lines that are not;
// such a block stays unread, as does one whose every line is a cd.
func (c *Checker) allCommands(texts []string) bool {
	commands := 0
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" || strings.HasPrefix(t, "#") || exportLine.MatchString(t) {
			continue
		}
		if !c.mayBeCommand(t) {
			return false
		}
		script, err := c.parseShell(fillPlaceholders(t))
		if err != nil || len(script.Calls) == 0 {
			return false
		}
		for _, call := range script.Calls {
			if call.IsChdir() {
				continue
			}
			if !c.isCommandLike(call) {
				return false
			}
			commands++
		}
	}
	return commands > 0
}

// exportLine is a line of shell that sets the environment, "export
// CPU_TARGET=aarch64": no output, data or other language writes it, but
// it runs nothing either, so it neither makes a block commands nor keeps
// it from being.
var exportLine = regexp.MustCompile(`^export(?:\s+[A-Za-z_][A-Za-z0-9_]*=\S*)+$`)

// isCloneBlock reports whether a prompt-free block with no language is a
// clone: its lines are "git clone ..." (one at least) and cds. Nothing in
// it is judged, but the clone says where the reader stands (stand.go).
func isCloneBlock(texts []string) bool {
	clones := 0
	for _, t := range texts {
		t = strings.TrimSpace(t)
		switch {
		case t == "", strings.HasPrefix(t, "#"), strings.HasPrefix(t, "cd "):
		case strings.HasPrefix(t, "git clone "):
			clones++
		default:
			return false
		}
	}
	return clones > 0
}

// movesReader reports whether a block with no language that is not read
// as commands (a line of it is no command docscheck knows, such as
// ".\bootstrap-vcpkg.bat" in a clone of another repository) still has
// a line that changes the folder (cd, pushd, Set-Location): where the
// reader stands after it nobody can tell, so the rest of the section is
// not judged, as after a cd docscheck cannot follow.
func movesReader(texts []string) bool {
	for _, t := range texts {
		t = strings.TrimSpace(t)
		t = strings.TrimSpace(t[promptLen(t):])
		first, _, _ := strings.Cut(t, " ")
		switch strings.ToLower(first) {
		case "cd", "pushd", "popd", "chdir", "set-location", "push-location", "pop-location":
			return true
		}
	}
	return false
}

// checkLeadingCds judges the cds that open a prompt-free block with no
// language that is not read as commands (a line of it is a program
// docscheck does not know: "cd sys/macos/App.app/Contents", then "plutil
// -lint Info.plist"). A line that is only a cd is a command wherever it
// stands: no output or data opens with one. What follows the first other
// line is not judged, and where the reader stands after the block nobody
// can tell (movesReader).
func (c *Checker) checkLeadingCds(r *report, n ast.Node) {
	texts := blockTexts(n, r.page.source)
	lead := 0
	for i, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if first, rest, _ := strings.Cut(t, " "); first != "cd" || strings.TrimSpace(rest) == "" || strings.ContainsAny(rest, ";&|`$<>") {
			break
		}
		lead = i + 1
	}
	if lead == 0 {
		return
	}
	c.followProseMoves(r, n)
	c.runShellTexts(r, blankOutside(texts, 0, lead), blockLocate(r, n))
}

// hasCshPrompt reports whether some line of a shell block starts with
// "% ", the prompt of csh, tcsh and zsh ("% make html"), at the line's
// start: no shell command begins so, while output that holds one
// (curl's "  % Total") is indented.
func hasCshPrompt(texts []string) bool {
	return slices.ContainsFunc(texts, func(t string) bool { return strings.HasPrefix(t, "% ") })
}

// cshPromptsAsDollar writes the "% " prompts of a block as "$ " ones, of
// the same width, for promptLines.
func cshPromptsAsDollar(texts []string) []string {
	out := slices.Clone(texts)
	for i, t := range out {
		if strings.HasPrefix(t, "% ") {
			out[i] = "$" + t[1:]
		}
	}
	return out
}

// isSession reports whether an indented code block's first non-blank line
// is a "$ " prompt line.
func isSession(n ast.Node, src []byte) bool {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		t := strings.TrimSpace(string(seg.Value(src)))
		if t != "" {
			return promptLen(t) > 0
		}
	}
	return false
}

func (c *Checker) checkShellBlock(r *report, n ast.Node) {
	texts := blockTexts(n, r.page.source)
	// A prompted line is a command and what follows it, up to the next
	// prompt, its output; that holds in a transcript language too. A
	// block with no prompted line at all (a console block whose author
	// left the prompts out) is read as a script: a line is a command when
	// it parses as one, and data and output lines stay what they are.
	switch {
	case hasPrompt(texts):
		texts = promptLines(texts)
	case hasCshPrompt(texts):
		texts = promptLines(cshPromptsAsDollar(texts))
	case isData(strings.Join(texts, "")):
		return // JSON, TOML, YAML, a tree, an HTTP exchange: no commands
	}
	at := blockLocate(r, n)
	// ".\tools\build.cmd" at the block's start is a Windows command line,
	// which the POSIX reading would make ".toolsbuild.cmd".
	texts = c.checkWindowsLines(r, texts, false, at)
	if alternatives := sameCdLines(texts); alternatives != nil {
		// Every line repeats "cd dir && ...": each is a one-liner of its
		// own, run from where the block starts (run in a row, the second
		// cd would fail; the author means one line or another).
		start := slices.Clone(r.session.dirs)
		for _, i := range alternatives {
			one := make([]string, len(texts))
			for j := range one {
				one[j] = "\n"
			}
			one[i] = texts[i]
			r.session.dirs = slices.Clone(start)
			c.runShellTexts(r, one, at)
		}
		// Like a one-liner in prose, none of them moves the reader.
		r.session.dirs = start
		return
	}
	if c.runLocatedSegments(r, texts, at) {
		return
	}
	c.runShellTextsWithOneLiners(r, texts, at)
}

// locationComment is a comment line of a shell block that only says
// where the commands after it run: "# In cboard-ai-builder", "# from the
// `docs` folder", "# inside the backend directory".
var locationComment = regexp.MustCompile("(?i)^\\s*#\\s*(?:run\\s+)?(?:in|from|inside|within)\\s+(?:the\\s+)?`?([\\w.-]+(?:/[\\w.-]+)*)/?`?(?:\\s+(?:directory|folder|dir|repo|repository|project|checkout|clone))?\\s*:?\\s*$")

// runLocatedSegments runs a block whose comment lines say where the
// commands after them run (locationComment), segment by segment: after a
// comment naming this repository the reader is at its root, after one
// naming a folder the tree has, in that folder, and after one naming
// anything else, in a folder docscheck cannot follow (another
// repository's checkout: "# In cboard-ai-builder" over npm run dev), so
// the commands up to the next such comment are not judged. Lines before
// the first such comment run from where the block starts. A comment
// moves no one beyond its block: the reader stands where the block
// began, plus where its last segment left them. It reports false when
// the block has no such comment.
func (c *Checker) runLocatedSegments(r *report, texts []string, at locate) bool {
	var starts []int
	var names []string
	for i, t := range texts {
		if m := locationComment.FindStringSubmatch(t); m != nil && !thisTreeFolders[strings.ToLower(m[1])] {
			starts = append(starts, i)
			names = append(names, m[1])
		}
	}
	if starts == nil {
		return false
	}
	before := slices.Clone(r.session.dirs)
	c.runShellTextsWithOneLiners(r, blankOutside(texts, 0, starts[0]), at)
	for k, from := range starts {
		to := len(texts)
		if k+1 < len(starts) {
			to = starts[k+1]
		}
		// nil: another checkout, where nothing is judged (folder-lost).
		r.session.dirs = c.commentedFolder(names[k], before)
		c.runShellTextsWithOneLiners(r, blankOutside(texts, from, to), at)
	}
	if before != nil {
		r.session.dirs = appendNew(slices.Clone(before), r.session.dirs)
	}
	return true
}

// commentedFolder is where a location comment's name puts the reader: the
// root for this repository's name, the tree's folder of that name (from
// where the block starts, or the root), else nil: a folder docscheck
// cannot follow.
func (c *Checker) commentedFolder(name string, from []string) []string {
	if c.isThisRepository(name) {
		return []string{"."}
	}
	name = strings.TrimPrefix(c.rootedTreeFolder(name), "./")
	for _, d := range append(slices.Clone(from), ".") {
		if q := joinPath(d, name); q != ".." && !strings.HasPrefix(q, "../") && c.opts.Repo.Stat(q) == repo.Dir {
			return []string{q}
		}
	}
	return nil
}

// proseMove is a sentence that sends the reader into a folder: "change
// directory to [databuilder](...)", "cd into `server`", "navigate to the
// `docs` folder", "go into the app directory". The folder is inline
// code, a link's text, or a word before "directory", "folder" or "dir".
var proseMove = regexp.MustCompile("(?i)\\b(?:cd|change(?:\\s+(?:the\\s+)?(?:current\\s+|working\\s+)?(?:directory|dir|folder))?|go|navigate|switch|move|step|head)\\s+(?:(?:back|over)\\s+)?(?:in)?to\\s+(?:(?:the|your)\\s+)?(?:`([^`\\s]+)`|\\[`?([^\\]`\\s]+)`?\\]\\(|([\\w.-]+(?:/[\\w.-]+)*)\\s+(?:directory|folder|dir)\\b)")

// proseStand is a sentence that places the reader in a folder while they
// run what follows: "while in `extras/scripts`, export ...", "when you
// are in `py`", "from within `web`". The folder is inline code.
var proseStand = regexp.MustCompile("(?i)\\b(?:(?:while|when|once)\\s+(?:you(?:'re|\\s+are)\\s+)?in(?:side)?|from\\s+(?:with)?in(?:side)?)\\s+`([^`\\s]+)`")

// proseStartIn is a sentence that says which folder, by its name, the
// reader runs what follows from: in inline code ("from the `build/`
// folder", "from within the `out` directory") or as the reader's own
// ("starting from your clawpack directory", as a reStructuredText page
// writes it with interpreted text). Not "in", "to" or "into" a folder,
// which may be where a file is or goes ("it will be created in the
// `app/redist` folder"); not a word without code marks or "your", which
// may be an adjective ("from the wrong folder"). A folder it names that the tree lacks
// (and that is no name of this repository's, whose clone is its root) is
// one docscheck cannot follow: the reader's own install, a build's output.
var proseStartIn = regexp.MustCompile("(?i)\\bfrom\\s+(?:(?:with)?in(?:side)?\\s+)?(?:(?:(?:the|a|an)\\s+)?`(/?[\\w.-]+(?:/[\\w.-]+)*)/?`|your\\s+`?([\\w.-]+(?:/[\\w.-]+)*)/?`?)\\s+(?:directory|folder|dir)\\b")

// proseLeave is the part of proseMove and proseStand whose folder, when
// the tree lacks it, is still a folder the reader goes to: a cd, a change
// of directory or a navigation to inline code, or a stand in one. (Going,
// switching or moving "to `main`" may name a branch or a page, not a
// folder.)
var proseLeave = regexp.MustCompile("(?i)\\b(?:cd|change\\s+(?:the\\s+)?(?:current\\s+|working\\s+)?(?:directory|dir|folder)|navigate)\\s+(?:in)?to\\s+(?:the\\s+)?`([^`\\s]+)`")

// checkoutWord names a repository's checkout in a proseAtRoot phrase, as
// "project" or "top-level directory" alone do not.
var checkoutWord = regexp.MustCompile(`(?i)\b(?:repository|repo|checkout|clone|source\s+tree)\b`)

// repinLost places a reader whose folder is lost (after a cd docscheck
// could not follow, or into folders the tree lacks) back at the root when
// the lead-in names this repository's root by its name (proseRootOf, on
// any page), or says the next block runs "from the root of the
// repository" on this repository's own front pages (checkoutPinned's
// pages): the checkout's root, unless the page cloned another repository,
// whose root it may mean. It reports whether it did.
func (c *Checker) repinLost(r *report, prose []byte) bool {
	if !leadInWordsOf(prose).root {
		return false // both expressions below need "root" or "top"
	}
	for _, m := range proseRootOf.FindAllSubmatch(prose, -1) {
		if c.isThisRepository(strings.TrimSuffix(string(m[1]), ".")) {
			// "From the root of the python-ldap checkout": the root of
			// this repository by its name, on any page.
			r.session.dirs = []string{"."}
			r.session.atOwnRoot, r.session.rootPinned = true, true
			return true
		}
	}
	if !c.pinsCheckoutRoot(r, proseAtRoot.Find(prose)) {
		return false
	}
	r.session.dirs = []string{"."}
	r.session.rootPinned, r.session.checkoutPinned = true, true
	return true
}

// pinsCheckoutRoot reports whether pin, a proseAtRoot phrase (nil when
// the prose has none), puts the reader at the root of this repository's
// checkout: it names a checkout ("from the root of the repository"), on
// one of the repository's own front pages (the root's or .github's, no
// site's), where the page has cloned no other repository and started no
// project of the reader's.
func (c *Checker) pinsCheckoutRoot(r *report, pin []byte) bool {
	dir := path.Dir(r.page.path)
	return pin != nil && checkoutWord.Match(pin) && (dir == "." || dir == ".github") && c.site(r.page.path) == nil &&
		len(r.session.otherClones) == 0 && !r.session.readersProject
}

// proseAtRoot is a sentence that says the reader runs what follows from
// the root of the checkout: "from the repository root", "from the root of
// the repository" (or of "the source tree", "the source checkout"; "the
// top of" any of them), "from the project's top-level directory". Only "from":
// "the Makefile in the project root" says where a file is, not where the
// reader stands; "from your project root" may be the reader's own
// project's.
var proseAtRoot = regexp.MustCompile("(?i)\\bfrom\\s+(?:the\\s+)?(?:(?:repository|repo|project)(?:'s)?\\s+(?:root|top[- ]level)|(?:root|top)\\s+(?:(?:directory|folder|dir)\\s+)?of\\s+(?:the\\s+|this\\s+)?(?:source\\s+)?(?:repository|repo|project|checkout|clone|tree)|top[- ]level\\s+(?:directory|folder|dir))\\b")

// proseRootOf is a sentence that names a project's root as where the
// reader runs what follows: "in the root directory of jsPsych", "from
// the top-level directory of your pybind11 git clone", "from the root of
// the cloned `CameraTraps` repo". When the
// project is this repository, the reader stands in its clone.
var proseRootOf = regexp.MustCompile("(?i)\\b(?:root|top[- ]level)\\s+(?:(?:directory|folder|dir)\\s+)?of\\s+(?:the\\s+|your\\s+)?(?:(?:cloned|local)\\s+)?`?([\\w.-]+)`?")

// leadInSiblings bounds how many blocks before a code block its lead-in
// prose spans.
const leadInSiblings = 3

// followProseMoves adds to the folders the reader may stand in those the
// prose leading into block n (a code block, or the paragraph of a command
// in inline code) sends them to (proseMove, or a
// namedFolder phrase: "In the `docs` directory, run"): the blocks before
// it back to a heading or another code block, at most leadInSiblings of
// them. docscheck does not follow prose as it follows a cd, so the
// folder is one more place the reader may be, where the block's files
// are looked for too (a file missing from every place is still
// reported), and one more the page may start in (a Makefile or manifest
// it lacks is the reader's, as where the page starts); the reader stays
// there for the blocks after it. Only a folder of the tree counts, from
// the root or from where the reader may already be. A folder that a cd,
// a change of directory or a stand in inline code names (proseLeave,
// proseStand) and that is nowhere in the tree (nor made by the page) is
// one docscheck cannot follow, as a cd there: the reader's folder is
// lost for the rest of the section ("while in `extras/scripts`" of
// another repository's checkout).
func (c *Checker) followProseMoves(r *report, n ast.Node) {
	if r.session == nil || r.session.leadInRead == n {
		return
	}
	// The spans of one paragraph share its lead-in: read it once.
	r.session.leadInRead = n
	src := r.page.source
	start := -1
	k := 0
	for at := n; at != nil && k < leadInSiblings; {
		p := at.PreviousSibling()
		if p == nil {
			// The first block of a list item: the items before it
			// lead into it too ("1. change directory to x", "2. run:").
			if _, item := at.Parent().(*ast.ListItem); !item {
				break
			}
			at = at.Parent()
			continue
		}
		if isSectionBreak(p) {
			break
		}
		if off := nodeOffset(p, src); off >= 0 {
			start = off
		}
		at, k = p, k+1
	}
	end := nodeOffset(n, src)
	if start < 0 || end <= start || end > len(src) {
		return
	}
	prose := src[start:end]
	if r.session.dirs == nil || c.knowableDirs(r, r.session.dirs) == nil {
		// The reader is lost: only prose that names the root brings
		// them back (repinLost).
		if !c.repinLost(r, prose) && r.session.dirs == nil {
			return
		}
	}
	words := leadInWordsOf(prose)
	if words.archive && words.folder && proseEnterArchive.Match(prose) {
		// "Go to the unpacked Lua directory": the folder of an archive
		// the reader downloaded, another project's files (or a
		// release's, which the tree need not match): the reader's folder
		// is lost for the rest of the section.
		r.session.dirs = nil
		return
	}
	var named []string
	for _, m := range words.findAll(proseMove, words.to, prose) {
		named = append(named, string(m[1])+string(m[2])+string(m[3]))
	}
	for _, m := range words.findAll(namedFolder, words.folder, prose) {
		if !thisTreeFolders[strings.ToLower(string(m[1]))] {
			named = append(named, c.rootedTreeFolder(string(m[1])))
		}
	}
	ownRoot := false
	for _, m := range words.findAll(proseRootOf, words.root, prose) {
		if c.isThisRepository(strings.TrimSuffix(string(m[1]), ".")) {
			// "In the root directory of jsPsych": the reader stands in
			// their clone of this repository, as after a cd into it.
			ownRoot = true
			r.session.atOwnRoot = true
		}
	}
	var pin []byte
	if words.from && words.root {
		pin = proseAtRoot.Find(prose)
	}
	if (ownRoot || pin != nil) && slices.Contains(r.session.dirs, ".") {
		// "Run it from the repository root": not from the page's own
		// folder, where the page starts too (a docs folder whose Sphinx
		// Makefile hands any target to its builder). Only the page's
		// start folders are dropped: a folder the page moved the reader
		// to may be the root of a project of theirs.
		r.session.dirs = slices.DeleteFunc(r.session.dirs, func(d string) bool {
			return d != "." && slices.Contains(r.session.start, d)
		})
		r.session.rootPinned = true
		if dir := path.Dir(r.page.path); checkoutWord.Match(pin) && (dir == "." || dir == ".github") && c.site(r.page.path) == nil {
			// "From the root of the repository" on this repository's
			// own front pages: the reader holds its checkout.
			r.session.checkoutPinned = true
		}
	} else if len(r.session.dirs) > 0 && c.pinsCheckoutRoot(r, pin) &&
		!slices.ContainsFunc(r.session.dirs, func(d string) bool { return c.opts.Repo.Stat(d) != repo.Dir }) {
		// "To run the tests, from the root of the repository:" after an
		// earlier block's cd into one of its folders (cd docs): the
		// reader, in this repository's checkout, goes back to its root.
		r.session.dirs = []string{"."}
		r.session.rootPinned, r.session.checkoutPinned = true, true
	}
	var leaving []string
	for _, m := range words.findAll(proseStand, words.code && words.stand, prose) {
		named = append(named, string(m[1]))
		leaving = append(leaving, string(m[1]))
	}
	for _, m := range words.findAll(proseLeave, words.code && words.to, prose) {
		leaving = append(leaving, string(m[1]))
	}
	for _, m := range words.findAll(proseStartIn, words.from && words.folder, prose) {
		if name := c.rootedTreeFolder(string(m[1]) + string(m[2])); !thisTreeFolders[strings.ToLower(name)] && !c.isThisRepository(name) {
			leaving = append(leaving, name)
		}
	}
	for _, name := range leaving {
		if c.leavesTree(r, name) {
			r.session.dirs = nil
			return
		}
	}
	for _, name := range named {
		name = strings.TrimSuffix(strings.TrimPrefix(name, "./"), "/")
		if name == "" || strings.HasPrefix(name, "/") || strings.HasPrefix(name, "~") || strings.ContainsAny(name, "$<>{}") {
			continue
		}
		for _, d := range append([]string{"."}, r.session.dirs...) {
			if q := joinPath(d, name); q != ".." && !strings.HasPrefix(q, "../") && c.opts.Repo.Stat(q) == repo.Dir && !slices.Contains(r.session.dirs, q) {
				// A start folder too: nothing moved the reader there for
				// certain, so a Makefile or manifest it lacks is the
				// reader's to have, as where the page starts.
				r.session.dirs = append(r.session.dirs, q)
				if !slices.Contains(r.session.start, q) {
					r.session.start = append(r.session.start, q)
				}
			}
		}
	}
}

// proseEnterArchive is prose that moves the reader into the folder an
// archive they downloaded unpacks to ("Go to the unpacked Lua
// directory", "cd into the extracted folder", "enter the downloaded
// source directory"); archiveWords are the words it needs, which
// leadInWords looks for first.
var (
	proseEnterArchive = regexp.MustCompile(`(?i)\b(?:go|change|cd|move|switch|navigate|step|enter)\b(?:\s+(?:in)?to)?\s+(?:the\s+|your\s+|that\s+|this\s+)?(?:newly\s+)?(?:unpacked|extracted|downloaded|uncompressed|unzipped|untarred|decompressed)\b[^.\n]{0,40}?\b(?:directory|dir|folder)\b`)
	archiveWords      = [][]byte{[]byte("unpacked"), []byte("extracted"), []byte("downloaded"), []byte("uncompressed"), []byte("unzipped"), []byte("untarred"), []byte("decompressed")}
)

// systemFolders are the top folders of a machine's file system (Unix
// and macOS): "/etc" or "/usr/local" in prose is one of them, whatever
// the tree holds.
var systemFolders = map[string]bool{
	"bin": true, "boot": true, "dev": true, "etc": true, "home": true, "lib": true, "lib64": true, "media": true,
	"mnt": true, "opt": true, "proc": true, "root": true, "run": true, "sbin": true, "srv": true, "sys": true,
	"tmp": true, "usr": true, "var": true, "Users": true, "Applications": true, "Library": true, "System": true,
	"Volumes": true, "private": true,
}

// rootedTreeFolder is name without its leading "/" when prose names a
// folder of the repository from its root that way ("run this from the
// `/frontend` directory", as github.com shows a path): a folder the
// tree has, whose first part is no folder of a machine's file system
// (systemFolders). Any other name is returned as it is.
func (c *Checker) rootedTreeFolder(name string) string {
	rest, ok := strings.CutPrefix(name, "/")
	first, _, _ := strings.Cut(rest, "/")
	if !ok || first == "" || systemFolders[first] || c.opts.Repo.Stat(strings.TrimSuffix(rest, "/")) != repo.Dir {
		return name
	}
	return strings.TrimSuffix(rest, "/")
}

// leadInWords says which of the words the lead-in expressions cannot
// match without a lead-in holds (in any case), so that an expression
// whose words are absent is not run: most prose before a block says
// nothing of folders, and running every expression over it at every
// position was half of a run's time on pages of many blocks.
type leadInWords struct {
	to     bool // "to" before white space: proseMove, proseLeave
	folder bool // "dir" or "folder": namedFolder, proseStartIn
	root   bool // "root" or "top": proseRootOf, proseAtRoot
	from   bool // "from": proseAtRoot, proseStartIn
	code   bool // a backtick: proseStand, proseLeave
	// archive: one of archiveWords, proseEnterArchive.
	archive bool
	stand   bool // "while", "when", "once" or "from": proseStand
}

func leadInWordsOf(prose []byte) leadInWords {
	lower := bytes.ToLower(prose)
	w := leadInWords{
		folder: bytes.Contains(lower, []byte("dir")) || bytes.Contains(lower, []byte("folder")),
		root:   bytes.Contains(lower, []byte("root")) || bytes.Contains(lower, []byte("top")),
		from:   bytes.Contains(lower, []byte("from")),
		code:   bytes.IndexByte(prose, '`') >= 0,
	}
	w.archive = slices.ContainsFunc(archiveWords, func(a []byte) bool { return bytes.Contains(lower, a) })
	w.stand = w.from || bytes.Contains(lower, []byte("while")) || bytes.Contains(lower, []byte("when")) || bytes.Contains(lower, []byte("once"))
	for i := 0; !w.to; {
		j := bytes.Index(lower[i:], []byte("to"))
		if j < 0 {
			break
		}
		i += j + 2
		w.to = i < len(lower) && strings.IndexByte(" \t\n\r\f", lower[i]) >= 0
	}
	return w
}

// findAll is re.FindAllSubmatch(prose, -1) where the words it needs are
// there (has), and nil where they are not, which it could not match.
func (leadInWords) findAll(re *regexp.Regexp, has bool, prose []byte) [][][]byte {
	if !has {
		return nil
	}
	return re.FindAllSubmatch(prose, -1)
}

// leavesTree reports whether name, a folder prose sends the reader to
// (inline code, see followProseMoves), is a path the tree does not hold
// from the root or from where the reader may be: a folder docscheck cannot
// follow (one the page made, by a clone or a build, holds what docscheck
// does not know either). A name with a colon (a URL, host:port) or a
// variable is no such folder.
func (c *Checker) leavesTree(r *report, name string) bool {
	name = strings.TrimSuffix(strings.TrimPrefix(name, "./"), "/")
	if name == "" || strings.ContainsAny(name, ":$<>{}") {
		return false
	}
	if strings.HasPrefix(name, "/") || strings.HasPrefix(name, "~") {
		return true
	}
	for _, d := range append([]string{"."}, r.session.dirs...) {
		q := joinPath(d, name)
		if q == ".." || strings.HasPrefix(q, "../") {
			continue
		}
		if c.opts.Repo.Stat(q) != repo.Missing {
			return false
		}
	}
	return true
}

// isSectionBreak reports whether block n ends the prose that leads into
// the code block after it: a heading, another code block, a rule.
func isSectionBreak(n ast.Node) bool {
	switch n.(type) {
	case *ast.Heading, *ast.FencedCodeBlock, *ast.CodeBlock, *ast.ThematicBreak:
		return true
	}
	return false
}

// runShellTextsWithOneLiners runs a block's lines in order, where a line
// "cd dir && cmd" is a one-liner: authors write it to run cmd in dir
// without moving the reader for the rest ("cd pkg && go test", then "# or
// from the root:" and more commands). Whether a reader typing the block
// in a row stays in dir is not certain, so after such a line the reader
// may be in dir or still where they were, and a later line is reported
// only when it is broken from both.
func (c *Checker) runShellTextsWithOneLiners(r *report, texts []string, at locate) {
	start := 0
	for i, t := range texts {
		if i == len(texts)-1 || !isCdOneLiner(t) {
			continue
		}
		before := slices.Clone(r.session.dirs)
		c.runShellTexts(r, blankOutside(texts, start, i+1), at)
		if before != nil && r.session.dirs != nil {
			for _, d := range before {
				if !slices.Contains(r.session.dirs, d) {
					r.session.dirs = append(r.session.dirs, d)
				}
			}
		}
		start = i + 1
	}
	c.runShellTexts(r, blankOutside(texts, start, len(texts)), at)
}

// isCdOneLiner reports whether a block line is "cd dir && cmd" on its own.
func isCdOneLiner(t string) bool {
	t = strings.TrimSpace(t)
	cd, rest, ok := strings.Cut(t, "&&")
	return ok && strings.HasPrefix(strings.TrimSpace(cd), "cd ") && strings.TrimSpace(rest) != "" && !strings.HasSuffix(t, "\\")
}

// blankOutside keeps texts[from:to] and blanks the other lines, so that
// line numbers stay those of the block.
func blankOutside(texts []string, from, to int) []string {
	if from == 0 && to == len(texts) {
		return texts
	}
	out := make([]string, len(texts))
	for i := range out {
		out[i] = "\n"
		if i >= from && i < to {
			out[i] = texts[i]
		}
	}
	return out
}

// sameCdLines returns the indexes of a block's command lines when there
// are at least two and every one starts with the same "cd dir &&"; else nil.
func sameCdLines(texts []string) []int {
	var idx []int
	prefix := ""
	for i, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		cd, _, ok := strings.Cut(t, "&&")
		cd = strings.TrimSpace(cd)
		if !ok || !strings.HasPrefix(cd, "cd ") || strings.HasSuffix(t, "\\") || prefix != "" && cd != prefix {
			return nil
		}
		prefix = cd
		idx = append(idx, i)
	}
	if len(idx) < 2 {
		return nil
	}
	return idx
}

// fillPlaceholders: "<package>" (or "<DetectorType enum name>") stands for
// a word of the reader's, not a redirect: the line is a template whose
// other words are the page's own (./launch.sh run <script>), and they do
// not depend on it. The placeholder becomes a variable of the same length,
// a word whose value is unknown, so the columns of the words after it hold.
func fillPlaceholders(t string) string {
	if strings.IndexByte(t, '<') < 0 || !placeholderPhrase.MatchString(t) {
		return t
	}
	return placeholderPhrase.ReplaceAllStringFunc(t, func(m string) string {
		lt := strings.IndexByte(m, '<')
		return m[:lt] + "$" + strings.Repeat("x", len(m)-lt-1)
	})
}

// runShellTexts runs a shell block's lines (blank where not commands) in
// the page's session.
func (c *Checker) runShellTexts(r *report, texts []string, at locate) {
	for i, t := range texts {
		if strings.IndexByte(t, '<') < 0 {
			continue
		}
		// A clone of the reader's fork ("<your username>/repo.git") still
		// makes its folder, whether the line parses or not.
		c.recordTemplateClone(r, t)
		texts[i] = fillPlaceholders(t)
	}
	script, err := c.parseShell(strings.Join(texts, ""))
	if err != nil {
		// Pseudo-shell with placeholders such as <name>, or a line of
		// prose ("rm -rf build (to clean up)"), which the reader's shell
		// rejects alone: judge the lines that do parse, one at a time,
		// in order, each from where the lines before it left the reader
		// (a cd on one line moves the next).
		script = command.Script{EndDir: "."}
		for i, t := range texts {
			line, err := c.parseShell(t)
			if err != nil {
				continue
			}
			for _, call := range line.Calls {
				words := slices.Clone(call.Words)
				for w := range words {
					words[w].Line += i
				}
				call.Words = words
				call.Dir = joinDirs(script.EndDir, call.Dir)
				script.Calls = append(script.Calls, call)
			}
			script.EndDir = joinDirs(script.EndDir, line.EndDir)
		}
	}
	c.runScript(r, script, at, func(pr *report, call command.Call) { c.judge(pr, call, at) })
}

// joinDirs is folder rel, relative to dir, relative to where dir is;
// "" (unknowable, as command.Call.Dir has it) when either is.
func joinDirs(dir, rel string) string {
	if dir == "" || rel == "" {
		return ""
	}
	return joinPath(dir, rel)
}

// promptLines keeps the "$ " lines of a terminal transcript (and their
// backslash continuations) and blanks everything else, keeping line and
// column numbers as they were.
func promptLines(texts []string) []string {
	out := make([]string, len(texts))
	continued := false
	for i, t := range texts {
		trimmed := strings.TrimRight(t, "\r\n")
		switch {
		case continued:
			out[i] = t
		case promptLen(strings.TrimLeft(t, " ")) > 0:
			indent := len(t) - len(strings.TrimLeft(t, " "))
			n := promptLen(t[indent:])
			out[i] = strings.Repeat(" ", indent+n) + t[indent+n:]
		default:
			out[i] = "\n"
			continue
		}
		continued = strings.HasSuffix(trimmed, "\\")
		if !strings.HasSuffix(out[i], "\n") {
			out[i] += "\n"
		}
	}
	return out
}

// tool finds a project tool by program name (the last path element, so
// "./reference-backend", "bin/proofs" and "$DIR/reference-backend" count).
func (c *Checker) tool(prog string) (clispec.Tool, bool) {
	base := prog[strings.LastIndexByte(prog, '/')+1:]
	if base == "" || strings.Contains(base, command.Unknown) {
		return clispec.Tool{}, false
	}
	for _, t := range c.opts.Tools {
		if t.Name == base {
			return t, true
		}
	}
	return clispec.Tool{}, false
}

// judge checks one command. Programs that are not the project's (curl,
// psql, git, ...) are not judged.
func (c *Checker) judge(r *report, call command.Call, at locate) {
	prog := call.Words[0]
	name := prog.Text
	if isURL(name) {
		return
	}
	if t, ok := c.tool(name); ok {
		r.judged()
		c.checkTool(r, t, call.Args(), at, prog)
		return
	}
	if prog.Dynamic() {
		r.unjudged(strings.ReplaceAll(name, command.Unknown, "$…"))
		return
	}
	if !plausibleProgram(name) {
		return // output pasted into a shell block, not a command
	}
	switch name {
	case "make", "gmake":
		r.judged()
		c.checkMake(r, call, at)
		return
	case "go":
		r.judged()
		c.checkGo(r, call, at)
		return
	case "bash", "sh", "zsh", "source", ".":
		r.judged()
		c.checkScriptArg(r, call, at)
		return
	}
	if c.checkInterpreterScript(r, call, at) {
		r.judged()
		return
	}
	if c.judgeEcosystem(r, call, at) || c.checkRunnerScript(r, call, at) {
		r.judged()
		return
	}
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "/") && !strings.HasPrefix(name, "~") {
		r.judged()
		c.checkExecutable(r, call.Dir, prog, len(call.Args()) == 0 && !strings.HasPrefix(name, "./"), at)
		if base := path.Base(name); (base == "pip" || base == "pip3") && call.Dir != "" {
			c.checkPip(r, call, at, call.Args()) // a virtualenv's pip, .venv/bin/pip
		}
		return
	}
	r.unjudged(name)
}

func (r *report) addWord(w command.Word, at locate, rule, suggestion, format string, args ...any) {
	line, col := at(w.Line, w.Col)
	r.addAt(line, col, rule, suggestion, format, args...)
	r.markMisspelt(w, suggestion)
}

// runnable reports whether the repository path p is a program a reader
// could run by path: an executable file, or a script by its extension.
func (c *Checker) runnable(p string) bool {
	return c.opts.Repo.Stat(p) == repo.File && (c.opts.Repo.Executable(p) || scriptExtensions[path.Ext(p)])
}

// checkExecutable: a program run by path must exist and be executable.
// alone: the path, not written as ./x, is the whole line.
func (c *Checker) checkExecutable(r *report, dir string, prog command.Word, alone bool, at locate) {
	if dir == "" {
		return
	}
	p := joinPath(dir, prog.Text)
	if p == ".." || strings.HasPrefix(p, "../") {
		// Outside the repository from here: not judged, but not right
		// either, so another folder the reader may be in (the page's
		// own, where ../scripts/x.sh is in the tree) still judges it.
		r.missWord(prog, at, reasonNotInRepo, ruleScript, "", "%s does not exist", prog.Text)
		return
	}
	kind, made := c.stat(r, p)
	if made && r.session.unpackedOnly(p) {
		// An archive unpacked where the reader stands (wget ... | tar
		// -x) may hold it; nothing says it does.
		r.missWord(prog, at, reasonUnpacked, ruleScript, "", "%s does not exist", prog.Text)
		return
	}
	if made {
		return // built or fetched earlier on the page
	}
	if r.session != nil && r.session.unnamedBinaries[path.Dir(p)] && kind != repo.File {
		// go build wrote a program here whose name only the reader's
		// folder gives: this may be it.
		format := "%s does not exist"
		if kind == repo.Dir {
			format = "%s is a folder, not a program"
		}
		r.missWord(prog, at, reasonOutput, ruleScript, "", format, prog.Text)
		return
	}
	switch kind {
	case repo.Missing:
		hint := c.nearbyName(p)
		typo := hint
		if hint != "" && !c.runnable(hint) {
			// A program is a typo only of a program: ./args is not a
			// misspelt folder arg/ or page args.md.
			typo = ""
		}
		reason := c.missingIn(r, prog.Text, p, typo)
		if reason == reasonReadersFile && c.typoOfMade(r, p) {
			reason = "" // "go build -o widget", then "./widgte"
		}
		if ext := path.Ext(p); reason == "" && r.session.ranWriter && ext != "" && !scriptExtensions[ext] && !runnerScripts[ext] &&
			(typo == "" || !typoOf(p, typo)) && !c.opts.Repo.HasExtension(ext) {
			// After a build (make check), a program whose extension
			// names no interpreter's language and no file of the tree
			// has (x.fuzz, x.exe) is what the build compiled; one the
			// tree's own scripts have (x.ros beside hello.ros) is a
			// script of the tree, judged.
			reason = reasonOutput
		}
		r.missWord(prog, at, reason, ruleScript, shellPath(prog.Text, dir, hint), "%s does not exist", prog.Text)
	case repo.Dir:
		reason := ""
		if c.goMainFolder(p) {
			// ./runner beside runner/runner.go (package main): the
			// binary go build writes there is named after the folder.
			reason = reasonOutput
		}
		if alone {
			// A folder alone on its line, not written ./x to run it, lists
			// the tree ("src/Features/X" under "the core is divided into
			// folders"): it runs nothing.
			reason = reasonFolderListing
		}
		r.missWord(prog, at, reason, ruleScript, "", "%s is a folder, not a program", prog.Text)
	default:
		if !c.opts.Repo.Executable(p) && !r.session.executable[p] {
			reason := ""
			if ext := strings.ToLower(path.Ext(p)); alone && (documentFiles[ext] || interpretedSource(ext)) {
				// A page, a picture or data alone on its line, not
				// written ./x ("use this file:" above
				// tests/unit-browser/global.html): named to open, not
				// run. So is another language's source (the example
				// diagnostic x.py): its reader runs it through its
				// interpreter, not by path.
				reason = reasonFolderListing
			}
			r.missWord(prog, at, reason, ruleScript, "", "%s is not executable (chmod +x, or run it with bash)", prog.Text)
		}
	}
}

// interpretedSource reports whether ext is the suffix of a script of a
// language other than the shell's, which its interpreter runs (python
// x.py, node x.js, ruby x.rb): one a runner or an interpreter docscheck
// knows takes (runnerScripts, interpreterScripts), not .sh or .bash.
func interpretedSource(ext string) bool {
	if ext == ".sh" || ext == ".bash" {
		return false
	}
	for _, e := range interpreterScripts {
		if e == ext {
			return true
		}
	}
	return runnerScripts[ext]
}

// documentFiles are the suffixes of files a reader opens or reads and no
// shell runs: pages, pictures, data.
var documentFiles = map[string]bool{
	".html": true, ".htm": true, ".md": true, ".markdown": true, ".rst": true, ".txt": true, ".pdf": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true,
	".json": true, ".yaml": true, ".yml": true, ".toml": true, ".xml": true, ".csv": true, ".css": true,
}

// checkMentionedPath: a path quoted alone must exist, as file or folder.
func (c *Checker) checkMentionedPath(r *report, call command.Call, at locate) {
	w := call.Words[0]
	p, ok := localPath(call.Dir, w)
	if !ok {
		return
	}
	if k, _ := c.stat(r, p); k != repo.Missing {
		return
	}
	if matched, glob := c.globMatches(p); glob {
		if !matched {
			r.missWord(w, at, c.missingPath(w.Text, p, ""), ruleScript, "", "%s matches no file", w.Text)
		}
		return
	}
	hint := c.nearbyName(p)
	reason := c.missingIn(r, w.Text, p, hint)
	if reason == "" && hint != "" && path.Dir(path.Clean(w.Text)) == "." && pluralOf(path.Base(p), path.Base(hint)) {
		// A bare name prose names that is the plural or singular of a
		// name there (a tool's default "./tests" beside the tree's
		// test/) is a word of its own, the reader's folder as much as
		// a slip: a bare name is the reader's file.
		reason = reasonReadersFile
	}
	if line, col := at(w.Line, w.Col); reason == "" && quotedElsewhere(r.page, w.Text, r.page.lineStarts[line-1]+col-1) {
		// A bare name the page's code writes as a string ("./server.js"
		// in a JSON example, import './index'): a file of the example's
		// project, not a near miss of a repository file.
		reason = reasonReadersFile
	}
	if reason == "" && c.namedFolderHolds(r.page, w.Text) {
		reason = reasonOtherStart
	}
	r.missWord(w, at, reason, ruleScript, shellPath(w.Text, call.Dir, hint), "%s does not exist", w.Text)
}

// quotedElsewhere reports whether name is a bare name (no folder written
// but "./") that the page also writes as a quoted string, '...' or "...",
// as code does, other than at the mention at offset itself.
func quotedElsewhere(pg *page, name string, offset int) bool {
	if strings.Contains(strings.TrimPrefix(name, "./"), "/") {
		return false
	}
	n := 0
	for _, q := range []string{`"`, `'`} {
		quoted := []byte(q + name + q)
		n += bytes.Count(pg.source, quoted)
		for _, at := range []int{offset, offset - 1} {
			if at >= 0 && bytes.HasPrefix(pg.source[at:], quoted) {
				n-- // the mention itself
				break
			}
		}
	}
	return n > 0
}

// globMatches: a path whose last part is a glob (scripts/verify-*.sh)
// names the files it matches; glob is false for a plain path.
func (c *Checker) globMatches(p string) (matched, glob bool) {
	dir, base := path.Split(p)
	if !strings.ContainsAny(base, "*?[") {
		return false, false
	}
	for _, n := range c.opts.Repo.Names(path.Clean(dir + ".")) {
		if ok, _ := path.Match(base, n); ok {
			return true, true
		}
	}
	return false, true
}

// shellPath writes a repository path as the doc would type it from dir.
func shellPath(original, dir, hint string) string {
	if hint == "" {
		return ""
	}
	rel := relativeTo(dir, hint)
	if strings.HasPrefix(original, "./") && !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel
}

// checkScriptArg: "bash path" and "sh path" need the file to exist.
func (c *Checker) checkScriptArg(r *report, call command.Call, at locate) {
	args := call.Args()
	for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") {
		if args[0].Text == "-c" || strings.HasPrefix(args[0].Text, "-") && strings.Contains(args[0].Text, "c") && !strings.HasPrefix(args[0].Text, "--") {
			return // inline script text, not a file
		}
		if args[0].Text == "-o" || args[0].Text == "+o" {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 || args[0].Dynamic() || call.Dir == "" {
		return
	}
	file := args[0]
	p, ok := localPath(call.Dir, file)
	if !ok {
		return
	}
	switch k, _ := c.stat(r, p); k {
	case repo.Missing:
		c.missingArg(r, call.Dir, file, p, at, ruleScript, "")
	case repo.Dir:
		r.addWord(file, at, ruleScript, "", "%s is a folder, not a script", file.Text)
	}
}

// missingArg reports file, a command's file argument that names the
// missing repository path p from dir, under rule: with the nearest name
// there as the did-you-mean and the certainty missingIn gives. The
// message is prefixed with prefix ("pip: ").
func (c *Checker) missingArg(r *report, dir string, file command.Word, p string, at locate, rule, prefix string) {
	hint := c.nearbyName(p)
	r.missWord(file, at, c.missingIn(r, file.Text, p, hint), rule, shellPath(file.Text, dir, hint), "%s%s does not exist", prefix, file.Text)
}

// meantElsewhere reports whether a Makefile other than the one at except
// has an explicit rule for target and stands where the page may send the
// reader: in a folder the page starts in (the root, the page's own), or
// in a folder the page names as inline code (`sub`, `sub/`, `./sub`) or
// whose files it names so (pageNamesFilesIn), or
// below the page's own folder when that folder has no Makefile: such a
// page tells of the folders below it ("most samples offer a `make fuzz`
// target"), so its make runs in one of them; or in a folder above the
// page's, below the root, when no make command of the page names a target
// only the Makefile at except has: the page is then part of that folder's
// project (docs/content/x.md below docs/Makefile, whose "make serve"
// builds the pages), while a page that runs a target only the Makefile in
// use has keeps its reader there. A Makefile no word of the page points to
// (another project's, vendored) is no such place.
func (c *Checker) meantElsewhere(r *report, target, except string) bool {
	pageDir := path.Dir(r.page.path)
	below := pageDir != "." && c.opts.Repo.Makefile(pageDir, "") == nil
	for _, p := range c.opts.Repo.MakefilesDefining(target, except) {
		dir := path.Dir(p)
		if slices.Contains(r.session.startDirs(), dir) || c.pageNamesFolder(r.page.source, dir) || c.pageNamesFilesIn(r.page.source, dir) ||
			below && strings.HasPrefix(dir, pageDir+"/") ||
			dir != "." && strings.HasPrefix(pageDir+"/", dir+"/") && !c.pageUsesMakefile(r.page, except, p) {
			return true
		}
	}
	// A Makefile of a folder the page names whose pattern rule makes the
	// target (Sphinx's catch-all "%" hands any name to its builder): "From
	// the directory `docs`, run make html".
	for _, dir := range c.opts.Repo.MakefileFolders() {
		if dir == "." || !c.pageNamesFolder(r.page.source, dir) {
			continue
		}
		if m := c.opts.Repo.Makefile(dir, ""); m != nil && m.Path != except && m.Has(target) {
			return true
		}
	}
	return false
}

// makeTargetWord is a target after "make" on a page (flags and variable
// assignments before it skipped).
var makeTargetWord = regexp.MustCompile(`\bmake(?:\s+(?:-\S+|\w+=\S*))*\s+([A-Za-z0-9_][\w.-]*)`)

// pageUsesMakefile reports whether the page runs make with a target that
// the Makefile at mfPath defines and the one at other does not: the
// page's reader stands beside the first.
func (c *Checker) pageUsesMakefile(pg *page, mfPath, other string) bool {
	if mfPath == "" {
		return false
	}
	mf := c.opts.Repo.Makefile(path.Dir(mfPath), path.Base(mfPath))
	alt := c.opts.Repo.Makefile(path.Dir(other), path.Base(other))
	if mf == nil || alt == nil {
		return false
	}
	for _, m := range makeTargetWord.FindAllSubmatch(pg.source, -1) {
		if t := string(m[1]); mf.Has(t) && !alt.Has(t) {
			return true
		}
	}
	return false
}

// movedTo finds the folders a page moves the reader to: the operand of a
// cd or of make's -C, anywhere on the page.
var movedTo = regexp.MustCompile("(?:^|[\\s(;&|`])(?:cd|-C)\\s+(\\.?/?[\\w.@-]+(?:/[\\w.@-]+)*)/?(?:[`\\s;&|)]|$)")

// scriptElsewhere reports whether a command run where the page starts
// (from) lacks script in the package.json in use (except) while the
// package.json of a folder the page moves the reader to elsewhere (cd
// client) defines it: the prose may send the reader there ("run `npm run
// generate` in the client directory"), which docscheck does not read, as
// make's rule says of Makefiles (meantElsewhere). A folder the page only
// names is not enough, nor a package.json an earlier cd moved the reader
// to: there the page put the reader.
func (c *Checker) scriptElsewhere(r *report, from, script, except string) bool {
	if !slices.Contains(r.session.startDirs(), from) {
		return false
	}
	seen := map[string]bool{}
	for _, m := range movedTo.FindAllSubmatch(r.page.source, -1) {
		written := path.Clean(string(m[1]))
		for _, d := range r.session.startDirs() {
			dir := joinPath(d, written)
			manifest := path.Join(dir, "package.json")
			if seen[manifest] || manifest == except || strings.HasPrefix(dir, "../") || dir == ".." {
				continue
			}
			seen[manifest] = true
			if c.opts.Repo.Stat(manifest) != repo.File {
				continue
			}
			if pkg := c.opts.Repo.PackageJSON(manifest); pkg != nil {
				if _, ok := pkg.Scripts[script]; ok {
					return true
				}
			}
		}
	}
	return false
}

// inlineCode is a code span of a page's Markdown source.
var inlineCode = regexp.MustCompile("`([^`\n]+)`")

// pageNamesFilesIn reports whether a page names, as inline code, a path of
// folder dir's project: one under dir written from the root
// (`test/suite/my_test.go`), or a relative path with a folder in it that
// is there under dir and not at the root (`./script/import.sh` beside
// dir/script/import.sh). Such a page is about that project, whose make
// targets it runs where its files are (a test suite's page: "put it in
// `test/suite/my_test.go` and run `make test`").
func (c *Checker) pageNamesFilesIn(src []byte, dir string) bool {
	if dir == "." {
		return false
	}
	for _, m := range inlineCode.FindAllSubmatch(src, -1) {
		fields := strings.Fields(string(m[1]))
		if len(fields) == 0 {
			continue
		}
		p := strings.TrimPrefix(fields[0], "./")
		if !strings.Contains(strings.TrimSuffix(p, "/"), "/") || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
			continue
		}
		if strings.HasPrefix(p, dir+"/") && c.opts.Repo.Stat(path.Clean(p)) != repo.Missing {
			return true
		}
		if c.opts.Repo.Stat(path.Join(dir, p)) != repo.Missing && c.opts.Repo.Stat(path.Clean(p)) == repo.Missing {
			return true
		}
	}
	return false
}

// pageNamesFolder reports whether a page names folder dir as a place to
// stand: as inline code (`dir`, `dir/`, `./dir`, `./dir/`, or by way of
// the clone's folder, `widget/dir`), or in a command that moves there
// (make -C dir, cd dir).
func (c *Checker) pageNamesFolder(src []byte, dir string) bool {
	return namesFolder(src, dir) || c.namesFolderInClone(src, dir)
}

// namesFolderInClone reports whether the page names dir as inline code by
// way of the folder a clone makes, which is named after the repository
// ("go to `nilearn/doc` and build"): the same folder of this tree
// (isThisRepository).
func (c *Checker) namesFolderInClone(src []byte, dir string) bool {
	if dir == "." || !bytes.Contains(src, []byte("/"+dir)) {
		return false
	}
	inClone := regexp.MustCompile("`([\\w.-]+)/" + regexp.QuoteMeta(dir) + "/?`")
	for _, m := range inClone.FindAllSubmatch(src, -1) {
		if c.isThisRepository(string(m[1])) {
			return true
		}
	}
	return false
}

// namesFolder is pageNamesFolder without the clone's folder.
func namesFolder(src []byte, dir string) bool {
	for _, written := range []string{dir, dir + "/", "./" + dir, "./" + dir + "/"} {
		if bytes.Contains(src, []byte("`"+written+"`")) {
			return true
		}
		for _, verb := range []string{"-C ", "cd "} {
			for rest := src; ; {
				i := bytes.Index(rest, []byte(verb+written))
				if i < 0 {
					break
				}
				rest = rest[i+len(verb)+len(written):]
				if len(rest) == 0 || strings.IndexByte(" `\n;&|)", rest[0]) >= 0 {
					return true
				}
			}
		}
	}
	return false
}

// compiledSources are the extensions of sources a compiler turns into a
// program named after their stem (ghc Shake.hs, cc x.c, rustc x.rs).
var compiledSources = []string{".hs", ".c", ".cc", ".cpp", ".cxx", ".rs", ".go", ".ml", ".nim", ".zig", ".d", ".swift", ".cr"}

// compiledFrom reports whether the missing program p, without an
// extension, has a source beside it that a compiler builds it from.
func (c *Checker) compiledFrom(p string) bool {
	if path.Ext(p) != "" {
		return false
	}
	for _, ext := range compiledSources {
		if c.opts.Repo.Stat(p+ext) == repo.File {
			return true
		}
	}
	return false
}

// goMainFolder reports whether folder dir holds a Go main package: a .go
// file (not a test) that declares package main.
func (c *Checker) goMainFolder(dir string) bool {
	for _, n := range c.opts.Repo.Names(dir) {
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if data, err := c.opts.Repo.ReadFile(path.Join(dir, n)); err == nil && goPackageMain.Match(data) {
			return true
		}
	}
	return false
}

// goPackageMain is a Go file's package clause naming main.
var goPackageMain = regexp.MustCompile(`(?m)^package main\b`)

// nodeScripts are the extensions node runs a file by.
var nodeScripts = map[string]bool{".js": true, ".mjs": true, ".cjs": true}

// interpreterScripts are the interpreters other than node that run a
// script file given as their first argument, each with the extension of
// its scripts: Ruby, Perl and PHP.
var interpreterScripts = map[string]string{"ruby": ".rb", "perl": ".pl", "php": ".php"}

// interpreterGluedOption is an option of ruby or perl that takes no
// word after it: -I or -r / -M with its value glued on, or -w / -W.
var interpreterGluedOption = regexp.MustCompile(`^-(?:[IrM][^\s=-]\S*|w|W[0-2]?)$`)

// scriptFileOf finds the script file a call of node or of an
// interpreterScripts program runs, false when it runs none docscheck can
// tell (see checkInterpreterScript).
func scriptFileOf(call command.Call) (command.Word, bool) {
	args := call.Args()
	prog := call.Program()
	if ext, ok := interpreterScripts[prog]; ok {
		// Their options differ, some take the next word (perl -I lib),
		// some move the folder (ruby -C dir) or give inline code (-e,
		// php -r): only a file right after the program counts, or
		// after options that take no word of their own: a load path
		// or a library glued to its letter (ruby -Itest, perl -Ilib
		// -MData::Dumper) and warnings (-w, -W0).
		for prog != "php" && len(args) > 0 && interpreterGluedOption.MatchString(args[0].Text) {
			args = args[1:]
		}
		if len(args) == 0 || args[0].Dynamic() || path.Ext(args[0].Text) != ext {
			return command.Word{}, false
		}
		return args[0], true
	}
	if prog != "node" {
		return command.Word{}, false
	}
	for len(args) > 0 && strings.HasPrefix(args[0].Text, "--") && args[0].Text != "--" {
		switch t, _, _ := strings.Cut(args[0].Text, "="); t {
		case "--eval", "--print", "--require", "--import", "--loader", "--experimental-loader", "--input-type", "--test", "--run":
			return command.Word{}, false // inline code, a module to preload, or no file of its own
		}
		if !strings.Contains(args[0].Text, "=") && len(args) > 1 && !nodeScripts[path.Ext(args[1].Text)] {
			return command.Word{}, false // "--flag value": which word is the file is unclear
		}
		args = args[1:]
	}
	if len(args) == 0 || args[0].Dynamic() || !nodeScripts[path.Ext(args[0].Text)] {
		return command.Word{}, false
	}
	return args[0], true
}

// checkInterpreterScript: "node FILE", "ruby FILE", "perl FILE" or "php
// FILE" runs a file of the repository, which must be there, as for bash
// FILE. Only a FILE written with its interpreter's extension counts (node
// resolves "node x" to x.js or x/index.js). For node, only after long
// options alone: a short one may take the next word as its value or make
// node run no file at all (-e, -p, -r); for the others, only right after
// the program (scriptFileOf). It reports whether it judged the call.
func (c *Checker) checkInterpreterScript(r *report, call command.Call, at locate) bool {
	file, ok := scriptFileOf(call)
	if !ok || call.Dir == "" {
		return false
	}
	c.checkScriptArg(r, command.Call{Words: []command.Word{call.Words[0], file}, Dir: call.Dir}, at)
	return true
}

// runnerScripts are the extensions of the source files a runner's "run"
// command runs: shell, Python, Ruby, Perl, JavaScript and TypeScript.
var runnerScripts = map[string]bool{
	".sh": true, ".bash": true, ".py": true, ".rb": true, ".pl": true,
	".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".mts": true, ".cts": true,
}

// runnerScript finds the file of "RUNNER run [--flags] FILE" (deno run
// main.ts, quarto run tools/x.ts, uv run x.py, bun run x.ts): a program
// docscheck does not know whose "run" command is given, as its first
// argument, a path with a script's extension, which the runner executes.
// The file must then be there, whatever the runner. A flag written apart
// from its value leaves which word is the file unclear, so only flags of
// one word count; false when there is no such file argument.
func runnerScript(call command.Call) (command.Word, bool) {
	args := call.Args()
	if len(args) < 2 || args[0].Text != "run" || strings.Contains(call.Program(), "/") {
		return command.Word{}, false // ./tool run x: the program by path is judged
	}
	for _, a := range args[1:] {
		switch {
		case a.Text == "--" || a.Dynamic():
			return command.Word{}, false
		case strings.HasPrefix(a.Text, "-"):
			continue
		case runnerScripts[path.Ext(a.Text)] && !strings.Contains(a.Text, "://"):
			return a, true
		}
		return command.Word{}, false
	}
	return command.Word{}, false
}

// checkRunnerScript judges runnerScript's file as bash FILE is judged. It
// reports whether the call was one.
func (c *Checker) checkRunnerScript(r *report, call command.Call, at locate) bool {
	file, ok := runnerScript(call)
	if !ok || call.Dir == "" {
		return false
	}
	c.checkScriptArg(r, command.Call{Words: []command.Word{call.Words[0], file}, Dir: call.Dir}, at)
	return true
}

// checkMake: every target named must be a rule of the Makefile make reads.
func (c *Checker) checkMake(r *report, call command.Call, at locate) {
	dir, file := call.Dir, ""
	// moved is the folder -C names, from the one make starts in.
	moved := ""
	// placed: the command or its block names the folder make runs in
	// (-C, -f, a cd above it in the block), so the Makefile is the one
	// the page means.
	// So does prose that pins the reader at the repository's root, for a
	// make the block runs where it starts.
	placed := r.session != nil && (r.session.placed || r.session.rootPinned && call.Dir == ".")
	var targets []command.Word
	args := call.Args()
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func(long string) (string, bool) {
			if v, ok := strings.CutPrefix(a.Text, long+"="); ok {
				return v, true
			}
			if i+1 < len(args) {
				i++
				return args[i].Text, !args[i].Dynamic()
			}
			return "", false
		}
		switch {
		case a.Text == "-C" || a.Text == "--directory" || strings.HasPrefix(a.Text, "--directory="):
			v, ok := value("--directory")
			if !ok || dir == "" || strings.HasPrefix(v, "/") {
				dir = ""
			} else {
				dir, moved = path.Join(dir, v), path.Join(moved, v)
			}
			placed = true
		case strings.HasPrefix(a.Text, "-C") && len(a.Text) > 2:
			if dir != "" {
				dir, moved = path.Join(dir, a.Text[2:]), path.Join(moved, a.Text[2:])
			}
			placed = true
		case a.Text == "-f" || a.Text == "--file" || a.Text == "--makefile" || strings.HasPrefix(a.Text, "--file=") || strings.HasPrefix(a.Text, "--makefile="):
			v, ok := value("--file")
			if !ok {
				return
			}
			file = v
			placed = true
		case a.Text == "-j" || a.Text == "-l" || a.Text == "-o" || a.Text == "-W" || a.Text == "-I":
			if a.Text != "-j" || i+1 < len(args) && isNumber(args[i+1].Text) {
				i++
			}
		case strings.HasPrefix(a.Text, "-"):
		case strings.Contains(a.Text, "=") && isVariable(a.Text[:strings.IndexByte(a.Text, '=')]):
		default:
			targets = append(targets, a)
		}
	}
	if dir == "" {
		return
	}
	if rest, ok := r.session.inOwnClone(dir); ok {
		// make -C into the page's clone of this repository ("git clone
		// .../u-boot.git u-boot.git", "make -C u-boot.git"): its
		// Makefile is this tree's, from the root.
		dir = rest
	}
	if r.session.made(joinPath(dir, cmp.Or(file, "Makefile"))) {
		return // a Makefile that configure, cmake or a clone wrote
	}
	mf := c.opts.Repo.Makefile(dir, file)
	if mf == nil {
		where := "the repository root"
		if dir != "." {
			where = dir
		}
		if file != "" {
			// The file -f names is judged as any file a command names:
			// a bare name that is no near miss of a file there is one
			// the reader has (a build wrote it: Verilator's Vtop.mk).
			p := joinPath(dir, file)
			hint := c.nearbyName(p)
			r.missWord(call.Words[0], at, c.missingIn(r, file, p, hint), ruleMake, "", "make -f %s: no such Makefile in %s", file, where)
		} else {
			// In a folder the page moved to (cd, -C) a missing Makefile
			// is certain; where the page starts (or prose may have sent
			// the reader: followProseMoves), the reader may be in a
			// project of their own.
			reason := ""
			if dir == "." || dir == path.Dir(r.page.path) || slices.Contains(r.session.startDirs(), dir) {
				reason = reasonNoMakefile
			} else if moved != "" && c.opts.Repo.Stat(dir) == repo.Missing && c.startsElsewhere(r, call.Dir, moved) {
				reason = reasonOtherStart
			} else if c.opts.Repo.InSubmodule(dir) {
				// A git submodule's folder: its Makefile is the other
				// repository's, there once the reader cloned recursively.
				reason = reasonSubmodule
			} else if file == "" && c.configureWrites(dir) {
				// Makefile.am or Makefile.in beside it: configure writes
				// the Makefile there (autotools), a build's output.
				reason = reasonOutput
			} else if c.opts.Repo.Stat(dir) == repo.Missing && c.builtByRepository(path.Join(dir, "Makefile"), "") {
				// A folder the tree says a build makes (the .gitignore
				// names it: CMake's build folder, made by a script the
				// page ran): the Makefile in it is the build's too.
				reason = reasonOutput
			} else if slices.ContainsFunc(strings.Split(dir, "/"), isPlaceholderName) {
				// A folder of the reader's choosing (-C x/{lang}/).
				reason = reasonPlaceholder
			} else if !placed && len(targets) > 0 && !slices.ContainsFunc(targets, func(t command.Word) bool {
				return !c.meantElsewhere(r, t.Text, "")
			}) {
				// An earlier block's cd left the reader here, and a
				// Makefile the page may mean has every target: the
				// prose may send the reader back there.
				reason = reasonMakeElsewhere
			}
			r.missWord(call.Words[0], at, reason, ruleMake, "", "no Makefile in %s", where)
		}
		return
	}
	for _, t := range targets {
		if t.Dynamic() || mf.Has(t.Text) || isPlaceholder(t.Text) {
			continue
		}
		if pattern, ok := targetFamily(t.Text); ok && slices.ContainsFunc(mf.Targets, func(name string) bool {
			ok, _ := path.Match(pattern, name)
			return ok
		}) {
			continue // "make verify-*", "make cli-...": a family of targets, and some exist
		}
		names := slices.Clone(mf.Targets)
		// One typo from a target the Makefile names outright, the name
		// misspells it: a target whose name docscheck cannot work out
		// (any name) is no evidence it is that misspelling.
		misspelling := misspelt(t.Text, c.nearest(t.Text, mf.Targets))
		if slices.ContainsFunc(mf.Targets, func(name string) bool {
			if !strings.Contains(name, "$") {
				return false
			}
			if computed, ok := c.opts.Repo.TargetNames(mf, name); ok {
				// $(TESTS) where TESTS := $(notdir $(wildcard
				// test/test-*)): the names the tree gives it.
				names = append(names, computed...)
				return slices.Contains(computed, t.Text)
			}
			if misspelling {
				return mf.MayNameKnowingly(name, t.Text)
			}
			return mf.MayName(name, t.Text)
		}) {
			continue // "bin/gh$(EXE)" is bin/gh where EXE is empty
		}
		near := c.nearest(t.Text, names)
		hint := ""
		if near != "" {
			hint = "`make " + near + "`"
		}
		reason := ""
		switch {
		case near == "" && isPlaceholderTarget(t.Text):
			// "make sometarget", "make foo": a target of the reader's
			// choosing, in an example of how to call make.
			reason = reasonPlaceholder
		case mf.Unread != "" && (near == "" || strings.Contains(strings.ToLower(near), strings.ToLower(t.Text))):
			// An include docscheck cannot read may define it: a
			// misspelling of a target ("lnit" for lint) it would hardly
			// define, but a plain name ("clean", beside clean-all) it
			// may.
			reason = reasonMakeInclude
		case !placed && c.meantElsewhere(r, t.Text, mf.Path):
			// Nothing on the command line or in its block puts the
			// reader beside this Makefile, and another Makefile the
			// page may mean has the target: the prose may send the
			// reader there ("from the `sub` folder, run make test").
			reason = reasonMakeElsewhere
		}
		r.missWord(t, at, reason, ruleMake, hint, "make target %q is not defined in %s", t.Text, mf.Path)
	}
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

var variableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

func isVariable(s string) bool { return variableName.MatchString(s) }

// checkChdir: a cd into a folder of the repository that is not there is a
// broken step; so is a cd into a file. A folder the page does not explain
// at all (made by a tool docscheck does not know, such as a project
// generator) is not judged, and neither are the commands after it.
func (c *Checker) checkChdir(r *report, call command.Call, dirs []string, at locate) {
	args := call.Args()
	for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") && args[0].Text != "-" {
		args = args[1:]
	}
	if len(args) == 0 || call.Program() == "popd" {
		return
	}
	target := args[0]
	var missing []string
	notFolder := false
	for _, d := range dirs {
		p, ok := localPath(d, target)
		if !ok {
			return
		}
		switch k, made := c.stat(r, p); {
		case made || k == repo.Dir:
			return
		case k == repo.File:
			notFolder = true
		default:
			missing = append(missing, p)
		}
	}
	if notFolder {
		r.addWord(target, at, ruleScript, "", "cd %s: not a folder", target.Text)
		return
	}
	// Certain from one folder is certain: the reader is in one of them.
	var reason string
	var hint string
	for i, p := range missing {
		h := c.nearbyName(p)
		if c.opts.Repo.Stat(h) != repo.Dir {
			// A cd goes into a folder: a file by a near name
			// (TShock.sln for "cd TShock") is no misspelt folder, and
			// the folder may be one the reader made (a clone's).
			h = ""
		}
		why := c.missingPath(target.Text, p, h)
		if why == "" && c.aboveCheckout(r, target.Text, p) {
			why = reasonOtherStart
		}
		if i == 0 || why == "" && reason != "" {
			reason, hint = why, shellPath(target.Text, path.Dir(p), h)
		}
	}
	r.missWord(target, at, reason, ruleScript, hint, "cd %s: no such folder", target.Text)
}

// configureWrites reports whether a folder holds an automake or autoconf
// template of its Makefile (Makefile.am, Makefile.in), from which a
// configure script writes the Makefile make then runs.
func (c *Checker) configureWrites(dir string) bool {
	return c.opts.Repo.Stat(path.Join(dir, "Makefile.am")) == repo.File || c.opts.Repo.Stat(path.Join(dir, "Makefile.in")) == repo.File
}

// generatedFolders are the folders build tools write and repositories do
// not commit. A path mentioned below one ("Default: `./.vitepress/dist`")
// names a build output, not a file of the repository.
var generatedFolders = map[string]bool{
	"dist": true, "build": true, "out": true, "target": true, "cache": true, ".cache": true,
	"node_modules": true, "coverage": true, "bin": true, "tmp": true, ".venv": true, "venv": true,
	"__pycache__": true, ".next": true, ".nuxt": true, ".output": true, "site": true, ".docusaurus": true,
}

// isGenerated reports whether a missing path is a build or run-time
// output: the first part of it that is not in the repository is a
// generated folder or a hidden name (".task", ".env").
func (c *Checker) isGenerated(p string) bool {
	parts := strings.Split(p, "/")
	for i := range parts {
		if c.opts.Repo.Stat(strings.Join(parts[:i+1], "/")) != repo.Missing {
			continue
		}
		return generatedFolders[parts[i]] || strings.HasPrefix(parts[i], ".")
	}
	return false
}

// archiveFolders are the folder names that say their pages are kept for
// the record, not kept up to date.
var archiveFolders = map[string]bool{"archive": true, "archived": true, "archives": true}

// releaseFolders hold one page per release (release notes, what's new,
// a changelog split by version): each records the tree of its release.
var releaseFolders = map[string]bool{"history": true, "releasenotes": true, "release-notes": true, "release_notes": true,
	"changelog": true, "changelogs": true, "whatsnew": true, "whats-new": true, "whats_new": true}

// releasePage is a page named for one release (3.5.rst, v2.1.0.md,
// whatsnew-2.5.rst, release-1.2.md).
var releasePage = regexp.MustCompile(`(?i)^(?:v|version[-_]?|release[-_]?|whats-?new[-_]?)?[0-9]+(?:\.[0-9]+)+(?:[-._a-z0-9]*)$`)

// isHistory: a changelog records what was true when each entry was
// written ("Added `./runtests`" in 2016); its commands are history, not
// instructions, so they are not judged. Its links still are.
func isHistory(page string) bool {
	for _, dir := range strings.Split(path.Dir(page), "/") {
		if archiveFolders[strings.ToLower(dir)] || releaseFolders[strings.ToLower(dir)] || releasePage.MatchString(dir) {
			// Pages kept as they were written (docs/archive/, an
			// archived plan), the notes of past releases and the docs
			// kept for one release (versions/v7.1.1/,
			// versioned_docs/version-2.0/): their commands describe
			// that release's tree.
			return true
		}
	}
	if name := path.Base(page); releasePage.MatchString(strings.TrimSuffix(name, path.Ext(name))) {
		return true // the notes of one release
	}
	base := strings.ToUpper(path.Base(page))
	for _, prefix := range []string{"CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASE-NOTES", "RELEASE_NOTES", "RELEASENOTES"} {
		if strings.HasPrefix(base, prefix) {
			return true
		}
	}
	return false
}

// versionHeading is a heading that names a release: "v3.7.3",
// "[2.1.0] - 2020-01-02", "Version 1.2", "1.0.0 (2019)".
var versionHeading = regexp.MustCompile(`^\[?(?:v|version |release )?\d+\.\d+`)

// isVersionHeading is versionHeading's match of the lower-cased text,
// without lower-casing and matching a heading whose first byte is ASCII
// and cannot start one (most headings): a page's every heading asks.
func isVersionHeading(text string) bool {
	if text != "" && text[0] < utf8.RuneSelf {
		switch b := text[0] | 0x20; {
		case text[0] == '[', b == 'v', b == 'r', '0' <= text[0] && text[0] <= '9':
		default:
			return false
		}
	}
	return versionHeading.MatchString(strings.ToLower(text))
}

// sectionNumber is the number a numbered section's heading opens with,
// then its title: "4. Architecture", "4.3 The library build" (1: "4",
// "4.3").
var sectionNumber = regexp.MustCompile(`^(\d+(?:\.\d+)*)\.? +\pL`)

// numberedUnder reports whether a heading's text is numbered as a
// subsection of the nearest heading above it (the last non-empty of
// above, by level): its number is that heading's number and one part
// more, and both go on with a title ("4.3 Build" under "4. Architecture",
// "4.3.1 Names" under "4.3 Build"). A release's heading is not numbered
// under a numbered title ("1.2.0" under "1.x", "v1.2" under "Version 1").
func numberedUnder(text string, above []string) bool {
	parent := ""
	for i := len(above) - 1; i >= 0 && parent == ""; i-- {
		parent = above[i]
	}
	own, up := sectionNumber.FindStringSubmatch(text), sectionNumber.FindStringSubmatch(parent)
	if own == nil || up == nil {
		return false
	}
	last := strings.LastIndexByte(own[1], '.')
	return last > 0 && own[1][:last] == up[1]
}

// datedHeading is a heading that opens with a date, as a log's entries
// do ("[2025-04-17] Added ...", "2024/01/31 — ...").
var datedHeading = regexp.MustCompile(`^\[?\d{4}[-/.]\d{2}[-/.]\d{2}\b`)

// isReleaseLog: a page whose headings of one level are mostly releases
// or dated entries (at least three, and most of that level) is release
// notes or a log whatever its file name, and its commands are history as
// in a changelog: what was run and made then, not what a reader runs now.
//
// A heading numbered as a section of the one above it is no release:
// "### 4.3 The library build" under "## 4. Architecture" (a design note's
// numbering) is the third part of section 4, whatever its digits look like.
func isReleaseLog(p *page) bool {
	var versions, all [7]int
	sections := releaseSections()
	for _, h := range p.headings {
		all[h.level]++
		if sections.enter(h.level, h.text) {
			versions[h.level]++
		}
	}
	for level := range versions {
		if versions[level] >= 3 && versions[level]*2 > all[level] {
			return true
		}
	}
	return false
}

// headingTrail follows the headings above a point of a page, to say
// whether one of them is of a kind (marks says, from the heading's text
// and the texts of the headings above it).
type headingTrail struct {
	marks  func(text string, above []string) bool
	above  [7]string // the latest heading's text of each level
	marked [7]bool   // whether that heading is of the kind
}

// enter records a heading of the page, in page order, and reports whether
// it is of the kind.
func (t *headingTrail) enter(level int, text string) bool {
	level = min(max(level, 1), len(t.above)-1)
	t.above[level] = text
	for deeper := level + 1; deeper < len(t.above); deeper++ {
		t.above[deeper], t.marked[deeper] = "", false
	}
	t.marked[level] = t.marks(text, t.above[:level])
	return t.marked[level]
}

// within reports whether a heading above the point is of the kind.
func (t *headingTrail) within() bool { return slices.Contains(t.marked[:], true) }

// releaseSections follows the headings that name a release or a dated
// entry (see isReleaseLog).
func releaseSections() headingTrail { return headingTrail{marks: namesRelease} }

// namesRelease: a heading that names a release or a dated entry, not one
// numbered as a section of a heading above it.
func namesRelease(text string, above []string) bool {
	return isVersionHeading(text) && !numberedUnder(text, above) || datedHeading.MatchString(text)
}

// outdatedSections follows the headings that call their section's way
// of working a past one (namesOutdated).
func outdatedSections() headingTrail {
	return headingTrail{marks: func(text string, _ []string) bool { return namesOutdated(text) }}
}

// outdatedWords open a heading whose section shows how things were done
// before ("Old workflow:", "Previous setup"): what a reader ran then, not
// what the page has them run now. "Legacy" and "Deprecated" are not among
// them: they name a thing of the past that the section's instructions
// still handle ("Legacy redirect stubs", "Deprecated options").
var outdatedWords = map[string]bool{
	"old": true, "previous": true, "previously": true, "former": true, "formerly": true,
	"obsolete": true, "outdated": true,
}

// namesOutdated reports whether a heading's first word is an outdated word.
func namesOutdated(text string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	return outdatedWords[strings.ToLower(strings.TrimRight(first, ":,.)"))]
}

// isPlaceholder: "make semconv-generate ..." shows where more goes.
// isPlaceholderTarget reports whether a make target stands for one the
// reader picks: a placeholder name (isPlaceholderName: foo, my-app,
// TARGET) or "some" run together with a noun (sometarget, somefile).
func isPlaceholderTarget(t string) bool {
	if isPlaceholderName(t) || isPlaceholderIdent(t) {
		return true
	}
	rest, ok := strings.CutPrefix(strings.ToLower(t), "some")
	return ok && len(rest) >= 3 && strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz") == ""
}

// targetFamily reads a name that stands for a family of names as a glob:
// one with glob characters ("verify-*"), or a prefix and an ellipsis
// ("cli-...", "cli-…": the names it abbreviates).
func targetFamily(name string) (string, bool) {
	for _, ellipsis := range []string{"...", "…"} {
		if prefix, ok := strings.CutSuffix(name, ellipsis); ok && prefix != "" && !strings.ContainsAny(prefix, "*?[") {
			return prefix + "*", true
		}
	}
	return name, strings.ContainsAny(name, "*?[")
}

func isPlaceholder(word string) bool {
	return word == "..." || word == "…" || strings.HasPrefix(word, "<") && strings.HasSuffix(word, ">")
}

// typoOfMade reports whether p is one typo away from a file a command on
// the page made in the same folder ("go build -o widget", then
// "./widgte").
func (c *Checker) typoOfMade(r *report, p string) bool {
	dir, base := path.Split(p)
	var made []string
	for q := range r.session.created {
		if path.Dir(q)+"/" == dir || dir == "" && path.Dir(q) == "." {
			made = append(made, path.Base(q))
		}
	}
	slices.Sort(made)
	return slices.ContainsFunc(made, func(m string) bool { return oneTypo(base, m) })
}
