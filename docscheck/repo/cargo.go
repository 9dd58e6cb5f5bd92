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
	testFns []string
	fnsDone bool
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

func (r *Repo) cargoWorkspace(root string) *CargoWorkspace {
	ws := &CargoWorkspace{Manifest: root}
	m := r.cargoManifest(root)
	dir := path.Dir(root)
	if m.tables["package"] != nil {
		ws.Packages = append(ws.Packages, r.cargoPackage(dir, m))
	}
	if w := m.tables["workspace"]; w != nil {
		for _, pat := range w.lists["members"] {
			for _, d := range r.globDirs(dir, pat) {
				if p := path.Join(d, "Cargo.toml"); d != dir && r.Stat(p) == File {
					if mm := r.cargoManifest(p); mm.tables["package"] != nil {
						ws.Packages = append(ws.Packages, r.cargoPackage(d, mm))
					}
				}
			}
		}
	}
	return ws
}

func (r *Repo) cargoPackage(dir string, m *tomlDoc) *CargoPackage {
	p := &CargoPackage{Name: m.tables["package"].strings["name"], Dir: dir, Targets: map[string][]string{}}
	for _, kind := range []string{"bin", "test", "example", "bench"} {
		for _, t := range m.arrays[kind] {
			if n := t.strings["name"]; n != "" {
				p.Targets[kind] = append(p.Targets[kind], n)
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

func (r *Repo) walkFiles(dir, ext string, f func(string)) {
	for _, n := range r.Names(dir) {
		p := path.Join(dir, n)
		switch r.Stat(p) {
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
// of tables, string values and arrays of strings (one line or several).
type tomlDoc struct {
	tables map[string]*tomlTable
	arrays map[string][]*tomlTable
}

type tomlTable struct {
	strings map[string]string
	lists   map[string][]string
}

func (r *Repo) cargoManifest(p string) *tomlDoc {
	return r.memo("cargo", p, func() any {
		src, _ := r.ReadFile(p)
		return parseTOML(string(src))
	}).(*tomlDoc)
}

var tomlString = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"|'([^']*)'`)

func parseTOML(src string) *tomlDoc {
	doc := &tomlDoc{tables: map[string]*tomlTable{}, arrays: map[string][]*tomlTable{}}
	cur := &tomlTable{strings: map[string]string{}, lists: map[string][]string{}}
	doc.tables[""] = cur
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[["):
			name := strings.TrimSpace(strings.Trim(line[:strings.Index(line+"]]", "]]")], "[ "))
			cur = &tomlTable{strings: map[string]string{}, lists: map[string][]string{}}
			doc.arrays[name] = append(doc.arrays[name], cur)
		case strings.HasPrefix(line, "["):
			name := strings.TrimSpace(strings.Trim(line[:strings.Index(line+"]", "]")], "[ "))
			cur = &tomlTable{strings: map[string]string{}, lists: map[string][]string{}}
			doc.tables[name] = cur
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			key, value = strings.TrimSpace(key), strings.TrimSpace(value)
			if strings.HasPrefix(value, "[") {
				for !strings.Contains(value, "]") && i+1 < len(lines) {
					i++
					value += " " + strings.TrimSpace(lines[i])
				}
				for _, m := range tomlString.FindAllStringSubmatch(value, -1) {
					cur.lists[key] = append(cur.lists[key], m[1]+m[2])
				}
			} else if m := tomlString.FindStringSubmatch(value); m != nil && strings.HasPrefix(value, m[0][:1]) {
				cur.strings[key] = m[1] + m[2]
			}
		}
	}
	return doc
}
