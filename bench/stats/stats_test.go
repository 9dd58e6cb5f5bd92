package stats

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		samples []float64
		want    Summary
	}{
		{"empty", nil, Summary{}},
		{"one", []float64{7}, Summary{N: 1, Min: 7, P50: 7, P90: 7, P99: 7, Max: 7, Mean: 7}},
		{"unsorted four", []float64{4, 1, 3, 2}, Summary{N: 4, Min: 1, P50: 2, P90: 4, P99: 4, Max: 4, Mean: 2.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.samples); got != tt.want {
				t.Errorf("Summarize(%v) = %+v, want %+v", tt.samples, got, tt.want)
			}
		})
	}
}

func TestSummarizeHundredIsNearestRank(t *testing.T) {
	samples := make([]float64, 100)
	for i := range samples {
		samples[99-i] = float64(i + 1) // 100..1, reversed on purpose
	}
	got := Summarize(samples)
	if got.P50 != 50 || got.P90 != 90 || got.P99 != 99 || got.Max != 100 || got.Min != 1 {
		t.Errorf("1..100: got %+v, want p50=50 p90=90 p99=99 max=100 min=1", got)
	}
	if samples[0] != 100 {
		t.Error("Summarize sorted its input in place")
	}
}

func TestPercentile(t *testing.T) {
	samples := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 1000}
	for _, tt := range []struct {
		p    float64
		want float64
	}{{1, 10}, {50, 50}, {90, 90}, {99, 1000}, {100, 1000}} {
		if got := Percentile(samples, tt.p); got != tt.want {
			t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Percentile of nothing should be NaN")
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		samples []float64
		want    float64
	}{{[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := Median(tt.samples); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.samples, got, tt.want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median of nothing should be NaN")
	}
}

func TestSpreadOf(t *testing.T) {
	for _, tt := range []struct {
		name                        string
		in                          []float64
		median, min, q1, q3, maxVal float64
	}{
		{"one", []float64{2}, 2, 2, 2, 2, 2},
		{"two", []float64{3, 1}, 2, 1, 1, 3, 3},
		{"odd", []float64{5, 1, 4, 2, 3}, 3, 1, 1.5, 4.5, 5},
		{"even", []float64{6, 1, 5, 2, 4, 3}, 3.5, 1, 2, 5, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := SpreadOf(tt.in)
			if s.N != len(tt.in) || s.Median != tt.median || s.Min != tt.min || s.Q1 != tt.q1 || s.Q3 != tt.q3 || s.Max != tt.maxVal {
				t.Errorf("SpreadOf(%v) = %+v", tt.in, s)
			}
			if len(s.Values) != len(tt.in) || s.Values[0] != tt.in[0] {
				t.Errorf("values not kept in order: %v", s.Values)
			}
		})
	}
	if s := SpreadOf(nil); s.N != 0 || s.RelativeWidth() != 0 {
		t.Errorf("empty spread = %+v", s)
	}
	if w := SpreadOf([]float64{0.9, 1, 1.1}).RelativeWidth(); w < 0.1999 || w > 0.2001 {
		t.Errorf("relative width = %v, want 0.2", w)
	}
}
