package port

import (
	"net"
	"strconv"
	"testing"
)

// TestFreeCanBeBound: the port Free returns can be listened on at once.
func TestFreeCanBeBound(t *testing.T) {
	p, err := Free()
	if err != nil {
		t.Fatal(err)
	}
	if p <= 0 || p > 65535 {
		t.Fatalf("port %d out of range", p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("listen on the free port %d: %v", p, err)
	}
	ln.Close()
}
