package runner

import (
	"context"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/internal/report"
)

// BenchmarkRunAll runs every proof once, as `make proofs` does (minus the
// Postgres start, which pgtest shares), and reports the whole run and each
// proof's duration. The goal is a full run under 60 s on two cores.
func BenchmarkRunAll(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dbURL := pgtest.NewDatabase(b)
		reportDir := b.TempDir()
		b.StartTimer()
		start := time.Now()
		code := Main(context.Background(), benchConfig(dbURL, "run", "--db", "url", "--reset-existing-db", "--report", reportDir))
		total := time.Since(start)
		b.StopTimer()
		run, err := report.Load(reportDir)
		if err != nil {
			b.Fatal(err)
		}
		if code != ExitPass {
			for _, s := range run.Scenarios {
				if s.Verdict != report.Pass {
					b.Errorf("%s: %s %s %+v", s.Name, s.Verdict, s.Reason, s.FirstFailure)
				}
			}
		}
		b.ReportMetric(total.Seconds(), "s/run")
		for _, s := range run.Scenarios {
			b.ReportMetric(float64(s.DurationMS)/1000, "s/"+s.Name)
		}
		b.StartTimer()
	}
}
