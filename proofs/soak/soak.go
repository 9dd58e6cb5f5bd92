// Package soak is the chaos soak of the reference backend: a client posts
// thousands of jobs, some carrying crash, hold and fail faults, to two or
// three backend instances that share one Postgres through a cuttable TCP
// proxy, while a seeded schedule SIGKILLs and replaces instances, restarts
// them gracefully with SIGTERM, cuts the database away for 1-3 s, pauses an
// instance with SIGSTOP past its lease and posts worker-crashing jobs. At
// the end it checks, with a deadline, that every accepted job exists and is
// processed, that each took effect exactly once (one job_effects row,
// written by the statement that completed it), that every job the handler
// ran more than once (job_executions, written in its own transaction before
// the completion) is explained by a fault on the instance that ran it
// first, that attempts stayed bounded, that no request got a 500 and that
// every instance reports ok again. The same seed replays the same schedule; the timing of
// the operating system does not replay.
package soak

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
	"github.com/prodproof/prodproof/proofs/harness"
	"github.com/prodproof/prodproof/proofs/load"
)

// Backend settings of the soak's instances.
const (
	// MaxAttempts leaves fail-once and crash-once jobs, and jobs whose
	// instance was killed a few times, attempts to spare.
	MaxAttempts = 20
	// leaseMS is short so a killed instance's jobs are rescued quickly.
	leaseMS         = 2000
	pollMS          = 200
	shutdownGraceMS = 3000
)

// Sampling periods.
const (
	healthEvery   = 250 * time.Millisecond
	resourceEvery = time.Second
	progressEvery = 5 * time.Second
	// stopGrace bounds a graceful stop before the harness SIGKILLs.
	stopGrace = 15 * time.Second
)

// Options configures Run.
type Options struct {
	// Binary is the built reference-backend.
	Binary string
	// DatabaseURL is the soak's database, reached directly; the instances
	// reach it through the proxy. Its schema must be empty or current.
	DatabaseURL string
	// Dir is a scratch folder for the instances.
	Dir       string
	Jobs      int
	Seed      int64
	Instances int
	// Rate is jobs posted per second.
	Rate int
	// Settle bounds the wait, after the chaos, for every job to finish and
	// every instance to report ok.
	Settle time.Duration
	// Redactor learns the proxied URL; Run's text passes through it.
	Redactor *evidence.Redactor
	// Logf receives progress lines. Optional.
	Logf func(format string, args ...any)
}

// Result is a finished soak: its report, event stream and instance logs
// (not yet redacted; Write redacts).
type Result struct {
	Report *report.SoakReport
	Events []report.SoakEvent
	Log    string
}

// Run runs one soak. An error means the harness could not run it (verdict
// error); a product failure is a report whose verdict is fail. The result
// is never nil, so a broken run still leaves its evidence.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Redactor == nil {
		opts.Redactor = &evidence.Redactor{}
	}
	s := &soak{opts: opts, rep: newReport(opts), began: time.Now()}
	err := s.run(ctx)
	s.group.KillAll()
	if s.fleet != nil {
		s.fillReport()
	}
	s.rep.FinishedAt = time.Now().UTC()
	s.rep.Durations.TotalMS = time.Since(s.began).Milliseconds()
	s.mu.Lock()
	res := &Result{Report: s.rep, Events: slices.Clone(s.events), Log: s.log.String()}
	s.mu.Unlock()
	if err != nil {
		s.rep.Verdict, s.rep.Reason = report.Error, opts.Redactor.Redact(err.Error())
		return res, err
	}
	s.rep.Verdict = report.Pass
	if !Passed(s.rep.Checks) {
		s.rep.Verdict = report.Fail
		for _, c := range s.rep.Checks {
			if !c.OK {
				s.rep.Reason = c.Name
				break
			}
		}
	}
	return res, nil
}

type soak struct {
	opts Options
	rep  *report.SoakReport
	// dbName is the soak database, for pg_stat_activity.
	dbName string
	began  time.Time
	group  harness.Group
	proxy  *harness.Proxy
	pool   *pgxpool.Pool
	fleet  *fleet
	cl     *client

	mu            sync.Mutex
	events        []report.SoakEvent
	log           strings.Builder
	startFailures []string
	termExits     []string // "a1: 0"
	badTermExits  []string

	crashPending atomic.Int64
	nextSeq      atomic.Int64
	postingDone  atomic.Bool
	faultCounts  sync.Map // kind -> *atomic.Int64

	// faults are the spans of the injected faults that can make a job run
	// again; instanceOf names each backend process id. Both under mu.
	faults     []Fault
	instanceOf map[int]string
}

func (s *soak) event(e report.SoakEvent) {
	e.At = time.Now().UTC()
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
}

func (s *soak) logLine(instance, line string) {
	s.mu.Lock()
	fmt.Fprintf(&s.log, "[%s] %s\n", instance, line)
	// A worker crash is injected by whichever instance claims the crash job;
	// its log says which.
	if strings.Contains(line, `"fault injected"`) && strings.Contains(line, FaultCrash) {
		now := time.Now()
		s.faults = append(s.faults, Fault{Kind: FaultCrash, Instance: instance, From: now, To: now})
	}
	s.mu.Unlock()
}

// started records a new instance: its event and its process id.
func (s *soak) started(inst *instance) {
	s.mu.Lock()
	if s.instanceOf == nil {
		s.instanceOf = map[int]string{}
	}
	s.instanceOf[inst.proc.PID()] = inst.Name
	s.mu.Unlock()
	s.event(report.SoakEvent{Type: "instance_started", Instance: inst.Name, Detail: fmt.Sprintf("pid %d", inst.proc.PID())})
}

func (s *soak) addFault(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

func (s *soak) countFault(kind string) {
	v, _ := s.faultCounts.LoadOrStore(kind, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (s *soak) run(ctx context.Context) error {
	o := s.opts
	u, err := url.Parse(o.DatabaseURL)
	if err != nil || u.Host == "" {
		return errors.New("the soak needs a postgres:// database URL with a host to put the proxy in front of")
	}
	s.dbName = strings.TrimPrefix(u.Path, "/")
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	s.proxy, err = harness.NewProxy(target)
	if err != nil {
		return err
	}
	defer s.proxy.Close()
	proxied := *u
	proxied.Host = s.proxy.Addr()
	o.Redactor.Add(proxied.String())

	poolCfg, err := pgxpool.ParseConfig(o.DatabaseURL)
	if err != nil {
		return errors.New("parse the soak database URL: malformed (value not shown)")
	}
	poolCfg.MaxConns = 4
	s.pool, err = pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return fmt.Errorf("open the soak database: %s", o.Redactor.Redact(err.Error()))
	}
	defer s.pool.Close()

	o.Logf("soak: migrate up")
	res, err := s.group.Run(ctx, harness.Spec{
		Name: "migrate", Path: o.Binary, Args: []string{"migrate", "up"}, Dir: o.Dir,
		Env:    []string{"DATABASE_URL=" + o.DatabaseURL},
		Output: func(_, line string) { s.logLine("migrate", line) },
	}, time.Minute)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("migrate up exited %d: %s", res.ExitCode, o.Redactor.Redact(strings.TrimSpace(res.Combined())))
	}

	env := map[string]string{
		"DATABASE_URL":       proxied.String(),
		"JOB_POLL_MS":        strconv.Itoa(pollMS),
		"JOB_LEASE_MS":       strconv.Itoa(leaseMS),
		"JOB_MAX_ATTEMPTS":   strconv.Itoa(MaxAttempts),
		"SHUTDOWN_GRACE_MS":  strconv.Itoa(shutdownGraceMS),
		"FAULT_INJECTION":    "1",
		"JOB_RECORD_EFFECTS": "1",
		// Every run of the handler leaves a row of its own, so a job run
		// twice is seen even when its second completion is refused.
		"JOB_RECORD_EXECUTIONS": "1",
		"LOG_LEVEL":             "info",
	}
	for k, v := range env {
		if k != "DATABASE_URL" {
			s.rep.Config.BackendEnv[k] = v
		}
	}
	s.fleet = newFleet(&s.group, o.Binary, o.Dir, env, o.Instances, s.logLine)
	for slot := range o.Instances {
		inst, err := s.fleet.start(ctx, slot)
		if err != nil {
			return fmt.Errorf("start instance %d: %s", slot+1, o.Redactor.Redact(err.Error()))
		}
		s.started(inst)
	}
	s.cl = newClient(s.fleet, s.event)

	bg, stopBG := context.WithCancel(ctx)
	var bgWG sync.WaitGroup
	bgWG.Add(3)
	go func() { defer bgWG.Done(); s.pollHealth(bg) }()
	go func() { defer bgWG.Done(); s.sampleResources(bg) }()
	go func() { defer bgWG.Done(); s.progress(bg) }()
	defer func() { stopBG(); bgWG.Wait() }()

	o.Logf("soak: seed %d: posting %d jobs at %d/s to %d instances under chaos", o.Seed, o.Jobs, o.Rate, o.Instances)
	s.event(report.SoakEvent{Type: "phase", Detail: "posting and chaos"})
	postStart := time.Now()
	chaosDone := make(chan struct{})
	go func() { defer close(chaosDone); s.chaos(ctx) }()
	s.postAll(ctx)
	s.rep.Durations.PostMS = time.Since(postStart).Milliseconds()
	<-chaosDone
	s.rep.Durations.ChaosMS = time.Since(postStart).Milliseconds()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	// Nothing of the chaos may linger into the settle phase.
	if err := s.proxy.Restore(); err != nil {
		return err
	}
	for slot := range o.Instances {
		if !s.fleet.occupied(slot) {
			s.replace(ctx, slot)
		}
	}

	s.event(report.SoakEvent{Type: "phase", Detail: "settle"})
	o.Logf("soak: chaos over; waiting up to %s for every job to finish", o.Settle)
	settleStart := time.Now()
	settleDeadline := settleStart.Add(o.Settle)
	unfinished := s.waitJobsFinished(ctx, settleDeadline)
	healthByInstance := s.waitHealthOK(ctx, settleDeadline)
	s.rep.Durations.SettleMS = time.Since(settleStart).Milliseconds()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}

	jobs, err := ReadJobs(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("%s", o.Redactor.Redact(err.Error()))
	}
	stats, acks := s.cl.snapshot()
	tally, checks := Evaluate(jobs, acks, MaxAttempts)
	s.mu.Lock()
	faults, instanceOf := slices.Clone(s.faults), maps.Clone(s.instanceOf)
	s.mu.Unlock()
	var execCheck report.SoakCheck
	tally.Reexecuted, tally.ReexecutedUnexplained, execCheck = EvaluateExecutions(jobs, faults, instanceOf)
	checks = append(checks, execCheck)
	s.rep.Client, s.rep.Tally, s.rep.Jobs = stats, tally, len(jobs)
	s.rep.Accepted = len(acks)
	if unfinished != "" {
		s.event(report.SoakEvent{Type: "settle_timeout", Detail: unfinished})
	}

	checks = append(checks,
		report.SoakCheck{Name: "every job the client posted was accepted", Expected: fmt.Sprintf("%d accepted, 0 given up", s.nextSeq.Load()),
			Observed: fmt.Sprintf("%d accepted, %d given up", len(acks), stats.GaveUp), OK: int64(len(acks)) == s.nextSeq.Load() && stats.GaveUp == 0},
		report.SoakCheck{Name: "no HTTP 500 (5xx other than 503)", Expected: "0", Observed: fmt.Sprintf("%d (503s, retried: %d)", stats.Status5xx, stats.Status503), OK: stats.Status5xx == 0},
		report.SoakCheck{Name: "no valid job rejected with a 4xx", Expected: "0", Observed: strconv.Itoa(stats.Rejected), OK: stats.Rejected == 0},
	)
	var notOK []string
	for _, name := range sortedKeys(healthByInstance) {
		if h := healthByInstance[name]; !strings.HasPrefix(h, "200 ok ") {
			notOK = append(notOK, name+": "+h)
		}
	}
	checks = append(checks, report.SoakCheck{Name: "every instance's /health is back to ok", Expected: fmt.Sprintf("%d instances with 200 ok", o.Instances),
		Observed: describeHealth(healthByInstance, notOK), OK: len(notOK) == 0 && len(healthByInstance) == o.Instances})
	s.mu.Lock()
	startFailures, termExits, badTerm := slices.Clone(s.startFailures), slices.Clone(s.termExits), slices.Clone(s.badTermExits)
	s.mu.Unlock()
	checks = append(checks,
		none("every replacement instance started", "failed starts", startFailures),
		report.SoakCheck{Name: "every SIGTERM ends in a clean exit", Expected: "exit 0 for each", Observed: fmt.Sprintf("%d graceful stops %v", len(termExits), termExits), OK: len(badTerm) == 0},
	)
	s.rep.Checks = checks

	// Stop the fleet gracefully; the final exits are reported, not checked
	// (the SIGTERMs under load above are).
	for _, inst := range s.fleet.live() {
		s.fleet.take(inst.Slot)
		code := inst.proc.Terminate(stopGrace)
		s.event(report.SoakEvent{Type: "instance_stopped", Instance: inst.Name, Detail: fmt.Sprintf("exit %d", code)})
	}
	return nil
}

// postAll posts the client's jobs at the configured rate.
func (s *soak) postAll(ctx context.Context) {
	payloads, faults := Payloads(s.opts.Seed, s.opts.Jobs)
	seqs := make(chan int64)
	var wg sync.WaitGroup
	for range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range seqs {
				payload, fault := payloads[seq], faults[seq]
				if s.takeCrash() {
					payload, fault = crashPayload(seq), FaultCrash
				}
				if fault != "" {
					s.countFault("payload_" + fault)
				}
				s.cl.post(ctx, seq, payload)
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(s.opts.Rate))
	defer tick.Stop()
feed:
	for range s.opts.Jobs {
		seq := s.nextSeq.Add(1) - 1
		select {
		case <-ctx.Done():
			break feed
		case seqs <- seq:
		}
		select {
		case <-ctx.Done():
			break feed
		case <-tick.C:
		}
	}
	close(seqs)
	wg.Wait()
	s.postingDone.Store(true)
}

func (s *soak) takeCrash() bool {
	for {
		n := s.crashPending.Load()
		if n <= 0 {
			return false
		}
		if s.crashPending.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// chaos runs the seeded schedule until the posting is over and every kind
// of chaos has happened at least once.
func (s *soak) chaos(ctx context.Context) {
	sched := NewSchedule(s.opts.Seed, s.opts.Instances)
	done := map[string]bool{}
	finished := func() bool { return s.postingDone.Load() && len(done) == len(ChaosKinds) }
	for !finished() {
		a := sched.Next()
		select {
		case <-ctx.Done():
			return
		case <-time.After(a.Gap):
		}
		if finished() {
			return
		}
		s.act(ctx, a)
		done[a.Kind] = true
	}
}

func (s *soak) act(ctx context.Context, a Action) {
	if a.Kind != ChaosCrash {
		// A crash action is counted by the jobs it posts.
		s.countFault("chaos_" + a.Kind)
	}
	began := time.Now()
	e := report.SoakEvent{Type: "chaos", Kind: a.Kind}
	switch a.Kind {
	case ChaosKill:
		inst := s.fleet.take(a.Slot)
		if inst != nil {
			inst.proc.Kill()
			<-inst.proc.Done()
			e.Instance = inst.Name
			s.addFault(Fault{Kind: a.Kind, Instance: inst.Name, From: began, To: time.Now()})
		}
		e.Detail = "SIGKILL, replacement " + s.replace(ctx, a.Slot)
	case ChaosTerm:
		inst := s.fleet.take(a.Slot)
		if inst != nil {
			code := inst.proc.Terminate(stopGrace)
			e.Instance = inst.Name
			s.addFault(Fault{Kind: a.Kind, Instance: inst.Name, From: began, To: time.Now()})
			s.mu.Lock()
			s.termExits = append(s.termExits, fmt.Sprintf("%s: %d", inst.Name, code))
			if code != 0 {
				s.badTermExits = append(s.badTermExits, fmt.Sprintf("%s: exit %d", inst.Name, code))
			}
			s.mu.Unlock()
			e.Detail = fmt.Sprintf("SIGTERM, exit %d after %d ms, replacement ", code, time.Since(began).Milliseconds())
		} else {
			e.Detail = "slot empty, replacement "
		}
		e.Detail += s.replace(ctx, a.Slot)
	case ChaosCut:
		s.proxy.Cut()
		select {
		case <-ctx.Done():
		case <-time.After(a.Cut):
		}
		if err := s.proxy.Restore(); err != nil {
			e.Detail = "restore failed: " + err.Error()
		} else {
			e.Detail = fmt.Sprintf("database cut for %d ms", a.Cut.Milliseconds())
		}
		s.addFault(Fault{Kind: a.Kind, From: began, To: time.Now()})
	case ChaosPause:
		inst := s.fleet.get(a.Slot)
		if inst == nil {
			e.Detail = "slot empty"
			break
		}
		e.Instance = inst.Name
		inst.proc.Pause()
		select {
		case <-ctx.Done():
		case <-time.After(a.Cut):
		}
		inst.proc.Resume()
		s.addFault(Fault{Kind: a.Kind, Instance: inst.Name, From: began, To: time.Now()})
		e.Detail = fmt.Sprintf("SIGSTOP for %d ms (lease %d ms), then SIGCONT", a.Cut.Milliseconds(), leaseMS)
	case ChaosCrash:
		if s.postingDone.Load() {
			// The client is done: post the crash jobs directly.
			for range a.Count {
				seq := s.nextSeq.Add(1) - 1
				s.countFault("payload_" + FaultCrash)
				s.cl.post(ctx, seq, crashPayload(seq))
			}
		} else {
			s.crashPending.Add(int64(a.Count))
		}
		e.Detail = fmt.Sprintf("%d worker-crashing job(s)", a.Count)
	}
	e.DurationMS = time.Since(began).Milliseconds()
	s.event(e)
	s.opts.Logf("soak: chaos %s %s: %s", a.Kind, e.Instance, e.Detail)
}

// replace starts a new instance in slot and names it, or records why not.
func (s *soak) replace(ctx context.Context, slot int) string {
	inst, err := s.fleet.start(ctx, slot)
	if err != nil {
		msg := s.opts.Redactor.Redact(err.Error())
		s.mu.Lock()
		s.startFailures = append(s.startFailures, msg)
		s.mu.Unlock()
		return "failed: " + msg
	}
	s.started(inst)
	return inst.Name
}

// waitJobsFinished polls until no job is pending or processing, or the
// deadline. It returns "" or the last counts seen.
func (s *soak) waitJobsFinished(ctx context.Context, deadline time.Time) string {
	last := ""
	err := await.Poll(ctx, time.Until(deadline), 200*time.Millisecond, "every job finished", func() (bool, string, error) {
		var open int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE status IN ('pending', 'processing')`).Scan(&open); err != nil {
			last = "query failed: " + s.opts.Redactor.Redact(err.Error())
			return false, last, nil
		}
		last = fmt.Sprintf("%d jobs pending or processing", open)
		return open == 0, last, nil
	})
	if err == nil {
		return ""
	}
	return last
}

// waitHealthOK polls every live instance's /health until each says ok, or
// the deadline, and returns each one's last summary.
func (s *soak) waitHealthOK(ctx context.Context, deadline time.Time) map[string]string {
	last := map[string]string{}
	// The wait's own error adds nothing: last says what each instance said.
	_ = await.Poll(ctx, time.Until(deadline), 100*time.Millisecond, "every instance ok", func() (bool, string, error) {
		allOK := true
		for _, inst := range s.fleet.live() {
			h, err := s.fleet.readHealth(ctx, inst)
			if err != nil {
				last[inst.Name] = "no answer: " + err.Error()
				allOK = false
				continue
			}
			last[inst.Name] = h.summary()
			if h.HTTPStatus != 200 || h.Status != "ok" {
				allOK = false
			}
		}
		return allOK, "", nil
	})
	return last
}

func describeHealth(all map[string]string, notOK []string) string {
	if len(notOK) > 0 {
		return strings.Join(notOK, "; ")
	}
	var parts []string
	for _, name := range sortedKeys(all) {
		parts = append(parts, name+": "+all[name])
	}
	return strings.Join(parts, "; ")
}

// pollHealth samples every live instance's /health, records changes of
// status in the event stream and keeps latency figures.
func (s *soak) pollHealth(ctx context.Context) {
	lastSummary := map[string]string{}
	tick := time.NewTicker(healthEvery)
	defer tick.Stop()
	for {
		for _, inst := range s.fleet.live() {
			h, err := s.fleet.readHealth(ctx, inst)
			if ctx.Err() != nil {
				return
			}
			summary := ""
			if err != nil {
				summary = "no answer"
			} else {
				summary = fmt.Sprintf("%d %s db=%s worker=%s/%s", h.HTTPStatus, h.Status, h.DB.Status, h.Worker.Status, h.Worker.Liveness)
			}
			s.mu.Lock()
			st := healthStats(s.rep, inst.Name)
			st.Samples++
			if err == nil {
				st.MaxLatencyMS = max(st.MaxLatencyMS, h.LatencyMS)
				if h.LatencyMS > 50 {
					st.Over50MS++
				}
				st.ByStatus[h.Status]++
			} else {
				st.ByStatus["no_answer"]++
			}
			s.mu.Unlock()
			if summary != lastSummary[inst.Name] {
				lastSummary[inst.Name] = summary
				s.event(report.SoakEvent{Type: "health", Instance: inst.Name, Detail: summary})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sampleResources records each live instance's RSS, threads and fds, and
// the backends' database sessions, once a second.
func (s *soak) sampleResources(ctx context.Context) {
	tick := time.NewTicker(resourceEvery)
	defer tick.Stop()
	for {
		for _, inst := range s.fleet.live() {
			p, err := load.ReadProc(inst.proc.PID())
			if err != nil {
				continue // exited between live() and the read
			}
			s.mu.Lock()
			s.rep.Resources.Instances[inst.Name] = append(s.rep.Resources.Instances[inst.Name], p)
			s.mu.Unlock()
		}
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		n, err := load.BackendConnections(qctx, s.pool, s.dbName)
		cancel()
		if err == nil {
			s.mu.Lock()
			s.rep.Resources.DBConnections = append(s.rep.Resources.DBConnections, report.ConnSample{At: time.Now().UTC(), Count: n})
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *soak) progress(ctx context.Context) {
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		stats, _ := s.cl.snapshot()
		var processed int
		_ = s.pool.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE status = 'processed'`).Scan(&processed)
		s.opts.Logf("soak: %d/%d accepted, %d processed, %d 503s retried, %d unanswered requests retried",
			stats.Accepted, s.opts.Jobs, processed, stats.Status503, stats.TransportErrors)
	}
}

// fillReport copies the collected figures into the report.
func (s *soak) fillReport() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultCounts.Range(func(k, v any) bool {
		s.rep.Faults[k.(string)] = int(v.(*atomic.Int64).Load())
		s.rep.FaultsTotal += int(v.(*atomic.Int64).Load())
		return true
	})
	for _, e := range s.events {
		if e.Type == "chaos" {
			s.rep.Chaos = append(s.rep.Chaos, e)
		}
	}
	for _, inst := range s.fleet.started() {
		s.rep.InstancesStarted = append(s.rep.InstancesStarted, inst.Name)
	}
	summarize(&s.rep.Resources)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
