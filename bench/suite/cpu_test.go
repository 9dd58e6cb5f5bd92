package suite

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/procfs"
)

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
	if got := after - before; got < burnt-3*procfs.ClockTick || got > burnt+3*procfs.ClockTick {
		t.Errorf("/proc says %v, getrusage %v (%d turns)", got, burnt, x)
	}
}
