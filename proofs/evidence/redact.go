// Package evidence records what one proof scenario did and saw (steps,
// assertions with expected and observed values, /health samples, database
// rows, the backend's log) and hands it to internal/report's writers, with
// the Redactor that keeps every secret of the run out of what they write.
package evidence

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/redact"
)

// Redactor replaces secrets (database URLs, the password) in text. Secrets
// are added as they become known; it is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
	// scrubbed lists the evidence files a secret was removed from. The
	// proofs check the backend's raw output first and fail on a leak; this
	// is the last line of defence, and it says when it had to act.
	scrubbed []string
}

// Add registers secrets; empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.secrets = append(r.secrets, s)
		// The same secret inside a JSON string is escaped differently
		// (&, <, >, quotes, backslashes).
		if quoted, err := json.Marshal(s); err == nil {
			if inner := string(quoted[1 : len(quoted)-1]); inner != s {
				r.secrets = append(r.secrets, inner)
			}
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// AddURL registers a database connection string and the password inside it,
// in both URL and key=value forms.
func (r *Redactor) AddURL(raw string) {
	if raw == "" {
		return
	}
	r.Add(raw)
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			r.Add(pw)
		}
	}
	if cfg, err := pgx.ParseConfig(raw); err == nil {
		r.Add(cfg.Password)
	}
}

// Redact returns text with every secret, and its escaped forms, replaced.
func (r *Redactor) Redact(text string) string {
	if r == nil {
		return text
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.secrets) == 0 {
		return text
	}
	return redact.Text(text, r.secrets...)
}

// Scrub is Redact for text on its way into the evidence file at where; when
// it removes something it remembers where, for Scrubbed.
func (r *Redactor) Scrub(where, text string) string {
	clean := r.Redact(text)
	if clean != text {
		r.mu.Lock()
		if !slices.Contains(r.scrubbed, where) {
			r.scrubbed = append(r.scrubbed, where)
		}
		r.mu.Unlock()
	}
	return clean
}

// Scrubbed lists the places Scrub removed a secret from, in order.
func (r *Redactor) Scrubbed() []string {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.scrubbed)
}

// Contains reports whether text holds any registered secret in any form.
func (r *Redactor) Contains(text string) bool {
	return r.Redact(text) != text
}

// Writer returns a writer that redacts each Write before passing it on.
// Callers write whole lines, so a secret is never split across two writes.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return redactingWriter{r: r, w: w}
}

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Leaks walks dir and returns the files that contain a registered secret,
// in any form. The runner checks its own report with it before exiting.
func (r *Redactor) Leaks(dir string) ([]string, error) {
	var leaks []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if r.Contains(string(data)) {
			leaks = append(leaks, path)
		}
		return nil
	})
	return leaks, err
}
