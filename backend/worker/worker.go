package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// worker is one incarnation under the supervisor: it lives until it is
// stopped or crashes, and is never restarted itself; the supervisor makes a
// new one with a new boot id.
type worker struct {
	cfg         *Config
	boot        job.ID
	predecessor job.ID // zero, or the crashed worker whose jobs to take back

	inflight atomic.Int64
	// unreported counts dispatched jobs whose outcome the completer has not
	// received yet: while it is zero, no outcome is on its way and a partial
	// batch is written at once instead of lingering.
	unreported atomic.Int64
	// unwritten counts outcomes handed to the completer whose completion
	// is not written yet: while there are some, the next claim (for a
	// backlog, or for a wake-up) rides on their completion
	// (Store.CompleteAndClaim) instead of taking a round trip and a commit
	// of its own.
	unwritten atomic.Int64
	// held is the set of jobs this worker was handed and has not written
	// the outcome of: the heartbeat extends their leases and no others
	// (see query.Heartbeat). An id left behind costs nothing: the heartbeat
	// also requires the job to be processing and owned by this worker.
	// Each id maps to the attempt it was handed for, and a written outcome
	// removes only its own attempt: the round that requeues a failed job
	// can claim it again (Store.CompleteAndClaim), and that next attempt,
	// handed over before the round's writer lets go of the old one, must
	// stay held.
	//
	// A map under a mutex, taken once per batch, rather than a sync.Map
	// taken once per job: a sync.Map boxes every key and allocates a node
	// per entry, two allocations on the path of every job, for a set only
	// the heartbeat reads, every lease/3 (docs/benchmarks.md, the drain's
	// profile of 3 December 2026).
	heldMu    sync.Mutex
	held      map[job.ID]int // job → the attempt it was handed for
	slotFreed chan struct{}
	// outageStarted tells the claim loop that an outage began elsewhere
	// (on a completion writer): the loop re-arms its poll to the outage
	// interval at once, instead of sleeping out a poll set before the
	// outage, which may be PollInterval long while unwoken jobs wait.
	outageStarted chan struct{}
	crashed       chan crash
	// claimResults carries every claim's result to the claim loop, whether
	// the loop or a completion writer made it.
	claimResults chan claimResult
	// reserve asks the claim loop for slots for a claim riding on a
	// completion; the loop answers on the channel sent, 0 for none.
	reserve chan chan int
	// claimsStopped is closed when the claim loop takes no more claims
	// (a soft stop), so a writer stops asking it for slots.
	claimsStopped chan struct{}
	// dbDown is set by the claim loop and the completion writers alike,
	// so that an outage is logged once when it starts and once when it ends.
	dbDown atomic.Bool
	// process is run's parent: the context of the process, which outlives
	// this worker. Statements that take jobs run under it (claimContext).
	process context.Context
}

func newWorker(cfg *Config, predecessor job.ID) *worker {
	return &worker{
		cfg:           cfg,
		boot:          job.NewID(),
		predecessor:   predecessor,
		held:          map[job.ID]int{},
		slotFreed:     make(chan struct{}, 1),
		outageStarted: make(chan struct{}, 1),
		crashed:       make(chan crash, 1),
		claimResults:  make(chan claimResult, concurrentClaims+completeWriters),
		reserve:       make(chan chan int),
		claimsStopped: make(chan struct{}),
	}
}

// claimResult is one claim's jobs, the slots reserved for it, and its error.
type claimResult struct {
	claims []job.Claim
	limit  int
	err    error
}

var errInjectedFailure = errors.New("injected failure (fault injection)")

// run claims and dispatches jobs until soft is closed (then it drains) or
// ctx is cancelled (then it abandons in-flight jobs to the supervisor).
func (w *worker) run(parent context.Context, soft <-chan struct{}) error {
	w.process = parent
	ctx, cancel := context.WithCancel(parent)
	var all sync.WaitGroup      // every goroutine this worker starts
	var handlers sync.WaitGroup // job goroutines only
	defer func() {
		// Also runs while a crash unwinds: no goroutine of a dead worker
		// may outlive it and write on its behalf.
		cancel()
		all.Wait()
	}()

	now := time.Now()
	w.cfg.State.workerStarted(w.boot, now)
	w.cfg.Logger.Info("worker started", "boot_id", w.boot.String(), "restart_count", w.cfg.State.Snapshot().RestartCount)

	outcomes := make(chan job.Outcome, w.cfg.Concurrency)
	completerDone := make(chan struct{})
	all.Add(2)
	go func() { defer all.Done(); w.heartbeat(ctx) }()
	go func() { defer all.Done(); defer close(completerDone); w.complete(ctx, outcomes) }()

	// Claims run on their own goroutines, up to concurrentClaims at once,
	// so the loop below keeps the database busy while a claim's round trip
	// is in flight; while jobs are waiting and completions are on their
	// way, the claims ride on the completions instead (see unwritten).
	// reserved counts the slots promised to running claims of either kind.
	claimResults := w.claimResults
	claiming, reserved := 0, 0
	wanted := true // a wake-up, a poll or a freed slot asks for a claim
	full := false  // the last claim filled its batch: more jobs are waiting
	received := func(res claimResult) {
		claiming--
		reserved -= res.limit
		full = false
		if res.err != nil {
			if ctx.Err() == nil {
				w.noteDBError(res.err)
			}
			return
		}
		w.noteDBOK()
		w.dispatch(ctx, res.claims, &all, &handlers, outcomes)
		full = len(res.claims) == res.limit
	}
	// stopClaiming lets running claims finish and hands their jobs to
	// handlers, so a soft stop drains them like every other claimed job.
	stopClaiming := func() {
		close(w.claimsStopped)
		for claiming > 0 {
			select {
			case res := <-claimResults:
				received(res)
			case <-ctx.Done():
				return
			}
		}
	}

	poll := time.NewTimer(w.cfg.PollInterval)
	defer poll.Stop()
	for {
		w.cfg.State.tick(time.Now())
		if !w.predecessor.IsZero() {
			w.takeBackPredecessorJobs(ctx)
		}
		select {
		case <-soft:
			stopClaiming()
			return w.drain(ctx, &handlers, outcomes, completerDone)
		case c := <-w.crashed:
			panic(c)
		default:
		}

		for claiming < concurrentClaims && (wanted || full) {
			if w.unwritten.Load() > 0 {
				break // the next completion brings the next batch
			}
			free := w.cfg.Concurrency - int(w.inflight.Load()) - reserved
			if free <= 0 {
				break
			}
			limit := min(w.cfg.BatchSize, free)
			claiming++
			reserved += limit
			wanted = false
			all.Add(1)
			go func() {
				defer all.Done()
				claimCtx, done := w.claimContext()
				claims, err := w.cfg.Store.Claim(claimCtx, w.boot, limit)
				done()
				claimResults <- claimResult{claims: claims, limit: limit, err: err}
			}()
			if !full {
				break // an idle worker answers a wake-up with one claim
			}
		}

		if !poll.Stop() {
			select {
			case <-poll.C:
			default:
			}
		}
		wait := w.cfg.PollInterval
		if w.dbDown.Load() {
			wait = min(wait, time.Second)
		}
		poll.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-soft:
			stopClaiming()
			return w.drain(ctx, &handlers, outcomes, completerDone)
		case c := <-w.crashed:
			panic(c)
		case res := <-claimResults:
			received(res)
		case answer := <-w.reserve:
			// A completion writer offers to claim: worth it while jobs
			// are waiting or a wake-up asked for a claim, and slots are
			// free.
			n := 0
			if full || wanted {
				n = max(min(w.cfg.BatchSize, w.cfg.Concurrency-int(w.inflight.Load())-reserved), 0)
			}
			if n > 0 {
				claiming++
				reserved += n
				wanted = false
			}
			answer <- n
		case <-w.cfg.Wake:
			wanted = true
		case <-w.slotFreed:
			wanted = true
		case <-w.outageStarted:
			// No claim: the loop goes round to re-arm its poll for the outage.
		case <-poll.C:
			wanted = true
		}
	}
}

// dispatch starts one goroutine per claimed job. A crash fault fires here,
// right after the claim, before any job of the batch runs.
func (w *worker) dispatch(ctx context.Context, claims []job.Claim, all, handlers *sync.WaitGroup, outcomes chan<- job.Outcome) {
	if len(claims) == 0 {
		return
	}
	for _, c := range claims {
		if !w.cfg.FaultInjection {
			break
		}
		// The job a crash fault fires on is the last one claimed.
		w.cfg.State.claimed(c.ID)
		f, ok := job.ParseFault(c.Payload)
		if ok && f.Kind == job.FaultWorkerCrash && f.On(c.Attempts) {
			w.cfg.Logger.Warn("fault injected", "fault", f.Kind, "job_id", c.ID.String(), "attempt", c.Attempts, "boot_id", w.boot.String())
			panic(crash{reason: job.FaultWorkerCrash})
		}
		if ok && f.Kind == job.FaultStallLoop && f.On(c.Attempts) && f.Hold > 0 {
			// dispatch runs on the claim loop's goroutine: this wait is
			// the loop standing still, not a job's slot.
			w.cfg.Logger.Warn("fault injected", "fault", f.Kind, "effect", "stall", "job_id", c.ID.String(), "attempt", c.Attempts, "hold_ms", f.Hold.Milliseconds())
			sleep(ctx, f.Hold)
		}
	}
	// The last job handed over, set once per batch: the state's lock is
	// shared with /health and the supervisor.
	w.cfg.State.claimed(claims[len(claims)-1].ID)
	w.unreported.Add(int64(len(claims)))
	w.hold(claims)
	for _, c := range claims {
		w.inflight.Add(1)
		all.Add(1)
		handlers.Add(1)
		go func() {
			defer all.Done()
			defer handlers.Done()
			defer w.release()
			reported := false
			defer func() {
				if !reported {
					w.unreported.Add(-1)
				}
			}()
			defer func() {
				if r := recover(); r != nil {
					select {
					case w.crashed <- crash{reason: fmt.Sprintf("panic in job %s: %v", c.ID, r)}:
					default:
					}
				}
			}()
			err := w.execute(ctx, c)
			if ctx.Err() != nil {
				// Hard stop or crash: the job is not finished; it goes back
				// by release or requeue, not by a completion.
				return
			}
			w.unwritten.Add(1)
			o := job.Outcome{ID: c.ID, Attempts: c.Attempts, Err: err}
			// outcomes holds as many as there are slots, so the send
			// almost never waits: try it alone first, which costs less
			// than a select on two channels, once per job.
			select {
			case outcomes <- o:
				reported = true
				return
			default:
			}
			select {
			case outcomes <- o:
				reported = true
			case <-ctx.Done():
				w.unwritten.Add(-1)
			}
		}()
	}
}

// release frees a concurrency slot and wakes the claim loop if it was full.
func (w *worker) release() {
	if w.inflight.Add(-1) == int64(w.cfg.Concurrency-1) {
		select {
		case w.slotFreed <- struct{}{}:
		default:
		}
	}
}

func (w *worker) execute(ctx context.Context, c job.Claim) error {
	if w.cfg.FaultInjection {
		if f, ok := job.ParseFault(c.Payload); ok {
			hold := (f.Kind == job.FaultHold && c.Attempts == f.Attempt) ||
				(f.Kind == job.FaultWorkerCrash && c.Attempts == f.Attempt+1)
			if hold && f.Hold > 0 {
				w.cfg.Logger.Info("fault injected", "fault", f.Kind, "effect", "hold", "job_id", c.ID.String(), "attempt", c.Attempts, "hold_ms", f.Hold.Milliseconds())
				t := time.NewTimer(f.Hold)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				}
			}
			if f.Kind == job.FaultFail && f.On(c.Attempts) {
				w.cfg.Logger.Info("fault injected", "fault", f.Kind, "job_id", c.ID.String(), "attempt", c.Attempts)
				return errInjectedFailure
			}
			if f.Kind == job.FaultHandlerPanic && f.On(c.Attempts) {
				w.cfg.Logger.Warn("fault injected", "fault", f.Kind, "job_id", c.ID.String(), "attempt", c.Attempts, "boot_id", w.boot.String())
				panic(job.FaultHandlerPanic)
			}
		}
	}
	return w.cfg.Handler(ctx, c)
}

// completeLinger bounds how long a partial batch of completions waits for
// more outcomes that are on their way.
const completeLinger = 2 * time.Millisecond

// completeWriters is how many goroutines write completions at once. One
// writer left the worker waiting on one round trip at a time while the
// database had capacity to spare; measured with `make bench` (see
// docs/benchmarks.md).
const completeWriters = 2

// concurrentClaims is how many claim round trips may be in flight at once
// while jobs are waiting; an idle worker claims once per wake-up.
const concurrentClaims = 2

// complete gathers outcomes into batches of up to BatchSize and hands them
// to completeWriters writers. A partial batch waits at most completeLinger
// for more outcomes, and not at all when none is on its way, so an idle
// worker writes each completion at once while a busy one writes full
// batches: one round trip per claim's worth of jobs.
func (w *worker) complete(ctx context.Context, outcomes <-chan job.Outcome) {
	batches := make(chan []job.Outcome, completeWriters)
	var writers sync.WaitGroup
	for range completeWriters {
		writers.Go(func() {
			for batch := range batches {
				w.flush(ctx, batch)
			}
		})
	}
	defer func() {
		close(batches)
		writers.Wait()
	}()
	linger := time.NewTimer(completeLinger)
	linger.Stop()
	for {
		batch := make([]job.Outcome, 0, w.cfg.BatchSize)
		select {
		case o, ok := <-outcomes:
			if !ok {
				return
			}
			batch = append(batch, o)
			w.unreported.Add(-1)
		case <-ctx.Done():
			return
		}
		linger.Reset(completeLinger)
	fill:
		for len(batch) < cap(batch) && w.unreported.Load() > 0 {
			if len(outcomes) > 0 {
				// Outcomes already waiting are taken without a select
				// (this loop is their only receiver, so the receive
				// cannot block): a plain receive costs less than a
				// select on three channels, once per job.
				batch = append(batch, <-outcomes)
				w.unreported.Add(-1)
				continue
			}
			select {
			case o, ok := <-outcomes:
				if !ok {
					break fill
				}
				batch = append(batch, o)
				w.unreported.Add(-1)
			case <-linger.C:
				break fill
			case <-ctx.Done():
				return
			}
		}
		linger.Stop()
		select {
		case batches <- batch:
		case <-ctx.Done():
			return
		}
	}
}

// flush writes one batch, retrying while the database is unreachable. If the
// worker dies first, the jobs stay owned by it and are requeued: the attempt
// runs again, and nothing is recorded twice.
func (w *worker) flush(ctx context.Context, batch []job.Outcome) {
	failed := false
	defer func() {
		// Written, or the worker is dying and its jobs go back by release
		// or requeue: either way no longer leased by this worker's beat.
		w.letGo(batch)
		w.unwritten.Add(-int64(len(batch)))
		// The claim loop may have left a claim to this batch's completion:
		// with the batch written, wake it to claim by itself. After a
		// failure it needs no wake: it knows the database was away and
		// looks again every second (run's outage polling).
		if !failed {
			select {
			case w.slotFreed <- struct{}{}:
			default:
			}
		}
	}()
	if limit := w.reserveClaim(ctx); limit > 0 {
		claimCtx, stop := w.claimContext()
		done, claims, err := w.cfg.Store.CompleteAndClaim(claimCtx, w.boot, batch, limit)
		stop()
		// The loop takes the claims (or the error) and frees the slots.
		select {
		case w.claimResults <- claimResult{claims: claims, limit: limit, err: err}:
		case <-ctx.Done():
			return
		}
		if err == nil {
			w.completed(ctx, batch, done)
			return
		}
		// Neither part happened; the completion is retried alone.
		failed = true
		if !sleep(ctx, retryDelay(0)) {
			return
		}
	}
	for attempt := 0; ; attempt++ {
		done, err := w.cfg.Store.Complete(ctx, w.boot, batch)
		if err == nil {
			w.completed(ctx, batch, done)
			return
		}
		if ctx.Err() != nil {
			return
		}
		failed = true
		w.noteDBError(err)
		if !sleep(ctx, retryDelay(attempt)) {
			return
		}
	}
}

// claimContext is the context of a statement that takes jobs. It is not
// cancelled when the worker dies, only when the process stops: cancelling
// ends the call here but not the statement in the database, which could
// then take jobs for the dead worker after its successor took back its
// jobs, and they would wait a whole lease. So a dying worker waits until
// the database has answered its claims (a crash unwinds through run's
// all.Wait), up to one lease, after which the rescuer takes the jobs back
// anyway.
func (w *worker) claimContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(w.process, w.cfg.Lease)
}

// reserveClaim asks the claim loop how many jobs to claim along with a
// completion: 0 when none are waiting, no slot is free, or the loop takes
// no more claims.
func (w *worker) reserveClaim(ctx context.Context) int {
	answer := make(chan int, 1)
	select {
	case w.reserve <- answer:
	case <-w.claimsStopped:
		return 0
	case <-ctx.Done():
		return 0
	}
	// The loop answers as soon as it takes the question.
	return <-answer
}

// completed records a written batch in the state and the log.
func (w *worker) completed(ctx context.Context, batch []job.Outcome, done job.Completion) {
	w.cfg.State.completed(done.Processed, done.Failed)
	for _, o := range batch {
		if o.Err != nil {
			w.cfg.State.setError(o.Err.Error())
			w.cfg.Logger.Warn("job attempt failed", "job_id", o.ID.String(), "attempt", o.Attempts, "error", o.Err.Error())
		}
	}
	if done.Stale > 0 {
		w.cfg.Logger.Warn("stale completions ignored", "count", done.Stale, "boot_id", w.boot.String())
	}
	if w.cfg.State.Snapshot().RecoveryActive {
		closeRecoveryWindow(ctx, w.cfg.Store, w.cfg.State, w.cfg.Logger)
	}
}

// drain finishes a soft stop: no more claims, in-flight jobs run to the end
// (or until the hard stop), their outcomes are written.
func (w *worker) drain(ctx context.Context, handlers *sync.WaitGroup, outcomes chan job.Outcome, completerDone <-chan struct{}) error {
	handlers.Wait()
	close(outcomes)
	select {
	case <-completerDone:
	case <-ctx.Done():
	}
	return nil
}

func (w *worker) heartbeat(ctx context.Context) {
	t := time.NewTicker(max(w.cfg.Lease/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ids := w.heldIDs()
			if len(ids) == 0 {
				continue
			}
			if _, err := w.cfg.Store.Heartbeat(ctx, w.boot, ids); err != nil && ctx.Err() == nil {
				w.cfg.Logger.Debug("heartbeat failed", "boot_id", w.boot.String(), "error", err.Error())
			}
		}
	}
}

// hold adds jobs handed to handlers to the jobs the heartbeat keeps
// leased.
func (w *worker) hold(claims []job.Claim) {
	w.heldMu.Lock()
	defer w.heldMu.Unlock()
	for _, c := range claims {
		w.held[c.ID] = c.Attempts
	}
}

// letGo takes the jobs of written (or abandoned) outcomes out of them,
// each unless it was handed over again since, for its next attempt.
func (w *worker) letGo(outcomes []job.Outcome) {
	w.heldMu.Lock()
	defer w.heldMu.Unlock()
	for _, o := range outcomes {
		if attempt, ok := w.held[o.ID]; ok && attempt == o.Attempts {
			delete(w.held, o.ID)
		}
	}
}

// heldIDs are the jobs the heartbeat keeps leased.
func (w *worker) heldIDs() []job.ID {
	w.heldMu.Lock()
	defer w.heldMu.Unlock()
	ids := make([]job.ID, 0, len(w.held))
	for id := range w.held {
		ids = append(ids, id)
	}
	return ids
}

// takeBackPredecessorJobs requeues the jobs a crashed predecessor owned. On
// a database error it stays pending and is retried on the next loop; if it
// never succeeds, the leases expire and the rescuer takes the jobs back.
func (w *worker) takeBackPredecessorJobs(ctx context.Context) {
	requeued, err := w.cfg.Store.RequeueOwnedBy(ctx, w.predecessor)
	if err != nil {
		if ctx.Err() == nil {
			w.noteDBError(err)
		}
		return
	}
	dead := w.predecessor
	w.predecessor = job.ID{}
	recordRecovery(w.cfg.State, w.cfg.Logger, SourcePredecessor, requeued, "dead_boot_id", dead.String())
}

func (w *worker) noteDBError(err error) {
	w.cfg.State.setError(err.Error())
	if !job.IsUnavailable(err) {
		w.cfg.Logger.Error("worker query failed", "error", err.Error())
		return
	}
	if w.dbDown.CompareAndSwap(false, true) {
		w.cfg.Logger.Error("database unavailable", "error", err.Error())
		select {
		case w.outageStarted <- struct{}{}:
		default:
		}
	}
}

func (w *worker) noteDBOK() {
	if w.dbDown.CompareAndSwap(true, false) {
		w.cfg.Logger.Info("database available")
	}
}

func retryDelay(attempt int) time.Duration {
	return min(10*time.Millisecond<<min(attempt, 7), time.Second)
}

// sleep waits d or until ctx ends; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
