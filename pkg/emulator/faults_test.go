package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

func TestFaultInjection(t *testing.T) {
	srv, base := newTestServer(t, Options{})
	async := creds("CHG_ASYNC_UTEST.v1")
	t.Run("status 500 HTML page, nothing processed", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(async, "X-Psib-Fault: status=500"), "<a/>")
		if r.Status != 500 || !strings.Contains(r.Body, "Error 500--Internal Server Error") {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("503", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(async, "X-Psib-Fault: status=503"), "<a/>")
		if r.Status != 503 {
			t.Errorf("status %d", r.Status)
		}
	})
	t.Run("reset before: no answer, nothing stored", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(async, "X-Psib-Fault: reset=before"), "<a/>")
		if r.Err == nil {
			t.Errorf("got an answer: %d %s", r.Status, r.Body)
		}
	})
	srv.Flush()
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("%d messages stored by requests that were refused", n)
	}
	t.Run("reset after: no answer, but the message was accepted", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(async, "X-Psib-Fault: reset=after", "ExternalMessageID: drop-1"), "<a/>")
		if r.Err == nil {
			t.Errorf("got an answer: %d %s", r.Status, r.Body)
		}
		if got := srv.Received(); len(got) != 1 || got[0].ExternalMessageID != "drop-1" {
			t.Errorf("stored %+v", got)
		}
		// The client's retry with the same id is recognised as a duplicate.
		r = rawPost(t, base, "/HttpListeningConnector", append(async, "ExternalMessageID: drop-1"), "<a/>")
		if resp := mustResponse(t, r.Body); !resp.IsDuplicate() {
			t.Errorf("retry answer %s", r.Body)
		}
	})
	t.Run("contact error 158/10721", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(creds("CHG_SYNC_TEST.v1"), "X-Psib-Fault: contact-error"), hello)
		st := mustResponse(t, r.Body).Status()
		if r.Status != 200 || st.StatusCode != 10 || st.MsgSet != 158 || st.MsgID != 10721 || st.Class() != ibmsg.ClassContact {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("bad fault header", func(t *testing.T) {
		r := rawPost(t, base, "/HttpListeningConnector", append(async, "X-Psib-Fault: explode"), "<a/>")
		if r.Status != 400 || !strings.Contains(r.Body, "unknown clause") {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
}

func TestFaultLatencyHonoursCancel(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/HttpListeningConnector", strings.NewReader(hello))
	req.Header["OperationName"] = []string{"CHG_SYNC_TEST.v1"}
	req.Header["From"] = []string{"PTEST"}
	req.Header["Password"] = []string{"secret"}
	req.Header[FaultHeader] = []string{"latency=1h"}
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want a deadline", err)
	}
}

// A seeded rate gives the same choices on every run.
func TestFaultRateIsSeeded(t *testing.T) {
	run := func() string {
		cfg := DefaultConfig()
		cfg.Faults = []Fault{{Operation: "CHG_ASYNC_UTEST.v1", Kind: "status", Status: 503, Rate: 0.3}}
		_, base := newHTTPTest(t, Options{Config: cfg, Seed: 7})
		var b strings.Builder
		for i := 0; i < 40; i++ {
			req, _ := http.NewRequest("POST", base+"/HttpListeningConnector", strings.NewReader("<a/>"))
			req.Header["OperationName"] = []string{"CHG_ASYNC_UTEST.v1"}
			req.Header["From"] = []string{"PTEST"}
			req.Header["Password"] = []string{"secret"}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Fprintf(&b, "%d ", resp.StatusCode)
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b {
		t.Errorf("runs differ:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "503"); n < 4 || n > 20 {
		t.Errorf("%d of 40 requests failed at rate 0.3: %s", n, a)
	}
}

func TestParseFaultHeader(t *testing.T) {
	f, err := ParseFaultHeader("latency=200ms; status=503; reset=after; contact-error; rate=0.25")
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 4 || f[0].Latency != 200*time.Millisecond || f[1].Status != 503 || f[2].Kind != "reset-after" || f[3].Kind != "contact-error" || f[3].Rate != 0.25 {
		t.Errorf("%+v", f)
	}
	for _, bad := range []string{"latency=fast", "status=abc", "status=200", "reset=sideways", "rate=2", "boom"} {
		if _, err := ParseFaultHeader(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

var preBlock = regexp.MustCompile(`(?s)<pre class="content">\n(.*?)</pre>`)

// TestLogsDecodeBack: what the emulator logs is the wire, and pkg/ibmsg
// reads its MIME entries back (async content compressed + base64).
func TestLogsDecodeBack(t *testing.T) {
	dir := t.TempDir()
	glog, err := OpenGatewayLog(GatewayLogOptions{Dir: dir, Level: LogLow, Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	_, base := newTestServer(t, Options{Log: glog})
	rawPost(t, base, "/HttpListeningConnector", creds("CHG_SYNC_TEST.v1"), hello)
	rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1"), `<?xml version="1.0"?><pub>données</pub>`)
	rawPost(t, base, "/HttpListeningConnector", []string{"OperationName: CHG_SYNC_TEST.v1", "From: PTEST", "Password: wrong"}, hello)
	glog.Close()
	msgLog, err := os.ReadFile(filepath.Join(dir, "msgLog.html"))
	if err != nil {
		t.Fatal(err)
	}
	var mimes []*ibmsg.Message
	var sawHeaders bool
	for _, m := range preBlock.FindAllSubmatch(msgLog, -1) {
		content := []byte(html.UnescapeString(string(m[1])))
		if bytes.HasPrefix(content, []byte("POST /PSIGW/HttpListeningConnector")) && bytes.Contains(content, []byte("\r\nOperationName: CHG_SYNC_TEST.v1\r\n")) {
			sawHeaders = true // level 5: the HTTP input with its headers, names as sent
		}
		if bytes.HasPrefix(content, []byte("Message-ID:")) {
			msg, err := ibmsg.ParseMessage(content, ibmsg.Limits{})
			if err != nil {
				t.Fatalf("logged MIME does not parse: %v\n%s", err, content)
			}
			if len(msg.Warnings) > 0 {
				t.Errorf("logged MIME needed repairs: %v", msg.Warnings)
			}
			mimes = append(mimes, msg)
		}
	}
	if !sawHeaders {
		t.Error("no level-5 HTTP request with headers in msgLog")
	}
	if len(mimes) != 6 {
		t.Fatalf("%d MIME entries, want 6 (request and response of 3 calls)", len(mimes))
	}
	if op := mimes[0].IBInfo.Operation(); op != "CHG_SYNC_TEST.v1" || mimes[0].IBInfo.RequestingNode() != "PTEST" {
		t.Errorf("first request IBInfo %+v", mimes[0].IBInfo)
	}
	if b := string(mimes[1].Sections[0].Body); !strings.Contains(b, "Hello Python") {
		t.Errorf("sync response section %q", b)
	}
	async := mimes[2]
	if s := async.Sections[0]; s.Encoding.Compression != ibmsg.CompressionZlib || !s.Encoding.Base64 || string(s.Body) != `<?xml version="1.0"?><pub>données</pub>` {
		t.Errorf("async section %+v %q", s.Encoding, s.Body)
	}
	if st := mimes[5].Status(); st == nil || st.MsgID != 45 {
		t.Errorf("error response status %+v", st)
	}
	errLog, _ := os.ReadFile(filepath.Join(dir, "errorLog.html"))
	if !bytes.Contains(errLog, []byte("User password failed. (158,45)")) {
		t.Error("errorLog has no 158/45 entry")
	}
}

func TestStoreSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.jsonl")
	srv, base := newTestServer(t, Options{StorePath: path})
	rawPost(t, base, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: keep-1"), "<a/>")
	srv.Flush()
	srv2, base2 := newTestServer(t, Options{StorePath: path, NewID: func() string { return "second" }})
	got := srv2.Received()
	if len(got) != 1 || got[0].ExternalMessageID != "keep-1" || got[0].Status != StatusDone {
		t.Fatalf("after restart: %+v", got)
	}
	// Duplicate suppression spans the restart.
	r := rawPost(t, base2, "/HttpListeningConnector", creds("CHG_ASYNC_UTEST.v1", "ExternalMessageID: keep-1"), "<a/>")
	if !mustResponse(t, r.Body).IsDuplicate() {
		t.Errorf("after restart: %s", r.Body)
	}
	if err := os.WriteFile(path, []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StorePath: path}); err == nil || !strings.Contains(err.Error(), "store.jsonl:1") {
		t.Errorf("corrupt store: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "gw.yaml")
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	tests := []struct{ yaml, want string }{
		{"local_node: HRMS\nnodez: []\n", "line 2: field nodez not found"},
		{"local_node: HRMS\noperations:\n  - name: X.v1\n    type: sometimes\n", `type "sometimes"`},
		{"operations: []\n", "local_node is required"},
		{"local_node: HRMS\nfaults:\n  - kind: explode\n", `fault kind "explode"`},
		{"local_node: HRMS\noperations:\n  - name: X.v1\n    type: sync\n    handler: template\n    template: '{{xpath \"//[\"}}'\n", "template xpath"},
	}
	for _, tt := range tests {
		p := write(tt.yaml)
		cfg, err := LoadConfig(p)
		if err == nil {
			_, err = New(Options{Config: cfg})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestHandlerKinds(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "reply.xml"), []byte("<static/>"), 0o644)
	cfg := DefaultConfig()
	cfg.Operations = append(cfg.Operations,
		Operation{Name: "FILE.v1", Type: "sync", Handler: "file", File: "reply.xml"},
		Operation{Name: "TMPL.v1", Type: "sync", Handler: "template", Template: `<reply><id>{{xpath "/order/@id"}}</id><n>{{xpath "count(//item)"}}</n></reply>`},
	)
	_, base := newTestServer(t, Options{Config: cfg, ConfigDir: dir})
	if r := rawPost(t, base, "/HttpListeningConnector", creds("FILE.v1"), "<x/>"); r.Body != "<static/>" {
		t.Errorf("file: %q", r.Body)
	}
	if r := rawPost(t, base, "/HttpListeningConnector", creds("TMPL.v1"), `<order id="A&amp;7"><item/><item/></order>`); r.Body != "<reply><id>A&amp;7</id><n>2</n></reply>" {
		t.Errorf("template: %q", r.Body)
	}
	if r := rawPost(t, base, "/HttpListeningConnector", creds("CHG_ECHO_TEST.v1"), "<echo>me</echo>"); r.Body != "<echo>me</echo>" {
		t.Errorf("echo: %q", r.Body)
	}
	r := rawPost(t, base, "/HttpListeningConnector", creds("TMPL.v1"), `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`)
	if st := mustResponse(t, r.Body).Status(); st.MsgSet != 159 || st.MsgID != 5 {
		t.Errorf("XXE: %s", r.Body)
	}
}
