package check

import (
	"bytes"
	"cmp"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// session is what a reader following a page in a terminal knows at a given
// point of it: which folder they are in and which files the commands above
// have made. Each page starts a session; its code blocks and inline
// commands run in it, in page order.
type session struct {
	// dirs are the folders the reader may be in, repository-relative: at
	// first the root and the page's own folder (a README in examples/x/ is
	// usually followed from there). nil means unknown (a cd to $HOME, to an
	// absolute path, to a folder nothing explains): nothing is judged until
	// the page is left.
	dirs []string
	// otherClones are the folders git clones of other repositories made
	// (a subset of created).
	otherClones map[string]bool
	// level is the level of the heading the current section starts with
	// (0 before the first); movedAt is the level of the section whose
	// commands last moved the reader into a clone of another repository
	// (0 when they have not).
	level, movedAt int
	// open are the headings the current section lies under, outermost
	// first, each with the folders its own text left the reader in
	// before its first subsection.
	open []openHeading
	// created holds paths that commands on the page made (files and
	// folders). What is inside a created folder is unknowable.
	created map[string]bool
	// executable holds files a chmod on the page made executable.
	executable map[string]bool
	// binaries are the created paths known to be files (the program go
	// build names after its package): nothing lies below them.
	binaries map[string]bool
	// unnamedBinaries are the folders where go build wrote a program
	// whose name the tree does not give: no go.mod says the module's, so
	// it is the reader's folder's name (a checkout of another project).
	unnamedBinaries map[string]bool
	// extracted holds folders into which an archive was unpacked: any path
	// below them may exist.
	extracted map[string]bool
	// unpackedHere maps a folder an archive was unpacked into, where it
	// lay, to the archive's name without its suffix (archiveStem); ""
	// when more than one was, or one whose name is not known
	// (narrowUnpacked).
	unpackedHere map[string]string
	// ownArchives maps a file the page downloaded from this repository's
	// archive address to the folder it unpacks to (recordOwnArchive).
	ownArchives map[string]string
	// downloads are file names the page links to on the web ("download
	// [get-pip.py](https://...)"): the reader has them where they stand.
	downloads map[string]bool
	// start are the folders the page's commands start in.
	start []string
	// readersProject is set once the page has the reader create a project
	// of their own (npm init, a package.json with scripts to write): the
	// manifests the commands after it use are the reader's.
	readersProject bool
	// clones are folders a git clone of this very repository made (a
	// fork, or a checkout under another name): a cd into one is a cd to
	// the root.
	clones map[string]bool
	// placed is set while a call is judged that a cd of its own code
	// block (or inline command) moved, into a folder of the repository or
	// a clone of it: the block itself says where the reader stands.
	placed bool
	// elsewhere is the reason the page's reader does not stand in this
	// repository (reasonUsersPage), or "" (stand.go).
	elsewhere string
	// inClone is set once a cd on the page moved the reader into a clone
	// of this repository: from there on, they stand in it (stand.go).
	inClone bool
	// atOwnRoot is set, until the section ends, once prose names this
	// repository's root as where the reader runs the next block ("in
	// the root directory of jsPsych", followProseMoves).
	atOwnRoot bool
	// rootPinned is set, until the section ends, once prose says the
	// reader runs what follows from the repository's root ("from the
	// root of the repository", followProseMoves): a make there runs the
	// root's Makefile, whatever other folder the page names.
	rootPinned bool
	// checkoutPinned is set with rootPinned when the prose names the
	// root of a repository, checkout or clone ("from the root of the
	// repository") on a page github.com shows at the root or under
	// .github: the reader holds this repository's checkout there.
	checkoutPinned bool
	// leadInRead is the block whose lead-in prose followProseMoves last
	// read.
	leadInRead ast.Node
	// ranWriter is set once the page ran a command that may write files
	// where the reader stands (anything but a cd, git and a few that only
	// read or print): a build (make, ninja, gcc -o x, v run.v) leaves
	// programs the tree does not hold.
	ranWriter bool
	// ranLost holds the bare names (no folder) in commands the page ran
	// where the reader's folder was lost (judgeLost): a file such a
	// command ran is in that folder, and the page may name it again from
	// there. (A path with folders is judged by its folders as before.)
	ranLost map[string]bool
	// windowsMoved is set once a Windows shell's block on the page moved
	// the reader (cd, Set-Location), which the session does not follow:
	// a Windows program path after it is not judged (windows.go).
	windowsMoved bool
	// sourceFolder is the page's own folder when a docs site builds the
	// page (sitePageFolder), else "": a start folder that clears a
	// command but cannot condemn one.
	sourceFolder string
}

// mayWriteFiles reports whether call may write files where the reader
// stands: it is no cd and runs no readOnlyPrograms.
func mayWriteFiles(call command.Call) bool {
	return !call.IsChdir() && !readOnlyPrograms[path.Base(call.Program())]
}

// readOnlyPrograms are programs that write no file where the reader
// stands (git's clone is the clone itself, which the session follows).
var readOnlyPrograms = map[string]bool{
	"git": true, "ls": true, "cat": true, "echo": true, "printf": true, "pwd": true,
	"export": true, "set": true, "unset": true, "source": true, ".": true, "which": true,
	"type": true, "command": true, "tree": true, "head": true, "tail": true, "less": true,
	"more": true, "grep": true, "find": true, "alias": true,
}

func newSession(pagePath string) *session {
	s := &session{dirs: []string{"."}, created: map[string]bool{}, extracted: map[string]bool{}, unpackedHere: map[string]string{}, downloads: map[string]bool{}}
	if d := path.Dir(pagePath); d != "." && pagePath != "" {
		s.dirs = append(s.dirs, d)
	}
	s.start = slices.Clone(s.dirs)
	return s
}

// startDirs are the folders the page's commands start in.
func (s *session) startDirs() []string { return s.start }

// newSection is a heading of the given level: a section is the text
// under one heading, up to the next heading of any level. A cd of an
// earlier section does not carry over for certain (a reader may start a
// section afresh), so the commands of a new section are judged from the
// folders the page starts in as well as from where the earlier one left
// the reader, and are wrong only when wrong from all of them. That holds
// within the part of the page that encloses the section the cd was in:
// when the cd entered a clone of another repository, which is that
// part's business, a heading above that section's level ends the part
// ("## iOS app" after a "### Check out the code" that cloned and entered
// another repository), and the next section starts afresh from the
// page's start folders alone. (The reader's own project, which an
// earlier part had them make, may stay the subject of the page.) After a
// cd docscheck cannot follow (into the reader's own project, a folder a
// variable names) the rest of that section is not judged; the next
// section starts afresh too.
//
// Sections under one heading are often alternatives ("### Direct
// compilation", "### Docker compilation" under "## Compilation"): each
// starts where the text of the heading above them left the reader. So
// a section is also judged from the folders the reader stood in when the
// heading it lies under reached its first subsection.
func (s *session) newSection(level int) {
	s.level = level
	s.atOwnRoot = false
	s.rootPinned = false
	s.checkoutPinned = false
	if n := len(s.open); n > 0 && !s.open[n-1].introDone {
		s.open[n-1].intro, s.open[n-1].introDone = slices.Clone(s.dirs), true
	}
	for len(s.open) > 0 && s.open[len(s.open)-1].level >= level {
		s.open = s.open[:len(s.open)-1]
	}
	var parent []string
	if n := len(s.open); n > 0 {
		parent = s.open[n-1].intro
	}
	s.open = append(s.open, openHeading{level: level})
	dirs := slices.Clone(s.start)
	if s.dirs == nil || s.movedAt > level {
		s.movedAt = 0
	} else {
		dirs = appendNew(dirs, s.dirs)
	}
	s.dirs = appendNew(dirs, parent)
}

// openHeading is a heading whose section or subsections are being read:
// its level, and the folders its own text left the reader in when its
// first subsection began (introDone once known).
type openHeading struct {
	level     int
	intro     []string
	introDone bool
}

// appendNew appends the folders of more that dirs lacks.
func appendNew(dirs, more []string) []string {
	for _, d := range more {
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// contributeSection is a heading that addresses people working on this
// repository (isContributeHeading): its commands run in the checkout,
// where the page starts or in a folder of it an earlier section moved
// the reader to, not in a project of the reader's an earlier section
// made or moved them into.
func (c *Checker) contributeSection(r *report) {
	s := r.session
	s.readersProject = false
	if s.dirs == nil {
		return
	}
	dirs := slices.Clone(s.start)
	for _, d := range s.dirs {
		if k, made := c.stat(r, d); k == repo.Dir && !made && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	s.dirs = dirs
}

// isContributeHeading reports whether a heading's words hold one of
// contributeWords ("🤝 Contributing", "How to contribute"); not
// developmentWords, as a tutorial's "Development" section is the
// reader's own project's.
func isContributeHeading(text string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if contributeWords[w] {
			return true
		}
	}
	return false
}

// made reports whether p, or a folder above it, was made by a command on
// the page, or lies below a folder an archive was unpacked into.
func (s *session) made(p string) bool {
	p = path.Clean(p)
	if s.downloads[path.Base(p)] {
		return true
	}
	for q := p; ; q = path.Dir(q) {
		if s.createdHolds(q, p) {
			return true
		}
		if q != p && s.extracted[q] {
			return true
		}
		if q == "." || q == "/" || q == ".." {
			return false
		}
	}
}

// unpackedOnly reports whether p counts as made only because it lies
// below a folder an archive was unpacked into: no command on the page
// names it, and what the archive holds is not known.
func (s *session) unpackedOnly(p string) bool {
	p = path.Clean(p)
	if s.downloads[path.Base(p)] {
		return false
	}
	for q := p; q != "." && q != "/" && q != ".."; q = path.Dir(q) {
		if s.createdHolds(q, p) {
			return false
		}
	}
	return s.made(p)
}

// createdHolds reports whether q, p or a folder above it, was created by
// a command on the page and so holds p: a created folder holds anything
// below it, a created binary only itself.
func (s *session) createdHolds(q, p string) bool {
	return s.created[q] && (q == p || !s.binaries[q])
}

func (s *session) create(dir string, w command.Word) {
	if p, ok := localPath(dir, w); ok {
		s.created[p] = true
	}
}

// localPath is where a word names a file the repository could hold, or
// false for words that name nothing local: dynamic words, absolute and
// home paths, URLs, devices.
func localPath(dir string, w command.Word) (string, bool) {
	t := w.Text
	if w.Dynamic() || t == "" || t == "-" || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~") || isURL(t) {
		return "", false
	}
	p := joinPath(dir, t)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// isURL: a word with a scheme (https://, git@host:) is never a file.
func isURL(s string) bool {
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], "/.") {
		return true
	}
	return strings.HasPrefix(s, "git@")
}

// stat is Repo.Stat seen from the session: a path a command on the page
// made exists (made is true, and its kind is File unless it is known as a
// folder).
func (c *Checker) stat(r *report, p string) (kind repo.Kind, made bool) {
	if k := c.opts.Repo.Stat(p); k != repo.Missing {
		return k, false
	}
	if r.session != nil && r.session.made(p) {
		return repo.File, true
	}
	return repo.Missing, false
}

// runScript judges the calls of one code block or inline command in the
// page's session and then moves the session on: files the calls make and
// the folder they end in are there for what comes after.
func (c *Checker) runScript(r *report, script command.Script, at locate, judge func(*report, command.Call)) {
	s := r.session
	defer s.noteMove(slices.Clone(s.dirs))
	cloneAt := ""  // after a cd into the reader's clone of this repository: the folder of it reached
	cloneDir := "" // a folder a clone of this repository made, as the block's cds reach it
	// dirs is reused by every call: nothing keeps it.
	var dirs []string
	var echoed []string // the names the last command prints (printsNames)
	for i, call := range script.Calls {
		if len(call.Words) == 1 && slices.Contains(echoed, call.Words[0].Text) {
			// "tar xvzf b.tar.gz etc/passwd etc/group", then
			// "etc/passwd" alone: the names a verbose command prints,
			// its output, not a command.
			continue
		}
		echoed = printsNames(call)
		if i > 0 && mayWriteFiles(script.Calls[i-1]) {
			s.ranWriter = true
		}
		if cloneDir != "" && (call.Dir == cloneDir || strings.HasPrefix(call.Dir, cloneDir+"/")) {
			// In this repository's clone: judged from the root.
			call.Dir = strings.TrimPrefix(strings.TrimPrefix(call.Dir, cloneDir), "/")
			if call.Dir == "" {
				call.Dir = "."
			}
			s.inClone = true
			if live := c.knowableDirs(r, []string{call.Dir}); live != nil && !call.IsChdir() {
				s.placed = true
				c.judgeInDirs(r, call, live, at, judge)
			}
			continue
		}
		if call.IsChdir() {
			cloneAt = c.cloneFolder(call, s)
			if cloneAt != "" {
				s.inClone = true
				continue
			}
			if d := s.intoClone(call); d != "" {
				s.inClone = true
				if call.Args()[0].Dynamic() {
					// Named with a variable, the clone's folder is not a
					// path the calls after the cd carry (their folder is
					// unknown): they run at its root, as after a cd to
					// an absolute path (cloneFolder).
					cloneAt = "."
					continue
				}
				cloneDir = d
				continue
			}
			if d := c.intoNamedClone(call, s); d != "" {
				cloneDir = d
				s.inClone = true
				continue
			}
		}
		if cloneAt != "" && call.Dir == "" {
			if live := c.knowableDirs(r, []string{cloneAt}); live != nil {
				s.placed = true
				c.judgeInDirs(r, call, live, at, judge)
			}
			continue
		}
		if s.dirs == nil || call.Dir == "" {
			if !call.IsChdir() {
				r.unjudged(call.Program()) // after a cd docscheck cannot follow
				c.judgeLost(r, call, at, judge)
			}
			continue
		}
		dirs = dirs[:0]
		for _, d := range s.dirs {
			dirs = append(dirs, joinPath(d, call.Dir))
		}
		if call.IsChdir() {
			// A cd from a folder the tree lacks (after "cd alpine", a
			// clone of another repository) goes where nobody knows.
			if live := c.knowableDirs(r, dirs); live != nil {
				c.checkChdir(r, call, live, at)
			}
		} else if live := c.knowableDirs(r, dirs); live != nil {
			s.placed = call.Dir != "."
			c.judgeInDirs(r, call, live, at, judge)
		} else {
			r.unjudged(call.Program()) // run where the page's files are unknowable
		}
		for _, d := range dirs {
			c.recordOutputs(r, call, d)
		}
		if readersProjectCommand(call) {
			s.readersProject = true
		}
	}
	if n := len(script.Calls); n > 0 && mayWriteFiles(script.Calls[n-1]) {
		s.ranWriter = true
	}
	if cloneAt != "" {
		s.dirs = []string{cloneAt}
		return
	}
	if cloneDir != "" && (script.EndDir == cloneDir || strings.HasPrefix(script.EndDir, cloneDir+"/")) {
		s.dirs = []string{path.Clean("./" + strings.TrimPrefix(script.EndDir, cloneDir))}
		return
	}
	if s.dirs == nil {
		return
	}
	if script.EndDir == "" {
		s.dirs = nil
		return
	}
	if c.dirsStay(r, script.EndDir) {
		return // most blocks end where they start: no copy of the folders
	}
	var next []string
	for _, d := range s.dirs {
		d = joinPath(d, script.EndDir)
		if d == ".." || strings.HasPrefix(d, "../") {
			continue
		}
		if k, _ := c.stat(r, d); k != repo.Missing && !slices.Contains(next, d) {
			next = append(next, d)
		}
	}
	if alt := c.cloneReading(script.EndDir); alt != "" && slices.Contains(s.dirs, ".") && !slices.Contains(next, alt) && c.opts.Repo.Stat(alt) == repo.Dir {
		// "cd aiohttp" in aiohttp, whose package folder is aiohttp/:
		// the reader may as well have entered their clone, at its root
		// (first: what is wrong from there is told as such).
		next = append([]string{alt}, next...)
	}
	s.dirs = next
	if len(next) == 0 {
		s.dirs = nil
	}
}

// cloneReading is where a block that ends in folder end, reached from
// the root by a path whose first part is this repository's name, leaves
// a reader who entered their clone of it by that cd ("cd aiohttp" then
// "make install-dev"): the rest of the path, from the root. "" when the
// path's first part is no such name. The tree may hold a folder of that
// name too (a package named as its project): then both are places the
// reader may be.
func (c *Checker) cloneReading(end string) string {
	end = path.Clean(end)
	first, rest, _ := strings.Cut(end, "/")
	if first == "." || first == ".." || isOutsidePath(end) || !c.isThisRepository(first) {
		return ""
	}
	return cmp.Or(rest, ".")
}

// noteMove records the section level at which a script moved the reader
// from the folders before it into a clone of another repository.
func (s *session) noteMove(before []string) {
	if !slices.Equal(before, s.dirs) && slices.ContainsFunc(s.dirs, func(d string) bool {
		for clone := range s.otherClones {
			if under(d, clone) {
				return true
			}
		}
		return false
	}) {
		s.movedAt = s.level
	}
}

// dirsStay reports whether a block ending in endDir leaves the session in
// each of its folders, each once and each there: the folders runScript
// would then list afresh are the session's own, in their order.
func (c *Checker) dirsStay(r *report, endDir string) bool {
	dirs := r.session.dirs
	for i, d := range dirs {
		if joinPath(d, endDir) != d || d == ".." || strings.HasPrefix(d, "../") || slices.Contains(dirs[:i], d) {
			return false
		}
		if k, _ := c.stat(r, d); k == repo.Missing {
			return false
		}
	}
	return true
}

// intoClone returns the folder, relative to where the block starts, of
// the clone of this repository on the page that a cd moves into, at its
// root or below it (cd name/sub, from the folder that holds the clone);
// "" otherwise. A folder named with a variable is the clone when the
// clone was made under the very same word.
func (s *session) intoClone(call command.Call) string {
	args := call.Args()
	if call.Dir == "" || len(s.clones) == 0 || len(args) != 1 {
		return ""
	}
	target := path.Join(call.Dir, args[0].Text)
	if args[0].Dynamic() {
		target = path.Join(call.Dir, args[0].Source)
	}
	for _, d := range s.dirs {
		for t := target; t != "." && t != "/" && t != ".."; t = path.Dir(t) {
			if s.clones[path.Join(d, t)] {
				return t
			}
		}
	}
	return ""
}

// intoNamedClone: a cd into a folder named as this repository
// (isThisRepository), which is not in the tree where the reader stands,
// goes into the reader's clone of it, made before the page begins ("cd
// ./FreshRSS/" on a page of FreshRSS that clones nothing): a clone is named
// after its repository, as in checkBarePath. It returns that folder, as
// intoClone does.
func (c *Checker) intoNamedClone(call command.Call, s *session) string {
	args := call.Args()
	if call.Program() != "cd" || call.Dir != "." || len(args) != 1 || args[0].Dynamic() || s.dirs == nil {
		return ""
	}
	first, _, _ := strings.Cut(path.Clean(args[0].Text), "/")
	if first == "." || first == ".." || !c.isThisRepository(first) {
		return ""
	}
	for _, d := range s.dirs {
		if c.opts.Repo.Stat(joinPath(d, first)) != repo.Missing {
			return ""
		}
	}
	return first
}

// cloneFolder is the folder of the reader's clone of this repository
// ("." for its root) that a cd to an absolute, home or variable path
// moves into, or "" when it names no such folder. The root: when the page
// cloned this repository to that very path ("git clone URL ~/x", then "cd
// ~/x"); when the path is a folder right under the home folder named as a
// clone the page made where the reader stood, or as this repository ("git
// clone URL", "cd x", and in a later section "cd ~/x": a terminal opens
// in the home folder, where the reader cloned); or when the path ends with
// this repository's Go module path ("cd $HOME/go/src/github.com/x/y").
// A folder of the clone: when a part of the path is named as this
// repository and the rest of the path after it is a folder of the tree
// ("cd /path/to/widget/docs", "cd $WORK/widget/src/app" on a page of
// widget), where the path's start is the reader's to choose
// (readerChosen): the reader's clone is named after its repository, as
// in intoNamedClone, and it holds that folder. A path that ends with the
// name is no such evidence: a virtualenv or an install is named after
// the project as often as a clone. The first such part is the
// clone, as a path names the clone before the folders inside it ("cd
// ~/widget/widget" is the package folder of a clone at ~/widget).
func (c *Checker) cloneFolder(call command.Call, s *session) string {
	args := call.Args()
	if call.Program() != "cd" || len(args) != 1 {
		return ""
	}
	t := strings.TrimSuffix(args[0].Text, "/")
	if !args[0].Dynamic() && isOutsidePath(t) && s.clones[path.Clean(t)] {
		return "."
	}
	if name, ok := strings.CutPrefix(t, "~/"); ok && !args[0].Dynamic() && name != "" && !strings.Contains(name, "/") &&
		(s.clones[name] || c.isThisRepository(name)) {
		return "."
	}
	module := c.opts.Repo.ModulePath()
	if strings.Contains(module, "/") && strings.HasSuffix(t, "/"+module) && (isOutsidePath(t) || strings.HasPrefix(t, command.Unknown)) {
		return "."
	}
	if !isOutsidePath(t) && !strings.HasPrefix(t, command.Unknown) {
		return ""
	}
	parts := strings.Split(path.Clean(t), "/")
	for i, part := range parts {
		if i == 0 || strings.Contains(part, command.Unknown) || !c.isThisRepository(part) || !readerChosen(parts[:i]) {
			continue
		}
		rest := strings.Join(parts[i+1:], "/")
		if rest == "" || strings.Contains(rest, command.Unknown) {
			// A folder named as the repository alone may be anything
			// of the reader's ("cd /path/to/venv/widget", a virtualenv):
			// only a path on into a folder the tree has is its clone.
			return ""
		}
		if c.opts.Repo.Stat(rest) == repo.Dir {
			return rest
		}
	}
	return ""
}

// readerChosen reports whether the parts of a path up to a folder named
// as this repository place it where the reader chose to put it: under
// their home folder (~), a variable's folder ($WORK), or a placeholder
// ("/path/to/", "/home/<user>/"). A system path (/usr/share/widget/,
// /opt/widget/) is where an install of the project goes, laid out as
// the install makes it, not as the tree is.
func readerChosen(parts []string) bool {
	if len(parts) > 0 && (strings.HasPrefix(parts[0], "~") || strings.Contains(parts[0], command.Unknown)) {
		return true
	}
	for i, part := range parts {
		if isPlaceholderName(part) || strings.EqualFold(part, "path") && i+1 < len(parts) && strings.EqualFold(parts[i+1], "to") {
			return true
		}
	}
	return false
}

// isOutsidePath: an absolute or home path, which names no folder of the
// tree wherever the reader stands.
func isOutsidePath(t string) bool {
	return strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~")
}

// inOwnClone reports whether dir lies in a folder a git clone of this
// very repository made on the page, and dir's path from that clone's
// root ("." for the root itself).
func (s *session) inOwnClone(dir string) (string, bool) {
	inner := ""
	for clone := range s.clones {
		// The innermost clone that holds dir, whatever the map's order.
		if rest, ok := strings.CutPrefix(dir, clone); ok && (rest == "" || rest[0] == '/') && len(clone) > len(inner) {
			inner = clone
		}
	}
	if inner == "" {
		return "", false
	}
	return cmp.Or(strings.TrimPrefix(strings.TrimPrefix(dir, inner), "/"), "."), true
}

// addClone notes a folder a git clone of this very repository made.
func (s *session) addClone(folder string) {
	if s.clones == nil {
		s.clones = map[string]bool{}
	}
	s.clones[folder] = true
}

// knowableDirs keeps the folders that are in the repository. It returns
// nil when none is, or when one of them is a folder the page made (a
// clone, an unpacked archive): what is in there is unknowable, so commands
// run from it are not judged. The result may be dirs itself: read only.
func (c *Checker) knowableDirs(r *report, dirs []string) []string {
	var live []string
	for i, d := range dirs {
		switch k, made := c.stat(r, d); {
		case made:
			return nil
		case k == repo.Dir:
			if live != nil {
				live = append(live, d)
			}
		case live == nil:
			// The first folder that is not there: from here on the
			// folders kept are copied (while all are, dirs itself is
			// returned, with no copy).
			live = append(make([]string, 0, len(dirs)), dirs[:i]...)
		}
	}
	if live == nil && len(dirs) > 0 {
		return dirs
	}
	if len(live) == 0 {
		return nil
	}
	return live
}

// startsElsewhere reports whether folder rel, which the command names
// (make -C rel) and the tree lacks below from, is a folder of the tree
// below another folder the reader may be in: there the command finds it,
// so that folder, not from, is where the page has the reader stand.
func (c *Checker) startsElsewhere(r *report, from, rel string) bool {
	for _, d := range r.session.dirs {
		if d != from && c.opts.Repo.Stat(joinPath(d, rel)) == repo.Dir {
			return true
		}
	}
	return false
}

// printsNames is the arguments of a command that prints each name it
// handles, bare, as it goes (tar with v among its mode letters, rsync
// with -v or --verbose; cp -v and the like print "'a' -> 'b'", never a
// bare name): the lines after it that are one of them alone are its
// output.
func printsNames(call command.Call) []string {
	args := call.Args()
	verbose := false
	switch path.Base(call.Program()) {
	case "tar", "bsdtar", "gtar":
		verbose = len(args) > 0 && !strings.HasPrefix(args[0].Text, "--") && strings.Contains(args[0].Text, "v") // xvzf, -xvf
	case "rsync":
	default:
		return nil
	}
	var names []string
	for _, a := range args {
		switch {
		case a.Text == "--verbose" || strings.HasPrefix(a.Text, "-") && !strings.HasPrefix(a.Text, "--") && strings.Contains(a.Text, "v"):
			verbose = true
		case !strings.HasPrefix(a.Text, "-"):
			names = append(names, a.Text)
		}
	}
	if !verbose {
		return nil
	}
	return names
}

// judgeInDirs judges a call from each folder the reader may be in. Right
// from any folder, it is right. Otherwise the certain findings of the
// first folder that has some are reported; when no folder gives certain
// evidence, the cases not judged of the first folder are kept.
func (c *Checker) judgeInDirs(r *report, call command.Call, dirs []string, at locate, judge func(*report, command.Call)) {
	var certain, doubts []finding.Finding
	// One probe serves every folder: a call is judged from each folder
	// the reader may be in, and the docs hold thousands of calls.
	// The probe is the page's spare one when it is free (not in use by
	// a judgeInDirs further up this call): a page judges thousands of
	// calls, and a fresh probe for each was a twentieth of a run's
	// allocations.
	probe := r.spareProbe
	r.spareProbe = nil
	if probe == nil {
		probe = &report{page: r.page, session: r.session}
	}
	defer func() { r.spareProbe = probe }()
	var scratch map[string]int
	for i, d := range dirs {
		call.Dir = d
		probe.findings, probe.doubts, probe.checks = nil, nil, 0
		if i == 0 {
			// One call is one check (or one not checked), from however
			// many folders it was tried: the first folder's counts go
			// straight into the page's.
			probe.notChecked = r.notChecked
		} else {
			clear(scratch)
			probe.notChecked = scratch
		}
		judge(probe, call)
		if i == 0 {
			r.checks += probe.checks
			r.notChecked = probe.notChecked
		} else {
			scratch = probe.notChecked
		}
		if len(probe.findings) == 0 && len(probe.doubts) == 0 {
			return
		}
		// By length, not nil: a rule that demotes its finding leaves
		// an empty slice behind.
		if len(certain) == 0 && !r.session.condemnsNot(d) {
			certain = probe.findings
		}
		if len(doubts) == 0 {
			doubts = probe.doubts
		}
	}
	if len(certain) > 0 {
		for _, f := range certain {
			if r.session.readersProject && readersProjectRules[f.Rule] {
				f.NotCertain = reasonReadersProject
				r.doubts = append(r.doubts, f)
			} else {
				r.findings = append(r.findings, f)
			}
		}
		return
	}
	r.doubts = append(r.doubts, doubts...)
}

// condemnsNot reports whether folder d, where a call was judged, is the
// source folder of a page a docs site builds, reached as a start folder
// (no cd of the call's own block placed the reader there). The site's
// reader reads the page on the web and never stands in the folder its
// source sits in (docs/source/ of a Sphinx project): a command right from
// there is right, but one wrong only from there is not certainly wrong.
// `../firedrake-configure`, run inside a clone of another project after
// downloading the script beside it, is missing from docs/ but says
// nothing of this repository.
func (s *session) condemnsNot(d string) bool {
	return s.sourceFolder != "" && d == s.sourceFolder && !s.placed
}

// noteDownloads records the file names of the page's web links whose last
// path part is a file name with an extension (get-pip.py, tool.tar.gz). A
// link to a file of this repository as its code host shows it
// (github.com/OWNER/NAME/blob/REF/x.py, NAME this repository's: ours) is
// not a download: it names the repository's own file, which the reader has
// from the checkout.
func (s *session) noteDownloads(pg *page, ours func(name string) bool) {
	for _, n := range pg.linkNodes {
		var dest string
		switch n := n.(type) {
		case *ast.Link:
			if !bytes.Contains(n.Destination, []byte("://")) && !bytes.HasPrefix(n.Destination, []byte("git@")) {
				continue // not a URL (isURL), and not copied to a string
			}
			dest = destination(n.Destination)
		case *ast.AutoLink:
			dest = string(n.URL(pg.source))
		default:
			continue
		}
		if isURL(dest) {
			u, _, _ := strings.Cut(dest, "?")
			u, _, _ = strings.Cut(u, "#")
			if _, rest, ok := strings.Cut(u, "://"); ok && strings.Contains(rest, "/") {
				if parts := strings.Split(rest, "/"); len(parts) > 4 && parts[3] == "blob" && ours(strings.TrimSuffix(parts[2], ".git")) {
					continue
				}
				if name := path.Base(rest); strings.Contains(name, ".") && !strings.HasSuffix(name, ".html") && !strings.HasSuffix(name, ".md") {
					s.downloads[name] = true
				}
			}
		}
	}
}

// judgeLost judges a call made where the reader's folder is lost (after
// a cd docscheck cannot follow, or a block that ended in a folder the
// tree lacks) from the page's start folders, and keeps what it finds as
// not judged: a breakage there is one only if the reader is back where
// the page started, which nothing says (reasonFolderLost). The call stays
// counted as not checked; no finding is made.
func (c *Checker) judgeLost(r *report, call command.Call, at locate, judge func(*report, command.Call)) {
	s := r.session
	if len(s.start) == 0 || call.Dir != "" && call.Dir != "." {
		return // a cd of the block's own, to a folder it named: not the lost one
	}
	for _, w := range call.Words {
		if !w.Dynamic() && !strings.Contains(strings.TrimPrefix(w.Text, "./"), "/") {
			if s.ranLost == nil {
				s.ranLost = map[string]bool{}
			}
			s.ranLost[w.Text] = true
		}
	}
	lost := &report{page: r.page, session: s, notChecked: map[string]int{}}
	c.judgeInDirs(lost, call, s.start, at, judge)
	for _, f := range lost.findings {
		f.NotCertain = reasonFolderLost
		r.doubts = append(r.doubts, f)
	}
	r.doubts = append(r.doubts, lost.doubts...)
}
