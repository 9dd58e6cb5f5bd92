package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/proofs/cli"
)

func TestStart(t *testing.T) {
	const prod = "postgres://app:secret@db.example:5432/prod"
	env := func(url string) func(string) string {
		return func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		url     string
		opts    cli.RunOptions
		wantErr string
		source  pgprovision.Source
	}{
		{name: "auto with DATABASE_URL is the url source, refused", url: prod, opts: cli.RunOptions{DB: "auto", ReportDir: "r"}, wantErr: "refusing to reset"},
		{name: "url refused without the flag", url: prod, opts: cli.RunOptions{DB: "url", ReportDir: "r"}, wantErr: "--reset-existing-db"},
		{name: "url allowed with the flag", url: prod, opts: cli.RunOptions{DB: "url", ReportDir: "r", ResetExistingDB: true}, source: pgprovision.SourceURL},
		{name: "url needs DATABASE_URL", opts: cli.RunOptions{DB: "url", ReportDir: "r", ResetExistingDB: true}, wantErr: "needs DATABASE_URL"},
		{name: "an unknown source", opts: cli.RunOptions{DB: "sqlite", ReportDir: "r"}, wantErr: "--db"},
		{name: "local, report folder made absolute", url: prod, opts: cli.RunOptions{DB: "local", ReportDir: "r"}, source: pgprovision.SourceLocal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(Caller{Args: []string{"soak", "--jobs", "3"}, Getenv: env(tt.url)}, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "secret") {
					t.Fatalf("err = %v, want one containing %q and no password", err, tt.wantErr)
				}
				if tt.url != "" && tt.opts.DB != "sqlite" && !tt.opts.ResetExistingDB && !errors.Is(err, ErrWouldResetExisting) {
					t.Errorf("err = %v, want ErrWouldResetExisting", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Dir "" is the working folder: this package's, inside the repository.
			if s.Source != tt.source || s.ReportDir != filepath.Join(dir, "r") || s.Command != "proofs soak --jobs 3" || s.Root == "" {
				t.Errorf("source %s, report %s, command %q, root %q", s.Source, s.ReportDir, s.Command, s.Root)
			}
		})
	}
}
