package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "valid: build, serve"},
		{"unknown command", []string{"publish"}, 2, `unknown command "publish"`},
		{"unknown flag", []string{"build", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"stray argument", []string{"serve", "extra"}, 2, "takes no arguments"},
		{"bad log lines", []string{"build", "--log-lines", "0"}, 2, "--log-lines must be at least 1"},
		{"serve without site", []string{"serve", "--dir", "/nonexistent-site", "--addr", "127.0.0.1:0"}, 1, "run `make website` first"},
		{"help", []string{"build", "-h"}, 0, "-report folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestBuildWithoutReport: `make website` before `make proofs` still gives a
// site, which says no proof has run.
func TestBuildWithoutReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	var stdout, stderr bytes.Buffer
	args := []string{"build", "--report", filepath.Join(t.TempDir(), "report"), "--docs", filepath.Join("..", "site", "testdata", "docs"), "--readme", "", "--out", out}
	if code := Run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "no proof run yet: run `make proofs`") {
		t.Errorf("stdout %q does not say no proof has run", stdout.String())
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), "No proof run yet: run <code>make proofs</code>") {
		t.Error("index has no 'no proof run yet' banner")
	}
}

// TestToolMatchesMakefile: the Makefile's website and serve targets use
// flags the tool defines, with the defaults the docs describe.
func TestToolMatchesMakefile(t *testing.T) {
	tool := Tool()
	for _, args := range [][]string{
		{"build", "--report", "report", "--out", "site"},
		{"serve", "--dir", "site"},
	} {
		if _, _, err := tool.Parse(args, &bytes.Buffer{}); err != nil {
			t.Errorf("Parse(%q): %v", args, err)
		}
	}
	_, fs, err := tool.Parse([]string{"build"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	opts := Build(fs)
	if opts.Report != "report" || opts.Out != "site" || opts.Docs != "docs" || opts.Readme != "README.md" || opts.LogLines != 40 {
		t.Errorf("build defaults = %+v", opts)
	}
	_, fs, err = tool.Parse([]string{"serve"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if s := Serve(fs); s.Dir != "site" || s.Addr != "127.0.0.1:8080" {
		t.Errorf("serve defaults = %+v", s)
	}
}
