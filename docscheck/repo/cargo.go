package repo

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// CargoPackage is what docscheck reads of one crate: its name and targets.
type CargoPackage struct {
	Name string
	// Dir holds its Cargo.toml, relative to the root.
	Dir string
	// Targets by kind ("bin", "test", "example", "bench"): the [[kind]]
	// tables and Cargo's file conventions (src/main.rs, src/bin/, tests/,
	// examples/, benches/).
	Targets map[string][]string
	// CustomHarness holds the [[test]] and [[bench]] targets, as
	// "kind/name", that set harness = false: their main reads the
	// command line itself, so a filter is theirs to interpret.
	CustomHarness map[string]bool
	testFns       []string
	fnsDone       bool
}

// CargoWorkspace is the workspace a cargo command runs in.
type CargoWorkspace struct {
	// Manifest is the workspace root's Cargo.toml (or the lone package's).
	Manifest string
	Packages []*CargoPackage
}

// Package finds a member by name.
func (w *CargoWorkspace) Package(name string) *CargoPackage {
	for _, p := range w.Packages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Names lists the member names.
func (w *CargoWorkspace) Names() []string {
	var out []string
	for _, p := range w.Packages {
		out = append(out, p.Name)
	}
	return out
}

// Cargo finds the workspace and the current package (nil in a virtual
// workspace root) that cargo uses from dir. A nil workspace means no
// Cargo.toml at or above dir.
func (r *Repo) Cargo(dir string) (*CargoWorkspace, *CargoPackage) {
	manifest := ""
	for d := clean(dir); ; d = path.Dir(d) {
		if p := path.Join(d, "Cargo.toml"); r.Stat(p) == File {
			manifest = p
			break
		}
		if d == "." {
			return nil, nil
		}
	}
	m := r.cargoManifest(manifest)
	root := manifest
	if m.tables["workspace"] == nil {
		// A member: its workspace is the nearest manifest above with a
		// [workspace] table, if any.
		for d := path.Dir(path.Dir(manifest)); ; d = path.Dir(d) {
			if p := path.Join(d, "Cargo.toml"); r.Stat(p) == File && r.cargoManifest(p).tables["workspace"] != nil {
				root = p
				break
			}
			if d == "." {
				break
			}
		}
	}
	ws := r.memo("cargo-ws", root, func() any { return r.cargoWorkspace(root) }).(*CargoWorkspace)
	var current *CargoPackage
	for _, p := range ws.Packages {
		if p.Dir == path.Dir(manifest) {
			current = p
		}
	}
	return ws, current
}

// cargoWorkspace lists the members of the workspace whose root manifest is
// root, by Cargo's documented rules: the root package, the folders the
// `members` globs match, and the path dependencies of members that lie in
// the workspace's folder; a folder under an `exclude` path is no member
// unless a `members` entry names it (or a folder above it) as it is.
func (r *Repo) cargoWorkspace(root string) *CargoWorkspace {
	ws := &CargoWorkspace{Manifest: root}
	m := r.cargoManifest(root)
	dir := path.Dir(root)
	w := m.tables["workspace"]
	if w == nil {
		w = newTOMLTable()
	}
	excluded := func(d string) bool {
		under := func(entries []string) bool {
			return slices.ContainsFunc(entries, func(e string) bool {
				e = clean(path.Join(dir, e))
				return d == e || strings.HasPrefix(d, e+"/") || e == "."
			})
		}
		return under(w.lists["exclude"]) && !under(w.lists["members"])
	}
	seen := map[string]bool{}
	var queue []string // members whose path dependencies are still to read
	add := func(d string, mm *tomlDoc) {
		if seen[d] || mm.tables["package"] == nil {
			return
		}
		seen[d] = true
		ws.Packages = append(ws.Packages, r.cargoPackage(d, mm))
		queue = append(queue, d)
	}
	if m.tables["package"] != nil {
		add(dir, m)
	}
	for _, pat := range w.lists["members"] {
		for _, d := range r.globDirs(dir, pat) {
			if p := path.Join(d, "Cargo.toml"); d != dir && !excluded(d) && r.Stat(p) == File {
				add(d, r.cargoManifest(p))
			}
		}
	}
	if m.tables["workspace"] == nil {
		return ws // a lone package: its path dependencies are their own workspaces' business
	}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		for _, dep := range cargoPathDeps(r.cargoManifest(path.Join(d, "Cargo.toml"))) {
			pd := clean(path.Join(d, dep))
			inside := dir == "." && pd != ".." && !strings.HasPrefix(pd, "../") || strings.HasPrefix(pd, dir+"/")
			if p := path.Join(pd, "Cargo.toml"); inside && !excluded(pd) && r.Stat(p) == File {
				add(pd, r.cargoManifest(p))
			}
		}
	}
	return ws
}

// cargoPathDeps lists the `path` of every dependency a manifest declares
// ([dependencies], [dev-dependencies], [build-dependencies], their
// [target.X.*] forms and [workspace.dependencies]), inline
// ({ path = "x" }) or as a table of its own ([dependencies.name]).
func cargoPathDeps(m *tomlDoc) []string {
	var out []string
	for name, t := range m.tables {
		if isCargoDepsTable(name) {
			for _, kv := range t.inline {
				if p := kv["path"]; p != "" {
					out = append(out, p)
				}
			}
		} else if i := strings.LastIndexByte(name, '.'); i > 0 && isCargoDepsTable(name[:i]) && t.strings["path"] != "" {
			out = append(out, t.strings["path"])
		}
	}
	slices.Sort(out)
	return out
}

func isCargoDepsTable(name string) bool {
	for _, kind := range []string{"dependencies", "dev-dependencies", "build-dependencies"} {
		if name == kind || name == "workspace."+kind || strings.HasPrefix(name, "target.") && strings.HasSuffix(name, "."+kind) {
			return true
		}
	}
	return false
}

// CargoDependency reports whether a package that is no member is still a
// package cargo's -p can name: a dependency a member's manifest (or the
// workspace's) declares, or a package of the workspace's Cargo.lock.
// `cargo build -p dep` builds a dependency of the workspace.
func (r *Repo) CargoDependency(w *CargoWorkspace, name string) bool {
	names := r.memo("cargo-deps", w.Manifest, func() any {
		set := map[string]bool{}
		manifests := []string{w.Manifest}
		for _, p := range w.Packages {
			manifests = append(manifests, path.Join(p.Dir, "Cargo.toml"))
		}
		for _, mf := range manifests {
			for tname, t := range r.cargoManifest(mf).tables {
				if isCargoDepsTable(tname) {
					for key := range t.keys {
						set[key] = true
					}
					for _, kv := range t.inline {
						set[kv["package"]] = true // a renamed dependency's real name
					}
				} else if i := strings.LastIndexByte(tname, '.'); i > 0 && isCargoDepsTable(tname[:i]) {
					set[tname[i+1:]], set[t.strings["package"]] = true, true
				}
			}
		}
		lock := path.Join(path.Dir(w.Manifest), "Cargo.lock")
		if r.Stat(lock) == File {
			for _, t := range r.cargoManifest(lock).arrays["package"] {
				set[t.strings["name"]] = true
			}
		}
		delete(set, "")
		return set
	}).(map[string]bool)
	return names[name]
}

func (r *Repo) cargoPackage(dir string, m *tomlDoc) *CargoPackage {
	p := &CargoPackage{Name: m.tables["package"].strings["name"], Dir: dir, Targets: map[string][]string{}}
	for _, kind := range []string{"bin", "test", "example", "bench"} {
		for _, t := range m.arrays[kind] {
			if n := t.strings["name"]; n != "" {
				p.Targets[kind] = append(p.Targets[kind], n)
				if t.bare["harness"] == "false" {
					if p.CustomHarness == nil {
						p.CustomHarness = map[string]bool{}
					}
					p.CustomHarness[kind+"/"+n] = true
				}
			}
		}
	}
	if r.Stat(path.Join(dir, "src/main.rs")) == File {
		p.Targets["bin"] = append(p.Targets["bin"], p.Name)
	}
	for kind, folder := range map[string]string{"bin": "src/bin", "test": "tests", "example": "examples", "bench": "benches"} {
		d := path.Join(dir, folder)
		for _, n := range r.Names(d) {
			switch {
			case strings.HasSuffix(n, ".rs") && r.Stat(path.Join(d, n)) == File:
				p.Targets[kind] = append(p.Targets[kind], strings.TrimSuffix(n, ".rs"))
			case r.Stat(path.Join(d, n, "main.rs")) == File:
				p.Targets[kind] = append(p.Targets[kind], n)
			}
		}
	}
	for k, v := range p.Targets {
		slices.Sort(v)
		p.Targets[k] = slices.Compact(v)
	}
	return p
}

// rustTest finds the function under a test attribute: #[test],
// #[tokio::test], #[rstest], #[test_case(...)], ...
var rustTest = regexp.MustCompile(`#\[\s*(?:[\w:]*::)?(?:test|rstest|test_case|tokio::test|async_std::test)\b[^\]]*\](?:\s*#\[[^\]]*\])*\s*(?:pub\s+)?(?:async\s+)?fn\s+(\w+)`)

// CargoTestFns lists the test function names in the package's src/ and tests/.
func (r *Repo) CargoTestFns(p *CargoPackage) []string {
	return r.memo("cargo-fns", p.Dir, func() any {
		var names []string
		for _, sub := range []string{"src", "tests"} {
			r.walkFiles(path.Join(p.Dir, sub), ".rs", func(f string) {
				if src, err := r.ReadFile(f); err == nil {
					for _, m := range rustTest.FindAllSubmatch(src, -1) {
						names = append(names, string(m[1]))
					}
				}
			})
		}
		return names
	}).([]string)
}

// HasExtension reports whether a file of the tree (outside hidden,
// target and node_modules folders, as walkFiles walks) has the
// extension ext (".ros"), in any case: the tree's own sources are
// written in that language.
func (r *Repo) HasExtension(ext string) bool {
	exts := r.memo("extensions", ".", func() any {
		seen := map[string]bool{}
		r.walkFiles(".", "", func(p string) { seen[strings.ToLower(path.Ext(p))] = true })
		return seen
	}).(map[string]bool)
	return exts[strings.ToLower(ext)]
}

func (r *Repo) walkFiles(dir, ext string, f func(string)) {
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch r.WalkStat(p) {
		case Dir:
			if !strings.HasPrefix(n, ".") && n != "target" && n != "node_modules" {
				r.walkFiles(p, ext, f)
			}
		case File:
			if strings.HasSuffix(n, ext) {
				f(p)
			}
		}
	}
}

// tomlDoc is the subset of TOML a Cargo.toml needs here: tables, arrays
// of tables, string values, arrays of strings (one line or several) and
// the string keys of inline tables ({ path = "x" }).
type tomlDoc struct {
	tables map[string]*tomlTable
	arrays map[string][]*tomlTable
}

type tomlTable struct {
	strings map[string]string
	lists   map[string][]string
	inline  map[string]map[string]string
	// bare holds the values written without quotes (harness = false).
	bare map[string]string
	// keys holds every key set in the table, by its first dotted part
	// (serde.workspace = true sets serde).
	keys map[string]bool
}

func newTOMLTable() *tomlTable {
	return &tomlTable{strings: map[string]string{}, lists: map[string][]string{}, inline: map[string]map[string]string{}, bare: map[string]string{}, keys: map[string]bool{}}
}

func (r *Repo) cargoManifest(p string) *tomlDoc {
	return r.memo("cargo", p, func() any {
		src, _ := r.ReadFile(p)
		return parseTOML(string(src))
	}).(*tomlDoc)
}

var (
	tomlString    = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"|'([^']*)'`)
	tomlInlineKey = regexp.MustCompile(`([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`)
)

// tomlCode is a TOML line without its comment: the text before a "#"
// that no string holds. A comment inside an array may hold a quote
// ("# Bevy's crates") that would otherwise open a string.
func tomlCode(line string) string {
	end := len(line)
	tomlScan(line, func(i int, c byte) bool {
		if c == '#' {
			end = i
			return false
		}
		return true
	})
	return line[:end]
}

// tomlDepth is how many brackets and braces of s, outside strings, are
// still open at its end.
func tomlDepth(s string) int {
	depth := 0
	tomlScan(s, func(_ int, c byte) bool {
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		return true
	})
	return depth
}

// tomlScan calls f with each byte of s that no string holds, and its
// index, until f returns false.
func tomlScan(s string, f func(i int, c byte) bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		default:
			if !f(i, c) {
				return
			}
		}
	}
}

func parseTOML(src string) *tomlDoc {
	doc := &tomlDoc{tables: map[string]*tomlTable{}, arrays: map[string][]*tomlTable{}}
	cur := newTOMLTable()
	doc.tables[""] = cur
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(tomlCode(lines[i]))
		switch {
		case line == "":
		case strings.HasPrefix(line, "[["):
			name := strings.TrimSpace(strings.Trim(line[:strings.Index(line+"]]", "]]")], "[ "))
			cur = newTOMLTable()
			doc.arrays[name] = append(doc.arrays[name], cur)
		case strings.HasPrefix(line, "["):
			name := strings.TrimSpace(strings.Trim(line[:strings.Index(line+"]", "]")], "[ "))
			cur = newTOMLTable()
			doc.tables[name] = cur
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			key, value = strings.Trim(strings.TrimSpace(key), `"'`), strings.TrimSpace(value)
			first, _, _ := strings.Cut(key, ".")
			cur.keys[strings.Trim(first, `"' `)] = true
			if strings.HasPrefix(value, "[") || strings.HasPrefix(value, "{") {
				// An array or inline table may run over several lines,
				// each with a comment of its own.
				for tomlDepth(value) > 0 && i+1 < len(lines) {
					i++
					value += " " + strings.TrimSpace(tomlCode(lines[i]))
				}
			}
			switch {
			case strings.HasPrefix(value, "["):
				for _, m := range tomlString.FindAllStringSubmatch(value, -1) {
					cur.lists[key] = append(cur.lists[key], m[1]+m[2])
				}
			case strings.HasPrefix(value, "{"):
				kv := map[string]string{}
				for _, m := range tomlInlineKey.FindAllStringSubmatch(value, -1) {
					kv[m[1]] = m[2] + m[3]
				}
				cur.inline[key] = kv
			default:
				if m := tomlString.FindStringSubmatch(value); m != nil && strings.HasPrefix(value, m[0][:1]) {
					cur.strings[key] = m[1] + m[2]
				} else {
					cur.bare[key] = value
				}
			}
		}
	}
	return doc
}
