package scenario

import (
	"testing"

	"github.com/prodproof/prodproof/proofs/catalog"
)

// TestRegistryMatchesCatalog holds the runnable scenarios and the public
// catalog together: same names, same order, no extras on either side.
func TestRegistryMatchesCatalog(t *testing.T) {
	reg := Registry()
	if len(reg) != len(catalog.Proofs) {
		t.Errorf("registry has %d scenarios, catalog %d proofs", len(reg), len(catalog.Proofs))
	}
	for i := range max(len(reg), len(catalog.Proofs)) {
		var got, want string
		if i < len(reg) {
			got = reg[i].Name
		}
		if i < len(catalog.Proofs) {
			want = catalog.Proofs[i].Name
		}
		if got != want {
			t.Errorf("position %d: registry %q, catalog %q", i, got, want)
		}
		if i < len(reg) && reg[i].Run == nil {
			t.Errorf("scenario %q has no Run", got)
		}
	}
	seen := map[string]bool{}
	for _, s := range reg {
		if seen[s.Name] {
			t.Errorf("scenario %q registered twice", s.Name)
		}
		seen[s.Name] = true
		if _, ok := Lookup(s.Name); !ok {
			t.Errorf("Lookup(%q) failed", s.Name)
		}
	}
	if _, ok := Lookup("no_such_proof"); ok {
		t.Error("Lookup found an unregistered name")
	}
}
