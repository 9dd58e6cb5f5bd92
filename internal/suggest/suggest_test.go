package suggest

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"worker_crash_recovers_job", "db_outage_recovers", "bad_input_is_rejected", "multi_instance_claims_once", "proofs", "proof-site"}
	cases := []struct{ word, want string }{
		{"worker_crash_recovers_jb", "worker_crash_recovers_job"},
		{"Worker_Crash_Recovers_Job", "worker_crash_recovers_job"},
		{"db_outage_recover", "db_outage_recovers"},
		{"bad_inputs_are_rejected", "bad_input_is_rejected"},
		{"outage", "db_outage_recovers"},
		{"multi_instance", "multi_instance_claims_once"},
		{"proof", "proofs"},
		{"proofs", ""}, // an exact name needs no hint
		{"xyz", ""},
		{"completely_unrelated_words", ""},
	}
	for _, c := range cases {
		if got := Nearest(c.word, names); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"same", "same", 0}, {"héllo", "hello", 1}}
	for _, c := range cases {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
