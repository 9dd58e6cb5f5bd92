package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

const secretURL = "postgres://app:s3cr3t-pass@db.example:5432/jobs"

func valid() map[string]string {
	return map[string]string{"DATABASE_URL": secretURL, "PORT": "8080", "JOB_POLL_MS": "500"}
}

func TestFromEnvRejectsBadRequiredVariables(t *testing.T) {
	tests := []struct {
		name, variable, value string
		unset                 bool
	}{
		{"DATABASE_URL missing", "DATABASE_URL", "", true},
		{"DATABASE_URL empty", "DATABASE_URL", "", false},
		{"DATABASE_URL blank", "DATABASE_URL", "   ", false},
		{"DATABASE_URL wrong scheme", "DATABASE_URL", "mysql://u:s3cr3t-pass@h/db", false},
		{"DATABASE_URL garbage", "DATABASE_URL", "postgres://u:s3cr3t-pass@h:notaport/db", false},
		{"PORT missing", "PORT", "", true},
		{"PORT empty", "PORT", "", false},
		{"PORT zero", "PORT", "0", false},
		{"PORT negative", "PORT", "-1", false},
		{"PORT non-numeric", "PORT", "http", false},
		{"PORT too big", "PORT", "65536", false},
		{"PORT float", "PORT", "80.5", false},
		{"PORT holds a URL", "PORT", "postgres://u:s3cr3t-pass@h/db", false},
		{"JOB_POLL_MS missing", "JOB_POLL_MS", "", true},
		{"JOB_POLL_MS empty", "JOB_POLL_MS", "", false},
		{"JOB_POLL_MS zero", "JOB_POLL_MS", "0", false},
		{"JOB_POLL_MS negative", "JOB_POLL_MS", "-5", false},
		{"JOB_POLL_MS non-numeric", "JOB_POLL_MS", "fast", false},
		{"JOB_POLL_MS too big", "JOB_POLL_MS", "99999999999999999999", false},
		{"JOB_LEASE_MS zero", "JOB_LEASE_MS", "0", false},
		{"JOB_BATCH_SIZE non-numeric", "JOB_BATCH_SIZE", "many", false},
		{"FAULT_INJECTION odd", "FAULT_INJECTION", "yes please", false},
		{"LOG_LEVEL odd", "LOG_LEVEL", "loud", false},
		{"MAX_BODY_BYTES negative", "MAX_BODY_BYTES", "-1", false},
		{"JOB_RETENTION_MS under a second", "JOB_RETENTION_MS", "999", false},
		{"JOB_RETENTION_MS negative", "JOB_RETENTION_MS", "-1", false},
		{"JOB_RETENTION_MS with a unit", "JOB_RETENTION_MS", "24h", false},
		{"JOB_RETENTION_MS too big", "JOB_RETENTION_MS", "99999999999999999999", false},
		{"JOB_FAILED_RETENTION_MS one", "JOB_FAILED_RETENTION_MS", "1", false},
		{"JOB_FAILED_RETENTION_MS float", "JOB_FAILED_RETENTION_MS", "1000.5", false},
		{"WORKER_MAX_CRASHES zero", "WORKER_MAX_CRASHES", "0", false},
		{"DATABASE_URL key=value with a bad port", "DATABASE_URL", "host=h port=notaport password=s3cr3t-pass", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := valid()
			if tt.unset {
				delete(vars, tt.variable)
			} else {
				vars[tt.variable] = tt.value
			}
			_, err := FromEnv(env(vars))
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if cfgErr.Var != tt.variable || !strings.HasPrefix(err.Error(), tt.variable+": ") {
				t.Errorf("error %q does not name %s", err, tt.variable)
			}
			if strings.Contains(err.Error(), "s3cr3t-pass") || strings.Contains(err.Error(), "db.example") {
				t.Errorf("error %q leaks the database URL", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

func TestFromEnvDefaultsAndOverrides(t *testing.T) {
	c, err := FromEnv(env(valid()))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.PollInterval != 500*time.Millisecond || c.Lease != DefaultLease ||
		c.BatchSize != DefaultBatchSize || c.MaxBodyBytes != DefaultMaxBodyBytes || c.FaultInjection ||
		c.LogLevel != "info" || c.ShutdownGrace != DefaultShutdownGrace || c.MaxAttempts != DefaultMaxAttempts || c.MaxCrashes != DefaultMaxCrashes ||
		c.Retention != 24*time.Hour || c.FailedRetention != 7*24*time.Hour || !c.RecordEffects || c.RecordExecutions {
		t.Fatalf("defaults: %+v", c)
	}
	vars := valid()
	vars["FAULT_INJECTION"] = "1"
	vars["JOB_LEASE_MS"] = "2000"
	vars["PORT"] = " 65535 "
	vars["MAX_BODY_BYTES"] = "1024"
	vars["JOB_RETENTION_MS"] = "1000"
	vars["JOB_FAILED_RETENTION_MS"] = "0"
	vars["JOB_RECORD_EXECUTIONS"] = "1"
	c, err = FromEnv(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if !c.FaultInjection || c.Lease != 2*time.Second || c.Port != 65535 || c.MaxBodyBytes != 1024 ||
		c.Retention != time.Second || c.FailedRetention != 0 || !c.RecordExecutions {
		t.Fatalf("overrides: %+v", c)
	}
	vars["JOB_RECORD_EXECUTIONS"] = "yes"
	if _, err := FromEnv(env(vars)); err == nil || !strings.Contains(err.Error(), "JOB_RECORD_EXECUTIONS") {
		t.Fatalf("JOB_RECORD_EXECUTIONS=yes: %v", err)
	}
}

func FuzzFromEnv(f *testing.F) {
	f.Add(secretURL, "8080", "500", "")
	f.Add("", "0", "-1", "1")
	f.Add("postgres://%zz", "65536", "x", "2")
	f.Fuzz(func(t *testing.T, dbURL, port, poll, fault string) {
		c, err := FromEnv(env(map[string]string{"DATABASE_URL": dbURL, "PORT": port, "JOB_POLL_MS": poll, "FAULT_INJECTION": fault}))
		if err != nil {
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("non-config error %v", err)
			}
			if len(dbURL) > 8 && strings.Contains(err.Error(), dbURL) {
				t.Fatalf("error repeats DATABASE_URL: %v", err)
			}
			return
		}
		if c.Port < 1 || c.Port > 65535 || c.PollInterval <= 0 {
			t.Fatalf("accepted out-of-range config %+v", c)
		}
	})
}

// TestVariablesListsWhatFromEnvReads keeps --help's list true: the
// variables FromEnv looks up are exactly Variables, in order, and the
// required ones are those whose absence FromEnv refuses.
func TestVariablesListsWhatFromEnvReads(t *testing.T) {
	var read []string
	vars := valid()
	if _, err := FromEnv(func(k string) (string, bool) {
		read = append(read, k)
		v, ok := vars[k]
		return v, ok
	}); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, v := range Variables {
		listed = append(listed, v.Name)
		_, isRequired := valid()[v.Name]
		if v.Required != isRequired {
			t.Errorf("%s: Required = %v, want %v", v.Name, v.Required, isRequired)
		}
	}
	if strings.Join(read, " ") != strings.Join(listed, " ") {
		t.Errorf("FromEnv reads\n  %v\nVariables lists\n  %v", read, listed)
	}
}

// TestEffectiveNamesEveryVariableButTheURL: the start-up log line holds
// every variable FromEnv reads, by name, except DATABASE_URL, whose value
// (a secret) appears nowhere in it.
func TestEffectiveNamesEveryVariableButTheURL(t *testing.T) {
	c, err := FromEnv(env(valid()))
	if err != nil {
		t.Fatal(err)
	}
	attrs := c.Effective()
	logged := map[string]bool{}
	for i := 0; i+1 < len(attrs); i += 2 {
		name, _ := attrs[i].(string)
		if logged[name] {
			t.Errorf("%s logged twice", name)
		}
		logged[name] = true
		if v, ok := attrs[i+1].(string); ok && strings.Contains(v, "s3cr3t") {
			t.Errorf("%s = %q: holds the database password", name, v)
		}
	}
	for _, v := range Variables {
		if want := v.Name != "DATABASE_URL"; logged[v.Name] != want {
			t.Errorf("%s logged %v, want %v", v.Name, logged[v.Name], want)
		}
	}
	if len(logged) != len(Variables)-1 {
		t.Errorf("%d names logged, want the %d variables but DATABASE_URL", len(logged), len(Variables)-1)
	}
}
