package pgprovision

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
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

// dockerRequiredEnv, set to 1 (CI does, after starting a daemon), turns
// "no daemon, skip" into a failure in the tests that need one, so a broken
// daemon set-up cannot pass as a skip.
const dockerRequiredEnv = "PRODPROOF_DOCKER_REQUIRED"

// dockerForTest returns a pool on the daemon DOCKER_HOST names and the image
// to run (DockerImageEnv, else DefaultDockerImage). Without a daemon it
// skips, or fails when dockerRequiredEnv says one is expected.
func dockerForTest(t *testing.T) (*dockertest.Pool, string) {
	t.Helper()
	pool, err := newDockerPool(context.Background(), dockerPingTimeout)
	if err != nil {
		if os.Getenv(dockerRequiredEnv) == "1" {
			t.Fatalf("%s=1 but no Docker daemon answers: %v", dockerRequiredEnv, err)
		}
		t.Skipf("no Docker daemon answers here (%v); set %s=1 to make that a failure", err, dockerRequiredEnv)
	}
	return pool, cmp.Or(os.Getenv(DockerImageEnv), DefaultDockerImage)
}

// containerVolumes lists the volumes mounted into container id.
func containerVolumes(t *testing.T, pool *dockertest.Pool, id string) []string {
	t.Helper()
	c, err := pool.Client.InspectContainer(id)
	if err != nil {
		t.Fatalf("inspect container %s: %v", id, err)
	}
	var names []string
	for _, m := range c.Mounts {
		if m.Name != "" { // a bind mount has no name
			names = append(names, m.Name)
		}
	}
	return names
}

// assertRemoved fails unless container id and each of volumes are gone.
func assertRemoved(t *testing.T, pool *dockertest.Pool, id string, volumes []string) {
	t.Helper()
	var gone *dc.NoSuchContainer
	if c, err := pool.Client.InspectContainer(id); !errors.As(err, &gone) {
		state := ""
		if c != nil {
			state = c.State.Status
		}
		t.Errorf("container %s left behind after Close (inspect: state %q, err %v)", id, state, err)
	}
	for _, v := range volumes {
		if _, err := pool.Client.InspectVolume(v); !errors.Is(err, dc.ErrNoSuchVolume) {
			t.Errorf("volume %s left behind after Close (inspect: %v)", v, err)
		}
	}
}

// assertNoContainerNamedInLogs finds the container name Provision logged
// and fails if a container of that name exists.
func assertNoContainerNamedInLogs(t *testing.T, pool *dockertest.Pool, logs []string) {
	t.Helper()
	name := ""
	for _, line := range logs {
		if _, after, ok := strings.Cut(line, " as container "); ok {
			name = strings.Fields(after)[0]
		}
	}
	if name == "" {
		t.Fatalf("no container name in progress lines %q", logs)
	}
	left, err := pool.Client.ListContainers(dc.ListContainersOptions{All: true, Filters: map[string][]string{"name": {name}}})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	if len(left) > 0 {
		t.Errorf("container %s left behind: %+v", name, left)
	}
}

// TestDockerStartAndClose needs a Docker daemon and the image (CI starts
// one and builds a stand-in; see .ci/run). Elsewhere it skips and says so.
func TestDockerStartAndClose(t *testing.T) {
	pool, image := dockerForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{Source: SourceDocker, DockerImage: image, Settings: map[string]string{"max_wal_size": "256MB"}})
	if err != nil {
		t.Fatalf("Provision(docker, %s): %v", image, err)
	}
	defer srv.Close()
	if srv.Source != SourceDocker || !srv.Owned || srv.Password == "" || srv.container == "" {
		t.Errorf("source %q owned %v password set %v container %q", srv.Source, srv.Owned, srv.Password != "", srv.container)
	}
	if got := queryOne(t, srv.URL, "SHOW max_wal_size"); got != "256MB" {
		t.Errorf("max_wal_size = %q", got)
	}
	if got := queryOne(t, srv.URL, "SHOW fsync"); got != "off" {
		t.Errorf("fsync = %q, want the throwaway default off", got)
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
	if u.Hostname() != "127.0.0.1" {
		t.Errorf("server published on %q, want 127.0.0.1 only", u.Hostname())
	}
	volumes := containerVolumes(t, pool, srv.container)
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", u.Host, 2*time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", u.Host)
	}
	assertRemoved(t, pool, srv.container, volumes)
}

// TestDockerPickedByAutoWhenDaemonAnswers: no URL and a daemon that answers,
// so auto runs a container.
func TestDockerPickedByAutoWhenDaemonAnswers(t *testing.T) {
	pool, image := dockerForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, err := Provision(ctx, Options{DockerImage: image})
	if err != nil {
		t.Fatalf("Provision(auto, %s): %v", image, err)
	}
	defer srv.Close()
	if srv.Source != SourceDocker {
		t.Fatalf("auto resolved to %q with a daemon answering, want docker", srv.Source)
	}
	volumes := containerVolumes(t, pool, srv.container)
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertRemoved(t, pool, srv.container, volumes)
}

// unpullableImage names a registry on a closed loopback port: the pull
// fails at once and nothing leaves the machine.
const unpullableImage = "127.0.0.1:1/prodproof/no-such-postgres:15"

// TestDockerPullFailureNamesTheImage: the daemon answers, the image is not
// there and cannot be pulled; the error names the image and how to pick
// another, and auto falls back to local with a line that says why.
func TestDockerPullFailureNamesTheImage(t *testing.T) {
	dockerForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	srv, err := Provision(ctx, Options{Source: SourceDocker, DockerImage: unpullableImage})
	if err == nil {
		srv.Close()
		t.Fatalf("Provision(docker, %s) succeeded", unpullableImage)
	}
	var pullErr *ImagePullError
	if !errors.As(err, &pullErr) || pullErr.Image != unpullableImage {
		t.Fatalf("err = %v, want an ImagePullError for %s", err, unpullableImage)
	}
	for _, want := range []string{unpullableImage, "--docker-image", DockerImageEnv, "--db local"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	var logs []string
	srv, err = Provision(ctx, Options{DockerImage: unpullableImage, Logf: func(f string, a ...any) { logs = append(logs, fmtLine(f, a...)) }})
	if err != nil {
		t.Fatalf("Provision(auto): %v", err)
	}
	defer srv.Close()
	if srv.Source != SourceLocal {
		t.Errorf("auto resolved to %q, want local after the pull failed", srv.Source)
	}
	joined := strings.Join(logs, "\n")
	if !strings.Contains(joined, "the Docker daemon answered but could not pull image "+unpullableImage) {
		t.Errorf("progress lines %q do not say the pull failed", logs)
	}
}

// TestDockerContainerThatExitsFailsFast: a server that cannot start (a bad
// setting) is reported well before the readiness deadline, and its
// container is gone.
func TestDockerContainerThatExitsFailsFast(t *testing.T) {
	pool, image := dockerForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs []string
	begin := time.Now()
	srv, err := Provision(ctx, Options{
		Source: SourceDocker, DockerImage: image,
		Settings: map[string]string{"shared_buffers": "not-a-size"},
		Logf:     func(f string, a ...any) { logs = append(logs, fmtLine(f, a...)) },
	})
	took := time.Since(begin)
	if err == nil {
		srv.Close()
		t.Fatalf("Provision succeeded with shared_buffers=not-a-size")
	}
	if !strings.Contains(err.Error(), "exited") {
		t.Errorf("err = %v, want it to say the container exited", err)
	}
	if took > dockerReadyTimeout/2 {
		t.Errorf("took %s to notice the container exited, want well under %s", took, dockerReadyTimeout)
	}
	assertNoContainerNamedInLogs(t, pool, logs)
}

func TestParseDockerImage(t *testing.T) {
	tests := []struct {
		ref            string
		repository     string
		tag            string
		wantErrContain string
	}{
		{ref: "postgres:15", repository: "postgres", tag: "15"},
		{ref: "postgres", repository: "postgres", tag: "latest"},
		{ref: "library/postgres:15.4-bookworm", repository: "library/postgres", tag: "15.4-bookworm"},
		{ref: "mirror.example.com:5000/library/postgres:15", repository: "mirror.example.com:5000/library/postgres", tag: "15"},
		{ref: "localhost:5000/postgres", repository: "localhost:5000/postgres", tag: "latest"},
		{ref: "prodproof-postgres-standin:15", repository: "prodproof-postgres-standin", tag: "15"},
		{ref: "", wantErrContain: "not an image reference"},
		{ref: "Postgres:15", wantErrContain: "not an image reference"},
		{ref: "postgres:", wantErrContain: "not an image reference"},
		{ref: "postgres:15 -v /:/host", wantErrContain: "not an image reference"},
		{ref: "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", wantErrContain: "digests are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			repository, tag, err := ParseDockerImage(tt.ref)
			if tt.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrContain) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErrContain)
				}
				return
			}
			if err != nil || repository != tt.repository || tag != tt.tag {
				t.Errorf("= %q, %q, %v; want %q, %q", repository, tag, err, tt.repository, tt.tag)
			}
		})
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
