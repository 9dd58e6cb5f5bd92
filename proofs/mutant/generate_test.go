package mutant

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/harness"
)

const sample = `package p

import "log/slog"

const limit = 64

func f(a, b int, logger *slog.Logger) (int, error) {
	if a < b {
		logger.Info("small", "n", 3)
		return a + b, nil
	}
	err := g(a, b)
	if err != nil {
		return 0, err
	}
	a++
	return a, nil
}

func g(x, y int) error { return nil }

func h() {
	done := true
	_ = done
	slog.Warn("x")
}
`

func TestGenerateFileOperators(t *testing.T) {
	gs, err := GenerateFile("backend/p/p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	byOp := map[string][]Generated{}
	for _, g := range gs {
		byOp[g.Operator] = append(byOp[g.Operator], g)
		mutated := sample[:g.Start] + g.New + sample[g.End:]
		if mutated == sample {
			t.Errorf("%s changes nothing", g.ID)
		}
		// Every mutant must still parse: the build, not the parser, is
		// what discards the ill-typed ones.
		if _, err := parser.ParseFile(token.NewFileSet(), "m.go", mutated, 0); err != nil {
			t.Errorf("%s (%s) does not parse: %v", g.ID, g.Change, err)
		}
		if strings.Contains(g.Change, "small") || strings.Contains(g.Change, `"x"`) {
			t.Errorf("%s mutates a logging call: %s", g.ID, g.Change)
		}
	}
	want := map[string]int{OpNegate: 2, OpBoundary: 1, OpSwapCompare: 2, OpSwapArith: 1, OpDropError: 1, OpSwapArgs: 1, OpEarlyReturn: 1, OpBool: 1}
	for op, n := range want {
		if len(byOp[op]) != n {
			t.Errorf("%s: %d mutants, want %d: %v", op, len(byOp[op]), n, byOp[op])
		}
	}
	if len(byOp[OpConstant]) != 3 { // 64 → 65 and 32; 0 → 1 in "return 0, err"
		t.Errorf("constants: %v", byOp[OpConstant])
	}
	decls := 0
	for _, g := range byOp[OpConstant] {
		if g.Decl {
			decls++
		}
	}
	if decls != 2 {
		t.Errorf("%d package-level constant mutants marked Decl, want 2 (limit = 64)", decls)
	}
	for _, g := range byOp[OpRemove] {
		if !strings.Contains(g.Change, "a++") {
			t.Errorf("unexpected removal %s", g.Change)
		}
	}
}

func TestGenerateSkipsBuildTaggedFiles(t *testing.T) {
	gs, err := GenerateFile("backend/x.go", []byte("//go:build pprof\n\npackage main\n\nfunc f() { g(1, 2) }\n"))
	if err != nil || len(gs) != 0 {
		t.Fatalf("got %d mutants, %v; want none", len(gs), err)
	}
}

// The backend and its migrations yield mutants with stable, unique ids.
func TestGenerateBackend(t *testing.T) {
	root, err := harness.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	gs, err := GenerateDirs(root, "backend", "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) < 500 {
		t.Fatalf("only %d mutants", len(gs))
	}
	seen := map[string]bool{}
	for _, g := range gs {
		if seen[g.ID] {
			t.Fatalf("duplicate id %s", g.ID)
		}
		seen[g.ID] = true
		if strings.HasSuffix(g.File, "_test.go") || filepath.Base(g.File) == "coverflush.go" {
			t.Fatalf("mutant in %s", g.File)
		}
	}
}

// Coverage counts a case only when its body runs, but its expressions run
// whenever the switch is reached: a mutant there is judged by the proofs that
// reach the switch (its line), while a mutant in a case body keeps its own.
func TestCaseExpressionsAreReachedWithTheirSwitch(t *testing.T) {
	const src = `package p

func f(x, y int) int {
	switch {
	case x == 1:
		return 1
	case x > 2 &&
		y < 3:
		return x + y
	}
	switch v := any(x).(type) {
	case int:
		_ = v
	}
	return 0
}
`
	gs, err := GenerateFile("backend/p/p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, g := range gs {
		want := g.Line
		if g.Line == 5 || g.Line == 7 || g.Line == 8 {
			want = 4 // the expressions of the first switch's cases
		}
		if g.ReachLine != want {
			t.Errorf("%s (%s): ReachLine %d, want %d", g.ID, g.Change, g.ReachLine, want)
		}
		seen[g.Line] = true
	}
	for _, line := range []int{5, 7, 8, 9} {
		if !seen[line] {
			t.Errorf("no mutant on line %d: the sample no longer tests what it should", line)
		}
	}
}
