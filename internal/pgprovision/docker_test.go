package pgprovision

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noDaemonDeadline is how fast a missing daemon must be reported: the ping
// timeout plus slack for a loaded machine.
const noDaemonDeadline = dockerPingTimeout + 3*time.Second

func TestDockerWithoutDaemonFailsFast(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns DOCKER_HOST
	}{
		{"socket path does not exist", func(t *testing.T) string {
			return "unix://" + filepath.Join(t.TempDir(), "no-such-docker.sock")
		}},
		{"socket accepts but never answers", func(t *testing.T) string {
			sock := filepath.Join(t.TempDir(), "silent.sock")
			l, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			accepted := make(chan net.Conn, 16)
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					accepted <- c // held open, never answered
				}
			}()
			t.Cleanup(func() {
				l.Close()
				for {
					select {
					case c := <-accepted:
						c.Close()
					default:
						return
					}
				}
			})
			return "unix://" + sock
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", tt.setup(t))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			begin := time.Now()
			srv, err := Provision(ctx, Options{Source: SourceDocker})
			took := time.Since(begin)
			if err == nil {
				srv.Close()
				t.Fatalf("Provision(docker) succeeded with no daemon")
			}
			if !errors.Is(err, ErrNoDaemon) {
				t.Errorf("err = %v, want ErrNoDaemon", err)
			}
			if took > noDaemonDeadline {
				t.Errorf("took %s to notice there is no daemon, want under %s", took, noDaemonDeadline)
			}
		})
	}
}

// TestAutoFallsBackToLocal: no URL and no daemon, so auto must run local.
func TestAutoFallsBackToLocal(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-such-docker.sock"))
	var logs []string
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{Logf: func(f string, a ...any) { logs = append(logs, fmtLine(f, a...)) }})
	if err != nil {
		t.Fatalf("Provision(auto): %v", err)
	}
	defer srv.Close()
	if srv.Source != SourceLocal || !srv.Owned {
		t.Errorf("auto resolved to %q owned=%v, want local, owned", srv.Source, srv.Owned)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "no Docker daemon") {
		t.Errorf("progress lines %q do not say why docker was not used", logs)
	}
}

// TestDockerStartAndClose runs only where a Docker daemon answers; this
// project's development machines and CI have none, so there it skips and
// says so. The no-daemon path above runs everywhere.
func TestDockerStartAndClose(t *testing.T) {
	if err := pingDocker(context.Background(), dockerPingTimeout); err != nil {
		t.Skipf("no Docker daemon answers here, so the container path cannot run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{Source: SourceDocker, Settings: map[string]string{"max_wal_size": "256MB"}})
	if err != nil {
		t.Fatalf("Provision(docker): %v", err)
	}
	defer srv.Close()
	if srv.Source != SourceDocker || !srv.Owned || srv.Password == "" {
		t.Errorf("source %q owned %v password set %v", srv.Source, srv.Owned, srv.Password != "")
	}
	if got := queryOne(t, srv.URL, "SHOW max_wal_size"); got != "256MB" {
		t.Errorf("max_wal_size = %q", got)
	}
	dbURL, err := srv.CreateDatabase(ctx, "docker_db")
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	if got := queryOne(t, dbURL, "SELECT current_database()"); got != "docker_db" {
		t.Errorf("current_database() = %q", got)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatalf("URL does not parse: %v", err)
	}
	host := u.Host
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", host, 2*time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", host)
	}
}

// TestDockerReaperRemovesTheContainer runs the docker reaper against a fake
// docker CLI that records its arguments: released without cleanup it does
// nothing; released with cleanup (the owner could not purge, or died) it
// removes the container.
func TestDockerReaperRemovesTheContainer(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	cli := filepath.Join(dir, "docker")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + shellQuote(record) + "\n"
	if err := os.WriteFile(cli, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	r, err := startReaper(dockerReaperScript, cli, "c0ffee")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.release(false, 10*time.Second); err != nil {
		t.Fatalf("release without cleanup: %v", err)
	}
	if _, err := os.Stat(record); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reaper ran the CLI although Close had purged: %v", err)
	}

	r, err = startReaper(dockerReaperScript, cli, "c0ffee")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.release(true, 10*time.Second); err != nil {
		t.Fatalf("release with cleanup: %v", err)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("reaper did not run the CLI: %v", err)
	}
	if strings.TrimSpace(string(got)) != "rm --force --volumes c0ffee" {
		t.Errorf("CLI called with %q", got)
	}
}
