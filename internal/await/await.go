// Package await is the repository's one way for a test to wait for
// something: poll a condition until it holds or a deadline passes, and on
// failure say what was last seen. Tests wait on events with deadlines, never
// on fixed sleeps; this is the deadline half.
package await

import (
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
	deadline := time.Now().Add(timeout)
	for {
		looked := time.Now()
		ok, seen := cond()
		if ok {
			return nil
		}
		if !looked.Before(deadline) {
			if seen == "" {
				seen = "(nothing described)"
			}
			return fmt.Errorf("%s: not within %s; last seen: %s", what, timeout, seen)
		}
		time.Sleep(min(Interval, max(time.Until(deadline), 0)))
	}
}

// Until is Condition for tests: it fails t (t.Fatal) on timeout.
func Until(t testing.TB, timeout time.Duration, what string, cond func() (ok bool, seen string)) {
	t.Helper()
	if err := Condition(timeout, what, cond); err != nil {
		t.Fatal(err.Error())
	}
}
