package pgprovision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/procfs"
	"github.com/prodproof/prodproof/internal/redact"

	"github.com/prodproof/prodproof/internal/port"
)

// postgresLibDir is where Debian-style packages install one bin/ per major
// version. A variable so tests can point it at a fixture.
var postgresLibDir = "/usr/lib/postgresql"

const (
	// startAttempts is how often a start is retried when the free port we
	// picked was taken by someone else before the server bound it.
	startAttempts = 5
	// startTimeoutSeconds is pg_ctl's -t for start.
	startTimeoutSeconds = 60
	// stopTimeout bounds all of Close for a local server.
	stopTimeout = 90 * time.Second
	// maxUnixSocketPath is the longest socket path Linux accepts
	// (sizeof(sun_path) - 1).
	maxUnixSocketPath = 107
	// reaperReleaseTimeout bounds waiting for the reaper to exit on Close.
	reaperReleaseTimeout = 15 * time.Second
)

// localBinaries are the server programs a local server needs.
type localBinaries struct {
	initdb, pgCtl string
	version       string // e.g. "15.14", from pg_ctl --version
}

// findLocalBinaries looks for initdb and pg_ctl on PATH, else in the
// highest-numbered postgresLibDir/*/bin.
func findLocalBinaries(ctx context.Context) (localBinaries, error) {
	var bins localBinaries
	initdb, errInit := exec.LookPath("initdb")
	pgCtl, errCtl := exec.LookPath("pg_ctl")
	if errInit == nil && errCtl == nil {
		bins = localBinaries{initdb: initdb, pgCtl: pgCtl}
	} else if dir := highestVersionBin(postgresLibDir); dir != "" {
		bins = localBinaries{initdb: filepath.Join(dir, "initdb"), pgCtl: filepath.Join(dir, "pg_ctl")}
	} else {
		return localBinaries{}, ErrNoPostgres
	}
	// Resolve symlinks such as /usr/local/bin/pg_ctl, so the server user
	// runs the real files and pg_ctl finds postgres beside itself.
	for _, p := range []*string{&bins.initdb, &bins.pgCtl} {
		real, err := filepath.EvalSymlinks(*p)
		if err != nil {
			return localBinaries{}, fmt.Errorf("%w (%s: %v)", ErrNoPostgres, *p, err)
		}
		*p = real
	}
	out, err := exec.CommandContext(ctx, bins.pgCtl, "--version").Output()
	if err != nil {
		return localBinaries{}, fmt.Errorf("%w (%s --version: %v)", ErrNoPostgres, bins.pgCtl, err)
	}
	bins.version = parseToolVersion(string(out))
	return bins, nil
}

// highestVersionBin returns root/N/bin with the highest N that holds both
// initdb and pg_ctl, or "".
func highestVersionBin(root string) string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	type candidate struct {
		version []int
		dir     string
	}
	var found []candidate
	for _, e := range entries {
		version, ok := parseDottedVersion(e.Name())
		if !ok {
			continue
		}
		dir := filepath.Join(root, e.Name(), "bin")
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) {
			found = append(found, candidate{version, dir})
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool { return lessVersion(found[j].version, found[i].version) })
	return found[0].dir
}

func parseDottedVersion(s string) ([]int, bool) {
	var out []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func lessVersion(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode().Perm()&0o111 != 0
}

var toolVersion = regexp.MustCompile(`\(PostgreSQL\)\s+([0-9][0-9.]*)`)

// parseToolVersion pulls "15.14" out of "pg_ctl (PostgreSQL) 15.14 (Debian ...)".
func parseToolVersion(out string) string {
	if m := toolVersion.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return "unknown"
}

func majorVersion(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}

// localServer is a server started with initdb and pg_ctl in a temp dir.
type localServer struct {
	bins   localBinaries
	run    runner
	root   string // the temp dir; everything below it goes on Close
	data   string
	sock   string
	log    string
	reaper *reaper
}

// provisionLocal starts a local server. Layout of the temp dir:
//
//	ROOT/data        the cluster (0700, owned by the server user)
//	ROOT/sock        the Unix socket directory
//	ROOT/server.log  the server log (pg_ctl -l)
func provisionLocal(ctx context.Context, opts Options) (srv *Server, err error) {
	bins, err := findLocalBinaries(ctx)
	if err != nil {
		return nil, err
	}
	run, err := newRunner()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp(tempBase(run), "prodproof-pg-")
	if err != nil {
		return nil, fmt.Errorf("local postgres: temp dir: %w", err)
	}
	ls := &localServer{
		bins: bins,
		run:  run,
		root: root,
		data: filepath.Join(root, "data"),
		sock: filepath.Join(root, "sock"),
		log:  filepath.Join(root, "server.log"),
	}
	ls.run.dir = root
	defer func() {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				// Messages were redacted into plain strings; keep the
				// cancellation visible to errors.Is.
				err = fmt.Errorf("%w: %s", ctxErr, err.Error())
			}
			if stopErr := ls.stop(); stopErr != nil {
				err = errors.Join(err, fmt.Errorf("clean up after failed start: %w", stopErr))
			}
		}
	}()
	// The reaper comes first so that even a start cut short by this
	// process dying leaves nothing behind.
	if ls.reaper, err = startReaper(localReaperScript, ls.data, ls.root); err != nil {
		return nil, fmt.Errorf("local postgres: %w", err)
	}
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	if err := ls.prepare(password); err != nil {
		return nil, fmt.Errorf("local postgres: %w", err)
	}
	started := time.Now()
	if _, err := ls.run.run(ctx, bins.initdb,
		"-D", ls.data, "-U", "postgres", "-E", "UTF8", "--locale=C",
		"--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256",
		"--pwfile="+filepath.Join(root, "pwfile")); err != nil {
		return nil, fmt.Errorf("local postgres: initdb: %s", redact.Text(err.Error(), password))
	}
	if err := os.Remove(filepath.Join(root, "pwfile")); err != nil {
		return nil, fmt.Errorf("local postgres: remove password file: %w", err)
	}
	port, err := ls.start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("local postgres: %s", redact.Text(err.Error(), password))
	}
	url := superuserURL(password, "127.0.0.1", port)
	version, err := serverVersion(ctx, url, password)
	if err != nil {
		return nil, fmt.Errorf("local postgres: %w\nserver log:\n%s", err, ls.logTail(password))
	}
	opts.logf("local postgres %s ready on 127.0.0.1:%d in %s", version, port, time.Since(started).Round(time.Millisecond))
	return &Server{
		URL:      url,
		Source:   SourceLocal,
		Version:  version,
		Password: password,
		Owned:    true,
		stop:     ls.stop,
	}, nil
}

// tempBase picks the parent of the temp dir. When the server runs as
// another user, that user must be able to reach it; $TMPDIR might be
// private to root, /tmp never is.
func tempBase(run runner) string {
	base := os.TempDir()
	if run.asUser == "" {
		return base
	}
	for dir := base; ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err != nil || info.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if dir == filepath.Dir(dir) {
			return base
		}
	}
}

// prepare creates the directories and the password file and hands them to
// the server user.
func (ls *localServer) prepare(password string) error {
	for _, dir := range []string{ls.data, ls.sock} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	pwfile := filepath.Join(ls.root, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	for _, path := range []string{ls.root, ls.data, ls.sock, pwfile} {
		if err := ls.run.chown(path); err != nil {
			return err
		}
	}
	return nil
}

// start runs pg_ctl start on a free port, retrying with another port when
// the one picked was taken in between. It returns the port.
func (ls *localServer) start(ctx context.Context, opts Options) (int, error) {
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := pickPort()
		if err != nil {
			return 0, err
		}
		opts.logf("starting local postgres %s on 127.0.0.1:%d", majorVersion(ls.bins.version), port)
		logOffset := fileSize(ls.log)
		_, err = ls.run.run(ctx, ls.bins.pgCtl,
			"-D", ls.data, "-l", ls.log, "-w", "-t", strconv.Itoa(startTimeoutSeconds),
			"-o", ls.serverOptions(port, opts.Settings), "start")
		if err == nil {
			return port, nil
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("start: %w", ctx.Err())
		}
		logText := readFrom(ls.log, logOffset)
		lastErr = fmt.Errorf("pg_ctl start on port %d: %w\nserver log:\n%s", port, err, tail(logText, 20))
		if !strings.Contains(logText, "Address already in use") {
			return 0, lastErr
		}
		opts.logf("port %d was taken, picking another", port)
		// A server that failed to bind exits by itself; make sure before
		// trying again with the same data dir.
		if err := ls.stopPostmaster(ctx); err != nil {
			return 0, errors.Join(lastErr, err)
		}
	}
	return 0, lastErr
}

// serverOptions is pg_ctl's -o: the postmaster's command line tail. pg_ctl
// hands it to /bin/sh, so every value is shell-quoted.
func (ls *localServer) serverOptions(port int, extra map[string]string) string {
	// Every client connects over TCP with the password, and pg_ctl -w
	// watches postmaster.pid, so the Unix socket is only a convenience for
	// a person debugging (psql -h ROOT/sock). A path longer than the
	// kernel's limit would stop the server, so then there is none.
	sock := ls.sock
	if len(sock)+len("/.s.PGSQL.65535") > maxUnixSocketPath {
		sock = ""
	}
	words := []string{
		"-p", strconv.Itoa(port),
		"-k", shellQuote(sock),
		"-c", "listen_addresses=127.0.0.1",
	}
	for _, kv := range serverSettings(extra) {
		words = append(words, "-c", shellQuote(kv[0]+"="+kv[1]))
	}
	return strings.Join(words, " ")
}

// stop is Server.Close for a local server: stop the postmaster, remove the
// temp dir, release the reaper. Safe on a half-started server.
func (ls *localServer) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	stopErr := ls.stopPostmaster(ctx)
	var rmErr error
	if stopErr == nil {
		rmErr = os.RemoveAll(ls.root)
	}
	// With the server down and the dir gone the reaper has nothing left to
	// do; if stopping failed, it gets one more try as it exits.
	var reaperErr error
	if ls.reaper != nil {
		reaperErr = ls.reaper.release(stopErr != nil || rmErr != nil, reaperReleaseTimeout)
	}
	if stopErr != nil {
		return fmt.Errorf("stop local postgres: %w", stopErr)
	}
	return errors.Join(rmErr, reaperErr)
}

// stopPostmaster stops the server if it runs: pg_ctl stop -m fast, then
// -m immediate, then SIGKILL to the postmaster's process group.
func (ls *localServer) stopPostmaster(ctx context.Context) error {
	ctx, cancel := cleanupContext(ctx, stopTimeout)
	defer cancel()
	pid, ok := ls.postmasterPID()
	if !ok {
		return nil
	}
	var errs []error
	for _, mode := range []struct {
		name    string
		timeout string
	}{{"fast", "30"}, {"immediate", "10"}} {
		_, err := ls.run.run(ctx, ls.bins.pgCtl, "-D", ls.data, "-m", mode.name, "-w", "-t", mode.timeout, "stop")
		if err == nil && !processAlive(pid) {
			return nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill postmaster %d: %w", pid, err))
		}
	}
	if !waitGone(ctx, pid) {
		errs = append(errs, fmt.Errorf("postmaster %d still running after SIGKILL", pid))
		return errors.Join(errs...)
	}
	return nil
}

// postmasterPID reads the pid from postmaster.pid and checks that the
// process is a live postmaster of this data dir (a stale file after a crash
// could name an unrelated process by now).
func (ls *localServer) postmasterPID() (int, bool) {
	raw, err := os.ReadFile(filepath.Join(ls.data, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, false
	}
	args, err := procfs.Cmdline(pid)
	if err != nil {
		return 0, false
	}
	for _, arg := range args {
		if arg == ls.data {
			return pid, processAlive(pid)
		}
	}
	return 0, false
}

// logTail is the end of the server log, password redacted.
func (ls *localServer) logTail(password string) string {
	return redact.Text(tail(readFrom(ls.log, 0), 20), password)
}

// pickPort is freePort; tests replace it to force a port collision.
var pickPort = port.Free

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// readFrom returns path's content from offset on ("" if unreadable).
func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return ""
	}
	return string(b)
}
