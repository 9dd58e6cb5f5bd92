package scenario

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/port"
	"github.com/prodproof/prodproof/prove"
)

// migrationFile is one file of migrations/, as the runner reads it: the
// expected state comes from the files, not from the backend's own code.
type migrationFile struct {
	File     string
	Version  int
	Name     string
	Content  []byte
	Checksum string
}

var migrationName = regexp.MustCompile(`^(\d{4})_(.+)\.sql$`)

func readMigrationFiles(t *T, dir string) []migrationFile {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal("read %s: %v", dir, err)
	}
	var out []migrationFile
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		content, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal("read %s: %v", e.Name(), err)
		}
		version, _ := strconv.Atoi(m[1])
		sum := sha256.Sum256(content)
		out = append(out, migrationFile{File: e.Name(), Version: version, Name: m[2], Content: content, Checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(out, func(a, b migrationFile) int { return a.Version - b.Version })
	return out
}

// schemaMigration is one row of schema_migrations.
type schemaMigration struct {
	Version   int       `json:"version"`
	Name      string    `json:"name"`
	Checksum  string    `json:"checksum"`
	AppliedAt time.Time `json:"applied_at"`
}

func (t *T) schemaMigrations() []schemaMigration {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal("read schema_migrations: %v", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (schemaMigration, error) {
		var m schemaMigration
		err := r.Scan(&m.Version, &m.Name, &m.Checksum, &m.AppliedAt)
		return m, err
	})
	if err != nil {
		t.Fatal("read schema_migrations: %v", err)
	}
	return out
}

// migrateStatus is `migrate status` output: file → state, and the summary.
type migrateStatus struct {
	States  map[string]string
	Order   []string
	Summary string
}

var summaryLine = regexp.MustCompile(`^\d+ applied, \d+ pending`)

func parseMigrateStatus(out string) migrateStatus {
	st := migrateStatus{States: map[string]string{}}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if summaryLine.MatchString(line) {
			st.Summary = line
			continue
		}
		// "STATE  FILE" with, for applied files, the applied_at time after.
		if f := strings.Fields(line); len(f) >= 2 && strings.HasSuffix(f[1], ".sql") {
			st.States[f[1]] = f[0]
			st.Order = append(st.Order, f[1])
		}
	}
	return st
}

func fileNames(files []migrationFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.File
	}
	return out
}

func migrationStatusAndApply(t *T) {
	files := readMigrationFiles(t, filepath.Join(t.Root(), "migrations"))
	n := len(files)
	t.Require("migrations/ holds NNNN_name.sql files", "at least 1", strconv.Itoa(n), n > 0)
	t.Note("migration files", fileNames(files))
	env := map[string]string{"DATABASE_URL": t.DatabaseURL}

	t.Step("migrate status on an empty database")
	res := t.RunBackendCommand("migrate-status", env, 30*time.Second, "migrate", "status")
	Equal(t, "status before up exits 0", 0, res.ExitCode)
	st := parseMigrateStatus(res.Stdout)
	Equal(t, "status before up lists every file, in order", strings.Join(fileNames(files), " "), strings.Join(st.Order, " "))
	for _, f := range files {
		Equal(t, "before up: "+f.File+" is pending", "pending", st.States[f.File])
	}
	Equal(t, "status before up summary", fmt.Sprintf("0 applied, %d pending", n), st.Summary)
	// serve never migrates on its own: on a schema behind it exits 1 with
	// one line that says what to run.
	serveRefused(t, "serve on an empty schema", env,
		fmt.Sprintf("reference-backend: database schema is behind this binary (0 applied, %d pending); run `reference-backend migrate up`\n", n))
	migrateCannotConnect(t)

	t.Step("migrate up")
	res = t.RunBackendCommand("migrate-up", env, 30*time.Second, "migrate", "up")
	RequireEqual(t, "migrate up exits 0", 0, res.ExitCode)
	for _, f := range files {
		t.Check("migrate up reports applying "+f.File, "a line `applied "+f.File+"`", strings.TrimSpace(res.Stdout),
			slices.ContainsFunc(strings.Split(res.Stdout, "\n"), func(l string) bool { return strings.Join(strings.Fields(l), " ") == "applied "+f.File }))
	}
	t.Check("migrate up summary", fmt.Sprintf("%d applied, 0 pending", n), lastLine(res.Stdout), lastLine(res.Stdout) == fmt.Sprintf("%d applied, 0 pending", n))

	t.Step("migrate status after up")
	res = t.RunBackendCommand("migrate-status", env, 30*time.Second, "migrate", "status")
	Equal(t, "status after up exits 0", 0, res.ExitCode)
	st = parseMigrateStatus(res.Stdout)
	for _, f := range files {
		Equal(t, "after up: "+f.File+" is applied", "applied", st.States[f.File])
	}
	Equal(t, "status after up summary", fmt.Sprintf("%d applied, 0 pending", n), st.Summary)

	res = t.RunBackendCommand("migrate-status", env, 30*time.Second, "migrate", "status", "--json")
	var js struct {
		Migrations []struct {
			Version int    `json:"version"`
			File    string `json:"file"`
			State   string `json:"state"`
		} `json:"migrations"`
		Applied, Pending, Modified int
	}
	jsonErr := json.Unmarshal([]byte(res.Stdout), &js)
	t.Check("status --json after up", fmt.Sprintf("valid JSON, applied=%d pending=0 modified=0", n),
		fmt.Sprintf("exit %d, decode error %v, applied=%d pending=%d modified=%d", res.ExitCode, jsonErr, js.Applied, js.Pending, js.Modified),
		res.ExitCode == 0 && jsonErr == nil && js.Applied == n && js.Pending == 0 && js.Modified == 0 && len(js.Migrations) == n)

	t.Step("compare schema_migrations with the files")
	rows := t.schemaMigrations()
	t.Rows("schema_migrations after up", rows)
	RequireEqual(t, "schema_migrations has one row per file", n, len(rows))
	for i, f := range files {
		r := rows[i]
		t.Check("schema_migrations row for "+f.File, fmt.Sprintf("version=%d name=%s checksum=%s", f.Version, f.Name, f.Checksum),
			fmt.Sprintf("version=%d name=%s checksum=%s", r.Version, r.Name, r.Checksum),
			r.Version == f.Version && r.Name == f.Name && r.Checksum == f.Checksum)
	}

	t.Step("second migrate up is a no-op")
	res = t.RunBackendCommand("migrate-up-again", env, 30*time.Second, "migrate", "up")
	Equal(t, "second up exits 0", 0, res.ExitCode)
	t.Check("second up says nothing to apply", "output contains `nothing to apply`", strings.TrimSpace(res.Stdout), strings.Contains(res.Stdout, "nothing to apply"))
	again := t.schemaMigrations()
	t.Check("second up changes no schema_migrations row", fmt.Sprint(rows), fmt.Sprint(again), slices.Equal(rows, again))

	t.Step("a changed applied file is refused")
	changedDir := filepath.Join(t.Dir(), "migrations-changed")
	if err := os.MkdirAll(changedDir, 0o755); err != nil {
		t.Fatal("%v", err)
	}
	for i, f := range files {
		content := f.Content
		if i == 0 {
			content = append(slices.Clone(content), []byte("\n-- edited after it was applied\n")...)
		}
		if err := os.WriteFile(filepath.Join(changedDir, f.File), content, 0o644); err != nil {
			t.Fatal("%v", err)
		}
	}
	changedEnv := map[string]string{"DATABASE_URL": t.DatabaseURL, "MIGRATIONS_DIR": changedDir}
	res = t.RunBackendCommand("migrate-up-changed", changedEnv, 30*time.Second, "migrate", "up")
	t.Check("up with a changed applied file exits non-zero", "exit status != 0", fmt.Sprintf("exit %d", res.ExitCode), res.ExitCode != 0 && !res.TimedOut)
	t.Check("the refusal says checksum mismatch and names the file", "stderr contains `checksum mismatch` and "+files[0].File,
		strings.TrimSpace(res.Stderr), strings.Contains(res.Stderr, "checksum mismatch") && strings.Contains(res.Stderr, files[0].File))
	after := t.schemaMigrations()
	t.Check("the refused up changes no schema_migrations row", fmt.Sprint(rows), fmt.Sprint(after), slices.Equal(rows, after))
	res = t.RunBackendCommand("migrate-status-changed", changedEnv, 30*time.Second, "migrate", "status")
	st = parseMigrateStatus(res.Stdout)
	t.Check("status shows the changed file as modified", "modified, exit 1", fmt.Sprintf("%s, exit %d", st.States[files[0].File], res.ExitCode),
		st.States[files[0].File] == "modified" && res.ExitCode == 1)
	serveRefused(t, "serve with a changed applied file", changedEnv,
		"reference-backend: migration "+files[0].File+" changed after it was applied (checksum mismatch)\n")

	// An older binary on a newer schema: the folder lacks the newest file,
	// which the database records. The version is listed, as unknown, and
	// counted in the summary, without failing the status.
	last := files[n-1]
	t.Step("a recorded version this binary has no file for is listed as unknown", "MIGRATIONS_DIR without %s", last.File)
	olderDir := filepath.Join(t.Dir(), "migrations-older")
	if err := os.MkdirAll(olderDir, 0o755); err != nil {
		t.Fatal("%v", err)
	}
	for _, f := range files[:n-1] {
		if err := os.WriteFile(filepath.Join(olderDir, f.File), f.Content, 0o644); err != nil {
			t.Fatal("%v", err)
		}
	}
	res = t.RunBackendCommand("migrate-status-older", map[string]string{"DATABASE_URL": t.DatabaseURL, "MIGRATIONS_DIR": olderDir}, 30*time.Second, "migrate", "status")
	st = parseMigrateStatus(res.Stdout)
	t.Check(last.File+" is listed as unknown, and the status exits 0", "unknown, exit 0", fmt.Sprintf("%s, exit %d", st.States[last.File], res.ExitCode),
		st.States[last.File] == "unknown" && res.ExitCode == 0)
	Equal(t, "the summary counts it", fmt.Sprintf("%d applied, 0 pending, 1 unknown", n-1), st.Summary)

	cutReadIsRefused(t, rows)

	checkHelp(t)
}

// cutReadRows is how many rows of schema_migrations the cut read delivers
// before its error: some, so a reader that ignores the error sees a
// partial list (versions it has not read look unapplied), and not all.
const cutReadRows = 2

// cutReadIsRefused: a read of schema_migrations that fails after some rows
// (a connection lost, a statement cancelled mid-result) is an error for
// `migrate status`, `migrate up` and the backend's start, never a shorter
// list. The table is put behind a view whose third row raises an error, so
// Postgres sends two rows and then the error, as a cut read would; the
// wrong version it rules out takes the two rows as everything, and then
// shows the rest pending (status), applies them again (up), or says the
// schema is behind (serve).
func cutReadIsRefused(t *T, recorded []schemaMigration) {
	t.Step("a read of schema_migrations cut after some rows is refused", "the table behind a view that raises an error at row %d", cutReadRows+1)
	ctx, cancel := t.queryCtx()
	defer cancel()
	_, err := t.DB().Exec(ctx, fmt.Sprintf(`
		ALTER TABLE schema_migrations RENAME TO proof_schema_migrations;
		CREATE FUNCTION proof_cut_read(v integer) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
		DECLARE
			n integer := coalesce(nullif(current_setting('proof.rows_read', true), ''), '0')::integer + 1;
		BEGIN
			PERFORM set_config('proof.rows_read', n::text, true);
			IF n > %d THEN
				RAISE EXCEPTION 'proof: the read is cut after %% rows', n - 1;
			END IF;
			RETURN v;
		END $$;
		CREATE VIEW schema_migrations AS
			SELECT proof_cut_read(version) AS version, name, checksum, applied_at FROM proof_schema_migrations;`, cutReadRows))
	if err != nil {
		t.Fatal("put schema_migrations behind a cutting view: %v", err)
	}
	restored := false
	restore := func() {
		if restored {
			return
		}
		restored = true
		ctx, cancel := t.queryCtx()
		defer cancel()
		if _, err := t.DB().Exec(ctx, `DROP VIEW schema_migrations; DROP FUNCTION proof_cut_read(integer);
			ALTER TABLE proof_schema_migrations RENAME TO schema_migrations;`); err != nil {
			t.Fatal("restore schema_migrations: %v", err)
		}
	}
	defer restore()

	// The setup itself: rows first, then the error, on the client's side.
	delivered, readErr := cutRead(t)
	t.Require("the view delivers rows, then an error", fmt.Sprintf("%d rows, then an error", cutReadRows),
		fmt.Sprintf("%d rows, then error %v", delivered, readErr), delivered == cutReadRows && readErr != nil)

	env := map[string]string{"DATABASE_URL": t.DatabaseURL}
	refused := func(label string, res prove.Exit) {
		lines := nonEmptyLines(res.Stderr)
		t.Check(label+": exit status 1 and one stderr line `read schema_migrations: …`", "exit 1, 1 line containing \"read schema_migrations:\"",
			fmt.Sprintf("exit %d, timed out %t, %d lines: %s", res.ExitCode, res.TimedOut, len(lines), strings.Join(lines, " | ")),
			!res.TimedOut && res.ExitCode == 1 && len(lines) == 1 && strings.Contains(lines[0], "read schema_migrations:"))
	}
	res := t.RunBackendCommand("migrate-status-cut", env, 30*time.Second, "migrate", "status")
	refused("migrate status", res)
	summary := parseMigrateStatus(res.Stdout).Summary
	t.Check("migrate status prints no status", "no summary line", cmp.Or(summary, "no summary line"), summary == "")

	res = t.RunBackendCommand("migrate-up-cut", env, 30*time.Second, "migrate", "up")
	refused("migrate up", res)
	t.Check("migrate up applies nothing", "no `applied` line", strings.TrimSpace(res.Stdout), !strings.Contains(res.Stdout, "applied "))

	free, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	res = t.RunBackendCommand("serve-cut", map[string]string{"DATABASE_URL": t.DatabaseURL, "PORT": strconv.Itoa(free),
		"BIND_ADDR": "127.0.0.1", "JOB_POLL_MS": "100"}, exitTimeout, "serve")
	refused("serve", res)

	restore()
	after := t.schemaMigrations()
	t.Check("schema_migrations is unchanged: nothing applied twice", fmt.Sprint(recorded), fmt.Sprint(after), slices.Equal(recorded, after))
}

// cutRead reads schema_migrations as the backend does (every row, in one
// statement) and says how many rows arrived before the error.
func cutRead(t *T) (int, error) {
	ctx, cancel := t.queryCtx()
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// documentedVariable is one row of the environment table in
// docs/reference-backend.md: what --help must say, read from the docs and
// not from the backend's own list (a mutant of that list would change the
// expectation with the answer).
type documentedVariable struct {
	Name     string
	Required bool
	// Default is the table's default column as written, e.g. "`30000`",
	// "off" or "—".
	Default string
}

var envTableRow = regexp.MustCompile("^\\| `([A-Z_]+)` \\| (yes|no) \\|")

func documentedVariables(t *T) []documentedVariable {
	data, err := os.ReadFile(filepath.Join(t.Root(), "docs", "reference-backend.md"))
	if err != nil {
		t.Fatal("read the documented variables: %v", err)
	}
	var out []documentedVariable
	for _, line := range strings.Split(string(data), "\n") {
		if m := envTableRow.FindStringSubmatch(line); m != nil {
			cells := strings.Split(strings.TrimSuffix(strings.TrimSpace(line), "|"), "|")
			out = append(out, documentedVariable{Name: m[1], Required: m[2] == "yes", Default: strings.TrimSpace(cells[len(cells)-1])})
		}
	}
	return out
}

// lastLines is the end of a command's output, for evidence.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// serveRefused starts serve with env (and a free port) and requires exit
// status 1 and exactly stderr: a schema it must not run on stops it
// before it listens.
func serveRefused(t *T, label string, env map[string]string, stderr string) {
	t.Step(label)
	p, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	env = maps.Clone(env)
	env["PORT"], env["BIND_ADDR"], env["JOB_POLL_MS"] = strconv.Itoa(p), "127.0.0.1", "100"
	res := t.RunBackendCommand(label, env, exitTimeout, "serve")
	Equal(t, label+": exit status and stderr", fmt.Sprintf("exit 1, stderr %q", stderr), fmt.Sprintf("exit %d, stderr %q", res.ExitCode, res.Stderr))
}

// migrateCannotConnect runs both migrate commands against a port nothing
// listens on, with the real user and password: exit 1, one line saying the
// connection failed, and neither the URL nor the password in it (the
// error path of a subcommand is where a driver's message could quote them).
func migrateCannotConnect(t *T) {
	t.Step("migrate status and up with a database that does not answer")
	u, err := url.Parse(t.DatabaseURL)
	if err != nil {
		t.Fatal("parse the database URL: %s", t.Redact(err.Error()))
	}
	p, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	secrets := []string{t.DatabaseURL, u.String()}
	if pw, ok := u.User.Password(); ok && pw != "" {
		secrets = append(secrets, pw)
	}
	for _, cmd := range [][]string{{"migrate", "status"}, {"migrate", "up"}} {
		label := strings.Join(cmd, " ") + " without a database"
		res := t.RunBackendCommand(label, map[string]string{"DATABASE_URL": u.String()}, exitTimeout, cmd...)
		lines := nonEmptyLines(res.Stderr)
		t.Check(label+": exit 1, one stderr line saying the connection failed", "exit 1, 1 line starting `reference-backend: connect to the database: `",
			fmt.Sprintf("exit %d, %d lines: %s", res.ExitCode, len(lines), t.Redact(strings.Join(lines, " | "))),
			res.ExitCode == 1 && len(lines) == 1 && strings.HasPrefix(lines[0], "reference-backend: connect to the database: "))
		leaked := slices.ContainsFunc(secrets, func(s string) bool { return strings.Contains(res.Combined(), s) })
		t.Check(label+": no database URL or password in the output", "neither appears", fmt.Sprintf("leaked %t", leaked), !leaked)
	}
}

// checkHelp: `--help`, `-h` and `help` print the same text and exit 0; it
// names every documented variable as required or optional as the docs'
// table says, and the three exit statuses.
func checkHelp(t *T) {
	t.Step("--help, -h and help")
	vars := documentedVariables(t)
	t.Require("docs/reference-backend.md's table lists the variables", "at least DATABASE_URL, PORT, JOB_POLL_MS", fmt.Sprint(len(vars)), len(vars) >= 3)
	help := t.RunBackendCommand("help", map[string]string{}, 30*time.Second, "--help")
	Equal(t, "--help exits 0", 0, help.ExitCode)
	Equal(t, "--help prints the text of "+exactTextsPage+", byte for byte", documented(t, "`--help`", fencedBlock), help.Stdout)
	for _, alias := range []string{"-h", "help"} {
		res := t.RunBackendCommand("help"+alias, map[string]string{}, 30*time.Second, alias)
		t.Check(alias+" prints what --help prints, exit 0", "the same text, exit 0", fmt.Sprintf("exit %d, same text %t", res.ExitCode, res.Stdout == help.Stdout),
			res.ExitCode == 0 && res.Stdout == help.Stdout)
	}
	lines := strings.Split(help.Stdout, "\n")
	for _, v := range vars {
		want := "optional"
		if v.Required {
			want = "required"
		}
		var seen string
		for _, l := range lines {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == v.Name {
				seen = f[1]
			}
		}
		Equal(t, "--help: "+v.Name, want, seen)
	}
	for _, u := range documented(t, "Usage errors", usageRows) {
		cmd := strings.Join(u.args, " ")
		res := t.RunBackendCommand("usage "+cmd, map[string]string{}, 30*time.Second, u.args...)
		Equal(t, "`"+cmd+"` with no environment: exit status, stdout and stderr as documented",
			fmt.Sprintf("exit %d, stdout %q, stderr %q", u.status, "", u.stderr),
			fmt.Sprintf("exit %d, stdout %q, stderr %q", res.ExitCode, res.Stdout, res.Stderr))
	}
	for _, code := range []string{"0", "1", "2"} {
		t.Check("--help: exit status "+code, "a line starting `"+code+"  `", lastLines(help.Stdout, 6),
			slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), code+"  ") }))
	}
}

// concurrentAppliers is how many `migrate up` the concurrency proof starts
// at once.
const concurrentAppliers = 4

// concurrentMigrateUpAppliesOnce: several `migrate up` started at the same
// moment on an empty database all succeed, and every file is applied
// exactly once between them.
//
// Started processes overlap only by luck: on a loaded machine the first can
// finish every file before the second connects, and then appliers that do
// not serialise pass. So the proof makes them overlap: it creates
// schema_migrations in a transaction it keeps open, which every applier's
// first statement on that table must wait for, whatever else it waits for;
// once all of them are waiting on a lock it rolls back, and they go on
// together against an empty database.
func concurrentMigrateUpAppliesOnce(t *T) {
	files := readMigrationFiles(t, filepath.Join(t.Root(), "migrations"))
	t.Step("hold schema_migrations in an open transaction, so that every applier waits")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	hold, err := t.DB().Begin(ctx)
	if err != nil {
		t.Fatal("hold schema_migrations: %v", err)
	}
	defer func() { _ = hold.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := hold.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY)`); err != nil {
		t.Fatal("hold schema_migrations: %v", err)
	}
	t.Step(fmt.Sprintf("start %d `migrate up` at the same moment", concurrentAppliers))
	type outcome struct {
		res prove.Exit
		err error
	}
	results := make([]outcome, concurrentAppliers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range concurrentAppliers {
		label := fmt.Sprintf("migrate up #%d", i+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := t.Exec(label, prove.Command{
				Path: t.env.Binary, Args: []string{"migrate", "up"},
				Env: envList(t.withCoverage(t.env.Binary, map[string]string{"DATABASE_URL": t.DatabaseURL})),
			}, 30*time.Second)
			results[i] = outcome{res, err}
		}()
	}
	close(start)
	t.RequireEventually("every applier waits", fmt.Sprintf("%d sessions waiting for a lock", concurrentAppliers), processTimeout, func() (bool, string) {
		var waiting int
		err := t.DB().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting >= concurrentAppliers, fmt.Sprintf("%d waiting (%v)", waiting, err)
	})
	t.Step("roll back the held table: the appliers go on together")
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal("release schema_migrations: %v", err)
	}
	wg.Wait()
	applied := map[string]int{}
	for i, r := range results {
		if r.err != nil {
			t.Fatal("run migrate up #%d: %v", i+1, r.err)
		}
		Equal(t, fmt.Sprintf("migrate up #%d exits 0", i+1), "exit 0", fmt.Sprintf("exit %d%s", r.res.ExitCode, failureTail(r.res)))
		for _, line := range strings.Split(r.res.Stdout, "\n") {
			if f, ok := strings.CutPrefix(strings.TrimSpace(line), "applied "); ok {
				applied[f]++
			}
		}
	}
	rows := t.schemaMigrations()
	t.Rows("schema_migrations", rows)
	Equal(t, "schema_migrations has one row per file", len(files), len(rows))
	for _, f := range files {
		Equal(t, f.File+" was applied by exactly one of them", 1, applied[f.File])
	}
	t.Note("applied lines", applied)
	res := t.RunBackendCommand("migrate status", map[string]string{"DATABASE_URL": t.DatabaseURL}, 30*time.Second, "migrate", "status")
	st := parseMigrateStatus(res.Stdout)
	Equal(t, "migrate status afterwards", fmt.Sprintf("%d applied, 0 pending", len(files)), st.Summary)
}

// failureTail is ": last line" for a failed command, "" otherwise.
func failureTail(res prove.Exit) string {
	if res.ExitCode == 0 {
		return ""
	}
	return ": " + lastLine(res.Combined())
}
