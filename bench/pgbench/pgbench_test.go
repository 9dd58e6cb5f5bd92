package pgbench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestScriptOfTheBackendSQL turns the statements the store runs into a
// script: every placeholder they use must be one the script binds.
func TestScriptOfTheBackendSQL(t *testing.T) {
	sql := BackendSQL()
	for _, want := range []string{"FOR UPDATE SKIP LOCKED", "status = 'processing'", "$1", "$2", "$3"} {
		if !strings.Contains(sql.Claim, want) {
			t.Errorf("claim SQL lacks %q:\n%s", want, sql.Claim)
		}
	}
	for _, want := range []string{"$1::uuid[]", "'processed'", "$4", "$5"} {
		if !strings.Contains(sql.Complete, want) {
			t.Errorf("completion SQL lacks %q:\n%s", want, sql.Complete)
		}
	}
	script, err := Script(sql, ScriptOptions{Batch: 100, LeaseMS: 30000, MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(script, "$") {
		t.Errorf("script still has a placeholder:\n%s", script)
	}
}

func TestScriptBindsEveryPlaceholder(t *testing.T) {
	sql := StoreSQL{
		Claim:    "UPDATE jobs SET locked_by = $1 WHERE x LIMIT $2 AND lease = $3 RETURNING id, attempts",
		Complete: "UPDATE jobs FROM unnest($1::uuid[], $2::int4[], $3::text[]) WHERE locked_by = $4 AND a >= $5",
	}
	script, err := Script(sql, ScriptOptions{Batch: 100, LeaseMS: 30000, MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`\set batch 100`, "LIMIT :batch", "lease = 30000", "unnest(:ids::uuid[], :attempts::int4[], NULL::text[])", "a >= 5", `\gset`, "md5('pgbench-' || :client_id)::uuid"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "$") {
		t.Errorf("script still has a placeholder:\n%s", script)
	}

	_, err = Script(StoreSQL{Claim: "SELECT $4", Complete: "x"}, ScriptOptions{Batch: 1, LeaseMS: 1, MaxAttempts: 1})
	if err == nil || !strings.Contains(err.Error(), "$4") {
		t.Errorf("unbound $4: err = %v, want it named", err)
	}
	if _, err := Script(sql, ScriptOptions{}); err == nil {
		t.Error("zero options: want an error")
	}
}

const sampleOutput = `pgbench (15.8 (Debian 15.8-0+deb12u1))
transaction type: /tmp/drain.sql
scaling factor: 1
query mode: prepared
number of clients: 4
number of threads: 2
maximum number of tries: 1
number of transactions per client: 250
number of transactions actually processed: 1000/1000
number of failed transactions: 0 (0.000%)
latency average = 12.449 ms
initial connection time = 7.905 ms
tps = 321.310283 (without initial connection time)
`

func TestParseOutput(t *testing.T) {
	got, err := ParseOutput(sampleOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := Output{Clients: 4, Threads: 2, Transactions: 1000, LatencyAvgMS: 12.449, TPS: 321.310283, QueryMode: "prepared", ConnectionTime: 7.905}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseOutputRejectsATruncatedSummary(t *testing.T) {
	for _, text := range []string{"", "pgbench: error: connection refused\n", strings.Replace(sampleOutput, "tps = 321.310283", "tps = fast", 1)} {
		if _, err := ParseOutput(text); err == nil {
			t.Errorf("ParseOutput(%q): want an error", text)
		}
	}
}

// TestRoundScriptCompletesFirst: the backend's round, one transaction,
// completes the previous batch before it claims the next, the order that
// keeps concurrent rounds free of deadlocks (see the store's
// CompleteAndClaim).
func TestRoundScriptCompletesFirst(t *testing.T) {
	script, err := RoundScript(ScriptOptions{Batch: 100, LeaseMS: 30000, MaxAttempts: 5}, 3)
	if err != nil {
		t.Fatal(err)
	}
	begin, complete, claim, commit := strings.Index(script, "BEGIN;"), strings.Index(script, "'processed'"),
		strings.Index(script, "FOR UPDATE SKIP LOCKED"), strings.Index(script, "COMMIT;")
	if begin < 0 || !(begin < complete && complete < claim && claim < commit) {
		t.Errorf("want BEGIN, the completion, the claim, COMMIT in that order:\n%s", script)
	}
	if strings.Contains(script, "$") || !strings.Contains(script, "CASE WHEN :round <= 3 THEN 100 ELSE 0 END") {
		t.Errorf("script binds no round limit or keeps a placeholder:\n%s", script)
	}
}

// TestScriptsDrainTheBacklog runs every protocol's script under pgbench on
// a real database: with three clients racing over batches of 100, every
// one of 1,000 jobs ends processed, none is left claimed.
func TestScriptsDrainTheBacklog(t *testing.T) {
	binary := "/usr/lib/postgresql/15/bin/pgbench"
	if _, err := os.Stat(binary); err != nil {
		if binary, err = exec.LookPath("pgbench"); err != nil {
			t.Skip("no pgbench binary (Debian: postgresql-client-15) to run the scripts with")
		}
	}
	const jobs, clients, batch = 1000, 3, 100
	rounds := (jobs + batch*clients - 1) / (batch * clients)
	opts := ScriptOptions{Batch: batch, LeaseMS: 30000, MaxAttempts: 5}
	for _, tt := range []struct {
		name         string
		script       func() (string, error)
		transactions int
		defines      map[string]string
	}{
		{"two statements", func() (string, error) { return Script(BackendSQL(), opts) }, rounds, nil},
		{"complete then claim", func() (string, error) { return RoundScript(opts, rounds) }, rounds + 1, RoundDefines},
		{"complete and claim in one statement", func() (string, error) { return CombinedScript(opts, rounds) }, rounds + 1, RoundDefines},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dbURL := pgtest.NewMigratedDatabase(t)
			conn, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, `INSERT INTO jobs (id, payload) SELECT gen_random_uuid(), '{}' FROM generate_series(1, $1)`, jobs); err != nil {
				t.Fatal(err)
			}
			script, err := tt.script()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "drain.sql")
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := conn.Config()
			out, text, err := Run{
				Binary: binary, Host: cfg.Host, Port: int(cfg.Port), User: cfg.User, Password: cfg.Password,
				Database: cfg.Database, ScriptPath: path, Clients: clients, Threads: 1, Transactions: tt.transactions,
				Defines: tt.defines,
			}.Exec(ctx)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			if out.Failed > 0 || out.Transactions != clients*tt.transactions {
				t.Errorf("pgbench ran %d transactions (%d failed), want %d", out.Transactions, out.Failed, clients*tt.transactions)
			}
			var processed, left int
			if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE status <> 'processed') FROM jobs`).Scan(&processed, &left); err != nil {
				t.Fatal(err)
			}
			if processed != jobs || left != 0 {
				t.Errorf("%d jobs processed, %d not, want all %d processed", processed, left, jobs)
			}
		})
	}
}
