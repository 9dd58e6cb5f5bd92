package repo

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
)

// PackageJSON is what docscheck reads of an npm package.json.
type PackageJSON struct {
	// Path is the file, relative to the root.
	Path    string
	Name    string
	Scripts map[string]string
	// Dependencies are the names under "dependencies" and
	// "devDependencies".
	Dependencies []string
	// Workspaces are the member packages (npm and yarn "workspaces",
	// pnpm-workspace.yaml "packages"), resolved to their package.json.
	Workspaces []*PackageJSON
	// Err is set when the file is not valid JSON.
	Err error
}

type memoKey struct{ kind, path string }

func (r *Repo) memo(kind, p string, load func() any) any {
	if v, ok := r.manifests.Load(memoKey{kind, p}); ok {
		return v
	}
	v, _ := r.manifests.LoadOrStore(memoKey{kind, p}, load())
	return v
}

// NearestPackageJSON finds the package.json npm would use from dir: the
// nearest one at or above it inside the root. Nil when there is none.
func (r *Repo) NearestPackageJSON(dir string) *PackageJSON {
	if p := r.NearestFile(dir, "package.json"); p != "" {
		return r.PackageJSON(p)
	}
	return nil
}

// NearestFile is the path of the first of names found in the nearest
// folder at or above dir inside the root that holds one of them (a
// manifest a tool looks up from where it runs: package.json, go.mod), or
// "" when none does.
func (r *Repo) NearestFile(dir string, names ...string) string {
	for d := clean(dir); ; d = path.Dir(d) {
		for _, name := range names {
			if p := path.Join(d, name); r.Stat(p) == File {
				return p
			}
		}
		if d == "." || d == "/" || strings.HasPrefix(d, "..") {
			return ""
		}
	}
}

// WorkspaceRootPackageJSON finds the package.json whose workspaces a
// workspace-naming command (pnpm --filter, yarn workspace, npm -w) uses
// from dir: the nearest one at or above it that declares workspaces, as
// the tools look the workspace root up from wherever they run. Without
// one, it is NearestPackageJSON.
func (r *Repo) WorkspaceRootPackageJSON(dir string) *PackageJSON {
	for d := clean(dir); ; d = path.Dir(d) {
		if p := path.Join(d, "package.json"); r.Stat(p) == File {
			if pkg := r.PackageJSON(p); len(pkg.Workspaces) > 0 {
				return pkg
			}
		}
		if d == "." || d == "/" {
			return r.NearestPackageJSON(dir)
		}
	}
}

// PackageJSON parses one package.json (memoized) with its workspaces.
func (r *Repo) PackageJSON(p string) *PackageJSON {
	return r.memo("npm", p, func() any { return r.parsePackageJSON(p, true) }).(*PackageJSON)
}

func (r *Repo) parsePackageJSON(p string, withWorkspaces bool) *PackageJSON {
	pkg := &PackageJSON{Path: p, Scripts: map[string]string{}}
	data, err := r.ReadFile(p)
	if err != nil {
		pkg.Err = err
		return pkg
	}
	var doc struct {
		Name       string            `json:"name"`
		Scripts    map[string]string `json:"scripts"`
		Deps       map[string]any    `json:"dependencies"`
		DevDeps    map[string]any    `json:"devDependencies"`
		Workspaces json.RawMessage   `json:"workspaces"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		pkg.Err = err
		return pkg
	}
	pkg.Name = doc.Name
	for _, deps := range []map[string]any{doc.Deps, doc.DevDeps} {
		for name := range deps {
			pkg.Dependencies = append(pkg.Dependencies, name)
		}
	}
	slices.Sort(pkg.Dependencies)
	if doc.Scripts != nil {
		pkg.Scripts = doc.Scripts
	}
	if !withWorkspaces {
		return pkg
	}
	// "workspaces": ["a/*"] or {"packages": ["a/*"]} (yarn classic).
	var patterns []string
	if json.Unmarshal(doc.Workspaces, &patterns) != nil {
		var obj struct {
			Packages []string `json:"packages"`
		}
		_ = json.Unmarshal(doc.Workspaces, &obj)
		patterns = obj.Packages
	}
	dir := path.Dir(p)
	if y, err := r.ReadFile(path.Join(dir, "pnpm-workspace.yaml")); err == nil {
		patterns = append(patterns, yamlList(string(y), "packages")...)
	}
	for _, pat := range patterns {
		for _, d := range r.globDirs(dir, strings.TrimSuffix(pat, "/")) {
			if m := path.Join(d, "package.json"); r.Stat(m) == File && m != p {
				pkg.Workspaces = append(pkg.Workspaces, r.parsePackageJSON(m, false))
			}
		}
	}
	return pkg
}

// Workspace finds a member by package name or by folder (as -w/--workspace,
// yarn workspace and pnpm --filter take them).
func (p *PackageJSON) Workspace(nameOrDir string) *PackageJSON {
	dir := path.Dir(p.Path)
	for _, w := range p.Workspaces {
		if w.Name == nameOrDir || path.Dir(w.Path) == path.Clean(path.Join(dir, nameOrDir)) {
			return w
		}
	}
	return nil
}

// PnpmFilter is the member "pnpm --filter name" selects: Workspace's, or
// else the one member named @scope/name (pnpm makes the scope optional
// when a single package of that name matches; with two, none is picked).
func (p *PackageJSON) PnpmFilter(name string) *PackageJSON {
	if w := p.Workspace(name); w != nil || strings.Contains(name, "/") {
		return w
	}
	var found *PackageJSON
	for _, w := range p.Workspaces {
		if _, base, ok := strings.Cut(w.Name, "/"); ok && strings.HasPrefix(w.Name, "@") && base == name {
			if found != nil && found.Path != w.Path {
				return nil // two packages of that name (a member globbed twice is one)
			}
			found = w
		}
	}
	return found
}

// ScriptNames lists the scripts, sorted.
func (p *PackageJSON) ScriptNames() []string {
	names := make([]string, 0, len(p.Scripts))
	for n := range p.Scripts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// globDirs expands a workspace pattern ("packages/*", "apps/**", "tools")
// under dir into folders, without following hidden folders or
// node_modules.
func (r *Repo) globDirs(dir, pattern string) []string {
	if strings.HasPrefix(pattern, "!") {
		return nil
	}
	dirs := []string{clean(dir)}
	for _, part := range strings.Split(pattern, "/") {
		var next []string
		for _, d := range dirs {
			switch {
			case part == "**":
				next = append(next, r.allDirs(d)...)
			case strings.ContainsAny(part, "*?["):
				for _, n := range r.Names(d) {
					if ok, _ := path.Match(part, n); ok && r.Stat(path.Join(d, n)) == Dir && n != "node_modules" {
						next = append(next, clean(path.Join(d, n)))
					}
				}
			case part == "." || part == "":
				next = append(next, d)
			default:
				if p := clean(path.Join(d, part)); r.Stat(p) == Dir {
					next = append(next, p)
				}
			}
		}
		dirs = next
	}
	return dirs
}

func (r *Repo) allDirs(d string) []string {
	out := []string{d}
	for _, n := range r.Names(d) {
		if p := clean(path.Join(d, n)); !strings.HasPrefix(n, ".") && n != "node_modules" && r.WalkStat(p) == Dir {
			out = append(out, r.allDirs(p)...)
		}
	}
	return out
}

// yamlList reads the list under a top-level key of a simple YAML file,
// as a block ("packages:\n  - 'a/*'") or in flow style ("packages: ['a/*',
// 'b']"), which is all pnpm-workspace.yaml holds.
func yamlList(doc, key string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(doc, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, key+":"):
			flow := strings.TrimSpace(strings.TrimPrefix(line, key+":"))
			if strings.HasPrefix(flow, "[") {
				flow, _, _ = strings.Cut(flow[1:], "]")
				for _, item := range strings.Split(flow, ",") {
					if item = strings.Trim(strings.TrimSpace(item), `"'`); item != "" {
						out = append(out, item)
					}
				}
				continue
			}
			in = true
		case in && strings.HasPrefix(t, "- "):
			out = append(out, strings.Trim(strings.TrimSpace(t[2:]), `"'`))
		case in && t != "" && !strings.HasPrefix(t, "#"):
			in = false
		}
	}
	return out
}
