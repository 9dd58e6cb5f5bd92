// Package command finds the simple commands in a piece of shell text, using
// a real shell parser (mvdan.cc/sh/v3/syntax), so that environment prefixes,
// "&&" chains, pipes, subshells and "cd dir && ..." are understood. It never
// runs anything: words are reduced to their literal text, and any expansion
// ($VAR, $(cmd), globs in braces) is marked as unknowable.
package command

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Unknown stands in the text of a word for each part whose value only the
// shell would know (a parameter or command substitution).
const Unknown = "\x00"

// Word is one shell word reduced to its literal text.
type Word struct {
	// Text is the value after quote removal; each expansion is replaced by
	// Unknown.
	Text string
	// Source is a word with expansions as written ("app-${BRANCH}"), so
	// that two such words can be told apart; "" for a literal word.
	Source string
	// Line and Col locate the word in the parsed text (1-based; Col in bytes).
	Line, Col int
}

// Dynamic reports whether part of the word is only known at run time.
func (w Word) Dynamic() bool { return strings.Contains(w.Text, Unknown) }

// Call is one simple command.
type Call struct {
	// Words holds the program and its arguments; environment assignments in
	// front ("A=b cmd") and wrappers (env, sudo, exec, nohup, command) are
	// already removed.
	Words []Word
	// Dir is the working folder relative to where the text starts running,
	// following literal "cd" commands before this one ("." at the start).
	// It is empty when a "cd" to an unknowable folder came first.
	Dir string
	// Outputs are the files the shell itself writes for this command: the
	// targets of ">", ">>", "&>" and ">|" redirections.
	Outputs []Word
}

// IsChdir reports whether the call is cd, pushd or popd. Such calls are
// returned too, so that a reader can judge their target; the walker has
// already applied them to the Dir of the calls after them.
func (c Call) IsChdir() bool {
	switch c.Program() {
	case "cd", "pushd", "popd":
		return true
	}
	return false
}

// Program is the first word's text.
func (c Call) Program() string { return c.Words[0].Text }

// Args are the words after the program.
func (c Call) Args() []Word { return c.Words[1:] }

// Parse returns every simple command in src, in source order, including
// commands inside subshells, blocks, conditionals, loops and command
// substitutions.
func Parse(src string) ([]Call, error) {
	s, err := ParseScript(src)
	return s.Calls, err
}

// Script is a parsed piece of shell text.
type Script struct {
	// Calls are its simple commands, as Parse returns them.
	Calls []Call
	// EndDir is the working folder after the text ran, relative to where it
	// started ("." when it did not move); empty when unknowable.
	EndDir string
}

// ParseScript is Parse that also tells where the text leaves the working
// folder, so that a page's next code block can go on from there.
func ParseScript(src string) (Script, error) {
	p := parsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(src), "")
	parsers.Put(p)
	if err != nil {
		return Script{}, fmt.Errorf("parse shell: %w", err)
	}
	w := &walker{src: src}
	dir := "."
	w.stmts(f.Stmts, &dir)
	return Script{Calls: w.calls, EndDir: dir}, nil
}

// parsers reuses shell parsers: a new one allocates buffers that cost more
// than parsing a one-line command.
var parsers = sync.Pool{New: func() any { return syntax.NewParser(syntax.Variant(syntax.LangBash)) }}

type walker struct {
	src   string
	calls []Call
	// pushed is the pushd stack.
	pushed []string
}

func (w *walker) stmts(list []*syntax.Stmt, dir *string) {
	for _, s := range list {
		w.stmt(s, dir)
	}
}

func (w *walker) stmt(s *syntax.Stmt, dir *string) {
	if s == nil {
		return
	}
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		for _, a := range c.Assigns {
			if a.Value != nil {
				w.substitutions(a.Value, *dir)
			}
		}
		for _, arg := range c.Args {
			w.substitutions(arg, *dir)
		}
		w.call(c, s.Redirs, dir)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			// Each side of a pipe runs in its own subshell.
			left, right := *dir, *dir
			w.stmt(c.X, &left)
			w.stmt(c.Y, &right)
			return
		}
		w.stmt(c.X, dir)
		w.stmt(c.Y, dir)
	case *syntax.Subshell:
		inner := *dir
		w.stmts(c.Stmts, &inner)
	case *syntax.Block:
		w.stmts(c.Stmts, dir)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(ic.Cond, dir)
			w.stmts(ic.Then, dir)
		}
	case *syntax.WhileClause:
		w.stmts(c.Cond, dir)
		w.stmts(c.Do, dir)
	case *syntax.ForClause:
		w.stmts(c.Do, dir)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			inner := *dir
			w.stmts(item.Stmts, &inner)
		}
	case *syntax.FuncDecl:
		inner := *dir
		w.stmt(c.Body, &inner)
	case *syntax.TimeClause:
		w.stmt(c.Stmt, dir)
	case *syntax.CoprocClause:
		inner := *dir
		w.stmt(c.Stmt, &inner)
	case *syntax.DeclClause:
		for _, a := range c.Args {
			if a.Value != nil {
				w.substitutions(a.Value, *dir)
			}
		}
	}
}

// substitutions walks the commands inside $(...) and <(...) of a word.
func (w *walker) substitutions(word *syntax.Word, dir string) {
	syntax.Walk(word, func(n syntax.Node) bool {
		switch s := n.(type) {
		case *syntax.CmdSubst:
			inner := dir
			w.stmts(s.Stmts, &inner)
			return false
		case *syntax.ProcSubst:
			inner := dir
			w.stmts(s.Stmts, &inner)
			return false
		}
		return true
	})
}

// word reduces a parsed word to a Word.
func (w *walker) word(a *syntax.Word) Word {
	word := Word{Text: literal(a), Line: int(a.Pos().Line()), Col: int(a.Pos().Col())}
	if from, to := int(a.Pos().Offset()), int(a.End().Offset()); word.Dynamic() && from <= to && to <= len(w.src) {
		word.Source = w.src[from:to]
	}
	return word
}

func (w *walker) call(c *syntax.CallExpr, redirs []*syntax.Redirect, dir *string) {
	if len(c.Args) == 0 {
		return
	}
	words := make([]Word, len(c.Args))
	for i, a := range c.Args {
		words[i] = w.word(a)
		if end, taken := fillIn(a, redirs); taken != nil && !words[i].Dynamic() {
			words[i].Text = w.src[a.Pos().Offset():end]
			redirs = slices.DeleteFunc(slices.Clone(redirs), func(r *syntax.Redirect) bool { return slices.Contains(taken, r) })
		}
	}
	var outputs []Word
	for _, r := range redirs {
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.RdrClob:
			if r.N == nil || r.N.Value == "1" || r.N.Value == "2" {
				outputs = append(outputs, w.word(r.Word))
			}
		}
	}
	words = unwrap(words)
	if len(words) == 0 {
		return
	}
	call := Call{Words: words, Dir: *dir, Outputs: outputs}
	w.calls = append(w.calls, call)
	switch words[0].Text {
	case "cd":
		*dir = changeDir(*dir, words[1:])
	case "pushd":
		w.pushed = append(w.pushed, *dir)
		*dir = changeDir(*dir, words[1:])
	case "popd":
		if n := len(w.pushed); n > 0 {
			*dir = w.pushed[n-1]
			w.pushed = w.pushed[:n-1]
		} else {
			*dir = ""
		}
	}
}

// fillIn finds a name of choice written in angle brackets inside word a,
// "test_<name>.py", which the shell reads as the word "test_" with its
// input from "name" and its output to ".py": an input redirection that
// starts where a ends, from a plain name, and an output redirection right
// after that name. A reader types a name there; nobody writes
// redirections glued to a word and to each other. It returns the offset
// where the whole word ends and the two redirections, or nil.
func fillIn(a *syntax.Word, redirs []*syntax.Redirect) (end uint, taken []*syntax.Redirect) {
	for i, in := range redirs[:max(len(redirs)-1, 0)] {
		out := redirs[i+1]
		if in.Op != syntax.RdrIn || in.N != nil || in.OpPos.Offset() != a.End().Offset() ||
			!fillInName.MatchString(literal(in.Word)) || in.Word.Pos().Offset() != in.OpPos.Offset()+1 ||
			out.Op != syntax.RdrOut || out.N != nil || out.OpPos.Offset() != in.Word.End().Offset() ||
			out.Word.Pos().Offset() != out.OpPos.Offset()+1 {
			continue
		}
		return out.Word.End().Offset(), []*syntax.Redirect{in, out}
	}
	return 0, nil
}

// fillInName is the name inside a fill-in's brackets.
var fillInName = regexp.MustCompile(`^[A-Za-z][\w-]*$`)

// unwrap drops wrappers that run the rest of the line as the command.
func unwrap(words []Word) []Word {
	for len(words) > 0 {
		switch words[0].Text {
		case "env":
			words = words[1:]
			for len(words) > 0 && (strings.HasPrefix(words[0].Text, "-") || isAssignment(words[0].Text)) {
				words = words[1:]
			}
		case "sudo":
			words = words[1:]
			for len(words) > 0 && strings.HasPrefix(words[0].Text, "-") {
				takesValue := words[0].Text == "-u" || words[0].Text == "-g"
				words = words[1:]
				if takesValue && len(words) > 0 {
					words = words[1:]
				}
			}
		case "exec", "nohup", "command", "time":
			words = words[1:]
			for len(words) > 0 && strings.HasPrefix(words[0].Text, "-") {
				words = words[1:]
			}
		case "uv", "poetry", "pipenv", "pdm", "hatch":
			// "uv run python x.py": the project's runner runs the rest
			// of the line in its environment. Only without options of
			// its own, but for uv's that neither move the folder nor
			// are unknown (uvRunOptions): others take values docscheck
			// does not know, or move the folder (uv run --directory d).
			// Nor "uv run x.py", which the runner hands to Python: the
			// file need not be executable.
			if len(words) < 3 || words[1].Text != "run" {
				return words
			}
			rest := words[2:]
			if words[0].Text == "uv" {
				rest = skipUVRunOptions(rest)
			}
			if len(rest) == 0 || strings.HasPrefix(rest[0].Text, "-") || strings.HasSuffix(rest[0].Text, ".py") {
				return words
			}
			words = rest
		case "uvx", "pipx":
			// "uvx tox -e lint", "pipx run nox -s docs": the tool runner
			// runs the tool named next (from the package index, not
			// this tree) with the rest of the line. Only without options
			// of its own, some of which take values (uvx --from x).
			if words[0].Text == "pipx" {
				if len(words) < 2 || words[1].Text != "run" {
					return words
				}
				words = words[1:]
			}
			if len(words) < 2 || strings.HasPrefix(words[1].Text, "-") {
				return words
			}
			words = words[1:]
		case "bundle":
			// "bundle exec ruby x.rb": Bundler runs the rest of the
			// line with the bundle's gems. Only without options of its
			// own (--gemfile names another bundle).
			if len(words) < 3 || words[1].Text != "exec" || strings.HasPrefix(words[2].Text, "-") {
				return words
			}
			words = words[2:]
		default:
			return words
		}
	}
	return words
}

func isAssignment(s string) bool {
	name, _, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func changeDir(dir string, args []Word) string {
	if dir == "" {
		return ""
	}
	for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") && args[0].Text != "-" {
		args = args[1:]
	}
	if len(args) == 0 {
		return "" // cd to $HOME: outside what we know
	}
	target := args[0].Text
	if args[0].Dynamic() || target == "-" || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "~") {
		return ""
	}
	return path.Clean(path.Join(dir, target))
}

// braceExpansion is an unquoted brace expansion: a list ({a,b}) or a
// sequence ({1..3}); "{}" and "{x}" are literal text.
var braceExpansion = regexp.MustCompile(`\{[^{}\s]*(?:,|\.\.)[^{}\s]*\}`)

// literal reduces a word to its text after quote removal, with Unknown for
// each expansion.
func literal(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		appendPart(&b, p, false)
	}
	return b.String()
}

func appendPart(b *strings.Builder, p syntax.WordPart, quoted bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		v := p.Value
		if !quoted {
			// "cmd/x{,d}", "f{1..3}": the shell expands the braces into
			// several words, none of which is this text.
			v = braceExpansion.ReplaceAllLiteralString(v, Unknown)
		}
		b.WriteString(unescape(v, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, inner := range p.Parts {
			appendPart(b, inner, true)
		}
	default:
		b.WriteString(Unknown)
	}
}

// unescape removes the backslashes the shell would remove. Inside double
// quotes only \$ \` \" \\ and a backslash-newline are escapes.
func unescape(s string, quoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			next := s[i+1]
			if !quoted || strings.IndexByte("$`\"\\\n", next) >= 0 {
				if next != '\n' {
					b.WriteByte(next)
				}
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// uvRunOptions are the options of "uv run" that leave the folder the
// command runs in as it is, by whether they take a value: the
// environment's (--frozen, --with requests, --python 3.12), not
// --directory or --project, which move where paths resolve.
var uvRunOptions = map[string]bool{
	"--active": false, "--frozen": false, "--locked": false, "--no-sync": false, "--isolated": false,
	"--offline": false, "--quiet": false, "-q": false, "--verbose": false, "-v": false, "--no-dev": false,
	"--all-extras": false, "--all-groups": false, "--exact": false, "--no-cache": false, "-n": false,
	"--no-editable": false, "--only-dev": false, "--no-default-groups": false, "--all-packages": false,
	"--with": true, "--with-editable": true, "--with-requirements": true, "--python": true, "-p": true,
	"--extra": true, "--group": true, "--only-group": true, "--no-group": true, "--env-file": true,
	"--package": true, "--index": true, "--default-index": true, "--index-url": true, "-i": true,
	"--extra-index-url": true,
}

// skipUVRunOptions drops the options of "uv run" before the command it
// runs that uvRunOptions knows, with their values ("--with x" or
// "--with=x"); it stops at the first it does not know.
func skipUVRunOptions(words []Word) []Word {
	for len(words) > 0 {
		name, _, joined := strings.Cut(words[0].Text, "=")
		takesValue, known := uvRunOptions[name]
		if !known || joined && !takesValue {
			return words
		}
		words = words[1:]
		if takesValue && !joined {
			if len(words) == 0 {
				return words
			}
			words = words[1:]
		}
	}
	return words
}
