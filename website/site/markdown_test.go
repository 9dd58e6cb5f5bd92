package site

import (
	"strings"
	"testing"
)

func testLinks() *docLinks {
	return &docLinks{
		source: "docs/a.md", page: "docs/a.html", root: "../",
		pages:  map[string]string{"docs/a.md": "docs/a.html", "docs/sub/b.md": "docs/sub/b.html", "README.md": "readme.html"},
		assets: map[string]bool{"docs/img/x.png": true},
		proofs: map[string]bool{"one_proof": true, "two_proof": true},
	}
}

func TestRewriteLinks(t *testing.T) {
	tests := []struct {
		dest, want string
		ok         bool
	}{
		{"sub/b.md", "sub/b.html", true},
		{"sub/b.md#part", "sub/b.html#part", true},
		{"../README.md", "../readme.html", true},
		{"#local", "#local", true},
		{"img/x.png", "img/x.png", true},
		{"https://example.com/x.md", "https://example.com/x.md", true},
		{"../Makefile", "", false},
		{"../../outside.md", "", false},
	}
	l := testLinks()
	for _, tt := range tests {
		got, ok := l.rewrite(tt.dest)
		if got != tt.want || ok != tt.ok {
			t.Errorf("rewrite(%q) = %q, %v; want %q, %v", tt.dest, got, ok, tt.want, tt.ok)
		}
	}
}

func TestProofCommandLinks(t *testing.T) {
	tests := []struct {
		code string
		want []string // linked names, in order
	}{
		{"go run ./proofs run one_proof", []string{"one_proof"}},
		{"bin/proofs run --db local one_proof two_proof", []string{"one_proof", "two_proof"}},
		{"proofs run unknown_proof", nil},
		{"one_proof", nil}, // a bare name in code is not a command
		{"make proofs\nproofs run two_proof # then one_proof", []string{"two_proof", "one_proof"}},
		{"myproofs run one_proof", nil},
		{"proofs list", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range proofCommandLinks(tt.code, testLinks()) {
			got = append(got, tt.code[s.start:s.end])
			if s.href != "../proofs/"+tt.code[s.start:s.end]+".html" {
				t.Errorf("%q: href %q", tt.code, s.href)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("proofCommandLinks(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestWriteLinkedSplitsTokens(t *testing.T) {
	var b strings.Builder
	// One token covers text before, the link and after it.
	code := "run one_proof now"
	writeLinked(&b, []token{{class: "x", text: code}}, []span{{4, 13, "p.html"}})
	want := `<span class="x">run </span><a class="proof-ref" href="p.html"><span class="x">one_proof</span></a><span class="x"> now</span>`
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
	b.Reset()
	// A link spanning several tokens; text with markup is escaped.
	writeLinked(&b, []token{{text: "<a>"}, {class: "n", text: "one_"}, {class: "m", text: "proof"}}, []span{{3, 12, "p.html"}})
	want = `&lt;a&gt;<a class="proof-ref" href="p.html"><span class="n">one_</span><span class="m">proof</span></a>`
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
}

func TestMarkdownIsSafe(t *testing.T) {
	src := "# T\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) `<b>`\n\n```html\n<script>x</script>\n```\n"
	body, title, err := renderMarkdown([]byte(src), testLinks())
	if err != nil {
		t.Fatal(err)
	}
	if title != "T" {
		t.Errorf("title = %q", title)
	}
	out := string(body)
	for _, bad := range []string{"<script", "onerror", "javascript:", "<b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
}

func FuzzRenderMarkdown(f *testing.F) {
	f.Add("# Title\n\n`proofs run one_proof`\n\n```sh\ngo run ./proofs run two_proof\n```\n")
	f.Add("<script>alert(1)</script> [a](../x.md#y) ![i](img/x.png)")
	f.Fuzz(func(t *testing.T, src string) {
		body, _, err := renderMarkdown([]byte(src), testLinks())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(body)), "<script") {
			t.Fatalf("rendered a script tag from %q", src)
		}
	})
}
