package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodproof/prodproof/docscheck/repo"
)

func TestExternalLinks(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/ok":
		case "/head-refused":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	root := copyFixture(t)
	page := "[a](" + srv.URL + "/ok) [b](" + srv.URL + "/head-refused) [c](" + srv.URL + "/gone)\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "ext.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache.json")
	run := func() []string {
		return checkPage(t, Options{Repo: repo.New(root), External: NewLinkFetcher(5*time.Second, cache)}, "docs/ext.md")
	}
	want := "docs/ext.md:1:" // one finding, for /gone
	got := run()
	if len(got) != 1 || !strings.HasPrefix(got[0], want) || !strings.Contains(got[0], "/gone answered 404") {
		t.Fatalf("first run: got %q, want one 404 finding for /gone", got)
	}
	before := hits.Load()
	if again := run(); strings.Join(again, "\n") != strings.Join(got, "\n") {
		t.Errorf("cached run: got %q, want %q", again, got)
	}
	if hits.Load() != before {
		t.Errorf("cached run sent %d requests, want 0", hits.Load()-before)
	}
}

func TestExternalLinksNotFetchedByDefault(t *testing.T) {
	root := copyFixture(t)
	// A port nothing listens on: fetching would fail.
	page := "[x](http://127.0.0.1:1/nothing)\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "ext.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Repo: repo.New(root)})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Run(context.Background(), []string{"docs/ext.md"})
	if err != nil || len(findings) != 0 {
		t.Errorf("got %v, %v; want no findings", findings, err)
	}
}
