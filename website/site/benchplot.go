package site

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/prodproof/prodproof/bench/results"
)

// benchmarksSource is the doc page the growth plot is drawn on.
const benchmarksSource = "docs/benchmarks.md"

// growthFigure is the growth curve of the benchmark's results files
// (Config.BenchResults, read with the benchmark's own reader), as an inline
// SVG figure with a caption naming the runs it was drawn from. With no
// results file it says how to make one; a file that cannot be read is a
// build warning, and the figure says so too.
func (b *builder) growthFigure() template.HTML {
	var runs []*results.Results
	var used, problems []string
	for _, path := range b.cfg.BenchResults {
		r, err := results.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			b.warn("benchmark results not plotted: %v", err)
			problems = append(problems, err.Error())
			continue
		}
		runs = append(runs, r)
		used = append(used, fmt.Sprintf("%s (%s, commit %s%s, %s)", path, r.StartedAt.UTC().Format("2006-01-02 15:04 UTC"),
			shortCommit(r.Versions.Commit), dirtyNote(r.Versions.Dirty), trialsNote(r)))
	}
	var buf bytes.Buffer
	buf.WriteString(`<figure class="bench-plot">`)
	points := results.MergeGrowth(runs...)
	svg := results.GrowthSVG(points)
	if svg == "" {
		buf.WriteString(`<p class="muted">No growth curve to plot: `)
		if len(problems) > 0 {
			template.HTMLEscape(&buf, []byte(strings.Join(problems, "; ")))
		} else {
			template.HTMLEscape(&buf, []byte("no benchmark results file ("+strings.Join(b.cfg.BenchResults, ", ")+")"))
		}
		buf.WriteString(`. Run <code>make bench</code> or <code>make bench-large</code>, then build the site again.</p></figure>`)
		return template.HTML(buf.String())
	}
	buf.WriteString(svg) // built from numbers and fixed labels; the desc is escaped
	buf.WriteString(`<figcaption>The growth curve, drawn when the site was built from `)
	template.HTMLEscape(&buf, []byte(strings.Join(used, " and ")))
	buf.WriteString(`: drain throughput, median over trials with a bar from the slowest to the fastest trial; solid lines throwaway settings, dashed durable ones. A hollow point had a trial that started at a load average of 1 or more, which the quiet ratio leaves out.</figcaption></figure>`)
	return template.HTML(buf.String())
}

func dirtyNote(dirty bool) string {
	if dirty {
		return " with uncommitted changes"
	}
	return ""
}

// trialsNote says how many growth trials of a run were loaded.
func trialsNote(r *results.Results) string {
	var n, loaded int
	for _, g := range r.Growth {
		for _, p := range []*results.Pair{&g.Pair, g.Durable} {
			if p != nil {
				n += p.N()
				loaded += p.Loaded()
			}
		}
	}
	return fmt.Sprintf("%d of %d pair trials loaded", loaded, n)
}

// withFigure puts figure before the page's first section heading (after
// its introduction), or at its end when it has none.
func withFigure(body []byte, figure template.HTML) []byte {
	i := bytes.Index(body, []byte("<h2"))
	if i < 0 {
		i = len(body)
	}
	out := make([]byte, 0, len(body)+len(figure))
	out = append(out, body[:i]...)
	out = append(out, figure...)
	return append(out, body[i:]...)
}
