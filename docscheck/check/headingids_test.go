package check

import "testing"

// TestHeadingAttrIDs: the id of a heading's trailing attribute block, in
// each form a renderer takes, with the spaces RE2's \s allows after it;
// none where the braces are not an id or not at the end.
func TestHeadingAttrIDs(t *testing.T) {
	for text, want := range map[string]string{
		"Install {#setup}":              "setup",
		"Install {#setup}  \t":          "setup",
		"Install {: #setup .wide }":     "setup",
		"Install { .wide #setup }\r":    "setup",
		"Install":                       "",
		"Install {setup}":               "",
		"The {#setup} id, then words":   "",
		"Install {#setup} [#other]":     "",
		"Map<{#k}, V> and {.cls} only ": "",
	} {
		if got := headingAttrID(text); got != want {
			t.Errorf("headingAttrID(%q) = %q, want %q", text, got, want)
		}
	}
}
