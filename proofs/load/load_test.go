package load

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/healthdoc"
	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/harness"
)

// `make load` runs TestLoadHygiene for a minute and keeps the figures.
var (
	loadDuration = flag.Duration("load.duration", 8*time.Second, "how long TestLoadHygiene drives the backend")
	loadRate     = flag.Int("load.rate", 100, "job posts per second in TestLoadHygiene (each followed by a GET)")
	loadReport   = flag.String("load.report", "", "file to write TestLoadHygiene's figures to as JSON")
	// The short run inside `make test` shares two cores with every other
	// package's tests, so its timings say more about the neighbours than
	// about the backend: it reports /health latency but does not judge it
	// (speed goals are not unit-test assertions here). `make load` judges
	// it by a percentile: one probe stalled by a busy machine is not a
	// hygiene failure, a slow /health is.
	healthStrict = flag.Bool("load.health-strict", false, fmt.Sprintf("require /health p%d under %d ms", healthPercentile, healthLimitMS))
)

// The /health latency judgement under -load.health-strict: the 95th
// percentile (nearest rank) of every /health probe may exceed that of the
// same process's /livez, probed just before each (no database, no locks),
// by less than healthLimitMS. p99 and the maximum are reported beside it,
// never judged. On a two-core machine shared with other builds, the
// scheduler delays every request to the backend by tens to hundreds of ms:
// that is the machine's, and shows in /livez as much as in /health; what
// /health adds on top (its database check queued behind the job traffic,
// a lock) is the backend's.
const (
	healthPercentile = 95
	healthLimitMS    = 50
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// dbMaxConns is the backend pool size the test sets; its notification
// listener holds one more connection.
const dbMaxConns = 10

// TestLoadHygiene runs the real backend binary on loopback, posts and reads
// jobs at a fixed rate, and requires: no failed request, every /health a
// 200 (p95 under 50 ms with -load.health-strict), resident memory, threads and open files flat from the
// middle third of the run to the last, and the backend's database sessions
// within its pool size throughout and no more at the end than when warm.
func TestLoadHygiene(t *testing.T) {
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
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal("parse test database URL")
	}
	dbName := strings.TrimPrefix(u.Path, "/")

	var procs harness.Group
	t.Cleanup(procs.KillAll)
	mig, err := procs.Run(ctx, harness.Spec{Name: "migrate", Path: binary, Args: []string{"migrate", "up"}, Env: []string{"DATABASE_URL=" + dbURL}}, time.Minute)
	if err != nil || mig.ExitCode != 0 {
		t.Fatalf("migrate up: exit %d, %v: %s", mig.ExitCode, err, lastLine(mig.Combined()))
	}
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	backend, err := procs.Start(harness.Spec{
		Name: "backend", Path: binary, Args: []string{"serve"},
		Env: []string{"DATABASE_URL=" + dbURL, "PORT=" + strconv.Itoa(port), "BIND_ADDR=127.0.0.1", "JOB_POLL_MS=200",
			"DB_MAX_CONNS=" + strconv.Itoa(dbMaxConns), "LOG_LEVEL=warn"},
		Output: func(_, line string) { logs.WriteString(line + "\n") },
	})
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, ctx, base, backend)

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	res, err := Run(ctx, Options{BaseURL: base, PID: backend.PID(), Pool: pool, DBName: dbName, Duration: *loadDuration, Rate: *loadRate})
	if err != nil {
		t.Fatal(err)
	}
	flat, flatErr := Flatness(res)
	t.Logf("%d requests in %.1fs at %d posts/s; POST p50 %.1f ms p99 %.1f ms", res.Requests, float64(res.DurationMS)/1000, res.Rate, res.PostP50MS, res.PostP99MS)
	t.Logf("/health: p%d %.1f ms, /livez p%d %.1f ms: /health adds %.1f ms (judged: under %d ms); p99 %.1f ms, max %.1f ms (reported, not judged); %d of %d probes over 50 ms",
		healthPercentile, res.HealthP95MS, healthPercentile, res.LivezP95MS, res.HealthP95MS-res.LivezP95MS, healthLimitMS, res.HealthP99MS, res.HealthMaxMS, res.HealthOver50, len(res.Health))
	t.Logf("warm → end: RSS %d → %d KiB, fds %d → %d, threads %d → %d, db sessions %d → %d (max %d)",
		flat.RSSWarmKiB, flat.RSSEndKiB, flat.FDsWarmMax, flat.FDsEndMax, flat.ThreadsWarmMax, flat.ThreadsEndMax, flat.ConnsWarmMax, flat.ConnsEndMax, flat.ConnsMax)
	// Every failure is recorded as well as reported, and the figures are
	// written whatever the outcome, so the report (and the website page
	// made from it) shows a failed run with its reasons.
	var failures []string
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		failures = append(failures, msg)
		t.Error(msg)
	}
	if *loadReport != "" {
		defer func() { writeReport(t, *loadReport, res, flat, failures) }()
	}
	if flatErr != nil {
		fail("%v", flatErr)
		return
	}

	if res.Errors > 0 {
		fail("%d failed requests, e.g. %v", res.Errors, res.ErrorExamples)
	}
	if want := int(res.DurationMS) * res.Rate / 1000 * 2 * 8 / 10; res.Requests < want {
		fail("%d requests; the fixed rate should have made at least %d", res.Requests, want)
	}
	if len(res.Health) == 0 {
		fail("no /health probe answered")
	}
	if *healthStrict && res.HealthP95MS-res.LivezP95MS >= healthLimitMS {
		fail("/health p%d %.1f ms is %.1f ms over /livez's (%.1f ms), not under %d ms (p99 %.1f ms, max %.1f ms; %d of %d probes over 50 ms)",
			healthPercentile, res.HealthP95MS, res.HealthP95MS-res.LivezP95MS, res.LivezP95MS, healthLimitMS, res.HealthP99MS, res.HealthMaxMS, res.HealthOver50, len(res.Health))
	}
	// Memory may settle a little after warm-up; a leak grows with the
	// requests served, and a third of the run is thousands of them.
	if limit := flat.RSSWarmKiB*12/10 + 4096; flat.RSSEndKiB > limit {
		fail("RSS grew from %d KiB (warm) to %d KiB (end), over the %d KiB allowed", flat.RSSWarmKiB, flat.RSSEndKiB, limit)
	}
	if flat.FDsEndMax > flat.FDsWarmMax+4 {
		fail("open fds grew from %d to %d", flat.FDsWarmMax, flat.FDsEndMax)
	}
	if flat.ThreadsEndMax > flat.ThreadsWarmMax+2 {
		fail("threads grew from %d to %d", flat.ThreadsWarmMax, flat.ThreadsEndMax)
	}
	if flat.ConnsMax > dbMaxConns+1 {
		fail("%d database sessions at peak; the pool allows %d plus the listener", flat.ConnsMax, dbMaxConns)
	}
	if flat.ConnsEndMax > flat.ConnsWarmMax {
		fail("database sessions grew from %d to %d", flat.ConnsWarmMax, flat.ConnsEndMax)
	}
	if exited, code := backend.Exited(); exited {
		t.Log(logs.String())
		fail("backend exited with %d during the load", code)
		return
	}
	if code := backend.Terminate(15 * time.Second); code != 0 {
		t.Log(logs.String())
		fail("graceful stop after the load: exit %d", code)
	}
}

// waitHealthy waits until the backend's /health says ok.
func waitHealthy(t *testing.T, ctx context.Context, base string, p *harness.Process) {
	t.Helper()
	await.Until(t, 20*time.Second, "backend healthy (/health 200 ok)", func() (bool, string) {
		last := "no answer"
		if resp, err := http.Get(base + "/health"); err != nil {
			last = err.Error()
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			doc, err := healthdoc.Decode(body)
			if err == nil && resp.StatusCode == http.StatusOK && doc.Status == "ok" {
				return true, ""
			}
			last = doc.Summary(resp.StatusCode)
			if err != nil {
				last = err.Error()
			}
		}
		if exited, code := p.Exited(); exited {
			t.Fatalf("backend exited with %d before answering /health", code)
		}
		if ctx.Err() != nil {
			t.Fatalf("interrupted before the backend was healthy; last /health: %s", last)
		}
		return false, "last /health: " + last
	})
}

// writeReport writes load.json with the package's writer, whatever the
// outcome; a test failure not recorded in failures still makes it a fail.
func writeReport(t *testing.T, path string, res report.LoadResult, flat report.LoadFlatness, failures []string) {
	t.Helper()
	if t.Failed() && len(failures) == 0 {
		failures = []string{"TestLoadHygiene failed; see its output"}
	}
	if err := WriteReport(path, res, flat, failures, *healthStrict); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
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
