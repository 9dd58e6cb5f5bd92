package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/backend/config"
	"github.com/prodproof/prodproof/backend/health"
	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// testBackend is one in-process backend on a fresh, migrated database.
type testBackend struct {
	t       *testing.T
	baseURL string
	dbURL   string
	logs    *syncBuffer
	cancel  context.CancelFunc
	done    chan error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testConfig(dbURL string) config.Config {
	return config.Config{
		DatabaseURL:   dbURL,
		Port:          0,
		BindAddr:      "127.0.0.1",
		PollInterval:  500 * time.Millisecond,
		Lease:         config.DefaultLease,
		BatchSize:     config.DefaultBatchSize,
		Concurrency:   config.DefaultConcurrency,
		MaxAttempts:   config.DefaultMaxAttempts,
		MaxBodyBytes:  1024,
		ShutdownGrace: 2 * time.Second,
		LogLevel:      "debug",
		MaxConns:      config.DefaultMaxConns,
		RecordEffects: true,
	}
}

func startBackend(t *testing.T, dbURL string, tweak func(*config.Config)) *testBackend {
	t.Helper()
	cfg := testConfig(dbURL)
	if tweak != nil {
		tweak(&cfg)
	}
	logs := &syncBuffer{}
	logger := NewLogger(logs, cfg.LogLevel, PasswordOf(dbURL))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, cfg, logger)
	if err != nil {
		cancel()
		t.Fatalf("new server: %v", err)
	}
	b := &testBackend{t: t, baseURL: "http://" + srv.Addr(), dbURL: dbURL, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { b.done <- srv.Run(ctx) }()
	t.Cleanup(func() { b.stop() })
	return b
}

func (b *testBackend) stop() {
	b.t.Helper()
	b.cancel()
	select {
	case err := <-b.done:
		if err != nil {
			b.t.Errorf("server run: %v", err)
		}
		b.done <- nil // later stop calls return at once
	case <-time.After(15 * time.Second):
		b.t.Errorf("server did not stop within 15s")
	}
}

func (b *testBackend) do(method, path, body string) (int, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.baseURL+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

type jobJSON struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	LastError   *string         `json:"last_error"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
	ProcessedAt *string         `json:"processed_at"`
}

func (b *testBackend) post(payload string) jobJSON {
	b.t.Helper()
	code, body := b.do(http.MethodPost, "/jobs", payload)
	if code != http.StatusCreated {
		b.t.Fatalf("POST /jobs: status %d, body %s", code, body)
	}
	var j jobJSON
	if err := json.Unmarshal(body, &j); err != nil {
		b.t.Fatalf("POST /jobs: %v in %s", err, body)
	}
	return j
}

func (b *testBackend) get(id string) jobJSON {
	b.t.Helper()
	code, body := b.do(http.MethodGet, "/jobs/"+id, "")
	if code != http.StatusOK {
		b.t.Fatalf("GET /jobs/%s: status %d, body %s", id, code, body)
	}
	var j jobJSON
	if err := json.Unmarshal(body, &j); err != nil {
		b.t.Fatal(err)
	}
	return j
}

func (b *testBackend) health() (int, health.Report) {
	b.t.Helper()
	code, body := b.do(http.MethodGet, "/health", "")
	var r health.Report
	if err := json.Unmarshal(body, &r); err != nil {
		b.t.Fatalf("health: %v in %s", err, body)
	}
	return code, r
}

func (b *testBackend) waitStatus(id, status string, timeout time.Duration) jobJSON {
	b.t.Helper()
	var j jobJSON
	await.Until(b.t, timeout, "job "+id+" "+status, func() (bool, string) {
		j = b.get(id)
		return j.Status == status, fmt.Sprintf("%+v", j)
	})
	return j
}

func countJobs(t *testing.T, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestJobFlowUpdatesAPIAndHealth(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	posted := b.post(`{"b": 1,  "a": [true, null]}`)
	if posted.Status != "pending" || posted.Attempts != 0 || posted.LastError != nil || posted.ProcessedAt != nil {
		t.Fatalf("posted job: %+v", posted)
	}
	// Key order and duplicates are kept; only insignificant whitespace goes.
	if string(posted.Payload) != `{"b":1,"a":[true,null]}` {
		t.Fatalf("payload not returned as posted: %s", posted.Payload)
	}
	if got := b.get(posted.ID).Payload; string(got) != string(posted.Payload) {
		t.Fatalf("GET payload %s differs from POST payload %s", got, posted.Payload)
	}
	done := b.waitStatus(posted.ID, "processed", 5*time.Second)
	if done.Attempts != 1 || done.ProcessedAt == nil || done.LastError != nil {
		t.Fatalf("processed job: %+v", done)
	}
	for _, ts := range []string{done.CreatedAt, done.UpdatedAt, *done.ProcessedAt} {
		parsed, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") || parsed.IsZero() {
			t.Errorf("timestamp %q is not RFC 3339 UTC", ts)
		}
	}
	await.Until(t, 5*time.Second, "processed_jobs=1", func() (bool, string) {
		code, h := b.health()
		return code == 200 && h.Status == "ok" && h.Worker.ProcessedJobs == 1 && h.Worker.LastJobID != nil && h.Worker.LastJobID.String() == posted.ID,
			fmt.Sprintf("%d %+v", code, h)
	})
}

func TestHealthShapeHasEveryFieldAndNulls(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	code, body := b.do(http.MethodGet, "/health", "")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["status"] != "ok" {
		t.Errorf("status = %v", doc["status"])
	}
	db := doc["db"].(map[string]any)
	if db["status"] != "ok" || db["error"] != nil {
		t.Errorf("db = %v", db)
	}
	if _, ok := db["error"]; !ok {
		t.Errorf("db.error missing, want null")
	}
	w := doc["worker"].(map[string]any)
	fields := []string{"status", "liveness", "poll_ms", "tick_age_ms", "boot_id", "started_at", "last_tick_at",
		"restart_count", "last_exit_reason", "last_job_id", "last_error", "processed_jobs", "failed_jobs",
		"recovered_jobs", "last_recovery_at", "last_recovery_job_id", "last_recovery_count", "recovery_active",
		"last_cleanup_at", "last_cleanup_count", "cleaned_jobs"}
	for _, f := range fields {
		if _, ok := w[f]; !ok {
			t.Errorf("worker.%s missing", f)
		}
	}
	if len(w) != len(fields) {
		t.Errorf("worker has %d fields, want %d: %v", len(w), len(fields), w)
	}
	for _, f := range []string{"last_exit_reason", "last_job_id", "last_error", "last_recovery_at", "last_recovery_job_id", "last_cleanup_at"} {
		if w[f] != nil {
			t.Errorf("worker.%s = %#v, want null", f, w[f])
		}
	}
	if w["liveness"] != "healthy" || w["poll_ms"] != float64(500) || w["recovery_active"] != false {
		t.Errorf("worker = %v", w)
	}
	if cc := httpHeader(t, b.baseURL+"/health", "Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
}

func httpHeader(t *testing.T, url, name string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get(name)
}

func TestBadInputGetsDocumentedErrorAndWritesNothing(t *testing.T) {
	dbURL := pgtest.NewMigratedDatabase(t)
	b := startBackend(t, dbURL, func(c *config.Config) { c.MaxBodyBytes = 64 << 10 })
	tests := []struct {
		name, method, path, body string
		code                     int
		errText                  string
	}{
		{"malformed json", "POST", "/jobs", `{"a":`, 400, "not valid JSON"},
		{"two values", "POST", "/jobs", `{} {}`, 400, "not valid JSON"},
		{"empty body", "POST", "/jobs", ``, 400, "empty"},
		{"too large", "POST", "/jobs", `"` + strings.Repeat("x", 70_000) + `"`, 413, "larger than the limit"},
		// Bytes Postgres refuses are the client's fault: 400, never 500.
		{"invalid utf-8", "POST", "/jobs", "\"\xff\xfe\"", 400, "not valid UTF-8"},
		{"overlong utf-8 slash", "POST", "/jobs", "{\"path\":\"\xc0\xaf\"}", 400, "not valid UTF-8"},
		{"NUL escape", "POST", "/jobs", `{"a":"x\u0000y"}`, 400, `\u0000`},
		{"lone surrogate", "POST", "/jobs", `["\ud800"]`, 400, "unpaired UTF-16 surrogate"},
		{"number beyond numeric", "POST", "/jobs", `{"n":1e1000000}`, 400, "numeric range"},
		{"nested 30000 deep", "POST", "/jobs", strings.Repeat("[", 30_000) + strings.Repeat("]", 30_000), 400, "nested too deeply"},
		{"bad id", "GET", "/jobs/not-a-uuid", "", 400, "invalid job id"},
		{"bad id braces", "GET", "/jobs/{00000000-0000-0000-0000-000000000000}", "", 400, "invalid job id"},
		{"unknown id", "GET", "/jobs/00000000-0000-4000-8000-000000000000", "", 404, "job not found"},
		{"wrong method on jobs", "PUT", "/jobs", "{}", 405, "method not allowed"},
		{"wrong method on job", "DELETE", "/jobs/00000000-0000-4000-8000-000000000000", "", 405, "method not allowed"},
		{"unknown path", "GET", "/nope", "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := b.do(tt.method, tt.path, tt.body)
			if code != tt.code {
				t.Fatalf("status %d, want %d (body %s)", code, tt.code, body)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, tt.errText) {
				t.Fatalf("body %s, want error containing %q", body, tt.errText)
			}
		})
	}
	if n := countJobs(t, dbURL); n != 0 {
		t.Fatalf("jobs table has %d rows after only bad requests", n)
	}
	if logs := b.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("bad input logged an ERROR:\n%s", logs)
	}
}

func TestHeadIsServedWhereGetIsAndEvery405SaysAllow(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	posted := b.post(`{"k":1}`)
	for _, path := range []string{"/health", "/livez", "/readyz", "/jobs/" + posted.ID} {
		resp, err := http.Head(b.baseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD %s: status %d, %d body bytes; want 200 and none", path, resp.StatusCode, len(body))
		}
	}
	tests := []struct{ method, path, allow string }{
		{"POST", "/health", "GET, HEAD"},
		{"PUT", "/jobs", "POST"},
		{"GET", "/jobs", "POST"},
		{"DELETE", "/jobs/" + posted.ID, "GET, HEAD"},
		{"POST", "/readyz", "GET, HEAD"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, b.baseURL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: status %d, Allow %q; want 405 and Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.allow)
		}
	}
}

func TestWorkerCrashIsRecoveredAndVisible(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), func(c *config.Config) { c.FaultInjection = true })
	// Run starts the worker after the port is bound, so the first /health
	// may come before the first worker has a boot id.
	var before health.Report
	await.Until(t, 10*time.Second, "first worker started", func() (bool, string) {
		_, before = b.health()
		return before.Worker.BootID != nil, fmt.Sprintf("worker %+v", before.Worker)
	})
	posted := b.post(`{"fault":"worker_crash_after_claim","hold_ms":300}`)

	sawWindow := false
	var final health.Report
	await.Until(t, 10*time.Second, "job processed and recovery window closed", func() (bool, string) {
		_, h := b.health()
		if h.Worker.RecoveryActive && h.Status == "degraded" && h.Worker.Liveness == "recovering" {
			sawWindow = true
		}
		final = h
		j := b.get(posted.ID)
		return j.Status == "processed" && !h.Worker.RecoveryActive && h.Worker.RecoveredJobs == 1, fmt.Sprintf("job %+v health %+v", j, h)
	})
	j := b.get(posted.ID)
	if j.Attempts != 2 || j.LastError != nil {
		t.Errorf("job after recovery: %+v", j)
	}
	w := final.Worker
	if w.RestartCount != 1 || w.LastExitReason == nil || *w.LastExitReason != "worker_crash_after_claim" {
		t.Errorf("restart_count=%d last_exit_reason=%v", w.RestartCount, w.LastExitReason)
	}
	if w.LastRecoveryJobID == nil || w.LastRecoveryJobID.String() != posted.ID || w.LastRecoveryCount != 1 || w.LastRecoveryAt == nil {
		t.Errorf("recovery fields: %+v", w)
	}
	if *w.BootID == *before.Worker.BootID || !w.StartedAt.After(before.Worker.StartedAt.Time) {
		t.Errorf("boot id or started_at did not change: before %+v after %+v", before.Worker, w)
	}
	if final.Status != "ok" || w.Liveness != "healthy" {
		t.Errorf("final health: %+v", final)
	}
	if !sawWindow {
		t.Errorf("never saw degraded/recovering/recovery_active=true while the recovered job was held")
	}
	for _, msg := range []string{`"msg":"worker exited"`, `"msg":"jobs recovered"`, `"source":"predecessor"`, `"msg":"recovery window closed"`} {
		if !strings.Contains(b.logs.String(), msg) {
			t.Errorf("log lacks %s", msg)
		}
	}
}

func TestFaultPayloadIsPlainDataWithoutFlag(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	posted := b.post(`{"fault":"worker_crash_after_claim"}`)
	j := b.waitStatus(posted.ID, "processed", 5*time.Second)
	if j.Attempts != 1 {
		t.Fatalf("attempts = %d, want 1", j.Attempts)
	}
	_, h := b.health()
	if h.Worker.RestartCount != 0 || h.Worker.LastExitReason != nil {
		t.Fatalf("worker restarted on an inert payload: %+v", h.Worker)
	}
}

func TestFailedAttemptsEndFailedAfterMaxAttempts(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), func(c *config.Config) {
		c.FaultInjection = true
		c.MaxAttempts = 1
	})
	posted := b.post(`{"fault":"fail"}`)
	j := b.waitStatus(posted.ID, "failed", 5*time.Second)
	if j.Attempts != 1 || j.LastError == nil || !strings.Contains(*j.LastError, "injected failure") || j.ProcessedAt != nil {
		t.Fatalf("failed job: %+v", j)
	}
	await.Until(t, 5*time.Second, "failed_jobs=1", func() (bool, string) {
		_, h := b.health()
		return h.Worker.FailedJobs == 1 && h.Worker.LastError != nil, fmt.Sprintf("%+v", h.Worker)
	})
}

func TestGracefulShutdownReleasesUnfinishedJobs(t *testing.T) {
	dbURL := pgtest.NewMigratedDatabase(t)
	b := startBackend(t, dbURL, func(c *config.Config) {
		c.FaultInjection = true
		c.ShutdownGrace = 200 * time.Millisecond
	})
	posted := b.post(`{"fault":"hold_after_claim","hold_ms":60000}`)
	b.waitStatus(posted.ID, "processing", 5*time.Second)
	b.stop()
	if !strings.Contains(b.logs.String(), `"msg":"jobs released"`) {
		t.Errorf("log lacks jobs released")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var status string
	var attempts int
	var lockedBy *string
	if err := conn.QueryRow(ctx, `SELECT status, attempts, locked_by::text FROM jobs WHERE id = $1`, posted.ID).Scan(&status, &attempts, &lockedBy); err != nil {
		t.Fatal(err)
	}
	if status != "pending" || attempts != 0 || lockedBy != nil {
		t.Fatalf("after shutdown: status=%s attempts=%d locked_by=%v, want pending 0 nil", status, attempts, lockedBy)
	}
}

func TestSchemaBehindRefusesToStart(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	_, err := New(context.Background(), testConfig(dbURL), NewLogger(io.Discard, "info"))
	if !errors.Is(err, ErrSchemaBehind) || !strings.Contains(err.Error(), "reference-backend migrate up") {
		t.Fatalf("err = %v, want ErrSchemaBehind naming migrate up", err)
	}
}

func TestLogsNeverContainThePassword(t *testing.T) {
	dbURL := pgtest.NewMigratedDatabase(t)
	password := PasswordOf(dbURL)
	if password == "" {
		t.Skip("the test server has no password; nothing to leak") // TEST_DATABASE_URL without one
	}
	b := startBackend(t, dbURL, func(c *config.Config) { c.FaultInjection = true })
	b.waitStatus(b.post(`{"fault":"worker_crash_after_claim"}`).ID, "processed", 10*time.Second)
	b.stop()
	if strings.Contains(b.logs.String(), password) {
		t.Fatal("the database password appears in the log")
	}
}

// A client that sends half a request line and stalls must not hold a
// connection open: ReadHeaderTimeout closes it.
func TestSlowClientIsCutOffByHeaderTimeout(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /health HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(readHeaderTimeout + 5*time.Second))
	_, err = io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("server kept a stalled connection open for %s", time.Since(began))
	}
	if waited := time.Since(began); waited < readHeaderTimeout-time.Second {
		t.Fatalf("connection closed after %s, before the header timeout", waited)
	}
}

func TestIdempotencyKeyMakesPOSTSafeToRetry(t *testing.T) {
	dbURL := pgtest.NewMigratedDatabase(t)
	b := startBackend(t, dbURL, nil)
	post := func(key, body string) (int, jobJSON, http.Header) {
		req, err := http.NewRequest(http.MethodPost, b.baseURL+"/jobs", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var j jobJSON
		_ = json.NewDecoder(resp.Body).Decode(&j)
		return resp.StatusCode, j, resp.Header
	}
	code, first, _ := post("retry-me", `{"a":1}`)
	if code != http.StatusCreated {
		t.Fatalf("first POST: %d", code)
	}
	code, again, hdr := post("retry-me", `{"a":1}`)
	if code != http.StatusOK || again.ID != first.ID || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d id %s replayed=%q; want 200, %s, true", code, again.ID, hdr.Get("Idempotent-Replayed"), first.ID)
	}
	if code, _, _ := post("retry-me", `{"a":2}`); code != http.StatusConflict {
		t.Fatalf("same key, other payload: %d, want 409", code)
	}
	if code, _, _ := post(strings.Repeat("k", 256), `{}`); code != http.StatusBadRequest {
		t.Fatalf("overlong key: %d, want 400", code)
	}
	if n := countJobs(t, dbURL); n != 1 {
		t.Fatalf("%d jobs, want 1", n)
	}
	b.waitStatus(first.ID, "processed", 5*time.Second)
}

func TestProbes(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), nil)
	for _, path := range []string{"/livez", "/readyz"} {
		if code, body := b.do(http.MethodGet, path, ""); code != http.StatusOK {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
}

// With a one-second retention a processed job is deleted soon after it
// finished: GET answers 404, /health shows the cleanup and stays ok.
func TestRetentionDeletesAProcessedJob(t *testing.T) {
	b := startBackend(t, pgtest.NewMigratedDatabase(t), func(c *config.Config) {
		c.Retention = time.Second
		c.FailedRetention = time.Hour
	})
	j := b.post(`{"retained":"briefly"}`)
	b.waitStatus(j.ID, "processed", 10*time.Second)
	await.Until(t, 15*time.Second, "the processed job deleted", func() (bool, string) {
		code, body := b.do(http.MethodGet, "/jobs/"+j.ID, "")
		return code == http.StatusNotFound && strings.Contains(string(body), `"job not found"`), fmt.Sprintf("%d %s", code, body)
	})
	// The sweep records itself once it is done with both statuses, a moment
	// after the delete committed.
	await.Until(t, 10*time.Second, "/health shows the cleanup", func() (bool, string) {
		code, r := b.health()
		return code == http.StatusOK && r.Status == "ok" && r.Worker.LastCleanupAt != nil && r.Worker.CleanedJobs == 1, fmt.Sprintf("%d %+v", code, r)
	})
	if !strings.Contains(b.logs.String(), `"msg":"finished jobs deleted","processed":1,"failed":0`) {
		t.Fatalf("no cleanup log line in:\n%s", b.logs.String())
	}
}

// The logger's last line of defence catches the password as it is written
// inside a URL (escaped), not only verbatim.
func TestLoggerRedactsEscapedPassword(t *testing.T) {
	const pw = "p@ss:w/rd word"
	var logs bytes.Buffer
	NewLogger(&logs, "info", pw).Info("connect failed", "error", "dial postgres://app:p%40ss%3Aw%2Frd%20word@db/app: refused", "raw", pw)
	if out := logs.String(); strings.Contains(out, "p%40ss") || strings.Contains(out, pw) || strings.Count(out, "REDACTED") != 2 {
		t.Errorf("log line %q still holds the password or lost a redaction", out)
	}
}
