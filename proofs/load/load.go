package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prodproof/prodproof/internal/report"
)

// Options configures a load run.
type Options struct {
	// BaseURL is the backend, e.g. http://127.0.0.1:8080 (loopback only).
	BaseURL string
	// PID is the backend's process id, for /proc samples.
	PID int
	// Pool reads pg_stat_activity; DBName is the backend's database.
	Pool   *pgxpool.Pool
	DBName string
	// Duration of the load; Rate is job posts per second, each followed by
	// a GET of the job.
	Duration time.Duration
	Rate     int
	// SampleEvery is the resource sampling period (default 500 ms);
	// HealthEvery the /health probe period (default 100 ms).
	SampleEvery time.Duration
	HealthEvery time.Duration
}

// workers bounds the requests in flight.
const workers = 16

// clientConns bounds the connections the generator's workers share
// (plus one for the /health probes).
const clientConns = 3

// WriteReport writes load.json to path: the figures, every sample, the
// verdict (fail when failures is not empty) and the failures behind it.
func WriteReport(path string, res report.LoadResult, flat report.LoadFlatness, failures []string, healthStrict bool) error {
	verdict := report.Pass
	if len(failures) > 0 {
		verdict = report.Fail
	}
	return report.WriteLoad(path, &report.LoadReport{
		Verdict: verdict, Failures: append([]string{}, failures...), HealthStrict: &healthStrict,
		LoadResult: res, Flatness: flat,
	})
}

// Run posts jobs at opts.Rate for opts.Duration while probing /health and
// sampling the process and its connections. An error means the run could
// not be made (not that the backend misbehaved: that is in Result).
func Run(ctx context.Context, opts Options) (report.LoadResult, error) {
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = 500 * time.Millisecond
	}
	if opts.HealthEvery <= 0 {
		opts.HealthEvery = 100 * time.Millisecond
	}
	if opts.Rate <= 0 || opts.Duration <= 0 {
		return report.LoadResult{}, fmt.Errorf("load: rate %d and duration %s must be positive", opts.Rate, opts.Duration)
	}
	res := report.LoadResult{Rate: opts.Rate}
	// The generator's own connections are bounded below the open-files
	// tolerance (4), so however bursty the load, the sockets it opens can
	// never pass for a leak: growth beyond them is the backend's.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxConnsPerHost: clientConns, MaxIdleConnsPerHost: clientConns}}
	healthClient := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	defer healthClient.CloseIdleConnections()

	runCtx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var mu sync.Mutex
	var postMS []float64
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		res.Errors++
		if len(res.ErrorExamples) < 10 {
			res.ErrorExamples = append(res.ErrorExamples, fmt.Sprintf(format, args...))
		}
	}

	var side sync.WaitGroup
	side.Add(2)
	go func() {
		defer side.Done()
		every(runCtx, opts.HealthEvery, func() {
			p := probeHealth(runCtx, healthClient, opts.BaseURL)
			if runCtx.Err() != nil {
				return
			}
			mu.Lock()
			res.Health = append(res.Health, p)
			mu.Unlock()
		})
	}()
	go func() {
		defer side.Done()
		every(runCtx, opts.SampleEvery, func() {
			p, err := ReadProc(opts.PID)
			if err != nil {
				fail("sample process: %v", err)
				return
			}
			qctx, qcancel := context.WithTimeout(ctx, 2*time.Second)
			n, err := BackendConnections(qctx, opts.Pool, opts.DBName)
			qcancel()
			if err != nil {
				fail("sample connections: %v", err)
				return
			}
			mu.Lock()
			res.Proc = append(res.Proc, p)
			res.Conns = append(res.Conns, report.ConnSample{At: p.At, Count: n})
			mu.Unlock()
		})
	}()

	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				began := time.Now()
				status, body, err := send(runCtx, client, http.MethodPost, opts.BaseURL+"/jobs", fmt.Appendf(nil, `{"load":%d}`, i))
				if runCtx.Err() != nil {
					return
				}
				var job struct {
					ID string `json:"id"`
				}
				if err != nil || status != http.StatusCreated || json.Unmarshal(body, &job) != nil || job.ID == "" {
					fail("POST /jobs %d: status %d err %v body %.120s", i, status, err, body)
					continue
				}
				ms := float64(time.Since(began).Microseconds()) / 1000
				status, body, err = send(runCtx, client, http.MethodGet, opts.BaseURL+"/jobs/"+job.ID, nil)
				if runCtx.Err() != nil {
					return
				}
				if err != nil || status != http.StatusOK {
					fail("GET /jobs/%s: status %d err %v body %.120s", job.ID, status, err, body)
					continue
				}
				mu.Lock()
				res.Requests += 2
				postMS = append(postMS, ms)
				mu.Unlock()
			}
		}()
	}
	began := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(opts.Rate))
	// The rate is kept by the clock, not by ticks received: a ticker drops
	// the ticks this goroutine was not scheduled for (a busy machine), so
	// each wake-up hands out every post due by now.
feed:
	for i := 0; ; {
		due := int(time.Since(began)*time.Duration(opts.Rate)/time.Second) + 1
		for ; i < due; i++ {
			select {
			case <-runCtx.Done():
				break feed
			case work <- i:
			}
		}
		select {
		case <-runCtx.Done():
			break feed
		case <-tick.C:
		}
	}
	tick.Stop()
	close(work)
	wg.Wait()
	side.Wait()
	res.DurationMS = time.Since(began).Milliseconds()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.PostP50MS, res.PostP99MS = percentile(postMS, 50), percentile(postMS, 99)
	var healthMS []float64
	for _, h := range res.Health {
		if h.Status != http.StatusOK {
			fail("/health at %s: status %d", h.At.Format(time.RFC3339Nano), h.Status)
			continue
		}
		healthMS = append(healthMS, h.LatencyMS)
		if h.LatencyMS > 50 {
			res.HealthOver50++
		}
	}
	res.HealthP95MS, res.HealthP99MS = percentile(healthMS, 95), percentile(healthMS, 99)
	var livezMS []float64
	for _, h := range res.Health {
		if h.LivezMS > 0 {
			livezMS = append(livezMS, h.LivezMS)
		}
	}
	res.LivezP95MS = percentile(livezMS, 95)
	if len(healthMS) > 0 {
		res.HealthMaxMS = slices.Max(healthMS)
	}
	return res, nil
}

// every calls f now and then every period until ctx ends.
func every(ctx context.Context, period time.Duration, f func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func probeHealth(ctx context.Context, c *http.Client, base string) report.HealthProbe {
	livezBegan := time.Now()
	_, _, livezErr := send(ctx, c, http.MethodGet, base+"/livez", nil)
	livezMS := float64(time.Since(livezBegan).Microseconds()) / 1000
	began := time.Now()
	status, _, err := send(ctx, c, http.MethodGet, base+"/health", nil)
	p := report.HealthProbe{At: began.UTC(), Status: status, LatencyMS: float64(time.Since(began).Microseconds()) / 1000}
	if err != nil {
		p.Status = 0
	}
	if livezErr == nil {
		p.LivezMS = livezMS
	}
	return p
}

func send(ctx context.Context, c *http.Client, method, url string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}

// percentile returns the p-th percentile (nearest rank) of xs, 0 if empty.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Flatness splits a run's samples into thirds and summarizes the last two:
// a leak shows as growth from the middle third (warmed up) to the last.
func Flatness(r report.LoadResult) (report.LoadFlatness, error) {
	n := len(r.Proc)
	if n < 6 {
		return report.LoadFlatness{}, fmt.Errorf("only %d resource samples; a flatness verdict needs 6", n)
	}
	mid, end := r.Proc[n/3:2*n/3], r.Proc[2*n/3:]
	cmid, cend := r.Conns[n/3:2*n/3], r.Conns[2*n/3:]
	var f report.LoadFlatness
	f.RSSWarmKiB, f.RSSEndKiB = medianRSS(mid), medianRSS(end)
	for _, p := range mid {
		f.FDsWarmMax, f.ThreadsWarmMax = max(f.FDsWarmMax, p.FDs), max(f.ThreadsWarmMax, p.Threads)
	}
	for _, p := range end {
		f.FDsEndMax, f.ThreadsEndMax = max(f.FDsEndMax, p.FDs), max(f.ThreadsEndMax, p.Threads)
	}
	for _, c := range cmid {
		f.ConnsWarmMax = max(f.ConnsWarmMax, c.Count)
	}
	for _, c := range cend {
		f.ConnsEndMax = max(f.ConnsEndMax, c.Count)
	}
	for _, c := range r.Conns {
		f.ConnsMax = max(f.ConnsMax, c.Count)
	}
	return f, nil
}

func medianRSS(ps []report.ProcSample) int64 {
	xs := make([]int64, len(ps))
	for i, p := range ps {
		xs[i] = p.RSSKiB
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
