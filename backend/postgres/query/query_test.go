package query

import (
	"strings"
	"testing"
)

func TestRenumber(t *testing.T) {
	to := map[string]string{"$1": "$4", "$2": "$6", "$3": "$7"}
	for in, want := range map[string]string{
		"$1 $2 $3":         "$4 $6 $7",
		"$10 $1, $21":      "$10 $4, $21", // $10 is not $1 followed by 0
		"LIMIT $2\n$3)":    "LIMIT $6\n$7)",
		"'$' || $4 || $ 1": "'$' || $4 || $ 1",
	} {
		if got := renumber(in, to); got != want {
			t.Errorf("renumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCompleteAndClaimCarriesTheGuards: the combined statements are built
// from the texts of Complete and Claim, so a guard in either is a guard in
// both.
func TestCompleteAndClaimCarriesTheGuards(t *testing.T) {
	for name, sql := range map[string]string{"CompleteAndClaim": CompleteAndClaim, "CompleteWithEffectsAndClaim": CompleteWithEffectsAndClaim} {
		for _, want := range []string{
			"AND j.attempts = ($2::int4[])[array_position($1::uuid[], j.id)]\n\t\tAND j.locked_by = $4",
			"LIMIT $6\n\t\tFOR UPDATE SKIP LOCKED",
			"locked_by = $4,\n\t\tlease_expires_at = now() + $7 * interval '1 millisecond'",
		} {
			if !strings.Contains(sql, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}
