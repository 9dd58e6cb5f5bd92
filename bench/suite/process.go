package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/healthdoc"
	"github.com/prodproof/prodproof/internal/jobdoc"
	"github.com/prodproof/prodproof/internal/port"
	"github.com/prodproof/prodproof/internal/procfs"
	"github.com/prodproof/prodproof/proofs/harness"
)

// backend is one running reference-backend process, started through the
// proofs' harness: in its own process group, so it can be signalled (and
// only it) by its id.
type backend struct {
	proc    *harness.Process
	base    string // http://127.0.0.1:PORT
	logPath string
	exited  <-chan struct{}
	// waitErr says how the process ended, once exited is closed.
	waitErr exitStatus
	client  *http.Client
	// startedWork receives, once, the time the backend's log gives for
	// the end of its start-up (see workStartedAt).
	startedWork <-chan time.Time
}

// startUpDoneMsg is the message of the line the backend logs once its
// start-up is done (database pool, schema check, port bound), right before
// its worker and HTTP server start: the point that matches River's
// Client.Start, where river-bench starts its clock.
const startUpDoneMsg = "configuration"

// workStartedAt returns the time a backend log line gives, when it is the
// line that ends the start-up. The log's own time is the moment the line
// was written, not when the driver read it, so a slow pipe on a loaded
// machine cannot shorten the drain; the log rounds it down to the
// millisecond, which only lengthens it.
func workStartedAt(line string) (time.Time, bool) {
	if !strings.Contains(line, startUpDoneMsg) {
		return time.Time{}, false
	}
	var entry struct {
		Msg  string    `json:"msg"`
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Msg != startUpDoneMsg || entry.Time.IsZero() {
		return time.Time{}, false
	}
	return entry.Time, true
}

// exitStatus renders a harness process's exit for an error message.
type exitStatus struct{ p *harness.Process }

func (e exitStatus) String() string {
	if err := e.p.Err(); err != nil {
		return err.Error()
	}
	return "exit status 0"
}

// startBackend runs `reference-backend serve` with env on a free loopback
// port; its stdout and stderr (JSON logs) go to a file in logDir.
func startBackend(bin, logDir, name string, env map[string]string) (*backend, error) {
	port, err := port.Free()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	environ := []string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(port), "BIND_ADDR=127.0.0.1"}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	var logMu sync.Mutex
	startedWork := make(chan time.Time, 1)
	sent := false
	var group harness.Group
	proc, err := group.Start(harness.Spec{
		Name: name, Path: bin, Args: []string{"serve"}, Env: environ,
		Output: func(_, line string) {
			logMu.Lock()
			defer logMu.Unlock()
			_, _ = io.WriteString(logFile, line+"\n")
			if at, ok := workStartedAt(line); ok && !sent {
				sent = true
				startedWork <- at
			}
		},
	})
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start backend: %w", err)
	}
	go func() {
		<-proc.Done() // the harness has flushed the output by then
		logFile.Close()
	}()
	return &backend{
		proc:        proc,
		base:        "http://127.0.0.1:" + strconv.Itoa(port),
		logPath:     logPath,
		exited:      proc.Done(),
		waitErr:     exitStatus{proc},
		client:      &http.Client{Timeout: 5 * time.Second},
		startedWork: startedWork,
	}, nil
}

// waitStartedWork waits for the end of the backend's start-up and returns
// the time its log gives for it.
func (b *backend) waitStartedWork(ctx context.Context, timeout time.Duration) (time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case at := <-b.startedWork:
		return at, nil
	case <-b.exited:
		return time.Time{}, fmt.Errorf("backend exited during its start-up (%v): %s", b.waitErr, b.logTail())
	case <-deadline.C:
		return time.Time{}, fmt.Errorf("backend did not log %q within %v: %s", startUpDoneMsg, timeout, b.logTail())
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// pid is the process id (and process group id).
func (b *backend) pid() int { return b.proc.PID() }

// errExited ends a wait on a backend that is gone.
var errExited = errors.New("backend exited")

// exitedErr is errExited with how the process ended and its log's tail, or
// nil while it runs.
func (b *backend) exitedErr() error {
	if exited, _ := b.proc.Exited(); exited {
		return fmt.Errorf("%w (%v); log: %s", errExited, b.waitErr, b.logTail())
	}
	return nil
}

// waitReady polls /readyz until it answers 200 or the deadline passes.
func (b *backend) waitReady(ctx context.Context, timeout time.Duration) error {
	return await.Poll(ctx, timeout, 0, "backend ready (GET /readyz 200)", func() (bool, string, error) {
		if err := b.exitedErr(); err != nil {
			return false, "", err
		}
		resp, err := b.get(ctx, "/readyz")
		if err != nil {
			return false, err.Error(), nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status, nil
	})
}

func (b *backend) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return nil, err
	}
	return b.client.Do(req)
}

// processedJobs reads the worker's processed counter from /health. It is
// incremented after the completion committed.
func (b *backend) processedJobs(ctx context.Context) (int, error) {
	resp, err := b.get(ctx, "/health")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("read /health: %w", err)
	}
	h, err := healthdoc.Decode(body)
	if err != nil {
		return 0, fmt.Errorf("decode /health: %w", err)
	}
	return int(h.Worker.ProcessedJobs), nil
}

func (b *backend) postJob(ctx context.Context, body string) (jobdoc.Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/jobs", strings.NewReader(body))
	if err != nil {
		return jobdoc.Document{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return jobdoc.Document{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return jobdoc.Document{}, fmt.Errorf("POST /jobs: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return jobdoc.Document{}, fmt.Errorf("POST /jobs: %s %.512s", resp.Status, data)
	}
	return jobdoc.Decode(data)
}

func (b *backend) getJob(ctx context.Context, id string) (jobdoc.Document, error) {
	resp, err := b.get(ctx, "/jobs/"+id)
	if err != nil {
		return jobdoc.Document{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jobdoc.Document{}, fmt.Errorf("GET /jobs/%s: %s", id, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return jobdoc.Document{}, fmt.Errorf("GET /jobs/%s: %w", id, err)
	}
	return jobdoc.Decode(data)
}

// waitJob polls the job until done says so or the deadline passes; it
// returns the job as last read.
func (b *backend) waitJob(ctx context.Context, id string, timeout time.Duration, done func(jobdoc.Document) bool) (jobdoc.Document, error) {
	var last jobdoc.Document
	err := await.Poll(ctx, timeout, 5*time.Millisecond, "job "+id, func() (bool, string, error) {
		j, err := b.getJob(ctx, id)
		if err != nil {
			return false, err.Error(), nil
		}
		last = j
		return done(j), j.Summary(), nil
	})
	return last, err
}

// peakRSSMiB reads VmHWM, the resident set's high-water mark.
func (b *backend) peakRSSMiB() (float64, error) {
	st, err := procfs.ReadStatus(b.pid())
	return float64(st.PeakRSSKiB) / 1024, err
}

// stop sends SIGTERM and waits for a graceful exit; after grace it kills
// the process group.
func (b *backend) stop(grace time.Duration) error {
	if exited, _ := b.proc.Exited(); exited {
		return nil
	}
	_ = b.proc.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
		return nil
	case <-time.After(grace):
		b.kill()
		return fmt.Errorf("backend %d did not stop within %s; killed", b.pid(), grace)
	}
}

// kill sends SIGKILL to the backend's process group and waits for it.
func (b *backend) kill() {
	b.proc.Kill()
	<-b.proc.Done()
}

func (b *backend) logTail() string {
	data, err := os.ReadFile(b.logPath)
	if err != nil {
		return "(no log)"
	}
	if len(data) > 1500 {
		data = data[len(data)-1500:]
	}
	return string(data)
}

// pause waits d or until ctx ends; it reports whether d passed.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// profileEnv adds PPROF_ADDR (a free loopback port) to env when profiling;
// it returns the address, or "" when not profiling.
func profileEnv(dir string, env map[string]string) (string, error) {
	if dir == "" {
		return "", nil
	}
	port, err := port.Free()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	env["PPROF_ADDR"] = addr
	return addr, nil
}

// captureCPUProfile fetches a CPU profile of the given length from a
// backend built with -tags pprof and writes it to path. It runs in the
// background; the returned channel yields its error.
func captureCPUProfile(ctx context.Context, addr string, seconds int, path string) <-chan error {
	done := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: time.Duration(seconds+10) * time.Second}
		var resp *http.Response
		// The endpoint comes up with the process.
		err := await.Poll(ctx, 5*time.Second, 5*time.Millisecond, "pprof endpoint "+addr, func() (bool, string, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), nil)
			if err != nil {
				return false, "", err
			}
			if resp, err = client.Do(req); err != nil {
				return false, err.Error(), nil
			}
			return true, "", nil
		})
		if err != nil {
			done <- fmt.Errorf("cpu profile: %w", err)
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("cpu profile: %s", resp.Status)
		}
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		done <- err
	}()
	return done
}
