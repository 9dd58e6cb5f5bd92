// Package repo answers questions about the repository a document lives in:
// does this path exist (case-sensitively), is it executable, which targets
// does a Makefile define, which Go packages and test functions exist. It only
// reads files; nothing it inspects is executed. Answers are cached, and a Repo
// is safe for concurrent use.
package repo

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Repo is a read-only view of one repository folder.
type Repo struct {
	root string

	mu        sync.Mutex
	dirs      map[string]dirListing
	stats     map[string]Kind   // Stat's answers by the path as asked
	resolved  map[string]string // Resolve's answers by the path as asked
	makefiles map[string]*Makefile
	// makefileAt memoizes Makefile's answer (nil too) by folder and name:
	// commands ask for the same folder's Makefile thousands of times, so
	// the key is a pair rather than a string built per question.
	makefileAt map[makefileKey]*Makefile
	funcs      map[string][]string
	pkgTrees   map[string][]string
	execs      map[string]bool
	goPkgs     map[string]bool
	// sphinxLabels are SphinxLabels' answers by source folder.
	sphinxLabels map[string][]string
	// manifests memoizes parsed ecosystem manifests by kind and path
	// (npm.go, cargo.go, python.go).
	manifests sync.Map

	moduleOnce sync.Once
	module     string
}

type dirListing struct {
	entries map[string]fs.DirEntry
	names   []string // sorted
	err     error
}

// New returns a view of the folder root.
func New(root string) *Repo {
	return &Repo{
		root:       root,
		dirs:       map[string]dirListing{},
		stats:      map[string]Kind{},
		resolved:   map[string]string{},
		makefiles:  map[string]*Makefile{},
		makefileAt: map[makefileKey]*Makefile{},
		funcs:      map[string][]string{},
		pkgTrees:   map[string][]string{},
		execs:      map[string]bool{},
		goPkgs:     map[string]bool{},

		sphinxLabels: map[string][]string{},
	}
}

// Root is the folder this view reads.
func (r *Repo) Root() string { return r.root }

// Abs turns a slash-separated path relative to the root into an OS path.
func (r *Repo) Abs(rel string) string {
	return filepath.Join(r.root, filepath.FromSlash(rel))
}

func (r *Repo) listing(rel string) dirListing {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.dirs[rel]; ok {
		return l
	}
	l := dirListing{entries: map[string]fs.DirEntry{}}
	entries, err := os.ReadDir(r.Abs(rel))
	l.err = err
	for _, e := range entries {
		l.entries[e.Name()] = e
		l.names = append(l.names, e.Name()) // os.ReadDir sorts by name
	}
	r.dirs[rel] = l
	return l
}

// remember returns m[key], computing and storing it on its first use. The
// computation runs without the lock, since it may call other remembering
// methods; two callers racing on one key compute the same answer, as the
// files do not change during a run.
func remember[K comparable, V any](mu *sync.Mutex, m map[K]V, key K, compute func() V) V {
	mu.Lock()
	v, ok := m[key]
	mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	mu.Lock()
	m[key] = v
	mu.Unlock()
	return v
}

// Names lists the entries of a folder (relative, slash-separated), sorted.
// The slice is shared: callers must not modify it.
func (r *Repo) Names(rel string) []string {
	return r.listing(clean(rel)).names
}

// Kind says what a path is.
type Kind int

const (
	Missing Kind = iota
	File
	Dir
)

// Stat reports whether rel exists with exactly this spelling, component by
// component, so that a link that only works on a case-insensitive disk is
// still caught on one.
func (r *Repo) Stat(rel string) Kind {
	return remember(&r.mu, r.stats, rel, func() Kind { return r.stat(rel) })
}

// stat is Stat without its memo.
func (r *Repo) stat(rel string) Kind {
	rel = clean(rel)
	if rel == "." {
		return Dir
	}
	if strings.HasPrefix(rel, "../") || rel == ".." {
		// Outside the repository: fall back to the OS, we cannot list
		// parents reliably and such links are rare.
		info, err := os.Stat(r.Abs(rel))
		switch {
		case err != nil:
			return Missing
		case info.IsDir():
			return Dir
		}
		return File
	}
	parts := strings.Split(rel, "/")
	dir := "."
	for i, p := range parts {
		l := r.listing(dir)
		e, ok := l.entries[p]
		if !ok {
			return Missing
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(r.Abs(path.Join(dir, p)))
			if err != nil {
				return Missing
			}
			isDir = info.IsDir()
		}
		if i == len(parts)-1 {
			if isDir {
				return Dir
			}
			return File
		}
		if !isDir {
			return Missing
		}
		dir = path.Join(dir, p)
	}
	return Missing
}

// DanglingLink reports whether rel, which Stat finds Missing, is a
// symbolic link the tree holds whose target is not there.
func (r *Repo) DanglingLink(rel string) bool {
	rel = clean(rel)
	if rel == "." || strings.HasPrefix(rel, "../") || rel == ".." || r.Stat(path.Dir(rel)) != Dir {
		return false
	}
	e, ok := r.listing(path.Dir(rel)).entries[path.Base(rel)]
	return ok && e.Type()&fs.ModeSymlink != 0 && r.Stat(rel) == Missing
}

// WalkStat is Stat for a walk of the tree: a symbolic link to a folder
// is not entered (Missing). Such a link points at a folder the walk meets
// under its own name, or outside the repository, or at a parent of
// itself (lib/x/lib -> ..): entering it would read its pages twice, or
// never end. So every walk visits each real folder once. A link to a
// file is a file, as for Stat.
func (r *Repo) WalkStat(rel string) Kind {
	k := r.Stat(rel)
	if k != Dir {
		return k
	}
	rel = clean(rel)
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return k
	}
	if e, ok := r.listing(path.Dir(rel)).entries[path.Base(rel)]; ok && e.Type()&fs.ModeSymlink != 0 {
		return Missing
	}
	return k
}

// Executable reports whether rel is a file with an execute bit set.
func (r *Repo) Executable(rel string) bool {
	rel = clean(rel)
	return remember(&r.mu, r.execs, rel, func() bool {
		info, err := os.Stat(r.Abs(rel))
		return err == nil && !info.IsDir() && info.Mode().Perm()&0o111 != 0
	})
}

// ReadFile reads a file under the root.
func (r *Repo) ReadFile(rel string) ([]byte, error) {
	return readFile(r.Abs(clean(rel)))
}

func clean(rel string) string {
	rel = path.Clean(strings.TrimPrefix(filepath.ToSlash(rel), "/"))
	if rel == "" {
		return "."
	}
	return rel
}

// ModulePath returns the module path declared in the root go.mod, or "".
func (r *Repo) ModulePath() string {
	r.moduleOnce.Do(func() { r.module = r.readModulePath() })
	return r.module
}

func (r *Repo) readModulePath() string {
	data, err := r.ReadFile("go.mod")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// IsGoPackage reports whether the folder holds Go files (a package or its
// tests). Folders the go tool ignores are not packages. A folder under
// vendor/ is one: no wildcard matches it (packagesUnder), but the go
// command builds a vendored package a path names ("go run
// ./vendor/example.com/x/cmd/y").
func (r *Repo) IsGoPackage(rel string) bool {
	rel = clean(rel)
	return remember(&r.mu, r.goPkgs, rel, func() bool { return r.isGoPackage(rel) })
}

func (r *Repo) isGoPackage(rel string) bool {
	return !ignoredByGo(rel) && r.holdsGoFiles(rel)
}

// holdsGoFiles reports whether the folder rel holds a .go file.
func (r *Repo) holdsGoFiles(rel string) bool {
	if r.Stat(rel) != Dir {
		return false
	}
	for _, n := range r.Names(rel) {
		if strings.HasSuffix(n, ".go") && r.Stat(path.Join(rel, n)) == File {
			return true
		}
	}
	return false
}

func ignoredByGo(rel string) bool {
	for _, p := range strings.Split(rel, "/") {
		if p == "testdata" || strings.HasPrefix(p, "_") || (strings.HasPrefix(p, ".") && p != "." && p != "..") {
			return true
		}
	}
	return false
}

// PackagesUnder lists the Go packages in rel and its subfolders, as the
// "rel/..." pattern would.
func (r *Repo) PackagesUnder(rel string) []string {
	rel = clean(rel)
	return remember(&r.mu, r.pkgTrees, rel, func() []string { return r.packagesUnder(rel) })
}

// packagesUnder is PackagesUnder without its memo.
func (r *Repo) packagesUnder(rel string) []string {
	var pkgs []string
	var walk func(dir string)
	walk = func(dir string) {
		// The go tool skips "_", "." and testdata folders below the
		// pattern's root (the walk does not enter them), not the root
		// or the folders above it: "cd _example/store && go test ./..."
		// tests the module there.
		if r.holdsGoFiles(dir) {
			pkgs = append(pkgs, dir)
		}
		for _, n := range r.Names(dir) {
			sub := path.Join(dir, n)
			if n == "testdata" || n == "vendor" || strings.HasPrefix(n, "_") || strings.HasPrefix(n, ".") {
				continue
			}
			if r.WalkStat(sub) == Dir {
				if dir != rel || rel == "." {
					// A nested module is not part of this pattern.
					if r.Stat(path.Join(sub, "go.mod")) == File {
						continue
					}
				}
				walk(sub)
			}
		}
	}
	if r.Stat(rel) == Dir {
		walk(rel)
	}
	return pkgs
}

// TestFuncs lists the top-level Test, Benchmark, Fuzz and Example functions
// declared in the package's _test.go files, sorted.
func (r *Repo) TestFuncs(pkg string) []string {
	pkg = clean(pkg)
	return remember(&r.mu, r.funcs, pkg, func() []string { return r.testFuncs(pkg) })
}

// testFuncs is TestFuncs without its memo.
func (r *Repo) testFuncs(pkg string) []string {
	var names []string
	fset := token.NewFileSet()
	for _, n := range r.Names(pkg) {
		if !strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := r.ReadFile(path.Join(pkg, n))
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, n, src, parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		_ = err // a file with a syntax error still yields the functions before it
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			for _, prefix := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
				if strings.HasPrefix(fn.Name.Name, prefix) {
					names = append(names, fn.Name.Name)
					break
				}
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return names
}

// Resolve returns the page a symbolic link inside the repository points
// to (repository-relative), so that one page is read once however many
// links name it; any other path comes back cleaned.
func (r *Repo) Resolve(rel string) string {
	return remember(&r.mu, r.resolved, rel, func() string { return r.resolve(rel) })
}

// resolve is Resolve without its memo.
func (r *Repo) resolve(rel string) string {
	rel = clean(rel)
	if rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") {
		// The folder's listing (read once) already says whether the entry
		// is a symbolic link: no Lstat for the common case of a plain file.
		if e, ok := r.listing(path.Dir(rel)).entries[path.Base(rel)]; ok && e.Type()&fs.ModeSymlink == 0 {
			return rel
		}
	}
	info, err := os.Lstat(r.Abs(rel))
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return rel
	}
	target, err := filepath.EvalSymlinks(r.Abs(rel))
	if err != nil {
		return rel
	}
	root, err := filepath.EvalSymlinks(r.root)
	if err != nil {
		return rel
	}
	out, err := filepath.Rel(root, target)
	if err != nil || out == ".." || strings.HasPrefix(out, ".."+string(filepath.Separator)) {
		return rel
	}
	return filepath.ToSlash(out)
}
