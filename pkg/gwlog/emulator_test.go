package gwlog

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/emulator/emulatortest"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

// sessionClock advances one millisecond per call, so that every log entry
// has its own time and a session always logs the same times.
func sessionClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("PST", -8*3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
}

// runEmulatorSession starts psib's emulator on loopback with its gateway
// logs at level 5 in dir, and makes the calls a day of integration traffic
// has: sync posts (headers, query string, IBRequest wrapper), async
// publishes (compressed and base64 in the internal MIME), a duplicate, a
// wrong password, an unknown operation, an internal MIME post to the
// PeopleSoft listening connector, a SOAP call and injected faults.
func runEmulatorSession(t testing.TB, dir string) {
	t.Helper()
	clock := sessionClock()
	glog, err := emulator.OpenGatewayLog(emulator.GatewayLogOptions{Dir: dir, Level: emulator.LogLow, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	srv, err := emulator.New(emulator.Options{Log: glog, Clock: clock, NewID: func() string { n++; return fmt.Sprintf("8a1f0c2e-0000-4000-8000-%012d", n) }})
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := emulatortest.Start(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stop()
		glog.Close()
	}()
	host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/PSIGW")
	hlc := "/PSIGW/HttpListeningConnector"
	creds := func(op string, extra ...string) []string {
		return append([]string{"OperationName: " + op, "From: PTEST", "To: HRMS", "Password: secret", "Content-Type: text/xml"}, extra...)
	}
	rowset := func(n int) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><CHG_ASYNC_UTEST><FieldTypes><PERSON class="R"><EMPLID type="CHAR"/><NAME type="CHAR"/><BIRTHDATE type="DATE"/></PERSON><PSCAMA class="R"><AUDIT_ACTN type="CHAR"/></PSCAMA></FieldTypes><MsgData>`)
		for i := range n {
			fmt.Fprintf(&b, `<Transaction><PERSON class="R"><EMPLID>KU%04d</EMPLID><NAME>Müller,Jörg %d</NAME><BIRTHDATE>1980-01-%02d</BIRTHDATE></PERSON><PSCAMA class="R"><AUDIT_ACTN>A</AUDIT_ACTN></PSCAMA></Transaction>`, i, i, i%28+1)
		}
		b.WriteString(`</MsgData></CHG_ASYNC_UTEST>`)
		return b.String()
	}
	post := func(path string, headers []string, body string) {
		sessionPost(t, host, path, headers, body)
	}
	// Seed 000's three sync calls.
	post(hlc, creds("CHG_SYNC_TEST.v1"), `<?xml version="1.0"?><helloworld/>`)
	post(hlc, creds("CHG_SYNC_TEST.v1"), `<?xml version="1.0"?><activeusercount/>`)
	post(hlc, creds("CHG_SYNC_TEST.v1"), `<?xml version="1.0"?><blah/>`)
	// Async publishes: compressed and base64-encoded in the internal MIME.
	post(hlc, creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: batch-0001"), rowset(20))
	post(hlc, creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: batch-0001"), rowset(20)) // duplicate
	// A wrong password and an unknown operation.
	post(hlc, []string{"OperationName: CHG_SYNC_TEST.v1", "From: PTEST", "To: HRMS", "Password: wrong-password", "Content-Type: text/xml"}, `<?xml version="1.0"?><helloworld/>`)
	post(hlc, creds("NO_SUCH_OPERATION.v1"), `<?xml version="1.0"?><x/>`)
	// Credentials in the query string, and in the IBRequest wrapper.
	post(hlc+"?Operation=CHG_ECHO_TEST.v1&From=PTEST&To=HRMS&Password=secret", []string{"Content-Type: text/xml"}, `<?xml version="1.0"?><echo><v>query &amp; string</v></echo>`)
	req := &ibmsg.Request{Credentials: ibmsg.Credentials{OperationName: "CHG_ECHO_TEST.v1", From: "PTEST", To: "HRMS"}, Data: []byte(`<?xml version="1.0"?><echo>wrapped</echo>`)}
	req.Credentials.Password = secretOf("secret")
	post(hlc, []string{"Content-Type: text/xml"}, string(req.Marshal()))
	// Internal MIME to the PeopleSoft listening connector.
	info := &ibmsg.IBInfo{MessageName: "CHG_SYNC_TEST.v1", MessageType: "sync", ExternalOperationName: "CHG_SYNC_TEST.v1",
		From: &ibmsg.From{RequestingNode: "PTEST", Password: ibmsg.NodePassword{Secret: secretOf("secret")}}, To: &ibmsg.To{DestinationNode: "HRMS"}}
	msg := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: time.Date(2026, 3, 1, 9, 31, 0, 0, time.UTC), Seq: 7})
	msg.AddSection([]byte(`<?xml version="1.0"?><helloworld/>`), ibmsg.ContentEncoding{})
	mime, err := msg.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	post("/PSIGW/PeopleSoftListeningConnector", []string{"Content-Type: text/plain"}, string(mime))
	// Faults: the external system cannot be reached, the web server fails.
	post(hlc, creds("CHG_SYNC_TEST.v1", emulator.FaultHeader+": contact-error"), `<?xml version="1.0"?><helloworld/>`)
	// SOAP to the service listening connector, with the node password in
	// the query string.
	post("/PSIGW/PeopleSoftServiceListeningConnector?To=HRMS&From=PTEST&Password=secret", []string{"Content-Type: text/xml; charset=UTF-8", `SOAPAction: "CHG_ECHO_TEST.v1"`},
		`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><echo>soap</echo></soapenv:Body></soapenv:Envelope>`)
}

// sessionPost sends one request with header names exactly as given.
func sessionPost(t testing.TB, host, path string, headers []string, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: psib-emulator\r\n", path)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func TestEmulatorSessionDebug(t *testing.T) {
	dir := os.Getenv("GWLOG_SESSION")
	if dir == "" {
		t.Skip()
	}
	runEmulatorSession(t, dir)
	t.Log(filepath.Join(dir, "msgLog.html"))
}

func secretOf(s string) secret.Secret { return secret.New(s) }
