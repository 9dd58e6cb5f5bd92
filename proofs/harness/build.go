package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// ModulePath is the module whose root RepoRoot looks for.
const ModulePath = "github.com/prodproof/prodproof"

// RepoRoot walks up from dir to the folder whose go.mod declares ModulePath.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if declaresModule(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod for %s above the working directory: run the proofs from inside the repository", ModulePath)
		}
		dir = parent
	}
}

func declaresModule(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return fields[1] == ModulePath
		}
	}
	return false
}

// BackendBinary is the file name BuildBackend writes.
const BackendBinary = "reference-backend"

// BuildBackend compiles ./backend of the module at root into outDir and
// returns the binary's path. The compiler's output is in the error. It
// builds with CGO_ENABLED=0, as scripts/stage-deploy.sh does, so the two
// builds share the build cache and the proofs run the same static binary
// an operator would deploy. environ is the caller's environment (GOCACHE,
// GOFLAGS, PATH...).
func BuildBackend(ctx context.Context, root, outDir string, environ []string) (string, error) {
	return buildBackend(ctx, root, outDir, environ)
}

// CoverPackages are the packages whose statements a covered backend
// counts: the backend and the migrations it applies.
var CoverPackages = []string{ModulePath + "/backend/...", ModulePath + "/migrations/..."}

// BuildBackendCovered is BuildBackend with `go build -cover
// -covermode=atomic` (runtime/coverage writes counters of a running
// process only in that mode) over
// CoverPackages and the proofcover tag (backend/coverflush.go), so a
// process started with GOCOVERDIR writes its coverage counters there, also
// when it is SIGKILLed (at most the last 100 ms are lost). Every process
// of a covered binary must get a GOCOVERDIR: without one the Go runtime
// prints a warning on stderr at exit.
func BuildBackendCovered(ctx context.Context, root, outDir string, environ []string) (string, error) {
	return buildBackend(ctx, root, outDir, environ, "-cover", "-covermode=atomic", "-coverpkg="+strings.Join(CoverPackages, ","), "-tags=proofcover")
}

func buildBackend(ctx context.Context, root, outDir string, environ []string, flags ...string) (string, error) {
	out := filepath.Join(outDir, BackendBinary)
	args := append([]string{"build", "-ldflags=-s -w", "-o", out}, flags...)
	cmd := exec.CommandContext(ctx, "go", append(args, "./backend")...)
	cmd.Dir = root
	cmd.Env = append(slices.Clone(environ), "CGO_ENABLED=0")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", fmt.Errorf("go build ./backend: %w\n%s", err, strings.TrimSpace(output.String()))
		}
		return "", fmt.Errorf("go build ./backend (is the go toolchain on PATH?): %w", err)
	}
	return out, nil
}

// Git runs git in root and returns its trimmed stdout.
func Git(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// WithoutEnv returns environ without the variable name, so a child process
// (a build, a backend) cannot inherit it by accident; DATABASE_URL above all.
func WithoutEnv(environ []string, name string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// Provenance records what a run runs on: the Go version, the command, the
// host, the start time and the commit of the checkout at root (and whether
// it was dirty; both stay empty outside a git checkout).
func Provenance(ctx context.Context, root, command string) report.Provenance {
	prov := report.Provenance{
		GoVersion: runtime.Version(),
		Command:   command,
		Host:      fmt.Sprintf("%s/%s %dcpu", runtime.GOOS, runtime.GOARCH, runtime.NumCPU()),
		StartedAt: time.Now().UTC(),
	}
	if commit, err := Git(ctx, root, "rev-parse", "HEAD"); err == nil {
		prov.Commit = commit
		if status, err := Git(ctx, root, "status", "--porcelain"); err == nil {
			prov.Dirty = status != ""
		}
	}
	return prov
}
