// Package procfs is the repository's one reader of Linux's /proc: a
// process's CPU time, parent and state (/proc/PID/stat), its memory and
// threads (/proc/PID/status), its open files (/proc/PID/fd), the process
// list and the load average. The proofs' load run, the soak, the
// benchmarks and pgprovision's reaper all read processes through it, so a
// field is parsed one way everywhere.
package procfs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ClockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// which Linux fixes at 100 for user space).
const ClockTick = 10 * time.Millisecond

// Stat is what is read from /proc/PID/stat.
type Stat struct {
	PPID int
	// State is the one-letter state: R, S, D, Z (zombie), T (stopped), ...
	State byte
	// CPU is utime + stime: this process, all its threads.
	CPU time.Duration
	// Children is cutime + cstime: its children that exited and were
	// waited for.
	Children time.Duration
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(string(data))
}

// ParseStat reads the state (field 3), ppid (field 4), utime, stime, cutime
// and cstime (fields 14 to 17) from a /proc/PID/stat line. The command name
// (field 2) is in parentheses and may hold spaces and parentheses, so
// fields are counted from the last ')'.
func ParseStat(stat string) (Stat, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return Stat{}, errors.New("/proc stat: no command name")
	}
	fields := strings.Fields(stat[end+1:])
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 15 {
		return Stat{}, fmt.Errorf("/proc stat: %d fields after the command name", len(fields))
	}
	var v [5]int64
	for k, field := range []int{4, 14, 15, 16, 17} {
		n, err := strconv.ParseInt(fields[field-3], 10, 64)
		if err != nil {
			return Stat{}, fmt.Errorf("/proc stat field %d: %w", field, err)
		}
		v[k] = n
	}
	return Stat{
		PPID:     int(v[0]),
		State:    fields[0][0],
		CPU:      time.Duration(v[1]+v[2]) * ClockTick,
		Children: time.Duration(v[3]+v[4]) * ClockTick,
	}, nil
}

// Status is what is read from /proc/PID/status.
type Status struct {
	RSSKiB     int64 // VmRSS: resident now
	PeakRSSKiB int64 // VmHWM: the resident set's high-water mark
	Threads    int64
}

// ReadStatus reads /proc/PID/status.
func ReadStatus(pid int) (Status, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return Status{}, fmt.Errorf("read process %d status: %w", pid, err)
	}
	defer f.Close()
	s, err := parseStatus(bufio.NewScanner(f))
	if err != nil {
		return s, fmt.Errorf("process %d status: %w", pid, err)
	}
	return s, nil
}

// ParseStatus reads VmRSS, VmHWM and Threads from a /proc/PID/status text.
// A zombie has no Vm lines: that is an error.
func ParseStatus(text string) (Status, error) {
	return parseStatus(bufio.NewScanner(strings.NewReader(text)))
}

func parseStatus(sc *bufio.Scanner) (Status, error) {
	var s Status
	want := map[string]*int64{"VmRSS": &s.RSSKiB, "VmHWM": &s.PeakRSSKiB, "Threads": &s.Threads}
	found := 0
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		dst, wanted := want[key]
		if !ok || !wanted {
			continue
		}
		fields := strings.Fields(value)
		// The memory lines are "  12345 kB", Threads a bare count.
		if len(fields) == 0 || (strings.HasPrefix(key, "Vm") && (len(fields) != 2 || fields[1] != "kB")) {
			return s, fmt.Errorf("unexpected %s line %q", key, sc.Text())
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return s, fmt.Errorf("%s: %w", key, err)
		}
		*dst = n
		found++
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if found < len(want) {
		return s, errors.New("no VmRSS/VmHWM/Threads (a zombie?)")
	}
	return s, nil
}

// OpenFiles counts the entries of /proc/PID/fd.
func OpenFiles(pid int) (int, error) {
	fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		return 0, fmt.Errorf("list process %d fds: %w", pid, err)
	}
	return len(fds), nil
}

// Cmdline is the argument list of process pid (/proc/PID/cmdline).
func Cmdline(pid int) ([]string, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00"), nil
}

// PIDs lists the processes alive at the moment of the listing.
func PIDs() ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// Load1 is the machine's one-minute load average.
func Load1() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(data), " ")
	return strconv.ParseFloat(first, 64)
}

// CPUTimes are the machine's CPU times since boot, summed over its CPUs,
// from the "cpu" line of /proc/stat, in clock ticks.
type CPUTimes struct {
	// Total is every state; Idle is the idle state alone (iowait, a CPU
	// idle while tasks wait on a disk, counts as busy, as the load average
	// counts those tasks too).
	Total, Idle int64
	// CPUs is the number of "cpuN" lines.
	CPUs int
}

// ReadCPUTimes reads /proc/stat.
func ReadCPUTimes() (CPUTimes, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, err
	}
	return ParseCPUTimes(string(data))
}

// ParseCPUTimes reads the aggregate "cpu" line of /proc/stat (user, nice,
// system, idle, iowait, irq, softirq, steal; guest time is already inside
// user and nice, so it is not added again) and counts the per-CPU lines.
func ParseCPUTimes(stat string) (CPUTimes, error) {
	var out CPUTimes
	found := false
	for _, line := range strings.Split(stat, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], "cpu") {
			continue
		}
		if fields[0] != "cpu" {
			out.CPUs++
			continue
		}
		if len(fields) < 5 {
			return CPUTimes{}, fmt.Errorf("/proc/stat cpu line: %d fields", len(fields))
		}
		found = true
		for k, f := range fields[1:min(len(fields), 9)] {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return CPUTimes{}, fmt.Errorf("/proc/stat cpu field %d: %w", k+1, err)
			}
			out.Total += n
			if k == 3 {
				out.Idle = n
			}
		}
	}
	if !found {
		return CPUTimes{}, errors.New("/proc/stat: no cpu line")
	}
	return out, nil
}

// BusyCPUs is how many CPUs were busy on average between an earlier
// reading and this one: 0 on an idle machine, CPUs when every one was
// busy throughout. It is -1 when no time passed between the readings.
func (c CPUTimes) BusyCPUs(earlier CPUTimes) float64 {
	total := c.Total - earlier.Total
	if total <= 0 {
		return -1
	}
	busy := total - (c.Idle - earlier.Idle)
	return float64(busy) / float64(total) * float64(c.CPUs)
}
