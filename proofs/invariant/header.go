package invariant

import (
	"fmt"
	"mime"
	"net/http"
)

// HealthEndpoints are the paths whose answers must never be cached: a
// cached answer would show a probe or a person a state that has passed.
var HealthEndpoints = []string{"/health", "/livez", "/readyz"}

// CheckHeaders checks the response headers docs/reference-backend.md
// promises on every answer of the API, whatever its status: each is JSON
// (errors included) and says so in Content-Type, and an answer of a
// health endpoint to a GET or HEAD (what probes send; another method gets a
// 405 that no cache keeps anyway) carries Cache-Control: no-store. path is
// the request's path, without its query.
func CheckHeaders(method, path string, httpStatus int, header http.Header) []Violation {
	var vs []Violation
	ct := header.Get("Content-Type")
	if media, _, err := mime.ParseMediaType(ct); err != nil || media != "application/json" {
		vs = append(vs, Violation{"api: every answer is Content-Type application/json",
			fmt.Sprintf("%d answer to %s has Content-Type %q", httpStatus, path, ct)})
	}
	for _, p := range HealthEndpoints {
		if path == p && (method == http.MethodGet || method == http.MethodHead) && header.Get("Cache-Control") != "no-store" {
			vs = append(vs, Violation{"health endpoints: Cache-Control no-store",
				fmt.Sprintf("%d answer to %s %s has Cache-Control %q", httpStatus, method, path, header.Get("Cache-Control"))})
		}
	}
	return vs
}
