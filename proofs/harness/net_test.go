package harness

import (
	"bufio"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		t.Fatalf("write through proxy: %v", err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read through proxy: %v", err)
	}
	if got != msg+"\n" {
		t.Fatalf("echo through proxy = %q, want %q", got, msg+"\n")
	}
}

func TestProxyForwardsCutsAndRestores(t *testing.T) {
	p, err := NewProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)

	before, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	roundTrip(t, before, "hello")

	p.Cut()
	if !p.IsCut() {
		t.Fatal("IsCut() = false after Cut")
	}
	// The open connection is dropped: a read ends with EOF or a reset.
	if err := before.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := before.Read(make([]byte, 1)); err == nil {
		t.Fatal("read on a cut connection succeeded")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("cut connection stayed open until the read deadline")
	}
	// New connections are refused.
	if c, err := net.DialTimeout("tcp", p.Addr(), 2*time.Second); err == nil {
		c.Close()
		t.Fatal("dial while cut succeeded")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while cut: %v, want connection refused", err)
	}

	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	after, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("dial after restore: %v", err)
	}
	defer after.Close()
	roundTrip(t, after, "again")
}

func TestProxyRestoreAfterCloseFails(t *testing.T) {
	p, err := NewProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Restore(); err == nil {
		t.Fatal("Restore after Close succeeded")
	}
}
