package results

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// growthFixture is a curve at three backlogs, throwaway and durable; the
// durable pair at 1,000,000 had a trial whose River side started loaded.
func growthFixture() []GrowthPoint {
	var out []GrowthPoint
	for i, b := range []int{10000, 100000, 1000000} {
		g := GrowthPoint{Backlog: b}
		g.AddTrial(quiet(float64(20000+1000*i)), quiet(10000))
		g.AddTrial(quiet(float64(22000+1000*i)), quiet(12000))
		g.Durable = &Pair{}
		g.Durable.AddTrial(quiet(8000), quiet(6000))
		river := quiet(5000)
		if b == 1000000 {
			river.Load1 = 3
		}
		g.Durable.AddTrial(quiet(9000), river)
		g.Finish()
		out = append(out, g)
	}
	return out
}

// svgElement is one element of the plot, with its attributes.
type svgElement struct {
	name  string
	attrs map[string]string
}

func parseSVG(t *testing.T, doc string) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var out []svgElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the plot is not well-formed XML: %v\n%s", err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok {
			e := svgElement{name: se.Name.Local, attrs: map[string]string{}}
			for _, a := range se.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
		}
	}
}

func TestGrowthSVGDrawsEverySeriesFromTheFigures(t *testing.T) {
	doc := GrowthSVG(growthFixture())
	if strings.Contains(doc, "<script") || strings.Contains(doc, "style=") || strings.Contains(doc, "href") {
		t.Errorf("the plot must be static, without script, style attributes or links:\n%s", doc)
	}
	els := parseSVG(t, doc)
	var lines, points, hollow int
	cy := map[string]float64{}
	for _, e := range els {
		switch e.name {
		case "polyline":
			lines++
		case "circle":
			if e.attrs["r"] == "" {
				t.Errorf("circle without radius: %v", e.attrs)
			}
			points++
			if e.attrs["fill"] == "#ffffff" {
				hollow++
			}
			v, err := strconv.ParseFloat(e.attrs["cy"], 64)
			if err != nil {
				t.Fatal(err)
			}
			cy[e.attrs["cx"]] = v
		}
	}
	// 4 series × 3 backlogs, plus the legend's hollow marker.
	// A loaded trial is loaded for both sides: ours' and River's durable
	// points at 1,000,000 are hollow, and the legend's marker.
	if lines != 4 || points != 13 || hollow != 3 {
		t.Errorf("polylines %d, circles %d, hollow %d: want 4, 13 (12 points and the legend), 3", lines, points, hollow)
	}
	for _, want := range []string{"10,000 jobs: throwaway ours 21,000, River 11,000 jobs/s; durable ours 8,500, River 5,500 jobs/s",
		"1,000,000 jobs: throwaway ours 23,000", "ours, durable", "River, throwaway", "backlog (jobs, log scale)", "1,000,000</text>"} {
		if !strings.Contains(doc, want) {
			t.Errorf("plot lacks %q", want)
		}
	}
	// Faster is higher: ours' throwaway point at 1,000,000 (23,000 jobs/s)
	// sits above River's (11,000), which sits above River's durable (5,500).
	oursY, riverY, riverDurableY := yOf(t, doc, "ours, throwaway, 1,000,000"), yOf(t, doc, "River, throwaway, 1,000,000"), yOf(t, doc, "River, durable, 1,000,000")
	if !(oursY < riverY && riverY < riverDurableY) {
		t.Errorf("y of ours %v, River %v, River durable %v: want ours highest (smallest y)", oursY, riverY, riverDurableY)
	}
}

// yOf is the cy of the point whose tooltip starts with label.
func yOf(t *testing.T, doc, label string) float64 {
	t.Helper()
	i := strings.Index(doc, "<title>"+label+" jobs")
	if i < 0 {
		t.Fatalf("no point %q", label)
	}
	open := strings.LastIndex(doc[:i], "<circle")
	for _, e := range parseSVG(t, doc[open:i]+"</circle>") {
		if e.name == "circle" {
			v, _ := strconv.ParseFloat(e.attrs["cy"], 64)
			return v
		}
	}
	t.Fatalf("no circle before %q", label)
	return 0
}

func TestGrowthSVGWithoutDurableOrPointsDrawsWhatThereIs(t *testing.T) {
	if GrowthSVG(nil) != "" {
		t.Error("no points must draw nothing")
	}
	pts := growthFixture()[:1]
	pts[0].Durable = nil
	els := parseSVG(t, GrowthSVG(pts))
	var circles int
	for _, e := range els {
		if e.name == "circle" {
			circles++
		}
	}
	if circles != 3 { // ours and River, and the legend
		t.Errorf("circles %d, want 3", circles)
	}
}

func TestMergeGrowthTakesEachBacklogFromTheLaterFile(t *testing.T) {
	a, b := New(), New()
	pts := growthFixture()
	a.Growth = []GrowthPoint{pts[1], pts[0]}
	later := pts[1]
	later.Pair = Pair{}
	later.AddTrial(quiet(30000), quiet(10000))
	b.Growth = []GrowthPoint{later, pts[2], {Backlog: 5}} // a point without trials is no measurement
	got := MergeGrowth(a, nil, b)
	if len(got) != 3 || got[0].Backlog != 10000 || got[1].Backlog != 100000 || got[2].Backlog != 1000000 {
		t.Fatalf("merged backlogs = %+v", got)
	}
	if got[1].Ratio != 3 {
		t.Errorf("100,000 ratio %v: want the later file's 3", got[1].Ratio)
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -20000: "-20,000"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%v) = %q, want %q", v, got, want)
		}
	}
}
