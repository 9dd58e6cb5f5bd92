// Package sample is testsummary's fixture: one test of each verdict.
package sample

import (
	"os"
	"testing"
)

func TestPasses(t *testing.T) { t.Log("a passing test's log is not shown") }

func TestSkipsWithAReason(t *testing.T) { t.Skip("no widget installed (apt-get install widget)") }

func TestFails(t *testing.T) {
	if os.Getenv("SAMPLE_FAIL") == "1" {
		t.Error("the failure message")
	}
}

func TestSubtests(t *testing.T) {
	t.Run("runs", func(t *testing.T) {})
	t.Run("skips", func(t *testing.T) { t.Skip("subtest reason") })
}
