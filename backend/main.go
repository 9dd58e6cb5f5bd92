// Command reference-backend is prodproof's reference job service: a Postgres
// job queue with an HTTP API, a supervised worker and crash recovery that
// stays visible in /health. See docs/reference-backend.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
