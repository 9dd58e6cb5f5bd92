package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRatiosAreTakenWithinARoundThenMedianed(t *testing.T) {
	r := New()
	for _, v := range []float64{30000, 20000, 25000} {
		r.AddDrain("ours_1", v)
	}
	for _, v := range []float64{10000, 10000, 20000} {
		r.AddDrain("river_best", v)
	}
	r.AddDrain("river_defaults", 1000) // first round only
	r.ComputeRatios()

	if got := r.Drain["ours_1"].Median; got != 25000 {
		t.Errorf("median ours_1 = %v, want 25000", got)
	}
	// Per round 3.0, 2.0, 1.25: median 2.0. The ratio of medians would be
	// 2.5, which mixes rounds and is not what is quoted.
	if got := r.Ratios["drain_vs_river"]; got != 2 {
		t.Errorf("drain_vs_river = %v, want 2 (median of per-round ratios)", got)
	}
	if got := r.Ratios["drain_vs_river_defaults"]; got != 30 {
		t.Errorf("drain_vs_river_defaults = %v, want 30 (round 1 only)", got)
	}
	if len(r.RatiosPerRound) != 3 || len(r.RatiosPerRound[1]) != 1 {
		t.Errorf("per round = %v", r.RatiosPerRound)
	}
	if _, ok := r.Ratios["drain_vs_pgbench_limit"]; ok {
		t.Error("a ratio with no denominator was computed")
	}
}

func TestNoteRSSKeepsThePeak(t *testing.T) {
	r := New()
	r.NoteRSS("drain", 30)
	r.NoteRSS("http", 25)
	r.NoteRSS("drain", 20)
	if r.BackendPeakRSSMiB != 30 || r.PeakRSSByPhase["drain"] != 30 || r.PeakRSSByPhase["http"] != 25 {
		t.Errorf("peak %v by phase %v", r.BackendPeakRSSMiB, r.PeakRSSByPhase)
	}
}

func TestWriteFileHasTheRequiredKeys(t *testing.T) {
	r := New()
	r.AddDrain("ours_1", 20000)
	r.AddDrain("river_best", 10000)
	r.AddDrain("pgbench_limit", 40000)
	r.ComputeRatios()
	r.PickupMS.P50, r.PickupMS.P99 = 1.5, 4
	r.PostMS.P99 = 3
	r.BackendPeakRSSMiB = 30
	path := filepath.Join(t.TempDir(), "results.json")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	get := func(path ...string) any {
		var cur any = doc
		for _, k := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		}
		return cur
	}
	for _, tt := range []struct {
		path []string
		want float64
	}{
		{[]string{"ratios", "drain_vs_river"}, 2},
		{[]string{"ratios", "drain_vs_pgbench_limit"}, 0.5},
		{[]string{"pickup_ms", "p50"}, 1.5},
		{[]string{"pickup_ms", "p99"}, 4},
		{[]string{"post_ms", "p99"}, 3},
		{[]string{"backend_peak_rss_mib"}, 30},
	} {
		if got, _ := get(tt.path...).(float64); got != tt.want {
			t.Errorf("%s = %v, want %v", strings.Join(tt.path, "."), get(tt.path...), tt.want)
		}
	}
}

func TestWriteTableShowsRatiosAndMisses(t *testing.T) {
	r := New()
	r.AddDrain("ours_1", 20000)
	r.AddDrain("river_best", 10000)
	r.ComputeRatios()
	r.HTTP = []HTTPLevel{{Clients: 8, Requests: 100, PerSecond: 5000}}
	r.Targets = []Target{{Name: "drain ÷ River", Goal: "≥ 1.3", Value: 2, Met: true}, {Name: "pick-up p99", Goal: "≤ 10 ms", Value: 12, Met: false}}
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"reference backend, 1 instance", "20000", "drain_vs_river", "2.00", "8 clients", "pick-up p99", "NO"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
