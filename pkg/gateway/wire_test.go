package gateway

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// capture posts req to a raw TCP listener and returns the bytes it read.
func capture(t *testing.T, req *Request, opts ...func(*Options)) []byte {
	t.Helper()
	srv := startRaw(t, func(c net.Conn, _ []byte) {
		answer(c, 200, "text/xml; charset=UTF-8", "<response>ok</response>")
	})
	c := newClient(t, srv.URL, opts...)
	res, err := c.Post(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "<response>ok</response>" {
		t.Fatalf("body %q", res.Body)
	}
	select {
	case b := <-srv.captured:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("nothing captured")
	}
	return nil
}

// TestHeaderCaseOnTheWire proves PeopleSoft's exact spellings reach the
// socket (PeopleSoft reads IB header names case-sensitively), and that
// DumpRequest shows exactly what is sent.
func TestHeaderCaseOnTheWire(t *testing.T) {
	t.Parallel()
	cr := ptest(opSync)
	cr.OperationType = "Sync"
	cr.ExternalMessageID = "ext-1"
	req := &Request{Credentials: cr, Payload: []byte(hello),
		Header: []ibmsg.HeaderField{{Name: "X-lower-Case", Value: "kept"}, {Name: "content-type", Value: "application/xml"}}}
	wire := capture(t, req)
	for _, want := range []string{
		"POST /PSIGW/HttpListeningConnector HTTP/1.1\r\n",
		"\r\nOperationName: CHG_SYNC_TEST.v1\r\n",
		"\r\nOperationType: Sync\r\n",
		"\r\nFrom: PTEST\r\n",
		"\r\nTo: HRMS\r\n",
		"\r\nPassword: secret\r\n",
		"\r\nExternalMessageID: ext-1\r\n",
		"\r\nX-lower-Case: kept\r\n",
		"\r\ncontent-type: application/xml\r\n",
		"\r\nUser-Agent: psib\r\n",
		"\r\n\r\n" + hello,
	} {
		if !bytes.Contains(wire, []byte(want)) {
			t.Errorf("wire lacks %q:\n%s", want, wire)
		}
	}
	if bytes.Contains(wire, []byte("Content-Type: text/xml")) || bytes.Contains(wire, []byte("Accept-Encoding")) {
		t.Errorf("extra header did not replace Content-Type, or compression was requested:\n%s", wire)
	}

	// The dry-run dump is the wire, byte for byte but for line ends and
	// the Host port.
	c := newClient(t, "http://127.0.0.1:1/PSIGW", func(o *Options) { o.ShowSecrets = true })
	dump, err := c.DumpRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	host := "Host: " + hostOf(wire)
	want := strings.ReplaceAll(string(wire), "\r\n", "\n")
	got := strings.Replace(string(dump), "Host: 127.0.0.1:1", host, 1)
	if got != want {
		t.Errorf("DumpRequest\n%s\ndiffers from the wire\n%s", got, want)
	}
}

func hostOf(wire []byte) string {
	for _, line := range strings.Split(string(wire), "\r\n") {
		if h, ok := strings.CutPrefix(line, "Host: "); ok {
			return h
		}
	}
	return ""
}

func TestCredentialModes(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, nil)
	c := newClient(t, emu)

	t.Run("query", func(t *testing.T) {
		t.Parallel()
		req := &Request{Mode: CredsQuery, Credentials: ptest(opSync), Payload: []byte(hello)}
		wire := capture(t, req)
		line, _, _ := bytes.Cut(wire, []byte("\r\n"))
		if !bytes.Contains(line, []byte("?From=PTEST&Operation=CHG_SYNC_TEST.v1&Password=secret&To=HRMS ")) {
			t.Errorf("request line %q", line)
		}
		if bytes.Contains(wire, []byte("\r\nOperationName:")) || bytes.Contains(wire, []byte("\r\nPassword:")) {
			t.Errorf("query mode sent credential headers:\n%s", wire)
		}
		res, err := c.Post(context.Background(), req)
		if err != nil || !strings.Contains(string(res.Body), "Hello Python") {
			t.Errorf("emulator: %v %+v", err, res)
		}
	})
	t.Run("body", func(t *testing.T) {
		t.Parallel()
		req := &Request{Mode: CredsBody, Credentials: ptest(opSync), Payload: []byte(`<?xml version="1.0"?><activeusercount/>`)}
		wire := capture(t, req)
		if !bytes.Contains(wire, []byte("<IBRequest>")) || !bytes.Contains(wire, []byte("<ExternalOperationName>CHG_SYNC_TEST.v1</ExternalOperationName>")) ||
			bytes.Contains(wire, []byte("\r\nOperationName:")) {
			t.Errorf("body mode wire:\n%s", wire)
		}
		res, err := c.Post(context.Background(), req)
		if err != nil || !strings.Contains(string(res.Body), "<activeusercount>2</activeusercount>") || res.Status != nil {
			t.Errorf("emulator: %v %+v", err, res)
		}
	})
}

func TestPeopleSoftConnector(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, nil)
	c := newClient(t, emu)
	req := &Request{Connector: ConnectorPeopleSoft, Credentials: ptest(opSync), Payload: []byte(hello)}

	res, err := c.Post(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != nil || !strings.Contains(string(res.Body), "<helloworld>Hello Python</helloworld>") {
		t.Errorf("sync: status %+v body %q", res.Status, res.Body)
	}
	if !strings.Contains(string(res.Raw), "Content-ID: IBInfo") {
		t.Errorf("raw is not MIME: %q", res.Raw)
	}

	httpReq, err := c.BuildHTTP(req)
	if err != nil {
		t.Fatal(err)
	}
	if httpReq.URL.Path != "/PSIGW/PeopleSoftListeningConnector" || !strings.HasPrefix(httpReq.Header.Get("Content-Type"), "multipart/related; boundary=") {
		t.Errorf("URL %s content type %q", httpReq.URL, httpReq.Header.Get("Content-Type"))
	}

	async := &Request{Connector: ConnectorPeopleSoft, Credentials: ptest(opAsync), Payload: []byte(`<?xml version="1.0"?><PERSON/>`)}
	async.Credentials.OperationType = "async"
	res, err = c.Post(context.Background(), async)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != nil || res.TransactionID == "" || res.Body != nil {
		t.Errorf("async: status %+v txid %q body %q", res.Status, res.TransactionID, res.Body)
	}
	dump, err := c.DumpRequest(async)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dump, []byte("Content-Transfer-Encoding: base64")) {
		t.Errorf("async content not compressed and base64-encoded:\n%s", dump)
	}

	bad := &Request{Connector: ConnectorPeopleSoft, Credentials: ptest(opSync), Payload: []byte(hello)}
	bad.Credentials.Password = secretOf("nope")
	res, err = c.Post(context.Background(), bad)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, res, 158, 45, ibmsg.ClassAuth)
	if res.Body != nil {
		t.Errorf("error answer has a body %q", res.Body)
	}
}

func TestSOAPConnector(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, nil)
	c := newClient(t, emu)
	for _, v := range []ibmsg.SOAPVersion{ibmsg.SOAP11, ibmsg.SOAP12} {
		t.Run("SOAP "+v.String(), func(t *testing.T) {
			t.Parallel()
			req := &Request{Connector: ConnectorSOAP, Credentials: ptest(opSync), Payload: []byte(hello),
				SOAPVersion: v, WSUser: "PS", WSPassword: secretOf("PS")}
			hr, err := c.BuildHTTP(req)
			if err != nil {
				t.Fatal(err)
			}
			if hr.URL.Path != "/PSIGW/PeopleSoftServiceListeningConnector" || hr.URL.Query().Get("Password") != nodePassword ||
				hr.URL.Query().Get("From") != "PTEST" {
				t.Errorf("URL %s", hr.URL.Redacted())
			}
			if _, ok := hr.Header[ibmsg.HeaderPassword]; ok {
				t.Errorf("node password sent as a header")
			}
			switch v {
			case ibmsg.SOAP11:
				if got := hr.Header["SOAPAction"]; len(got) != 1 || got[0] != `"CHG_SYNC_TEST.v1"` {
					t.Errorf("SOAPAction %q", got)
				}
				if hr.Header.Get("Content-Type") != "text/xml; charset=UTF-8" {
					t.Errorf("content type %q", hr.Header.Get("Content-Type"))
				}
			case ibmsg.SOAP12:
				if hr.Header.Get("Content-Type") != `application/soap+xml; charset=UTF-8; action="CHG_SYNC_TEST.v1"` {
					t.Errorf("content type %q", hr.Header.Get("Content-Type"))
				}
			}

			res, err := c.Post(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != nil || !strings.HasPrefix(string(res.Body), "<response><helloworld>Hello Python</helloworld></response>") {
				t.Errorf("status %+v body %q", res.Status, res.Body)
			}
			if !strings.Contains(string(res.Raw), "Envelope") {
				t.Errorf("raw %q", res.Raw)
			}

			// A wrong WS-Security password is a SOAP fault wrapping 158/45.
			req.WSPassword = secretOf("wrong")
			res, err = c.Post(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, res, 158, 45, ibmsg.ClassAuth)
			if res.Response == nil || res.Response.Form != "soap-fault" || res.HTTPStatus != 500 {
				t.Errorf("response %+v HTTP %d", res.Response, res.HTTPStatus)
			}

			// Async: the acknowledgement inside the envelope.
			ack := &Request{Connector: ConnectorSOAP, Credentials: ptest(opAsync), Payload: []byte(`<PERSON/>`), SOAPVersion: v}
			res, err = c.Post(context.Background(), ack)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != nil || res.Response == nil || !res.Response.OK() || res.TransactionID == "" {
				t.Errorf("async: status %+v response %+v txid %q", res.Status, res.Response, res.TransactionID)
			}
		})
	}
}

// TestWireHook: requests and responses reach the hook, secrets redacted
// unless ShowSecrets; no error message ever holds a password.
func TestWireHook(t *testing.T) {
	t.Parallel()
	const wsPassword = "Zebra-42-ws"
	cfg := emulator.DefaultConfig()
	cfg.UserPasswords["VP1"] = wsPassword
	emu := startEmulator(t, cfg)

	requests := []*Request{
		{Credentials: ptest(opSync), Payload: []byte(hello)},
		{Mode: CredsQuery, Credentials: ptest(opSync), Payload: []byte(hello)},
		{Mode: CredsBody, Credentials: ptest(opSync), Payload: []byte(hello)},
		{Connector: ConnectorPeopleSoft, Credentials: ptest(opSync), Payload: []byte(hello)},
		{Connector: ConnectorSOAP, Credentials: ptest(opSync), Payload: []byte(hello), WSUser: "VP1", WSPassword: secretOf(wsPassword)},
		{Connector: ConnectorSOAP, Credentials: ptest(opSync), Payload: []byte(hello), SOAPVersion: ibmsg.SOAP12, WSUser: "VP1", WSPassword: secretOf(wsPassword)},
	}
	for _, show := range []bool{false, true} {
		var mu sync.Mutex
		var events []WireEvent
		c := newClient(t, emu, func(o *Options) {
			o.ShowSecrets = show
			o.Wire = func(ev WireEvent) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, ev)
			}
		})
		for i, req := range requests {
			mu.Lock()
			events = nil
			mu.Unlock()
			res, err := c.Post(context.Background(), req)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if res.Status != nil {
				t.Fatalf("request %d: %v", i, res.Err())
			}
			mu.Lock()
			got := events
			mu.Unlock()
			if len(got) != 2 || got[0].Kind != WireRequest || got[1].Kind != WireResponse {
				t.Fatalf("request %d: events %+v", i, got)
			}
			if !bytes.HasPrefix(got[0].Dump, []byte("POST /PSIGW/")) || !bytes.HasPrefix(got[1].Dump, []byte("HTTP/1.1 200 OK\n")) {
				t.Errorf("request %d: dumps\n%s\n%s", i, got[0].Dump, got[1].Dump)
			}
			reqDump := string(got[0].Dump)
			hasNode := strings.Contains(reqDump, nodePassword)
			hasWS := strings.Contains(reqDump, wsPassword)
			if !show {
				for _, ev := range got {
					if bytes.Contains(ev.Dump, []byte(nodePassword)) || bytes.Contains(ev.Dump, []byte(wsPassword)) {
						t.Errorf("request %d: %s dump reveals a password:\n%s", i, ev.Kind, ev.Dump)
					}
				}
				if !strings.Contains(reqDump, "REDACTED") {
					t.Errorf("request %d: nothing redacted:\n%s", i, reqDump)
				}
			} else if !hasNode || (req.WSUser != "" && !hasWS) {
				t.Errorf("request %d: ShowSecrets dump lacks the passwords:\n%s", i, reqDump)
			}
		}
	}

	// DumpRequest shows the exact headers, redacted.
	c := newClient(t, emu)
	dump, err := c.DumpRequest(requests[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"OperationName: CHG_SYNC_TEST.v1\n", "From: PTEST\n", "To: HRMS\n", "Password: REDACTED\n",
		"Content-Type: text/xml; charset=UTF-8\n", "\n\n" + hello} {
		if !strings.Contains(string(dump), want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
	if strings.Contains(string(dump), nodePassword) {
		t.Errorf("dump reveals the password:\n%s", dump)
	}

	// Error messages, even for a query string that holds the password.
	for _, base := range []string{"http://" + closedPort(t) + "/PSIGW", "http://u:" + nodePassword + "@" + closedPort(t) + "/PSIGW"} {
		c := newClient(t, base, func(o *Options) { o.Timeout = time.Second })
		_, err := c.Post(context.Background(), requests[1])
		if err == nil || strings.Contains(err.Error(), nodePassword) {
			t.Errorf("error %v", err)
		}
	}
}

// TestBasicAuthFromURL: user information in the base URL becomes an
// Authorization header, which dumps redact.
func TestBasicAuthFromURL(t *testing.T) {
	t.Parallel()
	srv := startRaw(t, func(c net.Conn, _ []byte) { answer(c, 200, "text/xml", "<ok/>") })
	base := strings.Replace(srv.URL, "http://", "http://gw:"+nodePassword+"@", 1)
	var dumps [][]byte
	c := newClient(t, base, func(o *Options) { o.Wire = func(ev WireEvent) { dumps = append(dumps, ev.Dump) } })
	if _, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello)}); err != nil {
		t.Fatal(err)
	}
	wire := <-srv.captured
	if !bytes.Contains(wire, []byte("\r\nAuthorization: Basic ")) {
		t.Errorf("no basic auth on the wire:\n%s", wire)
	}
	if len(dumps) == 0 || !bytes.Contains(dumps[0], []byte("Authorization: REDACTED")) {
		t.Errorf("dump %s", dumps)
	}
	if strings.Contains(c.BaseURL(), nodePassword) {
		t.Errorf("BaseURL %s", c.BaseURL())
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://127.0.0.1:1/PSIGW")
	tests := []struct {
		name string
		req  *Request
		want string
	}{
		{"unknown connector", &Request{Connector: "rest", Credentials: ptest(opSync)}, `connector "rest"`},
		{"unknown mode", &Request{Mode: "cookie", Credentials: ptest(opSync)}, `credentials mode "cookie"`},
		{"mode on soap", &Request{Connector: ConnectorSOAP, Mode: CredsQuery, Credentials: ptest(opSync)}, "http connector only"},
		{"no operation", &Request{Credentials: ibmsg.Credentials{From: "PTEST"}}, "missing OperationName"},
		{"no From", &Request{Credentials: ibmsg.Credentials{OperationName: opSync}}, "missing From"},
		{"bad operation type", &Request{Credentials: func() ibmsg.Credentials { c := ptest(opSync); c.OperationType = "sometimes"; return c }()}, "OperationType"},
		{"WS user on http", &Request{Credentials: ptest(opSync), WSUser: "PS"}, "soap connector only"},
		{"WS password alone", &Request{Connector: ConnectorSOAP, Credentials: ptest(opSync), WSPassword: secretOf("x")}, "needs a WS-Security user"},
		{"negative retries", &Request{Credentials: ptest(opSync), Retries: -1}, "retries -1"},
		{"bad header name", &Request{Credentials: ptest(opSync), Header: []ibmsg.HeaderField{{Name: "Bad Name", Value: "x"}}}, `header name "Bad Name"`},
		{"header value with CRLF", &Request{Credentials: ptest(opSync), Header: []ibmsg.HeaderField{{Name: "X", Value: "a\r\nb"}}}, "control character"},
		{"Content-Length header", &Request{Credentials: ptest(opSync), Header: []ibmsg.HeaderField{{Name: "content-length", Value: "1"}}}, "set by the HTTP client"},
		{"password with a newline", &Request{Credentials: func() ibmsg.Credentials { c := ptest(opSync); c.Password = secretOf("a\nb"); return c }()}, "node password"},
	}
	for _, tt := range tests {
		_, err := c.Post(context.Background(), tt.req)
		if !isRequestError(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want a RequestError with %q", tt.name, err, tt.want)
		}
		if _, err := c.BuildHTTP(tt.req); !isRequestError(err) {
			t.Errorf("%s: BuildHTTP error %v", tt.name, err)
		}
		if _, err := c.DumpRequest(tt.req); !isRequestError(err) {
			t.Errorf("%s: DumpRequest error %v", tt.name, err)
		}
	}

	// SOAP needs no From (the gateway uses ANONYMOUS); Host is settable.
	req := &Request{Connector: ConnectorSOAP, Credentials: ibmsg.Credentials{OperationName: opSync}, Payload: []byte(hello),
		Header: []ibmsg.HeaderField{{Name: "Host", Value: "ib.example.edu"}}}
	hr, err := c.BuildHTTP(req)
	if err != nil {
		t.Fatal(err)
	}
	if hr.Host != "ib.example.edu" || hr.URL.RawQuery != "Operation=CHG_SYNC_TEST.v1" {
		t.Errorf("host %q query %q", hr.Host, hr.URL.RawQuery)
	}
	if _, ok := hr.Header["Host"]; ok {
		t.Errorf("Host left in the header map")
	}
	body, _ := hr.GetBody()
	var b bytes.Buffer
	_, _ = b.ReadFrom(body)
	if !strings.Contains(b.String(), "<soapenv:Body>") || hr.ContentLength != int64(b.Len()) {
		t.Errorf("body %q length %d", b.String(), hr.ContentLength)
	}
	if hr.Method != http.MethodPost {
		t.Errorf("method %s", hr.Method)
	}
}
