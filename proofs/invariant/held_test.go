package invariant

import (
	"fmt"
	"strings"
	"testing"
)

// logLines renders log records as the backend writes them; each record is
// "SECONDS|msg|extra JSON fields".
func logLines(records ...string) []string {
	var out []string
	for _, r := range records {
		sec, rest, _ := strings.Cut(r, "|")
		msg, extra, _ := strings.Cut(rest, "|")
		line := fmt.Sprintf(`{"time":"2026-01-01T00:00:%sZ","level":"INFO","msg":%q`, sec, msg)
		if extra != "" {
			line += "," + extra
		}
		out = append(out, line+"}")
	}
	return out
}

func holdAt(sec, job string, ms int) string {
	return fmt.Sprintf(`%s|fault injected|"effect":"hold","job_id":%q,"hold_ms":%d`, sec, job, ms)
}

func TestCheckConcurrency(t *testing.T) {
	config := `00.000|configuration|"JOB_CONCURRENCY":2`
	cases := []struct {
		name     string
		records  []string
		most     int
		violated bool
	}{
		{"a slot reused the instant its hold ends", []string{config, holdAt("01.000", "j1", 500), holdAt("01.000", "j2", 500), holdAt("01.500", "j3", 500)}, 2, false},
		{"a third job while two run", []string{config, holdAt("01.000", "j1", 500), holdAt("01.000", "j2", 500), holdAt("01.499", "j3", 500)}, 3, true},
		{"a crash ends its worker's holds", []string{config, holdAt("01.000", "j1", 9000), holdAt("01.000", "j2", 9000), `02.000|worker exited`, holdAt("02.100", "j1", 500), holdAt("02.100", "j3", 500)}, 2, false},
		{"the same holds with no exit between", []string{config, holdAt("01.000", "j1", 9000), holdAt("01.000", "j2", 9000), holdAt("02.100", "j1", 500)}, 3, true},
		{"no configuration line: nothing to check against", []string{holdAt("01.000", "j1", 500), holdAt("01.000", "j2", 500), holdAt("01.000", "j3", 500)}, 3, false},
		{"other lines and output that is not JSON are ignored", []string{config, "panic: boom", `01.000|fault injected|"effect":"stall","job_id":"j9","hold_ms":500`, holdAt("01.000", "j1", 500)}, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, vs := CheckConcurrency(logLines(tc.records...))
			if c.Most != tc.most || (len(vs) > 0) != tc.violated {
				t.Fatalf("most %d (want %d), violations %v (want violated=%t)", c.Most, tc.most, vs, tc.violated)
			}
		})
	}
}
