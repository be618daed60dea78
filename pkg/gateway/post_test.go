package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// TestOutcomes covers every exit-code class of the contract against the
// emulator and small servers that misbehave on purpose.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, nil)
	fault := func(v string) []ibmsg.HeaderField { return []ibmsg.HeaderField{{Name: emulator.FaultHeader, Value: v}} }

	tests := []struct {
		name    string
		base    func(t *testing.T) string
		opts    func(*Options)
		req     func() *Request
		check   func(t *testing.T, res *Result, err error)
		wantErr bool
	}{
		{
			name: "sync success",
			req:  func() *Request { return &Request{Credentials: ptest(opSync), Payload: []byte(hello)} },
			check: func(t *testing.T, res *Result, _ error) {
				if !strings.Contains(string(res.Body), "<helloworld>Hello Python</helloworld>") {
					t.Errorf("body %q", res.Body)
				}
				if res.Status != nil || res.Err() != nil || res.Response != nil {
					t.Errorf("status %+v, response %+v, want none", res.Status, res.Response)
				}
				if res.HTTPStatus != 200 || res.Attempts != 1 || res.TransactionID != "" {
					t.Errorf("HTTP %d, attempts %d, txid %q", res.HTTPStatus, res.Attempts, res.TransactionID)
				}
				if string(res.Raw) != string(res.Body) {
					t.Errorf("raw %q differs from body", res.Raw)
				}
			},
		},
		{
			name: "wrong node password is 158/45 with HTTP 200",
			req: func() *Request {
				cr := ptest(opSync)
				cr.Password = secretOf("nope")
				return &Request{Credentials: cr, Payload: []byte(hello)}
			},
			check: func(t *testing.T, res *Result, _ error) {
				wantStatus(t, res, 158, 45, ibmsg.ClassAuth)
				if res.HTTPStatus != 200 {
					t.Errorf("HTTP %d, want 200", res.HTTPStatus)
				}
				var se *ibmsg.StatusError
				if !errors.As(res.Err(), &se) || se.Class() != ibmsg.ClassAuth {
					t.Errorf("Err() = %v, want a StatusError of class auth", res.Err())
				}
			},
		},
		{
			name: "operation not authorized is 158/536",
			req:  func() *Request { return &Request{Credentials: ptest(opAdmin), Payload: []byte(hello)} },
			check: func(t *testing.T, res *Result, _ error) {
				wantStatus(t, res, 158, 536, ibmsg.ClassAuth)
			},
		},
		{
			name: "async acknowledgement with the transactionid header",
			req: func() *Request {
				return &Request{Credentials: ptest(opAsync), Payload: []byte(`<?xml version="1.0"?><PERSON/>`)}
			},
			check: func(t *testing.T, res *Result, _ error) {
				if res.Status != nil || res.Response == nil || !res.Response.OK() {
					t.Fatalf("status %+v response %+v, want an acknowledgement", res.Status, res.Response)
				}
				if res.TransactionID == "" || res.TransactionID != res.Header.Get("transactionid") {
					t.Errorf("transaction id %q, header %q", res.TransactionID, res.Header.Get("transactionid"))
				}
			},
		},
		{
			name: "contact error is 158/10721",
			req: func() *Request {
				return &Request{Credentials: ptest(opSync), Payload: []byte(hello), Header: fault("contact-error")}
			},
			check: func(t *testing.T, res *Result, _ error) {
				wantStatus(t, res, 158, 10721, ibmsg.ClassContact)
			},
		},
		{
			name: "closed port is a transport failure",
			base: func(t *testing.T) string { return "http://" + closedPort(t) + "/PSIGW" },
			req:  func() *Request { return &Request{Credentials: ptest(opSync), Payload: []byte(hello)} },
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassTransport)
				if !strings.Contains(e.Error(), "post CHG_SYNC_TEST.v1: connection refused by 127.0.0.1:") ||
					!strings.HasSuffix(e.Error(), "(nothing was sent; safe to retry)") {
					t.Errorf("message %q", e)
				}
			},
			wantErr: true,
		},
		{
			name: "connection dropped after the request was read is unknown",
			base: func(t *testing.T) string {
				return startRaw(t, func(c net.Conn, _ []byte) { c.Close() }).URL
			},
			req: func() *Request { return &Request{Credentials: ptest(opSync), Payload: []byte(hello)} },
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassUnknown)
				if !strings.Contains(e.Error(), "closed the connection after the request was sent") ||
					!strings.Contains(e.Error(), "it may have been processed") {
					t.Errorf("message %q", e)
				}
			},
			wantErr: true,
		},
		{
			name: "no answer within the timeout is unknown",
			base: func(t *testing.T) string { return startRaw(t, func(net.Conn, []byte) {}).URL },
			opts: func(o *Options) { o.Timeout = 200 * time.Millisecond },
			req:  func() *Request { return &Request{Credentials: ptest(opSync), Payload: []byte(hello)} },
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassUnknown)
				if !strings.Contains(e.Error(), "no answer within the 200ms timeout after the request was sent (it may have been processed)") {
					t.Errorf("message %q", e)
				}
				if !e.Timeout() || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
					t.Errorf("Timeout() %v, Is(DeadlineExceeded) %v", e.Timeout(), errors.Is(err, context.DeadlineExceeded))
				}
			},
			wantErr: true,
		},
		{
			name: "HTTP 500 HTML page",
			req: func() *Request {
				return &Request{Credentials: ptest(opSync), Payload: []byte(hello), Header: fault("status=500")}
			},
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassHTTP)
				if e.HTTPStatus != 500 || e.Auth() {
					t.Errorf("HTTP %d auth %v", e.HTTPStatus, e.Auth())
				}
				want := "post CHG_SYNC_TEST.v1: HTTP 500 Internal Server Error from the gateway (Error 500--Internal Server Error)"
				if e.Error() != want {
					t.Errorf("message\n %q, want\n %q", e, want)
				}
				if !strings.Contains(string(e.Body), "<TITLE>Error 500") {
					t.Errorf("body %q", e.Body)
				}
			},
			wantErr: true,
		},
		{
			name: "HTTP 401 from a proxy is an auth failure",
			base: func(t *testing.T) string {
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("WWW-Authenticate", `Basic realm="PSIGW"`)
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte("<html><head><title>401 Unauthorized</title></head><body>no</body></html>"))
				}))
				t.Cleanup(ts.Close)
				return ts.URL + "/PSIGW"
			},
			req: func() *Request { return &Request{Credentials: ptest(opSync), Payload: []byte(hello)} },
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassHTTP)
				if e.HTTPStatus != 401 || !e.Auth() {
					t.Errorf("HTTP %d auth %v", e.HTTPStatus, e.Auth())
				}
			},
			wantErr: true,
		},
		{
			// The emulator's reset=before fault resets the connection
			// before processing, but only after it has read the whole
			// request. From the client's side the request was written and
			// no answer came: it cannot know that nothing was processed,
			// so the honest class is ClassUnknown, not ClassTransport.
			name: "emulator reset=before is unknown from the client's view",
			req: func() *Request {
				return &Request{Credentials: ptest(opSync), Payload: []byte(hello), Header: fault("reset=before")}
			},
			check: func(t *testing.T, _ *Result, err error) {
				e := gwError(t, err, ClassUnknown)
				if !strings.Contains(e.Error(), "after the request was sent") {
					t.Errorf("message %q", e)
				}
			},
			wantErr: true,
		},
		{
			name: "emulator reset=after is unknown (the message was accepted)",
			req: func() *Request {
				return &Request{Credentials: ptest(opAsync), Payload: []byte(`<?xml version="1.0"?><PERSON/>`), Header: fault("reset=after")}
			},
			check: func(t *testing.T, _ *Result, err error) {
				gwError(t, err, ClassUnknown)
			},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := emu
			if tt.base != nil {
				base = tt.base(t)
			}
			var opts []func(*Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			c := newClient(t, base, opts...)
			res, err := c.Post(context.Background(), tt.req())
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error; result %+v", res)
				}
				if res != nil {
					t.Errorf("result %+v with the error", res)
				}
				if strings.Contains(err.Error(), nodePassword) {
					t.Errorf("error message reveals the password: %v", err)
				}
			} else if err != nil {
				t.Fatalf("Post: %v", err)
			}
			tt.check(t, res, err)
		})
	}
}

func wantStatus(t *testing.T, res *Result, set, id int, class ibmsg.Class) {
	t.Helper()
	if res.Status == nil {
		t.Fatalf("no status; body %q", res.Raw)
	}
	if res.Status.MsgSet != set || res.Status.MsgID != id || res.Status.Class() != class {
		t.Errorf("status %d/%d class %v, want %d/%d %v", res.Status.MsgSet, res.Status.MsgID, res.Status.Class(), set, id, class)
	}
	if res.Err() == nil {
		t.Errorf("Err() is nil with a status")
	}
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	c := newClient(t, startEmulator(t, nil))
	cr := ptest(opAsync)
	cr.ExternalMessageID = "psib-test-0001"
	req := &Request{Credentials: cr, Payload: []byte(`<?xml version="1.0"?><PERSON/>`)}
	first, err := c.Post(context.Background(), req)
	if err != nil || first.Status != nil || first.TransactionID == "" {
		t.Fatalf("first: %+v %v", first, err)
	}
	second, err := c.Post(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if second.Status == nil || second.Response == nil || !second.Response.IsDuplicate() || !second.IsDuplicate() {
		t.Fatalf("second: status %+v response %+v, want a duplicate", second.Status, second.Response)
	}
	if second.TransactionID != first.TransactionID {
		t.Errorf("duplicate names transaction %q, want %q", second.TransactionID, first.TransactionID)
	}
}

// TestTransactionIDHeaderFirst: the transactionid header wins over the
// IBResponse's TransactionID, and "null" means none.
func TestTransactionIDHeaderFirst(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, body, want string }{
		{"from-header", "from-body", "from-header"},
		{"", "from-body", "from-body"},
		{"", "null", ""},
	}
	for _, tt := range tests {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tt.header != "" {
				w.Header()["transactionid"] = []string{tt.header}
			}
			_, _ = w.Write(ibmsg.NewSuccessResponse(tt.body).Marshal())
		}))
		c := newClient(t, ts.URL+"/PSIGW")
		res, err := c.Post(context.Background(), &Request{Credentials: ptest(opAsync), Payload: []byte(hello)})
		ts.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.TransactionID != tt.want {
			t.Errorf("header %q body %q: transaction id %q, want %q", tt.header, tt.body, res.TransactionID, tt.want)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	c := newClient(t, startEmulator(t, nil))
	cr := ibmsg.Credentials{From: "PTEST", To: "HRMS", Password: secretOf(nodePassword)}
	res, err := c.Ping(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != nil || res.Response == nil || !res.Response.OK() || res.TransactionID != "" {
		t.Errorf("ping: status %+v response %+v txid %q", res.Status, res.Response, res.TransactionID)
	}
	cr.Password = secretOf("wrong")
	res, err = c.Ping(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, res, 158, 45, ibmsg.ClassAuth)
	cr.Password, cr.To = secretOf(nodePassword), "ELSEWHERE"
	res, err = c.Ping(context.Background(), cr)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status == nil || !strings.Contains(res.Status.DefaultMsg, "Destination node does not match local node") {
		t.Errorf("ping elsewhere: status %+v", res.Status)
	}
	if _, err := c.Ping(context.Background(), ibmsg.Credentials{}); !isRequestError(err) {
		t.Errorf("ping without From: %v, want a RequestError", err)
	}
}

// TestCancel: a caller's cancellation (SIGINT) wraps context.Canceled.
func TestCancel(t *testing.T) {
	t.Parallel()
	srv := startRaw(t, func(net.Conn, []byte) {})
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.requests.Load() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Post(ctx, &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	e := gwError(t, err, ClassUnknown)
	if !strings.Contains(e.Error(), "interrupted after the request was sent") || e.Attempts != 1 {
		t.Errorf("message %q attempts %d", e, e.Attempts)
	}

	// Cancelled before anything was sent.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = c.Post(ctx, &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	gwError(t, err, ClassTransport)
}

func TestDNSFailureIsTransport(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://psib-no-such-host.invalid/PSIGW", func(o *Options) { o.Timeout = 3 * time.Second })
	_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	gwError(t, err, ClassTransport)
}

// TestRedirectNotFollowed: a 302 to a login page is an HTTP error, never a
// GET that would pass for a reply.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var gets atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			_, _ = w.Write([]byte("<html><title>Sign in</title></html>"))
			return
		}
		http.Redirect(w, r, "/login?Password=leak", http.StatusFound)
	}))
	t.Cleanup(ts.Close)
	c := newClient(t, ts.URL+"/PSIGW")
	_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	e := gwError(t, err, ClassHTTP)
	if e.HTTPStatus != 302 || gets.Load() != 0 || strings.Contains(e.Error(), "leak") {
		t.Errorf("HTTP %d, %d GETs, message %q", e.HTTPStatus, gets.Load(), e)
	}
}

// TestHTMLWithStatus200: a web page where the gateway should be is not a
// reply.
func TestHTMLWithStatus200(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><p>hi<br></body></html>"))
	}))
	t.Cleanup(ts.Close)
	c := newClient(t, ts.URL+"/PSIGW")
	_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
	e := gwError(t, err, ClassHTTP)
	if e.HTTPStatus != 200 || !strings.Contains(e.Error(), "HTML page") {
		t.Errorf("HTTP %d message %q", e.HTTPStatus, e)
	}
}

// TestIBErrorWithHTTP500: an IBResponse or SOAP fault is an answer, whatever
// the HTTP status.
func TestIBErrorWithHTTP500(t *testing.T) {
	t.Parallel()
	st := ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, DefaultMsg: "User password failed.", Parameters: ibmsg.Params{"PTEST"}}
	resp := ibmsg.NewErrorResponse(st)
	resp.Form = "soap-fault"
	bodies := map[string][]byte{"ibresponse": ibmsg.NewErrorResponse(st).Marshal(), "soap-fault": resp.MarshalSOAPFault()}
	for name, body := range bodies {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(body)
		}))
		c := newClient(t, ts.URL+"/PSIGW")
		res, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
		ts.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.HTTPStatus != 500 {
			t.Errorf("%s: HTTP %d", name, res.HTTPStatus)
		}
		wantStatus(t, res, 158, 45, ibmsg.ClassAuth)
	}
}

func isRequestError(err error) bool {
	var re *RequestError
	return errors.As(err, &re)
}

// TestRedirectLocationRedacted: the error names where a 3xx points, with
// the URL's user information dropped and its password REDACTED; a
// Location that is not a URL is not shown at all (it may hold a
// password too). Either way, it is not followed.
func TestRedirectLocationRedacted(t *testing.T) {
	t.Parallel()
	// Locations back to the same server: a client that followed one
	// would be counted.
	for _, tc := range []struct{ location, want string }{
		{"http://admin:pw0rd@HOST/PSIGW/HttpListeningConnector?From=A&Password=topsecret",
			"redirect to http://HOST/PSIGW/HttpListeningConnector?From=A&Password=REDACTED (not followed"},
		{"http://[::1/%zz?Password=topsecret", "redirect to (unreadable URL) (not followed"},
		{"admin:pw0rd@HOST/PSIGW", "redirect to (unreadable URL) (not followed"},
	} {
		var host string
		srv := startRaw(t, func(c net.Conn, _ []byte) {
			fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
				strings.ReplaceAll(tc.location, "HOST", host))
			c.Close()
		})
		host = strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/PSIGW")
		tc.want = strings.ReplaceAll(tc.want, "HOST", host)
		c := newClient(t, srv.URL)
		_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)})
		var ge *Error
		if !errors.As(err, &ge) {
			t.Fatalf("%s: got %v, want a *gateway.Error", tc.location, err)
		}
		if ge.Class != ClassHTTP || ge.HTTPStatus != http.StatusFound {
			t.Errorf("%s: class %v, HTTP %d; want http, 302", tc.location, ge.Class, ge.HTTPStatus)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q lacks %q", tc.location, msg, tc.want)
		}
		for _, secret := range []string{"topsecret", "pw0rd"} {
			if strings.Contains(msg, secret) {
				t.Errorf("error %q shows %q", msg, secret)
			}
		}
		if n := srv.requests.Load(); n != 1 {
			t.Errorf("%s: %d requests, want 1 (redirects are not followed)", tc.location, n)
		}
	}
}
