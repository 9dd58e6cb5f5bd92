package suite

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		wantErr    string
	}{
		{
			name: "plain",
			stat: "4242 (postgres) S 1 4242 4242 0 -1 4194560 300 0 0 0 123 45 0 0 20 0 1 0 100 1000 10",
			want: 168 * clockTick,
		},
		{
			name: "a command name with spaces and parentheses",
			stat: "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 100 1000 10",
			want: 10 * clockTick,
		},
		{name: "no command", stat: "1 2 3", wantErr: "no command name"},
		{name: "cut short", stat: "1 (x) S 1 2 3", wantErr: "fields after the command name"},
		{name: "not a number", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 3 0", wantErr: "utime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.stat)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestProcessCPUGrowsWithWork reads this test's own process: the figure
// must grow by about the CPU time a busy loop burns.
func TestProcessCPUGrowsWithWork(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	spin := time.Now()
	x := 0
	for time.Since(spin) < 300*time.Millisecond {
		x++
	}
	after, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// On a loaded machine the loop gets less than its wall-clock time, but
	// never none of it.
	if after-before < 2*clockTick {
		t.Errorf("CPU time went from %v to %v over a 300 ms busy loop (%d turns)", before, after, x)
	}
}
