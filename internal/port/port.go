// Package port finds free TCP ports on the loopback interface, for the
// servers the proofs, the tests, the soak and the benchmarks start.
package port

import (
	"fmt"
	"net"
)

// Free returns a TCP port on 127.0.0.1 that nothing listened on a moment
// ago. The kernel hands out ephemeral ports in sequence, so the window in
// which another process could take it is small; a server that loses the
// race fails to start and its caller says so (or retries).
func Free() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}
