package repo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestAnswersRepeat asks each memoized question twice, in an order where a
// memo keyed too coarsely (a folder's Makefile for any name, a path's kind
// for another spelling of it) would hand back the wrong answer.
func TestAnswersRepeat(t *testing.T) {
	root := t.TempDir()
	for p, s := range map[string]string{
		"Makefile":        "build:\n",
		"other.mk":        "lint:\n",
		"docs/guide.md":   "# Guide\n",
		"sub/GNUmakefile": "test:\n",
	} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("docs/guide.md", filepath.Join(root, "GUIDE.md")); err != nil {
		t.Fatal(err)
	}
	r := New(root)
	for range 2 {
		for _, c := range []struct{ dir, name, want string }{
			{".", "", "Makefile"},
			{".", "other.mk", "other.mk"},
			{"sub", "", "sub/GNUmakefile"},
			{"docs", "", ""},
		} {
			got := ""
			if m := r.Makefile(c.dir, c.name); m != nil {
				got = m.Path
			}
			if got != c.want {
				t.Errorf("Makefile(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
			}
		}
		for p, want := range map[string]Kind{
			"docs":          Dir,
			"docs/guide.md": File,
			"docs/Guide.md": Missing, // the spelling must match on any disk
			"./docs/":       Dir,
			"GUIDE.md":      File,
			"nope/x.md":     Missing,
		} {
			if got := r.Stat(p); got != want {
				t.Errorf("Stat(%q) = %v, want %v", p, got, want)
			}
		}
		for p, want := range map[string]string{
			"GUIDE.md":        "docs/guide.md",
			"./docs/guide.md": "docs/guide.md",
			"Makefile":        "Makefile",
			"missing.md":      "missing.md",
		} {
			if got := r.Resolve(p); got != want {
				t.Errorf("Resolve(%q) = %q, want %q", p, got, want)
			}
		}
	}
}

// TestPnpmFilter: pnpm's --filter takes a name without its scope when one
// package has it; a member that two workspace globs both reach is one
// package, and two packages of the name pick none.
func TestPnpmFilter(t *testing.T) {
	core := &PackageJSON{Path: "packages/core/package.json", Name: "@app/core"}
	root := &PackageJSON{Path: "package.json", Workspaces: []*PackageJSON{
		core, {Path: "packages/core/package.json", Name: "@app/core"},
		{Path: "packages/ui/package.json", Name: "@app/ui"}, {Path: "e2e/ui/package.json", Name: "@e2e/ui"},
	}}
	for name, want := range map[string]string{"core": core.Path, "@app/core": core.Path, "ui": "", "cor": "", "packages/core": core.Path} {
		got := ""
		if w := root.PnpmFilter(name); w != nil {
			got = w.Path
		}
		if got != want {
			t.Errorf("PnpmFilter(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestPackagesUnderIgnoredRoot: the go tool skips folders named with "_"
// or "." or testdata below a pattern's root, not the root itself or the
// folders above it: "cd backend/_example/store && go test ./..." tests
// the module there.
func TestPackagesUnderIgnoredRoot(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "go.mod", "module example.org/app\n")
	writeFile(t, root, "_example/store/go.mod", "module example.org/store\n")
	writeFile(t, root, "_example/store/main.go", "package main\n")
	writeFile(t, root, "_example/store/server/server.go", "package server\n")
	writeFile(t, root, "_example/store/_skip/skip.go", "package skip\n")
	writeFile(t, root, "_example/store/testdata/x.go", "package x\n")
	r := New(root)
	got := r.PackagesUnder("_example/store")
	want := []string{"_example/store", "_example/store/server"}
	if !slices.Equal(got, want) {
		t.Errorf("PackagesUnder(_example/store) = %v, want %v", got, want)
	}
	if got := r.PackagesUnder("."); len(got) != 0 {
		t.Errorf("PackagesUnder(.) = %v, want none: _example is skipped below the root", got)
	}
}
