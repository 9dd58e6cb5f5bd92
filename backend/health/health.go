// Package health builds the /health report from the database check and the
// worker's state. The JSON shape is a public contract (DESIGN.md): unset
// strings are null, never "", and counters are per process.
package health

import (
	"time"

	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/worker"
)

// Overall statuses.
const (
	StatusOK       = "ok"
	StatusDegraded = "degraded"
	StatusError    = "error"
)

// Worker liveness values.
const (
	LivenessHealthy    = "healthy"
	LivenessRecovering = "recovering"
	LivenessStale      = "stale"
	LivenessFailed     = "failed"
)

// Report is the /health document.
type Report struct {
	Status string `json:"status"`
	DB     DB     `json:"db"`
	Worker Worker `json:"worker"`
}

// DB is the database part of the report.
type DB struct {
	Status string  `json:"status"`
	Error  *string `json:"error"`
}

// Worker is the worker part of the report.
type Worker struct {
	Status            string    `json:"status"`
	Liveness          string    `json:"liveness"`
	PollMS            int64     `json:"poll_ms"`
	TickAgeMS         *int64    `json:"tick_age_ms"`
	BootID            *job.ID   `json:"boot_id"`
	StartedAt         *job.Time `json:"started_at"`
	LastTickAt        *job.Time `json:"last_tick_at"`
	RestartCount      int       `json:"restart_count"`
	LastExitReason    *string   `json:"last_exit_reason"`
	LastJobID         *job.ID   `json:"last_job_id"`
	LastError         *string   `json:"last_error"`
	ProcessedJobs     int64     `json:"processed_jobs"`
	FailedJobs        int64     `json:"failed_jobs"`
	RecoveredJobs     int64     `json:"recovered_jobs"`
	LastRecoveryAt    *job.Time `json:"last_recovery_at"`
	LastRecoveryJobID *job.ID   `json:"last_recovery_job_id"`
	LastRecoveryCount int       `json:"last_recovery_count"`
	RecoveryActive    bool      `json:"recovery_active"`
	// The last retention sweep this process ran (null before the first)
	// and how many finished jobs it deleted; cleaned_jobs adds them up.
	// They report; they never change status or liveness.
	LastCleanupAt    *job.Time `json:"last_cleanup_at"`
	LastCleanupCount int       `json:"last_cleanup_count"`
	CleanedJobs      int64     `json:"cleaned_jobs"`
}

// StaleAfter is how long a worker may go without a loop tick before it is
// reported stale. An idle worker ticks at least once per poll interval.
func StaleAfter(poll time.Duration) time.Duration {
	return max(3*poll, 5*time.Second)
}

// Build assembles the report. dbErr is the result of a database check made
// for this request; now is the time of the request.
func Build(snap worker.Snapshot, dbErr error, now time.Time) Report {
	r := Report{DB: DB{Status: StatusOK}}
	if dbErr != nil {
		msg := dbErr.Error()
		r.DB = DB{Status: StatusError, Error: &msg}
	}

	w := Worker{
		Status:            string(snap.Status),
		PollMS:            snap.PollInterval.Milliseconds(),
		RestartCount:      snap.RestartCount,
		LastExitReason:    snap.LastExitReason,
		LastJobID:         snap.LastJobID,
		LastError:         snap.LastError,
		ProcessedJobs:     snap.ProcessedJobs,
		FailedJobs:        snap.FailedJobs,
		RecoveredJobs:     snap.RecoveredJobs,
		LastRecoveryJobID: snap.LastRecoveryJobID,
		LastRecoveryCount: snap.LastRecoveryCount,
		RecoveryActive:    snap.RecoveryActive,
		LastCleanupCount:  snap.LastCleanupCount,
		CleanedJobs:       snap.CleanedJobs,
	}
	if !snap.BootID.IsZero() {
		boot := snap.BootID
		w.BootID = &boot
		w.StartedAt = &job.Time{Time: snap.StartedAt}
		w.LastTickAt = &job.Time{Time: snap.LastTickAt}
		age := max(now.Sub(snap.LastTickAt).Milliseconds(), 0)
		w.TickAgeMS = &age
	}
	if snap.LastRecoveryAt != nil {
		w.LastRecoveryAt = &job.Time{Time: *snap.LastRecoveryAt}
	}
	if snap.LastCleanupAt != nil {
		w.LastCleanupAt = &job.Time{Time: *snap.LastCleanupAt}
	}

	running := snap.Status == worker.StatusRunning
	switch {
	case snap.Status == worker.StatusFailed:
		w.Liveness = LivenessFailed
	case snap.RecoveryActive:
		w.Liveness = LivenessRecovering
	case running && w.TickAgeMS != nil && time.Duration(*w.TickAgeMS)*time.Millisecond > StaleAfter(snap.PollInterval):
		w.Liveness = LivenessStale
	case snap.Status == worker.StatusStopped:
		w.Liveness = LivenessStale
	default:
		w.Liveness = LivenessHealthy
	}
	r.Worker = w

	switch {
	case dbErr != nil || w.Liveness == LivenessFailed:
		r.Status = StatusError
	case w.Liveness != LivenessHealthy || snap.Status == worker.StatusRestarting:
		r.Status = StatusDegraded
	default:
		r.Status = StatusOK
	}
	return r
}
