// Package pgbench measures the database's own limit for the backend's job
// SQL: it takes the claim and completion statements from the store's own
// package (backend/postgres/query, so the benchmark can never drift from
// what the backend runs), turns them into a pgbench script, runs pgbench and
// reads its summary.
package pgbench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prodproof/prodproof/backend/postgres/query"
)

// StoreSQL holds the two statements a draining worker runs.
type StoreSQL struct {
	// Claim takes a batch: $1 owner, $2 limit, $3 lease in milliseconds.
	Claim string
	// Complete records a batch of outcomes: $1 ids, $2 attempts, $3 errors,
	// $4 owner, $5 max attempts.
	Complete string
}

// BackendSQL is the claim and completion the backend runs while it drains
// with JOB_RECORD_EFFECTS=0.
func BackendSQL() StoreSQL {
	return StoreSQL{Claim: query.Claim, Complete: query.Complete}
}

// ScriptOptions are the values the script binds to the statements'
// parameters.
type ScriptOptions struct {
	// Batch is the claim limit: the backend's JOB_BATCH_SIZE.
	Batch int
	// LeaseMS and MaxAttempts are the backend's defaults.
	LeaseMS     int
	MaxAttempts int
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// bind replaces $n with values[n-1]; a placeholder with no value is an error.
func bind(sql string, values ...string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		if n < 1 || n > len(values) {
			missing = append(missing, m)
			return m
		}
		return values[n-1]
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value for placeholder %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// bound is the claim and the completion of sql with their parameters bound
// to the script's variables: each client is its own owner, as each worker
// is; the completion takes the batch in :ids and :attempts, and every job
// succeeds, so the errors are NULL, as the backend sends them for a batch
// without a failure; the claim takes up to :batch jobs.
func bound(sql StoreSQL, opts ScriptOptions) (claim, complete string, err error) {
	if opts.Batch < 1 || opts.LeaseMS < 1 || opts.MaxAttempts < 1 {
		return "", "", errors.New("pgbench script: batch, lease and max attempts must be positive")
	}
	owner := "md5('pgbench-' || :client_id)::uuid"
	claim, err = bind(strings.TrimSpace(sql.Claim), owner, ":batch", strconv.Itoa(opts.LeaseMS))
	if err != nil {
		return "", "", fmt.Errorf("claim SQL: %w", err)
	}
	complete, err = bind(strings.TrimSpace(sql.Complete), ":ids", ":attempts", "NULL", owner, strconv.Itoa(opts.MaxAttempts))
	if err != nil {
		return "", "", fmt.Errorf("completion SQL: %w", err)
	}
	return claim, complete, nil
}

// gsetClaimed runs claim and folds its rows into the arrays :ids and
// :attempts (empty when nothing was left), which the completion takes, as
// the worker hands a batch over in memory.
func gsetClaimed(b *strings.Builder, claim string) {
	b.WriteString("WITH claimed AS (\n" + claim + "\n)\n")
	b.WriteString("SELECT COALESCE(array_agg(id), '{}') AS ids,\n")
	b.WriteString("       COALESCE(array_agg(attempts), '{}') AS attempts\n")
	b.WriteString("FROM claimed\n\\gset\n")
}

// Script returns a pgbench script whose one run is a worker's round as two
// transactions: claim a batch, then complete every claimed job as processed.
func Script(sql StoreSQL, opts ScriptOptions) (string, error) {
	claim, complete, err := bound(sql, opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\\set batch %d\n", opts.Batch)
	gsetClaimed(&b, claim)
	b.WriteString(complete + ";\n")
	return b.String(), nil
}

// RoundScript returns a pgbench script whose one run is a busy worker's
// round as the backend runs it (the store's CompleteAndClaim): one
// transaction completes the batch the client's previous run claimed, then
// claims the next, two statements and one commit. Each client starts with
// the empty batch of RoundDefines (pgbench -D) and, on its last of rounds+1
// runs, claims nothing, so rounds+1 runs per client complete everything
// the client claimed. The backend sends both statements at once (one round
// trip); pgbench, which cannot take a result with \gset in a pipeline,
// waits for each, so the script pays four round trips where the backend
// pays one.
func RoundScript(opts ScriptOptions, rounds int) (string, error) {
	if rounds < 1 {
		return "", errors.New("pgbench script: rounds must be positive")
	}
	claim, complete, err := bound(BackendSQL(), opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeRound(&b, opts, rounds)
	b.WriteString("BEGIN;\n")
	b.WriteString(complete + ";\n")
	gsetClaimed(&b, claim)
	b.WriteString("COMMIT;\n")
	return b.String(), nil
}

// writeRound counts the client's runs in :round and sets :batch to the
// claim limit, 0 after rounds runs.
func writeRound(b *strings.Builder, opts ScriptOptions, rounds int) {
	b.WriteString("\\set round :round + 1\n")
	fmt.Fprintf(b, "\\set batch CASE WHEN :round <= %d THEN %d ELSE 0 END\n", rounds, opts.Batch)
}

// CombinedScript is RoundScript's round as the one statement the backend
// ran before 3 December 2026, kept so the benchmark measures the two side
// by side: the completion and the claim as data-modifying CTEs of one
// statement, one snapshot for both. Its rows are read completion first
// (one Append, done before claimed), the order the backend relied on to
// keep concurrent statements free of deadlocks.
func CombinedScript(opts ScriptOptions, rounds int) (string, error) {
	if rounds < 1 {
		return "", errors.New("pgbench script: rounds must be positive")
	}
	claim, complete, err := bound(BackendSQL(), opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeRound(&b, opts, rounds)
	b.WriteString("WITH done AS (\n" + complete + "\n), claimed AS (\n" + claim + "\n), step AS (\n")
	b.WriteString("\tSELECT NULL::uuid AS id, NULL::int4 AS attempts, NULL::json AS payload, status FROM done\n")
	b.WriteString("\tUNION ALL\n")
	b.WriteString("\tSELECT id, attempts, payload, NULL FROM claimed\n)\n")
	b.WriteString("SELECT COALESCE(array_agg(id) FILTER (WHERE status IS NULL), '{}') AS ids,\n")
	b.WriteString("       COALESCE(array_agg(attempts) FILTER (WHERE status IS NULL), '{}') AS attempts\n")
	b.WriteString("FROM step\n\\gset\n")
	return b.String(), nil
}

// RoundDefines are the variables every client of RoundScript and
// CombinedScript starts with: nothing to complete, round 0.
var RoundDefines = map[string]string{"ids": "{}", "attempts": "{}", "round": "0"}

// Output is what pgbench's summary reports.
type Output struct {
	Clients        int     `json:"clients"`
	Threads        int     `json:"threads"`
	Transactions   int     `json:"transactions"`
	Failed         int     `json:"failed"`
	LatencyAvgMS   float64 `json:"latency_avg_ms"`
	TPS            float64 `json:"tps"` // without initial connection time
	QueryMode      string  `json:"query_mode"`
	ConnectionTime float64 `json:"initial_connection_ms"`
}

// ParseOutput reads pgbench's end-of-run summary.
func ParseOutput(text string) (Output, error) {
	var o Output
	var haveTPS, haveTx bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			key, value, ok = strings.Cut(line, "=")
		}
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		first := strings.Fields(value)
		if len(first) == 0 {
			continue
		}
		var err error
		switch key {
		case "number of clients":
			o.Clients, err = strconv.Atoi(first[0])
		case "number of threads":
			o.Threads, err = strconv.Atoi(first[0])
		case "query mode":
			o.QueryMode = first[0]
		case "number of transactions actually processed":
			done, _, _ := strings.Cut(first[0], "/")
			o.Transactions, err = strconv.Atoi(done)
			haveTx = err == nil
		case "number of failed transactions":
			o.Failed, err = strconv.Atoi(first[0])
		case "latency average":
			o.LatencyAvgMS, err = strconv.ParseFloat(first[0], 64)
		case "initial connection time":
			o.ConnectionTime, err = strconv.ParseFloat(first[0], 64)
		case "tps":
			if strings.Contains(value, "without initial connection time") || !haveTPS {
				o.TPS, err = strconv.ParseFloat(first[0], 64)
				haveTPS = err == nil
			}
		}
		if err != nil {
			return Output{}, fmt.Errorf("pgbench output: %q: %w", line, err)
		}
	}
	if !haveTPS || !haveTx {
		return Output{}, errors.New("pgbench output: no tps or transaction count in the summary")
	}
	return o, nil
}

// Run describes one pgbench invocation.
type Run struct {
	Binary       string
	Host         string
	Port         int
	User         string
	Password     string // passed through PGPASSWORD, never on the command line
	Database     string
	ScriptPath   string
	Clients      int
	Threads      int
	Transactions int // per client
	// Defines are the variables each client starts with (pgbench -D).
	Defines map[string]string
}

// Exec runs pgbench in prepared mode (the backend's pgx driver prepares its
// statements too) and parses its summary.
func (r Run) Exec(ctx context.Context) (Output, string, error) {
	args := []string{
		"-n", "-M", "prepared",
		"-h", r.Host, "-p", strconv.Itoa(r.Port), "-U", r.User,
		"-c", strconv.Itoa(r.Clients), "-j", strconv.Itoa(max(r.Threads, 1)),
		"-t", strconv.Itoa(r.Transactions),
	}
	for _, k := range slices.Sorted(maps.Keys(r.Defines)) {
		args = append(args, "-D", k+"="+r.Defines[k])
	}
	args = append(args, "-f", r.ScriptPath, r.Database)
	cmd := exec.CommandContext(ctx, r.Binary, args...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+r.Password, "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		return Output{}, text, fmt.Errorf("pgbench: %w", err)
	}
	o, err := ParseOutput(text)
	return o, text, err
}
