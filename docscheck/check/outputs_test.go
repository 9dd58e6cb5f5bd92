package check

import "testing"

// TestGivesExecute: the chmod modes that let the file's owner run it.
func TestGivesExecute(t *testing.T) {
	for mode, want := range map[string]bool{
		"+x": true, "u+x": true, "a+rx": true, "ug+x": true, "u=rwx": true, "go-w,u+x": true,
		"755": true, "0755": true, "700": true, "4755": true,
		"g+x": false, "o+x": false, "-x": false, "+r": false, "u-x": false,
		"644": false, "0644": false, "7": false, "": false,
	} {
		if got := givesExecute(mode); got != want {
			t.Errorf("givesExecute(%q) = %v, want %v", mode, got, want)
		}
	}
}
