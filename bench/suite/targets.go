package suite

import "github.com/prodproof/prodproof/bench/results"

// targets judges the run against the goals of issue #6.
func targets(res *results.Results) []results.Target {
	var out []results.Target
	add := func(name, goal string, value float64, met bool) {
		out = append(out, results.Target{Name: name, Goal: goal, Value: value, Met: met})
	}
	if v, ok := res.Ratios["drain_vs_river"]; ok {
		add("drain ÷ River (best)", "≥ 1.3", v.Median, v.Median >= 1.3)
	}
	if v, ok := res.Ratios["drain_vs_pgbench_limit"]; ok {
		add("drain ÷ pgbench limit", "≥ 0.5", v.Median, v.Median >= 0.5)
	}
	if res.PickupMS.N > 0 {
		add("pick-up p50 (ms)", "≤ 3", res.PickupMS.P50, res.PickupMS.P50 <= 3)
		add("pick-up p99 (ms)", "≤ 10", res.PickupMS.P99, res.PickupMS.P99 <= 10)
	}
	if res.PostMS.N > 0 {
		add("POST /jobs p99 at 8 clients (ms)", "≤ 10", res.PostMS.P99, res.PostMS.P99 <= 10)
	}
	if res.BackendPeakRSSMiB > 0 {
		add("backend peak RSS (MiB)", "< 64", res.BackendPeakRSSMiB, res.BackendPeakRSSMiB < 64)
	}
	return out
}
