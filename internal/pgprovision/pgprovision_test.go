package pgprovision

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		in      string
		want    Source
		wantErr bool
	}{
		{"auto", SourceAuto, false},
		{"url", SourceURL, false},
		{"docker", SourceDocker, false},
		{"local", SourceLocal, false},
		{"", "", true},
		{"Local", "", true},
		{" local", "", true},
		{"postgres", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSource(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSource(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseSource(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "auto, url, docker, local") {
				t.Errorf("error %q does not list the valid sources", err)
			}
		})
	}
}

func TestProvisionRejectsBadOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := Provision(ctx, Options{Source: "cloud"}); err == nil {
		t.Errorf("unknown source accepted")
	}
	if _, err := Provision(ctx, Options{Source: SourceLocal, Settings: map[string]string{"fsync=on -c x": "y"}}); err == nil {
		t.Errorf("malformed setting name accepted")
	}
	if _, err := Provision(ctx, Options{Source: SourceLocal, Settings: map[string]string{"work_mem": "1\n2"}}); err == nil {
		t.Errorf("setting value with a newline accepted")
	}
	if _, err := Provision(ctx, Options{Source: SourceURL}); err == nil {
		t.Errorf("url source without a URL accepted")
	}
}

func TestServerRedact(t *testing.T) {
	srv := &Server{URL: "postgres://postgres:s3cret-s3cret@127.0.0.1:1/postgres", Password: "s3cret-s3cret"}
	if got := srv.Redact("url " + srv.URL + " pw " + srv.Password); got != "url REDACTED pw REDACTED" {
		t.Errorf("Server.Redact = %q", got)
	}
}

func TestDatabaseURL(t *testing.T) {
	tests := []struct {
		base, name, want string
	}{
		{"postgres://postgres:pw@127.0.0.1:5432/postgres?sslmode=disable", "other", "postgres://postgres:pw@127.0.0.1:5432/other?sslmode=disable"},
		{"postgresql://u@h/db", "pgtest_1", "postgresql://u@h/pgtest_1"},
		{"postgres://u@h", "x", "postgres://u@h/x"},
		{"host=h user=u dbname=postgres", "o'k", `host=h user=u dbname=postgres dbname='o\'k'`},
	}
	for _, tt := range tests {
		if got := (&Server{URL: tt.base}).DatabaseURL(tt.name); got != tt.want {
			t.Errorf("DatabaseURL(%q, %q) = %q, want %q", tt.base, tt.name, got, tt.want)
		}
	}
}

// TestURLSourceErrorsHideTheSecret covers the url source's failures: a
// malformed value and an unreachable server. Neither error may carry the
// URL or its password.
func TestURLSourceErrorsHideTheSecret(t *testing.T) {
	const pw = "hunter2-very-secret"
	closedPort := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}()
	tests := []struct {
		name, url string
	}{
		{"malformed port", "postgres://postgres:" + pw + "@127.0.0.1:notaport/postgres"},
		{"malformed keyword form", "host=127.0.0.1 password=" + pw + " port='"},
		{"unreachable", "postgres://postgres:" + pw + "@" + closedPort + "/postgres?connect_timeout=5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var logs []string
			_, err := Provision(ctx, Options{Source: SourceURL, URL: tt.url, Logf: func(f string, a ...any) { logs = append(logs, fmtLine(f, a...)) }})
			if err == nil {
				t.Fatalf("Provision succeeded, want an error")
			}
			for _, text := range append(logs, err.Error()) {
				if strings.Contains(text, pw) || strings.Contains(text, tt.url) {
					t.Errorf("text carries the secret: %q", text)
				}
			}
		})
	}
}

// TestURLSourceUsesAServerWithoutOwningIt points the url source at a local
// server: it answers, is not Owned, and its Close leaves the server up.
func TestURLSourceUsesAServerWithoutOwningIt(t *testing.T) {
	local := startLocal(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, source := range []Source{SourceURL, SourceAuto} {
		srv, err := Provision(ctx, Options{Source: source, URL: local.URL})
		if err != nil {
			t.Fatalf("Provision(%s): %v", source, err)
		}
		if srv.Source != SourceURL || srv.Owned || srv.Password != local.Password || srv.Version != local.Version {
			t.Errorf("Provision(%s) = source %q owned %v version %q, want url, not owned, %q", source, srv.Source, srv.Owned, srv.Version, local.Version)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close of url server: %v", err)
		}
		if got := queryOne(t, local.URL, "SELECT 1::text"); got != "1" {
			t.Errorf("server stopped answering after the url Server's Close")
		}
	}
}

func TestLocalWithoutBinariesSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := postgresLibDir
	postgresLibDir = t.TempDir()
	t.Cleanup(func() { postgresLibDir = saved })

	_, err := Provision(context.Background(), Options{Source: SourceLocal})
	if !errors.Is(err, ErrNoPostgres) {
		t.Fatalf("err = %v, want ErrNoPostgres", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y postgresql") {
		t.Errorf("error %q does not say what to install", err)
	}
}

func TestHighestVersionBin(t *testing.T) {
	root := t.TempDir()
	makeBin := func(version string, tools ...string) {
		dir := filepath.Join(root, version, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, tool := range tools {
			if err := os.WriteFile(filepath.Join(dir, tool), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := highestVersionBin(root); got != "" {
		t.Errorf("empty root: got %q", got)
	}
	makeBin("9.6", "initdb", "pg_ctl")
	makeBin("10", "initdb", "pg_ctl")
	makeBin("15", "initdb", "pg_ctl")
	makeBin("16", "initdb") // no pg_ctl: unusable
	makeBin("main", "initdb", "pg_ctl")
	if got, want := highestVersionBin(root), filepath.Join(root, "15", "bin"); got != want {
		t.Errorf("highestVersionBin = %q, want %q", got, want)
	}
}

func TestParseToolVersion(t *testing.T) {
	for in, want := range map[string]string{
		"pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n": "15.18",
		"pg_ctl (PostgreSQL) 17.2\n":                           "17.2",
		"something else":                                       "unknown",
	} {
		if got := parseToolVersion(in); got != want {
			t.Errorf("parseToolVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
