// Package scenario holds the twenty named proofs of the reference backend,
// written with the public proof framework (package prove). What this
// package adds to prove is what it knows about the reference backend:
// how to start `reference-backend serve`, its /health document, its job
// API and its jobs table.
package scenario

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prodproof/prodproof/prove"
)

// Env is what every scenario of one run shares.
type Env struct {
	// Root is the repository root; scripts and migrations are read from it.
	Root string
	// Binary is the reference-backend built once for this run.
	Binary string
	// BaseEnv is the environment for tools that need the caller's setup
	// (the Go toolchain in stage-deploy.sh). DATABASE_URL is never in it.
	BaseEnv []string
	// Tamper, when set, edits each backend's environment just before it
	// starts. Tests use it to break the backend on purpose and check that
	// the assertions notice; the proofs command never sets it.
	Tamper func(scenario, instance string, env map[string]string)
	// CoverDir, when set, says Binary was built with coverage: every
	// process of Binary a scenario starts writes its counters to
	// CoverDirFor(scenario), which the runner merges afterwards.
	CoverDir string
}

// CoverDirFor is the GOCOVERDIR of a scenario's processes ("" without
// coverage).
func (e *Env) CoverDirFor(scenario string) string {
	if e.CoverDir == "" {
		return ""
	}
	return filepath.Join(e.CoverDir, scenario)
}

// withCoverage adds GOCOVERDIR to env when binary is the run's covered
// build. A covered binary without GOCOVERDIR warns on stderr at exit,
// which would change what the startup proofs see.
func (t *T) withCoverage(binary string, env map[string]string) map[string]string {
	dir := t.env.CoverDirFor(t.Name)
	if dir == "" || binary != t.env.Binary {
		return env
	}
	env["GOCOVERDIR"] = dir
	return env
}

// T is one running proof of the reference backend: the framework's T and
// this run's Env.
type T struct {
	*prove.T
	env *Env

	inv invariantWatch

	mu       sync.Mutex
	backends []*Backend
}

// Equal checks observed == expected, formatted with %v.
func Equal[V comparable](t *T, name string, expected, observed V) bool {
	return prove.Equal(t.T, name, expected, observed)
}

// RequireEqual is Equal that ends the scenario on a mismatch.
func RequireEqual[V comparable](t *T, name string, expected, observed V) {
	prove.RequireEqual(t.T, name, expected, observed)
}

// RunBackendCommand runs `reference-backend` with args and the given environment
// (nothing inherited) and waits for it.
func (t *T) RunBackendCommand(label string, env map[string]string, timeout time.Duration, args ...string) prove.Exit {
	env = t.withCoverage(t.env.Binary, maps.Clone(env))
	return t.Run(label, prove.Command{Path: t.env.Binary, Args: args, Env: envList(env)}, timeout)
}

// Migrate applies the migrations to the scenario's database with the built
// binary, as an operator would, and requires it to succeed.
func (t *T) Migrate() {
	t.Step("migrate up")
	res := t.RunBackendCommand("migrate", map[string]string{"DATABASE_URL": t.DatabaseURL}, 30*time.Second, "migrate", "up")
	t.Require("migrate up succeeds", "exit 0", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 0)
}

// ScriptPath is a file of the repository's scripts/ folder.
func (t *T) ScriptPath(name string) string { return filepath.Join(t.env.Root, "scripts", name) }

// Root is the repository root.
func (t *T) Root() string { return t.env.Root }

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// lastLine is the last non-empty line of s, for short observations.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
