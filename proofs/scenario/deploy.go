package scenario

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/prove"
)

// Timeouts for the deploy bundle proof. Staging compiles the backend, which
// on a cold build cache takes a while on a small machine.
const (
	stageTimeout       = 4 * time.Minute
	scriptTimeout      = 60 * time.Second
	smokeTimeoutS      = 20
	smokeStuckTimeoutS = 2
	// smokeDefaultTimeoutS is deploy-smoke.sh's own default SMOKE_TIMEOUT_S.
	smokeDefaultTimeoutS = 30
	// smokeRefusedWithin: a malformed BASE_URL is refused before anything
	// is tried, so well within half of SMOKE_TIMEOUT_S, which a script
	// that tries the URL until its deadline takes all of.
	smokeRefusedWithin = smokeTimeoutS * time.Second / 2
	// smokeStuckWithin: a job that stays pending fails the script at its
	// SMOKE_TIMEOUT_S, plus at most one poll started before it; half way to
	// the default timeout, which a script ignoring SMOKE_TIMEOUT_S waits.
	smokeStuckWithin = (smokeStuckTimeoutS + (smokeDefaultTimeoutS-smokeStuckTimeoutS)/2) * time.Second
)

// noGoPath is a PATH with the usual system tools and no Go toolchain: the
// bundle's scripts must work on a host without one.
const noGoPath = "/usr/bin:/bin"

// treeState fingerprints the working tree: `git status` (untracked and
// ignored entries included), the content of every changed or untracked
// file, and the diff against HEAD.
func treeState(t *T) string {
	ctx := t.Context()
	status, err := harness.Git(ctx, t.Root(), "status", "--porcelain", "--untracked-files=all")
	if err != nil {
		t.Fatal("%v", err)
	}
	ignored, err := harness.Git(ctx, t.Root(), "status", "--porcelain", "--ignored")
	if err != nil {
		t.Fatal("%v", err)
	}
	diff, err := harness.Git(ctx, t.Root(), "diff", "HEAD", "--binary")
	if err != nil {
		t.Fatal("%v", err)
	}
	var b strings.Builder
	b.WriteString(ignored + "\n")
	for _, line := range strings.Split(status, "\n") {
		if len(line) < 4 {
			continue
		}
		path := line[3:]
		sum := "-"
		if data, err := os.ReadFile(filepath.Join(t.Root(), path)); err == nil {
			h := sha256.Sum256(data)
			sum = hex.EncodeToString(h[:8])
		}
		fmt.Fprintf(&b, "%s %s\n", line, sum)
	}
	h := sha256.Sum256([]byte(diff))
	fmt.Fprintf(&b, "diff %s\n", hex.EncodeToString(h[:8]))
	return b.String()
}

// isStatic reports whether the ELF binary at path has no program
// interpreter, i.e. needs no dynamic loader or libc on the host.
func isStatic(path string) (bool, string) {
	f, err := elf.Open(path)
	if err != nil {
		return false, "not an ELF binary: " + err.Error()
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false, "dynamically linked (has PT_INTERP)"
		}
	}
	return true, "static (no PT_INTERP)"
}

func deployArtifactSmoke(t *T) {
	bundle := filepath.Join(t.Dir(), "bundle")
	stageEnv := slices.Clone(t.env.BaseEnv)

	t.Step("stage-deploy.sh refuses a DIR inside the repository")
	inside := filepath.Join(t.Root(), "deploy-bundle-inside-repo")
	res := t.Run("stage-inside", prove.Command{Path: "/bin/bash", Args: []string{t.ScriptPath("stage-deploy.sh"), inside}, Env: stageEnv, Dir: t.Dir()}, scriptTimeout)
	_, statErr := os.Stat(inside)
	t.Check("stage-deploy.sh refuses a DIR inside the repository", "exit != 0, nothing created, message says inside the repository",
		fmt.Sprintf("exit %d, created=%t: %s", res.ExitCode, statErr == nil, lastLine(res.Combined())),
		res.ExitCode != 0 && os.IsNotExist(statErr) && strings.Contains(res.Stderr, "inside the repository"))

	t.Step("stage the bundle outside the repository")
	before := treeState(t)
	res = t.Run("stage-deploy", prove.Command{Path: t.ScriptPath("stage-deploy.sh"), Args: []string{bundle}, Env: stageEnv, Dir: t.Dir()}, stageTimeout)
	t.Require("stage-deploy.sh succeeds", "exit 0", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 0)
	after := treeState(t)
	t.Check("the source tree is unchanged by staging", before, after, before == after)

	binary := filepath.Join(bundle, "reference-backend")
	info, err := os.Stat(binary)
	t.Require("the bundle holds an executable reference-backend", "executable file", fmt.Sprint(err, info), err == nil && info.Mode()&0o111 != 0)
	static, how := isStatic(binary)
	t.Check("the staged binary is static", "static (no PT_INTERP)", how, static)
	for _, script := range []string{"apply-deploy-migrations.sh", "deploy-smoke.sh"} {
		info, err := os.Stat(filepath.Join(bundle, script))
		t.Check("the bundle holds "+script, "executable file", fmt.Sprint(err, info), err == nil && info.Mode()&0o111 != 0)
	}
	repoFiles := readMigrationFiles(t, filepath.Join(t.Root(), "migrations"))
	bundleFiles := readMigrationFiles(t, filepath.Join(bundle, "migrations"))
	same := len(repoFiles) == len(bundleFiles)
	for i := range repoFiles {
		same = same && i < len(bundleFiles) && repoFiles[i].File == bundleFiles[i].File && bytes.Equal(repoFiles[i].Content, bundleFiles[i].Content)
	}
	t.Check("the bundle's migrations are the repository's, byte for byte", strings.Join(fileNames(repoFiles), " "), strings.Join(fileNames(bundleFiles), " "), same)

	t.Step("apply-deploy-migrations.sh fails closed without DATABASE_URL")
	res = t.Run("apply-no-url", prove.Command{Path: filepath.Join(bundle, "apply-deploy-migrations.sh"), Env: []string{"PATH=" + noGoPath}, Dir: t.Dir()}, scriptTimeout)
	t.Check("apply without DATABASE_URL fails with one line naming it", "exit != 0, message names DATABASE_URL",
		fmt.Sprintf("exit %d: %s", res.ExitCode, strings.TrimSpace(res.Combined())),
		res.ExitCode != 0 && len(nonEmptyLines(res.Combined())) == 1 && strings.Contains(res.Stderr, "DATABASE_URL"))

	t.Step("apply the bundle's migrations with the staged binary (no Go on PATH)")
	res = t.Run("apply-deploy-migrations", prove.Command{
		Path: filepath.Join(bundle, "apply-deploy-migrations.sh"),
		Env:  []string{"PATH=" + noGoPath, "DATABASE_URL=" + t.DatabaseURL},
		Dir:  t.Dir(),
	}, scriptTimeout)
	t.Require("apply-deploy-migrations.sh succeeds", "exit 0", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 0)
	rows := t.schemaMigrations()
	t.Rows("schema_migrations after apply", rows)
	Equal(t, "schema_migrations rows after apply", len(repoFiles), len(rows))

	t.Step("start the staged binary")
	b := t.StartBackend("staged", BackendOptions{Binary: binary})
	waitHealthy(b, "when started from the bundle")

	t.Step("deploy-smoke.sh against the staged backend")
	smoke := func(label, baseURL string, timeoutS int, path string) prove.Exit {
		env := []string{"PATH=" + path, "BASE_URL=" + baseURL, fmt.Sprintf("SMOKE_TIMEOUT_S=%d", timeoutS)}
		return t.Run(label, prove.Command{Path: "/bin/bash", Args: []string{filepath.Join(bundle, "deploy-smoke.sh")}, Env: env, Dir: t.Dir()}, time.Duration(timeoutS+30)*time.Second)
	}
	res = smoke("deploy-smoke", b.BaseURL, smokeTimeoutS, noGoPath)
	t.Check("deploy-smoke.sh passes against the staged backend", "exit 0 and PASS", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())),
		res.ExitCode == 0 && strings.Contains(res.Stdout, "PASS"))
	counts, summary := t.StatusCounts()
	t.Check("the smoke job is processed in the database", "processed=1", summary, counts["processed"] == 1 && len(counts) == 1)
	t.Rows("jobs", t.Jobs())

	t.Step("deploy-smoke.sh fails closed on a malformed BASE_URL")
	for _, bad := range []string{"", "127.0.0.1:8080", "http://", "ftp://127.0.0.1:8080", b.BaseURL + "/jobs", "http://user:pw@127.0.0.1:8080", "http://127.0.0.1:99999"} {
		res = smoke("deploy-smoke-bad-url", bad, smokeTimeoutS, noGoPath)
		t.Check(fmt.Sprintf("deploy-smoke.sh refuses BASE_URL=%q", bad), "exit 1, one line naming BASE_URL, within "+smokeRefusedWithin.String(),
			fmt.Sprintf("exit %d in %s: %s", res.ExitCode, res.Duration.Round(time.Millisecond), strings.TrimSpace(res.Combined())),
			res.ExitCode == 1 && res.Duration < smokeRefusedWithin && len(nonEmptyLines(res.Combined())) == 1 && strings.Contains(res.Stderr, "BASE_URL"))
	}

	t.Step("deploy-smoke.sh fails closed without curl")
	emptyDir := filepath.Join(t.Dir(), "empty-path")
	if err := os.MkdirAll(emptyDir, 0o755); err != nil {
		t.Fatal("%v", err)
	}
	res = smoke("deploy-smoke-no-curl", b.BaseURL, smokeTimeoutS, emptyDir)
	t.Check("deploy-smoke.sh without curl fails with one line naming curl", "exit 1, message names curl",
		fmt.Sprintf("exit %d: %s", res.ExitCode, strings.TrimSpace(res.Combined())),
		res.ExitCode == 1 && len(nonEmptyLines(res.Combined())) == 1 && strings.Contains(res.Stderr, "curl"))

	t.Step("deploy-smoke.sh fails closed when the job is never processed")
	var polls atomic.Int64
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		const id = "00000000-0000-4000-8000-000000000001"
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/health":
			fmt.Fprint(w, `{"status":"ok","db":{"status":"ok","error":null},"worker":{"status":"running","liveness":"healthy"}}`)
		case r.Method == http.MethodPost && r.URL.Path == "/jobs":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%q,"status":"pending","attempts":0,"last_error":null,"payload":{}}`, id)
		case r.Method == http.MethodGet && r.URL.Path == "/jobs/"+id:
			polls.Add(1)
			fmt.Fprintf(w, `{"id":%q,"status":"pending","attempts":0,"last_error":null,"payload":{}}`, id)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(stuck.Close)
	res = smoke("deploy-smoke-stuck", stuck.URL, smokeStuckTimeoutS, noGoPath)
	t.Check("deploy-smoke.sh fails when the job stays pending", fmt.Sprintf("exit 1 within %s (SMOKE_TIMEOUT_S=%d, the default %d), message says not processed", smokeStuckWithin, smokeStuckTimeoutS, smokeDefaultTimeoutS),
		fmt.Sprintf("exit %d in %s: %s", res.ExitCode, res.Duration.Round(time.Millisecond), lastLine(res.Combined())),
		res.ExitCode == 1 && res.Duration < smokeStuckWithin && strings.Contains(res.Stderr, "did not reach processed"))
	// The script counts its deadline in whole seconds (bash's SECONDS), so
	// it may come up to a second early; on a loaded machine one poll can
	// fill that time. A script that gives up after its first poll, on an
	// idle machine, does neither.
	ranToDeadline := time.Duration(smokeStuckTimeoutS-1) * time.Second
	t.Check("deploy-smoke.sh kept polling until its deadline", fmt.Sprintf("at least 2 polls of GET /jobs/{id}, or one poll and a run of at least %s", ranToDeadline),
		fmt.Sprintf("%d polls in %s", polls.Load(), res.Duration.Round(time.Millisecond)),
		polls.Load() >= 2 || (polls.Load() == 1 && res.Duration >= ranToDeadline))
}
