package pgprovision

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// reaperScript waits until its standard input reaches end of file, which
// happens when the process holding the pipe's write end (this one) exits or
// releases it, then stops the postmaster of $1 if one still runs and removes
// the temp dir $2. It only signals a pid whose command line names this data
// dir, so a stale postmaster.pid cannot make it kill a stranger.
const reaperScript = `
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

// reaper is a /bin/sh child that cleans up a local server if this process
// dies without Close: a test binary killed by -timeout or a signal. It runs
// in its own process group, so Ctrl-C on the terminal reaches it only
// through the closed pipe, after this process is gone.
type reaper struct {
	cmd  *exec.Cmd
	pipe *os.File // write end; closing it wakes the reaper
}

func startReaper(data, root string) (*reaper, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reaper pipe: %w", err)
	}
	// Not CommandContext: the reaper must outlive any context, even ours.
	cmd := exec.Command("/bin/sh", "-c", reaperScript, "prodproof-pg-reaper", data, root)
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

// release lets the reaper run its cleanup (a no-op when Close already did
// the work) and waits for it to exit, killing it after timeout.
func (r *reaper) release(timeout time.Duration) error {
	if err := r.pipe.Close(); err != nil {
		return fmt.Errorf("release reaper: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("reaper: %w", err)
		}
		return nil
	case <-ctx.Done():
		_ = r.cmd.Process.Kill()
		<-done
		return fmt.Errorf("reaper did not exit within %s", timeout)
	}
}
