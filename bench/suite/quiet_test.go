package suite

import (
	"math"
	"testing"
	"time"
)

// TestDecayTimeFollowsTheKernelsAverage checks decayTime against the
// recurrence the kernel applies every loadPeriod, with a constant number
// of running tasks: the load must still be at or above the threshold one
// update before the predicted time and below it one update after.
func TestDecayTimeFollowsTheKernelsAverage(t *testing.T) {
	// The kernel's own factor per 5 s update, in its fixed point
	// (EXP_1 = 1884 / 2^11 in include/linux/sched/loadavg.h), not the
	// constants under test.
	const step = 1884.0 / 2048
	const threshold = 1.0
	for _, tt := range []struct{ load, busy float64 }{
		{2.2, 0}, {2.2, 0.5}, {2.2, 0.9}, {1.6, 0.95}, {4.4, 0.2}, {1.05, 0},
	} {
		d, ok := decayTime(tt.load, tt.busy, threshold)
		if !ok {
			t.Fatalf("decayTime(%v, %v): no decay predicted", tt.load, tt.busy)
		}
		load := tt.load
		var crossed time.Duration
		for elapsed := time.Duration(0); elapsed < time.Hour; elapsed += loadPeriod {
			if load < threshold {
				crossed = elapsed
				break
			}
			load = load*step + tt.busy*(1-step)
		}
		if crossed == 0 || crossed < d || crossed > d+loadPeriod {
			t.Errorf("load %.2f at %.2f busy: predicted below %.1f after %v, the kernel's average gets there after %v",
				tt.load, tt.busy, threshold, d, crossed)
		}
	}
}

func TestDecayTimeWhenTheMachineStaysBusy(t *testing.T) {
	if d, ok := decayTime(0.5, 3, 1); !ok || d != 0 {
		t.Errorf("a load already below the threshold: got %v, %v; want 0, true", d, ok)
	}
	for _, busy := range []float64{1, 1.5, 2} {
		if _, ok := decayTime(2, busy, 1); ok {
			t.Errorf("%.1f CPUs busy: the load cannot fall below 1, want ok false", busy)
		}
	}
}

func TestSettleLimit(t *testing.T) {
	ceiling := 5 * time.Minute
	// An idle machine 5 s into the wait, after a drain that left the load
	// at 2: ln 2 minutes (41.6 s) more, plus two updates.
	ln2 := math.Ln2
	if got, want := settleLimit(loadPeriod, 2, 0, -1, 1, ceiling), time.Duration(float64(time.Minute)*ln2)+3*loadPeriod; got != want {
		t.Errorf("settleLimit(2, idle) = %v, want %v", got, want)
	}
	// The more the machine does by itself, the longer the tail: at 0.9
	// CPUs busy the same load needs 60·ln 11 s ≈ 144 s.
	if got := settleLimit(loadPeriod, 2, 0.9, -1, 1, ceiling); got < 140*time.Second || got > 165*time.Second {
		t.Errorf("settleLimit(2, 0.9 busy) = %v, want about 144 s + 15 s", got)
	}
	if got := settleLimit(loadPeriod, 2, 0.995, -1, 1, ceiling); got != ceiling {
		t.Errorf("settleLimit(2, 0.995 busy) = %v, want the ceiling %v", got, ceiling)
	}
	// A machine busier than the threshold: a grace of one time constant
	// from the wait's start, over already when the wait has lasted longer.
	if got := settleLimit(loadPeriod, 2, 1.2, -1, 1, ceiling); got != busyGrace {
		t.Errorf("settleLimit on a busy machine = %v, want the grace %v", got, busyGrace)
	}
	if got := settleLimit(2*time.Minute, 3, 2, -1, 1, ceiling); got > 2*time.Minute {
		t.Errorf("settleLimit 2 min into a wait on a busy machine = %v: want the wait over", got)
	}
	// Busier than the threshold, but the benchmark's own servers are still
	// working (autovacuum after a drain, a checkpoint): the wait is not cut
	// at the grace, it lasts while that work does; once it has stopped, the
	// grace from the wait's start applies again.
	if got := settleLimit(2*time.Minute, 2, 1.3, 0.4, 1, ceiling); got != ceiling {
		t.Errorf("settleLimit while the benchmark's own servers keep 0.4 of 1.3 busy CPUs = %v, want the ceiling %v", got, ceiling)
	}
	if got := settleLimit(2*time.Minute, 2, 1.3, 0.01, 1, ceiling); got != busyGrace {
		t.Errorf("settleLimit once the benchmark's own servers are idle = %v, want the grace %v", got, busyGrace)
	}
	// A machine that turns idle late in the wait gets what its decay needs.
	if got, want := settleLimit(2*time.Minute, 2, 0, -1, 1, ceiling), 2*time.Minute+time.Duration(float64(time.Minute)*ln2)+2*loadPeriod; got != want {
		t.Errorf("settleLimit 2 min in, machine idle now = %v, want %v", got, want)
	}
	if got := settleLimit(2*time.Minute, 1.5, 0, -1, 1, time.Minute); got != time.Minute {
		t.Errorf("settleLimit above the ceiling = %v, want the ceiling", got)
	}
}
