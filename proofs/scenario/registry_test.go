package scenario

import (
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/catalog"
)

// TestRegistryFollowsCatalog: the registry is the catalog, in its order,
// each proof with code.
func TestRegistryFollowsCatalog(t *testing.T) {
	reg := Registry()
	if len(reg) != len(catalog.Proofs) {
		t.Fatalf("registry has %d scenarios, catalog %d proofs", len(reg), len(catalog.Proofs))
	}
	for i, p := range catalog.Proofs {
		if reg[i].Name != p.Name || reg[i].Run == nil {
			t.Errorf("position %d: registry %q (run set: %t), catalog %q", i, reg[i].Name, reg[i].Run != nil, p.Name)
		}
		if _, ok := Lookup(p.Name); !ok {
			t.Errorf("Lookup(%q) failed", p.Name)
		}
	}
	if _, ok := Lookup("no_such_proof"); ok {
		t.Error("Lookup found an unregistered name")
	}
}

// TestBuildRefusesMismatches: a catalog entry without code, code without a
// catalog entry and a duplicate entry each stop the build, naming the proof.
func TestBuildRefusesMismatches(t *testing.T) {
	noop := func(*T) {}
	cases := []struct {
		name   string
		proofs []catalog.Proof
		code   map[string]func(*T)
		want   string
	}{
		{"catalog entry without code", []catalog.Proof{{Name: "a"}, {Name: "b"}}, map[string]func(*T){"a": noop}, `"b" is in the catalog but has no code`},
		{"code without catalog entry", []catalog.Proof{{Name: "a"}}, map[string]func(*T){"a": noop, "z": noop}, `code for "z"`},
		{"duplicate entry", []catalog.Proof{{Name: "a"}, {Name: "a"}}, map[string]func(*T){"a": noop}, `"a" is in the catalog twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := build(c.proofs, c.code)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("build: %v, want an error containing %s", err, c.want)
			}
		})
	}
	reg, err := build([]catalog.Proof{{Name: "b"}, {Name: "a"}}, map[string]func(*T){"a": noop, "b": noop})
	if err != nil || len(reg) != 2 || reg[0].Name != "b" || reg[1].Name != "a" {
		t.Fatalf("build of a consistent pair: %v %v, want b then a", reg, err)
	}
}
