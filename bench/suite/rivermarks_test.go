package suite

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

// TestRiverSettlesAfterItsInsert plays river-bench's side of the marks: it
// says its backlog is in, holds its clock until the driver's go-ahead, then
// starts and stops it. The driver must settle exactly once, after "ready"
// and before the go-ahead, and read the server's CPU time at the clock's
// start and stop, not before.
func TestRiverSettlesAfterItsInsert(t *testing.T) {
	stderrR, stderrW := io.Pipe()
	stdinR, stdinW := io.Pipe()
	var events []string
	log := make(chan string, 16)
	settled := make(chan struct{})
	go func() {
		defer stderrW.Close()
		io.WriteString(stderrW, "river-bench: inserted 500 jobs\n"+riverReady+"\n")
		// The go-ahead is read only once the driver has settled: a driver
		// that writes it first blocks on the pipe until this deadline.
		select {
		case <-settled:
		case <-time.After(30 * time.Second):
			log <- "the go-ahead came before the settle wait"
		}
		line, err := bufio.NewReader(stdinR).ReadString('\n')
		if err != nil {
			log <- "no go-ahead: " + err.Error()
			return
		}
		log <- "river got " + strings.TrimSpace(line)
		io.WriteString(stderrW, riverDraining+"\n")
		io.WriteString(stderrW, riverDrained+"\n")
	}()
	settles := 0
	settle := func() startRecord {
		settles++
		log <- "settle"
		close(settled)
		return startRecord{load1: 0.5, busyCPUs: 0.1, waited: 42 * time.Second, limit: time.Minute}
	}
	cpu := time.Duration(0)
	total := func() (time.Duration, error) {
		cpu += time.Second
		log <- "cpu read"
		return cpu, nil
	}
	m := followRiverMarks(stderrR, stdinW, settle, total)
	close(log)
	for e := range log {
		events = append(events, e)
	}
	want := []string{"settle", "river got go", "cpu read", "cpu read"}
	if strings.Join(events, ", ") != strings.Join(want, ", ") {
		t.Fatalf("events %q, want %q", events, want)
	}
	if settles != 1 || !m.drained || m.pgAfter-m.pgBefore != time.Second || m.pgErr != nil {
		t.Errorf("settles %d, drained %v, CPU %v (%v): want 1, true, 1s, no error", settles, m.drained, m.pgAfter-m.pgBefore, m.pgErr)
	}
	if m.start.waited != 42*time.Second || m.start.limit != time.Minute || m.start.busyCPUs != 0.1 {
		t.Errorf("start %+v: want the settle wait's record", m.start)
	}
	if m.start.load1 < 0 || m.load1End < 0 {
		t.Errorf("load average at start %v, at end %v: want both read", m.start.load1, m.load1End)
	}
	if !strings.Contains(m.stderr, "inserted 500 jobs") || strings.Contains(m.stderr, riverReady) {
		t.Errorf("other stderr %q: want river-bench's own lines without the marks", m.stderr)
	}
}
