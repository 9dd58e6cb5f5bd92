// Package serve serves a built proof site over HTTP on a loopback address.
// It serves files only: no directory listings, no dotfiles, and every
// evidence file (logs, NDJSON) as plain text, so nothing taken from a report
// can run as a page.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Config says what to serve and where.
type Config struct {
	Dir    string       // built site folder; must hold index.html
	Addr   string       // listen address, e.g. "127.0.0.1:8080"; port 0 picks one
	Logger *slog.Logger // default: discard
}

// Server is a listening site server.
type Server struct {
	dir    string
	ln     net.Listener
	srv    *http.Server
	logger *slog.Logger
}

// contentTypes are set by extension rather than sniffed: a log whose first
// line looks like HTML must still be shown as text.
var contentTypes = map[string]string{
	".html":   "text/html; charset=utf-8",
	".css":    "text/css; charset=utf-8",
	".svg":    "image/svg+xml",
	".png":    "image/png",
	".jpg":    "image/jpeg",
	".jpeg":   "image/jpeg",
	".gif":    "image/gif",
	".json":   "application/json",
	".ndjson": "text/plain; charset=utf-8",
	".log":    "text/plain; charset=utf-8",
	".txt":    "text/plain; charset=utf-8",
}

// Listen checks the site folder and binds the address.
func Listen(cfg Config) (*Server, error) {
	if _, err := os.Stat(filepath.Join(cfg.Dir, "index.html")); err != nil {
		return nil, fmt.Errorf("no site in %s (run `make website` first): %w", cfg.Dir, err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{dir: cfg.Dir, ln: ln, logger: logger}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// URL is the site's base URL, e.g. "http://127.0.0.1:8080/".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// Serve answers requests until ctx is done, then shuts down, giving open
// requests a few seconds.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Handler serves the site's files.
func (s *Server) Handler() http.Handler {
	root := os.DirFS(s.dir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(name, "index.html")
		}
		if hidden(name) {
			http.NotFound(w, r)
			return
		}
		f, err := root.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		ct, ok := contentTypes[strings.ToLower(path.Ext(name))]
		if !ok {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		rs, ok := f.(interface {
			Read([]byte) (int, error)
			Seek(int64, int) (int64, error)
		})
		if !ok {
			http.Error(w, "cannot read file", http.StatusInternalServerError)
			return
		}
		http.ServeContent(w, r, name, info.ModTime(), rs)
		s.logger.Debug("served", "path", name)
	})
}

func hidden(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}
