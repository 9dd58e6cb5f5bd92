package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/clispec"
)

// TestUnitMemoMatchesChecks holds the command-unit memo (units.go) to the
// checks it stands for: every case page of the case files that takes no
// option, written twice (under docs/cases, and in a folder of its own,
// so that a unit meets other start folders), checked in one run with the
// memo and in one without, gives the same findings, cases not judged and
// counts, and the memo answered some units.
func TestUnitMemoMatchesChecks(t *testing.T) {
	root := copyFixture(t)
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	var pages []string
	for _, file := range files {
		for i, tc := range readCases(t, file) {
			if len(tc.options) > 0 {
				continue
			}
			name := fmt.Sprintf("%s-%03d.md", strings.TrimSuffix(filepath.Base(file), ".txt"), i)
			for _, dir := range []string{"docs/cases", "unit-cases"} {
				p := dir + "/" + name
				if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), []byte(tc.markdown), 0o644); err != nil {
					t.Fatal(err)
				}
				pages = append(pages, p)
			}
		}
	}
	slices.Sort(pages)
	run := func(memo bool) (string, int64) {
		c, err := New(Options{Repo: repo.New(root), Tools: []clispec.Tool{widgetTool()}, ProofNames: fixtureProofs, ProofCommands: []string{"widget run"}})
		if err != nil {
			t.Fatal(err)
		}
		c.noUnitMemo = !memo
		findings, err := c.Run(context.Background(), pages)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, f := range findings {
			fmt.Fprintln(&b, f.String())
		}
		for _, f := range c.NotJudged() {
			fmt.Fprintln(&b, "not judged:", f.String())
		}
		s := c.Stats()
		fmt.Fprintf(&b, "files %d checks %d skipped %d not checked %v\n", s.Files, s.Checks, s.Skipped, s.NotChecked)
		return b.String(), c.unitHits.Load()
	}
	without, _ := run(false)
	with, hits := run(true)
	if with != without {
		t.Errorf("with the unit memo the run differs from the checks it stands for:\n--- with\n%s\n--- without\n%s", with, without)
	}
	if hits == 0 {
		t.Errorf("the unit memo answered no unit of %d pages", len(pages))
	}
	t.Logf("%d pages, %d units answered by the memo", len(pages), hits)
}

// TestSessionFieldsAreInUnitKeys: every field of the session is either in
// a unit's memo key or in madeNothing (units.go). A new field fails here
// until it is added to one of them, and to this list.
func TestSessionFieldsAreInUnitKeys(t *testing.T) {
	known := []string{
		"dirs", "start", "sourceFolder", // in the key
		"created", "extracted", "downloads", "executable", "clones", "ranLost", "readersProject", "inClone", "atOwnRoot", "rootPinned", "checkoutPinned", "windowsMoved", "ownArchives", "unnamedBinaries", // madeNothing
		"elsewhere",               // weighed after the unit ran (standing), not in it
		"placed",                  // set for each call from the unit's own text
		"leadInRead",              // read before the key is made (followProseMoves), which then holds the folders it added
		"ranWriter",               // read only after a clone, which madeNothing covers
		"binaries", "otherClones", // subsets of created, which madeNothing covers
		"unpackedHere",             // set only with extracted, which madeNothing covers
		"level", "movedAt", "open", // read only at a heading; a unit that moves the reader changes dirs, and is not remembered
	}
	var fields []string
	typ := reflect.TypeFor[session]()
	for i := range typ.NumField() {
		fields = append(fields, typ.Field(i).Name)
	}
	slices.Sort(fields)
	slices.Sort(known)
	if !slices.Equal(fields, known) {
		t.Errorf("session fields %v, units.go accounts for %v", fields, known)
	}
}

// TestUnitMemoKeepsStartFolders: the same unit in the same folders is
// weighed by where its page starts (a missing package.json is certain
// only in a folder the page moved to), so the memo keys units by their
// start folders too.
func TestUnitMemoKeepsStartFolders(t *testing.T) {
	root := copyFixture(t)
	page := "# Scripts\n\n```bash\ncd pkg\n```\n\n```bash\nyarn frobnicate\n```\n"
	for _, p := range []string{"docs/b.md", "pkg/a.md"} {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(memo bool) string {
		c, err := New(Options{Repo: repo.New(root), Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		c.noUnitMemo = !memo
		var out []string
		// One page after the other, so that the first one's units are
		// remembered when the second one is checked.
		for _, p := range []string{"docs/b.md", "pkg/a.md"} {
			findings, err := c.Run(context.Background(), []string{p})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				out = append(out, f.String())
			}
		}
		s := c.Stats()
		return fmt.Sprintf("%s\nchecks %d not checked %v", strings.Join(out, "\n"), s.Checks, s.NotChecked)
	}
	without, with := run(false), run(true)
	if !strings.Contains(without, "pkg/a.md") {
		t.Fatalf("the case no longer tells start folders apart (nothing on pkg/a.md):\n%s", without)
	}
	if with != without {
		t.Errorf("with the unit memo:\n%s\nwithout:\n%s", with, without)
	}
}

// TestUnitMemoCountsWhatItAnswers: a unit the memo answers adds the
// checks and the commands not checked that checking it added.
func TestUnitMemoCountsWhatItAnswers(t *testing.T) {
	root := copyFixture(t)
	block := "```bash\nmake build && jq . x.json\n```\n\nRun `make test`.\n\n"
	page := "# Build\n\n" + block + block + block
	if err := os.WriteFile(filepath.Join(root, "docs", "build.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(memo bool) (string, int64) {
		c, err := New(Options{Repo: repo.New(root)})
		if err != nil {
			t.Fatal(err)
		}
		c.noUnitMemo = !memo
		findings, err := c.Run(context.Background(), []string{"docs/build.md"})
		if err != nil {
			t.Fatal(err)
		}
		s := c.Stats()
		return fmt.Sprintf("findings %v checks %d not checked %v", findings, s.Checks, s.NotChecked), c.unitHits.Load()
	}
	without, _ := run(false)
	with, hits := run(true)
	if with != without {
		t.Errorf("with the unit memo: %s; without: %s", with, without)
	}
	if hits != 4 {
		t.Errorf("the memo answered %d units, want 4 (the second and third block and inline command)", hits)
	}
}
