// Package api is the backend's HTTP surface: jobs, health and the
// orchestrator probes, routed with chi. Every error answer is JSON
// {"error": "..."}; a 4xx never writes to the database.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/prodproof/prodproof/backend/health"
	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/worker"
)

// Store is what the handlers need from the database.
type Store interface {
	Insert(ctx context.Context, payload json.RawMessage, idempotencyKey string) (j job.Job, created bool, err error)
	Get(ctx context.Context, id job.ID) (job.Job, error)
	Ping(ctx context.Context) error
}

// Config wires the handlers.
type Config struct {
	Store  Store
	State  *worker.State
	Logger *slog.Logger
	// MaxBodyBytes limits POST /jobs bodies.
	MaxBodyBytes int64
	// SchemaCurrent reports whether the database schema matches the code;
	// /readyz fails while it does not.
	SchemaCurrent func(ctx context.Context) error
	// Alive reports whether the supervisor is still running, for /livez.
	Alive func() bool
	// FaultInjection honours the request fault of a posted payload
	// (FAULT_INJECTION=1, for the proofs; see job.FaultRequestPanic).
	FaultInjection bool
	// JobInserted, if set, is called after each committed insert, to wake
	// the workers.
	JobInserted func()
	// DBTimeout bounds each request's database work. Default 5s.
	DBTimeout time.Duration
	// HealthDBTimeout bounds /health's database check, so /health answers
	// promptly while the database is down. Default 1s.
	HealthDBTimeout time.Duration
}

// NewRouter returns the backend's HTTP handler.
func NewRouter(cfg Config) http.Handler {
	if cfg.DBTimeout <= 0 {
		cfg.DBTimeout = 5 * time.Second
	}
	if cfg.HealthDBTimeout <= 0 {
		cfg.HealthDBTimeout = time.Second
	}
	h := &handlers{cfg: cfg}
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(h.recoverer)
	// Probes and uptime checkers send HEAD: it is served wherever GET is.
	r.Use(middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowedMethods(r))
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	r.Post("/jobs", h.postJob)
	r.Get("/jobs/{id}", h.getJob)
	r.Get("/health", h.health)
	r.Get("/livez", h.livez)
	r.Get("/readyz", h.readyz)
	return r
}

type handlers struct{ cfg Config }

// allowedMethods lists, for the Allow header of a 405, the methods the
// router serves at r's path (HEAD wherever GET is, by middleware.GetHead).
func allowedMethods(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if rctx.Routes.Match(chi.NewRouteContext(), m, path) ||
			(m == http.MethodHead && rctx.Routes.Match(chi.NewRouteContext(), http.MethodGet, path)) {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}

// recoverer answers a handler panic with a JSON 500 and logs it with the
// request id, instead of chi's plain-text default.
func (h *handlers) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				if rec == http.ErrAbortHandler {
					panic(rec)
				}
				h.cfg.Logger.Error("http handler panic", "request_id", middleware.GetReqID(r.Context()), "path", r.URL.Path, "panic", rec)
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (h *handlers) postJob(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body is larger than the limit of "+strconv.FormatInt(h.cfg.MaxBodyBytes, 10)+" bytes")
			return
		}
		writeError(w, http.StatusBadRequest, "could not read request body")
		return
	}
	if err := ValidatePayload(body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if h.cfg.FaultInjection {
		if f, ok := job.ParseFault(body); ok && f.Kind == job.FaultRequestPanic {
			h.cfg.Logger.Warn("fault injected", "fault", f.Kind, "request_id", middleware.GetReqID(r.Context()))
			panic(job.FaultRequestPanic)
		}
	}
	key, err := IdempotencyKey(r.Header)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.DBTimeout)
	defer cancel()
	j, created, err := h.cfg.Store.Insert(ctx, body, key)
	if errors.Is(err, job.ErrIdempotencyConflict) {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	if errors.Is(err, job.ErrInvalidPayload) {
		// ValidatePayload let through something this server refuses (one
		// configured stricter than the defaults): still the client's input.
		h.cfg.Logger.Warn("database refused a payload", "request_id", middleware.GetReqID(r.Context()), "error", err.Error())
		writeError(w, http.StatusBadRequest, "request body was refused by the database: it cannot store or read it as JSON")
		return
	}
	if err != nil {
		h.storeError(w, r, "insert job", err)
		return
	}
	if !created {
		// A retry of a request that already succeeded: the same job, and
		// no wake-up, since nothing new was inserted.
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, http.StatusOK, j)
		return
	}
	if h.cfg.JobInserted != nil {
		h.cfg.JobInserted()
	}
	writeJSON(w, http.StatusCreated, j)
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// IdempotencyKey reads the optional Idempotency-Key header: 1 to 255
// printable ASCII characters. Exported for the fuzz tests.
func IdempotencyKey(h http.Header) (string, error) {
	values := h.Values("Idempotency-Key")
	if len(values) == 0 {
		return "", nil
	}
	key := values[0]
	if len(values) > 1 || key == "" || len(key) > maxIdempotencyKey {
		return "", errors.New("Idempotency-Key must be one value of 1 to 255 printable ASCII characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", errors.New("Idempotency-Key must be one value of 1 to 255 printable ASCII characters")
		}
	}
	return key, nil
}

func (h *handlers) getJob(w http.ResponseWriter, r *http.Request) {
	id, err := job.ParseID(chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid job id")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.DBTimeout)
	defer cancel()
	j, err := h.cfg.Store.Get(ctx, id)
	if errors.Is(err, job.ErrNotFound) {
		writeError(w, http.StatusNotFound, "job not found")
		return
	}
	if err != nil {
		h.storeError(w, r, "get job", err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (h *handlers) storeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	if job.IsUnavailable(err) {
		writeError(w, http.StatusServiceUnavailable, "database unavailable")
		return
	}
	if r.Context().Err() != nil {
		// The client went away; there is nobody to answer.
		return
	}
	h.cfg.Logger.Error("request failed", "request_id", middleware.GetReqID(r.Context()), "op", op, "error", err.Error())
	writeError(w, http.StatusInternalServerError, "internal error")
}

func (h *handlers) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.HealthDBTimeout)
	defer cancel()
	dbErr := h.cfg.Store.Ping(ctx)
	if dbErr != nil {
		// The report shows a short, stable reason; the full error (which
		// never contains the URL) goes to the log at debug level only.
		h.cfg.Logger.Debug("health database check failed", "error", dbErr.Error())
		dbErr = errors.New("database unreachable")
	}
	report := health.Build(h.cfg.State.Snapshot(), dbErr, time.Now())
	code := http.StatusOK
	if report.Status == health.StatusError {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, report)
}

func (h *handlers) livez(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.cfg.Alive != nil && !h.cfg.Alive() {
		writeError(w, http.StatusServiceUnavailable, "supervisor stopped")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handlers) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.HealthDBTimeout)
	defer cancel()
	if err := h.cfg.Store.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	if h.cfg.SchemaCurrent != nil {
		if err := h.cfg.SchemaCurrent(ctx); err != nil {
			writeError(w, http.StatusServiceUnavailable, "schema not current: "+err.Error())
			return
		}
	}
	if h.cfg.State.Snapshot().Status == worker.StatusFailed {
		writeError(w, http.StatusServiceUnavailable, "worker failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code, body = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
