package check

import (
	"slices"
	"strconv"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// cargoBuilds are the cargo commands whose crate, target and test-name
// arguments are checked; the aliases are cargo's own.
var cargoBuilds = map[string]string{
	"test": "test", "t": "test", "run": "run", "r": "run", "build": "build", "b": "build",
	"bench": "bench", "check": "check", "c": "check",
}

// cargoValueFlags take a value (the next word, or after "=").
var cargoValueFlags = map[string]bool{
	"-p": true, "--package": true, "--test": true, "--bin": true, "--example": true, "--bench": true,
	"--manifest-path": true, "-F": true, "--features": true, "--target": true, "--profile": true,
	"-j": true, "--jobs": true, "--target-dir": true, "--color": true, "-Z": true, "--config": true,
	"--exclude": true, "--message-format": true,
}

var cargoTargetFlags = map[string]string{"--test": "test", "--bin": "bin", "--example": "example", "--bench": "bench"}

func (c *Checker) checkCargo(r *report, call command.Call, at locate) bool {
	args := call.Args()
	if len(args) > 0 && strings.HasPrefix(args[0].Text, "+") {
		args = args[1:] // +toolchain
	}
	if len(args) == 0 {
		return false
	}
	sub, ok := cargoBuilds[args[0].Text]
	if !ok {
		return false // install, add, fmt, clippy, ...: not judged
	}
	var pkgs []command.Word
	targets := map[string][]command.Word{}
	var filters []command.Word
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a.Text == "--" {
			break
		}
		name, _, _ := strings.Cut(a.Text, "=")
		if !cargoValueFlags[name] {
			if !strings.HasPrefix(a.Text, "-") {
				filters = append(filters, a)
			}
			continue
		}
		var w command.Word
		if w, i = optionValue(args, i); w.Text == "" {
			continue
		}
		switch {
		case name == "--manifest-path":
			return false
		case name == "-p" || name == "--package":
			pkgs = append(pkgs, w)
		case cargoTargetFlags[name] != "":
			targets[cargoTargetFlags[name]] = append(targets[cargoTargetFlags[name]], w)
		}
	}
	ws, current := c.opts.Repo.Cargo(call.Dir)
	if ws == nil {
		r.missWord(call.Words[0], at, r.noManifest(call.Dir), ruleCargo, "", "cargo %s: no Cargo.toml in %s or above", sub, where(call.Dir))
		return true
	}
	// The packages in scope: those named, else the current one, else
	// (a virtual workspace root) all members.
	var scope []*repo.CargoPackage
	for _, w := range pkgs {
		if w.Dynamic() || strings.ContainsAny(w.Text, "*?") {
			return true
		}
		name, _, _ := strings.Cut(w.Text, "@")
		p := ws.Package(name)
		if p == nil {
			reason := ""
			hint := c.nearest(name, ws.Names())
			if c.opts.Repo.CargoDependency(ws, name) {
				// -p also names a package the workspace depends on
				// (cargo build -p serde builds that dependency).
				reason = reasonDependency
			} else if placeholderFilter(name, hint) {
				// "cargo test -p wasmtime-whatever": a member of the
				// reader's choosing, as a workspace filter may be.
				reason = reasonPlaceholder
			}
			r.missWord(w, at, reason, ruleCargo, hint, "no package %q in the workspace of %s", name, ws.Manifest)
			return true
		}
		scope = append(scope, p)
	}
	if len(scope) == 0 {
		if current != nil {
			scope = []*repo.CargoPackage{current}
		} else {
			scope = ws.Packages
		}
	}
	for _, kind := range []string{"test", "bin", "example", "bench"} {
		for _, w := range targets[kind] {
			if w.Dynamic() || strings.ContainsAny(w.Text, "*?") {
				continue
			}
			var names []string
			for _, p := range scope {
				names = append(names, p.Targets[kind]...)
			}
			if !slices.Contains(names, w.Text) {
				r.addWord(w, at, ruleCargo, c.nearest(w.Text, names), "no %s target %q in %s", kind, w.Text, packageNames(scope))
			}
		}
	}
	if (sub == "test" || sub == "bench") && len(filters) > 0 && !customHarness(scope, sub, targets[sub]) {
		c.checkCargoFilter(r, at, filters[0], scope)
	}
	return true
}

// customHarness reports whether a test or bench target that the command
// runs (those named with --test or --bench, else every one of its kind in
// scope) sets harness = false: its own main reads the filter, which may
// name tests it generates (a spec-test runner's Cranelift/tests/spec), so
// no #[test] function need match it.
func customHarness(scope []*repo.CargoPackage, kind string, named []command.Word) bool {
	for _, p := range scope {
		if len(named) == 0 {
			for _, n := range p.Targets[kind] {
				if p.CustomHarness[kind+"/"+n] {
					return true
				}
			}
		}
		for _, w := range named {
			if p.CustomHarness[kind+"/"+w.Text] {
				return true
			}
		}
	}
	return false
}

// checkCargoFilter: cargo test NAME runs the tests whose path contains
// NAME; the last "::" part must be part of some test function's name.
// Packages without any visible #[test] (tests from macros) are not judged.
func (c *Checker) checkCargoFilter(r *report, at locate, w command.Word, scope []*repo.CargoPackage) {
	if w.Dynamic() {
		return
	}
	var fns []string
	for _, p := range scope {
		fns = append(fns, c.opts.Repo.CargoTestFns(p)...)
	}
	if len(fns) == 0 {
		return
	}
	last := w.Text[strings.LastIndex(w.Text, "::")+1:]
	last = strings.TrimPrefix(last, ":")
	if last == "" || slices.ContainsFunc(fns, func(fn string) bool { return strings.Contains(fn, last) }) {
		return
	}
	hint := c.nearest(last, fns)
	reason := ""
	if placeholderFilter(last, hint) {
		reason = reasonPlaceholder // cargo test mytest: the reader's test
	}
	r.missWord(w, at, reason, ruleCargo, hint, "cargo test filter %q matches no #[test] function in %s", w.Text, packageNames(scope))
}

func packageNames(ps []*repo.CargoPackage) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if len(names) > 3 {
		return names[0] + " and " + strconv.Itoa(len(names)-1) + " more packages"
	}
	return strings.Join(names, ", ")
}
