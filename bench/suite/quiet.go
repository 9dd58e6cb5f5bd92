package suite

import (
	"context"
	"math"
	"time"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/procfs"
)

// The one-minute load average is an exponential moving average of the
// number of tasks running or waiting (for a CPU or a disk): every
// loadPeriod the kernel sets load = load·e^(-loadPeriod/loadTau) +
// tasks·(1 − e^(-loadPeriod/loadTau)).
const (
	loadPeriod = 5 * time.Second
	loadTau    = 60 * time.Second
)

// defaultSettle is the longest a side waits for a quiet start: five time
// constants of the load average. By then whatever ran before the wait
// weighs less than 1 % of its level in the load average (e^-5), so a load
// still above the threshold is the machine's present work, not the past
// drain's, and waiting longer would not make the start quiet.
const defaultSettle = 5 * loadTau

// decayTime is how long the one-minute load average takes to fall from
// load to below threshold while the machine keeps busy tasks running, the
// level the average decays towards: load(t) = busy + (load − busy)·e^(−t/τ).
// ok is false when busy is at or above the threshold: then it never falls
// below it while the machine stays that busy.
func decayTime(load, busy, threshold float64) (d time.Duration, ok bool) {
	if load < threshold {
		return 0, true
	}
	if busy >= threshold {
		return 0, false
	}
	busy = max(busy, 0)
	return time.Duration(float64(loadTau) * math.Log((load-busy)/(threshold-busy))), true
}

// busyGrace is how long a side waits, from the start of its wait, while the
// machine keeps more CPUs busy than the threshold with work that is not
// the benchmark's own: one time constant of the load average, for a burst
// of other work to end. Waiting longer would only make a run on a busy
// machine slow; its trials are marked loaded either way.
const busyGrace = loadTau

// ownBusyMin is the CPU the benchmark's own Postgres servers must use,
// between two readings, for the wait to count them as still working off
// what came before the side (the previous drain's autovacuum, a
// checkpoint, the files of a dropped database, the side's own insert): an
// idle server's WAL writer and background writer use well under 1 % of a
// CPU.
const ownBusyMin = 0.05

// settleLimit is how long, from its start, a wait that has lasted elapsed
// may last, given the load average, the busy CPUs measured over the last
// update period, and how many of them the benchmark's own Postgres servers
// kept busy (ownBusy; negative when not measured): the time the load takes
// to decay below the threshold at that activity, plus two updates of the
// load average for the reading to catch up. While the machine is busier
// than the threshold the load cannot fall below it: then the wait lasts as
// long as the benchmark's own servers are still working (their work ends,
// and a side started on it would be loaded by the benchmark itself), and
// busyGrace from its start when the work is someone else's. Never more
// than ceiling. It is derived again at every update, so a machine that
// turns idle gets the wait its decay needs.
func settleLimit(elapsed time.Duration, load, busy, ownBusy, threshold float64, ceiling time.Duration) time.Duration {
	d, ok := decayTime(load, busy, threshold)
	if !ok {
		if ownBusy >= ownBusyMin {
			return ceiling
		}
		return min(busyGrace, ceiling)
	}
	return min(elapsed+d+2*loadPeriod, ceiling)
}

// quickLook is how long a side that need not wait measures the busy CPUs
// before it starts.
const quickLook = time.Second

// startRecord is how one side of a trial started.
type startRecord struct {
	// load1 is the one-minute load average when the side starts; -1 when
	// it could not be read.
	load1 float64
	// busyCPUs is the busy CPUs over the wait's last load-average update
	// period, or over quickLook when the side did not need to wait; -1
	// when not measured.
	busyCPUs float64
	// ownBusy is how many CPUs the benchmark's own Postgres servers kept
	// busy over the same period; -1 when not measured.
	ownBusy float64
	// waited is how long the side waited; limit the cap it waited under.
	waited, limit time.Duration
}

// settle waits for the one-minute load average to fall below
// results.QuietLoad1 before a side's clock starts, at most Options.Settle
// and at most settleLimit once the machine's activity is measured, and
// returns how the side starts. The drain before it (and the side's own
// backlog insert) raise the load average, which then decays with a time
// constant of a minute, so without the wait no side after the first could
// start quiet even on an idle machine. It is called after the side's
// set-up, right before its clock starts.
func (r *run) settle(ctx context.Context) startRecord {
	rec := startRecord{load1: -1, busyCPUs: -1, ownBusy: -1}
	l, err := load1()
	if err != nil {
		r.logf("load average: %v", err)
		return rec
	}
	rec.load1 = l
	if r.opts.Settle <= 0 {
		return rec
	}
	if l < results.QuietLoad1 {
		// No wait, but a start quiet by the load average (which lags) can
		// still follow a burst of work: the record says how busy the CPUs
		// were over a short look.
		if before, err := procfs.ReadCPUTimes(); err == nil && pause(ctx, quickLook) {
			if now, err := procfs.ReadCPUTimes(); err == nil {
				rec.busyCPUs = now.BusyCPUs(before)
			}
		}
		rec.load1 = load1Now()
		return rec
	}
	began := time.Now()
	rec.limit = r.opts.Settle
	before, cpuErr := procfs.ReadCPUTimes()
	own := r.ownServers(ctx)
	ownBefore, ownErr := own.total()
	ownAt := time.Now()
	for left := rec.limit; left > 0 && pause(ctx, min(loadPeriod, left)); left = rec.limit - time.Since(began) {
		if cpuErr == nil {
			var now procfs.CPUTimes
			if now, cpuErr = procfs.ReadCPUTimes(); cpuErr == nil {
				rec.busyCPUs = now.BusyCPUs(before)
				before = now
			}
		}
		if ownErr == nil && len(own) > 0 {
			var ownNow time.Duration
			if ownNow, ownErr = own.total(); ownErr == nil {
				rec.ownBusy = (ownNow - ownBefore).Seconds() / time.Since(ownAt).Seconds()
				ownBefore, ownAt = ownNow, time.Now()
			}
		}
		if l, err = load1(); err != nil {
			break
		}
		rec.load1 = l
		if l < results.QuietLoad1 {
			break
		}
		if rec.busyCPUs >= 0 {
			rec.limit = settleLimit(time.Since(began), l, rec.busyCPUs, rec.ownBusy, results.QuietLoad1, r.opts.Settle)
		}
	}
	rec.waited = time.Since(began)
	verdict := "quiet"
	if rec.load1 >= results.QuietLoad1 {
		verdict = "not quiet, starting anyway (marked loaded)"
	}
	r.logf("settle: load1 %.2f after %.0f s (cap %.0f s, %.2f CPUs busy, %.2f of them the benchmark's Postgres): %s",
		rec.load1, rec.waited.Seconds(), rec.limit.Seconds(), rec.busyCPUs, rec.ownBusy, verdict)
	return rec
}

// side is the trial's record of a drain that started as rec says and ran
// at jobsPerSec, with the load average at its end and its CPU time.
func (rec startRecord) side(jobsPerSec, load1End float64, cpu *results.CPUPerJob) results.Side {
	s := results.Side{
		JobsPerSec: jobsPerSec, Load1: rec.load1, Load1End: load1End, CPU: cpu,
		SettleSeconds: rec.waited.Seconds(), SettleCapSeconds: rec.limit.Seconds(),
	}
	if rec.busyCPUs >= 0 {
		busy := rec.busyCPUs
		s.BusyCPUs = &busy
	}
	return s
}

// ownServers are the benchmark's own Postgres servers on this machine, whose
// CPU the settle wait tells apart from other work; none when the servers
// are not local (a DATABASE_URL, Docker) or cannot be found.
func (r *run) ownServers(ctx context.Context) postgresServers {
	var out postgresServers
	for _, srv := range []*pgprovision.Server{r.srv, r.durable} {
		if srv == nil {
			continue
		}
		p, err := serverCPUOf(ctx, srv)
		if err != nil || p == nil {
			continue
		}
		out = append(out, p)
	}
	return out
}

// postgresServers counts the CPU time of several servers together.
type postgresServers []*postgresCPU

func (ps postgresServers) total() (time.Duration, error) {
	var sum time.Duration
	for _, p := range ps {
		t, err := p.total()
		if err != nil {
			return 0, err
		}
		sum += t
	}
	return sum, nil
}

// load1Now is the load average now, or -1 when it cannot be read.
func load1Now() float64 {
	l, err := load1()
	if err != nil {
		return -1
	}
	return l
}
