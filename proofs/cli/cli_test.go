package cli

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/pgprovision"
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

func TestDockerImageFlagRefusesMalformedReferences(t *testing.T) {
	for _, cmd := range []string{"run", "soak"} {
		if _, _, err := Tool().Parse([]string{cmd, "--docker-image", "postgres 15"}, io.Discard); err == nil || !strings.Contains(err.Error(), "not an image reference") {
			t.Errorf("%s --docker-image 'postgres 15': err = %v", cmd, err)
		}
		_, fs, err := Tool().Parse([]string{cmd, "--docker-image", "mirror.example.com:5000/library/postgres:15"}, io.Discard)
		if err != nil || fs.Lookup(FlagDockerImage).Value.String() != "mirror.example.com:5000/library/postgres:15" {
			t.Errorf("%s --docker-image mirror...: err = %v", cmd, err)
		}
	}
	_, fs, err := Tool().Parse([]string{"run", "--docker-image", "postgres:16"}, io.Discard)
	if err != nil || ParseRunOptions(fs).DockerImage != "postgres:16" {
		t.Errorf("run --docker-image postgres:16: err = %v, options %+v", err, ParseRunOptions(fs))
	}
	_, fs, err = Tool().Parse([]string{"soak", "--docker-image", "postgres:16"}, io.Discard)
	if err != nil || ParseSoakOptions(fs).DockerImage != "postgres:16" {
		t.Errorf("soak --docker-image postgres:16: err = %v", err)
	}
}

func TestDockerImagePrefersFlagThenEnvironment(t *testing.T) {
	env := func(value string) func(string) string {
		return func(k string) string {
			if k == pgprovision.DockerImageEnv {
				return value
			}
			return ""
		}
	}
	tests := []struct {
		name, flag, env, want, wantErr string
	}{
		{name: "neither: the provisioner's default", want: ""},
		{name: "environment", env: "mirror.example.com/postgres:15", want: "mirror.example.com/postgres:15"},
		{name: "flag wins", flag: "postgres:16", env: "mirror.example.com/postgres:15", want: "postgres:16"},
		{name: "flag wins over a bad environment", flag: "postgres:16", env: "bad image", want: "postgres:16"},
		{name: "bad environment names the variable", env: "bad image", wantErr: pgprovision.DockerImageEnv + `: docker image "bad image" is not an image reference`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DockerImage(tt.flag, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("= %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestRunResolvesNamesOnceAtParseTime: the run command hands its names to
// the resolver while the command line is parsed, and Resolve turns them
// into registry entries: all in catalog order by default, else each name
// once in the order given.
func TestRunResolvesNamesOnceAtParseTime(t *testing.T) {
	type entry struct{ name string }
	registry := []entry{{"a_proof"}, {"b_proof"}, {"c_proof"}}
	var chosen []entry
	calls := 0
	tool := ToolResolving(func(names []string) (err error) {
		calls++
		chosen, err = Resolve(names, registry, func(e entry) string { return e.name })
		return err
	})
	if _, _, err := tool.Parse([]string{"run", "--db", "local", "c_proof", "a_proof", "c_proof"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(chosen) != 2 || chosen[0].name != "c_proof" || chosen[1].name != "a_proof" {
		t.Fatalf("after %d resolutions, chosen = %v; want [c_proof a_proof] after 1", calls, chosen)
	}
	if _, _, err := tool.Parse([]string{"run"}, io.Discard); err != nil || len(chosen) != 3 || chosen[0].name != "a_proof" {
		t.Fatalf("no names: chosen = %v, %v; want the whole registry in order", chosen, err)
	}
	_, _, err := tool.Parse([]string{"run", "b_prof"}, io.Discard)
	if !errors.Is(err, ErrUnknownProof) || !strings.Contains(err.Error(), `did you mean "b_proof"?`) {
		t.Fatalf("unknown name: %v", err)
	}
}
