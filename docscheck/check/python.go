package check

import (
	"bytes"
	"cmp"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// stdlibModules are standard-library modules commonly run with -m. A name
// not found in the tree is taken as installed (not checked) anyway; this
// list only keeps a stdlib name from being "corrected" to a local package.
var stdlibModules = map[string]bool{
	"json": true, "http": true, "venv": true, "pip": true, "unittest": true, "doctest": true, "timeit": true,
	"pdb": true, "cProfile": true, "profile": true, "trace": true, "zipfile": true, "tarfile": true, "site": true,
	"ensurepip": true, "pydoc": true, "compileall": true, "py_compile": true, "webbrowser": true, "calendar": true,
	"base64": true, "uuid": true, "sqlite3": true, "asyncio": true, "ast": true, "dis": true, "tokenize": true,
	"gzip": true, "zipapp": true, "platform": true, "sysconfig": true, "mimetypes": true, "pickle": true,
	"tabnanny": true, "this": true, "smtpd": true, "pstats": true, "tracemalloc": true, "idlelib": true,
}

// pythonValueFlags are interpreter options that take a value.
var pythonValueFlags = map[string]bool{"-W": true, "-X": true, "-c": true, "--check-hash-based-pycs": true}

// checkPythonModule: python -m pkg.mod must be a module of the tree when
// its top-level package is one; python script.py, or python tools/script
// (a path with folders, without an extension), must exist.
func (c *Checker) checkPythonModule(r *report, call command.Call, at locate) bool {
	args := call.Args()
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a.Text == "-c":
			return false // inline code
		case a.Text == "-m":
			if i+1 >= len(args) || args[i+1].Dynamic() {
				return false
			}
			mod := args[i+1]
			if mod.Text == "pytest" || mod.Text == "py.test" {
				return c.checkPytest(r, call, at, args[i+2:])
			}
			if mod.Text == "unittest" {
				return c.checkUnittest(r, call, at, args[i+2:])
			}
			if mod.Text == "tox" {
				return c.checkTox(r, call, at, args[i+2:])
			}
			if mod.Text == "nox" {
				return c.checkNox(r, call, at, args[i+2:])
			}
			if mod.Text == "pip" && c.checkPip(r, call, at, args[i+2:]) {
				return true
			}
			return c.checkModule(r, call, at, mod)
		case pythonValueFlags[a.Text]:
			i++
		case strings.HasPrefix(a.Text, "-"):
		default:
			// The script: a .py file, or a path with folders and no
			// extension (tools/update-emoji, a script without one; a
			// folder there runs its __main__.py).
			bare := path.Ext(a.Text) == "" && strings.Contains(a.Text, "/")
			if a.Dynamic() || !strings.HasSuffix(a.Text, ".py") && !bare || strings.HasPrefix(a.Text, "/") || strings.HasPrefix(a.Text, "~") {
				return false
			}
			p := path.Join(call.Dir, a.Text)
			if k, _ := c.stat(r, p); k != repo.File && !(bare && k == repo.Dir) {
				c.missingArg(r, call.Dir, a, p, at, rulePython, "")
			}
			return true
		}
	}
	return false
}

// pipFileSubcommands are pip's subcommands whose -r and -c options name a
// requirements or constraints file.
var pipFileSubcommands = map[string]bool{"install": true, "download": true, "wheel": true, "uninstall": true}

// checkPip judges the files a pip command reads (args follow the program,
// or "-m pip"): its -r / --requirement and -c / --constraint options name
// a file from the working folder, as a path argument does. It reports
// whether it judged one.
func (c *Checker) checkPip(r *report, call command.Call, at locate, args []command.Word) bool {
	if i := slices.IndexFunc(args, func(a command.Word) bool { return !strings.HasPrefix(a.Text, "-") }); i < 0 || !pipFileSubcommands[args[i].Text] {
		return false
	}
	judged := false
	for i := 0; i < len(args); i++ {
		file := args[i]
		switch name, value, hasValue := strings.Cut(file.Text, "="); {
		case (name == "-r" || name == "--requirement" || name == "-c" || name == "--constraint") && !hasValue:
			if i+1 >= len(args) {
				continue
			}
			i++
			file = args[i]
		case (name == "--requirement" || name == "--constraint") && hasValue:
			file.Text, file.Col = value, file.Col+len(name)+1
		case name == "-e" || name == "--editable":
			if i+1 < len(args) && isLocalDirArg(args[i+1].Text) {
				i++
				file = args[i]
			} else {
				continue
			}
		case isLocalDirArg(file.Text) && i > 0 && (!strings.HasPrefix(args[i-1].Text, "-") || pipBoolFlags[args[i-1].Text]):
			// pip install ./pkg: a project folder (or archive) of the
			// tree, by a path written as one ("./" or "../" first),
			// not a requirement specifier.
		default:
			continue
		}
		p, ok := localPath(call.Dir, file)
		if !ok {
			continue
		}
		judged = true
		if k, _ := c.stat(r, p); k == repo.Missing {
			c.missingArg(r, call.Dir, file, p, at, rulePython, "pip: ")
		}
	}
	return judged
}

// checkNox judges the sessions a nox command names (-s, -e, --session,
// --sessions, each taking the names up to the next option) against the
// noxfile nox reads: noxfile.py in the working folder, or the one -f /
// --noxfile names. It judges only a noxfile whose sessions the text shows
// (repo.NoxSessions), and reports whether it judged a name.
func (c *Checker) checkNox(r *report, call command.Call, at locate, args []command.Word) bool {
	if r.session != nil && r.session.readersProject {
		return false
	}
	noxfile, names := taskArgs(args, "noxfile.py", []string{"-f", "--noxfile"}, []string{"-s", "-e", "--session", "--sessions"}, true)
	if len(names) == 0 {
		return false
	}
	file := path.Join(call.Dir, noxfile)
	if c.opts.Repo.Stat(file) != repo.File {
		if noxfile != "noxfile.py" {
			return false // a file -f names that is missing: not judged
		}
		// nox fails here too, but the folder may be the reader's own
		// project: not judged. (From another folder the reader may
		// stand in, the noxfile there decides.)
		r.missWord(call.Words[0], at, reasonNoManifest, rulePython, "", "nox: no %s in %s", noxfile, where(call.Dir))
		return true
	}
	sessions := c.opts.Repo.NoxSessions(file)
	if !sessions.Known {
		return false
	}
	c.judgeTasks(r, at, names, sessions.Names, sessions.Has, "nox: session", file)
	return true
}

// checkTox judges the environments a tox command names (-e, -e=, several
// joined by commas) against the tox.ini tox reads (toxConfig), or the one
// -c / --conf names. It judges only a tox.ini whose environments the text
// shows (repo.ToxEnvs); another config (setup.cfg, pyproject.toml,
// tox.toml) is not read. It reports whether it judged a name.
func (c *Checker) checkTox(r *report, call command.Call, at locate, args []command.Word) bool {
	if r.session != nil && r.session.readersProject {
		return false
	}
	config, names := taskArgs(args, "", []string{"-c", "--conf"}, []string{"-e"}, false)
	if len(names) == 0 {
		return false
	}
	file := path.Join(call.Dir, config)
	if config == "" {
		var known bool
		if file, known = c.toxConfig(call.Dir); !known {
			return false
		}
		if file == "" {
			// tox fails here too, but the folder may be the reader's
			// own project: not judged.
			r.missWord(call.Words[0], at, reasonNoManifest, rulePython, "", "tox: no tox.ini in %s or above", where(call.Dir))
			return true
		}
	}
	if path.Base(file) != "tox.ini" || c.opts.Repo.Stat(file) != repo.File {
		return false
	}
	envs := c.opts.Repo.ToxEnvs(file)
	if !envs.Known {
		return false
	}
	c.judgeTasks(r, at, names, envs.Names, envs.Has, "tox: environment", file)
	return true
}

// taskArgs reads a task runner's command line up to "--": the file an
// option of fileOpts names (def when none does), and the task names the
// options of nameOpts give, each a value joined to the option
// ("-s=lint") or the next word; with many, an option also takes the
// words after it up to the next option ("nox -s lint tests"), else its
// value is a list joined by commas ("tox -e lint,py312").
func taskArgs(args []command.Word, def string, fileOpts, nameOpts []string, many bool) (string, []command.Word) {
	file := def
	var names []command.Word
	for i := 0; i < len(args); i++ {
		if args[i].Text == "--" {
			break // the tasks' own arguments
		}
		opt, _, joined := strings.Cut(args[i].Text, "=")
		switch {
		case slices.Contains(fileOpts, opt):
			var w command.Word
			if w, i = optionValue(args, i); w.Text != "" {
				file = w.Text
			}
		case slices.Contains(nameOpts, opt) && many:
			if joined {
				var w command.Word
				if w, i = optionValue(args, i); w.Text != "" {
					names = append(names, w)
				}
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1].Text, "-") {
				i++
				names = append(names, args[i])
			}
		case slices.Contains(nameOpts, opt):
			var list command.Word
			if list, i = optionValue(args, i); list.Text == "" || list.Dynamic() {
				continue
			}
			col := list.Col
			for _, name := range strings.Split(list.Text, ",") {
				w := list
				w.Text, w.Col = name, col
				col += len(name) + 1
				if name != "" {
					names = append(names, w)
				}
			}
		}
	}
	return file, names
}

// judgeTasks reports each task a runner is asked for that its file does
// not define (has), with the nearest of the file's names as the hint; a
// placeholder name of the reader's choosing is not judged. kind opens the
// message ("nox: session").
func (c *Checker) judgeTasks(r *report, at locate, names []command.Word, defined []string, has func(string) bool, kind, file string) {
	for _, w := range names {
		if w.Dynamic() || has(w.Text) {
			continue
		}
		hint := c.nearest(w.Text, defined)
		reason := ""
		if placeholderFilter(w.Text, hint) {
			reason = reasonPlaceholder
		}
		r.missWord(w, at, reason, rulePython, hint, "%s %q is not defined in %s", kind, w.Text, file)
	}
}

// optionValue is the value of the option at args[i], written joined to
// it ("-f=x", "--noxfile=x") or as the next word ("-f x"), and the index
// of the last word the option takes. An option that ends the line has
// none: an empty Word.
func optionValue(args []command.Word, i int) (command.Word, int) {
	a := args[i]
	if opt, value, joined := strings.Cut(a.Text, "="); joined {
		a.Text, a.Col = value, a.Col+len(opt)+1
		return a, i
	}
	if i+1 < len(args) {
		return args[i+1], i + 1
	}
	return command.Word{}, i
}

// toxConfig finds the config tox reads when run in dir: the first folder
// from dir up to the root that holds one. It returns that folder's
// tox.ini, or "" when no folder holds a config; known is false when the
// folder may hold another config tox reads (a tox.toml, or a setup.cfg or
// pyproject.toml that mentions tox at all), which is not read here.
func (c *Checker) toxConfig(dir string) (file string, known bool) {
	for d := dir; ; d = path.Dir(d) {
		if ini := path.Join(d, "tox.ini"); c.opts.Repo.Stat(ini) == repo.File {
			return ini, true
		}
		if c.opts.Repo.Stat(path.Join(d, "tox.toml")) == repo.File {
			return "", false
		}
		for _, name := range []string{"setup.cfg", "pyproject.toml"} {
			if src, err := c.opts.Repo.ReadFile(path.Join(d, name)); err == nil && bytes.Contains(src, []byte("tox")) {
				return "", false
			}
		}
		if d == "." || d == "/" || d == "" {
			return "", true
		}
	}
}

// pythonBases are the folders a module is looked up in: the working
// folder and its src/ layout, then the root's.
func pythonBases(dir string) []string {
	var bases []string
	for _, b := range []string{dir, path.Join(dir, "src"), ".", "src"} {
		if !slices.Contains(bases, b) {
			bases = append(bases, b)
		}
	}
	return bases
}

func (c *Checker) isPackage(dir string) bool {
	rp := c.opts.Repo
	if rp.Stat(dir) != repo.Dir {
		return false
	}
	if rp.Stat(path.Join(dir, "__init__.py")) == repo.File {
		return true
	}
	for _, n := range rp.Names(dir) {
		if strings.HasSuffix(n, ".py") {
			return true // a namespace package
		}
	}
	return false
}

// namespacePackage returns reasonNamespacePackage when dir is a package
// without an __init__.py (a namespace package), else "". Python's import
// system takes such a folder for a name only when no folder of sys.path
// holds a regular package or a module of that name, and joins it with
// every other folder of that name: an installed distribution of the same
// name (pip install of the project whose folder it is, src/tool/ holding
// tool.py or tool/__init__.py) wins over it, or adds the modules it
// lacks. What "python -m" runs through it is then not certain.
func (c *Checker) namespacePackage(dir string) string {
	if c.opts.Repo.Stat(dir) == repo.Dir && c.opts.Repo.Stat(path.Join(dir, "__init__.py")) != repo.File {
		return reasonNamespacePackage
	}
	return ""
}

// moduleNames are the modules and packages of the package dir, by the
// names an import gives them.
func (c *Checker) moduleNames(dir string) []string {
	var names []string
	for _, n := range c.opts.Repo.Names(dir) {
		if s, ok := strings.CutSuffix(n, ".py"); ok && s != "__init__" {
			names = append(names, s)
		} else if c.isPackage(path.Join(dir, n)) {
			names = append(names, n)
		}
	}
	return names
}

func (c *Checker) checkModule(r *report, call command.Call, at locate, mod command.Word) bool {
	rp := c.opts.Repo
	parts := strings.Split(mod.Text, ".")
	for _, base := range pythonBases(call.Dir) {
		top := path.Join(base, parts[0])
		if !c.isPackage(top) && rp.Stat(top+".py") != repo.File {
			continue
		}
		cur := top
		reason := c.namespacePackage(top)
		for i, part := range parts[1:] {
			next := path.Join(cur, part)
			if c.isPackage(next) || rp.Stat(next+".py") == repo.File && i == len(parts)-2 {
				cur = next
				reason = cmp.Or(reason, c.namespacePackage(next))
				continue
			}
			r.missWord(mod, at, reason, rulePython, c.nearest(part, c.moduleNames(cur)), "python -m %s: no module %s in %s", mod.Text, part, cur)
			return true
		}
		if len(parts) == 1 && c.isPackage(top) && rp.Stat(path.Join(top, "__main__.py")) != repo.File {
			r.missWord(mod, at, reason, rulePython, "", "python -m %s: package %s has no __main__.py", mod.Text, top)
		}
		return true
	}
	if stdlibModules[parts[0]] {
		return false
	}
	for _, base := range pythonBases(call.Dir) {
		for _, n := range rp.Names(base) {
			name := strings.TrimSuffix(n, ".py")
			if oneTypo(parts[0], name) && (c.isPackage(path.Join(base, n)) || strings.HasSuffix(n, ".py")) {
				r.addWord(mod, at, rulePython, name, "python -m %s: no module %s in the tree", mod.Text, parts[0])
				return true
			}
		}
	}
	return false // an installed module: not checked
}

// pytestValueFlags take a value.
var pytestValueFlags = map[string]bool{
	"-k": true, "-m": true, "-p": true, "-c": true, "-o": true, "-n": true, "--rootdir": true, "--maxfail": true,
	"--durations": true, "--junitxml": true, "--cov": true, "--cov-report": true, "--tb": true, "--log-level": true,
	"--basetemp": true, "--deselect": true, "--ignore": true, "--confcutdir": true, "--import-mode": true,
}

// pytestBoolFlags are pytest's own long options that take no value.
var pytestBoolFlags = map[string]bool{
	"--lf": true, "--last-failed": true, "--ff": true, "--failed-first": true, "--nf": true, "--new-first": true,
	"--sw": true, "--stepwise": true, "--pdb": true, "--trace": true, "--exitfirst": true, "--verbose": true,
	"--quiet": true, "--co": true, "--collect-only": true, "--fixtures": true, "--markers": true,
	"--strict-markers": true, "--strict": true, "--disable-warnings": true, "--showlocals": true, "--runxfail": true,
	"--setup-show": true, "--setup-only": true, "--setup-plan": true, "--doctest-modules": true, "--no-header": true,
	"--no-summary": true, "--version": true, "--help": true, "--cache-clear": true, "--cache-show": true,
	"--full-trace": true, "--pyargs": true, "--continue-on-collection-errors": true,
	"--fixtures-per-test": true, "--debug": true, "--lsof": true, "--no-cov": true,
}

// pipBoolFlags are pip install's options that take no value: a path
// after one is an argument, not the option's value.
var pipBoolFlags = map[string]bool{
	"-U": true, "--upgrade": true, "--force-reinstall": true, "--no-deps": true, "--user": true, "--pre": true,
	"--no-cache-dir": true, "-q": true, "--quiet": true, "-v": true, "--verbose": true, "--no-build-isolation": true,
	"--break-system-packages": true, "-I": true, "--ignore-installed": true, "--no-index": true,
}

// isLocalDirArg: a pip argument written as a path from the working
// folder (./pkg, ../pkg/dist.whl), which pip reads as a local project or
// archive; "." alone is the folder itself.
func isLocalDirArg(t string) bool {
	return (strings.HasPrefix(t, "./") || strings.HasPrefix(t, "../")) && len(t) > 2 && !strings.ContainsAny(t, "[]=<>~!@;$`")
}

// checkPytest: each path[::Class][::test] argument names an existing file
// or folder, and each name a class or function defined in that file. A
// word after a long option pytest does not define (a plugin's) may be
// that option's value: a missing path there is not judged.
func (c *Checker) checkPytest(r *report, call command.Call, at locate, args []command.Word) bool {
	if slices.ContainsFunc(args, func(a command.Word) bool { return a.Text == "--pyargs" }) {
		// Its arguments are packages or modules to import
		// (networkx.drawing), installed or not: no path of the tree.
		return true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, _ := strings.Cut(a.Text, "=")
		switch {
		case pytestValueFlags[name] && !strings.Contains(a.Text, "="):
			i++
			continue
		case strings.HasPrefix(a.Text, "-"):
			continue
		case a.Dynamic() || strings.ContainsAny(a.Text, "*?") || strings.HasPrefix(a.Text, "/"):
			continue
		}
		from := len(r.findings)
		c.checkPytestTarget(r, call.Dir, a, at)
		if prev := args[max(i-1, 0)].Text; i > 0 && strings.HasPrefix(prev, "--") && !strings.Contains(prev, "=") && !pytestBoolFlags[prev] {
			r.demote(from, reasonOptionValue)
		}
	}
	return true
}

// unittestValueFlags are python -m unittest's options that take a value.
var unittestValueFlags = map[string]bool{"-k": true, "--durations": true}

// checkUnittest judges the tests python -m unittest names: a path
// (tests/test_x.py, which unittest turns into a module name) must exist
// from the working folder, and a dotted name (tests.test_x.TestY) must
// import (unittestName). The discover subcommand, whose arguments are a
// start folder and patterns, is not judged. It reports whether it judged
// the command.
func (c *Checker) checkUnittest(r *report, call command.Call, at locate, args []command.Word) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a.Text == "discover":
			return false
		case unittestValueFlags[a.Text]:
			i++
			continue
		case strings.HasPrefix(a.Text, "-") || a.Dynamic():
			continue
		case !strings.HasSuffix(a.Text, ".py"):
			c.unittestName(r, call, at, a)
			continue
		}
		p, ok := localPath(call.Dir, a)
		if !ok {
			continue
		}
		if k, _ := c.stat(r, p); k == repo.Missing {
			c.missingArg(r, call.Dir, a, p, at, rulePython, "unittest: ")
		}
	}
	return true
}

// unittestName judges a dotted name python -m unittest imports
// (tests.test_x, tests.test_x.TestY.test_z), looked up as python -m looks
// up a module: each part after the first is a package or a module until
// a module is reached, whose classes and methods follow (not judged). A
// part that is neither, in a package whose __init__.py does not name it
// (nor imports with *), is missing: certain. A name whose first part is
// no package of the tree is an installed one, not judged.
func (c *Checker) unittestName(r *report, call command.Call, at locate, a command.Word) {
	rp := c.opts.Repo
	parts := strings.Split(a.Text, ".")
	if len(parts) < 2 || slices.Contains(parts, "") {
		return
	}
	for _, base := range pythonBases(call.Dir) {
		cur := path.Join(base, parts[0])
		if !c.isPackage(cur) {
			if rp.Stat(cur+".py") == repo.File {
				return // a module: the rest are its attributes
			}
			continue
		}
		for i, part := range parts[1:] {
			next := path.Join(cur, part)
			if rp.Stat(next+".py") == repo.File {
				return
			}
			if rp.Stat(next) == repo.Dir {
				// A package, or a namespace package: any folder imports.
				cur = next
				continue
			}
			if init, err := rp.ReadFile(path.Join(cur, "__init__.py")); err == nil &&
				(bytes.Contains(init, []byte("*")) || containsWord(init, part)) {
				return // an attribute the package defines or imports
			}
			// Judged as the module's file, as a path is (missingIn): a
			// file the page has the reader save is theirs.
			near := c.nearest(part, c.moduleNames(cur))
			hint := ""
			if near != "" {
				hint = path.Join(cur, near)
				if rp.Stat(hint+".py") == repo.File {
					hint += ".py"
				}
			}
			written := path.Join(append(parts[:i+1:i+1], part)...) + ".py"
			reason := c.missingIn(r, written, path.Join(cur, part)+".py", hint)
			r.missWord(a, at, reason, rulePython, near, "python -m unittest %s: no module %s in %s", a.Text, part, cur)
			return
		}
		return
	}
}

func (c *Checker) checkPytestTarget(r *report, dir string, a command.Word, at locate) {
	rp := c.opts.Repo
	parts := strings.Split(a.Text, "::")
	file := path.Join(dir, parts[0])
	switch rp.Stat(file) {
	case repo.Missing:
		hint := c.nearbyName(file)
		r.missWord(a, at, c.missingIn(r, parts[0], file, hint), rulePython, shellPath(parts[0], dir, hint), "pytest: %s does not exist", parts[0])
		return
	case repo.Dir:
		return
	}
	if len(parts) == 1 {
		return
	}
	src, err := rp.ReadFile(file)
	if err != nil {
		return
	}
	defs := pythonDefs(string(src))
	for _, n := range parts[1:] {
		n, _, _ = strings.Cut(n, "[") // a parametrized id
		if n == "" || defs[n] {
			continue
		}
		// Sorted, so that ties resolve the same way on every run.
		near := c.nearest(n, slices.Sorted(maps.Keys(defs)))
		reason := ""
		if placeholderFilter(n, near) {
			// "pytest file.py::specific_test_in_this_module": a test
			// the reader picks, as a test filter of go or cargo is.
			reason = reasonPlaceholder
		}
		r.missWord(a, at, reason, rulePython, near, "pytest: %s defines no test or class %s", parts[0], n)
		return
	}
}

var pythonDef = regexp.MustCompile(`(?m)^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)`)

func pythonDefs(src string) map[string]bool {
	defs := map[string]bool{}
	for _, m := range pythonDef.FindAllStringSubmatch(src, -1) {
		defs[m[1]] = true
	}
	return defs
}
