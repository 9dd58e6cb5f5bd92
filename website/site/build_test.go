package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/mutant"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixtureCommit is the commit the fixture report proved.
const fixtureCommit = "3f2a9c1d5e7b8a90c1d2e3f4a5b6c7d8e9f0a1b2"

// fixtureConfig builds the fixture report and docs into a temporary folder.
func fixtureConfig(t testing.TB) Config {
	t.Helper()
	return Config{
		ReportDir:  filepath.Join("testdata", "report"),
		DocsDir:    filepath.Join("testdata", "docs"),
		Readme:     filepath.Join("testdata", "README.md"),
		OutDir:     filepath.Join(t.TempDir(), "site"),
		HeadCommit: fixtureCommit,
		Claims:     catalogClaims(),
		Mutants:    catalogMutants(),
	}
}

// catalogClaims is the proof catalog as website build passes it.
func catalogClaims() []Claim {
	out := make([]Claim, len(catalog.Proofs))
	for i, p := range catalog.Proofs {
		out[i] = Claim{Name: p.Name, Claim: p.Claim, Reproduce: p.Reproduce(), Guards: p.Guards}
	}
	return out
}

// catalogMutants are the curated mutants as website build passes them.
func catalogMutants() []Mutant {
	var out []Mutant
	for _, name := range mutant.Names() {
		m, _ := mutant.Lookup(name)
		out = append(out, Mutant{Name: m.Name, Change: m.Change, File: m.File})
	}
	return out
}

func buildFixture(t *testing.T, cfg Config) Result {
	t.Helper()
	res, err := Build(cfg)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

func readSite(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readPage(t *testing.T, cfg Config, page string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cfg.OutDir, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestGolden compares every generated page and the list of files with
// testdata/golden. Run with -update to accept a change on purpose.
func TestGolden(t *testing.T) {
	cfg := fixtureConfig(t)
	res := buildFixture(t, cfg)
	// One page per catalog proof, plus the report's one extra proof.
	if want := 1 + len(catalog.Proofs) + 1 + 2 + 3; res.Pages != want {
		t.Errorf("Pages = %d, want %d (index, %d catalog proofs and one more in the report, soak, load, 3 docs)", res.Pages, want, len(catalog.Proofs))
	}
	files := readSite(t, cfg.OutDir)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	golden := filepath.Join("testdata", "golden")
	want := map[string][]byte{"files.txt": []byte(strings.Join(paths, "\n") + "\n")}
	for _, p := range paths {
		if strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".css") {
			want[p] = files[p]
		}
	}
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for p, data := range want {
			dst := filepath.Join(golden, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	stored := readSite(t, golden)
	for p, data := range want {
		g, ok := stored[p]
		if !ok {
			t.Errorf("%s: generated but has no golden file (run go test -update)", p)
			continue
		}
		if !bytes.Equal(g, data) {
			t.Errorf("%s differs from testdata/golden/%s (run go test -update to accept):\n%s", p, p, firstDiff(g, data))
		}
	}
	for p := range stored {
		if _, ok := want[p]; !ok {
			t.Errorf("testdata/golden/%s is no longer generated", p)
		}
	}
}

// firstDiff shows the first differing line of two files.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  golden: " + truncate(w, 300) + "\n  got:    " + truncate(g, 300)
		}
	}
	return "(same lines)"
}

func TestBuildIsDeterministic(t *testing.T) {
	a, b := fixtureConfig(t), fixtureConfig(t)
	buildFixture(t, a)
	buildFixture(t, b)
	fa, fb := readSite(t, a.OutDir), readSite(t, b.OutDir)
	if len(fa) != len(fb) {
		t.Fatalf("builds wrote %d and %d files", len(fa), len(fb))
	}
	for p, data := range fa {
		if !bytes.Equal(data, fb[p]) {
			t.Errorf("%s differs between two builds of the same input", p)
		}
	}
}

// TestUntrustedTextIsEscaped: a job payload, a log line and Markdown that
// carry <script> show as text; nothing from the inputs becomes markup.
func TestUntrustedTextIsEscaped(t *testing.T) {
	cfg := fixtureConfig(t)
	buildFixture(t, cfg)
	for p, data := range readSite(t, cfg.OutDir) {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		page := string(data)
		for _, bad := range []string{"<script", "onclick=", "javascript:", "style=\""} {
			if strings.Contains(strings.ToLower(page), bad) {
				t.Errorf("%s contains %q", p, bad)
			}
		}
	}
	failing := readPage(t, cfg, "proofs/worker_restart_is_visible_in_health.html")
	escaped := "&lt;script&gt;alert(1)&lt;/script&gt;"
	// The log line that is nothing but a script tag, the payload in the DB
	// rows and the step detail all show as text.
	if n := strings.Count(failing, escaped); n < 3 {
		t.Errorf("escaped <script> shows %d times on the failing page, want the log line, the DB payload and the step (≥3)", n)
	}
	if !strings.Contains(failing, `<span class="line"><span class="inst">[a]</span> `+escaped+`</span>`) {
		t.Error("the log line <script>alert(1)</script> is not shown as an escaped log line")
	}
	if crash := readPage(t, cfg, "proofs/worker_crash_recovers_job.html"); !strings.Contains(crash, `&#34;database&#34;:&#34;[REDACTED]&#34;`) {
		t.Error("the runner's [REDACTED] marker is not kept in the log excerpt")
	}
	doc := readPage(t, cfg, "docs/proofs.html")
	if !strings.Contains(doc, "<!-- raw HTML omitted -->") {
		t.Error("raw HTML in Markdown is not omitted")
	}
	if !strings.Contains(doc, "&lt;not a tag&gt;") {
		t.Error("code block text is not escaped")
	}
}

func TestBanners(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(cfg *Config)
		want     []string
		dontWant []string
	}{
		{
			name:     "report matches checkout",
			setup:    func(cfg *Config) {},
			dontWant: []string{"banner-warn", "banner-bad", "No proof run yet"},
		},
		{
			name:  "report older than checkout",
			setup: func(cfg *Config) { cfg.HeadCommit = "0123456789abcdef0123456789abcdef01234567" },
			want:  []string{"banner-warn", "This report proved commit <code>3f2a9c1d5e7b</code>, but the checkout is at <code>0123456789ab</code>", "<code>make proofs</code>"},
		},
		{
			name:     "checkout unknown",
			setup:    func(cfg *Config) { cfg.HeadCommit = "" },
			dontWant: []string{"but the checkout is at"},
		},
		{
			name:  "no report",
			setup: func(cfg *Config) { cfg.ReportDir = t.TempDir() },
			want:  []string{"banner-bad", "No proof run yet: run <code>make proofs</code>", "not run", "worker_crash_recovers_job"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fixtureConfig(t)
			tt.setup(&cfg)
			buildFixture(t, cfg)
			index := readPage(t, cfg, "index.html")
			for _, w := range tt.want {
				if !strings.Contains(index, w) {
					t.Errorf("index lacks %q", w)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(index, w) {
					t.Errorf("index has %q", w)
				}
			}
		})
	}
}

func TestMissingReportStillListsEveryClaim(t *testing.T) {
	cfg := fixtureConfig(t)
	cfg.ReportDir = filepath.Join(t.TempDir(), "report")
	res := buildFixture(t, cfg)
	if !res.ReportMissing {
		t.Error("ReportMissing = false")
	}
	index := readPage(t, cfg, "index.html")
	for _, name := range []string{"migration_status_and_apply", "bad_input_is_rejected"} {
		if !strings.Contains(index, `href="proofs/`+name+`.html"`) {
			t.Errorf("index does not link %s", name)
		}
		page := readPage(t, cfg, "proofs/"+name+".html")
		if !strings.Contains(page, "Not run in this report.") || !strings.Contains(page, "go run ./proofs run "+name) {
			t.Errorf("%s page does not say it was not run and how to run it", name)
		}
	}
}

func TestBadInputFailsClearly(t *testing.T) {
	write := func(t *testing.T, results string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte(results), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tests := []struct {
		name, results, want string
	}{
		{"not JSON", "{", "parse results.json"},
		{"newer schema", `{"schema_version": 99}`, "newer than this reader"},
		{"unsafe name", `{"schema_version":1,"scenarios":[{"name":"../../etc"}]}`, "cannot be a file name"},
		{"duplicate", `{"schema_version":1,"scenarios":[{"name":"a"},{"name":"a"}]}`, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fixtureConfig(t)
			cfg.ReportDir = write(t, tt.results)
			_, err := Build(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build error = %v, want it to mention %q", err, tt.want)
			}
			if _, statErr := os.Stat(cfg.OutDir); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("a failed build left %s behind", cfg.OutDir)
			}
		})
	}
}

func TestEvidencePathMayNotLeaveReport(t *testing.T) {
	dir := t.TempDir()
	results := `{"schema_version":1,"run_id":"r","verdict":"pass","scenarios":[{"name":"a","verdict":"pass","files":{"log":"../../../../etc/passwd"}}]}`
	if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fixtureConfig(t)
	cfg.ReportDir = dir
	buildFixture(t, cfg)
	page := readPage(t, cfg, "proofs/a.html")
	if !strings.Contains(page, "leaves the report folder; ignored") {
		t.Error("page does not warn about the evidence path")
	}
	if _, err := os.Stat(filepath.Join(cfg.OutDir, "proofs", "a", "passwd")); err == nil {
		t.Error("a file outside the report was copied into the site")
	}
}

func TestRefusesToReplaceAForeignFolder(t *testing.T) {
	cfg := fixtureConfig(t)
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(cfg.OutDir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(cfg); !errors.Is(err, ErrNotASite) {
		t.Fatalf("Build into a folder with other files: err = %v, want ErrNotASite", err)
	}
	if data, err := os.ReadFile(keep); err != nil || string(data) != "mine" {
		t.Fatalf("the foreign file was touched: %q, %v", data, err)
	}
	// A folder this package built is replaced, stale files and all.
	cfg2 := fixtureConfig(t)
	buildFixture(t, cfg2)
	stale := filepath.Join(cfg2.OutDir, "stale.html")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	buildFixture(t, cfg2)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Error("rebuilding kept a stale file")
	}
}

func TestProofPageEvidence(t *testing.T) {
	cfg := fixtureConfig(t)
	buildFixture(t, cfg)
	tests := []struct {
		page string
		want []string
	}{
		{"proofs/worker_restart_is_visible_in_health.html", []string{
			`id="first-failure"`, `<tr class="first-failure not-ok">`,
			"health returns to ok/healthy after the recovered job finishes",
			`<svg class="chart"`, `class="recovery"`, `class="ev ev-restart"`, `class="ev ev-recovery"`,
			"go run ./proofs run worker_restart_is_visible_in_health",
			`href="worker_restart_is_visible_in_health/backend.log"`, "Last 40 of 56 lines.",
			`<span class="badge flaky"`,
		}},
		{"proofs/process_restart_recovers_inflight_job.html", []string{
			"The harness broke", "bind: address already in use", `class="band st-down"`,
			`<text class="lane-name" x="4" y="18.0">a</text>`, `>b</text>`,
		}},
		{"proofs/deploy_artifact_smoke.html", []string{"Skipped", "skipped with --skip deploy_artifact_smoke"}},
		{"proofs/db_outage_recovers.html", []string{"Not run in this report.", "Last result: 2026-11-27 07:00:00 UTC on d00d1e5e7a8b (pass)"}},
		{"proofs/legacy_health_shape.html", []string{"not in the proof catalog"}},
		{"proofs/multi_instance_claims_once.html", []string{`<h3 class="table-name">jobs after both drained <span class="muted small">6 rows</span>`, "<th scope=\"col\">processed_by</th>", `<span class="inst">[b]</span>`}},
		{"proofs/job_flow_updates_health_and_db.html", []string{"job row <span", "1 row", "other jobs <span", "No rows."}},
		{"proofs/migration_status_and_apply.html", []string{`pending after up</h3>`, `<pre class="json">0</pre>`, "2 rows"}},
	}
	for _, tt := range tests {
		page := readPage(t, cfg, tt.page)
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %q", tt.page, w)
			}
		}
	}
}

func TestDocsLinks(t *testing.T) {
	cfg := fixtureConfig(t)
	buildFixture(t, cfg)
	tests := []struct {
		page string
		want []string
	}{
		{"readme.html", []string{
			`<a href="docs/proofs.html">the proofs guide</a>`,
			`<a href="docs/proofs.html#recovery--restarts">recovery section</a>`,
			`<span class="repo-ref" title="in the repository: Makefile">Makefile</span>`,
		}},
		{"docs/proofs.html", []string{
			`<h2 id="recovery--restarts">`, `<h2 id="recovery--restarts-1">`,
			`<code>go run ./proofs run <a class="proof-ref" href="../proofs/worker_crash_recovers_job.html">worker_crash_recovers_job</a></code>`,
			`<a class="proof-ref" href="../proofs/db_outage_recovers.html"><code>db_outage_recovers</code></a>`,
			`bin/proofs run --db local <a class="proof-ref" href="../proofs/bad_input_is_rejected.html">bad_input_is_rejected</a>`,
			`<a class="proof-ref" href="../proofs/process_restart_recovers_inflight_job.html">`,
			`<a href="../readme.html">README</a>`, `<a href="guides/setup.html#first-run">setup</a>`,
			`<img src="diagram.svg" alt="diagram">`, `<span class="c1"># Two proofs in one run, then the site:</span>`,
			`<th align="left">Proof</th>`,
		}},
		{"docs/guides/setup.html", []string{
			`<a href="../proofs.html">the proofs</a>`,
			`proofs run <a class="proof-ref" href="../../proofs/multi_instance_claims_once.html">multi_instance_claims_once</a>`,
			`title="in the repository: migrations"`,
		}},
	}
	for _, tt := range tests {
		page := readPage(t, cfg, tt.page)
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %q", tt.page, w)
			}
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	cfg := fixtureConfig(b)
	for b.Loop() {
		if _, err := Build(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// TestProofPageShowsGuards: each proof page lists the mutants its proof
// must catch, and what the last mutant run (written with the runner's own
// type) made of them.
func TestProofPageShowsGuards(t *testing.T) {
	cfg := fixtureConfig(t)
	reportDir := filepath.Join(t.TempDir(), "report")
	if err := os.CopyFS(reportDir, os.DirFS(cfg.ReportDir)); err != nil {
		t.Fatal(err)
	}
	cfg.ReportDir = reportDir
	run := report.MutantRun{
		SchemaVersion: report.SchemaVersion, RunID: "m1", Verdict: report.Fail,
		Provenance: report.Provenance{Commit: fixtureCommit, StartedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		Mutants: []report.Mutant{
			{Name: "heartbeat_never_renews", Breaks: "heartbeat_keeps_long_job_leased", Outcome: report.Caught,
				Proofs: []report.MutantProof{{Name: "heartbeat_keeps_long_job_leased", Verdict: report.Fail,
					FirstFailure: &report.Assertion{Name: "the lease never lapsed while the job was processing"}}}},
			{Name: "rescuer_takes_live_jobs", Breaks: "heartbeat_keeps_long_job_leased", Outcome: report.Survived,
				Reason: "passed against the mutant: heartbeat_keeps_long_job_leased"},
		},
	}
	data, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(reportDir, report.MutantsFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	buildFixture(t, cfg)
	page := readPage(t, cfg, "proofs/heartbeat_keeps_long_job_leased.html")
	for _, want := range []string{
		`id="guards"`, "Last mutant run: 2026-12-01 09:00:00 UTC, commit 3f2a9c1d5e7b",
		"<code>heartbeat_never_renews</code>", "the heartbeat runs but leaves the lease where it was",
		`<span class="badge v-pass">caught</span>`, "first failure: the lease never lapsed while the job was processing",
		"<code>rescuer_takes_live_jobs</code>", `<span class="badge v-fail">survived</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("heartbeat page lacks %q", want)
		}
	}
	other := readPage(t, cfg, "proofs/crash_loop_trips_guard.html")
	if !strings.Contains(other, "<code>crash_guard_never_trips</code>") || !strings.Contains(other, `<span class="badge v-notrun">not run</span>`) {
		t.Error("a proof whose mutants were not in the run does not say so")
	}
}
