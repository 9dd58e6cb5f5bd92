package pgtest_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgtest"
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
