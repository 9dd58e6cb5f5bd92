// Package load drives a bounded, fixed-rate load against a running backend
// process on loopback and samples what the process holds while it runs:
// resident memory, OS threads and open file descriptors (read from /proc, so
// the backend exposes nothing new) and its database connections (read from
// pg_stat_activity). Hygiene means those figures are flat once warmed up,
// no request fails and /health stays fast. The soak reuses the sampler.
package load

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/procfs"
	"github.com/prodproof/prodproof/internal/report"
)

// ReadProc reads VmRSS and Threads from /proc/PID/status and counts the
// entries of /proc/PID/fd.
func ReadProc(pid int) (report.ProcSample, error) {
	s := report.ProcSample{At: time.Now().UTC()}
	st, err := procfs.ReadStatus(pid)
	if err != nil {
		return s, err
	}
	s.RSSKiB, s.Threads = st.RSSKiB, st.Threads
	if s.FDs, err = procfs.OpenFiles(pid); err != nil {
		return s, err
	}
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
