package pgprovision

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startLocal provisions a local server for one test and closes it at
// cleanup. It fails (never skips) when no server binaries are installed.
func startLocal(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts.Source = SourceLocal
	srv, err := Provision(ctx, opts)
	if err != nil {
		t.Fatalf("provision local postgres: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

func queryOne(t *testing.T, connString, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var out string
	if err := conn.QueryRow(ctx, sql).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func TestLocalStartAndClose(t *testing.T) {
	var logs []string
	srv := startLocal(t, Options{
		Logf:     func(format string, args ...any) { logs = append(logs, fmtLine(format, args...)) },
		Settings: map[string]string{"max_wal_size": "256MB", "application_name": "it's quoted"},
	})

	if srv.Source != SourceLocal || !srv.Owned {
		t.Errorf("Source=%q Owned=%v, want local and owned", srv.Source, srv.Owned)
	}
	if len(srv.Password) < 24 || !strings.Contains(srv.URL, srv.Password) {
		t.Errorf("password has %d chars and URL carries it: %v", len(srv.Password), strings.Contains(srv.URL, srv.Password))
	}
	if !strings.HasPrefix(srv.Version, "1") {
		t.Errorf("Version = %q, want a server version", srv.Version)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatalf("URL does not parse: %v", err)
	}
	if u.Hostname() != "127.0.0.1" {
		t.Errorf("host = %q, want 127.0.0.1", u.Hostname())
	}

	if got := queryOne(t, srv.URL, "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	for setting, want := range map[string]string{
		"fsync":            "off",
		"max_connections":  "200",
		"max_wal_size":     "256MB",
		"application_name": "it's quoted",
		"listen_addresses": "127.0.0.1",
	} {
		if got := queryOne(t, srv.URL, "SHOW "+setting); got != want {
			t.Errorf("SHOW %s = %q, want %q", setting, got, want)
		}
	}

	// The password is really checked over TCP.
	wrong := *u
	wrong.User = url.UserPassword("postgres", "not-"+srv.Password)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, wrong.String()); err == nil {
		conn.Close(ctx)
		t.Errorf("connecting with a wrong password succeeded")
	}

	for _, line := range logs {
		if strings.Contains(line, srv.Password) {
			t.Errorf("log line carries the password: %q", line)
		}
	}
	if len(logs) == 0 || !strings.Contains(strings.Join(logs, "\n"), "starting local postgres") {
		t.Errorf("progress lines = %q, want a 'starting local postgres' line", logs)
	}

	// Close: the port refuses, the temp dir is gone, a second Close is fine.
	root := localRoot(t, srv)
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("temp dir %s before Close: %v", root, err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second); err == nil {
		conn.Close()
		t.Errorf("port %s still accepts connections after Close", u.Host)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s after Close: err=%v, want it gone", root, err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// localRoot finds the temp dir of a running local server from the server
// itself (data_directory is ROOT/data).
func localRoot(t *testing.T, srv *Server) string {
	t.Helper()
	data := queryOne(t, srv.URL, "SHOW data_directory")
	if filepath.Base(data) != "data" || !strings.HasPrefix(filepath.Base(filepath.Dir(data)), "prodproof-pg-") {
		t.Fatalf("data_directory = %q, want .../prodproof-pg-*/data", data)
	}
	return filepath.Dir(data)
}

func TestCreateAndDropDatabase(t *testing.T) {
	srv := startLocal(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	dbURL, err := srv.CreateDatabase(ctx, "proof_db")
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	if dbURL != srv.DatabaseURL("proof_db") {
		t.Errorf("CreateDatabase URL %q != DatabaseURL %q", dbURL, srv.DatabaseURL("proof_db"))
	}
	if got := queryOne(t, dbURL, "SELECT current_database()"); got != "proof_db" {
		t.Errorf("current_database() = %q", got)
	}
	if _, err := srv.CreateDatabase(ctx, "proof_db"); err == nil {
		t.Errorf("creating an existing database succeeded")
	} else if strings.Contains(err.Error(), srv.Password) {
		t.Errorf("error carries the password: %v", err)
	}

	// Drop succeeds while a session is still connected (WITH (FORCE)).
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if err := srv.DropDatabase(ctx, "proof_db"); err != nil {
		t.Fatalf("DropDatabase: %v", err)
	}
	if got := queryOne(t, srv.URL, "SELECT count(*)::text FROM pg_database WHERE datname = 'proof_db'"); got != "0" {
		t.Errorf("database still listed after drop: count=%s", got)
	}
	if err := srv.DropDatabase(ctx, "proof_db"); err != nil {
		t.Errorf("dropping a missing database: %v, want nil", err)
	}
	if _, err := srv.CreateDatabase(ctx, ""); err == nil {
		t.Errorf("CreateDatabase(\"\") succeeded")
	}
	if _, err := srv.CreateDatabase(ctx, strings.Repeat("x", 64)); err == nil {
		t.Errorf("CreateDatabase with a 64-byte name succeeded")
	}
}

// TestLocalStartsUnderALongTempPath: a temp dir too deep for a Unix socket
// path must not stop the server (it then listens on TCP only).
func TestLocalStartsUnderALongTempPath(t *testing.T) {
	dir := isolatedTempDir(t)
	deep := filepath.Join(dir, strings.Repeat("d", 60))
	if err := os.Mkdir(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", deep)
	srv := startLocal(t, Options{})
	if got := queryOne(t, srv.URL, "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	if got := queryOne(t, srv.URL, "SHOW unix_socket_directories"); got != "" {
		t.Errorf("unix_socket_directories = %q, want none for a path this long", got)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if left := leftovers(t, dir); len(left) != 1 || left[0] != "file "+filepath.Base(deep) {
		t.Errorf("left behind: %q, want only the dir the test made", left)
	}
}

// BenchmarkLocalStart measures a local server's start: initdb, pg_ctl start
// and the first authenticated query. Close is not timed.
func BenchmarkLocalStart(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		srv, err := Provision(ctx, Options{Source: SourceLocal})
		if err != nil {
			b.Fatalf("provision: %v", err)
		}
		b.StopTimer()
		if err := srv.Close(); err != nil {
			b.Fatalf("close: %v", err)
		}
		b.StartTimer()
	}
}

// BenchmarkLocalClose measures stopping a local server and removing its
// temp dir.
func BenchmarkLocalClose(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		srv, err := Provision(ctx, Options{Source: SourceLocal})
		if err != nil {
			b.Fatalf("provision: %v", err)
		}
		b.StartTimer()
		if err := srv.Close(); err != nil {
			b.Fatalf("close: %v", err)
		}
	}
}
