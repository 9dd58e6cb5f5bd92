package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/worker"
)

// memStore is an in-memory Store that refuses what PostgreSQL refuses (by
// the dbAccepts model), as the real store does: the fuzz targets exercise
// the HTTP layer's input handling, and TestFuzzCorpusAgainstPostgres checks
// the model against a real server.
type memStore struct {
	mu   sync.Mutex
	jobs map[job.ID]job.Job
	keys map[string]job.ID
}

func (m *memStore) Insert(_ context.Context, payload json.RawMessage, key string) (job.Job, bool, error) {
	if !dbAccepts(payload) {
		return job.Job{}, false, fmt.Errorf("insert job: %w", job.ErrInvalidPayload)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.keys[key]; ok && key != "" {
		if string(m.jobs[id].Payload) != string(payload) {
			return job.Job{}, false, job.ErrIdempotencyConflict
		}
		return m.jobs[id], false, nil
	}
	now := job.Time{Time: time.Now()}
	j := job.Job{ID: job.NewID(), Status: job.Pending, Payload: payload, CreatedAt: now, UpdatedAt: now}
	m.jobs[j.ID] = j
	if key != "" {
		m.keys[key] = j.ID
	}
	return j, true, nil
}

func (m *memStore) Get(_ context.Context, id job.ID) (job.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return job.Job{}, job.ErrNotFound
	}
	return j, nil
}

func (m *memStore) Ping(context.Context) error { return nil }

func newTestRouter() (http.Handler, *memStore) {
	store := &memStore{jobs: map[job.ID]job.Job{}, keys: map[string]job.ID{}}
	return NewRouter(Config{
		Store:        store,
		State:        worker.NewState(time.Second),
		Logger:       slog.New(slog.DiscardHandler),
		MaxBodyBytes: 1024,
	}), store
}

func serve(h http.Handler, method, path string, body io.Reader) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, body))
	return rec
}

func FuzzPostJobs(f *testing.F) {
	for _, seed := range []string{`{}`, `[1,2]`, `"x"`, `{"a":`, ``, `{"fault":"worker_crash_after_claim"}`, "\x00", `{} {}`, strings.Repeat("[", 2000)} {
		f.Add([]byte(seed))
	}
	h, store := newTestRouter()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := len(store.jobs)
		rec := serve(h, http.MethodPost, "/jobs", strings.NewReader(string(body)))
		switch rec.Code {
		case http.StatusCreated:
			if !dbAccepts(body) || len(body) > 1024 {
				t.Fatalf("accepted a body the database refuses, or an oversize one: %q", body)
			}
			var j job.Job
			if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
				t.Fatalf("201 body is not a job: %v", err)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if len(store.jobs) != before {
				t.Fatalf("a %d wrote a job", rec.Code)
			}
			var e map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["error"] == "" {
				t.Fatalf("error body %q", rec.Body.String())
			}
			if rec.Code == http.StatusBadRequest && dbAccepts(body) {
				t.Fatalf("refused %q, which the database accepts: %s", body, e["error"])
			}
			if strings.Contains(e["error"], "refused by the database") {
				// The store's backstop answered: ValidatePayload missed it.
				t.Fatalf("ValidatePayload let %q through to the database", body)
			}
		default:
			t.Fatalf("POST %q: status %d", body, rec.Code)
		}
	})
}

func FuzzGetJob(f *testing.F) {
	for _, seed := range []string{"00000000-0000-4000-8000-000000000000", "not-a-uuid", "", "%zz", "../health", "0000000000000000000000000000000000000000"} {
		f.Add(seed)
	}
	h, _ := newTestRouter()
	f.Fuzz(func(t *testing.T, id string) {
		req, err := http.NewRequest(http.MethodGet, "/jobs/"+id, nil)
		if err != nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusMovedPermanently:
		default:
			t.Fatalf("GET /jobs/%q: status %d", id, rec.Code)
		}
	})
}

func TestPostThenGetRoundTrip(t *testing.T) {
	h, _ := newTestRouter()
	rec := serve(h, http.MethodPost, "/jobs", strings.NewReader(`{"k":"<script>"}`))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	var j job.Job
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	got := serve(h, http.MethodGet, "/jobs/"+j.ID.String(), nil)
	if got.Code != http.StatusOK || !strings.Contains(got.Body.String(), j.ID.String()) {
		t.Fatalf("GET: %d %s", got.Code, got.Body)
	}
	upper := serve(h, http.MethodGet, "/jobs/"+strings.ToUpper(j.ID.String()), nil)
	if upper.Code != http.StatusOK {
		t.Fatalf("GET upper-case id: %d", upper.Code)
	}
}

func FuzzIdempotencyKey(f *testing.F) {
	for _, seed := range []string{"order-7", "", " ", "\x00", strings.Repeat("k", 256), "é"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{}
		h.Set("Idempotency-Key", value)
		key, err := IdempotencyKey(h)
		if err != nil {
			return
		}
		if key != value || len(key) == 0 || len(key) > maxIdempotencyKey {
			t.Fatalf("accepted %q as %q", value, key)
		}
		for i := 0; i < len(key); i++ {
			if key[i] < 0x20 || key[i] > 0x7e {
				t.Fatalf("accepted a non-printable byte in %q", key)
			}
		}
	})
}
