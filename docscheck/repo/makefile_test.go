package repo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestMayName: a target written with variables stands for the words the
// Makefile's text gives it, and a reference it cannot work out for any one
// word, so the literal text around it must still match.
func TestMayName(t *testing.T) {
	root := t.TempDir()
	makefile := `OUT ?= $(shell pwd)/target
BUILD ?= build-dir
NAMES ?= alpha beta
ARCHS := $(shell go env GOARCH)
BINS = $(addprefix bin-,$(ARCHS))
TOOLS := $(addprefix $(TOOLS_DIR)/, $(notdir $(shell cat tools.txt)))
OUT_DIR ?= $(dir $(OUT_BIN))
ifeq ($(OS),Windows_NT)
PLAT = win-build
else
PLAT = unix-build
endif
MORE = one
MORE += two
ONLY += three
PNGS := $(patsubst src/%.bmp,$(OUT)/%.png,$(BITMAPS))
SHOTS := $(patsubst %.bmp,shots/%.png,a.bmp b.txt)
ifeq ($(OS),Windows_NT)
EXE = .exe
else
EXE =
endif

$(BUILD)/build.ninja:
	mkdir -p $(BUILD)
`
	if err := os.WriteFile(filepath.Join(root, "Makefile"), []byte(makefile), 0o644); err != nil {
		t.Fatal(err)
	}
	m := New(root).Makefile(".", "")
	for _, tc := range []struct {
		target, name string
		want         bool
	}{
		{"bin/gh$(EXE)", "bin/gh", true},
		{"bin/gh$(EXE)", "bin/gh.exe", true},
		{"${DEST}/app", "build/app", true},
		{"bin/gh$(EXE)", "bin/hub", false},
		{"bin/gh", "bin/gh", false}, // no variable: Has decides
		{"bin/$(broken", "bin/x", true},
		{"$(OUT)", "lint", false},          // ?= of a path: a path
		{"$(OUT)", "/src/x/target", true},  // its own value
		{"$(BUILD)", "smoketest", false},   // ?= of a name used as a folder
		{"$(BUILD)", "build-dir", true},    // its own value
		{"$(NAMES)", "lint", true},         // ?= of names: the environment's
		{"$(BINS)", "bin-arm64", true},     // a prefix around any word
		{"$(BINS)", "devenv-down", false},  // the prefix does not match
		{"$(TOOLS)", "integration", false}, // every word a path
		{"$(TOOLS)", "bin/lint", true},
		{"$(OUT_DIR)", "local-lints", false}, // $(dir ...) gives folders
		{"$(OUT_DIR)", "dist/", true},
		{"$(PLAT)", "unix-build", true}, // either branch
		{"$(PLAT)", "win-build", true},
		{"$(PLAT)", "lint", false},
		{"$(MORE)", "lint", false}, // the words its assignment and += give
		{"$(MORE)", "two", true},
		{"$(ONLY)", "lint", true}, // only appended to: the environment's words too
		{"$(PNGS)", "lint", true}, // the words of BITMAPS, unset, are any name
		{"$(SHOTS)", "shots/a.png", true},
		{"$(SHOTS)", "b.txt", true}, // kept as it is
		{"$(SHOTS)", "lint", false},
		{"$(UNSET)", "lint", true},
		{"bin/gh$(EXE)", "bin/gh", true}, // the empty branch
		{"bin/gh$(EXE)", "bin/gh.exe", true},
		{"bin/gh$(EXE)", "bin/hub", false},
	} {
		if got := m.MayName(tc.target, tc.name); got != tc.want {
			t.Errorf("MayName(%q, %q) = %v, want %v", tc.target, tc.name, got, tc.want)
		}
	}
	// Knowingly: only by what the text says, not by a word docscheck
	// cannot tell.
	for _, tc := range []struct {
		target, name string
		want         bool
	}{
		{"$(UNSET)", "lint", false},
		{"$(MORE)", "lint", false},
		{"$(PLAT)", "unix-build", true},
		{"bin/gh$(EXE)", "bin/gh.exe", true},
		{"$(BINS)", "bin-arm64", true},
	} {
		if got := m.MayNameKnowingly(tc.target, tc.name); got != tc.want {
			t.Errorf("MayNameKnowingly(%q, %q) = %v, want %v", tc.target, tc.name, got, tc.want)
		}
	}
}

// TestMakefileText: make expands a wildcard in an include's name; the
// text between define and endef is a variable's, not rules; a $(eval ...)
// line may write any rule, as an include docscheck cannot read may.
func TestMakefileText(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"Makefile":          "include mk/*.mk\n\ndefine DOCKERFILE\nFROM scratch AS base\nfake-target: dep\nendef\n\nhelp:\n\t@echo help\n",
		"mk/build.mk":       "binaries:\n\tgo build ./...\n",
		"mk/test.mk":        "test-nodocker: test-unit\n",
		"template/Makefile": "INDEX := out/index.yaml\ndefine chart\n# the chart's package: built from its folder\nhelm.build.$(1): deps\n$(INDEX): helm.build.$(1)\n\thelm package $(1)\nendef\n$(foreach p,$(CHARTS),$(eval $(call chart,$(p))))\n$(foreach d,$(DEPS),$(eval $(call undefined-template,$(d))))\ncheck = $(eval \\\n  x := 1)\nlint:\n\ttrue\n",
		"eval/Makefile":     "GOALS := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))\n$(foreach g,$(GOALS),$(eval $(g): ; @:))\ntest:\n\tphpunit\n",
	}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := New(root)
	m := r.Makefile(".", "")
	for _, target := range []string{"binaries", "test-nodocker", "help"} {
		if !m.Has(target) {
			t.Errorf("Makefile: target %q of an included mk/*.mk file not found", target)
		}
	}
	if m.Has("fake-target") {
		t.Errorf("Makefile: a line inside define was read as a rule")
	}
	if m.Unread != "" {
		t.Errorf("Makefile: Unread = %q, want every include read", m.Unread)
	}
	tm := r.Makefile("template", "")
	if tm.Unread != "" || !tm.Has("lint") || !slices.Contains(tm.Targets, "helm.build.$(1)") {
		t.Errorf("template/Makefile: Unread = %q, targets %q; want the template's target helm.build.$(1) and lint, nothing unread", tm.Unread, tm.Targets)
	}
	if !tm.MayName("helm.build.$(1)", "helm.build.web") || tm.MayName("helm.build.$(1)", "check.docs") {
		t.Errorf("template/Makefile: helm.build.$(1) should name helm.build.web and not check.docs")
	}
	if e := r.Makefile("eval", ""); e.Unread == "" || !e.Has("test") {
		t.Errorf("eval/Makefile: Unread = %q, Has(test) = %v; want the $(eval) line noted and test kept", e.Unread, e.Has("test"))
	}
}

// TestWildcardInclude: "include $(wildcard X)" reads the files X names
// that are there, as -include would: generated dependency files that a
// fresh checkout lacks add nothing (so a target whose name the Makefile
// gives, LK8000-$(TARGET), still rules out "uninstall"), and the tree's
// own files are read. An include of a variable docscheck cannot work out
// may still define any target.
func TestWildcardInclude(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"Makefile":       "OUTPUTS := LK8000-$(TARGET)\nDEPFILES = $(OBJS:.o=.d)\nall: $(OUTPUTS)\n$(OUTPUTS): main.o\n\tcc -o $@ $^\ninclude $(wildcard $(DEPFILES))\ninclude ${wildcard mk/*.mk}\n",
		"mk/install.mk":  "install:\n\tcp LK8000 /usr/bin\n",
		"plain/Makefile": "$(OUTPUTS): main.o\n\tcc -o $@ $^\ninclude $(DEPFILES)\n",
	}
	for name, text := range files {
		writeFile(t, root, name, text)
	}
	r := New(root)
	m := r.Makefile(".", "")
	if m.Unread != "" || !m.Has("install") {
		t.Errorf("Makefile: Unread = %q, Has(install) = %v; want the wildcard includes read, install found", m.Unread, m.Has("install"))
	}
	if m.MayName("$(OUTPUTS)", "uninstall") || !m.MayName("$(OUTPUTS)", "LK8000-LINUX") {
		t.Errorf("Makefile: $(OUTPUTS) should name LK8000-LINUX and not uninstall")
	}
	if p := r.Makefile("plain", ""); p.Unread == "" {
		t.Errorf("plain/Makefile: a plain include of an unknown variable should leave the Makefile unread")
	}
}
