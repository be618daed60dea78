package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// connTransport is the HTTP/1.1 round tripper for a gateway reached
// directly (no proxy). Each request is written and its answer read on the
// calling goroutine over a kept-alive connection: net/http's Transport
// hands every request to two goroutines per connection (a writer and a
// reader), and those hand-offs cost more CPU than the exchange itself for
// the small messages of a publish batch (see the README's performance
// section). It reports the same httptrace events the classification of
// failures reads (ConnectDone, TLSHandshakeDone, WroteRequest).
//
// What it does not do, because a gateway request never needs it:
// HTTP/2, proxies (New keeps net/http's Transport when a proxy applies, and
// where a socket cannot be peeked at: see peerSpoke), compression,
// 100-continue, following redirects.
type connTransport struct {
	dialer      *net.Dialer
	tls         *tls.Config // for https
	maxIdle     int
	idleTimeout time.Duration

	mu   sync.Mutex
	idle []*pooledConn // most recently used last
}

// pooledConn is one kept-alive connection.
type pooledConn struct {
	conn      net.Conn
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
}

// longAgo is a deadline in the past: setting it makes blocked I/O return.
var longAgo = time.Unix(1, 0)

func newConnTransport(tlsCfg *tls.Config) *connTransport {
	cfg := tlsCfg.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	return &connTransport{
		dialer:      &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		tls:         cfg,
		maxIdle:     64,
		idleTimeout: idleConnTimeout,
	}
}

// CloseIdleConnections closes every idle connection.
func (t *connTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, pc := range idle {
		pc.conn.Close()
	}
}

// maxInterim bounds the interim (1xx) answers read before the real one,
// as net/http does.
const maxInterim = 5

// tlsHandshakeTimeout bounds a TLS handshake within the attempt's time.
const tlsHandshakeTimeout = 10 * time.Second

// errTLSHandshakeTimeout is a handshake that took longer.
var errTLSHandshakeTimeout = errors.New("TLS handshake timeout")

// RoundTrip sends req and reads the head of its answer; the body is read
// from the connection as the caller reads it. Closing the body after
// reading it to the end puts the connection back for reuse.
//
// A request that could not be written on a kept-alive connection (the
// server closed it just before) is written once more on a new one, as
// net/http does: a failed write means the server did not get the whole
// request, so nothing was delivered.
func (t *connTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	trace := httptrace.ContextClientTrace(ctx)
	pc, reused, err := t.conn(ctx, req, trace)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	// The context's end (cancel or deadline) ends blocked I/O: the
	// connection's deadline moves to the past, and the connection is not
	// reused. The context's own deadline is not copied to the connection,
	// so that a timeout is always reported as the context's, whose cause
	// tells the attempt timeout from the caller's.
	stop := abortOnDone(ctx, pc.conn)
	err = writeRequest(pc, req)
	if err != nil && reused && ctx.Err() == nil && req.GetBody != nil {
		stop()
		pc.conn.Close()
		retry := *req
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
		if pc, _, err = t.dial(ctx, req, trace); err != nil {
			retry.Body.Close()
			return nil, err
		}
		stop = abortOnDone(ctx, pc.conn)
		err = writeRequest(pc, &retry)
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
	if err != nil {
		stop()
		pc.conn.Close()
		return nil, t.ctxErr(ctx, err)
	}
	var resp *http.Response
	for interim := 0; ; interim++ {
		resp, err = http.ReadResponse(pc.br, req)
		if err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			// An interim answer (100 Continue sent unasked): the real one
			// follows.
			if interim < maxInterim {
				continue
			}
			err = fmt.Errorf("more than %d interim (1xx) answers", maxInterim)
		}
		if err != nil {
			stop()
			pc.conn.Close()
			return nil, t.ctxErr(ctx, err)
		}
		break
	}
	reuse := !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols
	resp.Body = &connBody{rc: resp.Body, t: t, pc: pc, stop: stop, reuse: reuse}
	return resp, nil
}

// abortOnDone makes conn's blocked I/O return when ctx ends; the returned
// stop reports false when that has happened (or begun).
func abortOnDone(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { conn.SetDeadline(longAgo) })
}

// writeRequest writes req on pc, whole.
func writeRequest(pc *pooledConn, req *http.Request) error {
	var err error
	if !writeKnownRequest(pc.bw, req) {
		err = req.Write(pc.bw)
	}
	if err == nil {
		err = pc.bw.Flush()
	}
	return err
}

// ctxErr prefers the context's error when it ended the I/O.
func (t *connTransport) ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// conn returns an idle connection to req's host (reused true) or dials one.
func (t *connTransport) conn(ctx context.Context, req *http.Request, trace *httptrace.ClientTrace) (*pooledConn, bool, error) {
	if pc := t.getIdle(); pc != nil {
		return pc, true, nil
	}
	return t.dial(ctx, req, trace)
}

// dial connects to req's host, with TLS for https. The dialer reports
// DNS and connection events to the context's trace itself.
func (t *connTransport) dial(ctx context.Context, req *http.Request, trace *httptrace.ClientTrace) (*pooledConn, bool, error) {
	conn, err := t.dialer.DialContext(ctx, "tcp", canonicalAddr(req))
	if err != nil {
		return nil, false, err
	}
	if req.URL.Scheme == "https" {
		cfg := t.tls
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = req.URL.Hostname()
		}
		tc := tls.Client(conn, cfg)
		if trace != nil && trace.TLSHandshakeStart != nil {
			trace.TLSHandshakeStart()
		}
		hctx, cancel := context.WithTimeoutCause(ctx, tlsHandshakeTimeout, errTLSHandshakeTimeout)
		err := tc.HandshakeContext(hctx)
		if err != nil && ctx.Err() == nil && errors.Is(context.Cause(hctx), errTLSHandshakeTimeout) {
			err = errTLSHandshakeTimeout
		}
		cancel()
		if trace != nil && trace.TLSHandshakeDone != nil {
			trace.TLSHandshakeDone(tc.ConnectionState(), err)
		}
		if err != nil {
			conn.Close()
			return nil, false, err
		}
		conn = tc
	}
	return &pooledConn{conn: conn, br: bufio.NewReaderSize(conn, 4096), bw: bufio.NewWriterSize(conn, 4096)}, false, nil
}

// canonicalAddr is host:port of req's URL, with the scheme's default port.
func canonicalAddr(req *http.Request) string {
	port := req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(req.URL.Hostname(), port)
}

// getIdle takes the most recently used idle connection that is still
// usable, closing those idle for too long or that the server closed (or
// wrote to) meanwhile.
func (t *connTransport) getIdle() *pooledConn {
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			return nil
		}
		pc := t.idle[n-1]
		t.idle[n-1] = nil
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if time.Since(pc.idleSince) < t.idleTimeout && pc.br.Buffered() == 0 && !peerSpoke(pc.conn) {
			return pc
		}
		pc.conn.Close()
	}
}

// putIdle keeps pc for reuse, and closes the connections idle for longer
// than the idle timeout (the oldest are first in the list).
func (t *connTransport) putIdle(pc *pooledConn) {
	now := time.Now()
	pc.idleSince = now
	var drop []*pooledConn
	t.mu.Lock()
	old := 0
	for old < len(t.idle) && now.Sub(t.idle[old].idleSince) >= t.idleTimeout {
		old++
	}
	if old > 0 {
		drop = append(drop, t.idle[:old]...)
		t.idle = append(t.idle[:0], t.idle[old:]...)
	}
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, pc)
	} else {
		drop = append(drop, pc)
	}
	t.mu.Unlock()
	for _, d := range drop {
		d.conn.Close()
	}
}

// connBody is an answer's body: at its end, closing it returns the
// connection to the pool; closed early, the connection is closed.
type connBody struct {
	rc     io.ReadCloser
	t      *connTransport
	pc     *pooledConn
	stop   func() bool
	reuse  bool
	sawEOF bool
	closed bool
}

func (b *connBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("gateway: read on a closed body")
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.sawEOF = true
	}
	return n, err
}

func (b *connBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	// stop reports false when the context already ended (and moved the
	// deadline): the connection's state is then unknown.
	live := b.stop()
	if b.sawEOF && b.reuse && live {
		b.rc.Close()
		if err := b.pc.conn.SetDeadline(time.Time{}); err == nil {
			b.t.putIdle(b.pc)
			return nil
		}
	}
	return b.pc.conn.Close()
}
