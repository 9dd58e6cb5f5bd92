package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeDocscheck is a stand-in for a docscheck binary: it reports a `link`
// finding on every line of every README.md under --root that holds BROKEN,
// in docscheck's JSON format, and exits 1 when it found any. A README.md
// that holds HANG makes it run for a minute, as a run that never ends.
const fakeDocscheck = `#!/bin/sh
root="$2"
cd "$root" || exit 2
grep -q HANG README.md && exec sleep 60
out=$(grep -n BROKEN README.md | cut -d: -f1 | while read n; do printf '{"path":"README.md","line":%s,"col":1,"rule":"link","message":"m"},' "$n"; done)
printf '{"version":1,"findings":[%s]}' "${out%,}"
[ -n "$out" ] && exit 1
exit 0
`

// setup writes a corpus of two repositories, the eval files and the fake
// binary, and returns the measurement over them.
func setup(t *testing.T, labels, plants string) measurement {
	t.Helper()
	dir := t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "bin", "docscheck"), fakeDocscheck)
	write(filepath.Join(dir, "corpus", "a+one", "README.md"), "ok\nBROKEN\nok\nBROKEN\n")
	write(filepath.Join(dir, "corpus", "b+two", "README.md"), "ok\n")
	for _, name := range []string{"a+one", "b+two"} {
		writeClonesFiles(t, filepath.Join(dir, "corpus", name))
	}
	write(filepath.Join(dir, "eval", "corpus.tsv"), "# header\na/one\tc1\ttune\tgo\nb/two\tc2\theldout\tgo\n")
	write(filepath.Join(dir, "eval", "labels.tsv"), labels)
	write(filepath.Join(dir, "eval", "plants.tsv"), plants)
	return measurement{bin: filepath.Join(dir, "bin", "docscheck"), corpusDir: filepath.Join(dir, "corpus"), evalDir: filepath.Join(dir, "eval")}
}

func TestJoinCountsVerdictsAndUnlabeled(t *testing.T) {
	m := setup(t, "a/one\tc1\tREADME.md:2\tlink\treal\tr\n"+
		"a/one\tOLD\tREADME.md:4\tlink\tfalse\tstale commit, ignored\n", "")
	rep, err := m.run(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	one := rep.repos[0]
	if one.Name != "a/one" || one.findings != 2 || one.real != 1 || one.false != 0 || len(one.unlabeled) != 1 || one.staleLabels != 1 {
		t.Fatalf("a/one: %+v", one)
	}
	if rep.repos[1].findings != 0 {
		t.Fatalf("b/two: %+v", rep.repos[1])
	}
	var out bytes.Buffer
	rep.write(&out, true)
	for _, want := range []string{"| a/one | go | 2 | 1 | 0 | 0 | 1 | 100 % |", "unlabeled\ta/one\tc1\tREADME.md:4\tlink"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPlantFoundAtAppendedLineAndMissedElsewhere(t *testing.T) {
	m := setup(t, "", "# plants\n"+
		"p1\tb/two\tlink\tREADME.md\t\\nBROKEN here\t2\n"+ // appended after line 1: line 3
		"p2\tb/two\tlink\tREADME.md\t\\nfine\t2\n")
	rep, err := m.run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.plants) != 2 {
		t.Fatalf("plants: %+v", rep.plants)
	}
	if p := rep.plants[0]; p.err != nil || p.found == nil || p.found.Line != 3 {
		t.Errorf("p1 not found at line 3: %+v", p)
	}
	if p := rep.plants[1]; p.err != nil || p.found != nil {
		t.Errorf("p2 reported though nothing was planted: %+v", p)
	}
	// The corpus copy is untouched.
	body, err := os.ReadFile(filepath.Join(m.corpusDir, "b+two", "README.md"))
	if err != nil || string(body) != "ok\n" {
		t.Errorf("corpus changed: %q, %v", body, err)
	}
}

// TestTimeoutReportsDidNotFinish: a run that outlasts --timeout is killed,
// its repository is reported as "did not finish" and the others are still
// measured; a plant in that repository is an error, not a miss.
func TestTimeoutReportsDidNotFinish(t *testing.T) {
	m := setup(t, "", "p1\ta/one\tlink\tREADME.md\t\\nBROKEN\t2\n")
	if err := os.WriteFile(filepath.Join(m.corpusDir, "a+one", "README.md"), []byte("HANG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Long enough for the other repository's run on a loaded machine;
	// the hanging one would run a minute (twice: its plant too).
	m.timeout = 5 * time.Second
	start := time.Now()
	rep, err := m.run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 50*time.Second {
		t.Errorf("took %v: the runs were not killed", took)
	}
	if !rep.repos[0].unfinished || rep.repos[1].unfinished || rep.repos[1].findings != 0 {
		t.Fatalf("repos: %+v", rep.repos)
	}
	if p := rep.plants[0]; !errors.Is(p.err, errDidNotFinish) {
		t.Errorf("plant: %+v, want a did-not-finish error", p)
	}
	var out bytes.Buffer
	rep.write(&out, true)
	if !strings.Contains(out.String(), "| a/one | go | did not finish |") {
		t.Errorf("report:\n%s", out.String())
	}
}

func TestBadLabelIsAnError(t *testing.T) {
	m := setup(t, "a/one\tc1\tREADME.md:2\tlink\tmaybe\tr\n", "")
	if _, err := m.run(context.Background(), false); err == nil || !strings.Contains(err.Error(), "verdict") {
		t.Fatalf("err = %v, want a verdict error", err)
	}
}

// TestRoundFilesAreReadBesideTheFirst: a second round keeps its corpus,
// labels and plants in kind-ROUND.tsv files; they are joined with the first
// round's, --half selects them, and a repository listed in two rounds is an
// error rather than measured twice.
// writeClonesFiles gives a checkout the .git/config and .git/HEAD a clone
// leaves.
func writeClonesFiles(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"config": "[remote \"origin\"]\n\turl = https://github.com/x/y.git\n",
		"HEAD":   "ref: refs/heads/main\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, ".git", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckoutWithoutClonesFilesIsNotMeasured: a checkout without the
// .git/ files a clone leaves is reported as such, counted nowhere, and its
// plants are errors, so that a measurement on it cannot pass for one.
func TestCheckoutWithoutClonesFilesIsNotMeasured(t *testing.T) {
	m := setup(t, "", "p1\ta/one\tlink\tREADME.md\t\\nBROKEN\t2\n")
	if err := os.Remove(filepath.Join(m.corpusDir, "a+one", ".git", "HEAD")); err != nil {
		t.Fatal(err)
	}
	rep, err := m.run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.write(&out, true)
	if !strings.Contains(out.String(), "| a/one | go | not a clone's checkout") {
		t.Errorf("no row saying a/one is not a clone's checkout:\n%s", out.String())
	}
	if len(rep.plants) != 1 || rep.plants[0].err == nil || rep.plants[0].found != nil {
		t.Errorf("plant on it: %+v, want an error", rep.plants)
	}
	if strings.Contains(out.String(), "| **all** | | **2**") {
		t.Errorf("its findings are counted:\n%s", out.String())
	}
}

func TestRoundFilesAreReadBesideTheFirst(t *testing.T) {
	m := setup(t, "", "")
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(m.evalDir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(m.corpusDir, "c+three"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("../corpus/c+three/README.md", "BROKEN\nok\n")
	writeClonesFiles(t, filepath.Join(m.corpusDir, "c+three"))
	write("corpus-round2.tsv", "# round 2\nc/three\tc3\tround2\tnode\n")
	write("labels-round2.tsv", "c/three\tc3\tREADME.md:1\tlink\tfalse\tr\n")
	write("plants-round2.tsv", "p1\tc/three\tlink\tREADME.md\t\\nBROKEN\t2\n")
	m.half = halfRound2
	rep, err := m.run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.repos) != 1 || rep.repos[0].Name != "c/three" || rep.repos[0].false != 1 || rep.repos[0].plantsFound != 1 {
		t.Fatalf("round 2 alone: %+v", rep.repos)
	}
	var out bytes.Buffer
	rep.write(&out, true)
	if !strings.Contains(out.String(), "### round2 half") || strings.Contains(out.String(), "a/one") {
		t.Errorf("report:\n%s", out.String())
	}

	write("corpus-round3.tsv", "a/one\tc1\tround2\tgo\n")
	if _, err := m.run(context.Background(), false); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("err = %v, want a repository listed twice", err)
	}
}

// TestRecordedRoundsAgree loads the corpus, labels and plants this folder
// records for every round, as the eval tool does, and checks that they
// agree: every half is known, every label is for the commit its repository
// is measured at, and every plant names a measured repository. A round
// whose half the tool does not know, or a label left at an old commit,
// would otherwise surface only when someone re-runs the measurement.
func TestRecordedRoundsAgree(t *testing.T) {
	repos, err := loadEach(".", "corpus", true, loadCorpus)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := loadEach(".", "labels", false, loadLabels)
	if err != nil {
		t.Fatal(err)
	}
	plants, err := loadEach(".", "plants", false, loadPlants)
	if err != nil {
		t.Fatal(err)
	}
	commitOf := map[string]string{}
	perHalf := map[string]int{}
	for _, r := range repos {
		commitOf[r.Name] = r.Commit
		perHalf[r.Half]++
	}
	for _, h := range halves {
		if perHalf[h] == 0 {
			t.Errorf("half %s has no repository", h)
		}
	}
	for _, l := range labels {
		if got, ok := commitOf[l.Repo]; !ok || got != l.Commit {
			t.Errorf("label %s %s:%d is for commit %s, the corpus measures %q", l.Repo, l.Path, l.Line, l.Commit, got)
		}
	}
	for _, p := range plants {
		if _, ok := commitOf[p.Repo]; !ok {
			t.Errorf("plant %s: repository %s is not in the corpus", p.ID, p.Repo)
		}
	}
}
