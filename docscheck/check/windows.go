package check

import (
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// windowsLanguages are the fenced code block languages of Windows shells
// (cmd.exe, PowerShell): their lines are Windows commands, read only for a
// program run by a relative path (windowsProgram).
var windowsLanguages = map[string]bool{
	"cmd": true, "bat": true, "batch": true, "doscon": true,
	"powershell": true, "pwsh": true, "ps1": true, "ps": true, "posh": true,
}

// windowsPrompt is a Windows shell's prompt at a line's start: "PS> ",
// "PS C:\src> ", "C:\src> " or "> ".
var windowsPrompt = regexp.MustCompile(`^(?:PS(?: [^>]*)?> ?|[A-Za-z]:\\[^>]*> ?|> )`)

// windowsExtensions are the extensions a Windows shell tries, in PATHEXT's
// order and PowerShell's, for a program written without one (.\gradlew
// runs gradlew.bat).
var windowsExtensions = []string{".com", ".exe", ".bat", ".cmd", ".ps1"}

// windowsProgram reads a Windows command line's program when it is a
// relative path with backslashes: ".\tools\razzle.cmd" anywhere, and
// "tools\build.ps1" in a Windows shell's block (inWindows). It returns the
// path with "/" for "\" and its byte column (1-based) in the line. A
// drive or UNC path, a variable (%X%, $env:X), a quote or a wildcard is
// not a path of this tree docscheck can read.
func windowsProgram(line string, inWindows bool) (prog string, col int, ok bool) {
	start := len(line) - len(strings.TrimLeft(line, " \t"))
	rest := line[start:]
	if inWindows {
		if m := windowsPrompt.FindString(rest); m != "" {
			start += len(m)
			rest = rest[len(m):]
		}
		if r, ok := strings.CutPrefix(rest, "& "); ok {
			// PowerShell's call operator.
			start += 2
			rest = strings.TrimLeft(r, " ")
			start += len(r) - len(rest)
		}
	}
	word, _, _ := strings.Cut(strings.TrimRight(rest, "\r\n"), " ")
	word, _, _ = strings.Cut(word, "\t")
	if !strings.HasPrefix(word, `.\`) && (!inWindows || !strings.Contains(word, `\`)) {
		return "", 0, false
	}
	if strings.HasPrefix(word, `\`) || strings.ContainsAny(word, `/:%$*?"'<>|{}()[]~;,=`+"`") || strings.Contains(word, `\\`) || strings.HasSuffix(word, `\`) {
		return "", 0, false
	}
	return strings.ReplaceAll(word, `\`, "/"), start + 1, true
}

// windowsChdir reports whether a Windows command line moves the reader
// (cd, chdir, pushd, popd, Set-Location and its aliases).
func windowsChdir(line string) bool {
	line = strings.TrimLeft(windowsPrompt.ReplaceAllString(strings.TrimLeft(line, " \t"), ""), " \t")
	first, _, _ := strings.Cut(strings.ToLower(strings.TrimRight(line, "\r\n")), " ")
	switch strings.TrimRight(first, `\`) {
	case "cd", "cd..", "chdir", "pushd", "popd", "set-location", "sl", "push-location", "pop-location", "cd.":
		return true
	}
	return strings.HasPrefix(first, "cd\\") || strings.HasPrefix(first, "cd/")
}

// checkWindowsLines judges the programs a code block runs by a Windows
// relative path (windowsProgram), with "\" read as "/", from the folder
// the reader stands in. In a Windows shell's block (inWindows) every line
// is a Windows command; elsewhere (a shell block, a block without a
// language) only a line that starts with ".\" certainly is, and only
// while no other command comes before it in the block (whose cd the
// session would not have followed yet). It returns texts with the lines
// it judged blanked, for the POSIX reading of the rest. A line after one
// that moves the reader, or whose program's name an earlier line of the
// block names (a download, a copy), is not judged.
func (c *Checker) checkWindowsLines(r *report, texts []string, inWindows bool, at locate) []string {
	var out []string
	for i, t := range texts {
		if strings.TrimSpace(t) == "" || strings.HasPrefix(strings.TrimSpace(t), "#") || inWindows && isWindowsComment(t) {
			continue
		}
		if inWindows && windowsChdir(t) {
			r.session.windowsMoved = true
			break
		}
		prog, col, ok := windowsProgram(t, inWindows)
		if !ok {
			if inWindows {
				continue
			}
			break // a POSIX command first: the rest is the POSIX reading's
		}
		if out == nil {
			out = append([]string(nil), texts...)
		}
		out[i] = "\n"
		if r.session.windowsMoved || namedBefore(texts[:i], path.Base(prog)) {
			r.unjudged(path.Base(prog))
			continue
		}
		word := command.Word{Text: prog, Line: i + 1, Col: col}
		script := command.Script{Calls: []command.Call{{Words: []command.Word{word}, Dir: "."}}, EndDir: "."}
		c.runScript(r, script, at, func(pr *report, call command.Call) {
			pr.judged()
			c.checkWindowsProgram(pr, call.Dir, call.Words[0], at)
		})
	}
	if out == nil {
		return texts
	}
	return out
}

// isWindowsComment reports whether a line is a cmd.exe or PowerShell
// comment (REM, ::, #, <# ... #>).
func isWindowsComment(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return strings.HasPrefix(t, "rem ") || t == "rem" || strings.HasPrefix(t, "::") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "<#")
}

// namedBefore reports whether an earlier line names file (case aside): a
// line that may make it (Invoke-WebRequest -OutFile x.ps1, copy).
func namedBefore(lines []string, file string) bool {
	file = strings.ToLower(file)
	for _, l := range lines {
		if strings.Contains(strings.ToLower(l), file) {
			return true
		}
	}
	return false
}

// checkWindowsProgram judges a program run by a Windows relative path
// (with "/" for "\") from dir as checkExecutable judges one run by a POSIX
// path, under Windows' rules: a name's case does not matter, a name
// without an extension runs the file with one a Windows shell tries
// (windowsExtensions), and a file needs no executable bit.
func (c *Checker) checkWindowsProgram(r *report, dir string, prog command.Word, at locate) {
	if dir == "" {
		return
	}
	written := strings.ReplaceAll(prog.Text, "/", `\`)
	p := joinPath(dir, prog.Text)
	if p == ".." || strings.HasPrefix(p, "../") {
		r.missWord(prog, at, reasonNotInRepo, ruleScript, "", "%s does not exist", written)
		return
	}
	candidates := []string{p}
	if path.Ext(p) == "" {
		for _, ext := range windowsExtensions {
			candidates = append(candidates, p+ext)
		}
	}
	for _, q := range candidates {
		if _, made := c.stat(r, q); made || c.statFold(q) != repo.Missing {
			return
		}
	}
	hint := c.nearbyName(p)
	typo := hint
	if hint != "" && !c.runnable(hint) {
		typo = ""
	}
	reason := c.missingIn(r, prog.Text, p, typo)
	if hint != "" {
		hint = strings.ReplaceAll(shellPath(prog.Text, dir, hint), "/", `\`)
	}
	r.missWord(prog, at, reason, ruleScript, hint, "%s does not exist", written)
}

// statFold is Stat with each part of the path matched whatever its case,
// as a Windows file system matches names.
func (c *Checker) statFold(p string) repo.Kind {
	if k := c.opts.Repo.Stat(p); k != repo.Missing {
		return k
	}
	dir := "."
	parts := strings.Split(path.Clean(p), "/")
	for i, part := range parts {
		found := ""
		for _, name := range c.opts.Repo.Names(dir) {
			if strings.EqualFold(name, part) {
				found = name
				break
			}
		}
		if found == "" {
			return repo.Missing
		}
		dir = path.Join(dir, found)
		if i < len(parts)-1 && c.opts.Repo.Stat(dir) != repo.Dir {
			return repo.Missing
		}
	}
	return c.opts.Repo.Stat(dir)
}

// isWindowsStart reports whether a block without a language starts with a
// program run by a ".\" path: a Windows command line.
func isWindowsStart(texts []string) bool {
	for _, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		_, _, ok := windowsProgram(t, false)
		return ok
	}
	return false
}

// checkWindowsBlock reads a Windows shell's code block (windowsLanguages)
// for programs run by a relative path (checkWindowsLines).
func (c *Checker) checkWindowsBlock(r *report, n ast.Node) {
	texts := blockTexts(n, r.page.source)
	c.checkWindowsLines(r, texts, true, blockLocate(r, n))
}

// blockLocate maps a (line, col) of a code block's text to the page.
func blockLocate(r *report, n ast.Node) locate {
	lines := n.Lines()
	return func(line, col int) (int, int) {
		if line < 1 || line > lines.Len() {
			return r.page.position(n.Pos())
		}
		return r.page.position(lines.At(line-1).Start + col - 1)
	}
}
