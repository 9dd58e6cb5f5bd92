package check

import "testing"

func TestVariableTargetMatches(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		want         bool
	}{
		{"bin/gh$(EXE)", "bin/gh", true},
		{"bin/gh$(EXE)", "bin/gh.exe", true},
		{"${OUT}/app", "build/app", true},
		{"bin/gh$(EXE)", "bin/hub", false},
		{"bin/gh", "bin/gh", false}, // no variable: Has decides
		{"bin/$(broken", "bin/x", false},
	} {
		if got := variableTargetMatches(tc.name, tc.target); got != tc.want {
			t.Errorf("variableTargetMatches(%q, %q) = %v, want %v", tc.name, tc.target, got, tc.want)
		}
	}
}
