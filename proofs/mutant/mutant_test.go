package mutant

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/harness"
)

// TestEverySnippetApplies: each mutant's snippets occur exactly once in the
// current tree, so `proofs mutants` really changes what it says it changes.
// When the code a mutant targets is rewritten, this fails until the mutant
// is brought up to date.
func TestEverySnippetApplies(t *testing.T) {
	root, err := harness.RepoRoot("")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range All {
		t.Run(m.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
			if err != nil {
				t.Fatal(err)
			}
			changed, err := m.applyTo(string(data))
			if err != nil {
				t.Fatal(err)
			}
			if changed == string(data) {
				t.Fatal("applying the mutant changes nothing")
			}
		})
	}
}

// TestCatalogAndMutantsAgree: every mutant breaks a catalog claim whose
// proof must catch it, every guard the catalog names is a mutant, and every
// claim is guarded by at least one mutant.
func TestCatalogAndMutantsAgree(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range All {
		if seen[m.Name] {
			t.Errorf("mutant %q defined twice", m.Name)
		}
		seen[m.Name] = true
		if _, ok := catalog.Lookup(m.Breaks); !ok {
			t.Errorf("mutant %q breaks %q, which is not a catalog proof", m.Name, m.Breaks)
		}
		if !slices.Contains(Guards(m.Name), m.Breaks) {
			t.Errorf("mutant %q breaks %q, but that proof's catalog entry does not list it in Guards", m.Name, m.Breaks)
		}
		if m.Change == "" || m.File == "" {
			t.Errorf("mutant %q lacks a description or a file", m.Name)
		}
	}
	for _, p := range catalog.Proofs {
		if len(p.Guards) == 0 {
			t.Errorf("proof %q has no mutant it must catch", p.Name)
		}
		for _, g := range p.Guards {
			if _, ok := Lookup(g); !ok {
				t.Errorf("proof %q guards %q, which is not a mutant", p.Name, g)
			}
		}
	}
}

// TestApplyRefusesStaleSnippets: a snippet that is missing or occurs twice
// changes nothing and says it is stale.
func TestApplyRefusesStaleSnippets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.go")
	const original = "a := 1\nb := 1\nc := 2\n"
	if err := os.WriteFile(path, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edits []Edit
	}{
		{"missing", []Edit{{Old: "d := 3", New: "d := 4"}}},
		{"twice", []Edit{{Old: ":= 1", New: ":= 5"}}},
		{"second edit missing", []Edit{{Old: "c := 2", New: "c := 3"}, {Old: "zzz", New: "y"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Mutant{Name: tc.name, File: "f.go", Edits: tc.edits}.Apply(dir)
			if !errors.Is(err, ErrStale) {
				t.Fatalf("Apply: %v, want ErrStale", err)
			}
			if data, _ := os.ReadFile(path); string(data) != original {
				t.Fatalf("a stale mutant changed the file: %q", data)
			}
		})
	}
	if err := (Mutant{Name: "ok", File: "f.go", Edits: []Edit{{Old: "c := 2", New: "c := 3"}}}).Apply(dir); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "c := 3") {
		t.Fatalf("Apply did not change the file: %q", data)
	}
}
