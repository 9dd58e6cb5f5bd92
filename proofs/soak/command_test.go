package soak

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusesToResetAnExistingDatabase: with DATABASE_URL set, the soak
// would drop schema public of a database it did not create, so it refuses
// unless told, before touching anything, and never prints the password.
func TestRefusesToResetAnExistingDatabase(t *testing.T) {
	const secret = "pw-that-must-not-print"
	dbURL := "postgres://app:" + secret + "@127.0.0.1:1/production"
	for _, args := range [][]string{
		{"soak", "--db", "url"},
		{"soak"}, // auto picks url when DATABASE_URL is set
	} {
		reportDir := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), CommandConfig{
			Args:   append(args, "--report", reportDir),
			Stdout: &stdout, Stderr: &stderr,
			Getenv: func(k string) string {
				if k == "DATABASE_URL" {
					return dbURL
				}
				return ""
			},
		})
		if code != ExitHarness {
			t.Errorf("%v: exit %d, want %d", args, code, ExitHarness)
		}
		if !strings.Contains(stderr.String(), "refusing to reset") || !strings.Contains(stderr.String(), "--reset-existing-db") {
			t.Errorf("%v: stderr %q does not explain the refusal", args, stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("%v: output shows the password", args)
		}
		if _, err := os.Stat(filepath.Join(reportDir, Dir)); err == nil {
			t.Errorf("%v: a refused soak wrote a report", args)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"soak", "--jobs", "0"},
		{"soak", "--instances", "1"},
		{"soak", "--db", "sqlite"},
		{"soak", "extra"},
	} {
		var stderr bytes.Buffer
		code := Main(context.Background(), CommandConfig{Args: args, Stdout: &bytes.Buffer{}, Stderr: &stderr})
		if code != ExitHarness || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
