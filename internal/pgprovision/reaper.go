package pgprovision

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// localReaperScript waits until its standard input reaches end of file,
// which happens when the process holding the pipe's write end (this one)
// exits or releases it, then stops the postmaster of data dir $1 if one
// still runs and removes the temp dir $2. It only signals a pid whose
// command line names this data dir, so a stale postmaster.pid cannot make it
// kill a stranger.
const localReaperScript = `
read -r _ || :
data=$1 root=$2
pidfile="$data/postmaster.pid"
if [ -f "$pidfile" ]; then
	pid=$(head -n 1 "$pidfile")
	if [ -n "$pid" ] && tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$data"; then
		kill -QUIT "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	fi
fi
rm -rf -- "$root"
`

// dockerReaperScript waits the same way, then removes container $2 with
// the docker CLI $1 (DOCKER_HOST and friends come from the environment).
const dockerReaperScript = `
read -r _ || :
"$1" rm --force --volumes "$2" >/dev/null 2>&1
`

// reaper is a /bin/sh child that cleans up a server if this process dies
// without Close: a test binary killed by -timeout or a signal. It runs
// in its own process group, so Ctrl-C on the terminal reaches it only
// through the closed pipe, after this process is gone.
type reaper struct {
	cmd  *exec.Cmd
	pipe *os.File // write end; closing it wakes the reaper
}

// startReaper starts script with args ($1, $2, ...) waiting on a pipe.
func startReaper(script string, args ...string) (*reaper, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reaper pipe: %w", err)
	}
	// Not CommandContext: the reaper must outlive any context, even ours.
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "prodproof-pg-reaper"}, args...)...)
	cmd.Stdin = r
	cmd.Dir = "/"
	ownProcessGroup(cmd)
	cmd.Cancel = nil
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start reaper: %w", err)
	}
	// The child holds the read end now; ours would keep EOF from coming.
	r.Close()
	return &reaper{cmd: cmd, pipe: w}, nil
}

// release ends the reaper and waits for it, killing it after timeout. With
// runCleanup it first lets the script do its work (for when Close could not);
// without, the work is done and the reaper is just stopped.
func (r *reaper) release(runCleanup bool, timeout time.Duration) error {
	if !runCleanup {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	}
	if err := r.pipe.Close(); err != nil {
		return fmt.Errorf("release reaper: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case err := <-done:
		if err != nil && runCleanup {
			return fmt.Errorf("reaper: %w", err)
		}
		return nil
	case <-ctx.Done():
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return fmt.Errorf("reaper did not exit within %s", timeout)
	}
}
