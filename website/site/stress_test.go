package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// fillEvery sets every exported field reachable from v to a distinct
// non-zero value (slices and maps get two elements), so that a field the
// writer drops, renames apart from the reader or marks omitempty shows up in
// a round trip. Fields tagged json:"-" are not part of the format.
func fillEvery(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 12, 0, *n, *n*1000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() && f.Tag.Get("json") != "-" {
				fillEvery(v.Field(i), n)
			}
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("value-%d", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEvery(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillEvery(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			key := reflect.New(v.Type().Key()).Elem()
			fillEvery(key, n)
			val := reflect.New(v.Type().Elem()).Elem()
			fillEvery(val, n)
			v.SetMapIndex(key, val)
		}
	default:
		panic(fmt.Sprintf("fillEvery: no value for kind %s; teach it", v.Kind()))
	}
}

// TestStressReportsRoundTrip writes a soak report and a load report, every
// field filled, with the writers the soak and the load run use
// (report.WriteSoak, report.WriteLoad), reads them back with the site's reader and requires
// what was written; then builds the site from them.
func TestStressReportsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var n int
	// want is filled like soakRep (fillEvery is deterministic), so it is
	// what Write was given, whatever Write does to its argument.
	var soakRep, want report.SoakReport
	fillEvery(reflect.ValueOf(&soakRep).Elem(), &n)
	n = 0
	fillEvery(reflect.ValueOf(&want).Elem(), &n)
	for _, r := range []*report.SoakReport{&soakRep, &want} {
		r.SchemaVersion, r.Verdict = report.SoakSchemaVersion, report.Fail
	}
	want.Files = map[string]string{"events": "soak/events.ndjson", "log": "soak/backend.log"}
	var events []report.SoakEvent
	fillEvery(reflect.ValueOf(&events).Elem(), &n)
	if err := report.WriteSoak(dir, &soakRep, events, "a log line\n", nil); err != nil {
		t.Fatal(err)
	}
	var loadRes report.LoadResult
	fillEvery(reflect.ValueOf(&loadRes).Elem(), &n)
	var flat report.LoadFlatness
	fillEvery(reflect.ValueOf(&flat).Elem(), &n)
	failures := []string{"RSS grew"}
	strict := true
	wantLoad := report.LoadReport{Verdict: report.Fail, Failures: failures, HealthStrict: &strict, LoadResult: loadRes, Flatness: flat}
	written := wantLoad
	if err := report.WriteLoad(filepath.Join(dir, filepath.FromSlash(loadReportFile)), &written); err != nil {
		t.Fatal(err)
	}

	b := &builder{cfg: Config{ReportDir: dir}}
	b.loadStress()
	if len(b.warnings) > 0 {
		t.Fatalf("the site's reader warned: %q", b.warnings)
	}
	if b.soak == nil || b.load == nil {
		t.Fatalf("the site's reader found soak %v, load %v", b.soak != nil, b.load != nil)
	}
	if !reflect.DeepEqual(*b.soak, want) {
		t.Errorf("soak.json as the site reads it differs from what WriteSoak was given:\ngiven %+v\nread  %+v", want, *b.soak)
	}
	if !reflect.DeepEqual(*b.load, wantLoad) {
		t.Errorf("load.json as the site reads it differs from what WriteLoad wrote:\nwrote %+v\nread  %+v", wantLoad, *b.load)
	}
	readEvents, err := report.LoadSoakEvents(filepath.Join(dir, filepath.FromSlash(want.Files["events"])))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(readEvents, events) {
		t.Errorf("events.ndjson as the site reads it differs from what WriteSoak wrote:\nwrote %+v\nread  %+v", events, readEvents)
	}

	cfg := fixtureConfig(t)
	cfg.ReportDir = dir
	buildFixture(t, cfg)
	for page, want := range map[string]string{soakPage: soakRep.Line(), loadPage: fmt.Sprint(loadRes.Requests)} {
		if !strings.Contains(readPage(t, cfg, page), want) {
			t.Errorf("%s built from the written report lacks %q", page, want)
		}
	}
}

// TestStressFixturesAreCurrent: the fixture report the page tests use holds
// no field the current schema lacks, so the pages are tested on files the
// writers of today could have written.
func TestStressFixturesAreCurrent(t *testing.T) {
	for file, into := range map[string]any{soakReportFile: &report.SoakReport{}, loadReportFile: &report.LoadReport{}} {
		data, err := os.ReadFile(filepath.Join("testdata", "report", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(into); err != nil {
			t.Errorf("%s: %v", file, err)
		}
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
