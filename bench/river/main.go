// Command river-bench drains a backlog of no-op jobs with River, so the
// benchmark driver in ../ can compare the reference backend with the queue a
// user would pick instead. It lives in its own module: the main module never
// depends on River.
//
// It reads DATABASE_URL from the environment (never from a flag, so the
// password stays out of process listings) and prints one JSON result line on
// stdout.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/bench/river/drain"
)

// stderrMarks writes the clock's start and stop on stderr, where the
// benchmark driver counts the CPU time of River's Postgres connections
// between the two lines (bench/suite, riverDraining and riverDrained).
// With holdForGo it also says when the backlog is in and waits for a line
// on stdin before starting the clock: the driver waits for a quiet machine
// there, after the insert, as it does for the reference backend.
type stderrMarks struct{ holdForGo bool }

func (m stderrMarks) Ready(ctx context.Context) error {
	if !m.holdForGo {
		return nil
	}
	fmt.Fprintln(os.Stderr, "river-bench: ready")
	line := make(chan error, 1)
	go func() {
		_, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line <- err
	}()
	select {
	case err := <-line:
		if err != nil {
			return fmt.Errorf("read the go-ahead on stdin: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (stderrMarks) Draining() { fmt.Fprintln(os.Stderr, "river-bench: draining") }
func (stderrMarks) Drained()  { fmt.Fprintln(os.Stderr, "river-bench: drained") }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var opts drain.Options
	flag.IntVar(&opts.Jobs, "jobs", 100000, "backlog size: jobs inserted before the client starts")
	flag.IntVar(&opts.MaxWorkers, "max-workers", 100, "River QueueConfig.MaxWorkers for the default queue")
	flag.DurationVar(&opts.FetchCooldown, "fetch-cooldown", 0, "River Config.FetchCooldown (0: River's default)")
	flag.DurationVar(&opts.FetchPollInterval, "fetch-poll-interval", 0, "River Config.FetchPollInterval (0: River's default)")
	flag.IntVar(&opts.MaxConns, "max-conns", 0, "pgxpool MaxConns (0: pgxpool's default)")
	flag.DurationVar(&opts.Timeout, "timeout", 5*time.Minute, "give up when the backlog is not drained by then")
	holdForGo := flag.Bool("hold-for-go", false, `once the backlog is in, write "river-bench: ready" on stderr and start the clock only after a line on stdin`)
	flag.Parse()
	opts.DatabaseURL = os.Getenv("DATABASE_URL")
	opts.Marks = stderrMarks{holdForGo: *holdForGo}

	res, err := drain.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "river-bench: %v\n", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "river-bench: %v\n", err)
		os.Exit(1)
	}
}
