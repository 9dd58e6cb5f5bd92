package site

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

func sample(t *testing.T, at time.Time, instance string, body map[string]any) report.HealthSample {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return report.HealthSample{At: at, Instance: instance, HTTPStatus: 200, Body: raw}
}

func health(status, liveness, boot string, restarts int, recoveryAt any, active bool) map[string]any {
	return map[string]any{"status": status, "db": map[string]any{"status": "ok", "error": nil},
		"worker": map[string]any{"liveness": liveness, "boot_id": boot, "restart_count": restarts,
			"last_exit_reason": nil, "last_recovery_at": recoveryAt, "last_recovery_count": 1, "recovery_active": active}}
}

func TestLaneEvents(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	rec := at(1050).Format(time.RFC3339Nano)
	samples := []report.HealthSample{
		sample(t, at(0), "a", health("ok", "healthy", "boot1", 0, nil, false)),
		sample(t, at(1100), "a", health("degraded", "recovering", "boot2", 1, rec, true)),
		sample(t, at(1200), "a", health("degraded", "recovering", "boot2", 1, rec, true)),
		sample(t, at(1300), "a", health("ok", "healthy", "boot2", 1, rec, false)),
		{At: at(1400), Instance: "a", Error: "connection refused"},
		sample(t, at(2000), "a", health("ok", "healthy", "boot3", 0, nil, false)),
	}
	var pts []healthPoint
	for _, s := range samples {
		pts = append(pts, interpretHealth(s))
	}
	bounds := timelineBounds{start: t0, end: at(2500)}
	var got []string
	for _, ev := range laneEvents(pts, bounds) {
		got = append(got, ev.Kind+"@"+ev.At.Sub(t0).String())
	}
	want := "recovery@1.05s restart@1.1s process@2s"
	if strings.Join(got, " ") != want {
		t.Errorf("events = %v, want %s", got, want)
	}
	windows := recoveryWindows(pts, sampleEnds(pts, bounds), bounds)
	// The window opens at last_recovery_at (+1.05s), not at the sample
	// that first saw it, and closes at the first inactive sample.
	if len(windows) != 1 || !windows[0][0].Equal(at(1050)) || !windows[0][1].Equal(at(1300)) {
		t.Errorf("recovery windows = %v, want one from +1.05s to +1.3s", windows)
	}
	if pts[4].Status != "down" {
		t.Errorf("a failed request is %q, want down", pts[4].Status)
	}
	svg := healthChart(pts, nil, bounds)
	for _, w := range []string{`<svg class="chart"`, "band st-down", "band lv-recovering", `class="recovery"`, "ev ev-restart", "ev ev-process"} {
		if !strings.Contains(svg, w) {
			t.Errorf("chart lacks %q", w)
		}
	}
}

func TestChartEscapesInstanceAndErrors(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pts := []healthPoint{interpretHealth(report.HealthSample{At: t0, Instance: "<i>", Error: "<script>x</script>"})}
	svg := healthChart(pts, []report.Step{{At: t0, Name: "<b>"}}, timelineBounds{start: t0, end: t0.Add(time.Second)})
	if strings.Contains(svg, "<script") || strings.Contains(svg, "<i>") || strings.Contains(svg, "<b>") {
		t.Errorf("chart carries unescaped text: %s", svg)
	}
}

func TestTickStep(t *testing.T) {
	tests := []struct {
		span, want time.Duration
	}{
		{900 * time.Millisecond, 100 * time.Millisecond},
		{12 * time.Second, 2 * time.Second},
		{18 * time.Second, 2 * time.Second},
		{3 * time.Minute, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := tickStep(tt.span); got != tt.want {
			t.Errorf("tickStep(%v) = %v, want %v", tt.span, got, tt.want)
		}
	}
}

// A proof whose story happens in its last second after nine quiet ones: the
// chart compresses and marks the lead-in so the story takes the width, and
// no two labels (steps, ticks) overlap.
func TestChartFramesTheIntervalWhereThingsHappen(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	rec := at(9250).Format(time.RFC3339Nano)
	var pts []healthPoint
	for ms := 0; ms <= 10000; ms += 100 {
		body := health("ok", "healthy", "boot1", 0, nil, false)
		switch {
		case ms >= 9300 && ms < 9600:
			body = health("degraded", "recovering", "boot2", 1, rec, true)
		case ms >= 9600:
			body = health("ok", "healthy", "boot2", 1, rec, false)
		}
		pts = append(pts, interpretHealth(sample(t, at(ms), "a", body)))
	}
	var steps []report.Step
	for _, ms := range []int{0, 40, 80, 120, 9200, 9210, 9700} {
		steps = append(steps, report.Step{At: at(ms), Name: "step"})
	}
	svg := healthChart(pts, steps, timelineBounds{start: t0, end: at(10000)})

	window := regexp.MustCompile(`<rect class="recovery" x="([0-9.]+)"`).FindStringSubmatch(svg)
	if window == nil {
		t.Fatal("no recovery window drawn")
	}
	x, _ := strconv.ParseFloat(window[1], 64)
	if plot := (x - chartLabelW) / (chartWidth - chartLabelW - chartRightW); plot > 0.5 {
		t.Errorf("the recovery window starts %.0f%% into the plot; the quiet lead-in should be compressed", plot*100)
	}
	if !strings.Contains(svg, `class="lead-in"`) || !regexp.MustCompile(`>9\.[01] s quiet<`).MatchString(svg) {
		t.Errorf("the compressed lead-in is not marked")
	}
	for _, row := range []struct {
		re    string
		charW float64
	}{
		{`<text x="([0-9.]+)" y="[0-9.]+">([0-9]+)</text>`, stepCharW},
		{`<text class="tick" x="([0-9.]+)" y="[0-9.]+">([^<]+)</text>`, tickCharW},
	} {
		prevEnd := -1e9
		for _, m := range regexp.MustCompile(row.re).FindAllStringSubmatch(svg, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			half := float64(len(m[2])) * row.charW / 2
			if x-half < prevEnd {
				t.Errorf("label %q at x=%.1f overlaps the one before it", m[2], x)
			}
			prevEnd = x + half
		}
	}
}
