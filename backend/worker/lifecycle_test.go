package worker

import (
	"context"
	"sync"
	"testing"
	"time"
)

// part under test: finishes on the soft stop only when told to, records how
// it ended.
type testPart struct {
	lifecycle
	honourSoft bool
	mu         sync.Mutex
	ended      string
}

func (p *testPart) Start(ctx context.Context) {
	p.start(ctx, func(ctx context.Context, soft <-chan struct{}) {
		var how string
		select {
		case <-soft:
			if p.honourSoft {
				how = "soft"
				break
			}
			<-ctx.Done()
			how = "hard"
		case <-ctx.Done():
			how = "hard"
		}
		p.mu.Lock()
		p.ended = how
		p.mu.Unlock()
	})
}

func (p *testPart) how() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ended
}

func TestLifecycle(t *testing.T) {
	t.Run("stop before start returns at once and a later start runs", func(t *testing.T) {
		p := &testPart{honourSoft: true}
		if p.stop(context.Background()) {
			t.Fatal("stop before start claimed to stop something")
		}
		p.Start(context.Background())
		if !p.stop(context.Background()) || p.how() != "soft" {
			t.Fatalf("after a late start: ended %q", p.how())
		}
	})
	t.Run("a soft stop that is honoured never cancels", func(t *testing.T) {
		p := &testPart{honourSoft: true}
		p.Start(context.Background())
		p.stop(context.Background())
		if p.how() != "soft" {
			t.Fatalf("ended %q", p.how())
		}
	})
	t.Run("the grace period ends in a hard stop", func(t *testing.T) {
		p := &testPart{}
		p.Start(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		p.stop(ctx)
		if p.how() != "hard" {
			t.Fatalf("ended %q", p.how())
		}
	})
	t.Run("two stops at once: one does the stopping, both wait for it", func(t *testing.T) {
		p := &testPart{}
		p.Start(context.Background())
		firsts := make(chan bool, 2)
		ctx, cancel := context.WithCancel(context.Background())
		for range 2 {
			go func() { firsts <- p.stop(ctx) }()
		}
		cancel()
		a, b := <-firsts, <-firsts
		if a == b {
			t.Fatalf("first = %v and %v, want exactly one", a, b)
		}
		select {
		case <-p.Done():
		default:
			t.Fatal("Done not closed after Stop returned")
		}
		// Recorded before Done closed: neither stop returned early.
		if p.how() != "hard" {
			t.Fatalf("ended %q", p.how())
		}
	})
}
