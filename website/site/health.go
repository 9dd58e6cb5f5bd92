package site

import (
	"time"

	"github.com/prodproof/prodproof/internal/healthdoc"
	"github.com/prodproof/prodproof/internal/report"
)

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
	// Worker is the worker part, nil when the body has none.
	Worker *healthdoc.Worker
	// Missing holds the fields of the document the body lacks, so that a
	// missing counter is shown as missing, not as 0.
	Missing map[string]bool
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
	body, err := healthdoc.Decode(s.Body)
	if err != nil {
		p.Status = "unknown"
		if p.Error == "" {
			p.Error = "body is not /health JSON"
		}
		return p
	}
	p.Status = body.Status
	p.Missing = map[string]bool{}
	for _, f := range healthdoc.Missing(s.Body) {
		p.Missing[f] = true
	}
	if body.DB.Error != nil && p.Error == "" {
		p.Error = "db: " + *body.DB.Error
	}
	if !p.Missing["worker"] {
		p.Worker = &body.Worker
		p.Liveness = body.Worker.Liveness
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
