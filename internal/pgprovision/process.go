package pgprovision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/procfs"
)

// childWaitDelay bounds how long Wait waits for a killed child's output
// pipes to close (a grandchild could hold them).
const childWaitDelay = 2 * time.Second

// runner starts the server binaries, as the "postgres" OS user when this
// process is root (initdb refuses to run as root), else as the current user.
type runner struct {
	// asUser is "" to run as the current user, else the OS user to switch to.
	asUser string
	// runuser is the path of runuser(1); "" means use su(1) instead.
	runuser string
	// uid and gid own the server's files when asUser is set.
	uid, gid int
	// dir is the working directory of every command: one the user can
	// enter, so nothing complains about a cwd it cannot read.
	dir string
}

// newRunner decides how to run the server binaries in this process.
func newRunner() (runner, error) {
	if os.Geteuid() != 0 {
		return runner{}, nil
	}
	const serverUser = "postgres"
	u, err := user.Lookup(serverUser)
	if err != nil {
		return runner{}, fmt.Errorf("running as root, the local server must run as OS user %q, which does not exist (it comes with `apt-get install -y postgresql`): %w", serverUser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return runner{}, fmt.Errorf("uid of %q: %w", serverUser, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return runner{}, fmt.Errorf("gid of %q: %w", serverUser, err)
	}
	r := runner{asUser: serverUser, uid: uid, gid: gid}
	if path, err := exec.LookPath("runuser"); err == nil {
		r.runuser = path
	} else if _, err := exec.LookPath("su"); err != nil {
		return runner{}, errors.New("running as root, neither runuser nor su is available to run the local server as user postgres")
	}
	return r, nil
}

// command builds a command for name and args, switched to r.asUser when
// set, in its own process group, killed as a group when ctx ends.
func (r runner) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	switch {
	case r.asUser == "":
		cmd = exec.CommandContext(ctx, name, args...)
	case r.runuser != "":
		cmd = exec.CommandContext(ctx, r.runuser, append([]string{"-u", r.asUser, "--", name}, args...)...)
	default:
		cmd = exec.CommandContext(ctx, "su", r.asUser, "-s", "/bin/sh", "-c", shellJoin(append([]string{name}, args...)))
	}
	cmd.Dir = r.dir
	cmd.Env = serverEnv()
	ownProcessGroup(cmd)
	return cmd
}

// run runs a command to completion and returns its combined output. On
// failure the error carries the output's tail.
func (r runner) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := r.command(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			return out.Bytes(), fmt.Errorf("%s: %w", baseName(name), ctx.Err())
		}
		return out.Bytes(), fmt.Errorf("%s: %w\n%s", baseName(name), err, tail(out.String(), 20))
	}
	return out.Bytes(), nil
}

// chown hands path to the server user; a no-op when running as yourself.
func (r runner) chown(path string) error {
	if r.asUser == "" {
		return nil
	}
	if err := os.Lchown(path, r.uid, r.gid); err != nil {
		return fmt.Errorf("hand %s to user %s: %w", path, r.asUser, err)
	}
	return nil
}

// ownProcessGroup puts cmd in a process group of its own and makes context
// cancellation kill that whole group, not just the direct child.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = childWaitDelay
}

// serverEnv is the environment of the server binaries: ours, without the
// libpq variables that could point pg_ctl's checks elsewhere.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// shellJoin quotes words for /bin/sh.
func shellJoin(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	return strings.Join(quoted, " ")
}

// shellQuote wraps s in single quotes, so the shell takes it literally.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tail returns the last n lines of text.
func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func baseName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// processAlive reports whether pid names a live (not zombie) process.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	return st.State != 'Z'
}

// waitGone polls until pid is gone or ctx ends.
func waitGone(ctx context.Context, pid int) bool {
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for processAlive(pid) {
		select {
		case <-ctx.Done():
			return !processAlive(pid)
		case <-ticker.C:
		}
	}
	return true
}
