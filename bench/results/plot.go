package results

import (
	"cmp"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/bench/stats"
)

// MergeGrowth joins the growth curves of several results files (e.g.
// bench/results.json and bench/results-large.json) into one, smallest
// backlog first. Where two files measured the same backlog, the later file
// wins: a point is one run's trials, never a mix of two runs.
func MergeGrowth(runs ...*Results) []GrowthPoint {
	byBacklog := map[int]GrowthPoint{}
	for _, r := range runs {
		if r == nil {
			continue
		}
		for _, g := range r.Growth {
			if g.N() > 0 {
				byBacklog[g.Backlog] = g
			}
		}
	}
	out := make([]GrowthPoint, 0, len(byBacklog))
	for _, g := range byBacklog {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b GrowthPoint) int { return cmp.Compare(a.Backlog, b.Backlog) })
	return out
}

// N is how many trials the pair holds.
func (p *Pair) N() int { return len(p.Trials) }

// plotSeries is one line of the growth plot.
type plotSeries struct {
	label  string
	colour string
	dashed bool
	pair   func(GrowthPoint) *Pair
	river  bool
}

var growthSeries = []plotSeries{
	{label: "ours, throwaway", colour: "#1f6feb", pair: func(g GrowthPoint) *Pair { return &g.Pair }},
	{label: "River, throwaway", colour: "#d1651b", pair: func(g GrowthPoint) *Pair { return &g.Pair }, river: true},
	{label: "ours, durable", colour: "#1f6feb", dashed: true, pair: func(g GrowthPoint) *Pair { return g.Durable }},
	{label: "River, durable", colour: "#d1651b", dashed: true, pair: func(g GrowthPoint) *Pair { return g.Durable }, river: true},
}

// Geometry of the growth plot, in SVG user units.
const (
	plotW, plotH                       = 720.0, 400.0
	plotLeft, plotRight                = 70.0, 190.0
	plotTop, plotBottom                = 40.0, 50.0
	plotMarkerR                        = 4.0
	plotInnerW                         = plotW - plotLeft - plotRight
	plotInnerH                         = plotH - plotTop - plotBottom
	plotLegendX, plotLegendY, plotLine = plotW - plotRight + 20, plotTop + 10, 20.0
)

// GrowthSVG draws the growth curve: drain jobs/s (the median over trials,
// with a bar from the slowest to the fastest trial) against the backlog on
// a log scale, for ours and River on throwaway and on durable settings. A
// point drawn hollow had at least one trial that started on a loaded
// machine. It is a static SVG with presentation attributes only (no
// script, no style attribute), so it can sit inline in a page whose
// Content-Security-Policy forbids both. With no point measured it returns "".
func GrowthSVG(points []GrowthPoint) string {
	if len(points) == 0 {
		return ""
	}
	var maxY float64
	for _, g := range points {
		for _, s := range growthSeries {
			if p := s.pair(g); p != nil && p.N() > 0 {
				maxY = max(maxY, side(p, s.river).Max)
			}
		}
	}
	if maxY <= 0 {
		return ""
	}
	step := niceStep(maxY / 5)
	top := math.Ceil(maxY/step) * step
	y := func(v float64) float64 { return plotTop + plotInnerH*(1-v/top) }
	minB, maxB := math.Log10(float64(points[0].Backlog)), math.Log10(float64(points[len(points)-1].Backlog))
	x := func(backlog int) float64 {
		if maxB == minB {
			return plotLeft + plotInnerW/2
		}
		return plotLeft + 20 + (plotInnerW-40)*(math.Log10(float64(backlog))-minB)/(maxB-minB)
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-labelledby="growth-title growth-desc" font-family="sans-serif" font-size="12">`, plotW, plotH, plotW, plotH)
	fmt.Fprintf(&b, `<title id="growth-title">Drain throughput by backlog: ours and River, throwaway and durable settings</title>`)
	fmt.Fprintf(&b, `<desc id="growth-desc">%s</desc>`, html.EscapeString(growthDesc(points)))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%.0f" height="%.0f" fill="#ffffff"/>`, plotW, plotH)
	// Grid and y axis.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e1e4e8"/>`, plotLeft, y(v), plotLeft+plotInnerW, y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#57606a">%s</text>`, plotLeft-6, y(v)+4, thousands(v))
	}
	fmt.Fprintf(&b, `<text x="16" y="%.1f" transform="rotate(-90 16 %.1f)" text-anchor="middle" fill="#24292f">jobs/s (median; bar: slowest–fastest trial)</text>`, plotTop+plotInnerH/2, plotTop+plotInnerH/2)
	// x axis: one tick per measured backlog.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#57606a"/>`, plotLeft, y(0), plotLeft+plotInnerW, y(0))
	for _, g := range points {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#57606a">%s</text>`, x(g.Backlog), y(0)+18, thousands(float64(g.Backlog)))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#24292f">backlog (jobs, log scale)</text>`, plotLeft+plotInnerW/2, plotH-10)

	for i, s := range growthSeries {
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var line []string
		for _, g := range points {
			p := s.pair(g)
			if p == nil || p.N() == 0 {
				continue
			}
			sp := side(p, s.river)
			px := x(g.Backlog) + float64(i-1)*3 // side by side, so bars do not hide each other
			line = append(line, fmt.Sprintf("%.1f,%.1f", px, y(sp.Median)))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5"/>`, px, y(sp.Min), px, y(sp.Max), s.colour)
			fill := s.colour
			if p.Loaded() > 0 {
				fill = "#ffffff"
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="%s" stroke-width="1.5"><title>%s, %s jobs: %s jobs/s (median of %d; %d loaded)</title></circle>`,
				px, y(sp.Median), plotMarkerR, fill, s.colour, s.label, thousands(float64(g.Backlog)), thousands(sp.Median), sp.N, p.Loaded())
		}
		if len(line) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, strings.Join(line, " "), s.colour, dash)
		}
		ly := plotLegendY + float64(i)*plotLine
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`, plotLegendX, ly, plotLegendX+24, ly, s.colour, dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#24292f">%s</text>`, plotLegendX+30, ly+4, s.label)
	}
	ly := plotLegendY + float64(len(growthSeries))*plotLine
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#ffffff" stroke="#57606a" stroke-width="1.5"/>`, plotLegendX+12, ly, plotMarkerR)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#24292f">a trial started loaded</text>`, plotLegendX+30, ly+4)
	b.WriteString(`</svg>`)
	return b.String()
}

// side is ours' or River's jobs/s over a pair's trials.
func side(p *Pair, river bool) stats.Spread {
	if river {
		return p.River
	}
	return p.Ours
}

// growthDesc is the plot's figures as one sentence, for screen readers and
// for anyone who wants the numbers rather than the picture.
func growthDesc(points []GrowthPoint) string {
	var parts []string
	for _, g := range points {
		part := fmt.Sprintf("%s jobs: throwaway ours %s, River %s jobs/s", thousands(float64(g.Backlog)), thousands(g.OursJobsPerSec), thousands(g.RiverJobsPerSec))
		if d := g.Durable; d != nil && d.N() > 0 {
			part += fmt.Sprintf("; durable ours %s, River %s jobs/s", thousands(d.OursJobsPerSec), thousands(d.RiverJobsPerSec))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ". ") + "."
}

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

// thousands prints a whole number with comma separators: 100000 → 100,000.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", math.Round(v))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
