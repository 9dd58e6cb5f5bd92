package scenario

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// sameInstant compares an API timestamp with a database one, allowing for
// the API rendering fewer fractional digits.
func sameInstant(api *string, db *time.Time) bool {
	if api == nil || db == nil {
		return api == nil && db == nil
	}
	at, err := time.Parse(time.RFC3339Nano, *api)
	if err != nil {
		return false
	}
	d := at.Sub(*db)
	return d > -time.Second && d < time.Second && strings.HasSuffix(*api, "Z")
}

func jobFlowUpdatesHealthAndDB(t *T) {
	t.Migrate()
	b := t.StartBackend("a", BackendOptions{})
	before := waitHealthy(b, "before the job")
	Equal(t, "/health worker.processed_jobs before", int64(0), before.Health.Worker.ProcessedJobs)

	t.Step("post a job")
	payload := `{"kind": "email", "to": "someone@example.com", "tags": ["a", "b"], "n": 1.5}`
	job := b.PostJob(payload)
	t.Check("201 body has a known status", "pending|processing|processed", job.Status,
		job.Status == "pending" || job.Status == "processing" || job.Status == "processed")
	t.Check("201 body echoes the payload", payload, string(job.Payload), jsonEqual([]byte(payload), job.Payload))

	row := t.WaitJobStatus(job.ID, "processed", processTimeout)
	t.Rows("jobs", t.Jobs())
	Equal(t, "db: attempts", 1, row.Attempts)
	Equal(t, "db: last_error", "null", str(row.LastError))
	Equal(t, "db: locked_by cleared", "null", str(row.LockedBy))
	t.Check("db: lease cleared", "null", fmt.Sprint(row.LeaseExpiresAt), row.LeaseExpiresAt == nil)
	t.Check("db: processed_at set", "a timestamp", fmt.Sprint(row.ProcessedAt), row.ProcessedAt != nil)
	t.Check("db: payload stored exactly as posted", payload, string(row.Payload), bytes.Equal([]byte(payload), row.Payload))

	api, resp := b.GetJob(job.ID)
	RequireEqual(t, "GET /jobs/{id} status code", 200, resp.Status)
	Equal(t, "api and db agree: id", row.ID, api.ID)
	Equal(t, "api and db agree: status", row.Status, api.Status)
	Equal(t, "api and db agree: attempts", row.Attempts, api.Attempts)
	Equal(t, "api and db agree: last_error", str(row.LastError), str(api.LastError))
	t.Check("api and db agree: processed_at", fmt.Sprint(row.ProcessedAt), str(api.ProcessedAt), sameInstant(api.ProcessedAt, row.ProcessedAt))
	created := row.CreatedAt
	t.Check("api and db agree: created_at", created.String(), api.CreatedAt, sameInstant(&api.CreatedAt, &created))
	t.Check("api payload is the posted JSON", payload, string(api.Payload), jsonEqual([]byte(payload), api.Payload))

	final := b.WaitHealth("/health counts the job", "processed_jobs=1", healthyTimeout, func(s Sample) bool {
		return s.HTTPStatus == 200 && s.Health.Worker.ProcessedJobs >= 1
	})
	w := final.Health.Worker
	Equal(t, "/health worker.processed_jobs", int64(1), w.ProcessedJobs)
	Equal(t, "/health worker.failed_jobs", int64(0), w.FailedJobs)
	Equal(t, "/health worker.last_job_id", job.ID, str(w.LastJobID))
	Equal(t, "/health worker.recovered_jobs", int64(0), w.RecoveredJobs)
	Equal(t, "/health status", "ok", final.Health.Status)
	h := b.Do(http.MethodGet, "/health", nil, "")
	Equal(t, "/health Cache-Control", "no-store", h.Header.Get("Cache-Control"))

	// /readyz is 200 only while the schema is current: the newest applied
	// migration's record removed under the running backend makes the
	// schema behind, and its return makes it current again.
	ready := b.Do(http.MethodGet, "/readyz", nil, "")
	Equal(t, "/readyz with the schema current", http.StatusOK, ready.Status)
	t.Step("remove the newest schema_migrations row under the running backend")
	ctx, cancel := t.queryCtx()
	defer cancel()
	var (
		version        int64
		name, checksum string
		appliedAt      time.Time
	)
	if err := t.DB().QueryRow(ctx, `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)
		RETURNING version, name, checksum, applied_at`).Scan(&version, &name, &checksum, &appliedAt); err != nil {
		t.Fatal("remove the newest migration's record: %s", t.Redact(err.Error()))
	}
	behind := b.Do(http.MethodGet, "/readyz", nil, "")
	t.Check("/readyz with migration "+strconv.FormatInt(version, 10)+" not recorded", `503 error contains "schema not current"`,
		fmt.Sprintf("%d error=%q", behind.Status, behind.ErrorMessage()),
		behind.Err == nil && behind.Status == http.StatusServiceUnavailable && strings.Contains(behind.ErrorMessage(), "schema not current"))
	if _, err := t.DB().Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
		version, name, checksum, appliedAt); err != nil {
		t.Fatal("restore migration %d's record: %s", version, t.Redact(err.Error()))
	}
	ready = b.Do(http.MethodGet, "/readyz", nil, "")
	Equal(t, "/readyz with the record back", http.StatusOK, ready.Status)

	// The next backend must claim the stall job itself.
	b.Kill()
	frozenLoopIsStale(t)
}

// frozenLoopIsStale: a worker whose claim loop stands still (the
// stall_worker_loop fault) while the process answers HTTP is reported
// stale in /health (degraded, 200), and healthy again once the loop moves.
// It is run twice, once on each side of the rule "stale past three poll
// intervals and 5 s". With JOB_POLL_MS 100 three polls (300 ms) are well
// under the 5 s floor: that rules out a stale judged on the polls alone, a
// stale never judged for a running worker, and a liveness fed by something
// other than the loop (the heartbeat, HTTP). With JOB_POLL_MS 2000 three
// polls (6 s) are past the floor: that rules out a rule that counts fewer
// polls. The per-sample invariant holds the edge on every sample (stale
// exactly past the larger of the two). Each stall lasts a second and a half
// past the edge, to see stale samples.
func frozenLoopIsStale(t *T) {
	for _, pollMS := range []int64{100, 2000} {
		staleAfterMS := max(3*pollMS, 5000)
		stallLoopPast(t, fmt.Sprintf("stall-poll-%d", pollMS), pollMS, staleAfterMS, staleAfterMS+1500)
	}
}

// stallLoopPast runs one stall of frozenLoopIsStale on a backend of its own,
// and ends that backend, so that the next stall job is not claimed by it.
func stallLoopPast(t *T, instance string, pollMS, staleAfterMS, stallMS int64) {
	b := t.StartBackend(instance, BackendOptions{Env: map[string]string{"FAULT_INJECTION": "1", "JOB_POLL_MS": fmt.Sprint(pollMS)}})
	waitHealthy(b, "before the stall")

	t.Step(fmt.Sprintf("JOB_POLL_MS=%d: post a job whose claim stops the worker loop for %d ms", pollMS, stallMS))
	stall := time.Duration(stallMS) * time.Millisecond
	stalled := b.PostJob(fmt.Sprintf(`{"fault":"stall_worker_loop","hold_ms":%d}`, stallMS))
	stale := b.WaitHealth("/health reports the frozen loop stale, and still answers", "200 degraded worker=running/stale",
		stall+healthyTimeout, func(s Sample) bool {
			return s.HTTPStatus != 0 && s.Health.Worker.Liveness == "stale"
		})
	w := stale.Health.Worker
	Equal(t, "stale: HTTP status (degraded answers 200)", http.StatusOK, stale.HTTPStatus)
	Equal(t, "stale: /health status", "degraded", stale.Health.Status)
	Equal(t, "stale: worker.status", "running", w.Status)
	t.Check(fmt.Sprintf("stale: worker.tick_age_ms past %d ms", staleAfterMS), fmt.Sprintf("> %d", staleAfterMS), derefInt(w.TickAgeMS),
		w.TickAgeMS != nil && *w.TickAgeMS > staleAfterMS)
	row, _ := t.JobByID(stalled.ID)
	Equal(t, "the stalled loop's job is claimed, not finished", "processing", row.Status)

	back := b.WaitHealth("the loop moves again: /health healthy and ok", "200 ok worker=running/healthy, after the stale sample", healthyTimeout+stall, func(s Sample) bool {
		return s.At.After(stale.At) && isHealthy(s)
	})
	Equal(t, "the worker that stalled is the one that answers again (no restart)", str(w.BootID), str(back.Health.Worker.BootID))
	done := t.WaitJobStatus(stalled.ID, "processed", processTimeout)
	Equal(t, "the stalled job ran on its first attempt", 1, done.Attempts)
	ok, seen := logHas(b, "fault injected", map[string]any{"fault": "stall_worker_loop"})
	t.Check("the log names the stall", `msg="fault injected" fault=stall_worker_loop`, seen, ok)
	b.Kill()
}

// derefInt renders an optional number for an observation.
func derefInt(p *int64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// multiJobs is how many jobs the multi-instance proof posts; each is held
// multiHoldMS, so that a claim past multiConcurrency would run alongside
// the jobs already running and show in the log (invariant.CheckConcurrency).
const (
	multiJobs        = 200
	multiHoldMS      = 30
	multiConcurrency = 4
)

func multiInstanceClaimsOnce(t *T) {
	t.Migrate()
	// A batch the size of the slots: every claim that rides on a
	// completion, and every claim of the loop, must count the others'
	// reservations, or one of them takes slots another already has.
	env := map[string]string{
		"FAULT_INJECTION": "1", "JOB_CONCURRENCY": fmt.Sprint(multiConcurrency), "JOB_BATCH_SIZE": fmt.Sprint(multiConcurrency),
	}
	a := t.StartBackend("a", BackendOptions{Env: env})
	b := t.StartBackend("b", BackendOptions{Env: env})
	waitHealthy(a, "before posting")
	waitHealthy(b, "before posting")
	backends := []*Backend{a, b}

	t.Step(fmt.Sprintf("post %d jobs held %d ms each, alternating between a and b (%d slots each)", multiJobs, multiHoldMS, multiConcurrency))
	var (
		mu       sync.Mutex
		ids      = map[string]bool{}
		failures []string
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				resp := backends[i%2].Send(http.MethodPost, "/jobs", fmt.Appendf(nil, `{"seq":%d,"fault":"hold_after_claim","hold_ms":%d}`, i, multiHoldMS), "application/json")
				var job Job
				mu.Lock()
				if resp.Err != nil || resp.Status != 201 || json.Unmarshal(resp.Body, &job) != nil || job.ID == "" {
					failures = append(failures, fmt.Sprintf("job %d to %s: %s", i, backends[i%2].Instance, resp.Summary()))
				} else {
					ids[job.ID] = true
				}
				mu.Unlock()
			}
		}()
	}
	for i := range multiJobs {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Require("every POST /jobs is accepted", fmt.Sprintf("%d distinct job ids, no failures", multiJobs),
		fmt.Sprintf("%d ids, %d failures %v", len(ids), len(failures), failures), len(ids) == multiJobs && len(failures) == 0)

	t.RequireEventually("every job reaches processed", fmt.Sprintf("processed=%d", multiJobs), 30*time.Second, func() (bool, string) {
		counts, summary := t.StatusCounts()
		return counts["processed"] == multiJobs, summary
	})
	jobs := t.Jobs()
	t.Rows("jobs", jobs)
	Equal(t, "rows in jobs", multiJobs, len(jobs))
	var notOnce []string
	for _, j := range jobs {
		if !ids[j.ID] {
			notOnce = append(notOnce, j.ID+" (not posted)")
		}
		if j.Attempts != 1 || j.LastError != nil {
			notOnce = append(notOnce, fmt.Sprintf("%s attempts=%d last_error=%s", j.ID, j.Attempts, str(j.LastError)))
		}
	}
	t.Check("every job was claimed exactly once", "attempts=1 and last_error=null for all", fmt.Sprintf("%d exceptions %v", len(notOnce), notOnce), len(notOnce) == 0)

	var sa, sb Sample
	t.Eventually("the two instances' processed_jobs add up", fmt.Sprintf("a + b = %d", multiJobs), healthyTimeout, func() (bool, string) {
		sa, _ = a.Latest()
		sb, _ = b.Latest()
		pa, pb := sa.Health.Worker.ProcessedJobs, sb.Health.Worker.ProcessedJobs
		return pa+pb == multiJobs, fmt.Sprintf("a=%d b=%d sum=%d", pa, pb, pa+pb)
	})
	pa, pb := sa.Health.Worker.ProcessedJobs, sb.Health.Worker.ProcessedJobs
	t.Check("both instances claimed jobs (the contention was real)", "a > 0 and b > 0", fmt.Sprintf("a=%d b=%d", pa, pb), pa > 0 && pb > 0)
	Equal(t, "failed_jobs across both instances", int64(0), sa.Health.Worker.FailedJobs+sb.Health.Worker.FailedJobs)
	t.Note("split", map[string]int64{"a": pa, "b": pb})
	claimsMeetOnLockedJobs(t, a, b)
	notifyBurst(t, backends, multiNotifyBurst)
	logAgreesWithHealth(t, a, b)
}

// randomUUID returns a version 4 UUID that no job has.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func badInputIsRejected(t *T) {
	t.Migrate()
	b := t.StartBackend("a", BackendOptions{})
	waitHealthy(b, "before the bad input")

	t.Step("control: a valid job is accepted")
	good := b.PostJob(`{"ok":true}`)

	// Idempotency-Key. The setup rules out the nearest wrong versions: a
	// key that is ignored (a second job), a replay answered 201 or without
	// Idempotent-Replayed, a key compared without its body (no 409), and a
	// key accepted whatever its form (no 400 for a control character).
	t.Step("a POST retried with the same Idempotency-Key gets the first job back")
	key := "retry-" + randomUUID()
	post := func(body, key string) Response {
		return b.SendHeader(http.MethodPost, "/jobs", []byte(body), http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {key}})
	}
	var firstJob, replayJob Job
	first := post(`{"order":42}`, key)
	_ = json.Unmarshal(first.Body, &firstJob)
	t.Check("the first POST with a key creates the job", "201 with a job id", first.Summary(), first.Err == nil && first.Status == http.StatusCreated && firstJob.ID != "")
	replay := post(`{"order":42}`, key)
	_ = json.Unmarshal(replay.Body, &replayJob)
	t.Check("the retry answers 200, Idempotent-Replayed: true, the same job", fmt.Sprintf("200 replayed=true id=%s", firstJob.ID),
		fmt.Sprintf("%d replayed=%s id=%s", replay.Status, replay.Header.Get("Idempotent-Replayed"), replayJob.ID),
		replay.Err == nil && replay.Status == http.StatusOK && replay.Header.Get("Idempotent-Replayed") == "true" && replayJob.ID == firstJob.ID)
	conflict := post(`{"order":43}`, key)
	t.Check("the same key with another body is refused", "409 with a JSON error", fmt.Sprintf("%d error=%q", conflict.Status, conflict.ErrorMessage()),
		conflict.Err == nil && conflict.Status == http.StatusConflict && conflict.ErrorMessage() != "")
	// The key rule (1 to 255 printable ASCII characters, 0x20-0x7e, one
	// value) at each of its edges: the last accepted value on each side is
	// a job whose retry is replayed, the first refused one a 400 with the
	// documented message that stores nothing. A bound shifted by one either
	// way, or a range cut short at either end, fails one side. HTTP trims
	// spaces around a header value, so the space is inside its key.
	keysBefore := t.CountJobs()
	var printable strings.Builder
	for c := byte(0x20); c <= 0x7e; c++ {
		printable.WriteByte(c)
	}
	acceptedKeys := []struct{ name, key string }{
		{"a key of 1 character", "k"},
		{"a key of 255 characters", strings.Repeat("k", 255)},
		{"a key holding a space (0x20)", "a b"},
		{"a key holding a tilde (0x7e)", "~"},
		{"a key of every printable ASCII character, 0x20 to 0x7e", "k" + printable.String()},
	}
	for i, k := range acceptedKeys {
		t.Step(k.name + " is accepted and its retry replayed")
		body := fmt.Sprintf(`{"key_edge":%d}`, i)
		var created, replayed Job
		first := post(body, k.key)
		_ = json.Unmarshal(first.Body, &created)
		t.Check(k.name+": the first POST creates the job", "201 with a job id", first.Summary(), first.Err == nil && first.Status == http.StatusCreated && created.ID != "")
		again := post(body, k.key)
		_ = json.Unmarshal(again.Body, &replayed)
		t.Check(k.name+": the retry answers 200, Idempotent-Replayed: true, the same job", fmt.Sprintf("200 replayed=true id=%s", created.ID),
			fmt.Sprintf("%d replayed=%s id=%s", again.Status, again.Header.Get("Idempotent-Replayed"), replayed.ID),
			again.Err == nil && again.Status == http.StatusOK && again.Header.Get("Idempotent-Replayed") == "true" && replayed.ID == created.ID)
	}
	Equal(t, "jobs rows added by the accepted keys and their retries", len(acceptedKeys), t.CountJobs()-keysBefore)

	const keyRefused = "Idempotency-Key must be one value of 1 to 255 printable ASCII characters"
	refusedKeys := []struct {
		name   string
		values []string
	}{
		{"an empty key (0 characters)", []string{""}},
		{"a key of 256 characters", []string{strings.Repeat("k", 256)}},
		{"a key holding a tab (0x09)", []string{"tab\there"}},
		{"a key holding a byte past ASCII (0x80)", []string{"k\x80"}},
		{"a key sent twice (two Idempotency-Key headers)", []string{"k-" + randomUUID(), "k-" + randomUUID()}},
	}
	refusedBefore := t.CountJobs()
	for i, k := range refusedKeys {
		t.Step(k.name + " is refused")
		resp := b.SendHeaderExact(http.MethodPost, "/jobs", []byte(fmt.Sprintf(`{"refused_key":%d}`, i)),
			http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": k.values})
		t.Check(k.name+" is refused", fmt.Sprintf("400 error=%q", keyRefused), fmt.Sprintf("%d error=%q", resp.Status, resp.ErrorMessage()),
			resp.Err == nil && resp.Status == http.StatusBadRequest && resp.ErrorMessage() == keyRefused)
	}
	// The other control characters (0x00-0x08, 0x0a-0x1f, 0x7f): net/http's
	// client refuses to send them, and its server refuses them with a
	// plain-text 400 before any handler runs, so they are written raw.
	for _, c := range []byte{0x1f, 0x7f} {
		name := fmt.Sprintf("a key holding 0x%02x", c)
		t.Step(name+" is refused", "written on a raw connection: net/http's client will not send it")
		body := `{"refused_key":"raw"}`
		raw := fmt.Sprintf("POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nIdempotency-Key: k%cy\r\nConnection: close\r\n\r\n%s", len(body), c, body)
		resp := b.SendRaw("POST /jobs with "+name, []byte(raw))
		t.Check(name+" is refused", "400", resp.Summary(), resp.Err == nil && resp.Status == http.StatusBadRequest)
	}
	Equal(t, "the refused keys wrote no rows", refusedBefore, t.CountJobs())

	// The nesting limit's boundary: exactly MaxPayloadDepth (1000) levels
	// is a job, one more is refused below; a limit shifted either way, or
	// a depth that is never counted, fails one of the two.
	t.Step("a body nested exactly 1000 deep is accepted")
	deepest := b.Do(http.MethodPost, "/jobs", nested(1000), "application/json")
	t.Check("1000 levels of arrays are a job", "201", deepest.Summary(), deepest.Err == nil && deepest.Status == http.StatusCreated)
	// The other documented limits at their last accepted value; the first
	// refused value of each is in the table below. A limit shifted by one
	// either way fails one side.
	edges := []struct {
		name string
		body []byte
	}{
		{"a body of exactly MAX_BODY_BYTES (65536 bytes)", jsonString(65536)},
		{"a number with 131072 digits before the point (1e131071)", []byte(`[1e131071]`)},
		// Its first significant digit is after the point, so a weight
		// counted from the wrong end of the digits is too large by two.
		{"a number with 131072 digits before the point whose first digit is a fraction's (0.5e131072)", []byte(`[0.5e131072]`)},
		{"a number with 16383 digits after the point", []byte(`[0.` + strings.Repeat("0", 16382) + `1]`)},
		{"a number with 16383 digits after the point by its exponent (1e-16383)", []byte(`[1e-16383]`)},
		{"a surrogate pair (\\ud83d\\ude00)", []byte(`{"a":"\ud83d\ude00"}`)},
		{"the document of every token kind (its every proper prefix is refused below)", []byte(everyTokenDocument)},
	}
	for _, e := range edges {
		t.Step(e.name + " is accepted")
		resp := b.Do(http.MethodPost, "/jobs", e.body, "application/json")
		t.Check(e.name+" is a job", "201", resp.Summary(), resp.Err == nil && resp.Status == http.StatusCreated)
	}
	before := t.CountJobs()
	Equal(t, "jobs rows after the control post, the keyed post and its retry, conflict and bad keys, the keys at the rule's edges, the deepest body and the other last accepted values", 3+len(acceptedKeys)+len(edges), before)

	oversize := append(append([]byte(`"`), bytes.Repeat([]byte("x"), 70_000)...), '"')
	cases := []struct {
		name        string
		method      string
		path        string
		body        []byte
		contentType string
		status      int
		message     string // "" means any non-empty error message
	}{
		{"malformed JSON", http.MethodPost, "/jobs", []byte(`{"kind": "email",`), "application/json", 400, ""},
		{"empty body", http.MethodPost, "/jobs", []byte(``), "application/json", 400, ""},
		{"text, not JSON", http.MethodPost, "/jobs", []byte(`hello`), "text/plain", 400, ""},
		{"two JSON values", http.MethodPost, "/jobs", []byte(`{"a":1} {"b":2}`), "application/json", 400, ""},
		{"body over 64 KiB", http.MethodPost, "/jobs", oversize, "application/json", 413, ""},
		// What Postgres refuses in a JSON value is a 400, never a 500.
		{"bytes that are not UTF-8", http.MethodPost, "/jobs", []byte("{\"a\":\"\xff\"}"), "application/json", 400, ""},
		{"overlong UTF-8", http.MethodPost, "/jobs", []byte("{\"a\":\"\xc0\xaf\"}"), "application/json", 400, ""},
		{"a \\u0000 escape", http.MethodPost, "/jobs", []byte(`{"a":"\u0000"}`), "application/json", 400, ""},
		{"an unpaired surrogate escape", http.MethodPost, "/jobs", []byte(`{"a":"\ud800"}`), "application/json", 400, ""},
		{"nested 1001 deep", http.MethodPost, "/jobs", nested(1001), "application/json", 400, ""},
		{"a body one byte over MAX_BODY_BYTES", http.MethodPost, "/jobs", jsonString(65537), "application/json", 413, ""},
		{"a number with 131073 digits before the point (1e131072)", http.MethodPost, "/jobs", []byte(`[1e131072]`), "application/json", 400, ""},
		{"a number with 16384 digits after the point", http.MethodPost, "/jobs", []byte(`[0.` + strings.Repeat("0", 16383) + `1]`), "application/json", 400, ""},
		{"a number with 16384 digits after the point by its exponent (1e-16384)", http.MethodPost, "/jobs", []byte(`[1e-16384]`), "application/json", 400, ""},
		{"a low surrogate escape alone", http.MethodPost, "/jobs", []byte(`{"a":"\udc00"}`), "application/json", 400, ""},
		// A low half later in the string must not pair with a high one
		// something else followed: these two rule out a scanner that
		// only looks for the low half before the closing quote.
		{"a high surrogate escape, a letter, then a low one", http.MethodPost, "/jobs", []byte(`{"a":"\ud800x\udc00"}`), "application/json", 400, ""},
		{"a high surrogate escape, another high one, then a low one", http.MethodPost, "/jobs", []byte(`{"a":"\ud800\ud800\udc00"}`), "application/json", 400, ""},
		{"a high surrogate escape, another escape (\\n), then a low one", http.MethodPost, "/jobs", []byte(`{"a":"\ud800\n\udc00"}`), "application/json", 400, ""},
		{"a negative number with 131073 digits before the point (-1e131072)", http.MethodPost, "/jobs", []byte(`[-1e131072]`), "application/json", 400, ""},
		{"a number whose exponent is past numeric's (1e1073741824)", http.MethodPost, "/jobs", []byte(`[1e1073741824]`), "application/json", 400, ""},
		// A zero has no leading digit for the weight check to catch, so only
		// the exponent limit itself refuses it (a limit moved up lets it by).
		{"a zero number whose exponent is past numeric's (0e1073741824)", http.MethodPost, "/jobs", []byte(`[0e1073741824]`), "application/json", 400, ""},
		{"a malformed \\u escape", http.MethodPost, "/jobs", []byte(`{"a":"\uZZZZ"}`), "application/json", 400, ""},
		{"a body cut inside an escape", http.MethodPost, "/jobs", []byte(`["\u12`), "application/json", 400, ""},
		{"a body cut inside a UTF-8 sequence", http.MethodPost, "/jobs", []byte("[\"\xe2\x82"), "application/json", 400, ""},
		{"malformed id", http.MethodGet, "/jobs/not-a-uuid", nil, "", 400, "invalid job id"},
		{"unknown id", http.MethodGet, "/jobs/" + randomUUID(), nil, "", 404, "job not found"},
		{"DELETE /jobs", http.MethodDelete, "/jobs", nil, "", 405, "method not allowed"},
		{"GET /jobs", http.MethodGet, "/jobs", nil, "", 405, "method not allowed"},
		{"PUT /jobs/{id}", http.MethodPut, "/jobs/" + good.ID, []byte(`{}`), "application/json", 405, "method not allowed"},
		{"POST /health", http.MethodPost, "/health", []byte(`{}`), "application/json", 405, "method not allowed"},
		{"unknown path", http.MethodGet, "/no-such-path", nil, "", 404, "not found"},
	}
	for _, c := range cases {
		t.Step(c.name, "%s %s", c.method, c.path)
		resp := b.Do(c.method, c.path, c.body, c.contentType)
		msg := resp.ErrorMessage()
		observed := fmt.Sprintf("%d error=%q", resp.Status, msg)
		if resp.Err != nil {
			observed = resp.Summary()
		}
		expected := fmt.Sprintf("%d with a JSON error message", c.status)
		ok := resp.Err == nil && resp.Status == c.status && msg != ""
		if c.message != "" {
			expected = fmt.Sprintf("%d error=%q", c.status, c.message)
			ok = ok && msg == c.message
		}
		t.Check(c.name+" is rejected", expected, observed, ok)
		if c.status == http.StatusMethodNotAllowed {
			allow := resp.Header.Get("Allow")
			t.Check(c.name+" names the allowed methods", "an Allow header", fmt.Sprintf("Allow: %q", allow), allow != "")
		}
		if c.name == "nested 1001 deep" {
			t.Check("the message says the body is nested too deeply", `contains "nested too deeply"`, msg, strings.Contains(msg, "nested too deeply"))
		}
		if c.status == http.StatusRequestEntityTooLarge {
			t.Check(c.name+": the error names the limit", `contains "65536"`, msg, strings.Contains(msg, "65536"))
		}
		// The documented 400s name their problem.
		for word, problem := range map[string]string{"number": "numeric", "surrogate": "surrogate", "UTF-8": "UTF-8", "u0000": "NUL"} {
			if c.status == http.StatusBadRequest && strings.Contains(c.name, word) {
				t.Check(c.name+": the message names the problem", fmt.Sprintf("contains %q", problem), msg, strings.Contains(msg, problem))
			}
		}
	}

	// A body cut anywhere: every proper prefix of a document holding every
	// token kind the payload scanner reads (each string escape, a surrogate
	// pair, raw UTF-8, numbers with sign, fraction and exponent, literals,
	// nesting, whitespace) is a 400 with a JSON error. So a cut the scanner
	// mishandles (reading past the end, a panic and its 500) fails here
	// wherever it sits, not only at the few cuts listed above.
	t.Step("every proper prefix of the document of every token kind is refused", "%d prefixes", len(everyTokenDocument)-1)
	var wrong []string
	for n := 1; n < len(everyTokenDocument); n++ {
		resp := b.Do(http.MethodPost, "/jobs", []byte(everyTokenDocument[:n]), "application/json")
		if resp.Err != nil || resp.Status != http.StatusBadRequest || resp.ErrorMessage() == "" {
			wrong = append(wrong, fmt.Sprintf("%q: %s", everyTokenDocument[:n], resp.Summary()))
		}
	}
	t.Check("every proper prefix is a 400 with a JSON error", fmt.Sprintf("%d of %d refused", len(everyTokenDocument)-1, len(everyTokenDocument)-1),
		fmt.Sprintf("%d of %d refused; wrong: %s", len(everyTokenDocument)-1-len(wrong), len(everyTokenDocument)-1, strings.Join(firstN(wrong, 5), "; ")), len(wrong) == 0)

	after := t.CountJobs()
	Equal(t, "rejected requests wrote no rows", before, after)

	// The database backstop: a payload the API's checks let through but
	// the database refuses (as a server configured stricter than the
	// defaults would) is still a 400, never a 500, and writes nothing. A
	// trigger stands in for the stricter server, with the SQLSTATE
	// class (22, data exception) Postgres uses for JSON it refuses.
	t.Step("the database refuses a payload the API accepted", "a trigger raises SQLSTATE 22023 for payloads holding the key refuse_me, and P0001 (an error that is neither refused data nor an outage) for break_me")
	ctx, cancel := t.queryCtx()
	defer cancel()
	_, err := t.DB().Exec(ctx, `
		CREATE FUNCTION proof_refuse_payload() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.payload::jsonb ? 'refuse_me' THEN
				RAISE EXCEPTION 'refused by the proof''s stricter server' USING ERRCODE = '22023';
			ELSIF NEW.payload::jsonb ? 'break_me' THEN
				RAISE EXCEPTION 'broken by the proof' USING ERRCODE = 'P0001';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER proof_refuse_payload BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION proof_refuse_payload();`)
	if err != nil {
		t.Fatal("create the refusing trigger: %s", t.Redact(err.Error()))
	}
	for _, key := range []string{"", "k-" + randomUUID()} {
		label := "without an Idempotency-Key"
		header := http.Header{"Content-Type": {"application/json"}}
		if key != "" {
			label = "with an Idempotency-Key"
			header.Set("Idempotency-Key", key)
		}
		resp := b.SendHeader(http.MethodPost, "/jobs", []byte(`{"refuse_me":true}`), header)
		t.Check("a payload the database refuses, "+label+", is a 400 saying so", `400 error contains "refused by the database"`,
			fmt.Sprintf("%d error=%q", resp.Status, resp.ErrorMessage()),
			resp.Err == nil && resp.Status == http.StatusBadRequest && strings.Contains(resp.ErrorMessage(), "refused by the database"))
	}
	// Any other database error is the backend's problem, not the
	// client's: a 500 that says nothing of it, logged with the request.
	logged := len(b.Logs("request failed"))
	resp := b.Do(http.MethodPost, "/jobs", []byte(`{"break_me":true}`), "application/json")
	t.Check("a database error that is neither refused data nor an outage is a 500 internal error", `500 {"error":"internal error"}`,
		fmt.Sprintf("%d %q", resp.Status, strings.TrimSpace(string(resp.Body))),
		resp.Err == nil && resp.Status == http.StatusInternalServerError && resp.ErrorMessage() == "internal error")
	// The line is written before the answer, but read from the process's
	// output a little later.
	t.Eventually("it is logged as `request failed`", "one more `request failed` line", 10*time.Second, func() (bool, string) {
		now := len(b.Logs("request failed"))
		return now == logged+1, fmt.Sprintf("%d → %d", logged, now)
	})
	ok, line := logHas(b, "request failed", map[string]any{"request_id": presentValue{}, "op": presentValue{}})
	t.Check("the `request failed` line names the request id and the operation", "a line with request_id and op", line, ok)
	Equal(t, "the refused payloads wrote no rows", before, t.CountJobs())
	if _, err := t.DB().Exec(ctx, `DROP TRIGGER proof_refuse_payload ON jobs; DROP FUNCTION proof_refuse_payload();`); err != nil {
		t.Fatal("drop the refusing trigger: %s", t.Redact(err.Error()))
	}
	documentedAnswersAreExact(t, b)
	t.Rows("jobs", t.Jobs())
}

// documentedAnswersAreExact sends each request of the docs' error answers
// and requires its status and body byte for byte, so a message that names
// the wrong offset or loses a word fails here, and stores nothing.
func documentedAnswersAreExact(t *T, b *Backend) {
	t.Step("each documented error answer, byte for byte")
	before := t.CountJobs()
	for _, a := range documented(t, "Error answers", answerRows) {
		var body []byte
		if a.method != http.MethodGet {
			body = a.body
		}
		resp := b.Do(a.method, a.path, body, "application/json")
		Equal(t, a.String()+": status and body as documented", fmt.Sprintf("%d %s\n", a.status, a.answer), fmt.Sprintf("%d %s", resp.Status, resp.Body))
	}
	Equal(t, "the documented error answers wrote no rows", before, t.CountJobs())
}

// everyTokenDocument is a JSON document holding every token kind the
// payload scanner (backend/api/payload.go) reads: each string escape, a
// \uXXXX escape and a surrogate pair, raw multi-byte UTF-8, numbers with
// sign, fraction and exponent, true, false, null, nested arrays and
// objects, and whitespace between tokens.
const everyTokenDocument = `{"s": "q\"b\\s\/b\bf\fn\nr\rt\tu\u00e9p\ud83d\ude00é",
 "n": [0, -1, 12.5, -0.25e+3, 1E-2, 6e7, -0.0],
 "o": {"t": true, "f": false, "z": null, "e": [], "d": {}}, "a": [[1], {"k": []}]}`

// firstN is at most the first n of items.
func firstN(items []string, n int) []string {
	if len(items) > n {
		return items[:n]
	}
	return items
}

// jsonString is a JSON string literal of exactly size bytes.
func jsonString(size int) []byte {
	return append(append([]byte(`"`), bytes.Repeat([]byte("x"), size-2)...), '"')
}

// nested is a JSON body of depth levels of arrays around a 1.
func nested(depth int) []byte {
	return []byte(strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth))
}
