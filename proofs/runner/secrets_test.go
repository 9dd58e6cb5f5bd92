package runner

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/pgtest"
)

// TestLeakedSecretFailsTheRun plants the database password in a file of
// the report folder before a run (as a writer that forgot to redact would)
// and requires the run's final scan to find it and exit 2, without
// printing the password itself.
func TestLeakedSecretFailsTheRun(t *testing.T) {
	srv := pgtest.Server(t)
	if srv.Password == "" {
		t.Fatal("test server has no password to leak")
	}
	dbURL := pgtest.NewDatabase(t)
	if u, err := url.Parse(dbURL); err != nil || u.User == nil {
		t.Fatalf("test database URL has no user info: %v", err)
	}
	reportDir := t.TempDir()
	planted := filepath.Join(reportDir, "scenarios", "planted.log")
	if err := os.MkdirAll(filepath.Dir(planted), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planted, []byte("connecting with password "+srv.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := invoke(t, context.Background(), dbURL, nil,
		"run", "--db", "url", "--reset-existing-db", "--report", reportDir, "job_flow_updates_health_and_db")
	if code != ExitHarness {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitHarness, stdout, stderr)
	}
	if !strings.Contains(stderr, "holds a secret") || !strings.Contains(stderr, planted) {
		t.Errorf("stderr %q does not name the leaking file %s", stderr, planted)
	}
	if strings.Contains(stdout+stderr, srv.Password) {
		t.Error("the output shows the password")
	}
}
