package scenario

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/healthdoc"
	"github.com/prodproof/prodproof/internal/jobdoc"
	"github.com/prodproof/prodproof/internal/port"
	"github.com/prodproof/prodproof/proofs/invariant"
	"github.com/prodproof/prodproof/prove"
)

// healthEvery is how often a running backend's /health is sampled.
const healthEvery = 25 * time.Millisecond

// httpClient sends the scenarios' requests to the backends.
var httpClient = &http.Client{Timeout: 5 * time.Second}

// startTimeout bounds how long a backend may take to answer /health.
const startTimeout = 15 * time.Second

// Sample is one /health response, parsed.
type Sample struct {
	At         time.Time
	HTTPStatus int // 0: the request failed
	Health     healthdoc.Document
	Err        string
}

// Summary is a short rendering for observations, e.g.
// "200 ok db=ok worker=running/healthy restarts=0 recovery_active=false".
func (s Sample) Summary() string {
	if s.HTTPStatus == 0 {
		return "no response: " + s.Err
	}
	return s.Health.Summary(s.HTTPStatus)
}

// Backend is one running reference-backend process.
type Backend struct {
	Instance string
	Port     int
	BaseURL  string

	t    *T
	proc *prove.Process

	// healthRules is this process's /health history for the invariants;
	// only the sampling goroutine touches it.
	healthRules invariant.Health
	// covered: the process is the run's covered build with GOCOVERDIR
	// set, so it flushes its counters on SIGUSR1.
	covered bool

	mu      sync.Mutex
	samples []Sample
}

// BackendOptions adjusts a backend start.
type BackendOptions struct {
	// Binary defaults to the run's build.
	Binary string
	// DatabaseURL defaults to the scenario's database.
	DatabaseURL string
	// Env is merged over the defaults (DATABASE_URL, PORT, BIND_ADDR,
	// JOB_POLL_MS, LOG_LEVEL).
	Env map[string]string
}

// StartBackend starts `reference-backend serve` on a free loopback port,
// samples its /health into the timeline every 25 ms, and requires it to
// answer /health within startTimeout.
func (t *T) StartBackend(instance string, opts BackendOptions) *Backend {
	port, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	env := map[string]string{
		"DATABASE_URL": t.DatabaseURL,
		"PORT":         strconv.Itoa(port),
		"BIND_ADDR":    "127.0.0.1",
		"JOB_POLL_MS":  "250",
		"LOG_LEVEL":    "info",
	}
	if opts.DatabaseURL != "" {
		env["DATABASE_URL"] = opts.DatabaseURL
	}
	maps.Copy(env, opts.Env)
	if t.env.Tamper != nil {
		t.env.Tamper(t.Name, instance, env)
	}
	binary := t.env.Binary
	if opts.Binary != "" {
		binary = opts.Binary
	}
	env = t.withCoverage(binary, env)
	b := &Backend{Instance: instance, Port: port, BaseURL: fmt.Sprintf("http://127.0.0.1:%d", port), t: t, covered: env["GOCOVERDIR"] != ""}
	t.Step("start backend "+instance, "port %d, %s", port, describeEnv(env))
	b.proc = t.Start(prove.Command{
		Name:        instance,
		Path:        binary,
		Args:        []string{"serve"},
		Env:         envList(env),
		HealthURL:   b.BaseURL + "/health",
		HealthEvery: healthEvery,
		OnHealth:    b.record,
	})
	t.mu.Lock()
	t.backends = append(t.backends, b)
	t.mu.Unlock()
	t.RequireEventually("backend "+instance+" answers /health", "an HTTP response from /health", startTimeout, func() (bool, string) {
		if exited, code := b.proc.Exited(); exited {
			return false, fmt.Sprintf("process exited with status %d: %s", code, b.lastLogLine())
		}
		s, ok := b.Latest()
		if !ok {
			return false, "no sample yet"
		}
		return s.HTTPStatus != 0, s.Summary()
	})
	return b
}

// describeEnv lists the non-secret settings of a backend start.
func describeEnv(env map[string]string) string {
	var parts []string
	for _, k := range []string{"JOB_POLL_MS", "JOB_LEASE_MS", "JOB_CONCURRENCY", "FAULT_INJECTION", "MAX_BODY_BYTES", "JOB_RETENTION_MS", "JOB_FAILED_RETENTION_MS"} {
		if v, ok := env[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// StopPolling ends the /health sampling; safe to call more than once.
func (b *Backend) StopPolling() { b.proc.StopSampling() }

// record decodes one /health sample the framework took.
func (b *Backend) record(ps prove.Sample) {
	s := Sample{At: ps.At, HTTPStatus: ps.Status, Err: ps.Err}
	if ps.Status != 0 {
		b.t.observeHealth(b, ps.Status, ps.Header, ps.Body)
	}
	if ps.Body != nil {
		var err error
		if s.Health, err = healthdoc.Decode(ps.Body); err != nil {
			s.Err = "decode /health: " + err.Error()
		}
	}
	b.mu.Lock()
	b.samples = append(b.samples, s)
	b.mu.Unlock()
}

// Latest is the most recent /health sample.
func (b *Backend) Latest() (Sample, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.samples) == 0 {
		return Sample{}, false
	}
	return b.samples[len(b.samples)-1], true
}

// Samples returns every /health sample so far, oldest first.
func (b *Backend) Samples() []Sample {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Sample(nil), b.samples...)
}

// Lines returns the backend's output lines so far.
func (b *Backend) Lines() []string { return b.proc.Lines() }

func (b *Backend) lastLogLine() string {
	lines := b.Lines()
	if len(lines) == 0 {
		return "(no output)"
	}
	return lines[len(lines)-1]
}

// LogRecord is one parsed JSON log line.
type LogRecord map[string]any

// Logs returns the JSON log records whose msg is msg.
func (b *Backend) Logs(msg string) []LogRecord {
	var out []LogRecord
	for _, l := range b.logged(msg) {
		out = append(out, l.rec)
	}
	return out
}

// loggedLine is a parsed log record with the line as the backend wrote it,
// which is what evidence shows.
type loggedLine struct {
	rec LogRecord
	raw string
}

func (b *Backend) logged(msg string) []loggedLine { return loggedIn(b.Lines(), msg) }

// loggedIn is logged over the given output lines.
func loggedIn(lines []string, msg string) []loggedLine {
	var out []loggedLine
	for _, line := range lines {
		var rec LogRecord
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["msg"] == msg {
			out = append(out, loggedLine{rec, line})
		}
	}
	return out
}

// prettyJSON indents a JSON log line for the evidence, keeping the
// backend's key order; anything else is returned as it is.
func prettyJSON(line string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(line), "", "  ") != nil {
		return line
	}
	return buf.String()
}

// WaitHealth requires, within timeout, a /health sample for which cond holds.
func (b *Backend) WaitHealth(name, expected string, timeout time.Duration, cond func(Sample) bool) Sample {
	var seen Sample
	b.t.RequireEventually(name, expected, timeout, func() (bool, string) {
		s, ok := b.Latest()
		if !ok {
			return false, "no /health sample yet"
		}
		seen = s
		return cond(s), s.Summary()
	})
	return seen
}

// Kill SIGKILLs the backend's whole process group and waits for it to die.
func (b *Backend) Kill() { b.proc.Kill() }

// Alive reports whether the process is still running.
func (b *Backend) Alive() bool {
	exited, _ := b.proc.Exited()
	return !exited
}

// Response is an HTTP answer from the backend.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Err    error
}

// Summary renders the response for an observation.
func (r Response) Summary() string {
	if r.Err != nil {
		return "request failed: " + r.Err.Error()
	}
	return fmt.Sprintf("%d %s", r.Status, strings.TrimSpace(string(r.Body)))
}

// ErrorMessage is the "error" field of a JSON error body, or "".
func (r Response) ErrorMessage() string {
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	return body.Error
}

// Do sends one request to the backend. Transport errors are in
// Response.Err; a cancelled scenario ends with verdict error. Call it from
// the scenario's goroutine only; other goroutines use Send.
func (b *Backend) Do(method, path string, body []byte, contentType string) Response {
	resp := b.Send(method, path, body, contentType)
	if resp.Err != nil && b.t.Context().Err() != nil {
		b.t.Fatal("interrupted: %v", b.t.Context().Err())
	}
	return resp
}

// Send sends one request to the backend and never ends the scenario, so
// any goroutine may call it.
func (b *Backend) Send(method, path string, body []byte, contentType string) Response {
	return b.SendHeader(method, path, body, http.Header{"Content-Type": {contentType}})
}

// SendHeader is Send with request headers of the caller's choosing (an
// empty value is not sent).
func (b *Backend) SendHeader(method, path string, body []byte, header http.Header) Response {
	sent := http.Header{}
	for k, vs := range header {
		for _, v := range vs {
			if v != "" {
				sent.Add(k, v)
			}
		}
	}
	return b.SendHeaderExact(method, path, body, sent)
}

// SendHeaderExact is SendHeader that sends every value, empty ones too
// (a header present with an empty value).
func (b *Backend) SendHeaderExact(method, path string, body []byte, header http.Header) Response {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.BaseURL+path, rd)
	if err != nil {
		return Response{Err: fmt.Errorf("build request: %w", err)}
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	sent := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return Response{Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	b.t.ScanOutput(fmt.Sprintf("HTTP body of %s %s from %s", method, path, b.Instance), string(data))
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Err: err}
	b.t.observeResponse(b, method, path, out, sent, time.Now())
	return out
}

// SendRaw writes request, bytes net/http's client would refuse to send
// (a control character in a header value), on a connection of its own and
// reads the answer. The answer is not held to the API's invariants: for
// such bytes it comes from net/http's server, before any handler runs.
func (b *Backend) SendRaw(label string, request []byte) Response {
	addr := strings.TrimPrefix(b.BaseURL, "http://")
	conn, err := net.DialTimeout("tcp", addr, httpClient.Timeout)
	if err != nil {
		return Response{Err: err}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(httpClient.Timeout))
	if _, err := conn.Write(request); err != nil {
		return Response{Err: err}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return Response{Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	b.t.ScanOutput(fmt.Sprintf("HTTP body of %s from %s", label, b.Instance), string(data))
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Err: err}
}

// Job is the job JSON of the API, the one type every client decodes.
type Job = jobdoc.Document

// PostJob posts payload and requires a 201 with a job id.
func (b *Backend) PostJob(payload string) Job {
	resp := b.Do(http.MethodPost, "/jobs", []byte(payload), "application/json")
	var job Job
	ok := resp.Err == nil && resp.Status == http.StatusCreated && json.Unmarshal(resp.Body, &job) == nil && job.ID != ""
	b.t.Require("POST /jobs to "+b.Instance+" is accepted", "201 with a job id", resp.Summary(), ok)
	return job
}

// GetJob fetches one job through the API.
func (b *Backend) GetJob(id string) (Job, Response) {
	resp := b.Do(http.MethodGet, "/jobs/"+id, nil, "")
	var job Job
	if resp.Err == nil && resp.Status == http.StatusOK {
		if err := json.Unmarshal(resp.Body, &job); err != nil {
			resp.Err = fmt.Errorf("decode job: %w", err)
		}
	}
	return job, resp
}

// str renders an optional string for observations.
func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}
