package cli

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/catalog"
)

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

func TestDBFlagAcceptsOnlyKnownSources(t *testing.T) {
	for _, cmd := range []string{"run", "soak"} {
		if _, _, err := Tool().Parse([]string{cmd, "--db", "postgres"}, io.Discard); err == nil || !strings.Contains(err.Error(), "unknown database source") {
			t.Errorf("%s --db postgres: err = %v", cmd, err)
		}
		if _, fs, err := Tool().Parse([]string{cmd, "--db", "docker"}, io.Discard); err != nil || fs.Lookup(FlagDB).Value.String() != "docker" {
			t.Errorf("%s --db docker: err = %v", cmd, err)
		}
	}
}
