package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/evidence"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// invoke runs Main with args and an environment holding only dbURL.
func invoke(t *testing.T, ctx context.Context, dbURL string, tamper func(string, string, map[string]string), args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cfg := benchConfig(dbURL, args...)
	cfg.Stdout, cfg.Stderr, cfg.Tamper = &stdout, &stderr, tamper
	code := Main(ctx, cfg)
	return code, stdout.String(), stderr.String()
}

// benchConfig is a Config whose environment holds only dbURL as
// DATABASE_URL, output discarded.
func benchConfig(dbURL string, args ...string) Config {
	return Config{
		Args:   args,
		Stdout: io.Discard,
		Stderr: io.Discard,
		Getenv: func(k string) string {
			if k == "DATABASE_URL" {
				return dbURL
			}
			return ""
		},
		Environ: os.Environ(),
	}
}

func TestURLSourceRefusesToResetWithoutFlag(t *testing.T) {
	const secret = "pw-that-must-not-print"
	dbURL := "postgres://app:" + secret + "@127.0.0.1:1/production"
	for _, tt := range []struct {
		name string
		args func(reportDir string) []string
	}{
		{"--db url", func(dir string) []string { return []string{"run", "--db", "url", "--report", dir} }},
		{"auto picks url when DATABASE_URL is set", func(dir string) []string { return []string{"run", "--report", dir} }},
		{"--db auto with a proof named", func(dir string) []string {
			return []string{"run", "--db", "auto", "--report", dir, "bad_input_is_rejected"}
		}},
		// Every command starts its run through the one session set-up.
		{"mutants", func(dir string) []string { return []string{"mutants", "--report", dir} }},
		{"load", func(dir string) []string { return []string{"load", "--db", "url", "--report", dir} }},
		{"soak", func(dir string) []string { return []string{"soak", "--report", dir} }},
		{"soak --db url", func(dir string) []string { return []string{"soak", "--db", "url", "--report", dir} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reportDir := filepath.Join(t.TempDir(), "report")
			code, stdout, stderr := invoke(t, context.Background(), dbURL, nil, tt.args(reportDir)...)
			if code != ExitHarness {
				t.Errorf("exit %d, want %d", code, ExitHarness)
			}
			if !strings.Contains(stderr, "--reset-existing-db") || !strings.Contains(stderr, "refusing to reset") {
				t.Errorf("stderr %q does not name the flag", stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("output shows the password")
			}
			// A refused run leaves the report folder as it was: absent.
			if entries, err := os.ReadDir(reportDir); !os.IsNotExist(err) {
				t.Errorf("a refused run wrote into the report folder: %d entries, %v", len(entries), err)
			}
		})
	}
}

func TestURLSourceNeedsDatabaseURL(t *testing.T) {
	code, _, stderr := invoke(t, context.Background(), "", nil, "run", "--db", "url", "--reset-existing-db", "--report", t.TempDir())
	if code != ExitHarness || !strings.Contains(stderr, "DATABASE_URL") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{nil, []string{"usage: proofs"}},
		{[]string{"frobnicate"}, []string{"unknown command", "usage: proofs"}},
		{[]string{"run", "--db", "sqlite"}, []string{"unknown database source"}},
		{[]string{"run", "--docker-image", "Postgres 15"}, []string{`docker image "Postgres 15" is not an image reference`}},
		{[]string{"run", "--no-such-flag"}, []string{"no-such-flag"}},
		{[]string{"run", "db_outage_recover"}, []string{`unknown proof "db_outage_recover"`, `did you mean "db_outage_recovers"?`, "bad_input_is_rejected"}},
		{[]string{"soak", "--jobs", "0"}, []string{"--jobs must be at least 1"}},
		{[]string{"soak", "--instances", "1"}, []string{"--instances must be from 2 to 5"}},
		{[]string{"soak", "--db", "sqlite"}, []string{"unknown database source"}},
		{[]string{"soak", "extra"}, []string{"takes no arguments"}},
		{[]string{"load", "--rate", "0"}, []string{"must be positive"}},
	}
	for _, c := range cases {
		code, _, stderr := invoke(t, context.Background(), "", nil, c.args...)
		if code != ExitHarness {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, stderr, w)
			}
		}
	}
}

// TestBadDockerImageEnvironmentExits2: a malformed PRODPROOF_DOCKER_IMAGE
// is refused before anything starts, naming the variable.
func TestBadDockerImageEnvironmentExits2(t *testing.T) {
	var stdout, stderr bytes.Buffer
	cfg := benchConfig("", "run", "--db", "docker", "--report", t.TempDir())
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	cfg.Getenv = func(k string) string {
		if k == pgprovision.DockerImageEnv {
			return "postgres:15 --privileged"
		}
		return ""
	}
	if code := Main(context.Background(), cfg); code != ExitHarness {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr.String())
	}
	if want := pgprovision.DockerImageEnv + `: docker image "postgres:15 --privileged" is not an image reference`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
	if strings.Contains(stdout.String(), "provisioning") {
		t.Errorf("stdout %q: it started provisioning", stdout.String())
	}
}

func TestListJSON(t *testing.T) {
	code, stdout, _ := invoke(t, context.Background(), "", nil, "list", "--json")
	if code != ExitPass {
		t.Fatalf("exit %d", code)
	}
	var entries []listEntry
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(catalog.Proofs) {
		t.Fatalf("%d entries, want %d", len(entries), len(catalog.Proofs))
	}
	for i, e := range entries {
		p := catalog.Proofs[i]
		if e.Name != p.Name || e.Claim != p.Claim || e.Reproduce != "go run ./proofs run "+p.Name {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	code, stdout, _ = invoke(t, context.Background(), "", nil, "list")
	if code != ExitPass || !strings.Contains(stdout, "worker_crash_recovers_job") {
		t.Fatalf("list: exit %d, %q", code, stdout)
	}
}

// TestRunAgainstRealPostgres runs four scenarios for real against a
// throwaway database: two untouched, which must pass, and two against a
// backend broken on purpose, which must fail. Then it checks the report.
func TestRunAgainstRealPostgres(t *testing.T) {
	srv := pgtest.Server(t)
	dbURL := pgtest.NewDatabase(t)
	reportDir := t.TempDir()
	sabotage := func(scenario, instance string, env map[string]string) {
		switch scenario {
		case "worker_crash_recovers_job":
			delete(env, "FAULT_INJECTION") // no fault happens: the HTTP panic first, then the crashes
		case "bad_input_is_rejected":
			env["MAX_BODY_BYTES"] = "1000000" // the oversize body is accepted
		}
	}
	junitFile := filepath.Join(t.TempDir(), "junit.xml")
	summaryFile := filepath.Join(t.TempDir(), "step-summary.md")
	var out, errOut bytes.Buffer
	cfg := benchConfig(dbURL, "run", "--db", "url", "--reset-existing-db", "--report", reportDir, "--junit", junitFile,
		"startup_validation_fails_closed", "worker_crash_recovers_job", "job_flow_updates_health_and_db", "bad_input_is_rejected")
	cfg.Stdout, cfg.Stderr, cfg.Tamper = &out, &errOut, sabotage
	cfg.Getenv = func(k string) string {
		switch k {
		case "DATABASE_URL":
			return dbURL
		case "GITHUB_STEP_SUMMARY":
			return summaryFile
		}
		return ""
	}
	code := Main(context.Background(), cfg)
	stdout, stderr := out.String(), errOut.String()
	if code != ExitFail {
		t.Errorf("exit %d, want %d (a sabotaged scenario failed)\nstdout:\n%s\nstderr:\n%s", code, ExitFail, stdout, stderr)
	}
	run, err := report.Load(reportDir)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]report.Scenario{}
	for _, s := range run.Scenarios {
		verdicts[s.Name] = s
	}

	t.Run("clean scenarios pass", func(t *testing.T) {
		for _, name := range []string{"startup_validation_fails_closed", "job_flow_updates_health_and_db"} {
			if s := verdicts[name]; s.Verdict != report.Pass {
				t.Errorf("%s: verdict %s (%s), first failure %+v", name, s.Verdict, s.Reason, s.FirstFailure)
			}
		}
	})

	t.Run("assertions bite", func(t *testing.T) {
		want := map[string]string{
			"worker_crash_recovers_job": "an HTTP handler's panic: the answer",
			"bad_input_is_rejected":     "body over 64 KiB is rejected",
		}
		for name, firstFailure := range want {
			s := verdicts[name]
			if s.Verdict != report.Fail {
				t.Errorf("%s against a broken backend: verdict %s, want fail", name, s.Verdict)
				continue
			}
			if s.FirstFailure == nil || s.FirstFailure.Name != firstFailure {
				t.Errorf("%s: first failure %+v, want %q", name, s.FirstFailure, firstFailure)
			}
		}
		if run.Verdict != report.Fail || run.Summary.Failed != 2 || run.Summary.Passed != 2 {
			t.Errorf("run verdict %s, summary %+v", run.Verdict, run.Summary)
		}
	})

	t.Run("CI output: JUnit and step summary", func(t *testing.T) {
		data, err := os.ReadFile(junitFile)
		if err != nil {
			t.Fatal(err)
		}
		// Read the JUnit file as a CI system would: only the fields it shows.
		var doc struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Errors   int `xml:"errors,attr"`
			Skipped  int `xml:"skipped,attr"`
			Suites   []struct {
				Cases []struct {
					Name    string `xml:"name,attr"`
					Failure *struct {
						Message string `xml:"message,attr"`
					} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Tests != 4 || doc.Failures != 2 || doc.Errors != 0 || doc.Skipped != 0 {
			t.Errorf("JUnit totals %+v", doc)
		}
		for _, c := range doc.Suites[0].Cases {
			s := verdicts[c.Name]
			if (c.Failure != nil) != (s.Verdict == report.Fail) {
				t.Errorf("%s: JUnit failure %+v, verdict %s", c.Name, c.Failure, s.Verdict)
			}
			if c.Failure != nil && (s.FirstFailure == nil || c.Failure.Message != s.FirstFailure.Name) {
				t.Errorf("%s: JUnit message %q, first failure %+v", c.Name, c.Failure.Message, s.FirstFailure)
			}
		}
		md, err := os.ReadFile(summaryFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"### Proofs: ❌ fail", "| `worker_crash_recovers_job` | ❌ fail |", "| `job_flow_updates_health_and_db` | ✅ pass |"} {
			if !strings.Contains(string(md), want) {
				t.Errorf("step summary lacks %q:\n%s", want, md)
			}
		}
	})

	t.Run("report is complete", func(t *testing.T) {
		p := run.Provenance
		if p.DBSource != "url" || p.PostgresVersion == "" || p.GoVersion == "" || p.StartedAt.IsZero() || !p.FinishedAt.After(p.StartedAt) {
			t.Errorf("provenance %+v", p)
		}
		hist, err := report.LoadHistory(reportDir)
		if err != nil || len(hist) != 1 || hist[0].RunID != run.RunID {
			t.Errorf("history %+v, %v", hist, err)
		}
		for _, s := range run.Scenarios {
			if s.DurationMS <= 0 || len(s.Steps) == 0 || len(s.Assertions) == 0 {
				t.Errorf("%s: duration %d, %d steps, %d assertions", s.Name, s.DurationMS, len(s.Steps), len(s.Assertions))
			}
			for kind, rel := range s.Files {
				info, err := os.Stat(filepath.Join(reportDir, rel))
				if err != nil {
					t.Errorf("%s: %s file: %v", s.Name, kind, err)
				} else if info.Size() == 0 && kind != "db_rows" {
					t.Errorf("%s: %s file %s is empty", s.Name, kind, rel)
				}
			}
			health, err := report.LoadHealth(reportDir, s.Name)
			if err != nil || len(health) == 0 {
				t.Errorf("%s: health timeline %d samples, %v", s.Name, len(health), err)
			}
		}
	})

	// startup_validation_fails_closed hands the real password to the
	// backend in every case and job_flow's backend logs with it set: the
	// report must still not contain it anywhere.
	t.Run("report has no password", func(t *testing.T) {
		if srv.Password == "" {
			t.Fatal("test server has no password to look for")
		}
		red := &evidence.Redactor{}
		red.Add(srv.Password, dbURL)
		leaks, err := red.Leaks(reportDir)
		if err != nil || len(leaks) > 0 {
			t.Errorf("files holding the password or URL: %v (%v)", leaks, err)
		}
		files := 0
		_ = filepath.WalkDir(reportDir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files++
				if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(srv.Password)) {
					t.Errorf("%s contains the password", path)
				}
			}
			return nil
		})
		if files < 10 {
			t.Errorf("only %d report files were scanned", files)
		}
		if strings.Contains(stdout+stderr, srv.Password) {
			t.Error("runner output shows the password")
		}
	})
}

// TestInterruptCleansUp cancels the run while a backend is up (as Ctrl-C
// does) and checks that the backend is gone, the temp dir removed, the
// interrupted scenario is an error and the rest are skipped.
func TestInterruptCleansUp(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu    sync.Mutex
		ports []string
	)
	// The interrupt comes when the first backend accepts connections: the
	// run is then mid-scenario whatever the machine's speed.
	up := make(chan string, 1)
	var once sync.Once
	tamper := func(_, _ string, env map[string]string) {
		mu.Lock()
		ports = append(ports, env["PORT"])
		mu.Unlock()
		once.Do(func() { go waitListening(ctx, env["PORT"], up) })
	}
	go func() {
		select {
		case <-up:
		case <-time.After(time.Minute):
			t.Error("no backend accepted connections within a minute")
		case <-ctx.Done():
			return
		}
		cancel()
	}()
	reportDir := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := invoke(t, ctx, dbURL, tamper, "run", "--db", "url", "--reset-existing-db", "--report", reportDir,
		"multi_instance_claims_once", "bad_input_is_rejected")
	if code != ExitHarness {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitHarness, stdout, stderr)
	}
	run, err := report.Load(reportDir)
	if err != nil {
		t.Fatal(err)
	}
	if got := run.Scenarios[0]; got.Verdict != report.Error || !strings.Contains(got.Reason, "interrupted") {
		t.Errorf("interrupted scenario: %s %q", got.Verdict, got.Reason)
	}
	if got := run.Scenarios[1]; got.Verdict != report.Skip || got.Reason == "" {
		t.Errorf("scenario after the interrupt: %s %q", got.Verdict, got.Reason)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ports) == 0 {
		t.Fatal("no backend was started before the interrupt")
	}
	for _, port := range ports {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
			c.Close()
			t.Errorf("backend on port %s still accepts connections after the run", port)
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "prodproof-proofs-*"))
	if len(left) > 0 {
		t.Errorf("temp dirs left behind: %v", left)
	}
}

// waitListening reports port on up once 127.0.0.1:port accepts a
// connection, polling until ctx ends.
func waitListening(ctx context.Context, port string, up chan<- string) {
	for ctx.Err() == nil {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 100*time.Millisecond); err == nil {
			c.Close()
			up <- port
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
}
