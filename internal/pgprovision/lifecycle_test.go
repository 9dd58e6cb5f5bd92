package pgprovision

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/port"
)

// isolatedTempDir points TMPDIR at a fresh dir the server user can reach,
// so a test can see exactly what a provisioner left behind.
func isolatedTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TMPDIR", dir)
	return dir
}

// leftovers lists what remains of provisioning under dir: entries in dir
// and processes whose command line mentions it (postmaster, reaper, ...).
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	for _, e := range entries {
		found = append(found, "file "+e.Name())
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(cmdline), dir) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if pid == os.Getpid() || !processAlive(pid) {
			continue
		}
		found = append(found, fmt.Sprintf("process %d: %s", pid, strings.ReplaceAll(string(cmdline), "\x00", " ")))
	}
	return found
}

// waitNoLeftovers polls until nothing is left under dir or the deadline
// passes, and fails with what was last seen.
func waitNoLeftovers(t *testing.T, dir string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := leftovers(t, dir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still left after %s: %q", within, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelMidStartLeavesNothing cancels ctx at two points of a local
// start and checks that Provision fails with the cancellation and leaves no
// process and no file behind. pre_auth_delay makes every connection wait
// 10 s, so Provision cannot finish before the cancellation lands.
func TestCancelMidStartLeavesNothing(t *testing.T) {
	for _, stage := range []struct {
		name    string
		trigger string // a file under the temp dir ...
		text    string // ... holding this text
	}{
		{"during initdb", "data/PG_VERSION", ""},
		// The server runs; pg_ctl or the first connection is still waiting.
		{"with the server up", "server.log", "ready to accept connections"},
	} {
		t.Run(stage.name, func(t *testing.T) {
			dir := isolatedTempDir(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cancelled := make(chan string, 1)
			go func() {
				ticker := time.NewTicker(time.Millisecond)
				defer ticker.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-ticker.C:
					}
					hits, _ := filepath.Glob(filepath.Join(dir, "prodproof-pg-*", stage.trigger))
					if len(hits) > 0 && strings.Contains(readFrom(hits[0], 0), stage.text) {
						cancel()
						cancelled <- hits[0]
						return
					}
				}
			}()
			srv, err := Provision(ctx, Options{Source: SourceLocal, Settings: map[string]string{"pre_auth_delay": "10s"}})
			if err == nil {
				srv.Close()
				t.Fatalf("Provision succeeded despite the cancellation")
			}
			select {
			case <-cancelled:
			default:
				t.Fatalf("Provision returned before %s held %q: %v", stage.trigger, stage.text, err)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			// Cleanup is synchronous: nothing may be left right now.
			if left := leftovers(t, dir); len(left) > 0 {
				t.Errorf("left behind after a cancelled start: %q", left)
			}
		})
	}
}

// TestLocalRetriesWhenPortIsTaken hands the first start a port someone
// else holds; the start must move on to another port.
func TestLocalRetriesWhenPortIsTaken(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return heldPort, nil
		}
		return port.Free()
	}
	t.Cleanup(func() { pickPort = port.Free })

	var logs []string
	srv := startLocal(t, Options{Logf: func(f string, a ...any) { logs = append(logs, fmtLine(f, a...)) }})
	if strings.Contains(srv.URL, ":"+strconv.Itoa(heldPort)+"/") {
		t.Errorf("server claims the held port %d", heldPort)
	}
	if calls < 2 || !strings.Contains(strings.Join(logs, "\n"), fmt.Sprintf("port %d was taken", heldPort)) {
		t.Errorf("picked %d ports, progress %q; want a retry after port %d", calls, logs, heldPort)
	}
	if got := queryOne(t, srv.URL, "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
}

// TestLocalStartFailureShowsServerLog: when every port is taken, the error
// carries the server log's explanation and nothing is left behind.
func TestLocalStartFailureShowsServerLog(t *testing.T) {
	dir := isolatedTempDir(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	pickPort = func() (int, error) { return heldPort, nil }
	t.Cleanup(func() { pickPort = port.Free })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{Source: SourceLocal})
	if err == nil {
		srv.Close()
		t.Fatalf("Provision succeeded on a taken port")
	}
	if !strings.Contains(err.Error(), "Address already in use") {
		t.Errorf("error does not carry the server log's reason: %v", err)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind after a failed start: %q", left)
	}
}

const reaperChildEnv = "PGPROVISION_REAPER_CHILD"

// TestReaperCleansUpWhenOwnerDies starts a local server in a child process,
// kills that process with SIGKILL (no Close, no deferred code), and waits
// for the reaper to stop the server and remove its temp dir.
func TestReaperCleansUpWhenOwnerDies(t *testing.T) {
	if os.Getenv(reaperChildEnv) == "1" {
		runReaperChild(t)
		return
	}
	dir := isolatedTempDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaperCleansUpWhenOwnerDies$", "-test.count=1")
	cmd.Env = append(os.Environ(), reaperChildEnv+"=1")
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdinW.Close()
	cmd.Stdin = stdinR
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdinR.Close()
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()

	addrCh := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(out)
		for scanner.Scan() {
			if addr, ok := strings.CutPrefix(scanner.Text(), "ADDR="); ok {
				addrCh <- addr
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	var addr string
	select {
	case addr = <-addrCh:
	case <-time.After(2 * time.Minute):
		t.Fatalf("child did not report a running server within 2 minutes")
	}
	if conn, err := net.DialTimeout("tcp", addr, 5*time.Second); err != nil {
		t.Fatalf("child's server at %s does not accept connections: %v", addr, err)
	} else {
		conn.Close()
	}
	if len(leftovers(t, dir)) == 0 {
		t.Fatalf("child's server left no trace under %s before the kill; the check below would prove nothing", dir)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	_ = cmd.Wait()

	waitNoLeftovers(t, dir, 30*time.Second)
	if conn, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after the owner died", addr)
	}
}

// runReaperChild is the child side: start a server, report its address,
// then block until killed.
func runReaperChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{Source: SourceLocal})
	if err != nil {
		t.Fatalf("child: provision: %v", err)
	}
	host := strings.SplitN(strings.SplitN(srv.URL, "@", 2)[1], "/", 2)[0]
	fmt.Printf("ADDR=%s\n", host)
	// The parent never writes or closes stdin; it kills us instead.
	_, _ = io.Copy(io.Discard, os.Stdin)
	t.Fatalf("child: stdin closed, the parent should have killed this process")
}

// TestSuFallbackRunsAsServerUser checks the path taken when runuser is
// missing: su must run the command as the postgres user.
func TestSuFallbackRunsAsServerUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching users needs root; as a normal user the server runs as that user and no switch happens")
	}
	run, err := newRunner()
	if err != nil {
		t.Fatal(err)
	}
	run.runuser = ""
	run.dir = "/"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := run.run(ctx, "/bin/sh", "-c", `id -un; printf '%s\n' "$0"`, "it's a word")
	if err != nil {
		t.Fatalf("su: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "postgres\nit's a word" {
		t.Errorf("output %q, want the postgres user and the quoted word intact", got)
	}
}
