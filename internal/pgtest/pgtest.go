// Package pgtest gives tests across the repository a real PostgreSQL: one
// server per test binary, a fresh empty database per test.
//
// Use it from a package's tests as
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		dbURL := pgtest.NewDatabase(t) // empty database, dropped at cleanup
//		dbURL = pgtest.NewMigratedDatabase(t) // or: the schema already applied
//		...
//	}
//
// The server starts lazily, on the first Server or NewDatabase call, so a
// run that selects only database-free tests pays nothing. It is a local
// throwaway server (pgprovision's local source: initdb + pg_ctl in a temp
// dir on a loopback port); Main closes it after m.Run. If the binary dies
// first (a -timeout panic, Ctrl-C), pgprovision's reaper stops it anyway.
//
// When TEST_DATABASE_URL is set, that server is used instead and nothing is
// started; pgtest then drops only the databases it created itself.
//
// A test never skips for want of a database: it fails and says what to
// install (`apt-get install -y postgresql`) or to set TEST_DATABASE_URL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/migrations"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "TEST_DATABASE_URL"

const (
	// startTimeout bounds starting (or reaching) the server.
	startTimeout = 2 * time.Minute
	// databaseTimeout bounds creating or dropping one database.
	databaseTimeout = time.Minute
)

var (
	mu       sync.Mutex
	inMain   bool
	started  bool
	server   *pgprovision.Server
	startErr error
)

// Main runs the tests of a package with a database server available, then
// closes the server (if one was started) and exits with the tests' code. A
// failure to close turns a passing run into a failing one.
func Main(m *testing.M) {
	mu.Lock()
	inMain = true
	mu.Unlock()

	code := m.Run()

	mu.Lock()
	srv := server
	mu.Unlock()
	if srv != nil {
		if err := srv.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: close test database server: %s\n", srv.Redact(err.Error()))
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// Server returns the test binary's database server, starting it on first
// use. It fails t when no server can be had.
func Server(t testing.TB) *pgprovision.Server {
	t.Helper()
	srv, err := ensureServer()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return srv
}

func ensureServer() (*pgprovision.Server, error) {
	mu.Lock()
	defer mu.Unlock()
	if !inMain {
		return nil, fmt.Errorf("the package's tests need `func TestMain(m *testing.M) { pgtest.Main(m) }` so the server is closed after the run")
	}
	if started {
		return server, startErr
	}
	started = true
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	opts := pgprovision.Options{Source: pgprovision.SourceLocal}
	if testing.Verbose() {
		opts.Logf = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "pgtest: "+format+"\n", args...)
		}
	}
	if u := os.Getenv(EnvURL); u != "" {
		opts.Source = pgprovision.SourceURL
		opts.URL = u
	}
	server, startErr = pgprovision.Provision(ctx, opts)
	if startErr != nil {
		if opts.Source == pgprovision.SourceURL {
			startErr = fmt.Errorf("%s: %w", EnvURL, startErr)
		} else {
			startErr = fmt.Errorf("start a local test database server (or set %s): %w", EnvURL, startErr)
		}
		server = nil
	}
	return server, startErr
}

// NewDatabase creates a fresh, empty database with a random name
// (pgtest_<hex>) on the test server, drops it (WITH (FORCE)) when t's
// cleanup runs, and returns its URL. The URL holds a password: do not log it.
func NewDatabase(t testing.TB) string {
	t.Helper()
	srv := Server(t)
	name, err := randomName()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), databaseTimeout)
	defer cancel()
	dbURL, err := srv.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatalf("pgtest: %s", srv.Redact(err.Error()))
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), databaseTimeout)
		defer cancel()
		if err := srv.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %s", srv.Redact(err.Error()))
		}
	})
	return dbURL
}

// NewMigratedDatabase is NewDatabase with every embedded migration applied:
// the schema the backend runs on. The URL holds a password: do not log it.
func NewMigratedDatabase(t testing.TB) string {
	t.Helper()
	dbURL := NewDatabase(t)
	srv := Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), databaseTimeout)
	defer cancel()
	files, err := migrations.Load(migrations.Embedded())
	if err != nil {
		t.Fatalf("pgtest: load migrations: %v", err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: connect: %s", srv.Redact(err.Error()))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := migrations.Up(ctx, conn, files, nil); err != nil {
		t.Fatalf("pgtest: migrate: %s", srv.Redact(err.Error()))
	}
	return dbURL
}

// randomName returns pgtest_ and 16 hex digits: unique enough that tests
// in parallel binaries sharing TEST_DATABASE_URL do not collide.
func randomName() (string, error) {
	buf := make([]byte, 8)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("random database name: %w", err)
	}
	return "pgtest_" + hex.EncodeToString(buf), nil
}
