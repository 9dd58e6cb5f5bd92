package cli

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/catalog"
)

func TestSuggest(t *testing.T) {
	names := catalog.Names()
	cases := []struct{ word, want string }{
		{"worker_crash_recovers_jb", "worker_crash_recovers_job"},
		{"Worker_Crash_Recovers_Job", "worker_crash_recovers_job"},
		{"db_outage_recover", "db_outage_recovers"},
		{"bad_inputs_are_rejected", "bad_input_is_rejected"},
		{"outage", "db_outage_recovers"},
		{"multi_instance", "multi_instance_claims_once"},
		{"xyz", ""},
		{"completely_unrelated_words", ""},
	}
	for _, c := range cases {
		if got := Suggest(c.word, names); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"same", "same", 0}}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestRunRejectsUnknownNameWithSuggestion(t *testing.T) {
	_, _, err := Tool().Parse([]string{"run", "job_flow_updates_health_and_db", "worker_crash_recovers_jbo"}, io.Discard)
	if !errors.Is(err, ErrUnknownProof) {
		t.Fatalf("err = %v, want ErrUnknownProof", err)
	}
	msg := err.Error()
	for _, want := range append([]string{`"worker_crash_recovers_jbo"`, `did you mean "worker_crash_recovers_job"?`}, catalog.Names()...) {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestRunParsesFlagsAndNames(t *testing.T) {
	_, fs, err := Tool().Parse([]string{"run", "--db", "local", "--report", "out", "--reset-existing-db", "bad_input_is_rejected"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := ParseRunOptions(fs)
	if got.DB != "local" || got.ReportDir != "out" || !got.ResetExistingDB || len(got.Names) != 1 || got.Names[0] != "bad_input_is_rejected" {
		t.Fatalf("options = %+v", got)
	}
	_, fs, err = Tool().Parse([]string{"run"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := ParseRunOptions(fs); got.DB != "auto" || got.ReportDir != DefaultReportDir || got.ResetExistingDB || len(got.Names) != 0 {
		t.Fatalf("defaults = %+v", got)
	}
}

func TestListTakesNoArguments(t *testing.T) {
	if _, _, err := Tool().Parse([]string{"list", "extra"}, io.Discard); err == nil {
		t.Fatal("list accepted a positional argument")
	}
	if _, _, err := Tool().Parse([]string{"lsit"}, io.Discard); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}
