package harness

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillAllReachesTheWholeProcessGroup starts a shell that starts a
// background child and checks that KillAll ends both.
func TestKillAllReachesTheWholeProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	var g Group
	p, err := g.Start(Spec{Name: "sh", Path: "/bin/sh", Args: []string{"-c", "sleep 300 & echo $! > " + pidFile + "; wait"}})
	if err != nil {
		t.Fatal(err)
	}
	var child int
	deadline := time.Now().Add(10 * time.Second)
	for child == 0 {
		if data, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(data), "\n") {
			child, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		if time.Now().After(deadline) {
			t.Fatal("the shell never wrote its child's pid")
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.KillAll()
	if exited, code := p.Exited(); !exited || code != -1 {
		t.Fatalf("leader: exited=%t code=%d, want killed", exited, code)
	}
	// The orphaned child is reparented and reaped by init; wait until it
	// is gone.
	for syscall.Kill(child, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("child %d survived KillAll", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
	g.KillAll() // a second call is harmless
}

func TestRunCapturesOutputExitAndTimeout(t *testing.T) {
	var g Group
	defer g.KillAll()
	res, err := g.Run(context.Background(), Spec{Name: "sh", Path: "/bin/sh", Args: []string{"-c", "echo out; echo err >&2; printf tail; exit 3"}}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || res.Stdout != "out\ntail\n" || res.Stderr != "err\n" {
		t.Fatalf("result %+v", res)
	}
	res, err = g.Run(context.Background(), Spec{Name: "sleep", Path: "/bin/sleep", Args: []string{"300"}}, 200*time.Millisecond)
	if err == nil || !res.TimedOut {
		t.Fatalf("a hung command: err %v, timed out %t", err, res.TimedOut)
	}
}

func TestTerminateEscalatesToKill(t *testing.T) {
	var g Group
	defer g.KillAll()
	p, err := g.Start(Spec{Name: "stubborn", Path: "/bin/sh", Args: []string{"-c", "trap '' TERM; while :; do sleep 1; done"}})
	if err != nil {
		t.Fatal(err)
	}
	if code := p.Terminate(300 * time.Millisecond); code != -1 {
		t.Fatalf("exit code %d, want -1 (killed)", code)
	}
}
