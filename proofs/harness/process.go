// Package harness starts and stops the real things a proof runs against: the
// backend binary built once per run, its processes (each in its own process
// group, so a kill reaches everything it started), short commands such as
// `migrate up` and the deploy scripts, a TCP proxy that can cut the database
// away, and free loopback ports. Everything it starts is tracked by a Group so
// that cleanup never depends on the code path that got there.
package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait waits for a killed child's output pipes.
const waitDelay = 2 * time.Second

// Group owns every process started through it. KillAll ends them all, by
// process group, and is safe to call more than once and concurrently.
type Group struct {
	mu    sync.Mutex
	procs []*Process
}

// KillAll sends SIGKILL to the process group of every process still running
// and waits for them to be reaped.
func (g *Group) KillAll() {
	g.mu.Lock()
	procs := append([]*Process(nil), g.procs...)
	g.mu.Unlock()
	for _, p := range procs {
		p.Kill()
	}
	for _, p := range procs {
		<-p.done
	}
}

func (g *Group) add(p *Process) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.procs = append(g.procs, p)
}

// Spec describes a process to start.
type Spec struct {
	// Name labels the process in logs and errors, e.g. "a".
	Name string
	Path string
	Args []string
	// Env is the complete environment; nothing is inherited.
	Env []string
	Dir string
	// Output receives stdout and stderr, one complete line per Write.
	Output func(stream, line string)
}

// Process is a started OS process in its own process group.
type Process struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{}
	// set before done closes
	exitCode int
	waitErr  error
	exitedAt time.Time
	outputs  []*lineWriter
}

// Start starts spec as a new process group leader, tracked by g.
func (g *Group) Start(spec Spec) (*Process, error) {
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = spec.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = spec.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = waitDelay
	p := &Process{Name: spec.Name, cmd: cmd, done: make(chan struct{}), exitCode: -1}
	if spec.Output != nil {
		stdout := &lineWriter{emit: func(l string) { spec.Output("stdout", l) }}
		stderr := &lineWriter{emit: func(l string) { spec.Output("stderr", l) }}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		p.outputs = []*lineWriter{stdout, stderr}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	g.add(p)
	go p.wait()
	return p, nil
}

func (p *Process) wait() {
	err := p.cmd.Wait()
	for _, w := range p.outputs {
		w.Flush()
	}
	p.exitedAt = time.Now()
	p.waitErr = err
	p.exitCode = p.cmd.ProcessState.ExitCode()
	close(p.done)
}

// PID is the process id, which is also its process group id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited and its output is flushed.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited, and its exit code (-1 when
// it died from a signal).
func (p *Process) Exited() (bool, int) {
	select {
	case <-p.done:
		return true, p.exitCode
	default:
		return false, 0
	}
}

// Err is what waiting for the exited process gave: nil for exit status 0,
// an *exec.ExitError otherwise; nil while it runs.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.waitErr
	default:
		return nil
	}
}

// Kill sends SIGKILL to the whole process group. Killing an exited process is
// a no-op.
func (p *Process) Kill() {
	_ = p.Signal(syscall.SIGKILL)
}

// Pause stops the whole process group with SIGSTOP, as a long GC pause or a
// frozen VM would: it neither runs nor exits until Resume.
func (p *Process) Pause() { _ = p.Signal(syscall.SIGSTOP) }

// Resume continues a paused process group with SIGCONT.
func (p *Process) Resume() { _ = p.Signal(syscall.SIGCONT) }

// ErrExited is Signal's answer for a process that has already exited.
var ErrExited = errors.New("process has exited")

// Signal sends sig to the whole process group, or returns ErrExited.
func (p *Process) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return ErrExited
	default:
	}
	// Negative pid: the process group led by this process.
	return syscall.Kill(-p.cmd.Process.Pid, sig)
}

// Terminate sends SIGTERM to the process group and waits up to grace for it
// to exit, then SIGKILLs it. It returns the exit code.
func (p *Process) Terminate(grace time.Duration) int {
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.Kill()
		<-p.done
	}
	return p.exitCode
}

// Wait waits for the process to exit or ctx to end, and returns the exit code.
func (p *Process) Wait(ctx context.Context) (int, error) {
	select {
	case <-p.done:
		return p.exitCode, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// lineWriter splits a byte stream into lines.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(b), nil
}

// Flush emits a trailing line without a newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
}

// Result is what a finished command left behind.
type Result struct {
	ExitCode int
	Stdout   string
	Stderr   string
	Duration time.Duration
	// TimedOut is true when the command was killed at its deadline.
	TimedOut bool
}

// Combined is stdout followed by stderr.
func (r Result) Combined() string { return r.Stdout + r.Stderr }

// ErrTimeout is returned by Run when the command outlived its timeout.
var ErrTimeout = errors.New("command timed out")

// Run runs spec to completion in its own process group with a timeout and
// returns its output. A non-zero exit is not an error; failing to start, a
// timeout and a cancelled ctx are.
func (g *Group) Run(ctx context.Context, spec Spec, timeout time.Duration) (Result, error) {
	var stdout, stderr bytes.Buffer
	var mu sync.Mutex
	user := spec.Output
	spec.Output = func(stream, line string) {
		mu.Lock()
		if stream == "stdout" {
			stdout.WriteString(line + "\n")
		} else {
			stderr.WriteString(line + "\n")
		}
		mu.Unlock()
		if user != nil {
			user(stream, line)
		}
	}
	start := time.Now()
	p, err := g.Start(spec)
	if err != nil {
		return Result{}, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var runErr error
	timedOut := false
	select {
	case <-p.done:
	case <-timer.C:
		p.Kill()
		<-p.done
		timedOut = true
		runErr = fmt.Errorf("%s: %w after %s", spec.Name, ErrTimeout, timeout)
	case <-ctx.Done():
		p.Kill()
		<-p.done
		runErr = ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	return Result{
		ExitCode: p.exitCode,
		Stdout:   stdout.String(),
		Stderr:   stderr.String(),
		Duration: time.Since(start),
		TimedOut: timedOut,
	}, runErr
}

var _ io.Writer = (*lineWriter)(nil)
