package invariant

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// healthy is a fresh process's /health, every rule satisfied.
const healthy = `{"status":"ok","db":{"status":"ok","error":null},"worker":{"status":"running","liveness":"healthy","poll_ms":250,"tick_age_ms":3,
"boot_id":"b1","started_at":"2026-01-01T00:00:00Z","last_tick_at":"2026-01-01T00:00:01Z","restart_count":0,"last_exit_reason":null,
"last_job_id":null,"last_error":null,"processed_jobs":0,"failed_jobs":0,"recovered_jobs":0,"last_recovery_at":null,
"last_recovery_job_id":null,"last_recovery_count":0,"recovery_active":false,"last_cleanup_at":null,"last_cleanup_count":0,"cleaned_jobs":0}}`

// with returns healthy with each old→new replacement applied once.
func with(t *testing.T, base string, pairs ...string) []byte {
	t.Helper()
	s := base
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("test bug: %q not in the document", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func rules(vs []Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return strings.Join(out, " | ")
}

func TestCheckHealth(t *testing.T) {
	recovering := string(with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"liveness":"healthy"`, `"liveness":"recovering"`,
		`"recovered_jobs":0`, `"recovered_jobs":2`, `"last_recovery_at":null`, `"last_recovery_at":"2026-01-01T00:00:02Z"`,
		`"last_recovery_job_id":null`, `"last_recovery_job_id":"j1"`, `"last_recovery_count":0`, `"last_recovery_count":2`,
		`"recovery_active":false`, `"recovery_active":true`))
	cases := []struct {
		name string
		code int
		body []byte
		want string // a rule fragment; "" for no violation
	}{
		{"healthy", 200, []byte(healthy), ""},
		{"recovering", 200, []byte(recovering), ""},
		{"degraded while the window is open answers 200, not 503", 503, []byte(recovering), "200 when status is ok or degraded"},
		{"error answers 503", 200, with(t, healthy, `"status":"ok","db":{"status":"ok","error":null}`, `"status":"error","db":{"status":"error","error":"down"}`), "200 when status is ok or degraded"},
		{"db down is error", 503, with(t, healthy, `"db":{"status":"ok","error":null}`, `"db":{"status":"error","error":"down"}`), "status is error when"},
		{"db down, error, 503", 503, with(t, healthy, `"status":"ok","db":{"status":"ok","error":null}`, `"status":"error","db":{"status":"error","error":"down"}`), ""},
		{"empty string instead of null", 200, with(t, healthy, `"last_exit_reason":null`, `"last_exit_reason":""`), `unset strings are null`},
		{"window open but liveness healthy", 200, with(t, recovering, `"liveness":"recovering"`, `"liveness":"healthy"`), "liveness is recovering exactly"},
		{"window open but status ok", 200, with(t, recovering, `"status":"degraded"`, `"status":"ok"`), "status is error when"},
		{"recovering without an open window", 200, with(t, recovering, `"recovery_active":true`, `"recovery_active":false`), "liveness is recovering exactly"},
		{"failed worker with an open window is error", 503, with(t, recovering, `"status":"degraded"`, `"status":"error"`, `"status":"running"`, `"status":"failed"`, `"liveness":"recovering"`, `"liveness":"failed"`, `"restart_count":0,"last_exit_reason":null`, `"restart_count":10,"last_exit_reason":"panic"`), ""},
		{"failed worker but healthy liveness", 503, with(t, healthy, `"status":"ok"`, `"status":"error"`, `"status":"running"`, `"status":"failed"`), "liveness is failed exactly"},
		{"stale is degraded", 200, with(t, healthy, `"liveness":"healthy"`, `"liveness":"stale"`), "status is error when"},
		{"a loop quiet past 5 s is stale", 200, with(t, healthy, `"tick_age_ms":3`, `"tick_age_ms":5001`), "a running worker is stale exactly when"},
		{"a loop quiet for 5 s exactly is not stale yet", 200, with(t, healthy, `"tick_age_ms":3`, `"tick_age_ms":5000`), ""},
		{"stale after 5 s", 200, with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"liveness":"healthy"`, `"liveness":"stale"`, `"tick_age_ms":3`, `"tick_age_ms":5001`), ""},
		{"stale before 5 s", 200, with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"liveness":"healthy"`, `"liveness":"stale"`, `"tick_age_ms":3`, `"tick_age_ms":4999`), "a running worker is stale exactly when"},
		{"stale before three long polls", 200, with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"liveness":"healthy"`, `"liveness":"stale"`, `"poll_ms":250`, `"poll_ms":2000`, `"tick_age_ms":3`, `"tick_age_ms":5500`), "a running worker is stale exactly when"},
		{"stale after three long polls", 200, with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"liveness":"healthy"`, `"liveness":"stale"`, `"poll_ms":250`, `"poll_ms":2000`, `"tick_age_ms":3`, `"tick_age_ms":6001`), ""},
		{"restarting is degraded", 200, with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"status":"running"`, `"status":"restarting"`), ""},
		{"last_recovery_* half set", 200, with(t, recovering, `"last_recovery_job_id":"j1"`, `"last_recovery_job_id":null`), "describe one event"},
		{"last recovery larger than the total", 200, with(t, recovering, `"recovered_jobs":2`, `"recovered_jobs":1`), "recovered_jobs includes"},
		{"cleanup counts without a sweep", 200, with(t, healthy, `"cleaned_jobs":0`, `"cleaned_jobs":3`), "no cleanup counts before"},
		{"restart without a reason", 200, with(t, healthy, `"restart_count":0`, `"restart_count":1`), "exit reason is recorded"},
		{"missing field", 200, with(t, healthy, `,"cleaned_jobs":0`, ``), "every documented field"},
		{"extra field", 200, with(t, healthy, `"cleaned_jobs":0`, `"cleaned_jobs":0,"secret":1`), "only documented fields"},
		{"unknown status", 200, with(t, healthy, `"status":"ok"`, `"status":"fine"`), "status is ok, degraded or error"},
		{"bad timestamp", 200, with(t, healthy, `"started_at":"2026-01-01T00:00:00Z"`, `"started_at":"yesterday"`), "RFC 3339"},
		{"not a document", 200, []byte(`<html>`), "the body is a /health document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, vs := CheckHealth(c.code, c.body)
			got := rules(vs)
			if c.want == "" && got != "" {
				t.Fatalf("violations %q, want none", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("violations %q, want one containing %q", got, c.want)
			}
		})
	}
}

func TestHealthSteps(t *testing.T) {
	event := func(at, id string, count, total int) []string {
		return []string{`"last_recovery_at":null`, `"last_recovery_at":` + at, `"last_recovery_job_id":null`, `"last_recovery_job_id":` + id,
			`"last_recovery_count":0`, `"last_recovery_count":` + itoa(count), `"recovered_jobs":0`, `"recovered_jobs":` + itoa(total)}
	}
	cases := []struct {
		name      string
		prev, cur []byte
		want      string
	}{
		{"counter grows", []byte(healthy), with(t, healthy, `"processed_jobs":0`, `"processed_jobs":4`), ""},
		{"counter decreases", with(t, healthy, `"processed_jobs":0`, `"processed_jobs":4`), with(t, healthy, `"processed_jobs":0`, `"processed_jobs":3`), "counters never decrease"},
		{"restart_count resets", with(t, healthy, `"restart_count":0,"last_exit_reason":null`, `"restart_count":2,"last_exit_reason":"x"`),
			with(t, healthy, `"restart_count":0,"last_exit_reason":null`, `"restart_count":1,"last_exit_reason":"x"`), "counters never decrease"},
		{"new boot id with a restart", []byte(healthy), with(t, healthy, `"boot_id":"b1"`, `"boot_id":"b2"`, `"restart_count":0,"last_exit_reason":null`, `"restart_count":1,"last_exit_reason":"x"`), ""},
		{"new boot id without a restart", []byte(healthy), with(t, healthy, `"boot_id":"b1"`, `"boot_id":"b2"`), "boot_id comes with a restart"},
		{"restart counted before the new boot id", with(t, healthy, `"status":"ok"`, `"status":"degraded"`, `"status":"running"`, `"status":"restarting"`, `"restart_count":0,"last_exit_reason":null`, `"restart_count":1,"last_exit_reason":"x"`),
			with(t, healthy, `"boot_id":"b1"`, `"boot_id":"b2"`, `"restart_count":0,"last_exit_reason":null`, `"restart_count":1,"last_exit_reason":"x"`), ""},
		{"second event", with(t, healthy, event(`"2026-01-01T00:00:02Z"`, `"j1"`, 1, 1)...), with(t, healthy, event(`"2026-01-01T00:00:03Z"`, `"j2"`, 2, 3)...), ""},
		{"second event not added", with(t, healthy, event(`"2026-01-01T00:00:02Z"`, `"j1"`, 1, 1)...), with(t, healthy, event(`"2026-01-01T00:00:03Z"`, `"j2"`, 2, 2)...), "adds its count"},
		{"recovered without an event", with(t, healthy, event(`"2026-01-01T00:00:02Z"`, `"j1"`, 1, 1)...), with(t, healthy, event(`"2026-01-01T00:00:02Z"`, `"j1"`, 1, 2)...), "each recovery event sets"},
		{"sweep count without a sweep", with(t, healthy, `"last_cleanup_at":null`, `"last_cleanup_at":"2026-01-01T00:00:02Z"`, `"last_cleanup_count":0`, `"last_cleanup_count":1`, `"cleaned_jobs":0`, `"cleaned_jobs":1`),
			with(t, healthy, `"last_cleanup_at":null`, `"last_cleanup_at":"2026-01-01T00:00:02Z"`, `"last_cleanup_count":0`, `"last_cleanup_count":2`, `"cleaned_jobs":0`, `"cleaned_jobs":3`), "each sweep sets last_cleanup_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h Health
			if vs := h.Next(200, c.prev); len(vs) > 0 {
				t.Fatalf("test bug: first sample breaks %s", rules(vs))
			}
			got := rules(h.Next(200, c.cur))
			if c.want == "" && got != "" {
				t.Fatalf("violations %q, want none", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("violations %q, want one containing %q", got, c.want)
			}
		})
	}
}

const pendingJob = `{"id":"0b8c3f1e-3a51-4c8e-9d2e-7f1a2b3c4d5e","status":"pending","attempts":0,"last_error":null,"payload":{"a":1},` +
	`"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z","processed_at":null}`

func TestCheckJob(t *testing.T) {
	processed := string(with(t, pendingJob, `"pending","attempts":0`, `"processed","attempts":1`, `"updated_at":"2026-01-01T00:00:00.000Z"`, `"updated_at":"2026-01-01T00:00:02.000Z"`,
		`"processed_at":null`, `"processed_at":"2026-01-01T00:00:02.000Z"`))
	cases := []struct {
		name string
		body []byte
		want string
	}{
		{"pending", []byte(pendingJob), ""},
		{"processed", []byte(processed), ""},
		{"null payload", with(t, pendingJob, `{"a":1}`, `null`), ""},
		{"failed with error", with(t, pendingJob, `"pending","attempts":0,"last_error":null`, `"failed","attempts":5,"last_error":"boom"`), ""},
		{"failed without error", with(t, pendingJob, `"pending","attempts":0`, `"failed","attempts":5`), "last_error saying why"},
		{"extra field", with(t, pendingJob, `"processed_at":null`, `"processed_at":null,"locked_by":"w"`), "exactly the documented fields"},
		{"missing field", with(t, pendingJob, `,"processed_at":null`, ``), "exactly the documented fields"},
		{"empty last_error", with(t, pendingJob, `"last_error":null`, `"last_error":""`), "unset strings are null"},
		{"processed without processed_at", with(t, processed, `"processed_at":"2026-01-01T00:00:02.000Z"`, `"processed_at":null`), "processed_at is set exactly"},
		{"pending with processed_at", with(t, pendingJob, `"processed_at":null`, `"processed_at":"2026-01-01T00:00:00.000Z"`), "processed_at is set exactly"},
		{"updated before created", with(t, pendingJob, `"updated_at":"2026-01-01T00:00:00.000Z"`, `"updated_at":"2025-12-31T23:59:59.000Z"`), "created_at ≤ updated_at"},
		{"processed after updated", with(t, processed, `"processed_at":"2026-01-01T00:00:02.000Z"`, `"processed_at":"2026-01-01T00:00:03.000Z"`), "processed_at ≤ updated_at"},
		{"not UTC", with(t, pendingJob, `"created_at":"2026-01-01T00:00:00.000Z"`, `"created_at":"2026-01-01T01:00:00.000+01:00"`), "RFC 3339 UTC"},
		{"processing with no attempt", with(t, pendingJob, `"pending"`, `"processing"`), "at least one attempt"},
		{"bad id", with(t, pendingJob, `0b8c3f1e-3a51`, `0b8c3f1e_3a51`), "id is a UUID"},
		{"attempts as a string", with(t, pendingJob, `"attempts":0`, `"attempts":"0"`), "documented type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, vs := CheckJob(c.body)
			got := rules(vs)
			if c.want == "" && got != "" {
				t.Fatalf("violations %q, want none", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("violations %q, want one containing %q", got, c.want)
			}
		})
	}
}

func TestJobSteps(t *testing.T) {
	state := func(status string, attempts int, updated string) []byte {
		pairs := []string{`"pending","attempts":0`, `"` + status + `","attempts":` + itoa(attempts), `"updated_at":"2026-01-01T00:00:00.000Z"`, `"updated_at":"` + updated + `"`}
		if status == "processed" {
			pairs = append(pairs, `"processed_at":null`, `"processed_at":"`+updated+`"`)
		}
		return with(t, pendingJob, pairs...)
	}
	cases := []struct {
		name      string
		prev, cur []byte
		want      string
	}{
		{"claimed", state("pending", 0, "2026-01-01T00:00:00.000Z"), state("processing", 1, "2026-01-01T00:00:01.000Z"), ""},
		{"skips processing between reads", state("pending", 0, "2026-01-01T00:00:00.000Z"), state("processed", 1, "2026-01-01T00:00:01.000Z"), ""},
		{"shutdown hands back without the attempt", state("processing", 2, "2026-01-01T00:00:01.000Z"), state("pending", 1, "2026-01-01T00:00:02.000Z"), ""},
		{"attempts drop by two", state("processing", 3, "2026-01-01T00:00:01.000Z"), state("pending", 1, "2026-01-01T00:00:02.000Z"), "attempts never decrease"},
		{"attempts drop from pending", state("pending", 2, "2026-01-01T00:00:01.000Z"), state("pending", 1, "2026-01-01T00:00:02.000Z"), "attempts never decrease"},
		{"processed goes back to pending", state("processed", 1, "2026-01-01T00:00:01.000Z"), state("pending", 1, "2026-01-01T00:00:02.000Z"), "never changes again"},
		{"processed twice", state("processed", 1, "2026-01-01T00:00:01.000Z"), state("processed", 2, "2026-01-01T00:00:02.000Z"), "never changes again"},
		// The docs do not order updated_at between writes (now() is when a
		// statement began, and one that waited for the row lock began
		// earlier), so going back is no violation.
		{"updated_at goes back", state("processing", 1, "2026-01-01T00:00:02.000Z"), state("processing", 1, "2026-01-01T00:00:01.000Z"), ""},
		{"payload changes", []byte(pendingJob), with(t, pendingJob, `{"a":1}`, `{"a":2}`), "payload never change"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h Jobs
			t0 := time.Now()
			if vs := h.Next(c.prev, t0, t0.Add(time.Millisecond)); len(vs) > 0 {
				t.Fatalf("test bug: first read breaks %s", rules(vs))
			}
			got := rules(h.Next(c.cur, t0.Add(2*time.Millisecond), t0.Add(3*time.Millisecond)))
			if c.want == "" && got != "" {
				t.Fatalf("violations %q, want none", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("violations %q, want one containing %q", got, c.want)
			}
		})
	}
	t.Run("overlapping reads are not ordered", func(t *testing.T) {
		var h Jobs
		t0 := time.Now()
		h.Next(state("processed", 1, "2026-01-01T00:00:01.000Z"), t0, t0.Add(5*time.Millisecond))
		// Sent before the first answer came back: it may have read the row earlier.
		if vs := h.Next(state("pending", 0, "2026-01-01T00:00:00.000Z"), t0.Add(time.Millisecond), t0.Add(6*time.Millisecond)); len(vs) > 0 {
			t.Fatalf("violations %q for overlapping reads", rules(vs))
		}
		if got := rules(h.Next(state("pending", 0, "2026-01-01T00:00:00.000Z"), t0.Add(7*time.Millisecond), t0.Add(8*time.Millisecond))); !strings.Contains(got, "never changes again") {
			t.Fatalf("violations %q after the processed read, want a finished job changing", got)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
