package harness

import (
	"bufio"
	"bytes"
	"encoding/binary"
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

// pgMessage is a typed Postgres protocol message.
func pgMessage(kind byte, body string) []byte {
	msg := []byte{kind, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(msg[1:], uint32(4+len(body)))
	return append(msg, body...)
}

// pgUntyped is a message without a type byte: a startup message or an
// encryption request, code first.
func pgUntyped(code uint32, body string) []byte {
	msg := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(msg, uint32(8+len(body)))
	binary.BigEndian.PutUint32(msg[4:], code)
	return append(msg, body...)
}

// echoes sends msg and requires the same bytes back through the echo server.
func echoes(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("write %q: %v", msg, err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read back %q: %v", msg, err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("read back %q, want %q", got, msg)
	}
}

// closedOn sends msg and requires the proxy to close the connection.
func closedOn(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(msg); err != nil {
		return
	}
	if n, err := c.Read(make([]byte, 64)); err == nil {
		t.Fatalf("%q was forwarded (%d bytes came back), want the connection closed", msg, n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("%q: the connection stayed open", msg)
	}
}

func TestPostgresProxyRefusesListens(t *testing.T) {
	p, err := NewPostgresProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	startup := pgUntyped(196608, "user\x00u\x00\x00")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		echoes(t, c, startup)
		return c
	}
	listenQuery := pgMessage('Q', "  listen jobs_inserted\x00")
	listenParse := pgMessage('P', "s1\x00LISTEN jobs_inserted\x00\x00\x00")

	// Not refusing: everything goes through.
	c := dial()
	echoes(t, c, listenQuery)

	p.RefuseListens()
	c = dial()
	echoes(t, c, pgMessage('Q', "SELECT 1\x00"))
	echoes(t, c, pgMessage('Q', "UNLISTEN *\x00"))
	echoes(t, c, pgMessage('Q', "NOTIFY jobs_inserted\x00"))
	closedOn(t, c, listenQuery)
	closedOn(t, dial(), listenParse)
	if n := p.RefusedListens(); n != 2 {
		t.Fatalf("RefusedListens() = %d, want 2", n)
	}

	// A connection that asks for TLS is copied as bytes, never read.
	tls, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer tls.Close()
	echoes(t, tls, pgUntyped(sslRequestCode, ""))
	echoes(t, tls, listenQuery)

	p.ReleaseListens()
	echoes(t, dial(), listenParse)
	if n := p.RefusedListens(); n != 2 {
		t.Fatalf("RefusedListens() = %d after the release, want 2", n)
	}
}

func TestPostgresProxyCountsUnterminatedSessions(t *testing.T) {
	p, err := NewPostgresProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	session := func(last []byte) {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		echoes(t, c, pgUntyped(196608, "user\x00u\x00\x00"))
		echoes(t, c, pgMessage('Q', "SELECT 1\x00"))
		if last != nil {
			echoes(t, c, last)
		}
		c.Close()
	}
	session(pgMessage('X', ""))
	session(nil)
	// A cancel request is not a session.
	cancel, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	echoes(t, cancel, pgUntyped(cancelRequestCode, "\x00\x00\x00\x01\x00\x00\x00\x02"))
	cancel.Close()

	deadline := time.Now().Add(5 * time.Second)
	for {
		seen, unterminated, open := p.Sessions()
		if open == 0 {
			if seen != 2 || unterminated != 1 {
				t.Fatalf("Sessions() = %d seen, %d unterminated; want 2 and 1", seen, unterminated)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Sessions(): %d connections still open 5 s after every client closed", open)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
