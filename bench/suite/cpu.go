package suite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/pgprovision"
)

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// which Linux fixes at 100 for user space).
const clockTick = 10 * time.Millisecond

// processCPU is the user + system CPU time process pid has used so far,
// over all its threads, from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(data))
}

// parseStatCPU reads utime and stime (fields 14 and 15) from a
// /proc/PID/stat line. The command name (field 2) is in parentheses and may
// hold spaces, so fields are counted from the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	fields := strings.Fields(stat[end+1:])
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name", len(fields))
	}
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc stat utime: %w", err)
	}
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc stat stime: %w", err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// load1 is the machine's one-minute load average.
func load1() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(data), " ")
	return strconv.ParseFloat(first, 64)
}

// settle waits, at most Options.Settle, for the one-minute load average to
// fall below results.QuietLoad1, and returns it as it is when the drain
// starts. The previous drain raises the load average itself, and it decays
// over about a minute, so without the wait no trial after the first could
// start quiet even on an idle machine.
func (r *run) settle(ctx context.Context) float64 {
	deadline := time.Now().Add(r.opts.Settle)
	for {
		l, err := load1()
		if err != nil {
			r.logf("load average: %v", err)
			return -1
		}
		if l < results.QuietLoad1 || !time.Now().Before(deadline) {
			return l
		}
		if !pause(ctx, time.Second) {
			return l
		}
	}
}

// sampleEvery is how often the Postgres processes of a database are
// looked up and read: a connection that closes between two samples loses
// at most this much of its CPU time from the count.
const sampleEvery = 50 * time.Millisecond

// postgresCPU follows the CPU time of every server process connected to
// one database (pg_stat_activity.datname), keeping the last reading of each
// process id: the connections a contender opened, and autovacuum on its
// tables. It needs the server on this machine, where /proc shows its
// processes.
type postgresCPU struct {
	mu      sync.Mutex
	conn    *pgx.Conn // to the server's postgres database, so it is not counted
	db      string
	exclude []int32 // the benchmark's own connections to db; never nil, as = ANY (NULL) matches nothing
	base    map[int32]time.Duration
	last    map[int32]time.Duration
	err     error
	stop    chan struct{}
	stopped chan struct{}
}

// watchPostgresCPU starts following the processes connected to database
// db on srv, leaving out the backends of exclude (the benchmark's own
// connections). It returns nil, with no error, when the server does not run
// on this machine as a child of this run: then its process ids are not this
// machine's, and the CPU time is not measured.
func watchPostgresCPU(ctx context.Context, srv *pgprovision.Server, db string, exclude ...*pgx.Conn) (*postgresCPU, error) {
	if srv.Source != pgprovision.SourceLocal {
		return nil, nil
	}
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		return nil, errors.New(srv.Redact(fmt.Sprintf("connect to follow Postgres CPU: %v", err)))
	}
	w := &postgresCPU{conn: conn, db: db, exclude: []int32{}, base: map[int32]time.Duration{}, last: map[int32]time.Duration{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, c := range exclude {
		w.exclude = append(w.exclude, int32(c.PgConn().PID()))
	}
	go func() {
		defer close(w.stopped)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				w.mu.Lock()
				w.sample(ctx)
				w.mu.Unlock()
			}
		}
	}()
	return w, nil
}

// sample reads every process connected to the database now. A process
// that exited between the lookup and the read keeps its last reading. The
// caller holds mu.
func (w *postgresCPU) sample(ctx context.Context) {
	if w.err != nil {
		return
	}
	rows, err := w.conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND NOT (pid = ANY ($2))`, w.db, w.exclude)
	if err != nil {
		w.err = fmt.Errorf("list the processes of %s: %w", w.db, err)
		return
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		w.err = fmt.Errorf("list the processes of %s: %w", w.db, err)
		return
	}
	for _, pid := range pids {
		if used, err := processCPU(int(pid)); err == nil {
			w.last[pid] = used
		}
	}
}

// mark starts the count: what every process has used so far is left out.
func (w *postgresCPU) mark(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sample(ctx)
	w.base = make(map[int32]time.Duration, len(w.last))
	for pid, used := range w.last {
		w.base[pid] = used
	}
}

// used takes a last sample, stops following and returns the CPU time the
// processes used since mark (since the start when mark was never called).
func (w *postgresCPU) used(ctx context.Context) (time.Duration, error) {
	w.mu.Lock()
	w.sample(ctx)
	var total time.Duration
	for pid, used := range w.last {
		total += used - w.base[pid]
	}
	err := w.err
	w.mu.Unlock()
	w.close()
	return total, err
}

// close stops the sampler and its connection; safe to call twice.
func (w *postgresCPU) close() {
	w.mu.Lock()
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.mu.Unlock()
	<-w.stopped
	w.conn.Close(context.Background())
}

// cpuPerJob turns a drain's CPU time into µs per job.
func cpuPerJob(process, postgres time.Duration, jobs int) *results.CPUPerJob {
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(jobs) }
	return &results.CPUPerJob{Process: us(process), Postgres: us(postgres), Total: us(process + postgres)}
}
