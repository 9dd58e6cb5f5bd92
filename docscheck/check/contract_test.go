package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
)

func TestContracts(t *testing.T) {
	const config = `{"pages": [{"path": "docs/page.md",
		"headings": ["When to use this page", "Canonical surfaces", "Recovery signals"],
		"mentions": ["make proofs"], "mention_all_proofs": true}]}`
	tests := []struct {
		name string
		page string
		want []string
	}{
		{
			name: "satisfied",
			page: "# Title\n## When to use this page\n## Canonical Surfaces\n### detail\n## Recovery signals\n" +
				"Run `make proofs`: alpha_proof, beta_proof and worker_crash_recovers_job.\n",
		},
		{
			name: "missing and out of order headings",
			page: "## Recovery signals\n## When to use this page\nmake proofs alpha_proof beta_proof worker_crash_recovers_job\n",
			want: []string{
				`1:1: contract-heading: required heading "Canonical surfaces" is missing`,
				`1:4: contract-heading: heading "Recovery signals" must come after "When to use this page"`,
			},
		},
		{
			name: "proof names must be whole words",
			page: "## When to use this page\n## Canonical surfaces\n## Recovery signals\nmake proofs alpha_proof_extra beta_proof\n",
			want: []string{
				`1:1: contract-mention: page must mention proof alpha_proof`,
				`1:1: contract-mention: page must mention proof worker_crash_recovers_job`,
			},
		},
		{
			name: "required mention",
			page: "## When to use this page\n## Canonical surfaces\n## Recovery signals\nalpha_proof beta_proof worker_crash_recovers_job\n",
			want: []string{`1:1: contract-mention: page must mention "make proofs"`},
		},
	}
	root := copyFixture(t)
	cfg, err := ParseConfig([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(root, "docs", "page.md"), []byte(tt.page), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range checkPage(t, Options{Repo: repo.New(root), ProofNames: fixtureProofs, Contracts: cfg.Pages}, "docs/page.md") {
				got = append(got, strings.TrimPrefix(f, "docs/page.md:"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestMissingContractPage(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"pages":[{"path":"docs/gone.md","headings":["X"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Repo: repo.New(copyFixture(t)), Contracts: cfg.Pages})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.MissingPages([]string{"docs"}); strings.Join(got, ",") != "docs/gone.md" {
		t.Errorf("under docs: got %q, want docs/gone.md", got)
	}
	if got := c.MissingPages([]string{"README.md"}); len(got) != 0 {
		t.Errorf("under README.md: got %q, want none", got)
	}
}

func TestParseConfigRejects(t *testing.T) {
	for _, bad := range []string{
		`{"pages":[{"path":"a.md","heading":["typo"]}]}`,
		`{"pages":[{"headings":["no path"]}]}`,
		`{"pages":[{"path":"a.md"},{"path":"./a.md"}]}`,
		`{"pages":[]} {}`,
		`not json`,
	} {
		if _, err := ParseConfig([]byte(bad)); err == nil {
			t.Errorf("ParseConfig(%s) succeeded, want an error", bad)
		}
	}
}

func TestParseConfigIgnores(t *testing.T) {
	tests := []struct {
		json, wantErr string
	}{
		{`{"pages":[],"ignore":[{"rule":"script","reason":"lives in the ops repository"}]}`, ""},
		{`{"pages":[],"ignore":[{"path":"docs/*.md","pattern":"ops/"}]}`, ""},
		{`{"pages":[],"ignore":[{"reason":"nothing to match"}]}`, "ignore[0]: needs a path, a rule or a pattern"},
		{`{"pages":[],"ignore":[{"pattern":"("}]}`, "ignore[0]: pattern"},
		{`{"pages":[],"ignore":[{"path":"[x"}]}`, "ignore[0]: path"},
		{`{"pages":[],"ignore":[{"rules":"script"}]}`, "unknown field"},
	}
	for _, tt := range tests {
		_, err := ParseConfig([]byte(tt.json))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.json, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tt.json, err, tt.wantErr)
		}
	}
}
