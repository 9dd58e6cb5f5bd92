package site

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// jsonKeys lists every object key path in a JSON document, arrays and map
// values folded into "[]" and "{}" so that paths do not depend on lengths or
// instance names.
func jsonKeys(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				p := prefix + "." + k
				keys[p] = true
				walk(p, child)
			}
		case []any:
			for _, child := range v {
				walk(prefix+"[]", child)
			}
		}
	}
	walk("", doc)
	return keys
}

// mapKeyed are the objects whose keys are data (instance names, fault
// kinds, settings), not field names.
var mapKeyed = []string{".faults", ".health", ".resources.instances", ".resources.summary", ".config.backend_env", ".files", ".by_status"}

func fieldPaths(keys map[string]bool) []string {
	var out []string
	for k := range keys {
		keep := true
		for _, m := range mapKeyed {
			if strings.HasPrefix(k, m+".") || strings.Contains(k, m+".") {
				keep = false
			}
		}
		if keep {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestStressFixturesDecode reads the real soak.json and load.json in the
// fixture report (written by `proofs soak` and TestLoadHygiene) with the
// page's reading structs: every field those structs know is in the real
// file under the same name, and the figures the pages show are there.
func TestStressFixturesDecode(t *testing.T) {
	tests := []struct {
		file  string
		into  any
		check func(t *testing.T, v any)
	}{
		{soakReportFile, &soakReport{}, func(t *testing.T, v any) {
			r := v.(*soakReport)
			if r.Verdict == "" || r.Seed == 0 || !strings.Contains(r.Replay, "SEED=") {
				t.Errorf("verdict %q, seed %d, replay %q", r.Verdict, r.Seed, r.Replay)
			}
			if len(r.Checks) == 0 || len(r.Chaos) == 0 || len(r.Faults) == 0 || r.Client.Requests == 0 || r.Accepted == 0 {
				t.Errorf("checks %d, chaos %d, faults %d, requests %d, accepted %d", len(r.Checks), len(r.Chaos), len(r.Faults), r.Client.Requests, r.Accepted)
			}
			if len(r.Resources.Instances) == 0 || len(r.Resources.Summary) == 0 || r.Resources.MaxDBConns == 0 || len(r.Health) == 0 {
				t.Errorf("resources %+v, health %d", r.Resources.Summary, len(r.Health))
			}
		}},
		{loadReportFile, &loadReport{}, func(t *testing.T, v any) {
			r := v.(*loadReport)
			if r.Verdict == "" || r.HealthStrict == nil {
				t.Errorf("verdict %q, health_strict %v", r.Verdict, r.HealthStrict)
			}
			if r.Requests == 0 || r.PostP99MS == 0 || len(r.Health) == 0 || len(r.Proc) == 0 || len(r.Conns) == 0 || r.Flatness.RSSWarmKiB == 0 {
				t.Errorf("figures missing: %+v", r.Flatness)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "report", filepath.FromSlash(tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(strings.NewReader(string(data)))
			if err := dec.Decode(tt.into); err != nil {
				t.Fatal(err)
			}
			tt.check(t, tt.into)
			ours, err := json.Marshal(tt.into)
			if err != nil {
				t.Fatal(err)
			}
			real := jsonKeys(t, data)
			for _, p := range fieldPaths(jsonKeys(t, ours)) {
				if !real[p] {
					t.Errorf("the page reads %s, which the real %s does not have", p, tt.file)
				}
			}
		})
	}
}

// stressReport writes a report folder with only a soak and a load run.
func stressReport(t *testing.T, soak map[string]any, log string, load map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if soak != nil {
		data, err := json.Marshal(soak)
		if err != nil {
			t.Fatal(err)
		}
		write(soakReportFile, data)
		write("soak/backend.log", []byte(log))
	}
	if load != nil {
		data, err := json.Marshal(load)
		if err != nil {
			t.Fatal(err)
		}
		write(loadReportFile, data)
	}
	return dir
}

// fixtureJSON reads a fixture file as a generic object to change.
func fixtureJSON(t *testing.T, rel string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "report", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStressPages(t *testing.T) {
	cfg := fixtureConfig(t)
	buildFixture(t, cfg)
	tests := []struct {
		page string
		want []string
	}{
		{"index.html", []string{`<h2 id="stress">Stress and hygiene</h2>`, `<a href="soak.html">Chaos soak</a>`, `<a href="load.html">Load hygiene</a>`,
			"soak: 202 jobs, 14 faults, lost 0, duplicated 0, stuck 0"}},
		{"proofs/worker_crash_recovers_job.html", []string{`<a href="../soak.html"`, `<a href="../load.html"`}},
		{"soak.html", []string{
			"soak: 202 jobs, 14 faults, lost 0, duplicated 0, stuck 0", "<code>4528343478476268507</code>",
			"make soak JOBS=200 SEED=4528343478476268507", "every accepted job exists (none lost)",
			"<code>payload_hold_after_claim</code>", "retries recognised by their idempotency key",
			`<svg class="spark"`, `<polyline class="spark-line"`, "database cut for 1308 ms",
			"The soak report does not say which commit it ran on", `href="soak/backend.log"`, `href="soak/events.ndjson"`, `href="soak/soak.json"`, "Last 40 of 60 lines.",
			`<span class="inst">[c2]</span>`, "at most 14 (10 samples)",
		}},
		{"load.html", []string{"<dt>POST /jobs p99</dt><dd>19.1 ms</dd>", "<dt>/health over 50 ms</dt><dd>1</dd>",
			"<dt>/health max</dt><dd>78.4 ms</dd>", "<td>Resident memory (median)</td><td class=\"num\">16.1 MiB</td><td class=\"num\">16.7 MiB</td>",
			`<span class="badge big v-pass">pass</span>`, `href="load/load.json"`, "latency reported, not judged"}},
	}
	for _, tt := range tests {
		page := readPage(t, cfg, tt.page)
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %q", tt.page, w)
			}
		}
	}
	for _, f := range []string{"soak/soak.json", "soak/events.ndjson", "soak/backend.log", "load/load.json"} {
		if _, err := os.Stat(filepath.Join(cfg.OutDir, filepath.FromSlash(f))); err != nil {
			t.Errorf("evidence %s not copied into the site: %v", f, err)
		}
	}
}

// TestSoakFailureIsShownAndEscaped: a failed check is boxed as the first
// failure and highlighted in the table; text from the checks, the chaos
// log and the backend log shows as text.
func TestSoakFailureIsShownAndEscaped(t *testing.T) {
	soak := fixtureJSON(t, soakReportFile)
	soak["verdict"] = "fail"
	soak["provenance"].(map[string]any)["commit"] = "0123456789abcdef0123456789abcdef01234567"
	checks := soak["checks"].([]any)
	dup := checks[4].(map[string]any)
	dup["ok"] = false
	dup["observed"] = "2 processed jobs with more than one job_effects row <script>alert(1)</script>"
	checks[6].(map[string]any)["ok"] = false
	soak["tally"].(map[string]any)["duplicated"] = 2
	soak["chaos"].([]any)[0].(map[string]any)["detail"] = `<img src=x onerror="alert(1)">`
	soak["files"] = map[string]any{"log": "soak/backend.log", "stolen": "../../etc/passwd"}
	load := fixtureJSON(t, loadReportFile)
	load["verdict"] = "fail"
	load["failures"] = []string{"open fds grew from 30 to <b>99</b>"}

	cfg := fixtureConfig(t)
	cfg.ReportDir = stressReport(t, soak, "[a1] <script>alert(1)</script>\n", load)
	buildFixture(t, cfg)
	page := readPage(t, cfg, "soak.html")
	for _, w := range []string{
		`<span class="badge big v-fail">fail</span>`, "duplicated 2",
		`<section class="failure" id="first-failure"`, `<p class="failure-name">no processed job took effect twice</p>`,
		"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;",
		`leaves the report folder; ignored`, "This soak ran on commit 0123456789ab, but the checkout is at 3f2a9c1d5e7b",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("soak.html lacks %q", w)
		}
	}
	if n := strings.Count(page, `<tr class="first-failure not-ok">`); n != 1 {
		t.Errorf("%d check rows marked first failure, want 1", n)
	}
	if n := strings.Count(page, `<tr class="not-ok">`); n != 1 {
		t.Errorf("%d other failed check rows, want 1", n)
	}
	loadPageText := readPage(t, cfg, "load.html")
	if !strings.Contains(loadPageText, "open fds grew from 30 to &lt;b&gt;99&lt;/b&gt;") || !strings.Contains(loadPageText, `id="first-failure"`) {
		t.Error("load.html does not show its failure as escaped text")
	}
	for _, p := range []string{"soak.html", "load.html", "index.html"} {
		text := strings.ToLower(readPage(t, cfg, p))
		for _, bad := range []string{"<script", "<img src=x", "style=\"", "<b>99"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s contains %q", p, bad)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.OutDir, "soak", "passwd")); err == nil {
		t.Error("a file outside the report was copied into the site")
	}
}

// TestStressPagesAbsent: without soak.json or load.json, or with one that
// cannot be read, there is no page and no link to it.
func TestStressPagesAbsent(t *testing.T) {
	tests := []struct {
		name        string
		soak, load  string // file contents; "" leaves the file out
		wantWarning string
	}{
		{name: "neither ran"},
		{name: "malformed soak", soak: "{", load: "", wantWarning: "soak page not built: parse soak.json"},
		{name: "newer soak schema", soak: `{"schema_version": 9}`, wantWarning: "newer than this reader"},
		{name: "malformed load", load: "[1,", wantWarning: "load page not built: parse load.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, content := range map[string]string{soakReportFile: tt.soak, loadReportFile: tt.load} {
				if content == "" {
					continue
				}
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg := fixtureConfig(t)
			cfg.ReportDir = dir
			res := buildFixture(t, cfg)
			for _, p := range []string{soakPage, loadPage} {
				if _, err := os.Stat(filepath.Join(cfg.OutDir, p)); err == nil {
					t.Errorf("%s built without a readable report", p)
				}
			}
			for p, data := range readSite(t, cfg.OutDir) {
				if strings.HasSuffix(p, ".html") && (strings.Contains(string(data), "soak.html") || strings.Contains(string(data), "load.html") || strings.Contains(string(data), "Stress and hygiene")) {
					t.Errorf("%s links a stress page that does not exist", p)
				}
			}
			if tt.wantWarning != "" {
				if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, tt.wantWarning) }) {
					t.Errorf("warnings %q lack %q", res.Warnings, tt.wantWarning)
				}
				if !strings.Contains(readPage(t, cfg, "index.html"), tt.wantWarning) {
					t.Errorf("index does not show the warning %q", tt.wantWarning)
				}
			}
		})
	}
}
