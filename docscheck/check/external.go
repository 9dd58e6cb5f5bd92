package check

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/prodproof/prodproof/docscheck/finding"
)

// LinkFetcher checks external links over the network. docscheck only uses
// it with --external: CI is offline by default.
type LinkFetcher struct {
	// Client sends the requests; its Timeout bounds each one.
	Client *http.Client
	// CachePath, when set, is a JSON file of earlier answers; answers
	// younger than CacheTTL are reused instead of fetched again.
	CachePath string
	CacheTTL  time.Duration
	// Parallel bounds concurrent requests (default 4).
	Parallel int
	// Now is the clock (tests may fix it).
	Now func() time.Time
}

type cacheEntry struct {
	Status    int       `json:"status"`
	Error     string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// NewLinkFetcher returns a fetcher with a timeout per request.
func NewLinkFetcher(timeout time.Duration, cachePath string) *LinkFetcher {
	return &LinkFetcher{
		Client:    &http.Client{Timeout: timeout},
		CachePath: cachePath,
		CacheTTL:  24 * time.Hour,
	}
}

func (f *LinkFetcher) checkAll(ctx context.Context, links []externalLink) []finding.Finding {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	cache := f.readCache()
	var urls []string
	for _, l := range links {
		urls = append(urls, l.target)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	results := map[string]cacheEntry{}
	var mu sync.Mutex
	sem := make(chan struct{}, cmp.Or(max(f.Parallel, 0), 4))
	var wg sync.WaitGroup
	for _, u := range urls {
		if e, ok := cache[u]; ok && now().Sub(e.CheckedAt) < f.CacheTTL {
			results[u] = e
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			e := f.fetch(ctx, u)
			e.CheckedAt = now()
			mu.Lock()
			results[u] = e
			mu.Unlock()
		})
	}
	wg.Wait()
	for u, e := range results {
		cache[u] = e
	}
	f.writeCache(cache)
	var out []finding.Finding
	for _, l := range links {
		e := results[l.target]
		var msg string
		switch {
		case e.Error != "":
			msg = fmt.Sprintf("%s: %s", l.target, e.Error)
		case e.Status >= 400:
			msg = fmt.Sprintf("%s answered %d %s", l.target, e.Status, http.StatusText(e.Status))
		default:
			continue
		}
		out = append(out, finding.Finding{Path: l.path, Line: l.line, Col: l.col, Rule: ruleExternal, Message: msg})
	}
	return out
}

// fetch tries HEAD first and falls back to GET for servers that refuse it.
func (f *LinkFetcher) fetch(ctx context.Context, u string) cacheEntry {
	status, err := f.request(ctx, http.MethodHead, u)
	if err == nil && (status == http.StatusMethodNotAllowed || status == http.StatusForbidden || status == http.StatusNotImplemented || status == http.StatusNotFound) {
		status, err = f.request(ctx, http.MethodGet, u)
	}
	if err != nil {
		return cacheEntry{Error: err.Error()}
	}
	return cacheEntry{Status: status}
}

func (f *LinkFetcher) request(ctx context.Context, method, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "docscheck")
	resp, err := f.Client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (f *LinkFetcher) readCache() map[string]cacheEntry {
	cache := map[string]cacheEntry{}
	if f.CachePath == "" {
		return cache
	}
	data, err := os.ReadFile(f.CachePath)
	if err != nil {
		return cache
	}
	if json.Unmarshal(data, &cache) != nil {
		return map[string]cacheEntry{} // a corrupt cache is just refetched
	}
	return cache
}

func (f *LinkFetcher) writeCache(cache map[string]cacheEntry) {
	if f.CachePath == "" {
		return
	}
	data, err := json.MarshalIndent(cache, "", "  ")
	if err != nil {
		return
	}
	_ = os.WriteFile(f.CachePath, data, 0o644)
}
