package check

import (
	"strings"
	"testing"
)

// TestVersionHeadingShortcut holds isVersionHeading to the regular
// expression on the lower-cased text for every ASCII first byte before
// the text of a release heading, and for headings that start with a
// letter outside ASCII.
func TestVersionHeadingShortcut(t *testing.T) {
	rests := []string{"", "1.2", "ersion 1.2", "elease 1.0.0", "2.1.0] - 2020-01-02", "v1.2", "Version 3.4", ".0 (2019)", "3.7.3", "x"}
	var texts []string
	for b := range 128 {
		for _, rest := range rests {
			texts = append(texts, string(rune(b))+rest)
		}
	}
	texts = append(texts, "Ｖ1.2", "\u212A1.2", "Équipe 1.2", "ǅ1.2")
	for _, text := range texts {
		if got, want := isVersionHeading(text), versionHeading.MatchString(strings.ToLower(text)); got != want {
			t.Errorf("isVersionHeading(%q) = %v, the regular expression says %v", text, got, want)
		}
	}
}
