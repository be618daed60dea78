package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// maxResponseBytes caps a response body.
const maxResponseBytes = 256 << 20

// Backoff between retries: 100ms, 200ms, 400ms, ... at most 5s, each plus
// up to half again of random jitter (then capped at 5s).
const (
	backoffBase = 100 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// errAttemptTimeout is the cause of an attempt's context when
// Options.Timeout ends it (as opposed to the caller's context).
var errAttemptTimeout = errors.New("gateway: request timeout")

// Post sends req and reads the answer. It returns a *Result for every
// answer the gateway gave in an IB form (check Result.Status or Result.Err
// for an IB error), a *RequestError for invalid input (nothing sent), and an
// *Error when no usable answer came. When ctx is cancelled the error wraps
// context.Canceled.
//
// Failures where nothing was delivered, and HTTP 503/429 with a non-IB
// body, are retried up to req.Retries times with capped exponential
// backoff; nothing else is.
func (c *Client) Post(ctx context.Context, req *Request) (*Result, error) {
	start := c.now()
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		res, gerr := c.attempt(ctx, p)
		if gerr == nil {
			res.Attempts = attempt
			res.Duration = c.now().Sub(start)
			return res, nil
		}
		gerr.Attempts = attempt
		if attempt > req.Retries || !retryable(ctx, gerr) {
			return nil, gerr
		}
		d := backoff(attempt, gerr.retryAfter)
		if err := c.sleep(ctx, d); err != nil {
			last := gerr.msg
			if last == "" {
				last = gerr.defaultMessage()
			}
			return nil, &Error{Class: gerr.Class, HTTPStatus: gerr.HTTPStatus, Op: p.op, Err: err, Attempts: attempt, Body: gerr.Body,
				msg: "interrupted while waiting to retry; last attempt: " + last}
		}
	}
}

// Ping sends OperationType Ping over the HTTP connector with creds
// (OperationName may be empty): the gateway checks the node's password and
// that the destination is its local node. The answer is an IBResponse;
// Result.Status is set when the ping failed.
func (c *Client) Ping(ctx context.Context, creds ibmsg.Credentials) (*Result, error) {
	creds.OperationType = "Ping"
	return c.Post(ctx, &Request{Connector: ConnectorHTTP, Mode: CredsHeaders, Credentials: creds})
}

// retryable reports whether a failed attempt may be sent again: nothing
// was delivered, or the server said 503/429 without processing it.
func retryable(ctx context.Context, e *Error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch e.Class {
	case ClassTransport:
		return true
	case ClassHTTP:
		return e.HTTPStatus == http.StatusServiceUnavailable || e.HTTPStatus == http.StatusTooManyRequests
	}
	return false
}

// backoff is the wait before retry number attempt (1-based): 100ms
// doubling to at most 5s, plus up to half of it as jitter, and at least a
// server's Retry-After (also capped at 5s).
func backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := backoffBase
	for i := 1; i < attempt && d < backoffMax; i++ {
		d *= 2
	}
	if d > backoffMax {
		d = backoffMax
	}
	d += rand.N(d/2 + 1)
	if retryAfter > d {
		d = retryAfter
	}
	if d > backoffMax {
		d = backoffMax
	}
	return d
}

// traceState is what happened on the wire during one attempt.
type traceState struct {
	wrote    bool // the whole request was written
	dnsErr   error
	connErr  error
	connAddr string
	tlsErr   error
}

// trace records a traceState from httptrace callbacks, which may run on
// other goroutines.
type trace struct {
	mu sync.Mutex
	traceState
}

func (t *trace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSDone: func(i httptrace.DNSDoneInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.dnsErr = i.Err
		},
		ConnectDone: func(_, addr string, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			if err != nil {
				t.connErr, t.connAddr = err, addr
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.tlsErr = err
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.wrote = i.Err == nil
		},
	}
}

func (t *trace) snapshot() traceState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.traceState
}

// attempt sends p once and interprets the answer.
func (c *Client) attempt(ctx context.Context, p *prepared) (*Result, *Error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.timeout, errAttemptTimeout)
	defer cancel()
	tr := &trace{}
	_, direct := c.rt.(*connTransport)
	hr, err := p.newHTTPRequest(httptrace.WithClientTrace(actx, tr.clientTrace()), direct)
	if err != nil {
		// Cannot happen for a prepared request; reported as nothing sent.
		return nil, &Error{Class: ClassTransport, Op: p.op, Err: err}
	}
	if c.opts.Wire != nil {
		c.emit(WireRequest, c.renderRequest(hr, p.body))
	}
	resp, err := c.rt.RoundTrip(hr)
	if err != nil {
		return nil, c.transportError(ctx, actx, p, tr.snapshot(), err, false)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, c.transportError(ctx, actx, p, tr.snapshot(), err, true)
	}
	if len(raw) > maxResponseBytes {
		return nil, &Error{Class: ClassUnknown, Op: p.op, HTTPStatus: resp.StatusCode,
			msg: fmt.Sprintf("the answer is larger than %d MiB and was not read (the request may have been processed)", maxResponseBytes>>20)}
	}
	if c.opts.Wire != nil {
		c.emit(WireResponse, c.renderResponse(resp, raw))
	}
	return c.interpret(p, resp, raw)
}

// transportError classifies a failure to get an answer. Whether the whole
// request was written decides between ClassTransport and ClassUnknown.
func (c *Client) transportError(ctx, actx context.Context, p *prepared, tr traceState, err error, readingBody bool) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error's text holds the URL, which may hold the password
	}
	written := tr.wrote || readingBody
	host := c.base.Host
	e := &Error{Class: ClassTransport, Op: p.op, Err: err}
	if written {
		e.Class = ClassUnknown
	}
	const (
		safe    = " (nothing was sent; safe to retry)"
		unknown = " (it may have been processed)"
	)
	after := "after the request was sent, before an answer"
	if readingBody {
		after = "while the answer was being read"
	}

	// The caller's context: an interrupt, or the caller's own deadline.
	if cerr := ctx.Err(); cerr != nil {
		e.Err = cerr
		what := "interrupted"
		if errors.Is(cerr, context.DeadlineExceeded) {
			what = "the caller's deadline passed"
		}
		if written {
			e.msg = what + " " + after + unknown
		} else {
			e.msg = what + " before the request was sent (nothing was sent)"
		}
		return e
	}
	// Options.Timeout.
	if actx.Err() != nil && errors.Is(context.Cause(actx), errAttemptTimeout) {
		e.Err = &timeoutError{d: c.timeout}
		if written {
			if readingBody {
				e.msg = fmt.Sprintf("the answer did not arrive completely within the %s timeout%s", c.timeout, unknown)
			} else {
				e.msg = fmt.Sprintf("no answer within the %s timeout after the request was sent%s", c.timeout, unknown)
			}
		} else {
			e.msg = fmt.Sprintf("could not send the request to %s within the %s timeout%s", host, c.timeout, safe)
		}
		return e
	}

	if written {
		switch {
		case errors.Is(err, syscall.ECONNRESET):
			e.msg = "the connection was reset " + after + unknown
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "server closed"):
			e.msg = "the gateway closed the connection " + after + unknown
		default:
			e.msg = fmt.Sprintf("%v %s%s", err, after, unknown)
		}
		return e
	}

	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		uaErr   x509.UnknownAuthorityError
		hostErr x509.HostnameError
	)
	switch {
	case tr.dnsErr != nil || errors.As(err, &dnsErr):
		reason := "lookup failed"
		if errors.As(err, &dnsErr) || errors.As(tr.dnsErr, &dnsErr) {
			reason = dnsErr.Err
		}
		e.msg = fmt.Sprintf("cannot resolve host %s: %s%s", c.base.Hostname(), reason, safe)
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		e.msg = fmt.Sprintf("cannot connect through the proxy: %v%s", opErr.Err, safe)
	case errors.Is(err, syscall.ECONNREFUSED):
		addr := tr.connAddr
		if addr == "" {
			addr = host
		}
		e.msg = fmt.Sprintf("connection refused by %s%s", addr, safe)
	case tr.connErr != nil:
		e.msg = fmt.Sprintf("cannot connect to %s: %v%s", host, innermost(tr.connErr), safe)
	case tr.tlsErr != nil || errors.As(err, &certErr) || errors.As(err, &uaErr) || errors.As(err, &hostErr):
		terr := err
		if tr.tlsErr != nil {
			terr = tr.tlsErr
		}
		e.msg = fmt.Sprintf("TLS handshake with %s failed: %v%s", host, terr, safe)
	default:
		e.msg = fmt.Sprintf("cannot send the request to %s: %v%s", host, err, safe)
	}
	return e
}

// innermost strips net.OpError's "dial tcp ADDR:" prefix when there is a
// syscall error inside.
func innermost(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err
	}
	return err
}

// timeoutError is Options.Timeout running out. It matches
// context.DeadlineExceeded with errors.Is.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string   { return fmt.Sprintf("timeout after %s", e.d) }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Is(t error) bool { return t == context.DeadlineExceeded }

// interpret turns an HTTP answer into a Result, or an *Error when it is
// not an IB answer.
func (c *Client) interpret(p *prepared, resp *http.Response, raw []byte) (*Result, *Error) {
	res := &Result{HTTPStatus: resp.StatusCode, Header: resp.Header, Raw: raw, TransactionID: transactionID(resp.Header)}
	switch p.conn {
	case ConnectorPeopleSoft:
		return c.interpretMIME(p, resp, res)
	case ConnectorSOAP:
		return c.interpretSOAP(p, resp, res)
	}
	return c.interpretHTTP(p, resp, res)
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// useResponse records an IBResponse or SOAP fault in res.
func useResponse(res *Result, ibr *ibmsg.Response) {
	res.Response = ibr
	if !ibr.OK() {
		st := ibr.Status()
		res.Status = &st
	}
	if res.TransactionID == "" {
		res.TransactionID = cleanTxID(ibr.TransactionID)
	}
}

// interpretHTTP reads the HTTP listening connector's answer: an IBResponse
// (acknowledgement or error, HTTP 200), a SOAP fault, or the handler's
// reply as is.
func (c *Client) interpretHTTP(p *prepared, resp *http.Response, res *Result) (*Result, *Error) {
	raw := res.Raw
	ibr, err := ibmsg.ParseResponse(raw)
	switch {
	case err == nil:
		if ibr.OK() && !ok2xx(resp.StatusCode) {
			return nil, c.httpError(p, resp, raw)
		}
		useResponse(res, ibr)
		return res, nil
	case !ok2xx(resp.StatusCode):
		return nil, c.httpError(p, resp, raw)
	case errors.Is(err, ibmsg.ErrNotIB):
		if root, _ := ibmsg.RootElement(raw); strings.EqualFold(root, "html") {
			return nil, c.notIBError(p, resp, raw, "an HTML page, not an IB answer (is the gateway URL right?)")
		}
		res.Body = raw
		return res, nil
	}
	// Not XML, or XML psib will not parse (a DTD): a handler may answer
	// that, a web page in place of the gateway should not pass for one.
	root, rerr := ibmsg.RootElement(raw)
	switch {
	case rerr == nil && (root == "IBResponse" || root == "Envelope"):
		return nil, c.notIBError(p, resp, raw, fmt.Sprintf("an IB answer that cannot be read: %v", err))
	case isHTML(resp.Header, raw):
		return nil, c.notIBError(p, resp, raw, "an HTML page, not an IB answer (is the gateway URL right?)")
	}
	res.Body = raw
	return res, nil
}

// interpretSOAP reads the service listening connector's answer: a SOAP
// fault (HTTP 500), or an envelope whose Body is the reply or an
// acknowledgement.
func (c *Client) interpretSOAP(p *prepared, resp *http.Response, res *Result) (*Result, *Error) {
	raw := res.Raw
	if ibr, err := ibmsg.ParseResponse(raw); err == nil {
		// A SOAP fault (or a bare IBResponse, as the HTTP connector
		// answers); an envelope without a fault is ErrNotIB.
		if ibr.OK() && !ok2xx(resp.StatusCode) {
			return nil, c.httpError(p, resp, raw)
		}
		useResponse(res, ibr)
		return res, nil
	}
	env, err := ibmsg.ParseEnvelope(raw)
	if err != nil {
		if !ok2xx(resp.StatusCode) {
			return nil, c.httpError(p, resp, raw)
		}
		return nil, c.notIBError(p, resp, raw, fmt.Sprintf("not a SOAP envelope: %v", err))
	}
	if !ok2xx(resp.StatusCode) {
		return nil, c.httpError(p, resp, raw)
	}
	res.Body = env.Body
	if root, err := ibmsg.RootElement(env.Body); err == nil && root == "IBResponse" {
		if ibr, err := ibmsg.ParseResponse(env.Body); err == nil {
			useResponse(res, ibr)
		}
	}
	return res, nil
}

// interpretMIME reads the PeopleSoft listening connector's answer: an
// internal MIME message whose IBInfo carries the Status and whose
// ContentSection0 is the reply.
func (c *Client) interpretMIME(p *prepared, resp *http.Response, res *Result) (*Result, *Error) {
	raw := res.Raw
	m, err := ibmsg.ParseMessage(raw, ibmsg.Limits{MaxSectionBytes: maxResponseBytes})
	if err != nil || m.IBInfo == nil {
		if ibr, perr := ibmsg.ParseResponse(raw); perr == nil {
			useResponse(res, ibr)
			return res, nil
		}
		if !ok2xx(resp.StatusCode) {
			return nil, c.httpError(p, resp, raw)
		}
		why := "no IBInfo"
		if err != nil {
			why = err.Error()
		} else if m.IBInfoErr != nil {
			why = m.IBInfoErr.Error()
		}
		return nil, c.notIBError(p, resp, raw, "not an internal MIME answer: "+why)
	}
	st := m.Status()
	if st == nil {
		return nil, c.notIBError(p, resp, raw, "an internal MIME message without a Status (a request, not an answer)")
	}
	if !st.OK() {
		cp := *st
		res.Status = &cp
	}
	if res.TransactionID == "" {
		res.TransactionID = cleanTxID(string(m.IBInfo.TransactionID))
	}
	if len(m.Sections) > 0 {
		s := m.Sections[0]
		if s.Err != nil {
			return nil, c.notIBError(p, resp, raw, fmt.Sprintf("ContentSection0 cannot be decoded: %v", s.Err))
		}
		res.Body = s.Body
	}
	return res, nil
}

// httpError is an HTTP error status whose body is not an IB answer.
func (c *Client) httpError(p *prepared, resp *http.Response, raw []byte) *Error {
	e := &Error{Class: ClassHTTP, HTTPStatus: resp.StatusCode, Op: p.op, Body: clip(raw, maxErrorBody)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.msg = httpStatusMessage(resp.StatusCode, nil)
		if loc := resp.Header.Get("Location"); loc != "" {
			e.msg += ": redirect to " + ibmsg.RedactURL(loc) + " (not followed; is the gateway URL right?)"
		}
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && n >= 0 {
			e.retryAfter = time.Duration(n) * time.Second
		}
	}
	return e
}

// notIBError is an answer with a success status that is not an IB answer
// either (exit 5 as an HTTP-level failure).
func (c *Client) notIBError(p *prepared, resp *http.Response, raw []byte, what string) *Error {
	return &Error{Class: ClassHTTP, HTTPStatus: resp.StatusCode, Op: p.op, Body: clip(raw, maxErrorBody),
		msg: fmt.Sprintf("HTTP %d from the gateway with %s", resp.StatusCode, ibmsg.RedactString(what))}
}

func isHTML(h http.Header, raw []byte) bool {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	head := strings.ToLower(strings.TrimSpace(string(raw[:min(len(raw), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}
