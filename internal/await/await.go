// Package await is the repository's one way to wait for something, in a
// test or in a program (the proofs, the soak, the benchmarks): poll a
// condition until it holds or a deadline passes, and on failure say what
// was last seen. Tests wait on events with deadlines, never
// on fixed sleeps; this is the deadline half.
package await

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Interval is how often Until and Condition re-evaluate their condition.
const Interval = 10 * time.Millisecond

// Condition evaluates cond every Interval until it reports true or timeout
// has passed. It gives up only after a look that began at or after the
// deadline, so a waiter that was descheduled past its deadline, or a slow
// look that straddled it (a loaded machine), still gets to see a condition
// that came true in time. On timeout the error names what and the
// description cond returned last.
func Condition(timeout time.Duration, what string, cond func() (ok bool, seen string)) error {
	return Poll(context.Background(), timeout, Interval, what, func() (bool, string, error) {
		ok, seen := cond()
		return ok, seen, nil
	})
}

// Poll is Condition for a program: it evaluates cond every `every` (Interval
// when 0) and also ends when ctx does, or when cond returns an error (the
// condition can no longer come true, e.g. the process it waits for exited).
// Each error names what and, for a timeout or an ended ctx, the description
// cond returned last; ctx's error and cond's are wrapped, for errors.Is.
func Poll(ctx context.Context, timeout, every time.Duration, what string, cond func() (ok bool, seen string, err error)) error {
	if every <= 0 {
		every = Interval
	}
	return Paced(ctx, timeout, what, func() (bool, string, time.Duration, error) {
		ok, seen, err := cond()
		return ok, seen, every, err
	})
}

// Paced is Poll for a condition that says when to look next: after each
// look that did not end the wait, it waits what cond returned (Interval
// when that is not positive). It is for a waiter whose looks cost the
// thing it watches: it can look seldom while the condition is far and
// often as it nears.
func Paced(ctx context.Context, timeout time.Duration, what string, cond func() (ok bool, seen string, next time.Duration, err error)) error {
	deadline := time.Now().Add(timeout)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		looked := time.Now()
		ok, seen, next, err := cond()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if ok {
			return nil
		}
		if seen == "" {
			seen = "(nothing described)"
		}
		if !looked.Before(deadline) {
			return fmt.Errorf("%s: not within %s; last seen: %s", what, timeout, seen)
		}
		if next <= 0 {
			next = Interval
		}
		timer.Reset(min(next, max(time.Until(deadline), 0)))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w; last seen: %s", what, ctx.Err(), seen)
		case <-timer.C:
		}
	}
}

// Until is Condition for tests: it fails t (t.Fatal) on timeout.
func Until(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, seen string)) {
	t.Helper()
	if err := Condition(timeout, what, cond); err != nil {
		t.Fatal(err.Error())
	}
}
