package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/internal/pgtest"
	"github.com/prodproof/prodproof/migrations"
)

func lookupFrom(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func runMain(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, lookupFrom(vars), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestMigrateCommands(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	vars := map[string]string{"DATABASE_URL": dbURL}

	files, err := migrations.Load(migrations.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.Itoa(len(files))
	code, out, errOut := runMain(t, vars, "migrate", "status")
	if code != 0 || !strings.Contains(out, "pending  0001_create_jobs.sql\n") || !strings.HasSuffix(out, "0 applied, "+n+" pending\n") {
		t.Fatalf("status before: %d %q %q", code, out, errOut)
	}
	code, out, _ = runMain(t, vars, "migrate", "up")
	if code != 0 || !strings.Contains(out, "applied 0001_create_jobs.sql\n") || !strings.HasSuffix(out, n+" applied, 0 pending\n") {
		t.Fatalf("up: %d %q", code, out)
	}
	code, out, _ = runMain(t, vars, "migrate", "up")
	if code != 0 || !strings.HasPrefix(out, "nothing to apply\n") {
		t.Fatalf("second up: %d %q", code, out)
	}
	code, out, _ = runMain(t, vars, "migrate", "status", "--json")
	var st struct {
		Applied, Pending int
		Migrations       []struct{ State string }
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.Applied != len(files) || st.Pending != 0 || st.Migrations[0].State != "applied" {
		t.Fatalf("status --json: %d %v %q", code, err, out)
	}
}

func TestMainRejectsBadUsageAndConfig(t *testing.T) {
	password := "pw-that-must-not-leak"
	tests := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"unknown migrate subcommand", nil, []string{"migrate", "down"}, 2, `unknown migrate subcommand "down"`},
		{"unknown flag", nil, []string{"migrate", "status", "--yaml"}, 2, "yaml"},
		{"extra argument", nil, []string{"migrate", "up", "now"}, 2, "takes no arguments"},
		{"serve without env", nil, nil, 2, "DATABASE_URL: is required"},
		{"migrate without url", nil, []string{"migrate", "up"}, 2, "DATABASE_URL"},
		{"unreachable database", map[string]string{"DATABASE_URL": "postgres://u:" + password + "@127.0.0.1:1/db?connect_timeout=2"}, []string{"migrate", "status"}, 1, "connect to the database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, tt.vars, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("code %d stderr %q, want %d and %q", code, errOut, tt.code, tt.want)
			}
			if strings.Contains(out+errOut, password) {
				t.Fatalf("output leaks the password: %q", out+errOut)
			}
		})
	}
}

func TestHelpListsCommandsEnvironmentAndExitStatuses(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"migrate", "status", "-h"}} {
		code, out, errOut := runMain(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, code, errOut)
			continue
		}
		for _, want := range []string{"reference-backend migrate status", "--json", "reference-backend migrate up", "DATABASE_URL", "JOB_POLL_MS", "MAX_BODY_BYTES", "Exit status:", "  2  bad usage"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out)
			}
		}
	}
}
