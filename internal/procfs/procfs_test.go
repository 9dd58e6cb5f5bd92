package procfs

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, stat string
		want       Stat
		wantErr    string
	}{
		{
			name: "plain",
			stat: "4242 (postgres) S 99 4242 4242 0 -1 4194560 300 0 0 0 123 45 6 1 20 0 1 0 100 1000 10",
			want: Stat{PPID: 99, State: 'S', CPU: 168 * ClockTick, Children: 7 * ClockTick},
		},
		{
			name: "a command name with spaces and parentheses",
			stat: "7 (a b) c)) Z 1 7 7 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 100 1000 10",
			want: Stat{PPID: 1, State: 'Z', CPU: 10 * ClockTick},
		},
		{name: "no command", stat: "1 2 3", wantErr: "no command name"},
		{name: "cut short", stat: "1 (x) S 1 2 3", wantErr: "fields after the command name"},
		{name: "not a number", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 3 0 0", wantErr: "field 14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat(tt.stat)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	got, err := ParseStatus("Name:\treference-backe\nVmPeak:\t 1300000 kB\nVmHWM:\t   23552 kB\nVmRSS:\t   20000 kB\nThreads:\t7\n")
	if want := (Status{RSSKiB: 20000, PeakRSSKiB: 23552, Threads: 7}); err != nil || got != want {
		t.Fatalf("ParseStatus = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"Name:\tx\nThreads:\t1\n", "VmHWM:\t12 MB\nVmRSS:\t1 kB\nThreads:\t1\n", "VmHWM:\tmany kB\n"} {
		if _, err := ParseStatus(bad); err == nil {
			t.Errorf("ParseStatus(%q): want an error", bad)
		}
	}
}

// TestOwnProcess reads this test's own process: it is alive, running or
// sleeping, holds memory and threads, and has the standard files open.
func TestOwnProcess(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil || st.PPID != os.Getppid() || st.State == 'Z' {
		t.Fatalf("ReadStat(self) = %+v, %v; parent %d", st, err, os.Getppid())
	}
	s, err := ReadStatus(os.Getpid())
	if err != nil || s.RSSKiB <= 0 || s.PeakRSSKiB < s.RSSKiB || s.Threads < 1 {
		t.Fatalf("ReadStatus(self) = %+v, %v", s, err)
	}
	if n, err := OpenFiles(os.Getpid()); err != nil || n < 3 {
		t.Fatalf("OpenFiles(self) = %d, %v", n, err)
	}
	if args, err := Cmdline(os.Getpid()); err != nil || !slices.Equal(args, os.Args) {
		t.Fatalf("Cmdline(self) = %q, %v; want %q", args, err, os.Args)
	}
	if pids, err := PIDs(); err != nil || !slices.Contains(pids, os.Getpid()) {
		t.Fatalf("PIDs() lacks this process (%v)", err)
	}
	if l, err := Load1(); err != nil || l < 0 {
		t.Fatalf("Load1() = %v, %v", l, err)
	}
}

// TestChildCPUMovesToTheParent is what a server's CPU total relies on: a
// child's CPU time, once it exited and was waited for, is in its parent's
// cutime and cstime.
func TestChildCPUMovesToTheParent(t *testing.T) {
	before, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	after, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.Children - before.Children; grew < child-2*ClockTick || child < ClockTick {
		t.Errorf("children's CPU grew by %v; the child used %v", grew, child)
	}
}

func TestParseCPUTimes(t *testing.T) {
	stat := "cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 50 2 25 400 20 1 1 0 7 0\ncpu1 50 3 25 400 20 2 1 0 0 0\nintr 1 2 3\nctxt 99\n"
	got, err := ParseCPUTimes(stat)
	// guest (7) is inside user already and is not counted twice.
	if want := (CPUTimes{Total: 1000, Idle: 800, CPUs: 2}); err != nil || got != want {
		t.Fatalf("ParseCPUTimes = %+v, %v; want %+v", got, err, want)
	}
	later := CPUTimes{Total: 1000 + 200, Idle: 800 + 150, CPUs: 2}
	// 50 of 200 ticks busy over two CPUs: half a CPU.
	if b := later.BusyCPUs(got); b != 0.5 {
		t.Errorf("BusyCPUs = %v, want 0.5", b)
	}
	if b := got.BusyCPUs(got); b != -1 {
		t.Errorf("BusyCPUs over no time = %v, want -1", b)
	}
	for _, bad := range []string{"intr 1\n", "cpu 1 2 x 4\n", "cpu 1 2\n"} {
		if _, err := ParseCPUTimes(bad); err == nil {
			t.Errorf("ParseCPUTimes(%q): want an error", bad)
		}
	}
}

func TestOwnMachineCPUTimes(t *testing.T) {
	c, err := ReadCPUTimes()
	if err != nil {
		t.Fatal(err)
	}
	if c.CPUs < 1 || c.Total <= 0 || c.Idle < 0 || c.Idle > c.Total {
		t.Fatalf("ReadCPUTimes = %+v: want at least one CPU and idle within total", c)
	}
}
