package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/bench/stats"
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
	// Per trial 3.0, 2.0, 1.25: median 2.0. The ratio of medians would be
	// 2.5, which mixes trials and is not what is quoted.
	got := r.Ratios["drain_vs_river"]
	if got.Median != 2 || got.Min != 1.25 || got.Max != 3 || got.N != 3 {
		t.Errorf("drain_vs_river = %+v, want median 2 of 1.25..3 (per-trial ratios)", got)
	}
	if got.Values[0] != 3 || got.Values[2] != 1.25 {
		t.Errorf("per-trial ratios not in trial order: %v", got.Values)
	}
	if got := r.Ratios["drain_vs_river_defaults"]; got.Median != 30 || got.N != 1 {
		t.Errorf("drain_vs_river_defaults = %+v, want 30 (trial 1 only)", got)
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
		{[]string{"ratios", "drain_vs_river", "median"}, 2},
		{[]string{"ratios", "drain_vs_pgbench_limit", "median"}, 0.5},
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
	g := GrowthPoint{Backlog: 100000}
	g.AddTrial(quiet(8000), quiet(10000))
	g.AddTrial(quiet(12500), quiet(10000))
	g.Durable = &Pair{}
	g.Durable.AddTrial(quiet(3000), quiet(2000))
	r.Growth = []GrowthPoint{g}
	r.Durable = &Durable{Backlog: 100000}
	r.Durable.Durable.AddTrial(quiet(1000), quiet(2000))
	r.Retention = &Retention{Jobs: 1000, Chunks: 10, Without: &TableSize{Rows: 1000, TableBytes: 1 << 20}, NotMeasured: "retention not available"}
	r.Targets = []Target{{Name: "drain ÷ River", Goal: "≥ 1.3", Value: 2, Met: true}, {Name: "pick-up p99", Goal: "≤ 10 ms", Value: 12, Met: false}}
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"reference backend, 1 instance", "20000", "drain_vs_river", "2.00", "8 clients", "pick-up p99", "NO",
		"GROWTH", "100000", "0.80–1.25", "GROWTH, DURABLE", "1.50", "DURABLE", "durable (fsync", "0.50", "without retention", "not measured: retention not available"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// quiet is a side measured on a quiet machine, without CPU figures.
func quiet(jobsPerSec float64) Side { return Side{JobsPerSec: jobsPerSec, Load1: 0.2} }

// TestLoadedTrialsAreMarkedAndLeftOutOfTheQuietRatio: a trial with either
// side starting at or above QuietLoad1 counts in the ratio over all trials
// but not in the quiet one; CPU per job is compared where both sides have it.
func TestLoadedTrialsAreMarkedAndLeftOutOfTheQuietRatio(t *testing.T) {
	var p Pair
	cpu := func(process, postgres float64) *CPUPerJob {
		return &CPUPerJob{Process: process, Postgres: postgres, Total: process + postgres}
	}
	p.AddTrial(Side{JobsPerSec: 20000, Load1: 0.3, CPU: cpu(20, 60)}, Side{JobsPerSec: 10000, Load1: 0.9, CPU: cpu(100, 60)}) // 2, quiet
	p.AddTrial(Side{JobsPerSec: 30000, Load1: 0.5}, Side{JobsPerSec: 10000, Load1: QuietLoad1})                               // 3, loaded
	p.AddTrial(Side{JobsPerSec: 12000, Load1: 4, CPU: cpu(20, 80)}, Side{JobsPerSec: 10000, Load1: 0.1, CPU: cpu(90, 60)})    // 1.2, loaded
	p.AddTrial(Side{JobsPerSec: 10000, Load1: -1}, quiet(10000))                                                              // load unknown: not quiet
	if p.Loaded() != 3 || p.Trials[0].Quiet != true || p.Trials[1].Quiet || p.Trials[2].Quiet || p.Trials[3].Quiet {
		t.Errorf("loaded %d, trials %+v: want the last three marked", p.Loaded(), p.Trials)
	}
	if p.RatioSpread.N != 4 || p.QuietRatio.N != 1 || p.QuietRatio.Median != 2 {
		t.Errorf("all %+v quiet %+v: want 4 ratios, and the quiet one alone (2)", p.RatioSpread, p.QuietRatio)
	}
	if p.OursCPU.N != 2 || p.RiverCPU.Values[1] != 150 || p.CPURatio.Values[0] != 2 || p.CPURatio.Values[1] != 1.5 {
		t.Errorf("cpu ours %+v River %+v ratio %+v: want the two measured trials, River ÷ ours 2 and 1.5", p.OursCPU, p.RiverCPU, p.CPURatio)
	}
}

func TestPairRatiosAreTakenWithinATrial(t *testing.T) {
	var p Pair
	p.AddTrial(quiet(30000), quiet(10000)) // 3
	p.AddTrial(quiet(10000), quiet(20000)) // 0.5
	p.AddTrial(quiet(22000), quiet(25000)) // 0.88
	// The ratio of the medians would be 22000 ÷ 20000 = 1.1.
	if p.Ratio != 0.88 || p.RatioSpread.Min != 0.5 || p.RatioSpread.Max != 3 {
		t.Errorf("ratio %v spread %+v, want median 0.88 of 0.5..3", p.Ratio, p.RatioSpread)
	}
	if p.OursJobsPerSec != 22000 || p.RiverJobsPerSec != 20000 {
		t.Errorf("medians ours %v River %v", p.OursJobsPerSec, p.RiverJobsPerSec)
	}
	g := GrowthPoint{Backlog: 10, Pair: p}
	g.Finish()
	if g.OursUSPerJob < 45.45 || g.OursUSPerJob > 45.46 || g.RiverUSPerJob != 50 { // 1e6 ÷ 22000, 1e6 ÷ 20000
		t.Errorf("µs per job ours %v River %v", g.OursUSPerJob, g.RiverUSPerJob)
	}
}

// TestWriteFileReadFileRoundTrip writes with the writer and reads with the
// reader: every field survives.
func TestWriteFileReadFileRoundTrip(t *testing.T) {
	r := New()
	r.Quick = true
	r.Versions.River = "v0.51.2"
	r.Settings.GrowthBacklogs = []int{1000, 5000}
	r.Settings.GrowthTrials = map[string]int{"1000": 2, "5000": 2}
	r.AddDrain("ours_1", 20000)
	r.AddDrain("ours_1", 21000)
	r.AddDrain("river_best", 10000)
	r.AddDrain("river_best", 12000)
	for _, b := range []int{1000, 5000} {
		g := GrowthPoint{Backlog: b}
		g.AddTrial(quiet(20000), quiet(10000))
		g.AddTrial(Side{JobsPerSec: 21000, Load1: 3.5, CPU: &CPUPerJob{Process: 21, Postgres: 70, Total: 91}},
			Side{JobsPerSec: 12000, Load1: 2.5, CPU: &CPUPerJob{Process: 80, Postgres: 75, Total: 155}})
		g.AddJobLatency(false, 1.5, 9)
		g.AddJobLatency(true, 2.5, 19)
		g.OursClaimMS = stats.SpreadOf([]float64{1, 2, 3})
		g.ClaimPlan = &Plan{ExecutionMS: 1.2, SharedHitBlocks: 900, Nodes: []string{"Update on jobs", "Index Scan using jobs_pkey on jobs"}}
		g.Durable = &Pair{}
		g.Durable.AddTrial(quiet(8000), Side{JobsPerSec: 5000, Load1: 0.4, CPU: &CPUPerJob{Process: 50, Postgres: 90, Total: 140}})
		r.Growth = append(r.Growth, g)
	}
	r.Durable = &Durable{Backlog: 5000, Settings: map[string]string{"fsync": "on"}}
	r.Durable.Durable.AddTrial(quiet(5000), quiet(4000))
	r.Durable.Throwaway.AddTrial(quiet(20000), quiet(10000))
	r.Retention = &Retention{Jobs: 5000, Chunks: 10, RetentionMS: 1000,
		Without: &TableSize{Rows: 5000, ProcessedRows: 5000, TableBytes: 1 << 20, IndexBytes: 1 << 19, TotalBytes: 3 << 19, Seconds: 1.5},
		With:    &TableSize{Rows: 0, TableBytes: 1 << 17}}
	r.ComputeRatios()
	r.Targets = []Target{{Name: "x", Goal: "≥ 1", Value: 2, Met: true}}
	r.StartedAt = time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)

	path := filepath.Join(t.TempDir(), "results.json")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(back)
		t.Errorf("round trip changed the results:\nwrote %s\nread  %s", a, b)
	}
	if back.Growth[1].Ratio != 1.875 || back.Growth[1].ClaimPlan.SharedHitBlocks != 900 ||
		back.Growth[1].Trials[1].Quiet || back.Growth[1].Trials[1].River.CPU.Postgres != 75 || back.Growth[1].QuietRatio.N != 1 {
		t.Errorf("growth read back = %+v", back.Growth[1])
	}
	if d := back.Growth[0].Durable; d == nil || d.Ratio != 1.6 || d.Trials[0].River.CPU.Total != 140 || back.Growth[0].DurableRiverUSPerJob != 200 {
		t.Errorf("durable growth read back = %+v (cost %v)", d, back.Growth[0].DurableRiverUSPerJob)
	}
}

func TestReadFileRejectsAnotherSchemaAndBadJSON(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"old.json": `{"schema_version": 1, "quick": true}`,
		"bad.json": `{"schema_version": 2,`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(path); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}

func TestCompareLinesUpRatiosAndJudgesTheMargin(t *testing.T) {
	run := func(ours, river float64) *Results {
		r := New()
		r.AddDrain("ours_1", ours)
		r.AddDrain("river_best", river)
		r.AddDrain("ours_1", ours)
		r.AddDrain("river_best", river)
		r.AddDrain("river_defaults", 1000)
		g := GrowthPoint{Backlog: 10000}
		g.AddTrial(quiet(ours), quiet(river))
		g.AddTrial(quiet(ours), quiet(river))
		r.Growth = []GrowthPoint{g}
		r.ComputeRatios()
		return r
	}
	ags := Compare(run(11000, 10000), run(12000, 10000), 0.1)
	if len(ags) != 3 || ags[0].Name != "drain_vs_river" || ags[1].Name != "drain_vs_river_defaults" || ags[2].Name != "growth_10000" {
		t.Fatalf("agreements = %+v", ags)
	}
	if !ags[0].Judged || ags[1].Judged {
		t.Errorf("a ratio of one trial must not be judged, one of two must: %+v", ags)
	}
	// 1.1 against 1.2: 0.1 ÷ 1.15 = 8.7 %, within 10 %.
	if d := ags[0].Diff; d < 0.0869 || d > 0.0870 || !ags[0].Within {
		t.Errorf("1.1 vs 1.2: %+v", ags[0])
	}
	if ags := Compare(run(11000, 10000), run(13000, 10000), 0.1); ags[0].Within {
		t.Errorf("1.1 vs 1.3 judged within 10 %%: %+v", ags[0])
	}
	var buf bytes.Buffer
	if err := WriteAgreement(&buf, ags, 0.1); err != nil || !strings.Contains(buf.String(), "within 10 %") || !strings.Contains(buf.String(), "not judged") {
		t.Errorf("agreement table: %v\n%s", err, buf.String())
	}
}
