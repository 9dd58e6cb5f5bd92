//go:build pprof

// This file exists only in binaries built with `-tags pprof` (the benchmark
// builds one with `go run ./bench -profile`): it serves net/http/pprof on
// PPROF_ADDR, a loopback address, so a profile can show where a benchmark's
// time goes. Production builds have no such endpoint.

package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		slog.Error("PPROF_ADDR must be a loopback host:port; pprof not started", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			slog.Error("pprof server stopped", "error", err.Error())
		}
	}()
}
