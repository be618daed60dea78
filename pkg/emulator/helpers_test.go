package emulator

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

var testNow = time.Date(2026, 3, 1, 9, 30, 0, 123_000_000, time.FixedZone("PST", -8*3600))

func fixedClock() time.Time { return testNow }

// seqIDs returns transaction ids txn-0001, txn-0002, ...
func seqIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("txn-%04d", n.Add(1)) }
}

// newTestServer serves a Server through Serve (raw header names kept) on a
// loopback listener and returns its base URL (.../PSIGW).
func newTestServer(t *testing.T, o Options) (*Server, string) {
	t.Helper()
	if o.Clock == nil {
		o.Clock = fixedClock
	}
	if o.NewID == nil {
		o.NewID = seqIDs()
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
	})
	return srv, "http://" + l.Addr().String() + "/PSIGW"
}

// newHTTPTest serves through plain ServeHTTP (httptest).
func newHTTPTest(t *testing.T, o Options) (*Server, string) {
	t.Helper()
	if o.Clock == nil {
		o.Clock = fixedClock
	}
	if o.NewID == nil {
		o.NewID = seqIDs()
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return srv, ts.URL + "/PSIGW"
}

type rawResponse struct {
	Status int
	Header http.Header
	Body   string
	Err    error
}

// rawPost sends a request with header names exactly as given (net/http
// would canonicalize them) and reads the response.
func rawPost(t *testing.T, base, path string, headers []string, body string) rawResponse {
	t.Helper()
	return rawRequest(t, "POST", base+path, headers, body)
}

func rawRequest(t *testing.T, method, url string, headers []string, body string) rawResponse {
	t.Helper()
	u := strings.TrimPrefix(url, "http://")
	host, path, _ := strings.Cut(u, "/")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s /%s HTTP/1.1\r\nHost: %s\r\n", method, path, host)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return rawResponse{Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(data), Err: err}
}

// creds are PTEST's headers from seed 000.
func creds(op string, extra ...string) []string {
	return append([]string{"OperationName: " + op, "From: PTEST", "To: HRMS", "Password: secret", "Content-Type: text/xml"}, extra...)
}

func mustResponse(t *testing.T, body string) *ibmsg.Response {
	t.Helper()
	r, err := ibmsg.ParseResponse([]byte(body))
	if err != nil {
		t.Fatalf("not an IBResponse: %v\n%s", err, body)
	}
	return r
}
