package suggest

import (
	"math/rand/v2"
	"testing"
)

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

// TestIndexAgreesWithNearest: the index gives exactly Nearest's answer
// (distance, ties to the earlier candidate, the exact word skipped, the
// substring fallback) on random words over a small alphabet, where near
// ties and shared prefixes are common.
func TestIndexAgreesWithNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		n := 1 + rng.IntN(9)
		b := make([]rune, n)
		for i := range b {
			b[i] = []rune("abcAB-é")[rng.IntN(7)]
		}
		return string(b)
	}
	for round := range 300 {
		cands := make([]string, rng.IntN(40))
		for i := range cands {
			cands[i] = word()
		}
		x := NewIndex(cands)
		for range 30 {
			w := word()
			if len(cands) > 0 && rng.IntN(4) == 0 {
				w = cands[rng.IntN(len(cands))] // exact names must be skipped
			}
			if got, want := x.Nearest(w), Nearest(w, cands); got != want {
				t.Fatalf("round %d: Index.Nearest(%q) = %q, Nearest = %q; candidates %q", round, w, got, want, cands)
			}
		}
	}
	for _, c := range []struct{ word, want string }{{"outage", "db_outage_recovers"}, {"proofs", ""}, {"worker_crash_recovers_jb", "worker_crash_recovers_job"}} {
		x := NewIndex([]string{"worker_crash_recovers_job", "db_outage_recovers", "proofs"})
		if got := x.Nearest(c.word); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
