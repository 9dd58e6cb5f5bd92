package site

import (
	"encoding/json"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// healthBody is the /health JSON (DESIGN.md). Every field is a pointer: a
// field that is missing or null is shown as such, never as a zero value.
type healthBody struct {
	Status *string `json:"status"`
	DB     *struct {
		Status *string `json:"status"`
		Error  *string `json:"error"`
	} `json:"db"`
	Worker *workerHealth `json:"worker"`
}

type workerHealth struct {
	Status            *string `json:"status"`
	Liveness          *string `json:"liveness"`
	PollMS            *int64  `json:"poll_ms"`
	TickAgeMS         *int64  `json:"tick_age_ms"`
	BootID            *string `json:"boot_id"`
	StartedAt         *string `json:"started_at"`
	LastTickAt        *string `json:"last_tick_at"`
	RestartCount      *int64  `json:"restart_count"`
	LastExitReason    *string `json:"last_exit_reason"`
	LastJobID         *string `json:"last_job_id"`
	LastError         *string `json:"last_error"`
	ProcessedJobs     *int64  `json:"processed_jobs"`
	FailedJobs        *int64  `json:"failed_jobs"`
	RecoveredJobs     *int64  `json:"recovered_jobs"`
	LastRecoveryAt    *string `json:"last_recovery_at"`
	LastRecoveryJobID *string `json:"last_recovery_job_id"`
	LastRecoveryCount *int64  `json:"last_recovery_count"`
	RecoveryActive    *bool   `json:"recovery_active"`
}

// healthPoint is one sample, interpreted.
type healthPoint struct {
	At       time.Time
	Instance string
	HTTP     int
	// Status is ok | degraded | error from the body, "down" when the request
	// failed, "unknown" when the body could not be read.
	Status string
	// Liveness is the worker's liveness, "" when there is none.
	Liveness string
	Error    string // transport error or db error
	Worker   *workerHealth
}

// Known values get their own colour; anything else is drawn as unknown.
var (
	knownStatus   = map[string]bool{"ok": true, "degraded": true, "error": true, "down": true}
	knownLiveness = map[string]bool{"healthy": true, "recovering": true, "stale": true, "failed": true}
)

func interpretHealth(s report.HealthSample) healthPoint {
	p := healthPoint{At: s.At, Instance: s.Instance, HTTP: s.HTTPStatus, Error: s.Error}
	if p.Instance == "" {
		p.Instance = "backend"
	}
	if s.HTTPStatus == 0 || len(s.Body) == 0 {
		p.Status = "down"
		if p.Error == "" {
			p.Error = "no response"
		}
		return p
	}
	var body healthBody
	if err := json.Unmarshal(s.Body, &body); err != nil || body.Status == nil {
		p.Status = "unknown"
		if p.Error == "" {
			p.Error = "body is not /health JSON"
		}
		return p
	}
	p.Status = *body.Status
	if body.DB != nil && body.DB.Error != nil && p.Error == "" {
		p.Error = "db: " + *body.DB.Error
	}
	if body.Worker != nil {
		p.Worker = body.Worker
		if body.Worker.Liveness != nil {
			p.Liveness = *body.Worker.Liveness
		}
	}
	return p
}

func deref[T any](p *T) (T, bool) {
	if p == nil {
		var zero T
		return zero, false
	}
	return *p, true
}
