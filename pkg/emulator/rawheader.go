package emulator

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Go's HTTP server canonicalizes header names ("OperationName" becomes
// "Operationname"), but PeopleSoft reads IB header names case-sensitively.
// To answer as PeopleSoft would, Serve wraps each connection and keeps the
// bytes it reads, so that a handler can find its request's head and read
// the names as they were sent.

type rawConnKey struct{}

// rawConn records what is read from a connection, bounded in size.
type rawConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

const (
	rawKeep = 256 << 10 // keep at most this much unclaimed input
)

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.buf = append(c.buf, p[:n]...)
		if len(c.buf) > rawKeep {
			// A long body: keep only the tail, where the next head will be.
			c.buf = append(c.buf[:0], c.buf[len(c.buf)-rawKeep/2:]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

// takeHead finds the head that starts with requestLine, returns its header
// fields with their names as sent, and forgets the input up to its end.
func (c *rawConn) takeHead(requestLine string) (ibmsg.Header, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := bytes.Index(c.buf, []byte(requestLine+"\r\n"))
	if i < 0 {
		return nil, false
	}
	start := i + len(requestLine) + 2
	end := bytes.Index(c.buf[start:], []byte("\r\n\r\n"))
	if end < 0 {
		return nil, false
	}
	var h ibmsg.Header
	for _, line := range bytes.Split(c.buf[start:start+end], []byte("\r\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		h = append(h, ibmsg.HeaderField{Name: string(name), Value: string(bytes.TrimSpace(value))})
	}
	c.buf = append(c.buf[:0], c.buf[start+end+4:]...)
	return h, true
}

type rawListener struct{ net.Listener }

func (l rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c}, nil
}

func connContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*rawConn); ok {
		return context.WithValue(ctx, rawConnKey{}, rc)
	}
	return ctx
}

// requestHeader returns the request's header fields as sent: exact names
// when the request came through Serve, else Go's canonical names (then
// PeopleSoft's names are matched case-insensitively; exact reports which).
func requestHeader(r *http.Request) (h ibmsg.Header, exact bool) {
	if rc, ok := r.Context().Value(rawConnKey{}).(*rawConn); ok && r.ProtoMajor == 1 {
		if h, ok := rc.takeHead(r.Method + " " + r.RequestURI + " " + r.Proto); ok {
			return h, true
		}
	}
	for name, vs := range r.Header {
		for _, v := range vs {
			h = append(h, ibmsg.HeaderField{Name: name, Value: v})
		}
	}
	return h, false
}
