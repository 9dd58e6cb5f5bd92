// Package progress shows a proofs run as it happens: on a terminal, one
// status line redrawn in place (scenario, phase, elapsed time) above the
// finished verdicts; elsewhere (CI, a pipe), plain lines, one per event, so
// a log file reads top to bottom.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// redrawEvery is how often the terminal status line is refreshed.
const redrawEvery = 100 * time.Millisecond

// Progress writes run progress to w. Its methods are safe for concurrent use.
type Progress struct {
	w   io.Writer
	tty bool
	// width is the terminal's width in columns; the status line is cut to
	// fit so it never wraps (a wrapped line cannot be redrawn in place).
	width int

	mu      sync.Mutex
	total   int
	index   int
	name    string
	phase   string
	started time.Time
	drawn   bool
	stop    chan struct{}
	stopped chan struct{}
}

// New returns a Progress writing to w; tty selects the redrawn status line,
// cut to width columns (0: no limit).
func New(w io.Writer, tty bool, width int) *Progress {
	p := &Progress{w: w, tty: tty, width: width}
	if tty {
		p.stop = make(chan struct{})
		p.stopped = make(chan struct{})
		go p.redrawLoop()
	}
	return p
}

func (p *Progress) redrawLoop() {
	defer close(p.stopped)
	t := time.NewTicker(redrawEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.drawLocked()
			p.mu.Unlock()
		}
	}
}

func (p *Progress) drawLocked() {
	if !p.tty || p.name == "" {
		return
	}
	elapsed := time.Since(p.started).Truncate(100 * time.Millisecond)
	line := fmt.Sprintf("[%d/%d] %s · %s · %s", p.index, p.total, p.name, p.phase, elapsed)
	if r := []rune(line); p.width > 1 && len(r) >= p.width {
		line = string(r[:p.width-2]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.drawn = true
}

func (p *Progress) clearLocked() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// Logf prints a harness message (provisioning, build) on its own line.
func (p *Progress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	fmt.Fprintf(p.w, "%s\n", strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
	p.drawLocked()
}

// Begin announces how many scenarios will run.
func (p *Progress) Begin(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
}

// ScenarioStarted marks the start of the index-th scenario (1-based).
func (p *Progress) ScenarioStarted(index int, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.index, p.name, p.phase, p.started = index, name, "starting", time.Now()
	if !p.tty {
		fmt.Fprintf(p.w, "=== RUN   %s (%d/%d)\n", name, index, p.total)
		return
	}
	p.drawLocked()
}

// Phase names what the current scenario is doing now.
func (p *Progress) Phase(phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase = phase
	if !p.tty {
		fmt.Fprintf(p.w, "    %6.2fs %s\n", time.Since(p.started).Seconds(), phase)
		return
	}
	p.drawLocked()
}

// ScenarioDone prints the scenario's verdict line.
func (p *Progress) ScenarioDone(name string, v report.Verdict, d time.Duration, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	line := fmt.Sprintf("--- %-5s %s (%.2fs)", strings.ToUpper(string(v)), name, d.Seconds())
	if reason != "" {
		line += ": " + reason
	}
	fmt.Fprintln(p.w, line)
	p.name = ""
}

// Close stops the redraw loop and clears the status line.
func (p *Progress) Close() {
	if p.tty {
		p.mu.Lock()
		select {
		case <-p.stop:
			p.mu.Unlock()
			return
		default:
		}
		close(p.stop)
		p.mu.Unlock()
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}
