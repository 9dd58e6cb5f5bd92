package site

import (
	"fmt"
	"time"
)

// formatDuration is a duration for people: "850 ms", "12.3 s", "2 min 05 s".
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// formatOffset is a time since the scenario started: "+1.250 s".
// formatSeconds is a length of time in seconds, to one decimal.
func formatSeconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func formatOffset(d time.Duration) string {
	return fmt.Sprintf("+%.3f s", d.Seconds())
}

// formatTime is an instant in UTC, to the second.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatClock is the time of day in UTC, to the millisecond.
func formatClock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("15:04:05.000")
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
