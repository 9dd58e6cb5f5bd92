package invariant

import (
	"cmp"
	"net/http"
	"strings"
	"testing"
)

func TestCheckHeaders(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	jsonUTF8 := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	health := http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}}
	for _, c := range []struct {
		name   string
		method string
		path   string
		status int
		header http.Header
		broken string // the rule broken, "" for none
	}{
		{"a job answer", "", "/jobs/x", 200, json, ""},
		{"an error answer with a charset", "", "/jobs", 400, jsonUTF8, ""},
		{"an error answer without Content-Type", "", "/jobs", 404, http.Header{}, "Content-Type"},
		{"an answer as text", "", "/jobs", 500, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "Content-Type"},
		{"/health", "", "/health", 200, health, ""},
		{"/readyz 503", "", "/readyz", 503, health, ""},
		{"/livez without no-store", "", "/livez", 200, json, "no-store"},
		{"/readyz cacheable", "", "/readyz", 200, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"max-age=60"}}, "no-store"},
		{"a job answer may be cached", "", "/jobs/x", 200, json, ""},
		{"HEAD /health cacheable", http.MethodHead, "/health", 200, json, "no-store"},
		{"POST /health: 405, not cacheable anyway", http.MethodPost, "/health", 405, json, ""},
		{"POST /health 405 as text", http.MethodPost, "/health", 405, http.Header{}, "Content-Type"},
	} {
		vs := CheckHeaders(cmp.Or(c.method, http.MethodGet), c.path, c.status, c.header)
		switch {
		case c.broken == "" && len(vs) != 0:
			t.Errorf("%s: unexpected violations %v", c.name, vs)
		case c.broken != "" && (len(vs) != 1 || !strings.Contains(vs[0].Rule, c.broken)):
			t.Errorf("%s: want one violation of the %s rule, got %v", c.name, c.broken, vs)
		}
	}
}
