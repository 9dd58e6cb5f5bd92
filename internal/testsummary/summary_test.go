package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// goTestJSON runs `go test -json` on the fixture package, as `make test`
// runs it on the module, and returns its stream.
func goTestJSON(t *testing.T, fail bool) []byte {
	t.Helper()
	cmd := exec.Command("go", "test", "-count=1", "-json", ".")
	cmd.Dir = "testdata/sample"
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if fail {
		cmd.Env = append(cmd.Env, "SAMPLE_FAIL=1")
	}
	out, err := cmd.Output()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("go test -json: %v", err)
	}
	return out
}

func TestSummaryNamesEverySkipAndKeepsTheResultLines(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var out bytes.Buffer
		failed, err := summarize(bytes.NewReader(goTestJSON(t, fail)), &out)
		if err != nil {
			t.Fatal(err)
		}
		got := out.String()
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		last := lines[len(lines)-1]
		want := "skipped: 2 tests: sample TestSkipsWithAReason (sample_test.go:11: no widget installed (apt-get install widget)); sample TestSubtests/skips (sample_test.go:21: subtest reason)"
		if last != want {
			t.Errorf("fail=%v: last line\n  %s\nwant\n  %s", fail, last, want)
		}
		if failed != fail {
			t.Errorf("fail=%v: summarize reported failed=%v", fail, failed)
		}
		if strings.Contains(got, "=== RUN") || strings.Contains(got, "passing test's log") {
			t.Errorf("fail=%v: verbose output leaked:\n%s", fail, got)
		}
		if !fail && !strings.HasPrefix(got, "ok  \tsample\t") {
			t.Errorf("no ok line:\n%s", got)
		}
		if fail {
			for _, w := range []string{"--- FAIL: TestFails", "sample_test.go:15: the failure message", "FAIL\tsample\t"} {
				if !strings.Contains(got, w) {
					t.Errorf("failing run lacks %q:\n%s", w, got)
				}
			}
		}
	}
}

func TestSkippedLineWithoutSkips(t *testing.T) {
	if got := skippedLine(nil); got != "skipped: none" {
		t.Errorf("got %q", got)
	}
}
