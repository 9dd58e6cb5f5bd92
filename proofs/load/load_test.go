package load

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/prove"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// loadDuration is how long the short run inside `make test` drives the
// backend; `proofs load` (make load) runs a minute on its own.
var loadDuration = flag.Duration("load.duration", 8*time.Second, "how long TestLoadProof drives the backend")

// TestLoadProof runs the load proof through the framework on a fresh
// database, as `proofs load` does, for a few seconds. The short run shares
// two cores with every other package's tests, so its timings say more about
// the neighbours than about the backend: it does not judge /health
// latency (HealthStrict is for `proofs load`, which runs alone).
func TestLoadProof(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), *loadDuration+3*time.Minute)
	defer cancel()
	root, err := harness.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	binary, err := harness.BuildBackend(ctx, root, t.TempDir(), os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	reportRoot := t.TempDir()
	reportDir := filepath.Join(reportRoot, report.LoadDir)
	loadFile := filepath.Join(reportDir, report.LoadReportFile)
	res, err := prove.Run(ctx, prove.Params{
		Proofs:                []prove.Proof{Proof(ProofOptions{Binary: func() string { return binary }, Duration: *loadDuration, Rate: 100, ReportFile: loadFile})},
		ReportDir:             reportDir,
		Database:              "url",
		DatabaseURL:           pgtest.NewDatabase(t),
		ResetExistingDatabase: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != prove.Pass {
		t.Errorf("load proof: %s: %+v", res.Verdict, res.Proofs)
	}
	got, err := report.LoadLoad(reportRoot)
	if err != nil {
		t.Fatalf("load.json: %v", err)
	}
	if got.Verdict != report.Pass || got.Requests == 0 || got.HealthStrict == nil || *got.HealthStrict {
		t.Errorf("load.json: verdict %s, %d requests, health_strict %v", got.Verdict, got.Requests, got.HealthStrict)
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, c := range []struct{ p, want float64 }{{50, 3}, {99, 5}, {1, 1}, {100, 5}} {
		if got := percentile(xs, c.p); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("empty percentile")
	}
}

func TestFlatnessNeedsSamplesAndSeesGrowth(t *testing.T) {
	if _, err := Flatness(report.LoadResult{}); err == nil {
		t.Error("no samples gave a verdict")
	}
	var r report.LoadResult
	for i := range 9 {
		r.Proc = append(r.Proc, report.ProcSample{RSSKiB: int64(10000 + 1000*i), FDs: 10 + i, Threads: 8})
		r.Conns = append(r.Conns, report.ConnSample{Count: 3 + i/3})
	}
	f, err := Flatness(r)
	if err != nil {
		t.Fatal(err)
	}
	if f.RSSWarmKiB != 14000 || f.RSSEndKiB != 17000 || f.FDsWarmMax != 15 || f.FDsEndMax != 18 || f.ConnsWarmMax != 4 || f.ConnsEndMax != 5 || f.ConnsMax != 5 {
		t.Errorf("flatness %+v", f)
	}
}

func TestReadProcOfThisProcess(t *testing.T) {
	p, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p.RSSKiB <= 0 || p.Threads <= 0 || p.FDs <= 0 {
		t.Errorf("sample %+v", p)
	}
	if _, err := ReadProc(1 << 30); err == nil {
		t.Error("a process that does not exist was read")
	}
}
