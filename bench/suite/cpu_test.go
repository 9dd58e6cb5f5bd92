package suite

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, stat string
		want       procStat
		wantErr    string
	}{
		{
			name: "plain",
			stat: "4242 (postgres) S 99 4242 4242 0 -1 4194560 300 0 0 0 123 45 6 1 20 0 1 0 100 1000 10",
			want: procStat{ppid: 99, cpu: 168 * clockTick, children: 7 * clockTick},
		},
		{
			name: "a command name with spaces and parentheses",
			stat: "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 100 1000 10",
			want: procStat{ppid: 1, cpu: 10 * clockTick},
		},
		{name: "no command", stat: "1 2 3", wantErr: "no command name"},
		{name: "cut short", stat: "1 (x) S 1 2 3", wantErr: "fields after the command name"},
		{name: "not a number", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 3 0 0", wantErr: "field 14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.stat)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestChildCPUMovesToTheParent is what postgresCPU relies on: a child's
// CPU time, once it exited and was waited for, is in its parent's cutime
// and cstime.
func TestChildCPUMovesToTheParent(t *testing.T) {
	before, err := readStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	after, err := readStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.children - before.children; grew < child-2*clockTick || child < clockTick {
		t.Errorf("children's CPU grew by %v; the child used %v", grew, child)
	}
}

// TestProcessCPUAgreesWithGetrusage reads this test's own process while it
// burns CPU: /proc must say what getrusage says, within a few ticks. It
// burns CPU time, not wall-clock time, so a loaded machine only makes it
// slower.
func TestProcessCPUAgreesWithGetrusage(t *testing.T) {
	rusage := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	start := rusage()
	deadline := time.Now().Add(time.Minute)
	x := 0
	for rusage()-start < 200*time.Millisecond && time.Now().Before(deadline) {
		x++
	}
	burnt := rusage() - start
	after, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got := after - before; got < burnt-3*clockTick || got > burnt+3*clockTick {
		t.Errorf("/proc says %v, getrusage %v (%d turns)", got, burnt, x)
	}
}
