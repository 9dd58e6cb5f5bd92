package check

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Which lines of a page are commands (docs/docscheck.md, "Commands"):
//   - a prompted line ("$ ") is a command, in a shell or transcript block
//     or in a block with no language; what follows it up to the next
//     prompt is output;
//   - in a shell or transcript block (console, shell-session, terminal)
//     without prompts, a line is a command when it parses as one: its
//     program is a plausible program name (not "PASS", "1:M", "===",
//     "└──" or a date);
//   - a block whose content parses as data (JSON, TOML, YAML, a drawn
//     tree, an HTTP exchange) holds no commands.

// plausibleProgram reports whether a word can name a program a reader
// runs. Output pasted into a shell block starts with words that cannot:
// test verdicts (PASS, FAIL), status lines (HTTP/1.1), rules (===), box
// drawing, dates and counters (2025/12/22, 1:M).
func plausibleProgram(name string) bool {
	if name == "" {
		return false
	}
	letters, upper := 0, 0
	// One pass over the runes: a switch rather than strings.ContainsAny,
	// whose set of box-drawing runes made it scan the set for every rune
	// of every command word.
	for _, r := range name {
		switch r {
		case ':', '=', '|', '<', '>', '{', '}', '(', ')', '│', '├', '└', '─', '═', '┌', '┐', '┘', '┬', '┴', '┼':
			return false // a drawing, a key, a redirection: not a program
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters == 0 || letters > 1 && upper == letters {
		return false
	}
	if name[0] >= '0' && name[0] <= '9' && strings.Contains(name, "/") {
		return false
	}
	return true
}

var (
	httpRequestLine = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE) \S+ HTTP/\d`)
	httpStatusLine  = regexp.MustCompile(`^HTTP/\d(\.\d)? \d{3}\b`)
	tomlSection     = regexp.MustCompile(`^\[\[?[\w.\-" ]+\]\]?$`)
	tomlKey         = regexp.MustCompile(`^[\w.\-"]+\s+=\s*\S|^[\w.\-"]+\s*=\s+\S`)
	yamlKey         = regexp.MustCompile(`^(- )?[\w.\-"']+:(\s|$)`)
	yamlItem        = regexp.MustCompile(`^- \S`)
)

// isData reports whether a code block's text is data rather than
// commands: JSON (or JSON lines), a drawn tree, an HTTP exchange, or
// TOML/YAML/INI where every line is a key, a section, a list item or a
// comment.
func isData(text string) bool {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return false
	}
	if strings.Contains(trimmed, "├──") || strings.Contains(trimmed, "└──") || strings.Contains(trimmed, "|-- ") || strings.Contains(trimmed, "`-- ") {
		return true
	}
	first, _, _ := strings.Cut(trimmed, "\n")
	first = strings.TrimSpace(first)
	if strings.Contains(first, "HTTP/") && (httpRequestLine.MatchString(first) || httpStatusLine.MatchString(first)) {
		return true
	}
	if (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid([]byte(trimmed)) {
		return true
	}
	keys, lines := 0, 0
	for _, line := range strings.Split(trimmed, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case !strings.ContainsAny(line[:1], "[{-\"") && !strings.Contains(line, " =") && !strings.Contains(line, "= ") &&
			!strings.Contains(line, ": ") && !strings.HasSuffix(line, ":"):
			// Not the shape of a key, a section, an item or JSON (a
			// shell assignment has no space around its "="): a command.
			return false
		case (line[0] == '{' || line[0] == '[') && json.Valid([]byte(line)):
			keys++ // a JSON line (a log record)
		case tomlSection.MatchString(line) && !strings.HasPrefix(line, "[ "):
		case tomlKey.MatchString(line), yamlKey.MatchString(line):
			keys++
		case yamlItem.MatchString(line):
		default:
			return false
		}
		lines++
	}
	return keys > 0 && lines > 0
}

// promptLen is the length of the shell prompt a line (without its
// indentation) starts with: "$ ", or "$> " as some guides write it, after
// the name of the virtual environment or conda environment a shell shows
// in parentheses when one is active ("(venv) $ ", "(base) $ ", or glued
// to the "$" as some shells' themes show it, "(__venv__)$ "); 0 when it
// starts with none.
func promptLen(t string) int {
	env := 0
	if strings.HasPrefix(t, "(") {
		end := strings.IndexByte(t, ')')
		if end < 2 || strings.TrimFunc(t[1:end], isEnvNameRune) != "" {
			return 0
		}
		env = end + 1
		if strings.HasPrefix(t[env:], " ") {
			env++
		}
	}
	switch rest := t[env:]; {
	case strings.HasPrefix(rest, "$ "):
		return env + 2
	case strings.HasPrefix(rest, "$> "):
		return env + 3
	}
	return 0
}

// isEnvNameRune: a rune of an environment's name as a prompt shows it.
func isEnvNameRune(r rune) bool {
	return r < utf8.RuneSelf && (isIdentByte(byte(r)) || r == '.' || r == '-')
}

// hasPrompt reports whether some line of a block starts with a prompt.
func hasPrompt(texts []string) bool {
	for _, t := range texts {
		if promptLen(strings.TrimLeft(t, " ")) > 0 {
			return true
		}
	}
	return false
}

// blockTexts are the lines of a code block, with their line ends.
func blockTexts(n ast.Node, src []byte) []string {
	lines := n.Lines()
	texts := make([]string, 0, lines.Len())
	if whole, start, ok := blockSpan(lines, src); ok {
		// One string for the block, each line a slice of it, rather
		// than a copy per line.
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			texts = append(texts, whole[seg.Start-start:seg.Stop-start])
		}
		return texts
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		texts = append(texts, string(seg.Value(src)))
	}
	return texts
}

// blockSpan is the source a block's lines cover, as one string, when each
// line is the source as it stands (no padding goldmark adds for a tab, no
// line end it adds at the end of the file) and follows the one before: then a line's text is a
// slice of it.
func blockSpan(lines *text.Segments, src []byte) (string, int, bool) {
	if lines.Len() == 0 {
		return "", 0, false
	}
	start, stop := lines.At(0).Start, 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if seg.Padding != 0 || seg.Start < stop || seg.Stop < seg.Start ||
			seg.ForceNewline && seg.Stop > seg.Start && src[seg.Stop-1] != '\n' {
			return "", 0, false
		}
		stop = seg.Stop
	}
	return string(src[start:stop]), start, true
}

// captions are the inline paths that name the file a code block below
// them holds ("Save this as `src/app.py`:", or a paragraph that is only
// the name). The reader makes that file from the snippet: it is there for
// the commands after it, and not judged itself.
func (c *Checker) noteCaptions(r *report, para ast.Node, skip map[ast.Node]bool) {
	next := para.NextSibling()
	if next == nil || next.Kind() != ast.KindFencedCodeBlock {
		return
	}
	src := r.page.source
	spans := 0
	_ = ast.Walk(para, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind() == ast.KindCodeSpan {
			spans++
		}
		return ast.WalkContinue, nil
	})
	if spans == 0 || spans > 1 && !endsWithColon(para.Lines(), src) {
		// No caption without a code span; with more than one, only a
		// paragraph ending in ":" may be one. Most paragraphs stop here,
		// before their text is copied.
		return
	}
	text := strings.TrimSpace(string(para.Lines().Value(src)))
	onlyName := spans == 1 && strings.Count(text, "`") == 2 && len(strings.Fields(strings.Trim(text, "*_:` "))) == 1
	if !strings.HasSuffix(text, ":") && !onlyName && !(spans == 1 && isMakeFileSentence(text)) {
		return
	}
	_ = ast.Walk(para, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Kind() != ast.KindCodeSpan {
			return ast.WalkContinue, nil
		}
		name := strings.TrimSpace(codeSpanText(n, src))
		if strings.ContainsAny(name, " \t") || !strings.ContainsAny(name, "./") {
			return ast.WalkSkipChildren, nil
		}
		skip[n] = true
		if strings.HasSuffix(name, "/") {
			// A folder ("move into `docs/` and run:") holds no snippet.
			return ast.WalkSkipChildren, nil
		}
		if runsName(blockTexts(next, src), name) {
			// "use the `launch.sh` script:" above a block that runs
			// ./launch.sh: the block is a command, not the file's text.
			return ast.WalkSkipChildren, nil
		}
		c.readerMakes(r, name)
		return ast.WalkSkipChildren, nil
	})
}

// readerMakes notes name, a file the prose has the reader make, as made
// from each folder the page's commands start in. A name the repository
// has as a folder, from any of those folders, names that folder ("the
// scripts live in `py/scripts`, run one:"): the reader makes no file of
// that name anywhere, and marking it made from another start folder
// would hide every path below it there.
func (c *Checker) readerMakes(r *report, name string) {
	starts := r.session.startDirs()
	for _, d := range starts {
		if p, ok := localPath(d, command.Word{Text: name}); ok && c.opts.Repo.Stat(p) == repo.Dir {
			return
		}
	}
	for _, d := range starts {
		if p, ok := localPath(d, command.Word{Text: name}); ok {
			r.session.created[p] = true
		}
	}
}

// makesFiles is a paragraph that has the reader make files and ends by
// introducing them: "To use the testing framework you have to implement
// two files in addition to the mocked data:".
var makesFiles = regexp.MustCompile(`(?is)\b(?:implement|create|write|add|provide|define)\b[^.:]{0,80}\bfiles?\b[^.]*:\s*$`)

// noteFilesToMake: the list right after a paragraph that has the reader
// make files (makesFiles) names them, each item by the path it opens
// with ("- “test/unit/conftest.py“ - code specific to each driver"):
// the reader makes those files, which are not judged. A list after a
// paragraph that only describes files ("The framework ships two
// files:") names files of the tree, judged as any.
func (c *Checker) noteFilesToMake(r *report, para ast.Node) {
	list, ok := para.NextSibling().(*ast.List)
	if !ok {
		return
	}
	src := r.page.source
	if !makesFiles.Match(bytes.TrimSpace(para.Lines().Value(src))) {
		return
	}
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		text := item.FirstChild()
		if text == nil {
			continue
		}
		span, ok := text.FirstChild().(*ast.CodeSpan)
		if !ok {
			continue // an item that does not open with the path
		}
		name := strings.TrimSpace(codeSpanText(span, src))
		if name == "" || strings.ContainsAny(name, " \t") || !strings.ContainsAny(name, "./") || strings.HasSuffix(name, "/") {
			continue
		}
		c.readerMakes(r, name)
	}
}

// fileMakingVerbs are the verbs that, opening a sentence, tell the reader
// to make or fill a file ("Define `train.py`.", "Create `app.py`.").
var fileMakingVerbs = map[string]bool{
	"create": true, "define": true, "write": true, "save": true, "add": true, "edit": true,
}

// isMakeFileSentence reports whether a paragraph is one short sentence
// (at most four words, ending in ".") that opens with a verb of making a
// file: above a code block, such a sentence captions it as the ":" of
// "Save this as `app.py`:" does.
func isMakeFileSentence(text string) bool {
	words := strings.Fields(strings.Trim(text, "*_ "))
	if len(words) < 2 || len(words) > 4 || !strings.HasSuffix(text, ".") {
		return false
	}
	return fileMakingVerbs[strings.ToLower(words[0])]
}

// copyVerbs open a sentence that has the reader make a file from another
// one ("Copy `a.py` to `mine.py`", "Rename `.env.example` to `.env`").
var copyVerbs = map[string]bool{"copy": true, "rename": true, "move": true, "duplicate": true}

// noteCopyTargets: in a paragraph that opens with a copy verb, inline code
// right after "to" or "as" that follows another inline code names the
// file the reader makes: it is there for the commands after it and is not
// judged itself, as a caption's file is.
func (c *Checker) noteCopyTargets(r *report, para ast.Node, skip map[ast.Node]bool) {
	src := r.page.source
	first, ok := para.FirstChild().(*ast.Text)
	if !ok {
		return
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(string(first.Segment.Value(src))), " ")
	if !copyVerbs[strings.ToLower(verb)] {
		return
	}
	for n := para.FirstChild(); n != nil; n = n.NextSibling() {
		between, ok := n.PreviousSibling().(*ast.Text)
		if n.Kind() != ast.KindCodeSpan || !ok || between.PreviousSibling() == nil || between.PreviousSibling().Kind() != ast.KindCodeSpan {
			continue
		}
		if word := strings.TrimSpace(string(between.Segment.Value(src))); word != "to" && word != "as" {
			continue
		}
		skip[n] = true
		c.readerMakes(r, strings.TrimSpace(codeSpanText(n, src)))
	}
}

// runsName reports whether a line of a code block runs the file name as
// its program by path (./name, after a $ prompt or not): a block that runs
// a file is not that file's content. A line that merely starts with the
// name (a listing, a table of images) does not count.
func runsName(texts []string, name string) bool {
	name = "./" + strings.TrimPrefix(name, "./")
	for _, t := range texts {
		t = strings.TrimSpace(t)
		t = strings.TrimSpace(t[promptLen(t):])
		if first, _, _ := strings.Cut(t, " "); first == name {
			return true
		}
	}
	return false
}

// endsWithColon reports whether the text of lines, trimmed of white space
// as strings.TrimSpace does, ends with ":", without joining the lines.
func endsWithColon(lines *text.Segments, src []byte) bool {
	for i := lines.Len() - 1; i >= 0; i-- {
		seg := lines.At(i)
		if v := bytes.TrimRightFunc(seg.Value(src), unicode.IsSpace); len(v) > 0 {
			return v[len(v)-1] == ':'
		}
	}
	return false
}

// codeBlockTitle is the file a fenced block's info string names
// (title="src/app.py", [src/app.py]): the file the snippet is.
var codeBlockTitle = regexp.MustCompile(`(?:title|filename|file)=["']?([^"'\s]+)|\[([^\]\s]+\.[\w]+)\]`)

// captionComment is a code block's first line when it is a comment that
// only names a file ("# examples/things.py", "// src/main.rs",
// "<!-- file: index.html -->"): the snippet is that file's content.
var captionComment = regexp.MustCompile(`^(?:#|//|--|;+|/\*|<!--)\s*(?:(?i:file(?:name)?):\s*)?([\w./-]*\w\.[A-Za-z]\w*)\s*(?:\*/|-->)?$`)

// shownFileName is the file a fenced block of a language other than a
// shell's shows in full, as its info string's title or its first line's
// comment names it; "" when it names none. (A shell block's first
// comment says what its commands do.)
func shownFileName(lang, info string, n ast.Node, src []byte) string {
	if m := codeBlockTitle.FindStringSubmatch(info); m != nil {
		return m[1] + m[2]
	}
	if lang == "" || shellLanguages[lang] || windowsLanguages[lang] || n.Lines().Len() < 2 {
		return ""
	}
	seg := n.Lines().At(0)
	first := bytes.TrimSpace(seg.Value(src))
	if len(first) == 0 || !strings.ContainsRune("#/-;<", rune(first[0])) {
		return "" // most first lines: no comment, and no regular expression run
	}
	if m := captionComment.FindSubmatch(first); m != nil {
		return string(m[1])
	}
	return ""
}

// readerCopies notes a file a snippet shows in full as the reader's: made
// from each folder the page's commands start in, under the name the
// snippet gives it and, when that name has folders, under its last part
// too. A reader who copies "examples/things.py" to run it ("run the above
// example: python things.py") saves it where they stand; which of the
// project's own copy or theirs a command then runs the page does not say.
func (c *Checker) readerCopies(r *report, name string) {
	c.readerMakes(r, name)
	if base := path.Base(name); base != name && base != "." && base != "/" {
		c.readerMakes(r, base)
	}
}

func codeSpanText(n ast.Node, src []byte) string {
	var b strings.Builder
	for t := n.FirstChild(); t != nil; t = t.NextSibling() {
		if tx, ok := t.(*ast.Text); ok {
			b.Write(tx.Segment.Value(src))
		}
	}
	return b.String()
}

// readersProjectCommand: the page has the reader create a project of
// their own; the scripts, crates and modules after it are theirs.
func readersProjectCommand(call command.Call) bool {
	args := call.Args()
	arg := func(i int) string {
		if i < len(args) {
			return args[i].Text
		}
		return ""
	}
	switch path.Base(call.Program()) {
	case "npm", "yarn", "pnpm", "bun":
		return arg(0) == "init" || arg(0) == "create" || arg(0) == "init-project"
	case "npx", "pnpx", "bunx":
		return strings.HasPrefix(arg(0), "create-") || strings.Contains(arg(0), "/create-")
	case "cargo":
		return arg(0) == "new" || arg(0) == "init"
	case "uv", "poetry", "pdm", "hatch", "deno":
		return arg(0) == "init" || arg(0) == "new"
	case "go":
		return arg(0) == "mod" && arg(1) == "init"
	case "rails", "dotnet":
		return arg(0) == "new"
	case "django-admin":
		return arg(0) == "startproject"
	case "composer":
		return arg(0) == "create-project"
	}
	return false
}

// readersManifest: a JSON block with "scripts" (or a TOML one with
// [package]/[project]) shows the reader what to put in their own
// manifest; a Rust block with #[test] functions, the tests they write.
func readersManifest(lang, text string) bool {
	switch lang {
	case "json", "jsonc", "json5":
		return strings.Contains(text, `"scripts"`) || strings.Contains(text, `"workspaces"`)
	case "toml":
		return strings.Contains(text, "[package]") || strings.Contains(text, "[project]")
	case "rust", "rs":
		// Tests the reader writes: the cargo test filters after them are
		// theirs.
		return strings.Contains(text, "#[test]")
	}
	return false
}

// readersProjectRules are the rules that judge a command against this
// repository's manifests; on a page that set up the reader's own project
// their findings are not certain.
var readersProjectRules = map[string]bool{
	ruleNPM: true, ruleCargo: true, rulePython: true, ruleGoPackage: true, ruleGoTest: true, ruleMake: true,
}
