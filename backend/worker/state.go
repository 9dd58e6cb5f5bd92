package worker

import (
	"slices"
	"sync"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// Status is what the supervisor is doing with its worker.
type Status string

const (
	StatusStarting   Status = "starting"
	StatusRunning    Status = "running"
	StatusRestarting Status = "restarting"
	StatusStopped    Status = "stopped"
	// StatusFailed: the worker crashed too often in a row and the
	// supervisor stopped restarting it.
	StatusFailed Status = "failed"
)

// Recovery sources, as logged in "jobs recovered".
const (
	SourcePredecessor  = "predecessor"
	SourceLeaseExpired = "lease_expired"
)

// Snapshot is a consistent copy of the worker's state for /health. Pointer
// fields are nil when unset.
type Snapshot struct {
	Status            Status
	PollInterval      time.Duration
	BootID            job.ID
	StartedAt         time.Time
	LastTickAt        time.Time
	RestartCount      int
	LastExitReason    *string
	LastJobID         *job.ID
	LastError         *string
	ProcessedJobs     int64
	FailedJobs        int64
	RecoveredJobs     int64
	LastRecoveryAt    *time.Time
	LastRecoveryJobID *job.ID
	LastRecoveryCount int
	RecoveryActive    bool
	// LastCleanupAt is when this process last ran a retention sweep, and
	// LastCleanupCount how many finished jobs it deleted; CleanedJobs adds
	// up every sweep's.
	LastCleanupAt    *time.Time
	LastCleanupCount int
	CleanedJobs      int64
}

// State is the shared record of what the supervisor, its workers and the
// rescuer have done in this process. All methods are safe for concurrent use.
type State struct {
	mu sync.Mutex
	s  Snapshot
	// outstanding holds the jobs requeued by recovery events that have not
	// finished yet; the recovery window is open while it is non-empty.
	outstanding map[job.ID]struct{}
}

// NewState returns the state of a process that has not started a worker yet.
func NewState(poll time.Duration) *State {
	return &State{s: Snapshot{Status: StatusStarting, PollInterval: poll}, outstanding: map[job.ID]struct{}{}}
}

// Snapshot returns a copy of the current state.
func (st *State) Snapshot() Snapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.s
}

func (st *State) workerStarted(boot job.ID, at time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Status = StatusRunning
	st.s.BootID = boot
	st.s.StartedAt = at
	st.s.LastTickAt = at
}

func (st *State) workerExited(reason string, restarting bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.LastExitReason = &reason
	if restarting {
		st.s.Status = StatusRestarting
		st.s.RestartCount++
	}
}

func (st *State) setStatus(s Status) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.Status = s
}

func (st *State) tick(at time.Time) {
	st.mu.Lock()
	st.s.LastTickAt = at
	st.mu.Unlock()
}

func (st *State) claimed(id job.ID) {
	st.mu.Lock()
	st.s.LastJobID = &id
	st.mu.Unlock()
}

func (st *State) setError(msg string) {
	st.mu.Lock()
	st.s.LastError = &msg
	st.mu.Unlock()
}

func (st *State) completed(processed, failed int) {
	st.mu.Lock()
	st.s.ProcessedJobs += int64(processed)
	st.s.FailedJobs += int64(failed)
	st.mu.Unlock()
}

// cleaned records a retention sweep.
func (st *State) cleaned(at time.Time, rows int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.LastCleanupAt = &at
	st.s.LastCleanupCount = rows
	st.s.CleanedJobs += int64(rows)
}

// recovered records a recovery event and opens (or widens) the recovery
// window. ids must not be empty.
func (st *State) recovered(ids []job.ID, at time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.s.RecoveredJobs += int64(len(ids))
	st.s.LastRecoveryAt = &at
	first := ids[0]
	st.s.LastRecoveryJobID = &first
	st.s.LastRecoveryCount = len(ids)
	for _, id := range ids {
		st.outstanding[id] = struct{}{}
	}
	st.s.RecoveryActive = true
}

// outstandingJobs lists the jobs keeping the recovery window open.
func (st *State) outstandingJobs() []job.ID {
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := make([]job.ID, 0, len(st.outstanding))
	for id := range st.outstanding {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b job.ID) int { return slices.Compare(a[:], b[:]) })
	return ids
}

// closeWindowIf closes the recovery window when none of checked is still
// unfinished and no newer event added jobs meanwhile. It reports whether it
// closed the window.
func (st *State) closeWindowIf(checked []job.ID, unfinished int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if unfinished > 0 || len(st.outstanding) != len(checked) || !st.s.RecoveryActive {
		return false
	}
	clear(st.outstanding)
	st.s.RecoveryActive = false
	return true
}
