package await

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCondition(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		// cond gets the time the wait began and how often it was called.
		cond      func(began time.Time, calls int) (bool, string)
		wantErr   string // "" = success
		wantCalls func(calls int) bool
	}{
		{
			name:      "true at once is evaluated once and does not sleep",
			timeout:   time.Hour,
			cond:      func(time.Time, int) (bool, string) { return true, "" },
			wantCalls: func(n int) bool { return n == 1 },
		},
		{
			name:      "true on the third look",
			timeout:   time.Minute,
			cond:      func(_ time.Time, n int) (bool, string) { return n >= 3, fmt.Sprint("call ", n) },
			wantCalls: func(n int) bool { return n == 3 },
		},
		{
			name:    "never true fails with the last description, not the first",
			timeout: 50 * time.Millisecond,
			cond:    func(_ time.Time, n int) (bool, string) { return false, fmt.Sprintf("call %d", n) },
			wantErr: "thing: not within 50ms; last seen: call ",
			wantCalls: func(n int) bool {
				return n >= 2
			},
		},
		{
			// A waiter descheduled past its deadline must look once more
			// before it gives up: the condition may have come true meanwhile.
			name:    "true only once the deadline has passed",
			timeout: 30 * time.Millisecond,
			cond: func(began time.Time, _ int) (bool, string) {
				return time.Since(began) >= 30*time.Millisecond, "before the deadline"
			},
		},
		{
			name:    "a slow condition that misses the deadline is looked at once more",
			timeout: 20 * time.Millisecond,
			cond: func(_ time.Time, n int) (bool, string) {
				if n == 1 {
					time.Sleep(40 * time.Millisecond)
					return false, "slow first look"
				}
				return true, ""
			},
			wantCalls: func(n int) bool { return n == 2 },
		},
		{
			name:      "zero timeout still evaluates once",
			timeout:   0,
			cond:      func(time.Time, int) (bool, string) { return false, "" },
			wantErr:   "thing: not within 0s; last seen: (nothing described)",
			wantCalls: func(n int) bool { return n == 1 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			began := time.Now()
			err := Condition(tt.timeout, "thing", func() (bool, string) {
				calls++
				return tt.cond(began, calls)
			})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want prefix %q", err, tt.wantErr)
			}
			if tt.wantErr != "" && strings.HasSuffix(tt.wantErr, "call ") && !strings.HasSuffix(err.Error(), fmt.Sprintf("call %d", calls)) {
				t.Fatalf("error %q does not name the last call (%d)", err, calls)
			}
			if tt.wantCalls != nil && !tt.wantCalls(calls) {
				t.Fatalf("cond called %d times", calls)
			}
		})
	}
}

func TestConditionReturnsSoonAfterTheDeadline(t *testing.T) {
	began := time.Now()
	_ = Condition(30*time.Millisecond, "thing", func() (bool, string) { return false, "" })
	// Generous: the point is that it neither returns early nor waits a
	// whole further interval per look once the deadline is near.
	if took := time.Since(began); took < 30*time.Millisecond || took > 5*time.Second {
		t.Fatalf("took %s", took)
	}
}

// fatalRecorder is a testing.TB whose Fatal records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatal(args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprint(args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func TestUntilFailsTheTestWithWhatWasSeen(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		Until(rec, 20*time.Millisecond, "job processed", func() (bool, string) { return false, "status pending" })
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("Until returned instead of failing the test")
	}
	if rec.msg != "job processed: not within 20ms; last seen: status pending" {
		t.Fatalf("message %q", rec.msg)
	}

	rec = &fatalRecorder{TB: t}
	Until(rec, time.Minute, "x", func() (bool, string) { return true, "" })
	if rec.msg != "" {
		t.Fatalf("a met condition failed the test: %q", rec.msg)
	}
}

func TestPollEndsOnContextAndOnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Poll(ctx, time.Hour, time.Millisecond, "thing", func() (bool, string, error) {
		calls++
		if calls == 3 {
			cancel()
		}
		return false, fmt.Sprint("call ", calls), nil
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "thing: ") || !strings.Contains(err.Error(), "last seen: call 3") {
		t.Errorf("cancelled wait: %v", err)
	}
	gone := errors.New("process exited")
	err = Poll(context.Background(), time.Hour, 0, "ready", func() (bool, string, error) { return false, "", gone })
	if !errors.Is(err, gone) || !strings.HasPrefix(err.Error(), "ready: ") {
		t.Errorf("failed condition: %v", err)
	}
	start := time.Now()
	n := 0
	err = Poll(context.Background(), time.Minute, 30*time.Millisecond, "slow", func() (bool, string, error) {
		n++
		return n == 3, "", nil
	})
	if err != nil || time.Since(start) < 60*time.Millisecond {
		t.Errorf("every 30ms, true on the third look: %v after %v", err, time.Since(start))
	}
}

func TestPacedWaitsWhatTheConditionSays(t *testing.T) {
	start := time.Now()
	var gaps []time.Duration
	last := start
	n := 0
	err := Paced(context.Background(), time.Minute, "paced", func() (bool, string, time.Duration, error) {
		now := time.Now()
		gaps = append(gaps, now.Sub(last))
		last = now
		n++
		// 60 ms after the first look, then the default (Interval).
		next := 60 * time.Millisecond
		if n > 1 {
			next = 0
		}
		return n == 3, "", next, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gaps[1] < 60*time.Millisecond {
		t.Errorf("the second look came %v after the first, not after the 60ms asked for", gaps[1])
	}
	if gaps[2] < Interval {
		t.Errorf("the third look came %v after the second, sooner than Interval (next was 0)", gaps[2])
	}
}
