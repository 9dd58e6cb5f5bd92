package finding

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeInvalidUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"caf\xe9", `caf\xe9`},
		{"été 😀", "été 😀"},
		{"\xff\xfe", `\xff\xfe`},
		{"a\\xb", "a\\xb"},
		{"\xf0\x9f\x98", `\xf0\x9f\x98`}, // a cut-off emoji
	}
	for _, tt := range tests {
		if got := EscapeInvalidUTF8(tt.in); got != tt.want {
			t.Errorf("EscapeInvalidUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUTF16Column(t *testing.T) {
	src := []byte("first\nÉté 😀 [x](#a)\n\xe9x\n")
	tests := []struct{ line, col, want int }{
		{1, 1, 1},
		{1, 4, 4},
		{2, 12, 8}, // É t é space 😀(2 units) space
		{3, 2, 2},  // one invalid byte is one unit
		{9, 5, 5},  // no such line: unchanged
	}
	for _, tt := range tests {
		if got := utf16Column(src, tt.line, tt.col); got != tt.want {
			t.Errorf("utf16Column(%d, %d) = %d, want %d", tt.line, tt.col, got, tt.want)
		}
	}
}

// TestEveryFormatIsValidUTF8: a finding carrying invalid bytes comes out
// escaped in each format, and JSON and SARIF stay decodable.
func TestEveryFormatIsValidUTF8(t *testing.T) {
	fs := []Finding{{Path: "docs/caf\xe9.md", Line: 1, Col: 1, Rule: "link", Message: "link target `\xe9.md` does not exist", Suggestion: "\xff"}}
	for _, format := range Formats {
		var b bytes.Buffer
		if err := (Output{Format: format, Prefix: "sub"}).Write(&b, fs, Stats{Files: 1}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !utf8.ValidString(out) {
			t.Errorf("%s: invalid UTF-8 in %q", format, out)
		}
		if format != SARIF && !strings.Contains(out, `\xe9.md`) {
			t.Errorf("%s: escaped byte missing: %s", format, out)
		}
		if format == JSON || format == SARIF {
			var v any
			if err := json.Unmarshal(b.Bytes(), &v); err != nil {
				t.Errorf("%s: %v", format, err)
			}
		}
		if format == SARIF && !strings.Contains(out, `"uri": "sub/docs/caf%E9.md"`) {
			t.Errorf("sarif: uri not percent-encoded under the prefix:\n%s", out)
		}
		if format == GitHub && !strings.Contains(out, "file=sub/docs/caf") {
			t.Errorf("github: path not under the prefix: %s", out)
		}
	}
}

func TestSummary(t *testing.T) {
	s := Stats{Files: 1, Checks: 1, NotChecked: map[string]int{"curl": 3, "psql": 1, "git": 3}}
	want := "docscheck: 1 file, 1 check, 2 findings, 7 commands not checked (curl 3, git 3, psql 1)"
	if got := s.Summary(2); got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}
