package site

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/healthdoc"
	"github.com/prodproof/prodproof/internal/jobdoc"
	"github.com/prodproof/prodproof/internal/report"
)

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartWidth   = 960.0
	chartLabelW  = 130.0
	chartRightW  = 28.0
	chartBandH   = 24.0
	chartEventH  = 20.0
	chartAxisH   = 26.0
	chartMinSegW = 3.0
)

// chartEvent is a mark on an instance's timeline.
type chartEvent struct {
	At    time.Time
	Kind  string // restart | recovery | process
	Label string
}

// timelineBounds is the time span the chart covers. When focus is set, the
// quiet lead-in from start to focus is compressed into leadFrac of the
// width, so the interval where things happen gets the rest.
type timelineBounds struct {
	start, end time.Time
	focus      time.Time
	leadFrac   float64
}

func (b timelineBounds) x(t time.Time) float64 {
	f := 0.0
	if b.focus.IsZero() {
		f = t.Sub(b.start).Seconds() / b.end.Sub(b.start).Seconds()
	} else if t.Before(b.focus) {
		f = b.leadFrac * t.Sub(b.start).Seconds() / b.focus.Sub(b.start).Seconds()
	} else {
		f = b.leadFrac + (1-b.leadFrac)*t.Sub(b.focus).Seconds()/b.end.Sub(b.focus).Seconds()
	}
	f = math.Max(0, math.Min(1, f))
	return chartLabelW + f*(chartWidth-chartLabelW-chartRightW)
}

// Framing: a lead-in in which nothing changes that takes more than
// leadInMinFrac of the span is compressed to leadInFrac of the width.
const (
	leadInMinFrac = 0.35
	leadInFrac    = 0.12
)

// framed returns bounds that compress a quiet lead-in: the time before the
// first change any lane shows (a status or liveness change, a worker
// restart, a new process, a recovery), less a margin.
func framed(points []healthPoint, bounds timelineBounds) timelineBounds {
	lanes := map[string][]healthPoint{}
	for _, p := range points {
		lanes[p.Instance] = append(lanes[p.Instance], p)
	}
	var first time.Time
	note := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	for _, pts := range lanes {
		for i := 1; i < len(pts); i++ {
			if pts[i].Status != pts[i-1].Status || pts[i].Liveness != pts[i-1].Liveness {
				note(pts[i].At)
			}
		}
		for _, ev := range laneEvents(pts, bounds) {
			note(ev.At)
		}
		for _, w := range recoveryWindows(pts, sampleEnds(pts, bounds), bounds) {
			note(w[0])
		}
	}
	span := bounds.end.Sub(bounds.start)
	if first.IsZero() || span <= 0 {
		return bounds
	}
	margin := max(bounds.end.Sub(first)/8, 200*time.Millisecond)
	focus := first.Add(-margin)
	if focus.Sub(bounds.start) < time.Duration(float64(span)*leadInMinFrac) {
		return bounds
	}
	bounds.focus, bounds.leadFrac = focus, leadInFrac
	return bounds
}

func (b timelineBounds) offset(t time.Time) string { return formatOffset(t.Sub(b.start)) }

// healthChart draws the /health timeline as SVG: one lane per backend
// instance with its status and worker liveness over time, recovery windows
// shaded, worker restarts, new processes and recoveries marked, and the
// scenario's steps along the bottom. Every text is escaped; classes come
// from fixed sets, never from the data.
func healthChart(points []healthPoint, steps []report.Step, bounds timelineBounds) string {
	lanes := map[string][]healthPoint{}
	for _, p := range points {
		lanes[p.Instance] = append(lanes[p.Instance], p)
	}
	names := make([]string, 0, len(lanes))
	for name := range lanes {
		names = append(names, name)
	}
	sort.Strings(names)

	bounds = framed(points, bounds)
	var body strings.Builder
	y := 6.0
	for _, name := range names {
		y = drawLane(&body, name, lanes[name], bounds, y)
	}
	if !bounds.focus.IsZero() {
		// The compressed lead-in is marked over the lanes, so no reader
		// takes its width for its length.
		x0, x1 := bounds.x(bounds.start), bounds.x(bounds.focus)
		fmt.Fprintf(&body, `<g class="lead-in"><title>quiet lead-in %s – %s, compressed: nothing changed</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/><text x="%.1f" y="%.1f">%s quiet</text></g>`,
			bounds.offset(bounds.start), bounds.offset(bounds.focus), x0, 6.0, x1-x0, y-6, (x0+x1)/2, y-10, formatSeconds(bounds.focus.Sub(bounds.start)))
	}
	y = drawSteps(&body, steps, bounds, y)
	grid := drawAxis(&body, bounds, y, 6)
	height := y + chartAxisH

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="health-chart-title" xmlns="http://www.w3.org/2000/svg">`, chartWidth, height)
	fmt.Fprintf(&b, `<title id="health-chart-title">/health over time: %d samples from %d instance(s) over %s</title>`, len(points), len(names), formatDuration(bounds.end.Sub(bounds.start)))
	b.WriteString(grid)
	b.WriteString(body.String())
	b.WriteString("</svg>")
	return b.String()
}

func drawLane(b *strings.Builder, name string, pts []healthPoint, bounds timelineBounds, y float64) float64 {
	fmt.Fprintf(b, `<text class="lane-name" x="4" y="%.1f">%s</text>`, y+12, escapeText(truncate(name, 20)))
	y += 18
	statusY, workerY, eventY := y, y+chartBandH+4, y+2*(chartBandH+4)
	fmt.Fprintf(b, `<text class="row-label" x="14" y="%.1f">status</text>`, statusY+16)
	fmt.Fprintf(b, `<text class="row-label" x="14" y="%.1f">worker liveness</text>`, workerY+16)
	fmt.Fprintf(b, `<text class="row-label" x="14" y="%.1f">events</text>`, eventY+14)
	fmt.Fprintf(b, `<rect class="lane-bg" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, chartLabelW, statusY, chartWidth-chartLabelW-chartRightW, 2*chartBandH+4)

	ends := sampleEnds(pts, bounds)
	drawBands(b, pts, ends, bounds, statusY, func(p healthPoint) (string, string) {
		class := "st-unknown"
		if knownStatus[p.Status] {
			class = "st-" + p.Status
		}
		label := "status " + p.Status
		if p.HTTP != 0 {
			label += fmt.Sprintf(" (HTTP %d)", p.HTTP)
		}
		if p.Error != "" {
			label += ": " + p.Error
		}
		return class, label
	})
	drawBands(b, pts, ends, bounds, workerY, func(p healthPoint) (string, string) {
		switch {
		case p.Liveness == "":
			return "lv-none", "no worker report"
		case knownLiveness[p.Liveness]:
			return "lv-" + p.Liveness, "worker " + p.Liveness
		default:
			return "lv-unknown", "worker " + p.Liveness
		}
	})
	for _, w := range recoveryWindows(pts, ends, bounds) {
		x0, x1 := bounds.x(w[0]), bounds.x(w[1])
		fmt.Fprintf(b, `<rect class="recovery" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>recovery window %s – %s</title></rect>`,
			x0, statusY-2, math.Max(x1-x0, chartMinSegW), 2*chartBandH+8, bounds.offset(w[0]), bounds.offset(w[1]))
	}
	for _, ev := range laneEvents(pts, bounds) {
		x := bounds.x(ev.At)
		fmt.Fprintf(b, `<g class="ev ev-%s"><title>%s %s</title>`, ev.Kind, bounds.offset(ev.At), escapeText(ev.Label))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, statusY-2, x, eventY+4)
		cy := eventY + 10
		switch ev.Kind {
		case "restart":
			fmt.Fprintf(b, `<path d="M%.1f %.1f l6 10 h-12 z"/>`, x, cy-6)
		case "recovery":
			fmt.Fprintf(b, `<path d="M%.1f %.1f l6 6 l-6 6 l-6 -6 z"/>`, x, cy-6)
		default:
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="5"/>`, x, cy)
		}
		b.WriteString("</g>")
	}
	return eventY + chartEventH + 10
}

// sampleEnds gives each sample the time its reading holds until: the next
// sample of the same instance, or for the last one a typical interval.
func sampleEnds(pts []healthPoint, bounds timelineBounds) []time.Time {
	ends := make([]time.Time, len(pts))
	var gaps []time.Duration
	for i := 0; i+1 < len(pts); i++ {
		ends[i] = pts[i+1].At
		gaps = append(gaps, pts[i+1].At.Sub(pts[i].At))
	}
	if n := len(pts); n > 0 {
		typical := bounds.end.Sub(bounds.start) / 50
		if len(gaps) > 0 {
			slices.Sort(gaps)
			typical = gaps[len(gaps)/2]
		}
		last := pts[n-1].At.Add(typical)
		if last.After(bounds.end) {
			last = bounds.end
		}
		ends[n-1] = last
	}
	return ends
}

// drawBands draws one row, merging consecutive samples of the same class.
func drawBands(b *strings.Builder, pts []healthPoint, ends []time.Time, bounds timelineBounds, y float64, classify func(healthPoint) (class, label string)) {
	for i := 0; i < len(pts); {
		class, label := classify(pts[i])
		j := i + 1
		for j < len(pts) {
			c, l := classify(pts[j])
			if c != class || l != label {
				break
			}
			j++
		}
		start, end := pts[i].At, ends[j-1]
		x0, x1 := bounds.x(start), bounds.x(end)
		samples := "1 sample"
		if j-i > 1 {
			samples = fmt.Sprintf("%d samples", j-i)
		}
		fmt.Fprintf(b, `<rect class="band %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s – %s: %s (%s)</title></rect>`,
			class, x0, y, math.Max(x1-x0, chartMinSegW), chartBandH, bounds.offset(start), bounds.offset(end), escapeText(label), samples)
		i = j
	}
}

// recoveryWindows are the spans in which the worker reported
// recovery_active=true. A window starts at the worker's last_recovery_at
// when that falls between the sample before and the first active one.
func recoveryWindows(pts []healthPoint, ends []time.Time, bounds timelineBounds) [][2]time.Time {
	var out [][2]time.Time
	var start time.Time
	open := false
	for i, p := range pts {
		active := p.Worker != nil && p.Worker.RecoveryActive
		switch {
		case active && !open:
			open = true
			start = p.At
			after := bounds.start
			if i > 0 {
				after = pts[i-1].At
			}
			if t, ok := timeBetween(p.Worker.LastRecoveryAt, after, p.At); ok {
				start = t
			}
		case !active && open:
			out = append(out, [2]time.Time{start, p.At})
			open = false
		}
	}
	if open {
		out = append(out, [2]time.Time{start, ends[len(ends)-1]})
	}
	return out
}

// timeBetween parses an RFC 3339 time from /health and reports whether it
// lies in (after, upTo].
func timeBetween(s *string, after, upTo time.Time) (time.Time, bool) {
	v, ok := deref(s)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !t.After(after) || t.After(upTo) {
		return time.Time{}, false
	}
	return t, true
}

// laneEvents finds worker restarts (restart_count went up), new processes
// (the worker boot id changed without a restart, or the counters reset) and
// recoveries (last_recovery_at moved).
func laneEvents(pts []healthPoint, bounds timelineBounds) []chartEvent {
	var out []chartEvent
	var prev *healthdoc.Worker
	var prevAt time.Time
	for _, p := range pts {
		w := p.Worker
		if w == nil {
			continue
		}
		restarts := w.RestartCount
		if prev != nil {
			// The new worker's started_at says when it happened, better
			// than the sample that first saw it.
			when := p.At
			if t, ok := timeBetween(w.StartedAt, prevAt, p.At); ok {
				when = t
			}
			prevRestarts := prev.RestartCount
			boot, _ := deref(w.BootID)
			prevBoot, _ := deref(prev.BootID)
			switch {
			case restarts > prevRestarts:
				reason, ok := deref(w.LastExitReason)
				if !ok {
					reason = "unknown"
				}
				out = append(out, chartEvent{when, "restart", fmt.Sprintf("worker restarted by its supervisor (restart_count %d, last exit: %s)", restarts, reason)})
			case restarts < prevRestarts || boot != prevBoot:
				out = append(out, chartEvent{when, "process", "new backend process (worker boot id " + shortID(boot) + ")"})
			}
		}
		if at, ok := deref(w.LastRecoveryAt); ok {
			prevRecovery := ""
			if prev != nil {
				prevRecovery, _ = deref(prev.LastRecoveryAt)
			}
			if at != prevRecovery {
				when := p.At
				if t, err := time.Parse(time.RFC3339Nano, at); err == nil && !t.Before(bounds.start) && !t.After(p.At) {
					when = t
				}
				count := w.LastRecoveryCount
				job, _ := deref(w.LastRecoveryJobID)
				label := fmt.Sprintf("recovery: %d job(s) requeued", count)
				if job != "" {
					label += ", job " + job
				}
				out = append(out, chartEvent{when, "recovery", label})
			}
		}
		prev, prevAt = w, p.At
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func drawSteps(b *strings.Builder, steps []report.Step, bounds timelineBounds, y float64) float64 {
	if len(steps) == 0 {
		return y
	}
	fmt.Fprintf(b, `<text class="row-label" x="4" y="%.1f">steps</text>`, y+13)
	var labels labelRow
	for i, s := range steps {
		x := bounds.x(s.At)
		fmt.Fprintf(b, `<g class="step-mark"><title>step %d at %s: %s</title><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`,
			i+1, bounds.offset(s.At), escapeText(s.Name), x, y+2, x, y+8)
		label := fmt.Sprint(i + 1)
		if labels.fits(x, label, stepCharW) {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`, x, y+19, label)
		}
		b.WriteString("</g>")
	}
	return y + 24
}

// Label widths in user units per character (the fonts' digits at the CSS
// sizes, rounded up), and the gap kept between two labels.
const (
	stepCharW = 7.0
	tickCharW = 7.5
	labelGap  = 6.0
)

// labelRow places centred labels left to right and refuses one that would
// overlap the last one placed.
type labelRow struct {
	placed   bool
	rightEnd float64
}

func (r *labelRow) fits(x float64, label string, charW float64) bool {
	half := float64(len(label)) * charW / 2
	if r.placed && x-half < r.rightEnd+labelGap {
		return false
	}
	r.placed, r.rightEnd = true, x+half
	return true
}

// drawAxis writes the time axis at y and returns the vertical grid lines,
// which go behind everything else.
func drawAxis(b *strings.Builder, bounds timelineBounds, y, top float64) string {
	var grid strings.Builder
	fmt.Fprintf(b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, chartLabelW, y, chartWidth-chartRightW, y)
	var labels labelRow
	tick := func(t time.Duration) {
		x := bounds.x(bounds.start.Add(t))
		fmt.Fprintf(&grid, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, top, x, y)
		if label := formatOffset(t); labels.fits(x, label, tickCharW) {
			fmt.Fprintf(b, `<text class="tick" x="%.1f" y="%.1f">%s</text>`, x, y+16, label)
		}
	}
	from := time.Duration(0)
	if !bounds.focus.IsZero() {
		// The compressed lead-in gets its two ends; the ticks go on, at a
		// step chosen for the focused span, from the break.
		tick(0)
		from = bounds.focus.Sub(bounds.start)
		xb := bounds.x(bounds.focus)
		fmt.Fprintf(b, `<path class="axis-break" d="M%.1f %.1f l4 -6 M%.1f %.1f l4 -6"/>`, xb-5, y+3, xb, y+3)
	}
	step := tickStep(bounds.end.Sub(bounds.start.Add(from)))
	first := from.Truncate(step)
	if first < from {
		first += step
	}
	if !bounds.focus.IsZero() {
		tick(from)
	}
	for t := first; t <= bounds.end.Sub(bounds.start); t += step {
		if t != from || bounds.focus.IsZero() {
			tick(t)
		}
	}
	fmt.Fprintf(b, `<text class="row-label" x="4" y="%.1f">elapsed</text>`, y+16)
	return grid.String()
}

// tickStep picks a round interval giving at most about ten ticks.
func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{
		10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
		100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second,
		30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
	} {
		if span/s <= 10 {
			return s
		}
	}
	return span / 10
}

func shortID(s string) string { return jobdoc.ShortID(s) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
