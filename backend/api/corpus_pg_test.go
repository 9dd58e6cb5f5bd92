package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/postgres"
	"github.com/prodproof/prodproof/backend/worker"
	"github.com/prodproof/prodproof/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestFuzzCorpusAgainstPostgres sends every FuzzPostJobs corpus entry to
// the API backed by the real store, and asks the server itself what it
// accepts: the API must answer 201 exactly for what PostgreSQL takes as
// jsonb (within MaxPayloadDepth) and 400 for the rest, never 500; and the
// fuzz tests' dbAccepts model must agree with the server on every entry.
func TestFuzzCorpusAgainstPostgres(t *testing.T) {
	bodies := readFuzzCorpus(t, "testdata/fuzz/FuzzPostJobs")
	for _, depth := range []int{MaxPayloadDepth, MaxPayloadDepth + 1} {
		bodies[fmt.Sprintf("nested %d deep", depth)] = []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	}

	dbURL := pgtest.NewMigratedDatabase(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := postgres.New(pool, postgres.Options{Lease: 30 * time.Second, MaxAttempts: 5})
	var logs bytes.Buffer
	h := NewRouter(Config{
		Store:        store,
		State:        worker.NewState(time.Second),
		Logger:       slog.New(slog.NewJSONHandler(&logs, nil)),
		MaxBodyBytes: 64 << 10,
	})

	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var ignored string
			jsonbErr := pool.QueryRow(ctx, `SELECT $1::text::jsonb::text`, string(body)).Scan(&ignored)
			serverAccepts := jsonbErr == nil && nestingDepth(body) <= MaxPayloadDepth
			if model := dbAccepts(body); model != serverAccepts {
				t.Errorf("dbAccepts = %v, PostgreSQL accepts = %v (jsonb: %v)", model, serverAccepts, jsonbErr)
			}

			rec := serve(h, http.MethodPost, "/jobs", bytes.NewReader(body))
			want := http.StatusBadRequest
			if serverAccepts {
				want = http.StatusCreated
			}
			if rec.Code != want {
				t.Fatalf("POST: status %d, want %d (PostgreSQL: %v): %s", rec.Code, want, jsonbErr, rec.Body)
			}

			// The store's backstop, without the API's check: what the json
			// column refuses comes back as job.ErrInvalidPayload.
			var jsonErr error
			if err := pool.QueryRow(ctx, `SELECT $1::text::json::text`, string(body)).Scan(&ignored); err != nil {
				jsonErr = err
			}
			_, _, insertErr := store.Insert(ctx, body, "")
			if jsonErr != nil && !errors.Is(insertErr, job.ErrInvalidPayload) {
				t.Errorf("store.Insert of what the json column refuses (%v): %v, want job.ErrInvalidPayload", jsonErr, insertErr)
			}
			if jsonErr == nil && insertErr != nil {
				t.Errorf("store.Insert of what the json column takes: %v", insertErr)
			}
		})
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the API logged an ERROR:\n%s", logs.String())
	}
}

// nestingDepth is the deepest nesting of arrays and objects in JSON that
// PostgreSQL accepted (so that brackets inside strings are skipped by
// decoding, not counted).
func nestingDepth(body []byte) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
				deepest = max(deepest, depth)
			} else {
				depth--
			}
		}
	}
}

// readFuzzCorpus reads the one-[]byte-argument corpus files `go test -fuzz`
// keeps in dir.
func readFuzzCorpus(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus in %s (%v)", dir, err)
	}
	bodies := map[string][]byte{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		header, value, ok := strings.Cut(strings.TrimSpace(string(data)), "\n")
		literal, isBytes := strings.CutPrefix(strings.TrimSpace(value), "[]byte(")
		literal, closed := strings.CutSuffix(literal, ")")
		if !ok || header != "go test fuzz v1" || !isBytes || !closed {
			t.Fatalf("%s: not a one-[]byte fuzz corpus file", path)
		}
		body, err := strconv.Unquote(literal)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		bodies[filepath.Base(path)] = []byte(body)
	}
	return bodies
}
