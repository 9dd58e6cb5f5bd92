package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/prove"
)

// suite holds what the proofs share: the worker binary Setup built.
type suite struct{ worker string }

// reproduce is the command that runs one proof alone.
func reproduce(name string) string { return "make proofs-river RIVER_PROOFS=" + name }

func (s *suite) proofs() []prove.Proof {
	list := []prove.Proof{
		{
			Name:  "killed_worker_job_runs_again_at_defaults",
			Claim: "At River's defaults, a job held by a SIGKILLed worker runs again, exactly once, on the surviving worker within 90 s.",
			Run:   s.killedWorkerJobRunsAgain(nil, 90*time.Second),
		},
		{
			Name:  "killed_worker_job_runs_again_with_rescue_knob",
			Claim: "With RescueStuckJobsAfter=5s (and JobTimeout=5s), a job held by a SIGKILLed worker runs again, exactly once, on the surviving worker within 90 s.",
			Run:   s.killedWorkerJobRunsAgain(map[string]string{"RESCUE_STUCK_JOBS_AFTER": "5s", "JOB_TIMEOUT": "5s"}, 90*time.Second),
		},
		{
			Name:  "two_clients_complete_each_job_once",
			Claim: "Two River clients in two processes complete 200 jobs between them, each job exactly once.",
			Run:   s.twoClientsCompleteEachJobOnce,
		},
		{
			Name:  "graceful_stop_finishes_or_hands_back",
			Claim: "SIGTERM (River's Stop) finishes the job in flight or hands it back; either way it completes exactly once and the process exits 0.",
			Run:   s.gracefulStopFinishesOrHandsBack,
		},
		{
			Name:  "frozen_worker_cannot_complete_after_rerun",
			Claim: "A worker frozen (SIGSTOP) past its job's timeout loses the job to another worker; woken (SIGCONT) after that worker re-ran it, it cannot complete it: the job takes effect once.",
			Run:   s.frozenWorkerCannotCompleteAfterRerun(nil),
		},
		{
			Name:  "late_complete_tx_is_refused",
			Claim: "river.JobCompleteTx refuses to complete a job that another worker has re-run and completed, even when the late worker's transaction is not bound to the job's timeout: the job takes effect once.",
			Run:   s.frozenWorkerCannotCompleteAfterRerun(map[string]string{"COMPLETE_DETACHED": "1"}),
		},
	}
	for i := range list {
		list[i].Reproduce = reproduce(list[i].Name)
	}
	return list
}

// env is a worker's complete environment.
func (s *suite) env(t *prove.T, extra map[string]string) []string {
	env := []string{"DATABASE_URL=" + t.DatabaseURL}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

func (s *suite) migrate(t *prove.T) {
	t.Step("migrate River's schema and the effects table")
	res := t.Run("migrate", prove.Command{Path: s.worker, Args: []string{"migrate"}, Env: s.env(t, nil)}, time.Minute)
	t.Require("river-worker migrate succeeds", "exit 0", fmt.Sprintf("exit %d", res.ExitCode), res.ExitCode == 0)
}

// insert inserts n jobs that sleep sleepMS each and returns their ids.
func (s *suite) insert(t *prove.T, n, sleepMS int) []int64 {
	t.Step("insert jobs", "%d job(s) sleeping %d ms", n, sleepMS)
	res := t.Run("insert", prove.Command{Path: s.worker, Args: []string{"insert", strconv.Itoa(n), strconv.Itoa(sleepMS)}, Env: s.env(t, nil)}, time.Minute)
	var ids []int64
	for _, f := range strings.Fields(res.Stdout) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	t.Require("the jobs are inserted", fmt.Sprintf("exit 0 and %d ids", n), fmt.Sprintf("exit %d, %d ids", res.ExitCode, len(ids)), res.ExitCode == 0 && len(ids) == n)
	return ids
}

// start starts one River client process; its /health is sampled.
func (s *suite) start(t *prove.T, id string, knobs map[string]string) *prove.Process {
	port := t.FreePort()
	env := map[string]string{"WORKER_ID": id, "PORT": strconv.Itoa(port)}
	for k, v := range knobs {
		env[k] = v
	}
	t.Step("start worker "+id, "%v", knobs)
	p := t.Start(prove.Command{Name: id, Path: s.worker, Args: []string{"work"}, Env: s.env(t, env), HealthURL: fmt.Sprintf("http://127.0.0.1:%d/health", port)})
	t.RequireEventually("worker "+id+" answers /health", "HTTP 200", 30*time.Second, func() (bool, string) {
		if exited, code := p.Exited(); exited {
			return false, fmt.Sprintf("exited with status %d", code)
		}
		sm, ok := p.Latest()
		if !ok {
			return false, "no sample yet"
		}
		return sm.Status == 200, fmt.Sprintf("status %d %s", sm.Status, sm.Err)
	})
	return p
}

// jobRow is one river_job row, as the proofs read it.
type jobRow struct {
	ID          int64    `json:"id"`
	State       string   `json:"state"`
	Attempt     int      `json:"attempt"`
	AttemptedBy []string `json:"attempted_by"`
	Errors      []string `json:"errors"`
}

func (j jobRow) String() string {
	return fmt.Sprintf("state=%s attempt=%d attempted_by=%v", j.State, j.Attempt, j.AttemptedBy)
}

func job(t *prove.T, id int64) jobRow {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var j jobRow
	err := t.DB().QueryRow(ctx, `SELECT id, state::text, attempt, coalesce(attempted_by, '{}'), coalesce(errors::text[], '{}') FROM river_job WHERE id = $1`, id).
		Scan(&j.ID, &j.State, &j.Attempt, &j.AttemptedBy, &j.Errors)
	if err != nil {
		t.Fatal("read river_job %d: %v", id, err)
	}
	return j
}

// effect is one row of job_effects: one execution that took effect.
type effect struct {
	JobID   int64  `json:"job_id"`
	Attempt int    `json:"attempt"`
	Worker  string `json:"worker"`
}

func effects(t *prove.T, id int64) []effect {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	rows, err := t.DB().Query(ctx, `SELECT job_id, attempt, worker FROM job_effects WHERE job_id = $1 ORDER BY recorded_at`, id)
	if err != nil {
		t.Fatal("read job_effects: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[effect])
	if err != nil {
		t.Fatal("read job_effects: %v", err)
	}
	return out
}

// waitRunning requires job id to be running on worker within a minute.
func waitRunning(t *prove.T, id int64, worker string) {
	t.RequireEventually(fmt.Sprintf("job %d is running on %s", id, worker), "state=running attempted_by ends with "+worker, time.Minute, func() (bool, string) {
		j := job(t, id)
		return j.State == "running" && len(j.AttemptedBy) > 0 && j.AttemptedBy[len(j.AttemptedBy)-1] == worker, j.String()
	})
}

// waitCompleted waits up to limit for job id to complete and returns how
// long it took and whether it did.
func waitCompleted(t *prove.T, name string, id int64, limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	ok := t.Eventually(name, "state=completed within "+limit.String(), limit, func() (bool, string) {
		j := job(t, id)
		return j.State == "completed", fmt.Sprintf("%s after %s", j, time.Since(start).Round(100*time.Millisecond))
	})
	return time.Since(start), ok
}

// onceBy checks that job id took effect exactly once, and records the rows.
func onceBy(t *prove.T, id int64) []effect {
	got := effects(t, id)
	t.Rows(fmt.Sprintf("job_effects of job %d", id), got)
	t.Rows(fmt.Sprintf("river_job %d", id), job(t, id))
	prove.Equal(t, fmt.Sprintf("job %d took effect exactly once", id), 1, len(got))
	return got
}

func (s *suite) killedWorkerJobRunsAgain(knobs map[string]string, limit time.Duration) func(*prove.T) {
	return func(t *prove.T) {
		s.migrate(t)
		a := s.start(t, "a", knobs)
		id := s.insert(t, 1, 3000)[0]
		waitRunning(t, id, "a")
		t.Step("SIGKILL worker a while it holds the job")
		a.Kill()
		killed := time.Now()
		s.start(t, "b", knobs)
		took, ok := waitCompleted(t, "the job runs again and completes", id, limit)
		t.Note("time from SIGKILL to completion", map[string]any{"completed": ok, "ms": took.Milliseconds(), "since_kill_ms": time.Since(killed).Milliseconds(), "knobs": knobs})
		if !ok {
			// Say why in the evidence: River rescues a running job only
			// after RescueStuckJobsAfter (1 h unless set) and only on its
			// leader's rescuer pass (every 30 s).
			t.Note("the job is still held by the dead worker", map[string]any{"row": job(t, id), "rescue_stuck_jobs_after": knobs["RESCUE_STUCK_JOBS_AFTER"]})
		}
		got := onceBy(t, id)
		if len(got) == 1 {
			prove.Equal(t, "the worker that survived ran it", "b", got[0].Worker)
		}
	}
}

func (s *suite) twoClientsCompleteEachJobOnce(t *prove.T) {
	const n = 200
	s.migrate(t)
	s.start(t, "a", nil)
	s.start(t, "b", nil)
	s.insert(t, n, 10)
	ctx := t.Context()
	t.RequireEventually("every job completes", fmt.Sprintf("%d completed", n), 2*time.Minute, func() (bool, string) {
		var done int
		if err := t.DB().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&done); err != nil {
			return false, err.Error()
		}
		return done == n, fmt.Sprintf("%d completed", done)
	})
	var total, notOnce int
	if err := t.DB().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE c <> 1) FROM (SELECT j.id, count(e.job_id) AS c FROM river_job j LEFT JOIN job_effects e ON e.job_id = j.id GROUP BY j.id) x`).Scan(&total, &notOnce); err != nil {
		t.Fatal("count effects: %v", err)
	}
	prove.Equal(t, "jobs", n, total)
	prove.Equal(t, "jobs that did not take effect exactly once", 0, notOnce)
	byWorker := map[string]int{}
	rows, err := t.DB().Query(ctx, `SELECT worker, count(*) FROM job_effects GROUP BY worker ORDER BY worker`)
	if err != nil {
		t.Fatal("effects by worker: %v", err)
	}
	for rows.Next() {
		var w string
		var c int
		if err := rows.Scan(&w, &c); err != nil {
			t.Fatal("effects by worker: %v", err)
		}
		byWorker[w] = c
	}
	t.Rows("effects by worker", byWorker)
}

func (s *suite) gracefulStopFinishesOrHandsBack(t *prove.T) {
	s.migrate(t)
	a := s.start(t, "a", map[string]string{"STOP_GRACE": "10s"})
	id := s.insert(t, 1, 3000)[0]
	waitRunning(t, id, "a")
	t.Step("SIGTERM worker a while it holds the job")
	sent := time.Now()
	if err := a.Signal(syscall.SIGTERM); err != nil {
		t.Fatal("SIGTERM a: %v", err)
	}
	var code int
	select {
	case <-a.Done():
		_, code = a.Exited()
	case <-time.After(20 * time.Second):
		code = a.Terminate(time.Second)
		t.Check("a exits after SIGTERM", "exit within 20 s", "still running after 20 s", false)
	case <-t.Context().Done():
		t.Fatal("interrupted")
	}
	prove.Equal(t, "a's exit status", 0, code)
	t.Note("shutdown took", map[string]int64{"ms": time.Since(sent).Milliseconds()})
	after := job(t, id)
	t.Check("the job in flight was finished or handed back", "state completed, available, retryable or scheduled", after.String(),
		after.State == "completed" || after.State == "available" || after.State == "retryable" || after.State == "scheduled")
	if after.State != "completed" {
		s.start(t, "b", nil)
		waitCompleted(t, "the handed-back job completes on b", id, time.Minute)
	}
	onceBy(t, id)
}

// frozenWorkerCannotCompleteAfterRerun freezes worker a (started with
// aKnobs besides the timeout knobs) while it holds a job, lets b re-run it,
// then wakes a.
func (s *suite) frozenWorkerCannotCompleteAfterRerun(aKnobs map[string]string) func(*prove.T) {
	return func(t *prove.T) { s.frozenThenLate(t, aKnobs) }
}

func (s *suite) frozenThenLate(t *prove.T, aKnobs map[string]string) {
	knobs := map[string]string{"JOB_TIMEOUT": "2s", "RESCUE_STUCK_JOBS_AFTER": "3s"}
	s.migrate(t)
	withA := map[string]string{}
	for k, v := range knobs {
		withA[k] = v
	}
	for k, v := range aKnobs {
		withA[k] = v
	}
	a := s.start(t, "a", withA)
	id := s.insert(t, 1, 1500)[0]
	waitRunning(t, id, "a")
	t.Step("SIGSTOP worker a while it holds the job")
	a.Stop()
	t.Cleanup(a.Cont)
	s.start(t, "b", knobs)
	took, ok := waitCompleted(t, "b re-runs the job and completes it", id, 2*time.Minute)
	t.Note("time from SIGSTOP to b's completion", map[string]any{"completed": ok, "ms": took.Milliseconds()})
	t.Step("SIGCONT worker a: its late completion")
	a.Cont()
	t.Eventually("a tries to finish the job it held", "a logs job completed or job completion refused", 30*time.Second, func() (bool, string) {
		for _, l := range a.Lines() {
			if strings.Contains(l, `"job completion refused"`) || strings.Contains(l, `"job completed"`) {
				return true, l
			}
		}
		return false, "nothing logged yet"
	})
	got := onceBy(t, id)
	if len(got) == 1 {
		prove.Equal(t, "the effect is b's", "b", got[0].Worker)
	}
}
