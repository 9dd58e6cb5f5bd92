package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/port"
)

// backend is one running reference-backend process, in its own process
// group so it can be signalled (and only it) by its id.
type backend struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	logPath string
	exited  chan struct{}
	waitErr error
	client  *http.Client
}

// startBackend runs `reference-backend serve` with env on a free loopback
// port; its stderr (JSON logs) goes to a file in logDir.
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
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(port), "BIND_ADDR=127.0.0.1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start backend: %w", err)
	}
	b := &backend{
		cmd:     cmd,
		base:    "http://127.0.0.1:" + strconv.Itoa(port),
		logPath: logPath,
		exited:  make(chan struct{}),
		client:  &http.Client{Timeout: 5 * time.Second},
	}
	go func() {
		b.waitErr = cmd.Wait()
		logFile.Close()
		close(b.exited)
	}()
	return b, nil
}

// pid is the process id (and process group id).
func (b *backend) pid() int { return b.cmd.Process.Pid }

// waitReady polls /readyz until it answers 200 or the deadline passes.
func (b *backend) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		select {
		case <-b.exited:
			return fmt.Errorf("backend exited before it was ready (%v); log: %s", b.waitErr, b.logTail())
		default:
		}
		resp, err := b.get(ctx, "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("backend not ready after %s (last: %s)", timeout, last)
		}
		if !pause(ctx, 10*time.Millisecond) {
			return ctx.Err()
		}
	}
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
	var h struct {
		Worker struct {
			ProcessedJobs int `json:"processed_jobs"`
		} `json:"worker"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return 0, fmt.Errorf("decode /health: %w", err)
	}
	return h.Worker.ProcessedJobs, nil
}

// jobState is the part of the job JSON the benchmark reads.
type jobState struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	CreatedAt   time.Time  `json:"created_at"`
	ProcessedAt *time.Time `json:"processed_at"`
}

func (b *backend) postJob(ctx context.Context, body string) (jobState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/jobs", strings.NewReader(body))
	if err != nil {
		return jobState{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return jobState{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return jobState{}, fmt.Errorf("POST /jobs: %s %s", resp.Status, msg)
	}
	var j jobState
	return j, json.NewDecoder(resp.Body).Decode(&j)
}

func (b *backend) getJob(ctx context.Context, id string) (jobState, error) {
	resp, err := b.get(ctx, "/jobs/"+id)
	if err != nil {
		return jobState{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jobState{}, fmt.Errorf("GET /jobs/%s: %s", id, resp.Status)
	}
	var j jobState
	return j, json.NewDecoder(resp.Body).Decode(&j)
}

// waitJob polls the job until done says so or the deadline passes.
func (b *backend) waitJob(ctx context.Context, id string, timeout time.Duration, done func(jobState) bool) (jobState, error) {
	deadline := time.Now().Add(timeout)
	var last jobState
	var lastErr error
	for time.Now().Before(deadline) {
		j, err := b.getJob(ctx, id)
		if err == nil && done(j) {
			return j, nil
		}
		last, lastErr = j, err
		if !pause(ctx, 5*time.Millisecond) {
			return last, ctx.Err()
		}
	}
	return last, fmt.Errorf("job %s: condition not reached in %s (last status %q, error %v)", id, timeout, last.Status, lastErr)
}

// peakRSSMiB reads VmHWM, the resident set's high-water mark, from
// /proc/PID/status.
func (b *backend) peakRSSMiB() (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.pid()))
	if err != nil {
		return 0, err
	}
	return parseVmHWM(string(data))
}

// parseVmHWM returns the VmHWM line of a /proc/PID/status text in MiB.
func parseVmHWM(status string) (float64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", line)
		}
		kb, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0, fmt.Errorf("VmHWM: %w", err)
		}
		return kb / 1024, nil
	}
	return 0, errors.New("no VmHWM line in /proc/PID/status")
}

// stop sends SIGTERM and waits for a graceful exit; after grace it kills
// the process group.
func (b *backend) stop(grace time.Duration) error {
	select {
	case <-b.exited:
		return nil
	default:
	}
	_ = syscall.Kill(b.pid(), syscall.SIGTERM)
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
	_ = syscall.Kill(-b.pid(), syscall.SIGKILL)
	<-b.exited
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
		var err error
		for range 100 { // the endpoint comes up with the process
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), nil)
			if resp, err = client.Do(req); err == nil {
				break
			}
			pause(ctx, 5*time.Millisecond)
		}
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
