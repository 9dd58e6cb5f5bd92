package pgtest_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func queryOne(t *testing.T, connString, sql string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var out string
	if err := conn.QueryRow(ctx, sql, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func databaseName(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("database URL does not parse: %v", err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func TestServerIsSharedAndAnswers(t *testing.T) {
	first, second := pgtest.Server(t), pgtest.Server(t)
	if first != second {
		t.Errorf("Server returned two different servers in one binary")
	}
	if got := queryOne(t, first.URL, "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	if first.Version == "" {
		t.Errorf("server Version is empty")
	}
	t.Logf("source=%s owned=%v", first.Source, first.Owned)
}

func TestNewDatabaseIsFreshEmptyAndDropped(t *testing.T) {
	srv := pgtest.Server(t)
	var names []string
	for i := 0; i < 2; i++ {
		t.Run("create", func(t *testing.T) {
			dbURL := pgtest.NewDatabase(t)
			name := databaseName(t, dbURL)
			if !strings.HasPrefix(name, "pgtest_") {
				t.Errorf("database name %q, want pgtest_ prefix", name)
			}
			if got := queryOne(t, dbURL, "SELECT current_database()"); got != name {
				t.Errorf("current_database() = %q, want %q", got, name)
			}
			if got := queryOne(t, dbURL, "SELECT count(*)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"); got != "0" {
				t.Errorf("new database has %s relations in public, want 0", got)
			}
			// Leave a table behind: cleanup must still drop the database.
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			t.Cleanup(func() { conn.Close(ctx) })
			if _, err := conn.Exec(ctx, "CREATE TABLE leftover (id int)"); err != nil {
				t.Fatalf("create table: %v", err)
			}
			names = append(names, name)
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("database names %q, want two distinct", names)
	}
	for _, name := range names {
		if got := queryOne(t, srv.URL, "SELECT count(*)::text FROM pg_database WHERE datname = $1", name); got != "0" {
			t.Errorf("database %s still exists after its test's cleanup", name)
		}
	}
}

// TestUsesTestDatabaseURL runs this package's tests again in a child
// process with TEST_DATABASE_URL pointing at a server started here. The
// child must use that server (source url, not owned), and leave it running
// with everything it did not create intact and nothing of its own behind.
func TestUsesTestDatabaseURL(t *testing.T) {
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Skip("already running against TEST_DATABASE_URL (this is the child run)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := pgprovision.Provision(ctx, pgprovision.Options{Source: pgprovision.SourceLocal})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	defer srv.Close()
	if _, err := srv.CreateDatabase(ctx, "keep_me"); err != nil {
		t.Fatal(err)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.v", "-test.count=1",
		"-test.run=^(TestServerIsSharedAndAnswers|TestNewDatabaseIsFreshEmptyAndDropped)$")
	cmd.Env = append(os.Environ(), pgtest.EnvURL+"="+srv.URL)
	out, err := cmd.CombinedOutput()
	text := srv.Redact(string(out))
	if err != nil {
		t.Fatalf("child run failed: %v\n%s", err, text)
	}
	if strings.Contains(string(out), srv.Password) {
		t.Errorf("child output carries the password")
	}
	for _, want := range []string{"source=url owned=false", "--- PASS: TestNewDatabaseIsFreshEmptyAndDropped"} {
		if !strings.Contains(text, want) {
			t.Errorf("child output lacks %q:\n%s", want, text)
		}
	}
	if got := queryOne(t, srv.URL, "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname = 'keep_me' OR datname LIKE 'pgtest\\_%'"); got != "keep_me" {
		t.Errorf("databases after the child run: %q, want only keep_me", got)
	}
}

// A migrated database has every embedded migration recorded and the jobs
// table in place; a plain one has neither.
func TestNewMigratedDatabaseAppliesEveryMigration(t *testing.T) {
	files, err := migrations.Load(migrations.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	dbURL := pgtest.NewMigratedDatabase(t)
	if got := queryOne(t, dbURL, `SELECT count(*)::text FROM schema_migrations`); got != strconv.Itoa(len(files)) {
		t.Fatalf("schema_migrations has %s rows, want %d", got, len(files))
	}
	if got := queryOne(t, dbURL, `SELECT coalesce(to_regclass('jobs')::text, 'missing')`); got != "jobs" {
		t.Fatalf("jobs table: %s", got)
	}
	if got := queryOne(t, pgtest.NewDatabase(t), `SELECT coalesce(to_regclass('jobs')::text, 'missing')`); got != "missing" {
		t.Fatalf("a plain database already has the jobs table: %s", got)
	}
}
