package prove

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/port"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/harness"
)

// Command is a program for a proof to run, known only from the outside:
// its path, arguments and environment.
type Command struct {
	// Name labels the process in the log and the /health timeline, e.g.
	// "worker-a". Start requires it; Run uses its label instead.
	Name string
	Path string
	Args []string
	// Env is the complete environment ("KEY=value"); nothing is
	// inherited, so a proof states every setting it depends on.
	Env []string
	// Dir is the working folder; empty means the proof's Dir.
	Dir string
	// HealthURL, when set, is sampled (GET) every HealthEvery while the
	// process runs. Each sample goes into the evidence's health timeline;
	// a JSON body is kept as it is, anything else is recorded as an error.
	HealthURL string
	// HealthEvery defaults to 25 ms.
	HealthEvery time.Duration
	// OnHealth, when set, sees each sample as it is taken.
	OnHealth func(Sample)
	// OnLine, when set, sees each line of output as it is printed.
	OnLine func(line string)
}

// Sample is one GET of a health endpoint.
type Sample struct {
	At time.Time
	// Status is the HTTP status; 0 when the request failed.
	Status int
	// Header is the answer's header; nil when the request failed.
	Header http.Header
	// Body is the compacted JSON body, nil when it was not JSON.
	Body json.RawMessage
	// Err says why the request failed or the body was not JSON.
	Err string
}

// Process is a started OS process, the leader of its own process group:
// signals reach it and everything it started.
type Process struct {
	Name string

	t    *T
	proc *harness.Process

	mu      sync.Mutex
	lines   []string
	samples []Sample
	stop    context.CancelFunc
	polling sync.WaitGroup
}

// Start starts c and returns at once; the process is SIGKILLed when the
// proof ends if it is still running. Failing to start ends the proof with
// verdict error. Its output goes to the proof's log, line by line.
func (t *T) Start(c Command) *Process {
	if c.Name == "" {
		t.Fatal("start %s: the command has no Name", c.Path)
	}
	p := &Process{Name: c.Name, t: t}
	sink := t.output(c.Name, c.OnLine)
	proc, err := t.procs.Start(harness.Spec{
		Name: c.Name, Path: c.Path, Args: c.Args, Env: c.Env, Dir: cmpDir(c.Dir, t.dir),
		Output: func(stream, line string) {
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			sink(stream, line)
		},
	})
	if err != nil {
		t.Fatal("%v", err)
	}
	p.proc = proc
	ctx, cancel := context.WithCancel(t.ctx)
	p.stop = cancel
	t.Cleanup(p.StopSampling)
	if c.HealthURL != "" {
		p.polling.Add(1)
		go p.sampleLoop(ctx, c)
	}
	return p
}

func (p *Process) sampleLoop(ctx context.Context, c Command) {
	defer p.polling.Done()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(cmpDuration(c.HealthEvery, 25*time.Millisecond))
	defer tick.Stop()
	for {
		if s, ok := p.sample(ctx, client, c.HealthURL); ok {
			if c.OnHealth != nil {
				c.OnHealth(s)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-p.proc.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *Process) sample(ctx context.Context, client *http.Client, url string) (Sample, bool) {
	s := Sample{At: time.Now().UTC()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		p.t.Fatal("health URL %q: %v", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return s, false
		}
		s.Err = err.Error()
	} else {
		body, readErr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		s.Status, s.Header = resp.StatusCode, resp.Header
		p.t.ScanOutput("HTTP body of GET "+req.URL.Path+" from "+p.Name, string(body))
		var compact bytes.Buffer
		if readErr == nil && json.Compact(&compact, body) == nil {
			s.Body = compact.Bytes()
		} else {
			s.Err = fmt.Sprintf("health body is not JSON: %.200q", body)
		}
	}
	p.t.rec.Health(report.HealthSample{At: s.At, Instance: p.Name, HTTPStatus: s.Status, Body: s.Body, Error: s.Err})
	p.mu.Lock()
	p.samples = append(p.samples, s)
	p.mu.Unlock()
	return s, true
}

// StopSampling ends the health sampling; safe to call more than once.
func (p *Process) StopSampling() {
	p.stop()
	p.polling.Wait()
}

// Latest is the most recent health sample.
func (p *Process) Latest() (Sample, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.samples) == 0 {
		return Sample{}, false
	}
	return p.samples[len(p.samples)-1], true
}

// Samples returns every health sample so far, oldest first.
func (p *Process) Samples() []Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sample(nil), p.samples...)
}

// Lines returns the process's output lines so far, stdout and stderr
// interleaved as they arrived.
func (p *Process) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// PID is the process id, which is also its process group id.
func (p *Process) PID() int { return p.proc.PID() }

// ErrExited is Signal's answer for a process that has already exited.
var ErrExited = harness.ErrExited

// Signal sends sig (SIGKILL, SIGSTOP, SIGCONT, SIGTERM, ...) to the whole
// process group, or returns ErrExited.
func (p *Process) Signal(sig syscall.Signal) error { return p.proc.Signal(sig) }

// Kill SIGKILLs the whole process group and waits until it is gone.
func (p *Process) Kill() {
	p.proc.Kill()
	<-p.proc.Done()
	p.StopSampling()
}

// Stop freezes the process group with SIGSTOP, as a long GC pause or a
// frozen VM would: it neither runs nor exits until Cont.
func (p *Process) Stop() { _ = p.Signal(syscall.SIGSTOP) }

// Cont resumes a stopped process group with SIGCONT.
func (p *Process) Cont() { _ = p.Signal(syscall.SIGCONT) }

// Terminate sends SIGTERM and waits up to grace for the process to exit,
// then SIGKILLs it. It returns the exit code (-1: killed by a signal).
func (p *Process) Terminate(grace time.Duration) int {
	return p.proc.Terminate(grace)
}

// Exited reports whether the process has exited, and its exit code (-1
// when a signal ended it).
func (p *Process) Exited() (bool, int) { return p.proc.Exited() }

// Done is closed once the process has exited and its output is recorded.
func (p *Process) Done() <-chan struct{} { return p.proc.Done() }

func cmpDuration(d, fallback time.Duration) time.Duration {
	if d <= 0 {
		return fallback
	}
	return d
}

// FreePort is a TCP port on 127.0.0.1 that nothing listened on a moment
// ago, for a service the proof starts. Not finding one ends the proof with
// verdict error.
func (t *T) FreePort() int {
	p, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	return p
}
