package check

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/suggest"
)

// goValueFlags are the go command's build and test flags that take a value
// as the next word.
var goValueFlags = map[string]bool{
	"C": true, "o": true, "p": true, "tags": true, "ldflags": true, "gcflags": true, "asmflags": true,
	"mod": true, "modfile": true, "overlay": true, "pkgdir": true, "buildmode": true, "compiler": true,
	"installsuffix": true, "toolexec": true, "pgo": true, "exec": true, "vet": true, "covermode": true,
	"coverpkg": true, "coverprofile": true, "run": true, "bench": true, "skip": true, "list": true,
	"fuzz": true, "fuzztime": true, "fuzzminimizetime": true, "benchtime": true, "count": true, "cpu": true,
	"parallel": true, "timeout": true, "outputdir": true, "shuffle": true, "memprofile": true,
	"memprofilerate": true, "cpuprofile": true, "blockprofile": true, "blockprofilerate": true,
	"mutexprofile": true, "mutexprofilefraction": true, "trace": true, "json": false, "fullpath": false,
}

type goArgs struct {
	pkgs []command.Word
	rest []command.Word // go run: the program's arguments
	// flags in the order written; a slice, not a map: a call has a few,
	// and every go command in the docs is parsed (from each folder).
	flags []goFlag
}

type goFlag struct {
	name  string
	value command.Word
}

// flag is the value of the last -name flag, as the go command takes it.
func (g goArgs) flag(name string) (command.Word, bool) {
	for i := len(g.flags) - 1; i >= 0; i-- {
		if g.flags[i].name == name {
			return g.flags[i].value, true
		}
	}
	return command.Word{}, false
}

// parseGoArgs splits "go <verb>" arguments into flags and packages. For go
// run only the first non-flag word is the package.
func parseGoArgs(verb string, args []command.Word) goArgs {
	var g goArgs
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.Text == "-args" || a.Text == "--" {
			break
		}
		if strings.HasPrefix(a.Text, "-") && len(a.Text) > 1 {
			name := strings.TrimLeft(a.Text, "-")
			if n, v, ok := strings.Cut(name, "="); ok {
				val := a
				val.Text = v
				val.Col += len(a.Text) - len(v)
				g.flags = append(g.flags, goFlag{n, val})
				continue
			}
			if goValueFlags[name] && i+1 < len(args) {
				i++
				g.flags = append(g.flags, goFlag{name, args[i]})
			}
			continue
		}
		g.pkgs = append(g.pkgs, a)
		if verb == "run" {
			g.rest = args[i+1:]
			break
		}
	}
	return g
}

// checkGo: packages of go run/build/test/vet/install/list exist, and -run,
// -bench and -fuzz patterns match at least one function.
func (c *Checker) checkGo(r *report, call command.Call, at locate) {
	args := call.Args()
	if len(args) == 0 || call.Dir == "" {
		return
	}
	verb := args[0].Text
	switch verb {
	case "run", "build", "test", "vet", "install", "list", "generate":
	default:
		return
	}
	g := parseGoArgs(verb, args[1:])
	dir := call.Dir
	if cdir, ok := g.flag("C"); ok {
		if cdir.Dynamic() || strings.HasPrefix(cdir.Text, "/") {
			return
		}
		dir = path.Join(dir, cdir.Text)
	}
	module := c.opts.Repo.ModulePath()
	var pkgDirs []string
	allKnown := true
	for _, p := range g.pkgs {
		dirs, known, ok := c.resolveGoPackage(r, dir, module, p.Text)
		if p.Dynamic() || !known {
			allKnown = false
			continue
		}
		if !ok {
			allKnown = false
			reason := ""
			local := strings.HasPrefix(p.Text, ".") || strings.HasSuffix(p.Text, ".go") && !strings.Contains(p.Text, "/")
			if rel := path.Join(dir, strings.TrimSuffix(p.Text, "/...")); local && !strings.ContainsAny(p.Text, "*?[") && c.opts.Repo.Stat(rel) == repo.Missing {
				// ./main.go the reader writes; a package's folder is no
				// compiler's output (missingFolderIn).
				if strings.HasSuffix(p.Text, ".go") {
					reason = c.missingIn(r, p.Text, rel, c.nearbyName(rel))
				} else {
					reason = c.missingFolderIn(r, p.Text, rel, c.nearbyName(rel))
				}
			} else if first, _, ok := strings.Cut(p.Text, "/"); ok && strings.HasSuffix(p.Text, ".go") && !strings.HasPrefix(p.Text, module+"/") &&
				c.opts.Repo.Stat(path.Join(dir, first)) == repo.Missing {
				// A Go file under a folder the repository lacks, not by
				// this module's import path (src/gopl.io/... of the
				// reader's GOPATH): another tree's.
				reason = reasonNotInRepo
			}
			if reason == "" && c.readersCopy(r.page, p.Text) {
				reason = reasonReadersFile // a copy of a file the page links to
			}
			hint := c.packageHint(dir, p.Text)
			if reason == "" && c.opts.Repo.NearestFile(dir, "go.mod", "go.work") == "" && !(local && misspelt(p.Text, hint)) {
				// No go.mod (or go.work) at or above the folder: where the
				// page starts, the reader is in a module of their own or
				// in one the prose names, as with a missing package.json.
				// A folder one letter from this repository's, beside it,
				// is a misspelling of it in any module (or none).
				reason = r.noManifest(dir)
			}
			r.missWord(p, at, reason, ruleGoPackage, hint, "no Go package matches %s", p.Text)
			continue
		}
		pkgDirs = append(pkgDirs, dirs...)
	}
	if verb == "run" && len(g.pkgs) == 1 && allKnown && len(pkgDirs) == 1 {
		for _, t := range c.opts.Tools {
			if path.Clean(strings.TrimPrefix(t.Package, "./")) == pkgDirs[0] {
				c.checkTool(r, t, g.rest, at, g.pkgs[0])
			}
		}
	}
	if verb != "test" || !allKnown {
		return
	}
	if len(g.pkgs) == 0 {
		if !c.opts.Repo.IsGoPackage(dir) {
			return
		}
		pkgDirs = []string{dir}
	}
	_, benchmarks := g.flag("bench")
	_, fuzzing := g.flag("fuzz")
	for _, f := range []struct{ flag, kind string }{{"run", "test"}, {"bench", "benchmark"}, {"fuzz", "fuzz test"}} {
		w, ok := g.flag(f.flag)
		if !ok || w.Dynamic() {
			continue
		}
		if f.flag == "run" && (benchmarks || fuzzing) {
			// -run=XXX -bench=.: a -run that matches no test is how a
			// page runs the benchmarks (or the fuzz test) alone.
			continue
		}
		c.checkTestPattern(r, w, f.flag, f.kind, pkgDirs, at)
	}
}

// resolveGoPackage maps a package argument to repository folders. known is
// false for arguments docscheck does not judge (standard library, other
// modules, .go file lists).
func (c *Checker) resolveGoPackage(r *report, dir, module, arg string) (dirs []string, known, ok bool) {
	// go install pkg@version names pkg: this module's packages are judged
	// against the tree, other modules' are not checked.
	arg, _, _ = strings.Cut(arg, "@")
	var rel string
	switch {
	case isURL(arg):
		return nil, false, false
	case strings.HasSuffix(arg, ".go") && strings.ContainsAny(arg, "*?["):
		// A file glob the shell expands: some file must match.
		d, pattern := path.Split(path.Join(dir, arg))
		d = cmp.Or(strings.TrimSuffix(d, "/"), ".")
		for _, n := range c.opts.Repo.Names(d) {
			if ok, _ := path.Match(pattern, n); ok {
				return nil, true, true
			}
		}
		return nil, true, false
	case strings.HasSuffix(arg, ".go") && module != "" && strings.HasPrefix(arg, module+"/"):
		// A file named by import path (GOPATH-era docs): the file in this
		// tree is meant.
		return nil, true, c.opts.Repo.Stat(strings.TrimPrefix(arg, module+"/")) == repo.File
	case strings.HasSuffix(arg, ".go"):
		p := joinPath(dir, arg)
		k, _ := c.stat(r, p)
		return nil, true, k == repo.File
	case arg == "." || arg == ".." || strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "../"):
		rel = joinPath(dir, arg)
	case module != "" && (arg == module || strings.HasPrefix(arg, module+"/")):
		rel = path.Clean("." + strings.TrimPrefix(arg, module))
		rel = strings.TrimPrefix(rel, "/")
		if rel == "" {
			rel = "."
		}
	default:
		return nil, false, false
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, false, false
	}
	if base, ok := strings.CutSuffix(rel, "/..."); ok || rel == "..." {
		if rel == "..." {
			base = "."
		}
		pkgs := c.opts.Repo.PackagesUnder(base)
		return pkgs, true, len(pkgs) > 0
	}
	return []string{rel}, true, c.opts.Repo.IsGoPackage(rel)
}

func (c *Checker) packageHint(dir, arg string) string {
	trimmed := strings.TrimSuffix(arg, "/...")
	rel := path.Join(dir, trimmed)
	hint := c.nearbyName(rel)
	if hint == "" || !strings.HasSuffix(trimmed, ".go") && c.opts.Repo.Stat(hint) != repo.Dir {
		// A package is a folder: a file near its name (main.go beside
		// ./cmd/main) is no package to propose.
		return ""
	}
	out := "./" + relativeTo(dir, hint)
	if strings.HasSuffix(arg, "/...") {
		out += "/..."
	}
	return out
}

// checkTestPattern applies the top-level part of a -run/-bench/-fuzz
// pattern to the functions the packages declare, as go test would.
func (c *Checker) checkTestPattern(r *report, w command.Word, flag, kind string, pkgDirs []string, at locate) {
	top := topLevelPattern(w.Text)
	re, err := c.compile(top)
	if err != nil {
		r.addWord(w, at, ruleGoTest, "", "-%s pattern %q is not a valid regular expression: %v", flag, w.Text, err)
		return
	}
	if re.MatchString("") {
		return // "." runs everything, "^$" deliberately nothing
	}
	var names []string
	for _, d := range pkgDirs {
		for _, fn := range c.opts.Repo.TestFuncs(d) {
			if matchesKind(fn, flag) {
				names = append(names, fn)
			}
		}
	}
	if slices.ContainsFunc(names, re.MatchString) {
		return
	}
	where := strings.Join(pkgDirs, ", ")
	if len(pkgDirs) > 3 {
		where = pkgDirs[0] + " and " + strconv.Itoa(len(pkgDirs)-1) + " more packages"
	}
	hint := suggest.Nearest(strings.Trim(top, "^$"), names)
	reason := ""
	if placeholderFilter(strings.Trim(top, "^$"), hint) {
		reason = reasonPlaceholder // -run TestSpecificFunction: the reader's test
	}
	r.missWord(w, at, reason, ruleGoTest, hint, "-%s %q matches no %s in %s", flag, w.Text, kind, where)
}

func matchesKind(fn, flag string) bool {
	switch flag {
	case "bench":
		return strings.HasPrefix(fn, "Benchmark")
	case "fuzz":
		return strings.HasPrefix(fn, "Fuzz")
	}
	return strings.HasPrefix(fn, "Test") || strings.HasPrefix(fn, "Fuzz") || strings.HasPrefix(fn, "Example")
}

// topLevelPattern cuts a go test pattern at its first slash outside
// brackets: "TestA/sub" applies "TestA" to top-level functions.
func topLevelPattern(p string) string {
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '/':
			if depth == 0 {
				return p[:i]
			}
		}
	}
	return p
}

// compile memoizes regexp.Compile: docs repeat the same -run patterns.
func (c *Checker) compile(pattern string) (*regexp.Regexp, error) {
	type compiled struct {
		re  *regexp.Regexp
		err error
	}
	if v, ok := c.regexps.Load(pattern); ok {
		return v.(compiled).re, v.(compiled).err
	}
	re, err := regexp.Compile(pattern)
	c.regexps.Store(pattern, compiled{re, err})
	return re, err
}
