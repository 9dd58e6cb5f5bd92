package suite

import (
	"testing"
	"time"
)

// TestDrainPollsFewAndSeesTheEndSoon drains simulated backlogs at a steady
// rate, their counters moving a batch at a time as the backend's do, and
// reads them paced as waitProcessed reads them: the end must be seen within
// drainPollMin of when it came, in a number of reads that grows with the
// logarithm of the drain's length, far below one read per drainPollMin.
func TestDrainPollsFewAndSeesTheEndSoon(t *testing.T) {
	const batch = 250
	for _, c := range []struct {
		backlog  int
		perSec   float64
		maxReads int
	}{
		{10_000, 20_000, 25},
		{100_000, 30_000, 30},
		{1_000_000, 25_000, 75},
		{100_000, 3_000, 70},
	} {
		processed := func(at time.Duration) int {
			n := int(at.Seconds()*c.perSec) / batch * batch
			return min(n, c.backlog)
		}
		end := time.Duration(float64(c.backlog) / c.perSec * float64(time.Second))
		var at time.Duration
		start := time.Now()
		pace := drainPace{want: c.backlog}
		reads := 0
		for {
			reads++
			total := processed(at)
			if total >= c.backlog {
				break
			}
			at += pace.next(total, start.Add(at))
		}
		t.Logf("%d jobs at %.0f/s: %d reads, the end seen %v after it came", c.backlog, c.perSec, reads, at-end)
		if late := at - end; late > drainPollMin {
			t.Errorf("%d jobs at %.0f/s: the end seen %v after it came (at most %v)", c.backlog, c.perSec, late, drainPollMin)
		}
		if reads > c.maxReads {
			t.Errorf("%d jobs at %.0f/s: %d reads (at most %d; one per %v would be %d)", c.backlog, c.perSec, reads, c.maxReads, drainPollMin, int(end/drainPollMin))
		}
	}
}

func TestNextDrainPoll(t *testing.T) {
	for _, c := range []struct {
		remaining, moved int
		over, want       time.Duration
	}{
		{200_000, 300, 10 * time.Millisecond, time.Second},              // 6.7 s left: at most drainPollMax
		{30_000, 3_000, 100 * time.Millisecond, 250 * time.Millisecond}, // 1 s left: a quarter of it
		{600, 3_000, 100 * time.Millisecond, drainPollMin},              // 20 ms left: the floor
		{50_000, 0, 10 * time.Millisecond, drainPollMin},                // no progress: no rate to go by
		{0, 250, 10 * time.Millisecond, drainPollMin},                   // done (not read again)
	} {
		if got := nextDrainPoll(c.remaining, c.moved, c.over); got != c.want {
			t.Errorf("nextDrainPoll(%d, %d, %v) = %v, want %v", c.remaining, c.moved, c.over, got, c.want)
		}
	}
}

// TestDrainSideRecordsHealthReads holds ours' side of a trial to carrying
// the count of /health reads into the results file.
func TestDrainSideRecordsHealthReads(t *testing.T) {
	s := drainTrial{healthReads: 21}.side()
	if s.HealthReads == nil || *s.HealthReads != 21 {
		t.Fatalf("HealthReads = %v, want 21", s.HealthReads)
	}
}
