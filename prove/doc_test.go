package prove_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/report"
)

// docPage is the page whose complete proof this test runs.
const docPage = "../docs/prove-your-own-backend.md"

// goBlock is the page's one ```go code block.
func goBlock(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(docPage)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "```go\n")
	block, _, closed := strings.Cut(rest, "```\n")
	if !ok || !closed {
		t.Fatalf("%s has no complete ```go block", docPage)
	}
	return block
}

// TestDocExampleRuns runs the page's complete proof, as a reader would
// (its own module, go run), against the toy service in testdata: it must
// pass and leave a report. Sabotaged (the service skips its insert), it
// must fail.
func TestDocExampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program against a throwaway Postgres")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	service := filepath.Join(tmp, "toyservice")
	if out, err := exec.Command("go", "build", "-o", service, "./testdata/toyservice").CombinedOutput(); err != nil {
		t.Fatalf("build the toy service: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "mine")
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	// The reader's module needs what prove needs: the main module's
	// requirements, and prove itself from this checkout.
	requires := strings.SplitN(string(goMod), "\nrequire", 2)[1]
	write("go.mod", "module example.com/mine\n\ngo 1.26.0\n\nrequire github.com/prodproof/prodproof v0.0.0\n\nrequire"+requires+"\nreplace github.com/prodproof/prodproof => "+root+"\n")
	write("go.sum", string(goSum))
	write("main.go", goBlock(t))

	run := func(service string) (int, string) {
		cmd := exec.Command("go", "run", ".")
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "SERVICE="+service, "GOFLAGS=-mod=mod")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if exitErr, ok := err.(*exec.ExitError); ok {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("go run: %v\n%s", err, out.String())
		}
		return code, out.String()
	}
	if code, out := run(service); code != 0 {
		t.Fatalf("the page's proof against the toy service: exit %d, want 0\n%s", code, out)
	}
	res, err := report.Load(filepath.Join(mod, "report"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != report.Pass || len(res.Scenarios) != 1 || res.Scenarios[0].Name != "restart_after_crash_is_recorded" {
		t.Errorf("report: verdict %s, %d proofs", res.Verdict, len(res.Scenarios))
	}

	// A service that does not record its boots breaks the claim.
	broken := filepath.Join(tmp, "broken.sh")
	if err := os.WriteFile(broken, []byte("#!/bin/sh\nTOY_SKIP_BOOT=1 exec "+service+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out := run(broken)
	if code != 1 {
		t.Fatalf("the page's proof against a service that skips its insert: exit %d, want 1\n%s", code, out)
	}
	res, err = report.Load(filepath.Join(mod, "report"))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Scenarios[0].FirstFailure; f == nil || f.Name != "boots recorded" || f.Observed != "0" {
		t.Errorf("first failure %+v, want boots recorded observed 0", f)
	}
}
