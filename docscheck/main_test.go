package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	backendcli "github.com/prodproof/prodproof/backend/cli"
	benchcli "github.com/prodproof/prodproof/bench/cli"
	"github.com/prodproof/prodproof/docscheck/cli"
	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/prodproof/prodproof/proofs/catalog"
	proofscli "github.com/prodproof/prodproof/proofs/cli"
	websitecli "github.com/prodproof/prodproof/website/cli"
)

var update = flag.Bool("update", false, "rewrite ../docscheck-tools.json from the tools' live command lines")

// manifestPath is this repository's tools manifest, named by docscheck.json.
var manifestPath = filepath.Join("..", "docscheck-tools.json")

// TestToolsManifestIsCurrent: docscheck-tools.json is written from the
// tools' own clispec values and the proof catalog (the one definition each
// tool parses with), never by hand; a flag or proof added without
// refreshing it fails here. Refresh: go test ./docscheck -run TestToolsManifestIsCurrent -update
func TestToolsManifestIsCurrent(t *testing.T) {
	m, err := clispec.Describe(
		[]clispec.Tool{backendcli.Tool(), proofscli.Tool(), websitecli.Tool(), cli.Tool(), benchcli.Tool()},
		&clispec.ProofSpec{Commands: []string{"proofs run", "proofs soak"}, Names: catalog.Names()},
	)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(manifestPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: the tools' command lines or the proof catalog changed; run\n  go test ./docscheck -run TestToolsManifestIsCurrent -update", manifestPath)
	}
	if _, err := clispec.ParseManifest(got); err != nil {
		t.Errorf("docscheck cannot read %s: %v", manifestPath, err)
	}
}

// TestDependencyBoundary: the docscheck binary links only its own packages
// and the light shared ones, so `go install .../docscheck@latest` builds a
// self-contained checker with nothing of the backend, the proofs, the
// website, Postgres or Docker in it.
func TestDependencyBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/prodproof/prodproof/"
	allowedInternal := map[string]bool{
		module + "internal/clispec": true,
		module + "internal/suggest": true,
		// The one heading-slug implementation shared with the website
		// (goldmark and golang.org/x/text only), once it lands.
		module + "internal/anchor": true,
	}
	allowedThirdParty := []string{"github.com/yuin/goldmark", "mvdan.cc/sh/v3", "golang.org/x/text"}
	var bad []string
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		switch {
		case !strings.Contains(first, "."):
			// the standard library
		case strings.HasPrefix(pkg, module):
			if pkg != module+"docscheck" && !strings.HasPrefix(pkg, module+"docscheck/") && !allowedInternal[pkg] {
				bad = append(bad, pkg)
			}
		default:
			allowed := false
			for _, p := range allowedThirdParty {
				allowed = allowed || pkg == p || strings.HasPrefix(pkg, p+"/")
			}
			if !allowed {
				bad = append(bad, pkg)
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("docscheck links packages outside its boundary:\n  %s", strings.Join(bad, "\n  "))
	}
}
