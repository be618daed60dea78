package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

const hello = `<?xml version="1.0"?><helloworld/>`

// TestSeedSyncCalls reproduces seed 000's three calls and its answers.
func TestSeedSyncCalls(t *testing.T) {
	_, base := newTestServer(t, Options{})
	tests := []struct{ body, want string }{
		{hello, "<response><helloworld>Hello Python</helloworld></response>"},
		{`<?xml version="1.0"?><activeusercount/>`, "<response><activeusercount>2</activeusercount></response>"},
		{`<?xml version="1.0"?><blah/>`, "<response><error>I do not understand. Please try again. You submitted: blah</error></response>"},
		{`<?xml version="1.0"?><HelloWorld/>`, "<helloworld>Hello Python</helloworld>"}, // Lower(NodeName)
	}
	for _, tt := range tests {
		r := rawPost(t, base, "/HttpListeningConnector", creds("CHG_SYNC_TEST.v1"), tt.body)
		if r.Err != nil || r.Status != 200 {
			t.Fatalf("%s: status %d err %v", tt.body, r.Status, r.Err)
		}
		if !strings.Contains(r.Body, tt.want) {
			t.Errorf("%s: body %q does not contain %q", tt.body, r.Body, tt.want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/xml; charset=UTF-8" {
			t.Errorf("content type %q", ct)
		}
		if r.Header.Get("transactionid") != "" {
			t.Errorf("sync answer carries a transactionid")
		}
	}
}

// TestSecurityErrors: every error is HTTP 200 with an IBResponse error.
func TestSecurityErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = append(cfg.Nodes, Node{Name: "NOUSER", Auth: "none", DefaultUser: "GHOST"})
	_, base := newTestServer(t, Options{Config: cfg})
	tests := []struct {
		name    string
		headers []string
		set, id int
		class   ibmsg.Class
		msg     string
	}{
		{"wrong password", []string{"OperationName: CHG_SYNC_TEST.v1", "From: PTEST", "Password: nope"}, 158, 45, ibmsg.ClassAuth, "User password failed."},
		{"no password", []string{"OperationName: CHG_SYNC_TEST.v1", "From: PTEST"}, 158, 45, ibmsg.ClassAuth, "User password failed."},
		{"default user missing", []string{"OperationName: CHG_SYNC_TEST.v1", "From: NOUSER"}, 158, 55, ibmsg.ClassAuth, "UserName not defined"},
		{"operation restricted", creds("CHG_ADMIN_TEST.v1"), 158, 536, ibmsg.ClassAuth, "User PS not authorized to invoke Service Operation CHG_ADMIN_TEST.v1."},
		{"no credentials", []string{"Content-Type: text/xml"}, 0, 0, ibmsg.ClassApplication, "request without credentials cannot be processed"},
		{"no From", []string{"OperationName: CHG_SYNC_TEST.v1"}, 0, 0, ibmsg.ClassApplication, "no From"},
		{"unknown node", []string{"OperationName: CHG_SYNC_TEST.v1", "From: NOBODY"}, 0, 0, ibmsg.ClassApplication, "Node NOBODY is not defined"},
		{"unknown operation", creds("NO_SUCH_OP.v1"), 0, 0, ibmsg.ClassApplication, "Unable to find a routing"},
		// PeopleSoft reads header names case-sensitively (CM): a lower-case
		// operationname is not the OperationName parameter.
		{"header case", []string{"operationname: CHG_SYNC_TEST.v1", "From: PTEST", "Password: secret"}, 0, 0, ibmsg.ClassApplication, "no OperationName"},
		// Operation names are case-sensitive too.
		{"operation case", creds("chg_sync_test.v1"), 0, 0, ibmsg.ClassApplication, "Unable to find a routing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawPost(t, base, "/HttpListeningConnector", tt.headers, hello)
			if r.Status != 200 {
				t.Fatalf("HTTP %d, want 200 (PeopleSoft answers errors with 200)", r.Status)
			}
			resp := mustResponse(t, r.Body)
			if resp.OK() {
				t.Fatalf("success, want error: %s", r.Body)
			}
			st := resp.Status()
			if st.MsgSet != tt.set || st.MsgID != tt.id || st.Class() != tt.class {
				t.Errorf("status %d/%d class %v, want %d/%d %v", st.MsgSet, st.MsgID, st.Class(), tt.set, tt.id, tt.class)
			}
			if !strings.Contains(resp.DefaultMessage, tt.msg) {
				t.Errorf("message %q does not contain %q", resp.DefaultMessage, tt.msg)
			}
		})
	}
}

func TestCredentialForms(t *testing.T) {
	_, base := newTestServer(t, Options{})
	t.Run("query string", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector?Operation=CHG_SYNC_TEST.v1&From=PTEST&To=HRMS&Password=secret", nil, hello)
		if !strings.Contains(r.Body, "Hello Python") {
			t.Errorf("body %q", r.Body)
		}
	})
	t.Run("IBRequest wrapper", func(t *testing.T) {
		req := ibmsg.Request{Credentials: ibmsg.Credentials{OperationName: "CHG_SYNC_TEST.v1", From: "PTEST", To: "HRMS", Password: secretOf("secret")}, Data: []byte(`<?xml version="1.0"?><activeusercount/>`)}
		r := rawPost(t, base, "/HttpListeningConnector", []string{"Content-Type: application/xml"}, string(req.Marshal()))
		if !strings.Contains(r.Body, "<activeusercount>2</activeusercount>") {
			t.Errorf("body %q", r.Body)
		}
	})
	t.Run("base64 body", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", creds("CHG_SYNC_TEST.v1"), base64.StdEncoding.EncodeToString([]byte(hello)))
		if !strings.Contains(r.Body, "Hello Python") {
			t.Errorf("body %q", r.Body)
		}
	})
	t.Run("gzip content encoding", func(t *testing.T) {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(hello))
		zw.Close()
		r := rawPost(t, base, "/HttpListeningConnector", creds("CHG_SYNC_TEST.v1", "Content-Encoding: gzip"), b.String())
		if !strings.Contains(r.Body, "Hello Python") {
			t.Errorf("body %q", r.Body)
		}
	})
	t.Run("get is refused", func(t *testing.T) {
		r := rawRequest(t, "GET", base+"/HttpListeningConnector?Operation=CHG_SYNC_TEST.v1&From=PTEST&Password=secret", nil, "")
		if resp := mustResponse(t, r.Body); resp.OK() {
			t.Errorf("GET accepted")
		}
	})
}

// Without Serve (plain httptest), header names arrive canonicalized; the
// emulator then matches them case-insensitively.
func TestServeHTTPFallback(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	req, _ := http.NewRequest("POST", base+"/HttpListeningConnector", strings.NewReader(hello))
	req.Header["OperationName"] = []string{"CHG_SYNC_TEST.v1"}
	req.Header["From"] = []string{"PTEST"}
	req.Header["Password"] = []string{"secret"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if !strings.Contains(b.String(), "Hello Python") {
		t.Errorf("body %q", b.String())
	}
}

func TestAsyncPublishAndDuplicates(t *testing.T) {
	srv, base := newTestServer(t, Options{})
	payload := `<?xml version="1.0"?><CHG_ASYNC_UTEST><x>1</x></CHG_ASYNC_UTEST>`
	r := rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: ext-1"), payload)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	if got := r.Header.Get("transactionid"); got != "txn-0001" {
		t.Errorf("transactionid header %q", got)
	}
	if !strings.Contains(r.Body, `<IBResponse type = "success">`) || !strings.Contains(r.Body, "<TransactionID>txn-0001</TransactionID>") {
		t.Errorf("ack %s", r.Body)
	}
	// The same ExternalMessageID again: stored once, answered as duplicate.
	r2 := rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: ext-1"), payload)
	resp := mustResponse(t, r2.Body)
	if !resp.IsDuplicate() || r2.Header.Get("transactionid") != "txn-0001" {
		t.Errorf("duplicate answer %s (txid %q)", r2.Body, r2.Header.Get("transactionid"))
	}
	// Without an id, the same content is a new message (seed 001: sent twice, processed twice).
	rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1"), payload)
	rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1"), payload)

	ins := rawRequest(t, "GET", strings.TrimSuffix(base, "/PSIGW")+PathMessages+"?wait=1", nil, "")
	var got struct {
		Counts   map[string]int  `json:"counts"`
		Messages []StoredMessage `json:"messages"`
	}
	if err := json.Unmarshal([]byte(ins.Body), &got); err != nil {
		t.Fatalf("%v: %s", err, ins.Body)
	}
	if got.Counts["messages"] != 3 || got.Counts["received"] != 4 || got.Counts["done"] != 3 {
		t.Errorf("counts %v", got.Counts)
	}
	if m := got.Messages[0]; m.ExternalMessageID != "ext-1" || m.Received != 2 || m.Payload != payload || m.From != "PTEST" || m.Status != StatusDone {
		t.Errorf("first message %+v", m)
	}
	if len(srv.Received()) != 3 {
		t.Errorf("Received() = %d", len(srv.Received()))
	}
}

func TestPing(t *testing.T) {
	_, base := newTestServer(t, Options{})
	r := rawPost(t, base, "/HttpListeningConnector", []string{"OperationType: Ping", "From: PTEST", "To: HRMS", "Password: secret"}, "")
	if resp := mustResponse(t, r.Body); !resp.OK() {
		t.Errorf("ping failed: %s", r.Body)
	}
	r = rawPost(t, base, "/HttpListeningConnector", []string{"OperationType: Ping", "From: PTEST", "To: ELSEWHERE", "Password: secret"}, "")
	if resp := mustResponse(t, r.Body); resp.OK() || !strings.Contains(resp.DefaultMessage, "Destination node does not match local node") {
		t.Errorf("ping to another node: %s", r.Body)
	}
	r = rawPost(t, base, "/HttpListeningConnector", []string{"OperationType: ping", "From: PTEST", "Password: bad"}, "")
	if resp := mustResponse(t, r.Body); resp.Status().MsgID != 45 {
		t.Errorf("ping with a bad password: %s", r.Body)
	}
}

func TestPeopleSoftListeningConnector(t *testing.T) {
	srv, base := newTestServer(t, Options{})
	build := func(op, typ string, payload string) string {
		info := &ibmsg.IBInfo{MessageName: ibmsg.CData(op), MessageType: ibmsg.Text(typ),
			From: &ibmsg.From{RequestingNode: "PTEST", Password: ibmsg.NodePassword{Secret: secretOf("secret")}}, To: &ibmsg.To{DestinationNode: "HRMS"}}
		m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: testNow})
		enc := ibmsg.ContentEncoding{}
		if typ == "async" {
			enc.Compression = ibmsg.CompressionZlib
		}
		m.AddSection([]byte(payload), enc)
		b, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	r := rawPost(t, base, "/PeopleSoftListeningConnector", nil, build("CHG_SYNC_TEST.v1", "sync", hello))
	m, err := ibmsg.ParseMessage([]byte(r.Body), ibmsg.Limits{})
	if err != nil || m.Status() == nil || !m.Status().OK() || len(m.Sections) != 1 || !strings.Contains(string(m.Sections[0].Body), "Hello Python") {
		t.Fatalf("sync MIME answer: %v\n%s", err, r.Body)
	}
	if r.Header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	r = rawPost(t, base, "/PeopleSoftListeningConnector", nil, build("CHG_ASYNC_UTEST.v1", "async", "<?xml version=\"1.0\"?><a/>"))
	m, err = ibmsg.ParseMessage([]byte(r.Body), ibmsg.Limits{})
	if err != nil || !m.Status().OK() || m.IBInfo.TransactionID != "txn-0001" {
		t.Fatalf("async MIME answer: %v\n%s", err, r.Body)
	}
	srv.Flush()
	if got := srv.Received(); len(got) != 1 || got[0].Payload != `<?xml version="1.0"?><a/>` {
		t.Errorf("stored %+v", got)
	}
	// Junk gets the 158/10408 Integration Gateway Error MIME reply.
	r = rawPost(t, base, "/PeopleSoftListeningConnector", []string{"Content-Type: application/json"}, "1\n2\n")
	m, err = ibmsg.ParseMessage([]byte(r.Body), ibmsg.Limits{})
	if err != nil || m.Status() == nil || m.Status().StatusCode != 20 || m.Status().MsgID != 10408 || m.Status().DefaultTitle != "Integration Gateway Error" {
		t.Fatalf("junk answer: %v\n%s", err, r.Body)
	}
	// GET answers the gateway status page.
	r = rawRequest(t, "GET", base+"/PeopleSoftListeningConnector", nil, "")
	if r.Status != 200 || !strings.Contains(r.Body, "PeopleSoftListeningConnector") || !strings.Contains(r.Body, "ACTIVE") {
		t.Errorf("status page %d %s", r.Status, r.Body)
	}
}
