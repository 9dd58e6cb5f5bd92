package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// buildBackend compiles this package once per test into a temp dir.
func buildBackend(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reference-backend")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type process struct {
	cmd     *exec.Cmd
	baseURL string
	stderr  *os.File
}

func start(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	port := freePort(t)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), append(env, "PORT="+strconv.Itoa(port), "BIND_ADDR=127.0.0.1")...)
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, baseURL: fmt.Sprintf("http://127.0.0.1:%d", port), stderr: logFile}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	await.Until(t, 10*time.Second, "backend answers /livez", func() (bool, string) {
		resp, err := http.Get(p.baseURL + "/livez")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
	return p
}

func getJSON(url string, v any) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, json.Unmarshal(body, v)
}

type jobView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
}

type healthView struct {
	Status string `json:"status"`
	Worker struct {
		BootID            *string `json:"boot_id"`
		RecoveredJobs     int     `json:"recovered_jobs"`
		LastRecoveryJobID *string `json:"last_recovery_job_id"`
		LastRecoveryCount int     `json:"last_recovery_count"`
		LastExitReason    *string `json:"last_exit_reason"`
		RecoveryActive    bool    `json:"recovery_active"`
	} `json:"worker"`
}

func migrate(t *testing.T, bin, dbURL string) {
	t.Helper()
	cmd := exec.Command(bin, "migrate", "up")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
}

// A whole process dies holding a job; the next process recovers it once its
// lease expires, and says so in /health.
func TestKilledProcessJobIsRecoveredByTheNext(t *testing.T) {
	bin := buildBackend(t)
	dbURL := pgtest.NewDatabase(t)
	migrate(t, bin, dbURL)
	env := []string{"DATABASE_URL=" + dbURL, "JOB_POLL_MS=100", "JOB_LEASE_MS=1000", "FAULT_INJECTION=1"}

	first := start(t, bin, env...)
	resp, err := http.Post(first.baseURL+"/jobs", "application/json", strings.NewReader(`{"fault":"hold_after_claim","hold_ms":600000}`))
	if err != nil {
		t.Fatal(err)
	}
	var posted jobView
	_ = json.NewDecoder(resp.Body).Decode(&posted)
	resp.Body.Close()
	await.Until(t, 5*time.Second, "job processing", func() (bool, string) {
		var j jobView
		_, err := getJSON(first.baseURL+"/jobs/"+posted.ID, &j)
		return err == nil && j.Status == "processing", fmt.Sprintf("%+v %v", j, err)
	})
	if err := syscall.Kill(-first.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()

	second := start(t, bin, env...)
	var h healthView
	await.Until(t, 10*time.Second, "job processed by the second process", func() (bool, string) {
		var j jobView
		_, err := getJSON(second.baseURL+"/jobs/"+posted.ID, &j)
		_, _ = getJSON(second.baseURL+"/health", &h)
		return err == nil && j.Status == "processed" && j.Attempts == 2 && !h.Worker.RecoveryActive, fmt.Sprintf("%+v health %+v", j, h)
	})
	if h.Worker.RecoveredJobs != 1 || h.Worker.LastRecoveryCount != 1 || h.Worker.LastRecoveryJobID == nil ||
		*h.Worker.LastRecoveryJobID != posted.ID || h.Worker.LastExitReason != nil || h.Status != "ok" {
		t.Fatalf("second process health: %+v", h)
	}
	if !logHas(t, second.stderr.Name(), `"msg":"jobs recovered"`, `"source":"lease_expired"`) {
		t.Errorf("second process log lacks the lease_expired recovery")
	}
}

func logHas(t *testing.T, path string, parts ...string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(sc.Text(), p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestStartupValidationFailsClosed(t *testing.T) {
	bin := buildBackend(t)
	const secret = "postgres://app:very-secret-pw@127.0.0.1:1/db"
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no DATABASE_URL", []string{"PORT=8080", "JOB_POLL_MS=100"}, "DATABASE_URL"},
		{"bad PORT", []string{"DATABASE_URL=" + secret, "PORT=99999", "JOB_POLL_MS=100"}, "PORT"},
		{"bad JOB_POLL_MS", []string{"DATABASE_URL=" + secret, "PORT=8080", "JOB_POLL_MS=0"}, "JOB_POLL_MS"},
		{"JOB_RETENTION_MS under a second", []string{"DATABASE_URL=" + secret, "PORT=8080", "JOB_POLL_MS=100", "JOB_RETENTION_MS=999"}, "JOB_RETENTION_MS"},
		{"bad JOB_FAILED_RETENTION_MS", []string{"DATABASE_URL=" + secret, "PORT=8080", "JOB_POLL_MS=100", "JOB_FAILED_RETENTION_MS=7d"}, "JOB_FAILED_RETENTION_MS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tt.env...)
			out, err := cmd.CombinedOutput()
			exit, ok := err.(*exec.ExitError)
			if !ok || exit.ExitCode() != 2 {
				t.Fatalf("err = %v, want exit status 2; output %s", err, out)
			}
			text := strings.TrimSpace(string(out))
			if strings.Count(text, "\n") != 0 || !strings.Contains(text, tt.want) {
				t.Errorf("output %q: want one line naming %s", text, tt.want)
			}
			if strings.Contains(text, "very-secret-pw") {
				t.Errorf("output leaks the password: %q", text)
			}
		})
	}
}
