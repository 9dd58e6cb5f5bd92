package site

import (
	"fmt"
	"github.com/prodproof/prodproof/internal/report"
	"slices"
	"strings"
	"time"
)

// Sparkline geometry, in SVG user units.
const (
	sparkWidth  = 120.0
	sparkHeight = 28.0
	sparkPad    = 2.0
)

// sparkPoint is one sample of a sparkline.
type sparkPoint struct {
	At    time.Time
	Value float64
}

// sparkBounds is the time span a set of sparklines shares, so lines drawn
// one above the other line up in time.
type sparkBounds struct{ start, end time.Time }

func (b sparkBounds) union(pts []sparkPoint) sparkBounds {
	for _, p := range pts {
		if b.start.IsZero() || p.At.Before(b.start) {
			b.start = p.At
		}
		if b.end.IsZero() || p.At.After(b.end) {
			b.end = p.At
		}
	}
	return b
}

// sparkSpan is the time span of every instance's samples.
func sparkSpan(series map[string][]report.ProcSample) sparkBounds {
	var b sparkBounds
	for _, name := range sortedKeys(series) {
		for _, s := range series[name] {
			b = b.union([]sparkPoint{{At: s.At}})
		}
	}
	return b
}

// rssRange is the lowest and highest RSS over every instance, so the
// sparklines of several instances share one scale.
func rssRange(series map[string][]report.ProcSample) (lo, hi float64) {
	first := true
	for _, name := range sortedKeys(series) {
		for _, s := range series[name] {
			v := float64(s.RSSKiB)
			if first || v < lo {
				lo = v
			}
			if first || v > hi {
				hi = v
			}
			first = false
		}
	}
	return lo, hi
}

// sparkline draws values over time as a small SVG line, x over the shared
// bounds and y from lo (bottom) to hi (top). A single sample is a dot. The
// label is escaped and read out by screen readers; classes are fixed.
func sparkline(pts []sparkPoint, bounds sparkBounds, lo, hi float64, label string) string {
	if len(pts) == 0 {
		return ""
	}
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, func(a, b sparkPoint) int { return a.At.Compare(b.At) })
	span := bounds.end.Sub(bounds.start).Seconds()
	x := func(t time.Time) float64 {
		if span <= 0 {
			return sparkWidth / 2
		}
		f := min(1, max(0, t.Sub(bounds.start).Seconds()/span))
		return sparkPad + f*(sparkWidth-2*sparkPad)
	}
	y := func(v float64) float64 {
		if hi <= lo {
			return sparkHeight / 2
		}
		f := min(1, max(0, (v-lo)/(hi-lo)))
		return sparkHeight - sparkPad - f*(sparkHeight-2*sparkPad)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`, sparkWidth, sparkHeight, sparkWidth, sparkHeight, escapeText(label))
	fmt.Fprintf(&b, `<title>%s</title>`, escapeText(label))
	fmt.Fprintf(&b, `<line class="spark-base" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, sparkPad, sparkHeight-sparkPad, sparkWidth-sparkPad, sparkHeight-sparkPad)
	if len(pts) > 1 {
		coords := make([]string, len(pts))
		for i, p := range pts {
			coords[i] = fmt.Sprintf("%.1f,%.1f", x(p.At), y(p.Value))
		}
		fmt.Fprintf(&b, `<polyline class="spark-line" points="%s"/>`, strings.Join(coords, " "))
	}
	last := pts[len(pts)-1]
	fmt.Fprintf(&b, `<circle class="spark-end" cx="%.1f" cy="%.1f" r="2"/>`, x(last.At), y(last.Value))
	b.WriteString(`</svg>`)
	return b.String()
}
