package worker

import (
	"context"
	"sync"
)

// Every long-running part of this package (the supervisor, the rescuer, the
// listener, the notifier, the retention sweeper, and the Service that owns
// them) has the same lifecycle:
//
//   - Start(ctx) runs the part in the background and returns at once. A
//     second Start is a no-op; a stopped part does not start again.
//     Cancelling ctx is a hard stop.
//   - Stop(ctx) asks the part to finish (the soft stop) and waits for it.
//     If ctx ends first, it cancels the part (the hard stop) and waits for
//     that. Stop before Start returns at once (and a later Start still
//     starts); a second Stop waits for the first to finish.
//   - Done() is closed once the part has stopped for good.
//
// lifecycle implements that contract once; each part embeds it and hands
// start the loop to run.
type lifecycle struct {
	mu       sync.Mutex
	started  bool
	stopping bool
	soft     chan struct{} // closed by Stop: finish what you are doing
	hard     context.CancelFunc
	done     chan struct{}
}

// channels allocates the channels on first use, so that Done works before
// Start. l.mu must be held.
func (l *lifecycle) channels() {
	if l.done == nil {
		l.soft = make(chan struct{})
		l.done = make(chan struct{})
	}
}

// start runs run on its own goroutine, once. run must return soon after
// soft is closed or ctx is cancelled.
func (l *lifecycle) start(ctx context.Context, run func(ctx context.Context, soft <-chan struct{})) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.channels()
	if l.started {
		return
	}
	l.started = true
	ctx, l.hard = context.WithCancel(ctx)
	go func() {
		defer close(l.done)
		run(ctx, l.soft)
	}()
}

// stop is the Stop contract. It reports whether this call began the stop of
// a started part, so that the part runs its own clean-up once.
func (l *lifecycle) stop(ctx context.Context) (first bool) {
	l.mu.Lock()
	l.channels()
	if !l.started {
		l.mu.Unlock()
		return false
	}
	first = !l.stopping
	if first {
		l.stopping = true
		close(l.soft)
	}
	l.mu.Unlock()
	select {
	case <-l.done:
	case <-ctx.Done():
		l.hard()
		<-l.done
	}
	l.hard()
	return first
}

// Done is closed once the part has stopped for good; never, if it never
// started.
func (l *lifecycle) Done() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.channels()
	return l.done
}

// cancelledBySoft adapts a loop that knows only cancellation: the soft stop
// cancels it, which is all finishing means for it.
func cancelledBySoft(run func(ctx context.Context)) func(context.Context, <-chan struct{}) {
	return func(ctx context.Context, soft <-chan struct{}) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-soft:
				cancel()
			case <-ctx.Done():
			}
		}()
		run(ctx)
	}
}
