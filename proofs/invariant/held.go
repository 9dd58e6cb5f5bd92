package invariant

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Concurrency is what CheckConcurrency saw in one process's log.
type Concurrency struct {
	// Limit is the JOB_CONCURRENCY of the process's `configuration` line,
	// 0 when it has none (the process never got that far).
	Limit int
	// Holds is how many injected holds the log shows.
	Holds int
	// Most is the most holds that ran at one instant.
	Most int
}

// hold is one injected hold: it begins at its log line and lasts hold_ms,
// or less when its worker exits first.
type hold struct {
	job        string
	start, end time.Time
}

// CheckConcurrency checks, over one backend process's JSON log lines, the
// documented bound of JOB_CONCURRENCY: no worker runs more jobs at once. A
// fault's hold (`fault injected`, effect `hold`) is a part of its job's run
// that the log times exactly: it is logged before its timer starts, and the
// job's slot is freed only after the timer fires, so a job that starts in a
// freed slot logs its hold no earlier than the end of the hold before it.
// Holds that overlap are therefore jobs that ran at once. A hold ends
// early when its worker exits (a crash cancels it); the supervisor logs
// `worker exited` only once every goroutine of that worker has returned.
func CheckConcurrency(lines []string) (Concurrency, []Violation) {
	var c Concurrency
	var holds []hold
	var exits []time.Time
	for _, line := range lines {
		var rec struct {
			Time        time.Time `json:"time"`
			Msg         string    `json:"msg"`
			Effect      string    `json:"effect"`
			JobID       string    `json:"job_id"`
			HoldMS      int64     `json:"hold_ms"`
			Concurrency int       `json:"JOB_CONCURRENCY"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		switch {
		case rec.Msg == "configuration":
			c.Limit = rec.Concurrency
		case rec.Msg == "fault injected" && rec.Effect == "hold":
			holds = append(holds, hold{job: rec.JobID, start: rec.Time, end: rec.Time.Add(time.Duration(rec.HoldMS) * time.Millisecond)})
		case rec.Msg == "worker exited":
			exits = append(exits, rec.Time)
		}
	}
	c.Holds = len(holds)
	for i, h := range holds {
		for _, e := range exits {
			if !e.Before(h.start) && e.Before(h.end) {
				holds[i].end = e
				break
			}
		}
	}

	// Sweep the starts and ends in time order; at one instant an end
	// comes first: the slot it frees is the one the next start takes.
	type edge struct {
		at    time.Time
		delta int
		job   string
	}
	edges := make([]edge, 0, 2*len(holds))
	for _, h := range holds {
		edges = append(edges, edge{h.start, +1, h.job}, edge{h.end, -1, h.job})
	}
	sort.SliceStable(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.Before(edges[j].at)
		}
		return edges[i].delta < edges[j].delta
	})
	running := map[string]int{}
	var worst []string
	var worstAt time.Time
	for _, e := range edges {
		running[e.job] += e.delta
		if running[e.job] == 0 {
			delete(running, e.job)
		}
		n := 0
		for _, k := range running {
			n += k
		}
		if n > c.Most {
			c.Most, worstAt = n, e.at
			worst = worst[:0]
			for job := range running {
				worst = append(worst, job)
			}
		}
	}
	if c.Limit == 0 || c.Most <= c.Limit {
		return c, nil
	}
	sort.Strings(worst)
	return c, []Violation{{
		Rule: "worker: no more jobs run at once than JOB_CONCURRENCY",
		Observed: fmt.Sprintf("%d held jobs ran at once at %s with JOB_CONCURRENCY=%d: %s",
			c.Most, worstAt.UTC().Format(time.RFC3339Nano), c.Limit, strings.Join(worst, ", ")),
	}}
}
