// Package migrations holds the backend's schema as plain SQL files and the code
// that applies them. Files are named NNNN_name.sql and embedded in the binary;
// a staged bundle can point the binary at a folder of the same files instead.
// Applied migrations are recorded in schema_migrations with a checksum, so a
// file edited after it was applied is refused rather than silently ignored.
package migrations

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed *.sql
var embedded embed.FS

// Embedded returns the migration files compiled into the binary.
func Embedded() fs.FS { return embedded }

// advisoryLockKey serialises appliers across processes. The value is
// arbitrary but fixed: every copy of the backend must agree on it.
const advisoryLockKey int64 = 0x70726f64_70726f6f // "prodproo"

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migration is one SQL file.
type Migration struct {
	Version  int
	Name     string // the part after the version, e.g. "create_jobs"
	File     string // e.g. "0001_create_jobs.sql"
	SQL      string
	Checksum string // hex sha256 of the file's bytes
}

// Checksum returns the hex sha256 that schema_migrations records for a file.
func Checksum(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// LoadDir loads the migrations in dir, or the embedded ones when dir is
// empty (MIGRATIONS_DIR unset).
func LoadDir(dir string) ([]Migration, error) {
	if dir == "" {
		return Load(Embedded())
	}
	return Load(os.DirFS(dir))
}

// Load reads every *.sql file at the top of fsys, ordered by version. Any
// other file name ending in .sql is an error, so a misnamed migration is
// never skipped silently.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must look like 0001_name.sql (lowercase, digits, underscores)", e.Name())
		}
		version, _ := strconv.Atoi(m[1])
		if version == 0 {
			return nil, fmt.Errorf("migration %s: versions start at 0001", e.Name())
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migration %s: version %04d already used by %s", e.Name(), version, other)
		}
		seen[version] = e.Name()
		content, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{
			Version:  version,
			Name:     m[2],
			File:     e.Name(),
			SQL:      string(content),
			Checksum: Checksum(content),
		})
	}
	if len(out) == 0 {
		return nil, errors.New("read migrations: no NNNN_name.sql files found")
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// State is where one migration stands against a database.
type State string

const (
	Applied  State = "applied"
	Pending  State = "pending"
	Modified State = "modified" // applied, but the file changed since
	// Unknown marks a version recorded in the database with no file: the
	// database is ahead of this binary.
	Unknown State = "unknown"
)

// Entry is one line of a status report.
type Entry struct {
	Version   int        `json:"version"`
	Name      string     `json:"name"`
	File      string     `json:"file"`
	State     State      `json:"state"`
	AppliedAt *time.Time `json:"applied_at"`
}

// Status is the state of every migration, known file or recorded version.
type Status struct {
	Migrations []Entry `json:"migrations"`
	Applied    int     `json:"applied"`
	Pending    int     `json:"pending"`
	Modified   int     `json:"modified"`
	Unknown    int     `json:"unknown"`
}

// Current reports whether the database matches the files exactly.
func (s Status) Current() bool { return s.Pending == 0 && s.Modified == 0 }

// Summary is the one-line count, e.g. "2 applied, 0 pending".
func (s Status) Summary() string {
	line := fmt.Sprintf("%d applied, %d pending", s.Applied, s.Pending)
	if s.Modified > 0 {
		line += fmt.Sprintf(", %d modified", s.Modified)
	}
	if s.Unknown > 0 {
		line += fmt.Sprintf(", %d unknown", s.Unknown)
	}
	return line
}

// ChecksumError reports an applied migration whose file has changed.
type ChecksumError struct {
	File     string
	Recorded string
	Actual   string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("migration %s: checksum mismatch: the file changed after it was applied (recorded %.12s, file %.12s); restore the original file and add a new migration instead", e.File, e.Recorded, e.Actual)
}

type record struct {
	name      string
	checksum  string
	appliedAt time.Time
}

// ReadStatus compares the files with what the database has recorded. A
// database without schema_migrations has every migration pending.
func ReadStatus(ctx context.Context, conn *pgx.Conn, files []Migration) (Status, error) {
	recorded, err := readRecords(ctx, conn)
	if err != nil {
		return Status{}, err
	}
	return compare(files, recorded), nil
}

func compare(files []Migration, recorded map[int]record) Status {
	var st Status
	known := map[int]bool{}
	for _, m := range files {
		known[m.Version] = true
		e := Entry{Version: m.Version, Name: m.Name, File: m.File, State: Pending}
		if r, ok := recorded[m.Version]; ok {
			at := r.appliedAt.UTC()
			e.AppliedAt = &at
			e.State = Applied
			if r.checksum != m.Checksum {
				e.State = Modified
			}
		}
		st.add(e)
	}
	var extra []int
	for v := range recorded {
		if !known[v] {
			extra = append(extra, v)
		}
	}
	slices.Sort(extra)
	for _, v := range extra {
		r := recorded[v]
		at := r.appliedAt.UTC()
		st.add(Entry{Version: v, Name: r.name, File: fmt.Sprintf("%04d_%s.sql", v, r.name), State: Unknown, AppliedAt: &at})
	}
	return st
}

func (s *Status) add(e Entry) {
	s.Migrations = append(s.Migrations, e)
	switch e.State {
	case Applied:
		s.Applied++
	case Pending:
		s.Pending++
	case Modified:
		s.Modified++
	case Unknown:
		s.Unknown++
	}
}

func readRecords(ctx context.Context, conn *pgx.Conn) (map[int]record, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	out := map[int]record{}
	if !exists {
		return out, nil
	}
	rows, err := conn.Query(ctx, `SELECT version, name, checksum, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var r record
		if err := rows.Scan(&v, &r.name, &r.checksum, &r.appliedAt); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		out[v] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return out, nil
}

// Up applies every pending migration in version order, each in its own
// transaction, while holding a session advisory lock so that two appliers
// started at once apply each file once. It refuses to apply anything when an
// applied file's checksum changed. onApplied, if set, is called after each
// file commits.
func Up(ctx context.Context, conn *pgx.Conn, files []Migration, onApplied func(Migration)) ([]Migration, error) {
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, advisoryLockKey); err != nil {
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// Unlock on a fresh context: the caller's may be cancelled, and a
		// leaked session lock would block the next applier until the
		// connection closes.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, _ = conn.Exec(unlockCtx, `SELECT pg_advisory_unlock($1)`, advisoryLockKey)
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		checksum   text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	recorded, err := readRecords(ctx, conn)
	if err != nil {
		return nil, err
	}
	var pending []Migration
	for _, m := range files {
		r, ok := recorded[m.Version]
		if !ok {
			pending = append(pending, m)
			continue
		}
		if r.checksum != m.Checksum {
			return nil, &ChecksumError{File: m.File, Recorded: r.checksum, Actual: m.Checksum}
		}
	}
	var applied []Migration
	for _, m := range pending {
		if err := applyOne(ctx, conn, m); err != nil {
			return applied, err
		}
		applied = append(applied, m)
		if onApplied != nil {
			onApplied(m)
		}
	}
	return applied, nil
}

func applyOne(ctx context.Context, conn *pgx.Conn, m Migration) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// No arguments: pgx uses the simple protocol, which runs a file of
		// several statements in one call.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
			m.Version, m.Name, m.Checksum)
		return err
	})
	if err != nil {
		return fmt.Errorf("apply migration %s: %w", m.File, err)
	}
	return nil
}
