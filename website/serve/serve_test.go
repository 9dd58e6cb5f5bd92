package serve

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setup writes a small site and serves it on a free loopback port.
func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":                 "<!doctype html><title>x</title>index",
		"proofs/a.html":              "<!doctype html><title>a</title>a",
		"proofs/a/backend.log":       "<script>alert(1)</script>\n",
		"proofs/a/events.ndjson":     "{}\n",
		"proofs/a/db_rows.json":      "{}",
		"assets/style.css":           "body{}",
		".website-build":             "marker",
		"proofs/.hidden/secret.html": "no",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := Listen(Config{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv.URL()
}

func TestServe(t *testing.T) {
	base := setup(t)
	tests := []struct {
		method, path string
		status       int
		contentType  string
		body         string
	}{
		{"GET", "", 200, "text/html; charset=utf-8", "index"},
		{"GET", "index.html", 200, "text/html; charset=utf-8", "index"},
		{"GET", "proofs/a.html", 200, "text/html; charset=utf-8", "a"},
		// A log that starts like HTML is still plain text.
		{"GET", "proofs/a/backend.log", 200, "text/plain; charset=utf-8", "<script>"},
		{"GET", "proofs/a/events.ndjson", 200, "text/plain; charset=utf-8", "{}"},
		{"GET", "proofs/a/db_rows.json", 200, "application/json", "{}"},
		{"GET", "assets/style.css", 200, "text/css; charset=utf-8", "body"},
		{"GET", "proofs/", 404, "", ""},
		{"GET", "proofs/a", 404, "", ""},
		{"GET", ".website-build", 404, "", ""},
		{"GET", "proofs/.hidden/secret.html", 404, "", ""},
		{"GET", "../../etc/passwd", 404, "", ""},
		{"GET", "nope.html", 404, "", ""},
		{"POST", "index.html", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" /"+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("no restrictive Content-Security-Policy: %q", resp.Header.Get("Content-Security-Policy"))
			}
			if tt.status != 200 {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body %q lacks %q", body, tt.body)
			}
		})
	}
}

func TestListenRefusesAFolderWithoutSite(t *testing.T) {
	_, err := Listen(Config{Dir: t.TempDir(), Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "make website") {
		t.Fatalf("Listen on an empty folder: err = %v, want one that says to run make website", err)
	}
}

func TestServeStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(Config{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Serve(ctx); err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := http.Get(srv.URL()); err == nil {
		t.Error("server still answers after Serve returned")
	}
}
