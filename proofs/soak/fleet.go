package soak

import (
	"context"
	"fmt"
	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/healthdoc"
	"io"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prodproof/prodproof/internal/port"

	"github.com/prodproof/prodproof/proofs/harness"
)

// startTimeout bounds how long a new instance may take to answer /health.
const startTimeout = 20 * time.Second

// instance is one backend process of the fleet.
type instance struct {
	Name    string
	Slot    int
	BaseURL string
	proc    *harness.Process
}

// fleet runs the backend instances, one per slot. A slot is empty while its
// instance is being replaced; the client posts to the occupied ones.
type fleet struct {
	group  *harness.Group
	binary string
	dir    string
	env    map[string]string
	output func(instance, line string)
	health *http.Client

	mu    sync.Mutex
	slots []*instance
	all   []*instance
	gens  []int
	next  int // round-robin cursor
}

func newFleet(group *harness.Group, binary, dir string, env map[string]string, slots int, output func(string, string)) *fleet {
	return &fleet{
		group: group, binary: binary, dir: dir, env: env, output: output,
		health: &http.Client{Timeout: 2 * time.Second},
		slots:  make([]*instance, slots), gens: make([]int, slots),
	}
}

// start starts a new instance in slot and waits until it answers /health.
// The slot must be empty. A port taken between FreePort and the bind makes
// the start fail; it is retried once on a new port.
func (f *fleet) start(ctx context.Context, slot int) (*instance, error) {
	var err error
	for range 2 {
		var inst *instance
		inst, err = f.startOnce(ctx, slot)
		if err == nil {
			return inst, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, err
}

func (f *fleet) startOnce(ctx context.Context, slot int) (*instance, error) {
	port, err := port.Free()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.gens[slot]++
	name := fmt.Sprintf("%c%d", 'a'+slot, f.gens[slot])
	f.mu.Unlock()
	env := maps.Clone(f.env)
	env["PORT"] = strconv.Itoa(port)
	env["BIND_ADDR"] = "127.0.0.1"
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	proc, err := f.group.Start(harness.Spec{
		Name: name, Path: f.binary, Args: []string{"serve"}, Env: list, Dir: f.dir,
		Output: func(_, line string) { f.output(name, line) },
	})
	if err != nil {
		return nil, err
	}
	inst := &instance{Name: name, Slot: slot, BaseURL: fmt.Sprintf("http://127.0.0.1:%d", port), proc: proc}
	err = await.Poll(ctx, startTimeout, 50*time.Millisecond, "instance "+name+" answers /health", func() (bool, string, error) {
		if exited, code := proc.Exited(); exited {
			return false, "", fmt.Errorf("exited with status %d before answering /health (see backend.log)", code)
		}
		if _, err := f.readHealth(ctx, inst); err != nil {
			return false, err.Error(), nil
		}
		return true, "", nil
	})
	if err != nil {
		proc.Kill()
		return nil, err
	}
	f.mu.Lock()
	f.slots[slot] = inst
	f.all = append(f.all, inst)
	f.mu.Unlock()
	return inst, nil
}

// take empties slot and returns its instance (nil if it was empty), so the
// client stops choosing it before it is stopped.
func (f *fleet) take(slot int) *instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst := f.slots[slot]
	f.slots[slot] = nil
	return inst
}

// get returns slot's instance, nil if it is empty; the slot stays occupied.
func (f *fleet) get(slot int) *instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slots[slot]
}

// pick returns an occupied slot's instance, round robin, or nil.
func (f *fleet) pick() *instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range len(f.slots) {
		inst := f.slots[f.next%len(f.slots)]
		f.next++
		if inst != nil {
			return inst
		}
	}
	return nil
}

// occupied reports whether slot has an instance.
func (f *fleet) occupied(slot int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slots[slot] != nil
}

// started returns every instance ever started, in order.
func (f *fleet) started() []*instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*instance(nil), f.all...)
}

// live returns the instances in occupied slots.
func (f *fleet) live() []*instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*instance
	for _, inst := range f.slots {
		if inst != nil {
			out = append(out, inst)
		}
	}
	return out
}

// health is one /health answer: the document, its HTTP status and how long
// it took.
type health struct {
	healthdoc.Document
	HTTPStatus int
	LatencyMS  float64
}

func (h health) summary() string { return h.Summary(h.HTTPStatus) }

func (f *fleet) readHealth(ctx context.Context, inst *instance) (health, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, inst.BaseURL+"/health", nil)
	if err != nil {
		return health{}, err
	}
	began := time.Now()
	resp, err := f.health.Do(req)
	if err != nil {
		return health{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	h := health{HTTPStatus: resp.StatusCode, LatencyMS: float64(time.Since(began).Microseconds()) / 1000}
	if err != nil {
		return h, err
	}
	if h.Document, err = healthdoc.Decode(body); err != nil {
		return h, fmt.Errorf("decode /health: %w", err)
	}
	return h, nil
}
