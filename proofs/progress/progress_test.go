package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestPlainLinesHaveNoControlCodes(t *testing.T) {
	var buf syncBuffer
	p := New(&buf, false, 0)
	p.Begin(2)
	p.Logf("building backend")
	p.ScenarioStarted(1, "job_flow_updates_health_and_db")
	p.Phase("post job")
	p.ScenarioDone("job_flow_updates_health_and_db", report.Fail, 1500*time.Millisecond, "job stayed pending")
	p.Close()
	out := buf.String()
	if strings.ContainsAny(out, "\r\x1b") {
		t.Fatalf("plain output has terminal control codes: %q", out)
	}
	for _, want := range []string{"building backend\n", "=== RUN   job_flow_updates_health_and_db (1/2)\n", "post job\n", "--- FAIL  job_flow_updates_health_and_db (1.50s): job stayed pending\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTerminalRedrawsStatusLine(t *testing.T) {
	var buf syncBuffer
	p := New(&buf, true, 0)
	p.Begin(1)
	p.ScenarioStarted(1, "db_outage_recovers")
	p.Phase("cut the database")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "[1/1] db_outage_recovers · cut the database · ") {
		if time.Now().After(deadline) {
			t.Fatalf("no status line drawn: %q", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.ScenarioDone("db_outage_recovers", report.Pass, time.Second, "")
	p.Close()
	p.Close()
	out := buf.String()
	if !strings.Contains(out, "\r\x1b[K--- PASS  db_outage_recovers (1.00s)\n") {
		t.Fatalf("verdict line does not replace the status line: %q", out)
	}
}

func TestTerminalLineFitsTheWidth(t *testing.T) {
	var buf syncBuffer
	p := New(&buf, true, 30)
	p.Begin(10)
	p.ScenarioStarted(4, "process_restart_recovers_inflight_job")
	p.Close()
	for _, line := range strings.Split(buf.String(), "\r\x1b[K") {
		if n := len([]rune(line)); n >= 30 {
			t.Errorf("status line %q is %d columns, want < 30", line, n)
		}
	}
	if !strings.Contains(buf.String(), "[4/10] process_restart_rec") {
		t.Errorf("no status line drawn: %q", buf.String())
	}
}
