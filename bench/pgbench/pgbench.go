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

// Script returns a pgbench script whose one transaction is a worker's round:
// claim a batch, then complete every claimed job as processed. The claim's
// rows are folded into arrays (empty when nothing was left) and handed to the
// completion through \gset, as the worker hands them over in memory. Each
// pgbench client is its own owner, as each worker is.
func Script(sql StoreSQL, opts ScriptOptions) (string, error) {
	if opts.Batch < 1 || opts.LeaseMS < 1 || opts.MaxAttempts < 1 {
		return "", errors.New("pgbench script: batch, lease and max attempts must be positive")
	}
	owner := "md5('pgbench-' || :client_id)::uuid"
	claim, err := bind(strings.TrimSpace(sql.Claim), owner, ":batch", strconv.Itoa(opts.LeaseMS))
	if err != nil {
		return "", fmt.Errorf("claim SQL: %w", err)
	}
	// Every job succeeds, so the errors are NULL, as the backend sends them
	// for a batch without a failure.
	complete, err := bind(strings.TrimSpace(sql.Complete), ":ids", ":attempts", "NULL", owner, strconv.Itoa(opts.MaxAttempts))
	if err != nil {
		return "", fmt.Errorf("completion SQL: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\\set batch %d\n", opts.Batch)
	b.WriteString("WITH claimed AS (\n" + claim + "\n)\n")
	b.WriteString("SELECT COALESCE(array_agg(id), '{}') AS ids,\n")
	b.WriteString("       COALESCE(array_agg(attempts), '{}') AS attempts\n")
	b.WriteString("FROM claimed\n\\gset\n")
	b.WriteString(complete + ";\n")
	return b.String(), nil
}

// CombinedScript returns a pgbench script whose one transaction is a busy
// worker's round under the combined protocol: one statement completes the
// batch the previous round claimed and claims the next
// (query.CompleteAndClaim). Each client starts with the empty batch of
// CombinedDefines (pgbench -D) and, on its last of rounds+1 transactions,
// claims nothing, so rounds+1 transactions per client complete everything
// the client claimed.
func CombinedScript(opts ScriptOptions, rounds int) (string, error) {
	if opts.Batch < 1 || opts.LeaseMS < 1 || opts.MaxAttempts < 1 || rounds < 1 {
		return "", errors.New("pgbench script: batch, lease, max attempts and rounds must be positive")
	}
	owner := "md5('pgbench-' || :client_id)::uuid"
	step, err := bind(strings.TrimSpace(query.CompleteAndClaimThen(`
	SELECT COALESCE(array_agg(id) FILTER (WHERE status IS NULL), '{}') AS ids,
		COALESCE(array_agg(attempts) FILTER (WHERE status IS NULL), '{}') AS attempts
	FROM step`)), ":ids", ":attempts", "NULL", owner, strconv.Itoa(opts.MaxAttempts), ":batch", strconv.Itoa(opts.LeaseMS))
	if err != nil {
		return "", fmt.Errorf("combined SQL: %w", err)
	}
	var b strings.Builder
	b.WriteString("\\set round :round + 1\n")
	fmt.Fprintf(&b, "\\set batch CASE WHEN :round <= %d THEN %d ELSE 0 END\n", rounds, opts.Batch)
	b.WriteString(step + "\n\\gset\n")
	return b.String(), nil
}

// CombinedDefines are the variables every client of CombinedScript starts
// with: nothing to complete, round 0.
var CombinedDefines = map[string]string{"ids": "{}", "attempts": "{}", "round": "0"}

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
