package suite

import (
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/app"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/bench/stats"
)

func TestTargetsJudgeEachGoal(t *testing.T) {
	r := newTestResults()
	got := map[string]bool{}
	for _, tg := range targets(r) {
		got[tg.Name] = tg.Met
	}
	want := map[string]bool{
		"drain ÷ River (best)":             true,  // 1.5
		"drain ÷ pgbench limit":            false, // 0.4
		"pick-up p50 (ms)":                 true,
		"pick-up p99 (ms)":                 false, // 12
		"POST /jobs p99 at 8 clients (ms)": true,
		"backend peak RSS (MiB)":           true,
	}
	for name, met := range want {
		if v, ok := got[name]; !ok || v != met {
			t.Errorf("%s: met=%v (present %v), want %v", name, v, ok, met)
		}
	}
	if len(got) != len(want) {
		t.Errorf("targets %v, want exactly %d", got, len(want))
	}
}

func TestDrainEnvIsANoOpHandlerAtDefaults(t *testing.T) {
	env := drainEnv("postgres://x")
	if env["JOB_RECORD_EFFECTS"] != "0" || env["JOB_POLL_MS"] != "500" {
		t.Errorf("drain env %v", env)
	}
	for k := range env {
		if strings.HasPrefix(k, "JOB_") && k != "JOB_RECORD_EFFECTS" && k != "JOB_POLL_MS" {
			t.Errorf("drain env tunes %s: the comparison is at the backend's defaults", k)
		}
	}
}

func newTestResults() *results.Results {
	r := results.New()
	r.AddDrain("ours_1", 15000)
	r.AddDrain("river_best", 10000)
	r.AddDrain("pgbench_limit", 37500)
	r.ComputeRatios()
	r.PickupMS = stats.Summarize([]float64{1, 2, 12})
	r.PostMS = stats.Summarize([]float64{1, 2, 3})
	r.BackendPeakRSSMiB = 30
	return r
}

func TestWorkStartedAtReadsTheBackendsStartUpLine(t *testing.T) {
	var buf strings.Builder
	app.NewLogger(&buf, "info").Info(startUpDoneMsg, "PORT", 8080)
	line := strings.TrimSpace(buf.String())
	at, ok := workStartedAt(line)
	if !ok || time.Since(at) > time.Minute || time.Since(at) < 0 {
		t.Fatalf("workStartedAt(%q) = %v, %v; want the line's own time", line, at, ok)
	}
	for _, other := range []string{
		`{"time":"2026-12-02T15:52:53.823Z","level":"INFO","msg":"worker started"}`,
		`{"time":"2026-12-02T15:52:53.823Z","level":"INFO","msg":"http listening","note":"configuration"}`,
		`not json configuration`,
	} {
		if _, ok := workStartedAt(other); ok {
			t.Errorf("workStartedAt(%q) took it for the end of the start-up", other)
		}
	}
}
