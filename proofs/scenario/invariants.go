package scenario

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prodproof/prodproof/proofs/invariant"
)

// invariantWatch applies the documented invariants (package invariant) to
// every /health sample and every job JSON a proof reads, and the header
// rules to every HTTP answer it gets, whatever the proof is about. A
// broken rule is a failed assertion named after the rule, recorded when it
// is seen; each rule is reported once per instance so a lasting violation
// does not flood the evidence.
type invariantWatch struct {
	jobs invariant.Jobs

	mu     sync.Mutex
	health int
	// answers counts every HTTP answer the header rules were checked on.
	answers    int
	violations int
	reported   map[string]bool
}

// observeHealth checks one /health answer of b's process (history per
// process: counters count since the process started). Only the sampling
// goroutine of b calls it.
func (t *T) observeHealth(b *Backend, httpStatus int, header http.Header, body []byte) {
	t.inv.mu.Lock()
	t.inv.health++
	t.inv.answers++
	t.inv.mu.Unlock()
	t.reportViolations(b.Instance, "GET /health", invariant.CheckHeaders(http.MethodGet, "/health", httpStatus, header))
	t.reportViolations(b.Instance, "GET /health", b.healthRules.Next(httpStatus, body))
}

// observeResponse checks an answer the scenario asked for: a job JSON
// from POST /jobs or GET /jobs/{id}, and a /health read outside the
// sampler (on its own: the sampler keeps the per-process history).
func (t *T) observeResponse(b *Backend, method, path string, resp Response, sent, received time.Time) {
	if resp.Err != nil {
		return
	}
	where := method + " " + path
	t.inv.mu.Lock()
	t.inv.answers++
	t.inv.mu.Unlock()
	route, _, _ := strings.Cut(path, "?")
	t.reportViolations(b.Instance, where, invariant.CheckHeaders(method, route, resp.Status, resp.Header))
	switch {
	case method == http.MethodGet && path == "/health" && (resp.Status == http.StatusOK || resp.Status == http.StatusServiceUnavailable):
		_, vs := invariant.CheckHealth(resp.Status, resp.Body)
		t.reportViolations(b.Instance, where, vs)
	case method == http.MethodPost && path == "/jobs" && (resp.Status == http.StatusCreated || resp.Status == http.StatusOK),
		method == http.MethodGet && strings.HasPrefix(path, "/jobs/") && resp.Status == http.StatusOK:
		t.reportViolations(b.Instance, where, t.inv.jobs.Next(resp.Body, sent, received))
	}
}

func (t *T) reportViolations(instance, where string, vs []invariant.Violation) {
	for _, v := range vs {
		key := instance + "\x00" + v.Rule
		t.inv.mu.Lock()
		t.inv.violations++
		first := !t.inv.reported[key]
		if t.inv.reported == nil {
			t.inv.reported = map[string]bool{}
		}
		t.inv.reported[key] = true
		t.inv.mu.Unlock()
		if first {
			t.Check("invariant: "+v.Rule, "holds on every observation",
				fmt.Sprintf("%s from %s: %s", where, instance, v.Observed), false)
		}
	}
}

// checkInvariants records one assertion at the end of every proof: how many
// observations the invariants were checked on, and that none broke them.
func (t *T) checkInvariants() {
	holds := 0
	t.mu.Lock()
	backends := append([]*Backend(nil), t.backends...)
	t.mu.Unlock()
	for _, b := range backends {
		c, vs := invariant.CheckConcurrency(b.Lines())
		holds += c.Holds
		t.reportViolations(b.Instance, "its log", vs)
	}
	t.inv.mu.Lock()
	health, answers, violations := t.inv.health, t.inv.answers, t.inv.violations
	t.inv.mu.Unlock()
	t.Check("documented invariants hold on every /health sample, job read, HTTP answer and held job", "no violation",
		fmt.Sprintf("%d /health samples, %d job reads, %d HTTP answers' headers, %d held jobs, %d violations", health, t.inv.jobs.Reads(), answers, holds, violations), violations == 0)
}
