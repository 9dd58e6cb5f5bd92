package suite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/procfs"
)

// processCPU is the user + system CPU time process pid has used so far,
// over all its threads, from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	st, err := procfs.ReadStat(pid)
	return st.CPU, err
}

// load1 is the machine's one-minute load average.
func load1() (float64, error) { return procfs.Load1() }

// postgresCPU counts the CPU time of a whole Postgres server: its
// postmaster, every live child (the backends serving the connections, the
// WAL writer, checkpointer, autovacuum), and every child that exited, which
// the kernel adds to the postmaster's cutime and cstime when it is waited
// for. The benchmark's drains run one at a time, each alone on its server,
// so what the server spends during a drain is that contender's database
// cost, connections that came and went included.
type postgresCPU struct {
	postmaster int
}

// serverCPU returns the counter of srv's processes, found through conn's
// backend (a child of the postmaster). It returns nil, with no error, when
// the server does not run on this machine as a child of this run: then its
// process ids are not this machine's, and the CPU time is not measured.
func serverCPU(srv *pgprovision.Server, conn *pgx.Conn) (*postgresCPU, error) {
	if srv.Source != pgprovision.SourceLocal {
		return nil, nil
	}
	backend, err := procfs.ReadStat(int(conn.PgConn().PID()))
	if err != nil {
		return nil, fmt.Errorf("find the postmaster: %w", err)
	}
	return &postgresCPU{postmaster: backend.PPID}, nil
}

// serverCPUOf is serverCPU through a short connection of its own, for a
// contender that brings its own connections (river-bench).
func serverCPUOf(ctx context.Context, srv *pgprovision.Server) (*postgresCPU, error) {
	if srv.Source != pgprovision.SourceLocal {
		return nil, nil
	}
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		return nil, errors.New(srv.Redact(fmt.Sprintf("connect to find the postmaster: %v", err)))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return serverCPU(srv, conn)
}

// total is the server's CPU time so far.
func (p *postgresCPU) total() (time.Duration, error) {
	pm, err := procfs.ReadStat(p.postmaster)
	if err != nil {
		return 0, fmt.Errorf("postmaster CPU time: %w", err)
	}
	sum := pm.CPU + pm.Children
	pids, err := procfs.PIDs()
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		st, err := procfs.ReadStat(pid)
		if err != nil || st.PPID != p.postmaster {
			continue // gone since the listing, or not the server's
		}
		sum += st.CPU
	}
	return sum, nil
}

// cpuPerJob turns a drain's CPU time into µs per job.
func cpuPerJob(process, postgres time.Duration, jobs int) *results.CPUPerJob {
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(jobs) }
	return &results.CPUPerJob{Process: us(process), Postgres: us(postgres), Total: us(process + postgres)}
}
