package main

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/prodproof/prodproof/internal/await"
)

// `make serve` stops cleanly on SIGTERM sent to make alone (as a process
// supervisor sends it) and on SIGINT sent to the process group (as Ctrl-C
// does): the server goes with it, nothing is left listening or running.
func TestMakeServeStopsOnSignals(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed: it is a requirement of the README's commands")
	}
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte("<p>site</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		group bool // signal the process group rather than make alone
		sig   syscall.Signal
	}{
		{"SIGTERM to make", false, syscall.SIGTERM},
		{"SIGINT to the group", true, syscall.SIGINT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("make", "-s", "-C", "..", "serve", "SITE="+site, "ADDR=127.0.0.1:0")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pgid := cmd.Process.Pid
			t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })

			serving := regexp.MustCompile(`serving .* on (http://\S+)`)
			urls := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					if m := serving.FindStringSubmatch(sc.Text()); m != nil {
						urls <- m[1]
					}
				}
			}()
			var url string
			select {
			case url = <-urls:
			case <-time.After(3 * time.Minute):
				t.Fatal("make serve printed no address within 3 minutes")
			}
			if resp, err := http.Get(url + "/index.html"); err != nil || resp.StatusCode != 200 {
				t.Fatalf("server at %s does not answer: %v", url, err)
			}

			target := pgid
			if tt.group {
				target = -pgid
			}
			if err := syscall.Kill(target, tt.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("make did not exit within 30 s")
			}
			// Nothing of the group may be left: the server was make's child.
			await.Until(t, 10*time.Second, "every process of make serve's group gone", func() (bool, string) {
				err := syscall.Kill(-pgid, 0)
				return errors.Is(err, syscall.ESRCH), "the group still has a process"
			})
			if _, err := http.Get(url + "/index.html"); err == nil {
				t.Fatalf("%s still answers after make exited", url)
			}
		})
	}
}
