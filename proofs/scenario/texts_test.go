package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExactTextsParse reads the exact texts of the docs as the proofs do:
// a section renamed or a row malformed fails here, not only inside a run.
func TestExactTextsParse(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", exactTextsPage))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if help, err := parseSection(page, "`--help`", fencedBlock); err != nil || len(help) < 100 {
		t.Fatalf("--help block: %d bytes, %v", len(help), err)
	}
	refusals, err := parseSection(page, "Refusal lines", refusalRows)
	if err != nil {
		t.Fatal(err)
	}
	// Every bounded variable has its documented line.
	for _, b := range knobBounds {
		found := false
		for _, r := range refusals {
			found = found || r.variable == b.variable
		}
		if !found {
			t.Errorf("no refusal line for %s", b.variable)
		}
	}
	if usages, err := parseSection(page, "Usage errors", usageRows); err != nil || len(usages) < 3 {
		t.Fatalf("usage errors: %d rows, %v", len(usages), err)
	}
	if answers, err := parseSection(page, "Error answers", answerRows); err != nil || len(answers) < 5 {
		t.Fatalf("error answers: %d rows, %v", len(answers), err)
	}
}
