package suite

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/bench/stats"
	"github.com/prodproof/prodproof/internal/await"
)

// pickupPollMS is the poll interval of the pick-up measurement: long, so a
// pick-up that waited for the poll instead of the notification shows.
const pickupPollMS = 500

// pickupAndHTTP runs one backend with its default settings (JOB_POLL_MS=500)
// and measures pick-up latency, then POST /jobs at 1, 8 and 32 clients.
func (r *run) pickupAndHTTP(ctx context.Context) error {
	name, url, conn, drop, err := r.migratedDatabase(ctx, r.srv, "pickup")
	if err != nil {
		return err
	}
	defer drop()

	env := map[string]string{
		"DATABASE_URL": url,
		"JOB_POLL_MS":  fmt.Sprint(pickupPollMS),
	}
	pprofAddr, err := profileEnv(r.opts.ProfileDir, env)
	if err != nil {
		return err
	}
	b, err := startBackend(r.backend, r.tmp, name, env)
	if err != nil {
		return err
	}
	defer func() {
		if rss, err := b.peakRSSMiB(); err == nil {
			r.res.NoteRSS("pickup_http", rss)
		}
		if err := b.stop(15 * time.Second); err != nil {
			r.logf("%v", err)
		}
	}()
	if err := b.waitReady(ctx, 20*time.Second); err != nil {
		return err
	}

	// Warm up the connection pool and the HTTP keep-alive connection, so the
	// first samples do not measure a connect.
	for i := range 20 {
		if _, err := b.postJob(ctx, fmt.Sprintf(`{"warmup":%d}`, i)); err != nil {
			return err
		}
	}

	oneAtATime, rate, rateSeconds := 200, 200, 5.0
	if r.opts.Quick {
		oneAtATime, rateSeconds = 40, 1.0
	}
	r.res.Settings.PickupOneAtATime = oneAtATime
	r.res.Settings.PickupRatePerSec = rate
	r.res.Settings.PickupRateSeconds = rateSeconds

	// One at a time: each job finds the worker idle. The gap (10-20 ms,
	// jittered so nothing phase-locks) is far longer than a pick-up and far
	// shorter than the poll interval.
	for i := range oneAtATime {
		if _, err := b.postJob(ctx, fmt.Sprintf(`{"mode":"one_at_a_time","i":%d}`, i)); err != nil {
			return err
		}
		pause(ctx, 10*time.Millisecond+rand.N(10*time.Millisecond))
	}
	// Steady rate: posts start on a fixed schedule, each on its own
	// goroutine, so a slow response does not delay the next.
	total := int(float64(rate) * rateSeconds)
	var wg sync.WaitGroup
	errs := make(chan error, total)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range total {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.postJob(ctx, fmt.Sprintf(`{"mode":"steady_rate","i":%d}`, i)); err != nil {
				errs <- err
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("steady-rate post: %w", err)
	}

	var all []float64
	for _, mode := range []string{"one_at_a_time", "steady_rate"} {
		lat, err := pickupLatencies(ctx, conn, mode, 10*time.Second)
		if err != nil {
			return err
		}
		r.res.PickupModes[mode] = stats.Summarize(lat)
		all = append(all, lat...)
		s := r.res.PickupModes[mode]
		r.logf("pick-up %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", mode, s.P50, s.P99, s.Max, s.N)
	}
	r.res.PickupMS = stats.Summarize(all)

	return r.httpLevels(ctx, b, pprofAddr)
}

// pickupLatencies waits until every job of mode was claimed and returns
// claimed_at − created_at in milliseconds, from the rows themselves (both
// stamped by the server's clock). created_at is the inserting transaction's
// start, a little before its commit, so the figure slightly overstates the
// commit → claim time.
func pickupLatencies(ctx context.Context, conn *pgx.Conn, mode string, timeout time.Duration) ([]float64, error) {
	err := await.Poll(ctx, timeout, 20*time.Millisecond, "every "+mode+" job claimed", func() (bool, string, error) {
		var left int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE payload->>'mode' = $1 AND claimed_at IS NULL`, mode).Scan(&left); err != nil {
			return false, "", err
		}
		return left == 0, fmt.Sprintf("%d not claimed", left), nil
	})
	if err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT extract(epoch FROM claimed_at - created_at)::float8 * 1000 FROM jobs WHERE payload->>'mode' = $1`, mode)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[float64])
}

// httpLevels posts jobs as fast as c clients can, for each c, with the
// worker running (it processes what is posted, as in production).
func (r *run) httpLevels(ctx context.Context, b *backend, pprofAddr string) error {
	seconds := 3.0
	if r.opts.Quick {
		seconds = 0.5
	}
	r.res.Settings.HTTPSeconds = seconds
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
	}
	defer client.CloseIdleConnections()
	for _, clients := range []int{1, 8, 32} {
		var profiled <-chan error
		if clients == 8 && pprofAddr != "" {
			profiled = captureCPUProfile(ctx, pprofAddr, max(int(seconds), 1), filepath.Join(r.opts.ProfileDir, "post8-cpu.pprof"))
		}
		level, err := postLoad(ctx, client, b.base, clients, time.Duration(seconds*float64(time.Second)))
		if err != nil {
			return err
		}
		if profiled != nil {
			if err := <-profiled; err != nil {
				r.logf("%v", err)
			}
		}
		r.res.HTTP = append(r.res.HTTP, level)
		if clients == 8 {
			r.res.PostMS = level.LatencyMS
			r.res.PostMSClients = clients
		}
		r.logf("POST /jobs ×%d: %.0f req/s, p50 %.2f ms, p99 %.2f ms", clients, level.PerSecond, level.LatencyMS.P50, level.LatencyMS.P99)
	}
	return nil
}

func postLoad(ctx context.Context, client *http.Client, base string, clients int, d time.Duration) (results.HTTPLevel, error) {
	type sample struct {
		lat []float64
		err int
	}
	out := make([]sample, clients)
	began := time.Now()
	stop := began.Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				body := fmt.Sprintf(`{"mode":"http","client":%d,"i":%d}`, c, i)
				t0 := time.Now()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/jobs", strings.NewReader(body))
				if err != nil {
					out[c].err++
					continue
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					out[c].err++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					out[c].err++
					continue
				}
				out[c].lat = append(out[c].lat, float64(time.Since(t0))/float64(time.Millisecond))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	var all []float64
	errs := 0
	for _, s := range out {
		all = append(all, s.lat...)
		errs += s.err
	}
	if len(all) == 0 {
		return results.HTTPLevel{}, fmt.Errorf("POST /jobs ×%d: no request succeeded (%d errors)", clients, errs)
	}
	return results.HTTPLevel{
		Clients:    clients,
		Requests:   len(all),
		Errors:     errs,
		PerSecond:  float64(len(all)) / elapsed.Seconds(),
		LatencyMS:  stats.Summarize(all),
		DurationMS: float64(elapsed) / float64(time.Millisecond),
	}, nil
}
