package gateway

import (
	"context"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
)

// startTLSEmulator serves the emulator over TLS with httptest's
// self-signed certificate and returns its base URL and a CA file holding
// that certificate.
func startTLSEmulator(t *testing.T) (base, caFile string) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Clock: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.StartTLS()
	t.Cleanup(func() { ts.Close(); srv.Close() })
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(caFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return ts.URL + "/PSIGW", caFile
}

func TestTLS(t *testing.T) {
	t.Parallel()
	base, caFile := startTLSEmulator(t)
	post := func(c *Client) (*Result, error) {
		return c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	}

	t.Run("CA file", func(t *testing.T) {
		t.Parallel()
		res, err := post(newClient(t, base, func(o *Options) { o.TLS.CAFile = caFile }))
		if err != nil || !strings.Contains(string(res.Body), "Hello Python") {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("unknown authority", func(t *testing.T) {
		t.Parallel()
		_, err := post(newClient(t, base))
		e := gwError(t, err, ClassTransport)
		if !strings.Contains(e.Error(), "TLS handshake with 127.0.0.1:") || !strings.Contains(e.Error(), "x509") ||
			!strings.Contains(e.Error(), "safe to retry") {
			t.Errorf("message %q", e)
		}
	})
	t.Run("insecure", func(t *testing.T) {
		t.Parallel()
		res, err := post(newClient(t, base, func(o *Options) { o.TLS.Insecure = true }))
		if err != nil || !strings.Contains(string(res.Body), "Hello Python") {
			t.Fatalf("%v %+v", err, res)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"missing CA file", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{CAFile: missing}}, "CA file: " + missing + ": no such file"},
		{"CA file without PEM", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{CAFile: garbage}}, "no PEM certificate"},
		{"cert without key", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{CertFile: garbage}}, "needs its key"},
		{"key without cert", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{KeyFile: garbage}}, "needs its certificate"},
		{"missing cert", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{CertFile: missing, KeyFile: missing}}, "no such file"},
		{"bad cert", Options{BaseURL: "https://h/PSIGW", TLS: TLSOptions{CertFile: garbage, KeyFile: garbage}}, "client certificate"},
		{"no URL", Options{}, "no gateway URL"},
		{"bad scheme", Options{BaseURL: "ftp://h/PSIGW"}, `scheme "ftp"`},
		{"no host", Options{BaseURL: "http:///PSIGW"}, "no host"},
		{"query", Options{BaseURL: "http://h/PSIGW?Password=secret"}, "query string"},
		{"unparsable", Options{BaseURL: "http://u:secret@h:port/PSIGW"}, "not a valid URL"},
	}
	for _, tt := range tests {
		_, err := New(tt.o)
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want a ConfigError with %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), nodePassword) {
			t.Errorf("%s: error reveals a password: %v", tt.name, err)
		}
	}

	c, err := New(Options{BaseURL: "http://127.0.0.1:8000/PSIGW/"})
	if err != nil {
		t.Fatal(err)
	}
	hr, err := c.BuildHTTP(&Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	if err != nil {
		t.Fatal(err)
	}
	if hr.URL.String() != "http://127.0.0.1:8000/PSIGW/HttpListeningConnector" {
		t.Errorf("URL %s (trailing slash not trimmed)", hr.URL)
	}
}

// TestThroughProxy: with a proxy, requests go through net/http's
// Transport: the absolute URL to the proxy, PeopleSoft's header spellings
// kept, the answer read as from the gateway. A proxy that cannot be
// reached is a transport failure with nothing sent.
func TestThroughProxy(t *testing.T) {
	t.Parallel()
	proxy := startRaw(t, func(c net.Conn, _ []byte) {
		answer(c, 200, "text/xml; charset=UTF-8",
			`<?xml version="1.0"?><IBResponse type="success"><StatusCode>0</StatusCode><TransactionID>tx-1</TransactionID></IBResponse>`)
	})
	via := func(proxyURL string) func(*Options) {
		return func(o *Options) {
			o.Proxy = func(*http.Request) (*url.URL, error) { return url.Parse(proxyURL) }
		}
	}
	c := newClient(t, "http://gw.example.invalid/PSIGW", via(strings.TrimSuffix(proxy.URL, "/PSIGW")))
	if _, direct := c.rt.(*connTransport); direct {
		t.Fatal("the direct transport is used with a proxy")
	}
	cr := ptest(opAsync)
	cr.ExternalMessageID = "ext-1"
	res, err := c.Post(context.Background(), &Request{Credentials: cr, Payload: []byte(hello)})
	if err != nil {
		t.Fatal(err)
	}
	if res.TransactionID != "tx-1" {
		t.Errorf("transaction id %q, want tx-1", res.TransactionID)
	}
	wire := string(<-proxy.captured)
	for _, want := range []string{"POST http://gw.example.invalid/PSIGW/HttpListeningConnector HTTP/1.1\r\n",
		"\r\nOperationName: " + opAsync + "\r\n", "\r\nExternalMessageID: ext-1\r\n", "\r\n\r\n" + hello} {
		if !strings.Contains(wire, want) {
			t.Errorf("the proxy got\n%s\nwithout %q", wire, want)
		}
	}

	down := newClient(t, "http://gw.example.invalid/PSIGW", via("http://"+closedPort(t)))
	_, err = down.Post(context.Background(), &Request{Credentials: cr, Payload: []byte(hello)})
	e := gwError(t, err, ClassTransport)
	if !strings.Contains(e.Error(), "nothing was sent") {
		t.Errorf("error %q does not say that nothing was sent", e)
	}
}
