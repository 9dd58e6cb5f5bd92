// Package load drives a bounded, fixed-rate load against a running backend
// process on loopback and samples what the process holds while it runs:
// resident memory, OS threads and open file descriptors (read from /proc, so
// the backend exposes nothing new) and its database connections (read from
// pg_stat_activity). Hygiene means those figures are flat once warmed up,
// no request fails and /health stays fast. The soak reuses the sampler.
package load

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/report"
)

// ReadProc reads VmRSS and Threads from /proc/PID/status and counts the
// entries of /proc/PID/fd.
func ReadProc(pid int) (report.ProcSample, error) {
	s := report.ProcSample{At: time.Now().UTC()}
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return s, fmt.Errorf("read process %d status: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	found := 0
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch key {
		case "VmRSS": // "  12345 kB"
			s.RSSKiB, err = strconv.ParseInt(fields[0], 10, 64)
			found++
		case "Threads":
			s.Threads, err = strconv.ParseInt(fields[0], 10, 64)
			found++
		}
		if err != nil {
			return s, fmt.Errorf("process %d status %s: %w", pid, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("read process %d status: %w", pid, err)
	}
	if found < 2 {
		return s, fmt.Errorf("process %d status: no VmRSS/Threads (a zombie?)", pid)
	}
	fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		return s, fmt.Errorf("list process %d fds: %w", pid, err)
	}
	s.FDs = len(fds)
	return s, nil
}

// ApplicationName is what the backend sets as its Postgres
// application_name; pg_stat_activity is filtered by it.
const ApplicationName = "reference-backend"

// BackendConnections counts the sessions the backends hold on database
// dbName, as pg_stat_activity lists them.
func BackendConnections(ctx context.Context, pool *pgxpool.Pool, dbName string) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
		ApplicationName, dbName).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count backend connections: %w", err)
	}
	return n, nil
}
