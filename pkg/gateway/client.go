package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultTimeout is the whole-request timeout when Options.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// DefaultUserAgent is the User-Agent when Options.UserAgent is "".
const DefaultUserAgent = "psib"

// idleConnTimeout is below WebLogic's 30s keep-alive default, so that the
// client drops an idle connection before the server does (a POST on a
// connection the server has just closed has an unknown outcome).
const idleConnTimeout = 20 * time.Second

// TLSOptions configure TLS to the gateway. Verification is on unless
// Insecure is set.
type TLSOptions struct {
	// CAFile is a PEM file of CA certificates trusted in addition to the
	// system's.
	CAFile string
	// CertFile and KeyFile are the client certificate and its key (PEM),
	// for certificate authentication; both or neither.
	CertFile, KeyFile string
	// Insecure skips verification of the gateway's certificate.
	Insecure bool
}

// Options configure a Client.
type Options struct {
	// BaseURL is the gateway URL up to and including /PSIGW, e.g.
	// http://127.0.0.1:8000/PSIGW (a trailing slash is ignored).
	BaseURL string
	// Timeout bounds each attempt of a request as a whole: connecting,
	// sending, waiting and reading the answer. 0 means DefaultTimeout.
	Timeout time.Duration
	// TLS configures certificates and verification.
	TLS TLSOptions
	// Wire, when set, receives each request before it is sent (every
	// attempt) and each response after it is read (the verbose dump).
	// Concurrent Posts call it concurrently.
	Wire func(WireEvent)
	// ShowSecrets makes wire dumps show passwords; by default they read
	// REDACTED.
	ShowSecrets bool
	// UserAgent is sent as User-Agent; "" means DefaultUserAgent.
	UserAgent string
	// Sleep waits between retries; nil means a timer that ends early when
	// ctx ends. Tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for durations and timestamps; nil means time.Now.
	Now func() time.Time
	// Proxy picks the proxy for a request (a nil URL: none), as
	// http.Transport.Proxy does; nil means the environment's
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
}

// WireEvent is one message on the wire, for the verbose dump.
type WireEvent struct {
	// Kind is "request" or "response".
	Kind string
	// Dump is the message as HTTP/1.1 text: the request or status line,
	// the header fields (request names exactly as sent), a blank line and
	// the body. Lines end in LF. Secrets read REDACTED unless
	// Options.ShowSecrets.
	Dump []byte
}

// Wire event kinds.
const (
	WireRequest  = "request"
	WireResponse = "response"
)

// ConfigError reports a client configuration that cannot work (a bad base
// URL, an unreadable CA or certificate file). Nothing was sent.
type ConfigError struct {
	Msg string
}

// Error returns "gateway: " and the message.
func (e *ConfigError) Error() string { return "gateway: " + e.Msg }

// Client sends requests to one integration gateway. It is safe for
// concurrent use; connections are kept alive between requests.
type Client struct {
	base    *url.URL
	user    *url.Userinfo // from the base URL, sent as basic auth
	rt      http.RoundTripper
	opts    Options
	timeout time.Duration
	seq     atomic.Int64 // distinguishes MIME messages built in the same millisecond
}

// New builds a Client. A base URL that is not http(s)://host/..., or a CA,
// certificate or key file that cannot be used, is a *ConfigError.
func New(o Options) (*Client, error) {
	base, err := parseBase(o.BaseURL)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(o.TLS)
	if err != nil {
		return nil, err
	}
	proxyFor := o.Proxy
	if proxyFor == nil {
		proxyFor = http.ProxyFromEnvironment
	}
	t := &http.Transport{
		Proxy: proxyFor,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     idleConnTimeout,
		// HTTP/1.1 only: HTTP/2 lower-cases header names, and PeopleSoft
		// reads IB header names case-sensitively.
		ForceAttemptHTTP2: false,
		TLSNextProto:      map[string]func(string, *tls.Conn) http.RoundTripper{},
		// Raw is the body as the gateway sent it.
		DisableCompression:    true,
		ExpectContinueTimeout: 0,
	}
	c := &Client{base: base, opts: o, timeout: o.Timeout}
	if base.User != nil {
		c.user = base.User
		base.User = nil
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.opts.UserAgent == "" {
		c.opts.UserAgent = DefaultUserAgent
	}
	var rt http.RoundTripper = t
	if proxy, err := proxyFor(&http.Request{URL: base}); canPeek && err == nil && proxy == nil {
		rt = newConnTransport(tlsCfg)
	}
	// Requests go to the round tripper itself, not through an
	// http.Client: a redirect is answered, never followed (following a
	// 302 would turn the POST into a GET of a login page, typically), and
	// psib has no cookies or client timeout for a Client to handle.
	c.rt = rt
	return c, nil
}

// CloseIdleConnections closes the kept-alive connections that are idle.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// BaseURL returns the gateway base URL (without user information).
func (c *Client) BaseURL() string { return c.base.String() }

func parseBase(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, &ConfigError{Msg: "no gateway URL (want http(s)://host:port/PSIGW)"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the input, which may hold a password.
		return nil, &ConfigError{Msg: "gateway URL is not a valid URL (want http(s)://host:port/PSIGW)"}
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return nil, &ConfigError{Msg: fmt.Sprintf("gateway URL scheme %q: use http or https (e.g. https://host:8443/PSIGW)", u.Scheme)}
	}
	if u.Host == "" {
		return nil, &ConfigError{Msg: "gateway URL has no host (want http(s)://host:port/PSIGW)"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &ConfigError{Msg: "gateway URL must not have a query string or fragment (want http(s)://host:port/PSIGW)"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func tlsConfig(o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, &ConfigError{Msg: "CA file: " + fileProblem(err)}
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Msg: fmt.Sprintf("CA file %s: no PEM certificate in it", o.CAFile)}
		}
		cfg.RootCAs = pool
	}
	switch {
	case o.CertFile != "" && o.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, &ConfigError{Msg: "client certificate: " + fileProblem(err)}
			}
			return nil, &ConfigError{Msg: fmt.Sprintf("client certificate %s with key %s: %v", o.CertFile, o.KeyFile, err)}
		}
		cfg.Certificates = []tls.Certificate{cert}
	case o.CertFile != "":
		return nil, &ConfigError{Msg: "a client certificate needs its key file too"}
	case o.KeyFile != "":
		return nil, &ConfigError{Msg: "a client key needs its certificate file too"}
	}
	return cfg, nil
}

// fileProblem describes a file error as "NAME: reason".
func fileProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason := pe.Err.Error()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			reason = "no such file"
		case errors.Is(err, fs.ErrPermission):
			reason = "permission denied"
		}
		return pe.Path + ": " + reason
	}
	return err.Error()
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

// sleep waits d for a retry, ending early with ctx's error.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.opts.Sleep != nil {
		return c.opts.Sleep(ctx, d)
	}
	return SleepContext(ctx, d)
}

// SleepContext waits d, or until ctx is done (then it returns ctx's
// error): the wait between retries, also for the packages built on this
// one.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) emit(kind string, dump []byte) {
	if c.opts.Wire == nil {
		return
	}
	c.opts.Wire(WireEvent{Kind: kind, Dump: dump})
}
