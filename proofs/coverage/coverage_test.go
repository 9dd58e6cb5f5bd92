package coverage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two processes' blocks of one file, one package each: a block covered by
// either process is covered once; statements are not double counted.
const profile = `mode: set
example.com/m/a/x.go:3.14,5.2 2 1
example.com/m/a/x.go:5.2,7.3 1 0
example.com/m/b/y.go:1.1,2.2 4 0
example.com/m/a/x.go:3.14,5.2 2 0
example.com/m/a/x.go:5.2,7.3 1 1
example.com/m/b/y.go:1.1,2.2 4 0
`

func TestProfileSummaryMergesProcesses(t *testing.T) {
	p, err := ParseProfile(strings.NewReader(profile))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Summary()
	if c.Statements != 7 || c.Covered != 3 {
		t.Fatalf("got %d/%d statements covered, want 3/7", c.Covered, c.Statements)
	}
	if len(c.Packages) != 2 || c.Packages[0].Package != "example.com/m/a" || c.Packages[0].Covered != 3 || c.Packages[1].Covered != 0 {
		t.Fatalf("packages %+v", c.Packages)
	}
	if !p.Covers("example.com/m", "a/x.go", 4) || !p.Covers("example.com/m", "a/x.go", 6) || p.Covers("example.com/m", "b/y.go", 1) || p.Covers("example.com/m", "a/x.go", 9) {
		t.Fatal("Covers answers wrong")
	}
	if !p.CoversPackage("example.com/m", "a") || p.CoversPackage("example.com/m", "b") {
		t.Fatal("CoversPackage answers wrong")
	}
	if got := p.Uncovered("example.com/m"); strings.Join(got, " ") != "b/y.go:1" {
		t.Fatalf("Uncovered = %v", got)
	}
	other, _ := ParseProfile(strings.NewReader("mode: set\nexample.com/m/b/y.go:1.1,2.2 4 3\n"))
	if c := p.Merge(other).Summary(); c.Covered != 7 {
		t.Fatalf("merged covered %d, want 7", c.Covered)
	}
}

func TestParseProfileRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"mode: set\nno colon here\n", "mode: set\nx.go:1.1,2 1 1\n"} {
		if _, err := ParseProfile(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseProfile(%q) accepted it", bad)
		}
	}
}

func TestWriteListingMarksLines(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	src := "package a\n\nfunc F() int {\n\tx := 1\n\treturn <b>x\n}\n\nfunc G() {\n\tpanic(1)\n}\n"
	os.WriteFile(filepath.Join(root, "a", "x.go"), []byte(src), 0o644)
	p, _ := ParseProfile(strings.NewReader("mode: set\nexample.com/m/a/x.go:3.14,6.2 2 1\nexample.com/m/a/x.go:8.10,10.2 1 0\n"))
	out := filepath.Join(root, "listing.html")
	if err := WriteListing(p, root, "example.com/m", "T", out); err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(out)
	for _, want := range []string{ListingIcon, `<span class="l c"><span class="n">4</span>`, `<span class="l u"><span class="n">9</span>`, `<span class="l"><span class="n">2</span>`, "&lt;b&gt;x", "2 of 3 statements covered"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("listing lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<script") || strings.Contains(string(html), "http") {
		t.Error("listing is not self-contained")
	}
}

func TestWithoutDropsFiles(t *testing.T) {
	p, _ := ParseProfile(strings.NewReader(profile))
	if c := p.Without("/b/y.go").Summary(); c.Statements != 3 || len(c.Packages) != 1 {
		t.Fatalf("without b/y.go: %+v", c)
	}
}
