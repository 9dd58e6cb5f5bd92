package scenario

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestKnobBoundsMatchTheDocs keeps the start-up proof's bounds and the
// ranges docs/reference-backend.md states the same, both ways: a bound
// the docs change must change the proof, and a variable the docs give a
// range must have its edges proved.
func TestKnobBoundsMatchTheDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/reference-backend.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\| (?:yes|no) \\|(.*)$")
	rng := regexp.MustCompile(`from (\d+) to (\d+)`)
	stated := map[string]knobBound{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		r := rng.FindStringSubmatch(m[2])
		if r == nil {
			continue
		}
		lo, _ := strconv.ParseInt(r[1], 10, 64)
		hi, _ := strconv.ParseInt(r[2], 10, 64)
		stated[m[1]] = knobBound{variable: m[1], lo: lo, hi: hi, zeroAllowed: strings.Contains(m[2], "`0` keeps")}
	}
	if len(stated) == 0 {
		t.Fatal("no variable with a range \"from N to M\" found in docs/reference-backend.md's table")
	}
	proved := map[string]bool{}
	for _, b := range knobBounds {
		proved[b.variable] = true
		if got, ok := stated[b.variable]; !ok {
			t.Errorf("%s: the proof checks the range %d to %d, the docs state none", b.variable, b.lo, b.hi)
		} else if got != b {
			t.Errorf("%s: the docs state %+v, the proof checks %+v", b.variable, got, b)
		}
	}
	for name := range stated {
		if !proved[name] {
			t.Errorf("%s: the docs state a range the start-up proof does not check (add it to knobBounds)", name)
		}
	}
}
