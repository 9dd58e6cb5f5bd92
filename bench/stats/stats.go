// Package stats summarises benchmark samples: percentiles of latencies and
// medians of repeated throughput runs.
package stats

import (
	"math"
	"slices"
)

// Summary describes a set of samples. Percentiles use the nearest-rank
// method: P99 is a value that was actually observed, the smallest one with
// at least 99% of the samples at or below it.
type Summary struct {
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarize returns the summary of samples; an empty input gives the zero
// Summary. samples is not modified.
func Summarize(samples []float64) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	var sum float64
	for _, v := range sorted {
		sum += v
	}
	return Summary{
		N:    len(sorted),
		Min:  sorted[0],
		P50:  percentileSorted(sorted, 50),
		P90:  percentileSorted(sorted, 90),
		P99:  percentileSorted(sorted, 99),
		Max:  sorted[len(sorted)-1],
		Mean: sum / float64(len(sorted)),
	}
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// samples, or NaN for no samples.
func Percentile(samples []float64, p float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return percentileSorted(sorted, p)
}

func percentileSorted(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Median is the middle of samples (the mean of the two middle values for an
// even count), or NaN for no samples. Repeated throughput runs are quoted by
// their median: one slow run on a shared machine does not move it.
func Median(samples []float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// Spread describes repeated measurements of one figure (a ratio or a
// throughput over trials): the median that is quoted, and how far the
// trials scattered around it. Q1 and Q3 are the medians of the lower and
// upper halves (Tukey's hinges), so with few trials they are trial values
// or the mean of two.
type Spread struct {
	N      int       `json:"n"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Q1     float64   `json:"q1"`
	Q3     float64   `json:"q3"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
}

// SpreadOf summarises values (kept in their order in Values); no values
// give the zero Spread.
func SpreadOf(values []float64) Spread {
	if len(values) == 0 {
		return Spread{}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	half := len(sorted) / 2
	lower, upper := sorted[:half], sorted[len(sorted)-half:]
	if half == 0 {
		lower, upper = sorted, sorted
	}
	return Spread{
		N:      len(sorted),
		Median: Median(sorted),
		Min:    sorted[0],
		Q1:     Median(lower),
		Q3:     Median(upper),
		Max:    sorted[len(sorted)-1],
		Values: slices.Clone(values),
	}
}

// RelativeWidth is (Max − Min) ÷ Median: how far apart the trials were, as
// a share of the quoted figure (0 for one trial or no median).
func (s Spread) RelativeWidth() float64 {
	if s.N < 2 || s.Median == 0 {
		return 0
	}
	return (s.Max - s.Min) / s.Median
}
