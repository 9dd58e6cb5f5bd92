package evidence

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

const (
	password = "s3cr&t<pw>\"x"
	dbURL    = "postgres://postgres:s3cr%26t%3Cpw%3E%22x@127.0.0.1:5432/proofs?sslmode=disable"
)

func newRedactor() *Redactor {
	r := &Redactor{}
	r.Add(dbURL, password, "")
	return r
}

func TestRedactReplacesEveryForm(t *testing.T) {
	r := newRedactor()
	jsonForm, _ := json.Marshal(map[string]string{"err": "auth failed for " + password})
	cases := []string{
		"connecting to " + dbURL + " failed",
		"password " + password,
		string(jsonForm),
		"escaped s3cr%26t%3Cpw%3E%22x in a query",
	}
	for _, in := range cases {
		out := r.Redact(in)
		if strings.Contains(out, "s3cr") {
			t.Errorf("Redact(%q) = %q: still holds the secret", in, out)
		}
		if !strings.Contains(out, "REDACTED") {
			t.Errorf("Redact(%q) = %q: no REDACTED marker", in, out)
		}
		if !r.Contains(in) {
			t.Errorf("Contains(%q) = false", in)
		}
	}
	if got := r.Redact("nothing secret here"); got != "nothing secret here" {
		t.Errorf("Redact changed clean text: %q", got)
	}
	var nilRedactor *Redactor
	if got := nilRedactor.Redact(password); got != password {
		t.Errorf("nil Redactor changed text")
	}
}

func TestRedactingWriter(t *testing.T) {
	var buf bytes.Buffer
	w := newRedactor().Writer(&buf)
	if _, err := w.Write([]byte("url=" + dbURL + "\n")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "s3cr") || !strings.Contains(buf.String(), "url=REDACTED") {
		t.Fatalf("writer output %q", buf.String())
	}
}

// TestWrittenReportHoldsNoSecret puts the secrets into every kind of
// evidence and checks that no written file contains them, while the files
// still parse with the report package's readers.
func TestWrittenReportHoldsNoSecret(t *testing.T) {
	dir := t.TempDir()
	red := newRedactor()
	rec := NewRecorder("demo", nil)
	rec.Step("start backend", "DATABASE_URL="+dbURL)
	rec.Assert("no leak", "no password", "saw "+password, false)
	rec.Health(report.HealthSample{At: time.Now().UTC(), Instance: "a", HTTPStatus: 503,
		Body: json.RawMessage(`{"db":{"error":"password authentication failed: ` + strings.ReplaceAll(password, `"`, `\"`) + `"}}`)})
	rec.LogLine("a", `{"msg":"database unavailable","error":"`+dbURL+`"}`)
	rec.DBRows("jobs", []map[string]string{{"payload": password}})
	rec.Note("url", map[string]string{"url": dbURL})
	rec.Verdict(report.Fail, "leaked "+password)
	files, err := rec.WriteFiles(dir, red)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run{SchemaVersion: report.SchemaVersion, RunID: "r1", Verdict: report.Fail,
		Provenance: report.Provenance{Command: "proofs run --db url " + dbURL},
		Scenarios:  []report.Scenario{{Name: "demo", Verdict: report.Fail, Reason: password, Files: files}}}
	if err := report.WriteRun(dir, run, red); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteRun(dir, run, red); err != nil {
		t.Fatal(err)
	}

	AssertNoSecret(t, dir, password, "s3cr")

	loaded, err := report.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Scenarios[0].Files["health"] != "scenarios/demo/health.ndjson" {
		t.Errorf("files map = %v", loaded.Scenarios[0].Files)
	}
	hist, err := report.LoadHistory(dir)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %v, %v; want 2 entries", hist, err)
	}
	health, err := report.LoadHealth(dir, "demo")
	if err != nil || len(health) != 1 {
		t.Fatalf("health = %v, %v", health, err)
	}
	events, err := report.LoadEvents(dir, "demo")
	if err != nil || len(events) != 5 {
		t.Fatalf("events = %d, %v; want 5", len(events), err)
	}
	var rows map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "scenarios/demo/db_rows.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatalf("db_rows.json is not JSON: %v\n%s", err, data)
	}
}

// AssertNoSecret fails when any file under dir contains one of needles.
func AssertNoSecret(t *testing.T, dir string, needles ...string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, needle := range needles {
			if bytes.Contains(data, []byte(needle)) {
				t.Errorf("%s contains a secret (%q)", path, needle)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no files under %s", dir)
	}
}

func TestLeaksFindsUnredactedFiles(t *testing.T) {
	dir := t.TempDir()
	red := newRedactor()
	if err := os.WriteFile(filepath.Join(dir, "clean.txt"), []byte("nothing here"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	leaky := filepath.Join(dir, "sub", "leak.log")
	if err := os.WriteFile(leaky, []byte("url "+dbURL), 0o644); err != nil {
		t.Fatal(err)
	}
	leaks, err := red.Leaks(dir)
	if err != nil || len(leaks) != 1 || leaks[0] != leaky {
		t.Fatalf("Leaks = %v, %v; want [%s]", leaks, err, leaky)
	}
}

func TestAddURLRedactsTheURLAndItsPassword(t *testing.T) {
	var red Redactor
	red.AddURL("postgres://app:p%40ss-w0rd@127.0.0.1:5432/db")
	red.AddURL("host=127.0.0.1 user=app password=kv-s3cret dbname=db")
	red.AddURL("")
	text := red.Redact("url postgres://app:p%40ss-w0rd@127.0.0.1:5432/db, decoded p@ss-w0rd, dsn kv-s3cret")
	for _, secret := range []string{"p@ss-w0rd", "p%40ss-w0rd", "kv-s3cret"} {
		if strings.Contains(text, secret) {
			t.Errorf("%q survives in %q", secret, text)
		}
	}
}

// TestWriteFileSaysWhenItScrubbed: the redactor, as the last line of
// defence, lists every evidence file it had to remove a secret from, and
// only those.
func TestWriteFileSaysWhenItScrubbed(t *testing.T) {
	var red Redactor
	red.AddURL("postgres://app:scrub-me-42@127.0.0.1:5432/db")
	dir := t.TempDir()
	clean, dirty := filepath.Join(dir, "clean.log"), filepath.Join(dir, "dirty.log")
	if err := report.WriteFile(clean, []byte("nothing to hide\n"), &red); err != nil {
		t.Fatal(err)
	}
	if got := red.Scrubbed(); len(got) != 0 {
		t.Fatalf("Scrubbed after a clean write = %v, want none", got)
	}
	if err := report.WriteFile(dirty, []byte("password scrub-me-42\n"), &red); err != nil {
		t.Fatal(err)
	}
	if err := report.AppendFile(dirty, []byte("again scrub-me-42\n"), &red); err != nil {
		t.Fatal(err)
	}
	if got := red.Scrubbed(); len(got) != 1 || got[0] != dirty {
		t.Fatalf("Scrubbed = %v, want [%s]", got, dirty)
	}
	data, _ := os.ReadFile(dirty)
	if strings.Contains(string(data), "scrub-me-42") {
		t.Fatalf("the secret reached the file: %q", data)
	}
	var none *Redactor
	if none.Scrubbed() != nil {
		t.Fatal("a nil redactor scrubbed something")
	}
}
