package harness

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
)

// Proxy is a loopback TCP proxy that can be cut: while cut, every proxied
// connection is closed and new ones are refused (nothing listens), as when a
// database host goes away. Restore listens again on the same address.
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	// refusingListens: a connection that sends a LISTEN is closed
	// (RefuseListens); refusedListens counts them.
	refusingListens bool
	refusedListens  int
	// postgres: the proxy reads the client's Postgres messages, so that it
	// can hold LISTENs back (NewPostgresProxy).
	postgres bool
	// sessions counts the Postgres sessions whose messages the proxy read;
	// unterminated, those the client closed without a Terminate message.
	sessions, unterminated int
}

// NewProxy listens on a free 127.0.0.1 port and forwards to target (host:port).
func NewProxy(target string) (*Proxy, error) { return newProxy(target, false) }

func newProxy(target string, postgres bool) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}, postgres: postgres}
	p.serve(ln)
	return p, nil
}

// NewPostgresProxy is NewProxy for a Postgres server: it can also refuse
// the LISTENs its clients send (RefuseListens).
func NewPostgresProxy(target string) (*Proxy, error) { return newProxy(target, true) }

// Addr is the host:port clients connect to.
func (p *Proxy) Addr() string { return p.addr }

func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.handle(c)
		}
	}()
}

func (p *Proxy) handle(client net.Conn) {
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil || p.closed {
		// Cut between Accept and here: refuse.
		p.mu.Unlock()
		client.Close()
		upstream.Close()
		return
	}
	p.conns[client] = struct{}{}
	p.conns[upstream] = struct{}{}
	p.mu.Unlock()
	// link copies one direction with forward; when that ends, it ends
	// both, like a dropped link would.
	link := func(dst, src net.Conn, forward func(dst, src net.Conn)) {
		defer p.wg.Done()
		forward(dst, src)
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}
	p.wg.Add(2)
	go link(upstream, client, p.forwardClient)
	go link(client, upstream, func(dst, src net.Conn) { _, _ = io.Copy(dst, src) })
}

// Postgres protocol codes a client may send before its startup message
// (https://www.postgresql.org/docs/current/protocol-message-formats.html).
const (
	cancelRequestCode = 80877102
	sslRequestCode    = 80877103
	gssencRequestCode = 80877104
)

// forwardClient copies a Postgres client's messages to the server one at a
// time, so that a LISTEN can be refused (RefuseListens). A connection that
// asks for TLS or GSS encryption is copied as bytes: its queries cannot be
// read, and so are never refused.
func (p *Proxy) forwardClient(upstream, client net.Conn) {
	if !p.postgres {
		_, _ = io.Copy(upstream, client)
		return
	}
	in := bufio.NewReader(client)
	// The first message has no type byte: the startup message, a cancel
	// request or an encryption request.
	msg, err := readUntyped(in)
	if err != nil {
		return
	}
	if _, err := upstream.Write(msg); err != nil {
		return
	}
	// A cancel request is a connection of its own that ends after it, not
	// a session.
	if code := binary.BigEndian.Uint32(msg[4:8]); code == sslRequestCode || code == gssencRequestCode || code == cancelRequestCode {
		_, _ = io.Copy(upstream, in)
		return
	}
	p.mu.Lock()
	p.sessions++
	p.mu.Unlock()
	terminated := false
	for {
		msg, err := readTyped(in)
		if err != nil {
			// EOF is the client closing its side; a link the proxy cut
			// reads as a closed connection instead, and is not the client's.
			if !terminated && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
				p.mu.Lock()
				p.unterminated++
				p.mu.Unlock()
			}
			return
		}
		terminated = terminated || msg[0] == 'X'
		if isListen(msg) && p.refuseListen() {
			return
		}
		if _, err := upstream.Write(msg); err != nil {
			return
		}
	}
}

func readUntyped(in *bufio.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(in, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n < 8 || n > 1<<20 {
		return nil, fmt.Errorf("proxy: untyped message of %d bytes", n)
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(in, msg[4:])
	return msg, err
}

func readTyped(in *bufio.Reader) ([]byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(in, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[1:])
	if n < 4 || n > 1<<30 {
		return nil, fmt.Errorf("proxy: message %q of %d bytes", head[0], n)
	}
	msg := make([]byte, 1+n)
	copy(msg, head[:])
	_, err := io.ReadFull(in, msg[5:])
	return msg, err
}

// isListen reports whether msg is a simple query ('Q') or a parse ('P')
// whose SQL starts with LISTEN.
func isListen(msg []byte) bool {
	body := msg[5:]
	switch msg[0] {
	case 'Q':
	case 'P':
		_, statement, ok := bytes.Cut(body, []byte{0}) // after the statement's name
		if !ok {
			return false
		}
		body = statement
	default:
		return false
	}
	sql, _, _ := bytes.Cut(body, []byte{0})
	fields := strings.Fields(string(sql))
	return len(fields) > 0 && strings.EqualFold(fields[0], "LISTEN")
}

// RefuseListens, until ReleaseListens, closes every connection that sends a
// LISTEN (its other connections work), as when the notification path is
// broken while queries get through, and counts them. It works on
// connections without TLS (sslmode=disable).
func (p *Proxy) RefuseListens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusingListens = true
}

// RefusedListens is how many LISTENs the proxy refused so far.
func (p *Proxy) RefusedListens() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refusedListens
}

// ReleaseListens lets LISTENs through again.
func (p *Proxy) ReleaseListens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusingListens = false
}

// refuseListen reports whether a LISTEN is to be refused, and counts it.
func (p *Proxy) refuseListen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refusingListens {
		p.refusedListens++
	}
	return p.refusingListens
}

// Sessions reports how many Postgres sessions the proxy read the messages
// of (not TLS ones), how many the client closed without first sending
// Terminate (as a process that exits without closing its connections
// does), and how many proxied connections are still open.
func (p *Proxy) Sessions() (seen, unterminated, open int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sessions, p.unterminated, len(p.conns) / 2
}

// Cut closes every proxied connection and stops listening, so new
// connections are refused. Cutting a cut proxy is a no-op.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// IsCut reports whether the proxy is currently cut.
func (p *Proxy) IsCut() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ln == nil
}

// Restore listens again on the same address.
func (p *Proxy) Restore() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("proxy restore: proxy is closed")
	}
	if p.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("proxy restore on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Close cuts the proxy for good and waits for its goroutines.
func (p *Proxy) Close() {
	p.Cut()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}
