package repo

import (
	"os"
	"path/filepath"
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
ifeq ($(OS),Windows_NT)
PLAT = win-build
else
PLAT = unix-build
endif
MORE = one
MORE += two
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
		{"$(PLAT)", "unix-build", true}, // either branch
		{"$(PLAT)", "win-build", true},
		{"$(PLAT)", "lint", false},
		{"$(MORE)", "lint", true}, // appended to: any name
		{"$(UNSET)", "lint", true},
		{"bin/gh$(EXE)", "bin/gh", true}, // the empty branch
		{"bin/gh$(EXE)", "bin/gh.exe", true},
		{"bin/gh$(EXE)", "bin/hub", false},
	} {
		if got := m.MayName(tc.target, tc.name); got != tc.want {
			t.Errorf("MayName(%q, %q) = %v, want %v", tc.target, tc.name, got, tc.want)
		}
	}
}
