package check

import (
	"path"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// Ecosystem rules.
const (
	ruleNPM    = "npm-script"
	ruleCargo  = "cargo"
	rulePython = "python"
)

// ecosystemPrograms are programs judgeEcosystem judges against the
// tree's files (package managers, test and task runners): followed by
// something, they are commands in inline code and in an untagged block
// too, like make and go. pip is not one: "pip install -r
// requirements.txt" opens many an untagged block of steps written from
// another folder than the block before it left the reader in.
var ecosystemPrograms = map[string]bool{
	"npm": true, "yarn": true, "pnpm": true, "bun": true, "cargo": true, "python": true, "python3": true, "pytest": true, "rspec": true,
	"nox": true, "tox": true, "just": true,
}

// judgeEcosystem checks commands of package managers and build tools
// against their manifests (package.json, Cargo.toml, the Python tree). It
// reports whether it judged the call; false leaves it "not checked".
func (c *Checker) judgeEcosystem(r *report, call command.Call, at locate) bool {
	if call.Dir == "" {
		return false // an unknowable cd came first
	}
	switch call.Program() {
	case "npm":
		return c.checkNPM(r, call, at)
	case "yarn":
		return c.checkYarn(r, call, at)
	case "pnpm":
		return c.checkPNPM(r, call, at)
	case "bun":
		return c.checkBun(r, call, at)
	case "cargo":
		return c.checkCargo(r, call, at)
	case "python", "python3":
		return c.checkPythonModule(r, call, at)
	case "pytest", "py.test":
		return c.checkPytest(r, call, at, call.Args())
	case "rspec":
		return c.checkRSpec(r, call, at)
	case "nox":
		return c.checkNox(r, call, at, call.Args())
	case "tox":
		return c.checkTox(r, call, at, call.Args())
	case "just":
		return c.checkJust(r, call, at)
	case "pip", "pip3":
		return c.checkPip(r, call, at, call.Args())
	case "uv":
		if args := call.Args(); len(args) > 0 && args[0].Text == "pip" {
			return c.checkPip(r, call, at, args[1:])
		}
	}
	return false
}

// npmLifecycle are the npm commands that run the script of the same name.
var npmLifecycle = map[string]bool{"test": true, "t": true, "tst": true, "start": true, "stop": true, "restart": true}

func (c *Checker) checkNPM(r *report, call command.Call, at locate) bool {
	args := call.Args()
	var workspace *command.Word
	var rest []command.Word
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a.Text == "--":
			rest = append(rest, args[i:]...)
			i = len(args)
		case a.Text == "-w" || a.Text == "--workspace":
			if i+1 < len(args) {
				workspace = &args[i+1]
				i++
			}
		case strings.HasPrefix(a.Text, "--workspace="):
			w := a
			w.Text = strings.TrimPrefix(a.Text, "--workspace=")
			w.Col += len("--workspace=")
			workspace = &w
		case a.Text == "--workspaces" || a.Text == "-ws" || a.Text == "--if-present" || a.Text == "--prefix" || strings.HasPrefix(a.Text, "--prefix="):
			return false // every workspace, optional, or another folder: not judged
		case strings.HasPrefix(a.Text, "-"):
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 {
		return false
	}
	sub := rest[0]
	var script command.Word
	switch {
	case sub.Text == "run" || sub.Text == "run-script" || sub.Text == "rum" || sub.Text == "urn":
		if len(rest) < 2 || rest[1].Text == "--" {
			return false // lists the scripts
		}
		script = rest[1]
	case npmLifecycle[sub.Text]:
		script = testAlias(sub)
	default:
		return false // install, ci, publish, ...: nothing in the tree to check
	}
	return c.checkScript(r, call, at, "npm", script, workspace, sub.Text == "start")
}

// yarnCommands are yarn's own commands (classic and berry): "yarn X" with
// any other X runs the script X, or else a package binary.
var yarnCommands = map[string]bool{
	"add": true, "install": true, "remove": true, "upgrade": true, "up": true, "init": true, "info": true,
	"why": true, "config": true, "cache": true, "global": true, "link": true, "unlink": true, "pack": true,
	"publish": true, "version": true, "versions": true, "dlx": true, "exec": true, "create": true, "bin": true,
	"audit": true, "outdated": true, "licenses": true, "list": true, "import": true, "login": true,
	"logout": true, "owner": true, "policies": true, "tag": true, "team": true, "workspaces": true,
	"node": true, "set": true, "plugin": true, "constraints": true, "explain": true, "npm": true,
	"patch": true, "patch-commit": true, "rebuild": true, "search": true, "stage": true, "unplug": true,
	"dedupe": true, "autoclean": true, "check": true, "help": true, "generate-lock-entry": true,
	"upgrade-interactive": true, "self-update": true,
}

func (c *Checker) checkYarn(r *report, call command.Call, at locate) bool {
	args := nonFlags(call.Args())
	if len(args) == 0 {
		return false // yarn alone installs
	}
	var workspace *command.Word
	if args[0].Text == "workspace" {
		if len(args) < 3 {
			return false
		}
		workspace, args = &args[1], args[2:]
		if _, ok := c.workspaceMember(r, call, at, "yarn", *workspace); !ok {
			return true // whatever runs in it, the workspace is not there (or not known)
		}
	}
	sub := args[0]
	switch {
	case sub.Text == "run":
		if len(args) < 2 {
			return false
		}
		return c.checkScript(r, call, at, "yarn", args[1], workspace, false)
	case yarnCommands[sub.Text]:
		return false
	}
	return c.checkBareScript(r, call, at, "yarn", sub, workspace)
}

// testAlias is the script npm and pnpm run for their test command's
// aliases: "npm t", "pnpm tst" run "test".
func testAlias(w command.Word) command.Word {
	if w.Text == "t" || w.Text == "tst" {
		w.Text = "test"
	}
	return w
}

// pnpmCommands are pnpm's own commands.
var pnpmCommands = map[string]bool{
	"add": true, "install": true, "i": true, "update": true, "up": true, "remove": true, "rm": true,
	"link": true, "unlink": true, "import": true, "rebuild": true, "prune": true, "fetch": true,
	"patch": true, "patch-commit": true, "audit": true, "list": true, "ls": true, "outdated": true,
	"why": true, "licenses": true, "exec": true, "dlx": true, "create": true, "publish": true, "pack": true,
	"store": true, "root": true, "bin": true, "setup": true, "init": true, "env": true, "config": true,
	"deploy": true, "doctor": true, "server": true, "recursive": true, "help": true, "self-update": true,
}

func (c *Checker) checkPNPM(r *report, call command.Call, at locate) bool {
	args := call.Args()
	var filters []command.Word
	var rest []command.Word
	for i := 0; i < len(args); i++ {
		a := args[i]
		named := len(rest) > 0 && rest[0].Text != "run" && rest[0].Text != "run-script" || len(rest) > 1
		switch {
		case named:
			// pnpm (since v7) hands what follows the script's name to the
			// script; older versions read their own options there too, so
			// one that would change the selection leaves it not judged.
			if isFilterFlag(a) ||
				a.Text == "-r" || a.Text == "--recursive" || a.Text == "--if-present" || a.Text == "-C" || a.Text == "--dir" {
				return false
			}
		case isFilterFlag(a):
			if w, took := filterValue(args, i); took > 0 {
				filters = append(filters, w)
				i += took - 1
			}
		case a.Text == "-r" || a.Text == "--recursive" || a.Text == "--if-present" || a.Text == "-C" || a.Text == "--dir":
			return false
		case strings.HasPrefix(a.Text, "-"):
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 {
		return false
	}
	var workspace *command.Word
	switch {
	case len(filters) > 1:
		// Several filters select their union; which package runs the
		// script is not one name's question.
		r.missWord(filters[0], at, reasonWorkspaceFilter, ruleNPM, "", "pnpm: %d filters select several packages", len(filters))
		return true
	case len(filters) == 1:
		workspace = &filters[0]
	}
	sub := rest[0]
	switch {
	case sub.Text == "run" || sub.Text == "run-script":
		if len(rest) < 2 {
			return false
		}
		return c.checkScript(r, call, at, "pnpm", rest[1], workspace, false)
	case testAlias(sub).Text == "test" || sub.Text == "start":
		return c.checkScript(r, call, at, "pnpm", testAlias(sub), workspace, sub.Text == "start")
	case pnpmCommands[sub.Text]:
		return false
	}
	return c.checkBareScript(r, call, at, "pnpm", sub, workspace)
}

// checkBun judges "bun run X" (with "--filter W" before X, bun's
// workspaces): bun runs the package.json script X, or else the file X, or
// else a package binary X, so, as "yarn X", only a script one typo from
// one of the package's, or in one of its families of scripts ("lint:fix"
// beside lint:format), is certainly missing; a file X is judged as bash X
// is. "bun X" alone, and options docscheck does not read, are not judged.
func (c *Checker) checkBun(r *report, call command.Call, at locate) bool {
	args := call.Args()
	var filters, rest []command.Word
	for i := 0; i < len(args) && len(rest) < 2; i++ {
		a := args[i]
		switch {
		case isFilterFlag(a):
			if w, took := filterValue(args, i); took > 0 {
				filters = append(filters, w)
				i += took - 1
			}
		case a.Text == "--cwd" || strings.HasPrefix(a.Text, "--cwd=") || a.Text == "--workspaces" || a.Text == "--if-present" || a.Text == "--":
			return false // another folder, every workspace, optional
		case strings.HasPrefix(a.Text, "-"):
			if !strings.Contains(a.Text, "=") && strings.HasPrefix(a.Text, "--") && i+1 < len(args) && !strings.HasPrefix(args[i+1].Text, "-") && args[i+1].Text != "run" && len(rest) == 0 {
				return false // "--flag value" before run: which word is which is unclear
			}
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) < 2 || rest[0].Text != "run" || len(filters) > 1 {
		return false
	}
	script := rest[1]
	if path.Ext(script.Text) != "" || strings.Contains(script.Text, "/") {
		return c.checkRunnerScript(r, command.Call{Words: []command.Word{call.Words[0], rest[0], script}, Dir: call.Dir}, at)
	}
	var workspace *command.Word
	if len(filters) == 1 {
		if f := filters[0].Text; strings.ContainsAny(f, "*{}[]!^") || strings.HasPrefix(f, "./") || strings.HasPrefix(f, "../") {
			r.missWord(filters[0], at, reasonWorkspaceFilter, ruleNPM, "", "bun: filter %q is an expression", filters[0].Text)
			return true
		}
		workspace = &filters[0]
	}
	return c.checkBareScript(r, call, at, "bun", script, workspace)
}

func nonFlags(words []command.Word) []command.Word {
	var out []command.Word
	for _, w := range words {
		if w.Text == "--" {
			break
		}
		if !strings.HasPrefix(w.Text, "-") {
			out = append(out, w)
		}
	}
	return out
}

// scriptPackage finds the package.json a script command runs against: the
// nearest one from the working folder, or the named workspace of it. False
// when the command is decided (a finding, or a case not judged).
func (c *Checker) scriptPackage(r *report, call command.Call, at locate, tool string, workspace *command.Word) (*repo.PackageJSON, bool) {
	if workspace != nil {
		return c.workspaceMember(r, call, at, tool, *workspace)
	}
	pkg := c.opts.Repo.NearestPackageJSON(call.Dir)
	if pkg == nil {
		r.missWord(call.Words[0], at, r.noManifest(call.Dir), ruleNPM, "", "%s: no package.json in %s or above", tool, where(call.Dir))
		return nil, false
	}
	if pkg.Err != nil {
		r.addWord(call.Words[0], at, ruleNPM, "", "%s: %s is not valid JSON: %v", tool, pkg.Path, pkg.Err)
		return nil, false
	}
	return pkg, true
}

// workspaceMember is the one reading of every workspace-filtered run (npm
// -w X, --workspace X or --workspace=X; pnpm --filter X, --filter=X or
// -F X; yarn workspace X): the member of the workspace root's package.json
// (the nearest one at or above the working folder that declares
// workspaces) that X names. False when the command is decided: a name the
// known workspaces do not hold is a finding whatever the script; a
// selection docscheck cannot work out (a filter expression, a name only
// the shell knows, a folder of several workspaces, no workspaces known)
// is not judged.
func (c *Checker) workspaceMember(r *report, call command.Call, at locate, tool string, workspace command.Word) (*repo.PackageJSON, bool) {
	pkg := c.opts.Repo.WorkspaceRootPackageJSON(call.Dir)
	switch {
	case pkg == nil:
		r.missWord(call.Words[0], at, r.noManifest(call.Dir), ruleNPM, "", "%s: no package.json in %s or above", tool, where(call.Dir))
		return nil, false
	case pkg.Err != nil:
		r.addWord(call.Words[0], at, ruleNPM, "", "%s: %s is not valid JSON: %v", tool, pkg.Path, pkg.Err)
		return nil, false
	case workspace.Dynamic():
		return nil, false
	case tool == "pnpm" && strings.ContainsAny(workspace.Text, "*.{}[]!^"):
		// A filter expression (a glob, a path, "pkg...", "^pkg"), not one
		// package's name.
		r.missWord(workspace, at, reasonWorkspaceFilter, ruleNPM, "", "%s: filter %q is an expression", tool, workspace.Text)
		return nil, false
	}
	if tool == "pnpm" && pkg.Name != "" && pkg.Name == workspace.Text && len(pkg.Workspaces) > 0 {
		// pnpm always counts the workspace's root package among its
		// projects, so a filter may select it by name.
		return pkg, true
	}
	if w := workspaceNamed(pkg, tool, workspace.Text); w != nil {
		return w, true
	}
	if len(pkg.Workspaces) == 0 {
		// No workspaces known here (none declared, or in a form not
		// read): which package the name selects is unknown.
		r.missWord(workspace, at, reasonWorkspaceFilter, ruleNPM, "", "%s: no workspaces known in %s", tool, pkg.Path)
		return nil, false
	}
	if tool == "npm" && slices.ContainsFunc(pkg.Workspaces, func(w *repo.PackageJSON) bool {
		return strings.HasPrefix(w.Path, path.Join(path.Dir(pkg.Path), workspace.Text)+"/")
	}) {
		// npm -w takes a folder of workspaces too, and runs in each.
		r.missWord(workspace, at, reasonWorkspaceFilter, ruleNPM, "", "%s: workspace %q is a folder of workspaces", tool, workspace.Text)
		return nil, false
	}
	var names []string
	for _, m := range pkg.Workspaces {
		names = append(names, m.Name)
	}
	hint, reason := c.nearest(workspace.Text, names), ""
	if hint == "" && isPlaceholderIdent(workspace.Text) {
		reason = reasonPlaceholder // -w @scope/website-name: one of the reader's choosing
	}
	r.missWord(workspace, at, reason, ruleNPM, hint, "%s: no workspace %q in %s", tool, workspace.Text, pkg.Path)
	return nil, false
}

// checkScript: the script must be defined. npm start without a start
// script runs server.js, so that counts too.
func (c *Checker) checkScript(r *report, call command.Call, at locate, tool string, script command.Word, workspace *command.Word, start bool) bool {
	if script.Dynamic() {
		return false
	}
	pkg, ok := c.scriptPackage(r, call, at, tool, workspace)
	if !ok {
		return true
	}
	if _, ok := pkg.Scripts[script.Text]; ok {
		return true
	}
	if start && c.opts.Repo.Stat(strings.TrimSuffix(pkg.Path, "package.json")+"server.js") == repo.File {
		return true
	}
	near := c.nearest(script.Text, pkg.ScriptNames())
	hint := ""
	if near != "" {
		hint = "`" + tool + " run " + near + "`"
	}
	reason := ""
	if placeholderFilter(script.Text, near) {
		// "npm run dev:foo" beside dev:auth: a script of a family
		// written with a word of choice, which the reader names; a near
		// miss of a real script ("dev:auht") is still a typo.
		reason = reasonPlaceholder
	}
	if reason == "" && workspace == nil && slices.ContainsFunc(pkg.Workspaces, func(w *repo.PackageJSON) bool { _, ok := w.Scripts[script.Text]; return ok }) {
		// A workspace member defines it: the reader may be meant to
		// stand in that member's folder.
		reason = reasonInWorkspace
	}
	if reason == "" && workspace == nil && c.scriptElsewhere(r, call.Dir, script.Text, pkg.Path) {
		// "run `npm run generate` in the client directory", and the
		// page cds there too: the package.json there has it.
		reason = reasonScriptElsewhere
	}
	if reason == "" && hint == "" && workspace == nil && !r.session.inClone && !r.session.atOwnRoot && (c.site(r.page.path) != nil || c.unmodelledGenerator(r.page.path) != "") {
		// A site's pages speak to its readers, who run their own
		// project: neither the package.json beside the site's config
		// (it builds the site) nor the repository's is what the page
		// has them run (a near miss of one of its scripts still meant
		// it). That holds for the pages of a generator docscheck
		// recognises but does not model as much as for a modelled one.
		// Not once the page has the reader in their clone of this
		// repository (a cd into it, or "in the root directory of X"
		// naming it): its package.json is what they run.
		reason = reasonReadersProject
	}
	r.missWord(script, at, reason, ruleNPM, hint, "%s script %q is not defined in %s", tool, script.Text, pkg.Path)
	return true
}

// workspaceNamed is the member of pkg's workspaces a tool's workspace
// option names: pnpm's --filter also takes a package's name without its
// scope.
func workspaceNamed(pkg *repo.PackageJSON, tool, name string) *repo.PackageJSON {
	if tool == "pnpm" {
		return pkg.PnpmFilter(name)
	}
	return pkg.Workspace(name)
}

// checkBareScript is "yarn X" / "pnpm X" for an X that is no command of
// the tool: a script X, or else a binary of an installed package, which
// docscheck cannot see. Only a near miss of a script is reported.
func (c *Checker) checkBareScript(r *report, call command.Call, at locate, tool string, script command.Word, workspace *command.Word) bool {
	if script.Dynamic() {
		return false
	}
	if workspace != nil {
		pkg, ok := c.workspaceMember(r, call, at, tool, *workspace)
		if !ok {
			return true
		}
		return c.checkBareScriptIn(r, at, tool, script, pkg)
	}
	pkg := c.opts.Repo.NearestPackageJSON(call.Dir)
	if pkg == nil && r.noManifest(call.Dir) != "" {
		// Not certain from where the page starts (the reader's own
		// project may be meant), but not right either: another folder
		// the reader may be in (the page's own, with its package.json)
		// still judges it.
		r.missWord(call.Words[0], at, reasonNoManifest, ruleNPM, "", "%s: no package.json in %s or above", tool, where(call.Dir))
		return true
	}
	if pkg == nil || pkg.Err != nil {
		return false
	}
	return c.checkBareScriptIn(r, at, tool, script, pkg)
}

// checkBareScriptIn judges "yarn X" / "pnpm X" against one package.json.
func (c *Checker) checkBareScriptIn(r *report, at locate, tool string, script command.Word, pkg *repo.PackageJSON) bool {
	if _, ok := pkg.Scripts[script.Text]; ok {
		return true
	}
	for _, name := range pkg.ScriptNames() {
		if oneTypo(script.Text, name) {
			r.addWord(script, at, ruleNPM, "`"+tool+" "+name+"`", "%s script %q is not defined in %s", tool, script.Text, pkg.Path)
			return true
		}
	}
	if family, _, ok := strings.Cut(script.Text, ":"); ok && family != "" && !slices.ContainsFunc(pkg.Workspaces, func(w *repo.PackageJSON) bool { _, ok := w.Scripts[script.Text]; return ok }) &&
		slices.ContainsFunc(pkg.ScriptNames(), func(name string) bool { return strings.HasPrefix(name, family+":") }) {
		// "lint:www" where the package's scripts are lint:docs,
		// lint:fix, ...: a name in the package's own family of
		// scripts. A command's name never holds a colon, so no binary
		// answers it, and no workspace member has the script either.
		// (A plain "build" script alone is no family: "build:x" may be
		// another project's script, one the prose sends the reader to.)
		hint := c.nearest(script.Text, pkg.ScriptNames())
		if hint != "" {
			hint = "`" + tool + " " + hint + "`"
		}
		r.addWord(script, at, ruleNPM, hint, "%s script %q is not defined in %s", tool, script.Text, pkg.Path)
		return true
	}
	// Not certain here, but not right either: from another folder the
	// reader may be in (the page's own), a near miss still decides.
	r.missWord(script, at, reasonPackageBinary, ruleNPM, "", "%s script %q is not defined in %s", tool, script.Text, pkg.Path)
	return true
}

// oneTypo reports whether a is b with one letter changed, added, dropped
// or two neighbours swapped, or b's words joined by the other separator
// (example_use_case for example-use-case: one slip of naming convention,
// however many words): close enough that no package binary is the
// likelier reading.
func oneTypo(a, b string) bool {
	if a == b {
		return false
	}
	if otherSeparators(a, b) {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) < len(rb) {
		return string(ra[i:]) == string(rb[i+1:])
	}
	if string(ra[i+1:]) == string(rb[i+1:]) {
		return true
	}
	return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
}

// otherSeparators reports whether a and b differ only where one has a
// hyphen and the other an underscore.
func otherSeparators(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if a[i] != b[i] && !(strings.IndexByte("-_", a[i]) >= 0 && strings.IndexByte("-_", b[i]) >= 0) {
			return false
		}
	}
	return true
}

func where(dir string) string {
	if dir == "." || dir == "" {
		return "the repository root"
	}
	return dir
}

// isFilterFlag reports whether a is pnpm's or bun's workspace filter,
// "--filter x", "-F x" or "--filter=x".
func isFilterFlag(a command.Word) bool {
	return a.Text == "--filter" || a.Text == "-F" || strings.HasPrefix(a.Text, "--filter=")
}

// filterValue is the selector of the filter flag at args[i] and how many
// words flag and selector take (0: a flag without its value).
func filterValue(args []command.Word, i int) (command.Word, int) {
	if w, ok := strings.CutPrefix(args[i].Text, "--filter="); ok {
		sel := args[i]
		sel.Text = w
		sel.Col += len("--filter=")
		return sel, 1
	}
	if i+1 < len(args) {
		return args[i+1], 2
	}
	return command.Word{}, 0
}
