package health

import (
	"errors"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/worker"
)

func TestBuildStatusAndLiveness(t *testing.T) {
	now := time.Now()
	running := worker.Snapshot{Status: worker.StatusRunning, PollInterval: time.Second, BootID: job.NewID(), StartedAt: now, LastTickAt: now}
	with := func(f func(*worker.Snapshot)) worker.Snapshot {
		s := running
		f(&s)
		return s
	}
	tests := []struct {
		name             string
		snap             worker.Snapshot
		dbErr            error
		status, liveness string
	}{
		{"all well", running, nil, StatusOK, LivenessHealthy},
		{"database down", running, errors.New("down"), StatusError, LivenessHealthy},
		{"recovery window", with(func(s *worker.Snapshot) { s.RecoveryActive = true }), nil, StatusDegraded, LivenessRecovering},
		{"stale loop", with(func(s *worker.Snapshot) { s.LastTickAt = now.Add(-time.Minute) }), nil, StatusDegraded, LivenessStale},
		{"restarting", with(func(s *worker.Snapshot) { s.Status = worker.StatusRestarting }), nil, StatusDegraded, LivenessHealthy},
		{"failed worker", with(func(s *worker.Snapshot) { s.Status = worker.StatusFailed }), nil, StatusError, LivenessFailed},
		{"a cleanup changes no status", with(func(s *worker.Snapshot) { at := now; s.LastCleanupAt = &at; s.LastCleanupCount = 7; s.CleanedJobs = 9 }), nil, StatusOK, LivenessHealthy},
		{"failed beats recovering", with(func(s *worker.Snapshot) { s.Status = worker.StatusFailed; s.RecoveryActive = true }), nil, StatusError, LivenessFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(tt.snap, tt.dbErr, now)
			if r.Status != tt.status || r.Worker.Liveness != tt.liveness {
				t.Fatalf("status=%s liveness=%s, want %s %s", r.Status, r.Worker.Liveness, tt.status, tt.liveness)
			}
			if (tt.dbErr != nil) != (r.DB.Error != nil) || (tt.dbErr != nil) != (r.DB.Status == StatusError) {
				t.Fatalf("db part %+v for error %v", r.DB, tt.dbErr)
			}
		})
	}
}

func TestBuildBeforeTheWorkerStartsHasNulls(t *testing.T) {
	r := Build(worker.NewState(time.Second).Snapshot(), nil, time.Now())
	w := r.Worker
	if w.BootID != nil || w.StartedAt != nil || w.LastTickAt != nil || w.TickAgeMS != nil || w.LastExitReason != nil || w.LastCleanupAt != nil {
		t.Fatalf("unset fields not null: %+v", w)
	}
	if w.PollMS != 1000 || w.Status != "starting" {
		t.Fatalf("worker %+v", w)
	}
}
