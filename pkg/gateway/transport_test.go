package gateway

import (
	"bufio"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

const ackBody = `<?xml version="1.0"?><IBResponse type="success"><DefaultTitle>Integration Broker Response</DefaultTitle><StatusCode>0</StatusCode><TransactionID>%s</TransactionID></IBResponse>`

// connServer is a loopback HTTP/1.1 server that hands each request to
// answer with its connection's number (1-based, in accept order) and the
// request's number on that connection, and counts the connections.
type connServer struct {
	URL   string
	conns atomic.Int64
	// closed gets a value each time the server has closed a connection.
	closed chan struct{}
}

// startConnServer starts a connServer. answer writes the whole answer and
// returns whether to go on reading requests on the connection; it may
// close it.
func startConnServer(t *testing.T, answer func(w *bufio.Writer, conn, req int) (keep bool)) *connServer {
	t.Helper()
	s := &connServer{closed: make(chan struct{}, 16)}
	addr := serveLoopback(t, func(c net.Conn) {
		defer func() {
			c.Close()
			select {
			case s.closed <- struct{}{}:
			default:
			}
		}()
		n := int(s.conns.Add(1))
		br, bw := bufio.NewReader(c), bufio.NewWriter(c)
		for i := 1; ; i++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				return
			}
			keep := answer(bw, n, i)
			if bw.Flush() != nil || !keep {
				return
			}
		}
	})
	s.URL = "http://" + addr + "/PSIGW"
	return s
}

// ack writes an acknowledgement whose transaction id names the connection
// and the request on it.
func ack(w *bufio.Writer, conn, req int, extraHeader string) {
	body := fmt.Sprintf(ackBody, fmt.Sprintf("c%d-r%d", conn, req))
	fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n%s\r\n%s", len(body), extraHeader, body)
}

// startAckServer starts a connServer that acknowledges every request and
// keeps its connections.
func startAckServer(t *testing.T) *connServer {
	t.Helper()
	return startConnServer(t, func(w *bufio.Writer, conn, req int) bool {
		ack(w, conn, req, "")
		return true
	})
}

func postAsync(t *testing.T, c *Client) *Result {
	t.Helper()
	res, err := c.Post(context.Background(), &Request{Credentials: ptest(opAsync), Payload: []byte(hello)})
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	return res
}

// TestConnReuse: requests in sequence share one kept-alive connection.
func TestConnReuse(t *testing.T) {
	t.Parallel()
	srv := startAckServer(t)
	c := newClient(t, srv.URL)
	for i := 1; i <= 5; i++ {
		if got, want := postAsync(t, c).TransactionID, fmt.Sprintf("c1-r%d", i); got != want {
			t.Errorf("request %d: transaction id %q, want %q", i, got, want)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestConnClosedByServer: a connection the server closed while it was
// idle is not used again (a POST on it would have an unknown outcome), nor
// one whose answer said "Connection: close", nor one the server wrote to
// after the answer (a 408 before closing): that would be read as the next
// request's answer.
func TestConnClosedByServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header, after string
	}{
		{"closed while idle", "", ""},
		{"Connection: close", "Connection: close\r\n", ""},
		{"408 then closed", "", "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startConnServer(t, func(w *bufio.Writer, conn, req int) bool {
				ack(w, conn, req, tc.header)
				w.WriteString(tc.after)
				return false // the server closes the connection
			})
			c := newClient(t, srv.URL)
			for i := 1; i <= 3; i++ {
				if got, want := postAsync(t, c).TransactionID, fmt.Sprintf("c%d-r1", i); got != want {
					t.Errorf("request %d: transaction id %q, want %q", i, got, want)
				}
				<-srv.closed
			}
			if n := srv.conns.Load(); n != 3 {
				t.Errorf("%d connections, want 3", n)
			}
		})
	}
}

// TestConnClosedByTLSServer: a TLS server closing an idle connection sends
// a close_notify alert before the end of the stream; the connection is not
// used again either.
func TestConnClosedByTLSServer(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{}, 8)
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, ackBody, fmt.Sprintf("c%d", conns.Load()))
	}))
	ts.Config.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			conns.Add(1)
		case http.StateIdle:
			c.Close() // a *tls.Conn: close_notify, then the end of the stream
			closed <- struct{}{}
		}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ts.URL+"/PSIGW", func(o *Options) { o.TLS.CAFile = caFile })
	for i := 1; i <= 3; i++ {
		if got, want := postAsync(t, c).TransactionID, fmt.Sprintf("c%d", i); got != want {
			t.Errorf("request %d: transaction id %q, want %q", i, got, want)
		}
		<-closed
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

// failingWrites is a TCP connection whose writes fail.
type failingWrites struct{ *net.TCPConn }

func (failingWrites) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestConnRewriteAfterFailedWrite: a kept-alive connection that fails
// when the request is written (the server closed it in between) gets the
// request written again on a new connection: nothing had been delivered.
func TestConnRewriteAfterFailedWrite(t *testing.T) {
	t.Parallel()
	srv := startAckServer(t)
	c := newClient(t, srv.URL)
	postAsync(t, c)
	// Make the pooled connection fail on write while its socket stays
	// quiet, as when the server closes it between the peek and the write.
	ct := c.rt.(*connTransport)
	ct.mu.Lock()
	if len(ct.idle) != 1 {
		ct.mu.Unlock()
		t.Fatalf("%d idle connections, want 1", len(ct.idle))
	}
	pc := ct.idle[0]
	pc.conn = failingWrites{pc.conn.(*net.TCPConn)}
	pc.bw = bufio.NewWriter(pc.conn)
	ct.mu.Unlock()
	res := postAsync(t, c)
	if res.TransactionID != "c2-r1" || res.Attempts != 1 {
		t.Errorf("transaction id %q after %d attempts, want c2-r1 after 1", res.TransactionID, res.Attempts)
	}
}

// TestConnAnswerForms: a chunked answer and an interim 100 Continue before
// the answer are read as HTTP/1.1 says, and the connection stays usable.
func TestConnAnswerForms(t *testing.T) {
	t.Parallel()
	srv := startConnServer(t, func(w *bufio.Writer, conn, req int) bool {
		body := fmt.Sprintf(ackBody, fmt.Sprintf("c%d-r%d", conn, req))
		if req == 1 {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
			half := len(body) / 2
			fmt.Fprintf(w, "%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, body[:half], len(body)-half, body[half:])
			return true
		}
		fmt.Fprintf(w, "HTTP/1.1 100 Continue\r\n\r\n")
		ack(w, conn, req, "")
		return true
	})
	c := newClient(t, srv.URL)
	for i := 1; i <= 2; i++ {
		res := postAsync(t, c)
		if want := fmt.Sprintf("c1-r%d", i); res.TransactionID != want || !strings.Contains(string(res.Raw), "</IBResponse>") {
			t.Errorf("request %d: transaction id %q (want %q), raw %q", i, res.TransactionID, want, res.Raw)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestConnNotReusedAfterUnreadBody: an answer too large to read is not
// left half-read on a connection that would be used again.
func TestConnNotReusedAfterUnreadBody(t *testing.T) {
	t.Parallel()
	srv := startConnServer(t, func(w *bufio.Writer, conn, req int) bool {
		if conn == 1 {
			// Claims more than it sends: the client waits, then times out.
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<partial")
			return true
		}
		ack(w, conn, req, "")
		return true
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Timeout = 200e6 })
	_, err := c.Post(context.Background(), &Request{Credentials: ptest(opAsync), Payload: []byte(hello)})
	gwError(t, err, ClassUnknown)
	if got := postAsync(t, c).TransactionID; got != "c2-r1" {
		t.Errorf("second request: transaction id %q, want c2-r1 (a new connection)", got)
	}
}
