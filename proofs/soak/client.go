package soak

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/jobdoc"
	"github.com/prodproof/prodproof/internal/report"
)

// Client limits.
const (
	// posters is how many requests the client has in flight at most.
	posters = 8
	// jobDeadline bounds how long the client keeps retrying one job.
	jobDeadline = 60 * time.Second
	// retryPause is the pause after a 503 or a failed request.
	retryPause = 100 * time.Millisecond
)

// client posts jobs to the fleet, retrying 503s and unanswered requests on
// the next instance until a 201 (or a 200 for a retry the backend already
// had, by its idempotency key).
type client struct {
	fleet *fleet
	http  *http.Client
	event func(report.SoakEvent)

	mu    sync.Mutex
	stats report.SoakClient
	acks  []Ack
}

func newClient(f *fleet, event func(report.SoakEvent)) *client {
	return &client{
		fleet: f,
		event: event,
		http: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: posters, IdleConnTimeout: 30 * time.Second},
		},
	}
}

// post sends one job until it is accepted, rejected or out of time.
func (c *client) post(ctx context.Context, seq int64, payload string) {
	deadline := time.Now().Add(jobDeadline)
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			c.count(func(s *report.SoakClient) { s.Retries++ })
			select {
			case <-ctx.Done():
				return
			case <-time.After(retryPause):
			}
		}
		if ctx.Err() != nil {
			return
		}
		if time.Now().After(deadline) {
			c.count(func(s *report.SoakClient) { s.GaveUp++ })
			c.event(report.SoakEvent{Type: "gave_up", Detail: fmt.Sprintf("seq %d not accepted within %s", seq, jobDeadline)})
			return
		}
		inst := c.fleet.pick()
		if inst == nil {
			continue
		}
		status, body, err := c.send(ctx, inst, seq, payload)
		c.count(func(s *report.SoakClient) { s.Requests++ })
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			c.count(func(s *report.SoakClient) { s.TransportErrors++ })
		case status == http.StatusCreated || status == http.StatusOK:
			// 200 is the backend recognising a retry by its idempotency
			// key: the job of an earlier attempt whose answer was lost.
			if status == http.StatusOK {
				c.count(func(s *report.SoakClient) { s.Replayed++ })
			}
			job, err := jobdoc.Decode(body)
			if err != nil {
				c.count(func(s *report.SoakClient) { s.Rejected++ })
				c.event(report.SoakEvent{Type: "http_error", Instance: inst.Name, Detail: fmt.Sprintf("seq %d: 201 without a job id: %.200s", seq, body)})
				return
			}
			c.mu.Lock()
			c.stats.Accepted++
			c.acks = append(c.acks, Ack{Seq: seq, ID: job.ID, Instance: inst.Name})
			c.mu.Unlock()
			return
		case status == http.StatusServiceUnavailable:
			c.count(func(s *report.SoakClient) { s.Status503++ })
		case status >= 500:
			c.count(func(s *report.SoakClient) { s.Status5xx++ })
			c.event(report.SoakEvent{Type: "http_error", Instance: inst.Name, Detail: fmt.Sprintf("seq %d: %d %.200s", seq, status, body)})
		default:
			c.count(func(s *report.SoakClient) { s.Rejected++ })
			c.event(report.SoakEvent{Type: "http_error", Instance: inst.Name, Detail: fmt.Sprintf("seq %d: %d %.200s", seq, status, body)})
			return
		}
	}
}

func (c *client) send(ctx context.Context, inst *instance, seq int64, payload string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inst.BaseURL+"/jobs", bytes.NewReader([]byte(payload)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	// One key per job, the same on every retry: an insert that committed
	// while its answer was lost is found again, not made twice.
	req.Header.Set("Idempotency-Key", fmt.Sprintf("soak-%d", seq))
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func (c *client) count(f func(*report.SoakClient)) {
	c.mu.Lock()
	f(&c.stats)
	c.mu.Unlock()
}

func (c *client) snapshot() (report.SoakClient, []Ack) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats, append([]Ack(nil), c.acks...)
}
