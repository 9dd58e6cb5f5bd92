// Package pgprovision gives prodproof a throwaway PostgreSQL server: the
// proofs runner, the tests (through package pgtest) and any tool that needs
// "a Postgres, now" ask Provision for one and Close it when done.
//
// Four sources, chosen with Options.Source:
//
//   - url: an existing server named by a connection string (the caller passes
//     DATABASE_URL's value). Nothing is created, so Server.Owned is false and
//     callers must not reset it unless told to explicitly.
//   - docker: a postgres:15 container (Options.DockerImage picks another)
//     started with dockertest, its port bound to 127.0.0.1 only, removed
//     with its volume on Close. A missing daemon is detected within about two
//     seconds and reported as ErrNoDaemon; an image the daemon lacks and
//     cannot pull as an *ImagePullError naming it.
//   - local: initdb and pg_ctl from PATH (else the highest
//     /usr/lib/postgresql/*/bin) in a fresh temp dir on a free loopback port.
//     initdb refuses to run as root, so when the process is root the data dir
//     is handed to the "postgres" OS user and initdb/pg_ctl run through
//     runuser (or su). Missing binaries are reported as ErrNoPostgres.
//   - auto: url when a URL is given, else docker when a daemon answers, else
//     local.
//
// Choices worth knowing:
//
//   - The superuser password is random per server (crypto/rand, 32 URL-safe
//     characters), so Server.URL carries a real secret. Nothing in this
//     package writes the password or the URL to a log line or an error;
//     Redact and Server.Redact help callers do the same with text they did
//     not produce.
//   - Local and docker servers run with fsync, synchronous_commit and
//     full_page_writes off: the data is throwaway and speed matters more than
//     crash safety. max_connections is 200 so several backend processes and
//     their pools fit at once. Options.Settings come last and so win.
//   - A local cluster is made with --locale=C and UTF8: deterministic
//     sorting, and no dependence on which locales the machine has.
//   - A local server listens on 127.0.0.1 only, password-checked
//     (scram-sha-256). Its Unix socket lives in the temp dir; when that path
//     would pass the kernel's 107-byte limit, the server gets no socket
//     rather than failing (nothing here needs it).
//   - A free port is found by binding 127.0.0.1:0; if another process takes
//     it before the server binds it, the start is retried on a new port.
//   - auto falls back to local when a daemon answers but the container
//     cannot be started (no image and no registry, say), and says so via
//     Logf.
//   - The image is pulled, if the daemon lacks it, before the container is
//     created, so the pull honours ctx; a container that exits before its
//     server answers is reported at once rather than after the 90-second
//     readiness deadline.
//   - Every child process runs in its own process group. Each server is
//     watched by a small reaper process (/bin/sh) that stops it (local) or
//     removes its container (docker, when the docker CLI is on PATH) if this
//     process dies without calling Close, for instance a test binary killed
//     by -timeout; so no server outlives its owner.
//   - Every error path after something was started stops and removes it, also
//     when ctx is cancelled half way; such errors satisfy
//     errors.Is(err, context.Canceled). The docker container start takes no
//     context, so a cancellation is noticed once it returns.
//   - DropDatabase uses IF EXISTS ... WITH (FORCE): it disconnects sessions
//     and is safe to call twice, which is what cleanup code wants.
package pgprovision

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/internal/redact"
)

// Source names where a server comes from.
type Source string

// The sources Provision understands.
const (
	SourceAuto   Source = "auto"
	SourceURL    Source = "url"
	SourceDocker Source = "docker"
	SourceLocal  Source = "local"
)

// Sources lists the valid sources in the order they are documented.
var Sources = []Source{SourceAuto, SourceURL, SourceDocker, SourceLocal}

// ErrNoDaemon means the docker source found no Docker daemon answering.
var ErrNoDaemon = errors.New("no Docker daemon answered (start Docker, set DOCKER_HOST, or use --db local)")

// ErrNoPostgres means the local source found no initdb/pg_ctl to run.
var ErrNoPostgres = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin; install them with `apt-get install -y postgresql`")

// ParseSource turns a flag value into a Source. It accepts the exact
// lower-case names only, so a typo is an error rather than a surprise.
func ParseSource(s string) (Source, error) {
	for _, known := range Sources {
		if Source(s) == known {
			return known, nil
		}
	}
	names := make([]string, len(Sources))
	for i, known := range Sources {
		names[i] = string(known)
	}
	return "", fmt.Errorf("unknown database source %q: want one of %s", s, strings.Join(names, ", "))
}

// Options configures Provision. The zero value provisions with SourceAuto.
type Options struct {
	// Source selects the provisioner; "" means SourceAuto.
	Source Source
	// URL is the connection string for SourceURL (and makes SourceAuto pick
	// url). It is a secret: it never appears in a log line or an error.
	URL string
	// Logf receives progress lines such as "starting local postgres 15 on
	// 127.0.0.1:PORT". Optional. The lines never contain a password.
	Logf func(format string, args ...any)
	// Settings are extra server settings (-c name=value) for local and
	// docker servers, e.g. {"max_wal_size": "1GB"}. They override the
	// defaults this package sets. Ignored by the url source.
	Settings map[string]string
	// DockerImage is the image the docker source runs, NAME[:TAG] (see
	// ParseDockerImage); "" means DefaultDockerImage. It must behave like
	// the official postgres image (POSTGRES_PASSWORD, POSTGRES_USER,
	// POSTGRES_DB, CMD passed to postgres, port 5432). Ignored by the
	// other sources.
	DockerImage string
}

// Server is a provisioned PostgreSQL server. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is a superuser connection URL to database "postgres". It includes
	// the password: never log it.
	URL string
	// Source is the provisioner that actually ran (auto resolves to one of
	// the others).
	Source Source
	// Version is the server's SHOW server_version.
	Version string
	// Password is the password in URL ("" for a url source without one), so
	// callers can redact it.
	Password string
	// Owned is true when this process created the server (local, docker), so
	// resetting or dropping anything on it is safe.
	Owned bool

	closeOnce sync.Once
	closeErr  error
	stop      func() error // nil for url
	container string       // docker: the container's ID
}

// Provision starts (or, for url, connects to) a server as opts says. On error
// nothing it started is left running.
func Provision(ctx context.Context, opts Options) (*Server, error) {
	source := opts.Source
	if source == "" {
		source = SourceAuto
	}
	if _, err := ParseSource(string(source)); err != nil {
		return nil, err
	}
	if err := validateSettings(opts.Settings); err != nil {
		return nil, err
	}
	switch source {
	case SourceURL:
		return provisionURL(ctx, opts)
	case SourceDocker:
		return provisionDocker(ctx, opts)
	case SourceLocal:
		return provisionLocal(ctx, opts)
	default:
		return provisionAuto(ctx, opts)
	}
}

// provisionAuto implements SourceAuto: url if given, else docker if a daemon
// answers, else local.
func provisionAuto(ctx context.Context, opts Options) (*Server, error) {
	if opts.URL != "" {
		opts.logf("database source auto: using the given URL")
		return provisionURL(ctx, opts)
	}
	daemonErr := pingDocker(ctx, dockerPingTimeout)
	if daemonErr == nil {
		opts.logf("database source auto: Docker daemon answered, starting a container")
		srv, err := provisionDocker(ctx, opts)
		if err == nil {
			return srv, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		// An answering daemon may still fail (no image and no registry, for
		// one); a local server is still a faithful Postgres, so fall back.
		var pullErr *ImagePullError
		if errors.As(err, &pullErr) {
			opts.logf("database source auto: the Docker daemon answered but could not pull image %s (%v), trying local; pick another image with --docker-image or %s", pullErr.Image, pullErr.Err, DockerImageEnv)
		} else {
			opts.logf("database source auto: docker failed (%v), trying local", err)
		}
		daemonErr = err
	} else {
		opts.logf("database source auto: no Docker daemon, trying local")
	}
	srv, err := provisionLocal(ctx, opts)
	if err != nil {
		if errors.Is(err, ErrNoPostgres) {
			return nil, fmt.Errorf("no database available: set DATABASE_URL, start Docker, or `apt-get install -y postgresql` (docker: %v; local: %w)", daemonErr, err)
		}
		return nil, err
	}
	return srv, nil
}

// Close stops and removes what Provision created. It is idempotent and a
// no-op for a url server.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.closeErr = s.stop()
		}
	})
	return s.closeErr
}

// DatabaseURL returns s.URL with the database name replaced by name.
func (s *Server) DatabaseURL(name string) string {
	return withDatabase(s.URL, name)
}

// maxIdentifierLen is PostgreSQL's NAMEDATALEN-1.
const maxIdentifierLen = 63

func checkDatabaseName(name string) error {
	if name == "" {
		return errors.New("database name is empty")
	}
	if len(name) > maxIdentifierLen {
		return fmt.Errorf("database name %q is longer than %d bytes", name, maxIdentifierLen)
	}
	return nil
}

// CreateDatabase creates an empty database and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	if err := checkDatabaseName(name); err != nil {
		return "", err
	}
	if err := s.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	return s.DatabaseURL(name), nil
}

// DropDatabase drops a database, disconnecting its sessions first (WITH
// (FORCE)). Dropping a database that does not exist is not an error, so it
// suits cleanup code.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	if err := checkDatabaseName(name); err != nil {
		return err
	}
	if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %q: %w", name, err)
	}
	return nil
}

// exec runs one statement on the server's maintenance database.
func (s *Server) exec(ctx context.Context, sql string) error {
	conn, err := connect(ctx, s.URL, s.Password)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return errors.New(redact.Text(err.Error(), s.URL, s.Password))
	}
	return nil
}

// Redact returns s.URL and s.Password redacted out of text.
func (s *Server) Redact(text string) string {
	return redact.Text(text, s.URL, s.Password)
}

// connect opens one connection and turns a failure into an error that does
// not contain the URL or the password.
func connect(ctx context.Context, connString, password string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, errors.New("parse database URL: the value is malformed (not shown: it may contain a password)")
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s:%d: %s", cfg.Host, cfg.Port, redact.Text(err.Error(), connString, password, cfg.Password))
	}
	return conn, nil
}

// serverVersion asks the server for SHOW server_version.
func serverVersion(ctx context.Context, connString, password string) (string, error) {
	conn, err := connect(ctx, connString, password)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return "", fmt.Errorf("show server_version: %s", redact.Text(err.Error(), connString, password))
	}
	return version, nil
}

// randomPassword returns 32 URL-safe characters from 24 random bytes, so it
// needs no escaping inside a URL or a shell word.
func randomPassword() (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// superuserURL builds the URL of a server this package started.
func superuserURL(password, host string, port int) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword("postgres", password),
		Host:     fmt.Sprintf("%s:%d", host, port),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// withDatabase swaps the database of a connection string, URL or
// keyword/value form.
func withDatabase(connString, name string) string {
	if u, err := url.Parse(connString); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		u.RawPath = ""
		return u.String()
	}
	// keyword/value: a later dbname wins over an earlier one.
	quoted := strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), `'`, `\'`)
	return strings.TrimSpace(connString) + " dbname='" + quoted + "'"
}

// settingName is what a server setting name may look like; anything else is
// refused before it reaches a command line.
var settingName = regexp.MustCompile(`^[a-z][a-z0-9_.]*$`)

func validateSettings(settings map[string]string) error {
	for name, value := range settings {
		if !settingName.MatchString(name) {
			return fmt.Errorf("server setting name %q is not a PostgreSQL parameter name", name)
		}
		if strings.ContainsAny(value, "\x00\n\r") {
			return fmt.Errorf("server setting %s: value contains a control character", name)
		}
	}
	return nil
}

// serverSettings merges the defaults for a throwaway server with extra, in a
// stable order (defaults first, so extra wins: the last -c counts).
func serverSettings(extra map[string]string) [][2]string {
	// Throwaway data: durability is traded for speed. Never use these
	// settings for a server whose data matters.
	out := [][2]string{
		{"fsync", "off"},
		{"synchronous_commit", "off"},
		{"full_page_writes", "off"},
		{"max_connections", "200"},
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, [2]string{name, extra[name]})
	}
	return out
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// cleanupContext is for stopping things after ctx may have been cancelled.
func cleanupContext(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
