package scenario

import (
	"strings"
	"testing"
)

// The evidence of a matched log line is the line as the backend wrote it,
// indented: JSON a reader can paste, in the backend's key order, never Go's
// map syntax.
func TestLogHasShowsTheLineAsPrettyJSON(t *testing.T) {
	lines := []string{
		`not json`,
		`{"time":"2026-01-02T03:04:05Z","level":"WARN","msg":"jobs recovered","count":1,"job_ids":["j1"]}`,
	}
	ok, observed := linesHave(lines, "jobs recovered", map[string]any{"count": 1, "job_ids": "j1"})
	want := "{\n  \"time\": \"2026-01-02T03:04:05Z\",\n  \"level\": \"WARN\",\n  \"msg\": \"jobs recovered\",\n  \"count\": 1,\n  \"job_ids\": [\n    \"j1\"\n  ]\n}"
	if !ok || observed != want {
		t.Errorf("linesHave = %v,\n%s\nwant\n%s", ok, observed, want)
	}
	ok, observed = linesHave(lines, "jobs recovered", map[string]any{"count": 2})
	if ok || strings.Contains(observed, "map[") || !strings.Contains(observed, `"count": 1`) {
		t.Errorf("a miss should list the lines seen as JSON: %v %s", ok, observed)
	}
}
