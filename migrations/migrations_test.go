package migrations_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestLoadRejectsBadNames(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"bad name":      {"01_x.sql": {Data: []byte("SELECT 1")}},
		"uppercase":     {"0001_X.sql": {Data: []byte("SELECT 1")}},
		"version zero":  {"0000_x.sql": {Data: []byte("SELECT 1")}},
		"duplicate":     {"0001_a.sql": {Data: []byte("SELECT 1")}, "0001_b.sql": {Data: []byte("SELECT 1")}},
		"no migrations": {"README.md": {Data: []byte("hi")}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := migrations.Load(fsys); err == nil {
				t.Fatal("migrations.Load accepted it")
			}
		})
	}
	ms, err := migrations.Load(fstest.MapFS{"0002_b.sql": {Data: []byte("B")}, "0001_a.sql": {Data: []byte("A")}, "notes.txt": {}})
	if err != nil || len(ms) != 2 || ms[0].File != "0001_a.sql" || ms[1].Version != 2 || ms[0].Checksum != migrations.Checksum([]byte("A")) {
		t.Fatalf("migrations.Load = %+v, %v", ms, err)
	}
}

func TestStatusUpNoOpAndDrift(t *testing.T) {
	ctx := context.Background()
	conn := connect(t, pgtest.NewDatabase(t))
	files, err := migrations.Load(migrations.Embedded())
	if err != nil {
		t.Fatal(err)
	}

	st, err := migrations.ReadStatus(ctx, conn, files)
	if err != nil {
		t.Fatal(err)
	}
	if st.Applied != 0 || st.Pending != len(files) || st.Current() {
		t.Fatalf("fresh status: %+v", st)
	}
	for _, e := range st.Migrations {
		if e.State != migrations.Pending || e.AppliedAt != nil {
			t.Errorf("fresh entry %+v", e)
		}
	}

	var reported []string
	applied, err := migrations.Up(ctx, conn, files, func(m migrations.Migration) { reported = append(reported, m.File) })
	if err != nil || len(applied) != len(files) || len(reported) != len(files) {
		t.Fatalf("up: %d applied, %v", len(applied), err)
	}
	st, err = migrations.ReadStatus(ctx, conn, files)
	if err != nil || st.Applied != len(files) || st.Pending != 0 || !st.Current() {
		t.Fatalf("status after up: %+v %v", st, err)
	}
	if got := st.Summary(); got != strconv.Itoa(len(files))+" applied, 0 pending" {
		t.Errorf("summary %q", got)
	}
	rows, err := conn.Query(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var v int
		var name, sum string
		if err := rows.Scan(&v, &name, &sum); err != nil {
			t.Fatal(err)
		}
		if v != files[i].Version || name != files[i].Name || sum != files[i].Checksum {
			t.Errorf("row %d = %d %s %s, want %+v", i, v, name, sum, files[i])
		}
		i++
	}
	if i != len(files) {
		t.Fatalf("%d rows, want %d", i, len(files))
	}

	again, err := migrations.Up(ctx, conn, files, nil)
	if err != nil || len(again) != 0 {
		t.Fatalf("second up: %d applied, %v", len(again), err)
	}

	changed := append([]migrations.Migration(nil), files...)
	changed[0].SQL += "\n-- edited"
	changed[0].Checksum = migrations.Checksum([]byte(changed[0].SQL))
	changed = append(changed, migrations.Migration{Version: 99, Name: "later", File: "0099_later.sql", SQL: "CREATE TABLE later (x int)", Checksum: "x"})
	_, err = migrations.Up(ctx, conn, changed, nil)
	var drift *migrations.ChecksumError
	if !errors.As(err, &drift) || drift.File != files[0].File || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("up with an edited file: %v", err)
	}
	var laterExists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('later') IS NOT NULL`).Scan(&laterExists); err != nil || laterExists {
		t.Fatalf("a pending migration ran despite the drift (exists=%v, %v)", laterExists, err)
	}
	st, err = migrations.ReadStatus(ctx, conn, changed)
	if err != nil || st.Modified != 1 || st.Pending != 1 || st.Migrations[0].State != migrations.Modified {
		t.Fatalf("status with drift: %+v %v", st, err)
	}
}

func TestConcurrentAppliersApplyEachFileOnce(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	files, err := migrations.Load(migrations.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	const appliers = 4
	counts := make([]int, appliers)
	errs := make([]error, appliers)
	var wg sync.WaitGroup
	for i := range appliers {
		conn := connect(t, dbURL)
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied, err := migrations.Up(context.Background(), conn, files, nil)
			counts[i], errs[i] = len(applied), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range appliers {
		if errs[i] != nil {
			t.Errorf("applier %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	if total != len(files) {
		t.Fatalf("files applied %d times in all, want %d", total, len(files))
	}
}

func TestFailedMigrationRollsBackAndRecordsNothing(t *testing.T) {
	ctx := context.Background()
	conn := connect(t, pgtest.NewDatabase(t))
	files := []migrations.Migration{
		{Version: 1, Name: "ok", File: "0001_ok.sql", SQL: "CREATE TABLE a (x int)", Checksum: "a"},
		{Version: 2, Name: "bad", File: "0002_bad.sql", SQL: "CREATE TABLE b (x int); SELECT nonsense FROM nowhere", Checksum: "b"},
	}
	applied, err := migrations.Up(ctx, conn, files, nil)
	if err == nil || len(applied) != 1 || !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Fatalf("up: %d applied, %v", len(applied), err)
	}
	var bExists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('b') IS NOT NULL`).Scan(&bExists); err != nil || bExists {
		t.Fatalf("table from the failed file exists=%v (%v)", bExists, err)
	}
	st, err := migrations.ReadStatus(ctx, conn, files)
	if err != nil || st.Applied != 1 || st.Pending != 1 {
		t.Fatalf("status %+v %v", st, err)
	}
}
