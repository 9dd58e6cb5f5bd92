package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/website/cli"
	"github.com/prodproof/prodproof/website/serve"
)

// fixtureCommit is the commit the fixture report proved.
const fixtureCommit = "3f2a9c1d5e7b8a90c1d2e3f4a5b6c7d8e9f0a1b2"

// buildFixtureSite runs `website build` on the fixture report and docs.
func buildFixtureSite(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	var stdout, stderr bytes.Buffer
	args := []string{"build",
		"--report", filepath.Join("site", "testdata", "report"),
		"--docs", filepath.Join("site", "testdata", "docs"),
		"--readme", filepath.Join("site", "testdata", "README.md"),
		"--out", out, "--commit", fixtureCommit}
	if code := cli.Run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("website build exited %d: %s", code, stderr.String())
	}
	return out
}

// buildSingleProofRunSite copies the fixture report, records a run of
// worker_crash_recovers_job alone on a later commit (as `proofs run NAME`
// does), and builds the site from it.
func buildSingleProofRunSite(t *testing.T) string {
	t.Helper()
	reportDir := filepath.Join(t.TempDir(), "report")
	if err := os.CopyFS(reportDir, os.DirFS(filepath.Join("site", "testdata", "report"))); err != nil {
		t.Fatal(err)
	}
	const later = "4444444444444444444444444444444444444444"
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	run := report.Run{SchemaVersion: report.SchemaVersion, RunID: "single-run", Verdict: report.Pass,
		Provenance: report.Provenance{Commit: later, Command: "proofs run worker_crash_recovers_job", StartedAt: start, FinishedAt: start.Add(5 * time.Second)},
		Scenarios:  []report.Scenario{{Name: "worker_crash_recovers_job", Verdict: report.Pass, StartedAt: start, DurationMS: 4000}},
		Summary:    report.Summary{Passed: 1}}
	if err := report.WriteRun(reportDir, run, nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	var stdout, stderr bytes.Buffer
	if code := cli.Run(context.Background(), []string{"build", "--report", reportDir, "--out", out, "--commit", later}, &stdout, &stderr); code != 0 {
		t.Fatalf("website build exited %d: %s", code, stderr.String())
	}
	return out
}

// startServer serves dir with the website's own serve code on a free port.
func startServer(t *testing.T, dir string) string {
	t.Helper()
	srv, err := serve.Listen(serve.Config{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv.URL()
}

// chromiumPath finds the system Chromium. In CI (CI=true) a missing browser
// fails the test; elsewhere the test is skipped, saying why.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, $CHROMIUM); CI must install it: apt-get install chromium")
	}
	t.Skip("no Chromium installed (apt-get install chromium); skipping the browser test outside CI")
	return ""
}

// consoleLog collects console errors, uncaught exceptions and browser log
// errors (CSP violations, failed loads) from the page.
type consoleLog struct {
	mu       sync.Mutex
	problems []string
}

func (c *consoleLog) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, a.Description+string(a.Value))
			}
			msg = fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			msg = fmt.Sprintf("browser log %s/%s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL)
		}
	}
	if msg != "" {
		c.mu.Lock()
		c.problems = append(c.problems, msg)
		c.mu.Unlock()
	}
}

func (c *consoleLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.problems
	c.problems = nil
	return out
}

// artifactDir is where screenshots go: $ARTIFACTS_DIR, or a test temp dir.
func artifactDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("ARTIFACTS_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// TestBrowser opens the built fixture site in headless Chromium: every
// internal link resolves to a page with a title (and every #anchor exists),
// pages carry no script, the failing proof shows its first failure and the
// /health chart, and nothing is written to the console.
func TestBrowser(t *testing.T) {
	execPath := chromiumPath(t)
	base := startServer(t, buildFixtureSite(t))
	shots := artifactDir(t)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	console := &consoleLog{}
	if err := chromedp.Listen(ctx, console.listen); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// The first Run starts the browser and must not carry a timeout; later
	// steps get a deadline each.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	step := func(d time.Duration) (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, d) }

	type pageInfo struct {
		Title   string   `json:"title"`
		Links   []string `json:"links"`
		Scripts int      `json:"scripts"`
		IDs     []string `json:"ids"`
	}
	const inspect = `({title: document.title,
		links: Array.from(document.querySelectorAll('a[href], link[href], img[src]')).map(e => e.href || e.src),
		scripts: document.scripts.length,
		ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)})`

	baseURL, _ := url.Parse(base)
	queue := []string{base + "index.html"}
	seen := map[string]bool{base + "index.html": true}
	anchors := map[string][]string{} // page → fragments linked to it
	pageIDs := map[string][]string{}
	var files []string
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		sctx, cancel := step(30 * time.Second)
		resp, err := chromedp.Run(sctx, chromedp.NavigateResponse(page))
		if err != nil {
			cancel()
			t.Fatalf("open %s: %v", page, err)
		}
		if resp.Status != http.StatusOK {
			t.Errorf("%s answered %d", page, resp.Status)
		}
		info, err := chromedp.Run(sctx, chromedp.Evaluate[pageInfo](inspect))
		cancel()
		if err != nil {
			t.Fatalf("inspect %s: %v", page, err)
		}
		if strings.TrimSpace(info.Title) == "" {
			t.Errorf("%s has no <title>", page)
		}
		if info.Scripts != 0 {
			t.Errorf("%s has %d scripts; the site must work with JavaScript off", page, info.Scripts)
		}
		pageIDs[page] = info.IDs
		for _, p := range console.take() {
			t.Errorf("%s: %s", page, p)
		}
		for _, link := range info.Links {
			u, err := url.Parse(link)
			if err != nil || u.Host != baseURL.Host {
				if err == nil && u.Scheme != "http" && u.Scheme != "https" {
					t.Errorf("%s links to %q, which is neither a page of the site nor a web address", page, link)
				}
				continue
			}
			target := *u
			target.Fragment = ""
			key := target.String()
			if u.Fragment != "" {
				anchors[key] = append(anchors[key], u.Fragment)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			if strings.HasSuffix(u.Path, ".html") || strings.HasSuffix(u.Path, "/") {
				queue = append(queue, key)
			} else {
				files = append(files, key)
			}
		}
	}
	if len(pageIDs) < 17 {
		t.Errorf("crawled %d pages, want at least 17 (index, 11 proofs, soak, load, 3 docs)", len(pageIDs))
	}
	for _, p := range []string{"soak.html", "load.html", "soak/backend.log", "soak/events.ndjson", "soak/soak.json", "load/load.json"} {
		if !seen[base+p] {
			t.Errorf("no link leads to %s", p)
		}
	}
	for page, frags := range anchors {
		for _, f := range frags {
			if !slices.Contains(pageIDs[page], f) {
				t.Errorf("a link points to %s#%s, which has no such id", page, f)
			}
		}
	}
	// Evidence files, the stylesheet and images: fetched, not rendered.
	for _, f := range files {
		resp, err := http.Get(f)
		if err != nil {
			t.Errorf("get %s: %v", f, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s answered %d", f, resp.StatusCode)
		}
	}
	t.Logf("followed %d pages and %d files", len(pageIDs), len(files))

	screenshot := func(name, page string, width, height int64) {
		t.Helper()
		sctx, cancel := step(30 * time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(page)); err != nil {
			t.Fatalf("open %s: %v", page, err)
		}
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", page, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	// The failing proof: its first failure and its chart are on screen.
	failing := base + "proofs/worker_restart_is_visible_in_health.html"
	sctx, cancel := step(30 * time.Second)
	if err := chromedp.Do(sctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(failing)); err != nil {
		t.Fatal(err)
	}
	type failureView struct {
		FailureText    string  `json:"failureText"`
		FailureVisible bool    `json:"failureVisible"`
		ChartWidth     float64 `json:"chartWidth"`
		ChartHeight    float64 `json:"chartHeight"`
		Bands          int     `json:"bands"`
		HighlightedRow string  `json:"highlightedRow"`
	}
	view, err := chromedp.Run(sctx, chromedp.Evaluate[failureView](`(() => {
		const f = document.getElementById('first-failure');
		const svg = document.querySelector('svg.chart');
		const r = f ? f.getBoundingClientRect() : null;
		const c = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
		const row = document.querySelector('tr.first-failure');
		return {failureText: f ? f.innerText : '', failureVisible: !!r && r.width > 0 && r.height > 0,
			chartWidth: c.width, chartHeight: c.height,
			bands: svg ? svg.querySelectorAll('rect.band').length : 0,
			highlightedRow: row ? getComputedStyle(row.cells[0]).backgroundColor : ''};
	})()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !view.FailureVisible || !strings.Contains(view.FailureText, "First failure") ||
		!strings.Contains(view.FailureText, "health returns to ok/healthy after the recovered job finishes") {
		t.Errorf("first failure not shown: visible=%v text=%q", view.FailureVisible, view.FailureText)
	}
	if view.ChartWidth < 500 || view.ChartHeight < 80 || view.Bands < 4 {
		t.Errorf("health chart not drawn: %.0fx%.0f px, %d bands", view.ChartWidth, view.ChartHeight, view.Bands)
	}
	if view.HighlightedRow == "" || view.HighlightedRow == "rgba(0, 0, 0, 0)" {
		t.Errorf("the first failure's assertion row is not highlighted (background %q)", view.HighlightedRow)
	}
	for _, p := range console.take() {
		t.Errorf("%s: %s", failing, p)
	}

	// The soak page: its summary line, a resource sparkline per instance
	// and the chaos actions are on screen.
	soakPage := base + "soak.html"
	sctx, cancel = step(30 * time.Second)
	if err := chromedp.Do(sctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(soakPage)); err != nil {
		t.Fatal(err)
	}
	type soakView struct {
		Line       string  `json:"line"`
		Sparks     int     `json:"sparks"`
		SparkWidth float64 `json:"sparkWidth"`
		ChaosRows  int     `json:"chaosRows"`
		Checks     int     `json:"checks"`
	}
	sv, err := chromedp.Run(sctx, chromedp.Evaluate[soakView](`(() => {
		const line = document.querySelector('.soak-line');
		const spark = document.querySelector('#instances svg.spark');
		return {line: line ? line.innerText : '',
			sparks: document.querySelectorAll('#instances svg.spark polyline').length,
			sparkWidth: spark ? spark.getBoundingClientRect().width : 0,
			chaosRows: document.querySelectorAll('#chaos > .scroll tbody tr').length,
			checks: document.querySelectorAll('#checks tbody tr').length};
	})()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sv.Line, "soak: 202 jobs, 14 faults, lost 0") || sv.Sparks < 5 || sv.SparkWidth < 60 || sv.ChaosRows != 4 || sv.Checks != 16 {
		t.Errorf("soak page not shown as expected: %+v", sv)
	}
	for _, p := range console.take() {
		t.Errorf("%s: %s", soakPage, p)
	}

	// A phone, 400 px wide: nothing runs off the screen. Tables scroll in
	// their own box or reflow; the guards table reflows.
	type phoneView struct {
		PageWidth   float64 `json:"pageWidth"`
		Viewport    float64 `json:"viewport"`
		GuardsRight float64 `json:"guardsRight"`
	}
	for _, page := range []string{"index.html", "proofs/worker_crash_recovers_job.html", "proofs/worker_restart_is_visible_in_health.html", "load.html"} {
		sctx, cancel := step(30 * time.Second)
		if err := chromedp.Do(sctx, chromedp.EmulateViewport(400, 860), chromedp.Navigate(base+page)); err != nil {
			t.Fatal(err)
		}
		pv, err := chromedp.Run(sctx, chromedp.Evaluate[phoneView](`(() => {
			const g = document.querySelector('table.guards');
			return {pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
				guardsRight: g ? g.getBoundingClientRect().right : 0};
		})()`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if pv.PageWidth > pv.Viewport || pv.GuardsRight > pv.Viewport {
			t.Errorf("%s at 400 px: page %.0f px wide, guards table ends at %.0f px, viewport %.0f px", page, pv.PageWidth, pv.GuardsRight, pv.Viewport)
		}
	}

	// After one proof run alone on a later commit, the site keeps every
	// other claim's verdict, each with its run, marked as from an older
	// commit.
	single := startServer(t, buildSingleProofRunSite(t))
	sctx, cancel = step(30 * time.Second)
	if err := chromedp.Do(sctx, chromedp.EmulateViewport(400, 860), chromedp.Navigate(single+"index.html")); err != nil {
		t.Fatal(err)
	}
	type singleView struct {
		Counts, Pill, CrashRow, OtherRow string
	}
	sv2, err := chromedp.Run(sctx, chromedp.Evaluate[singleView](`(() => {
		const row = name => { const a = document.querySelector('a.proof-name[href="proofs/' + name + '.html"]'); return a ? a.closest('tr').innerText : ''; };
		return {Counts: document.querySelector('.counts').innerText, Pill: document.querySelector('.run-pill').innerText,
			CrashRow: row('worker_crash_recovers_job'), OtherRow: row('worker_restart_is_visible_in_health')};
	})()`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's run had 9 of the catalog's proofs; 8 keep their verdict.
	// (innerText applies the badges' text-transform.)
	sv2.CrashRow, sv2.OtherRow = strings.ToLower(sv2.CrashRow), strings.ToLower(sv2.OtherRow)
	if !strings.Contains(sv2.Counts, "12 not run") || !strings.Contains(sv2.Counts, "1 fail") || !strings.Contains(sv2.Pill, "1 proof") ||
		!strings.Contains(sv2.CrashRow, "single-run") || strings.Contains(sv2.CrashRow, "older commit") ||
		!strings.Contains(sv2.OtherRow, "older commit") || !strings.Contains(sv2.OtherRow, "fail") {
		t.Errorf("single-proof run not shown as each claim's latest verdict: %+v", sv2)
	}
	for _, p := range console.take() {
		t.Errorf("single-proof site: %s", p)
	}
	screenshot("index-single-run-phone.png", single+"index.html", 400, 860)
	screenshot("proof-guards-phone.png", base+"proofs/worker_crash_recovers_job.html", 400, 860)

	screenshot("index.png", base+"index.html", 1280, 900)
	screenshot("proof-failing.png", failing, 1280, 900)
	screenshot("index-phone.png", base+"index.html", 390, 844)
	screenshot("proof-failing-phone.png", failing, 390, 844)
	screenshot("doc.png", base+"docs/proofs.html", 1280, 900)
	screenshot("soak.png", soakPage, 1280, 900)
	screenshot("soak-phone.png", soakPage, 390, 844)
	screenshot("load.png", base+"load.html", 1280, 900)
	for _, p := range console.take() {
		t.Errorf("console: %s", p)
	}
}
