package worklist

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
	"github.com/psib-dev/psib/pkg/secret"
)

var testNow = time.Date(2026, 3, 1, 9, 30, 0, 123_000_000, time.FixedZone("PST", -8*3600))

// testEmulator is an emulator on loopback.
type testEmulator struct {
	srv  *emulator.Server
	root string // http://127.0.0.1:PORT
}

func (e *testEmulator) base() string { return e.root + "/PSIGW" }

// markWorked plays the user marking the entry Worked.
func (e *testEmulator) markWorked(t *testing.T, id string) {
	t.Helper()
	resp, err := http.Post(e.root+emulator.PathWorklist+"/"+id+"/worked", "application/json", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mark %s worked: HTTP %d", id, resp.StatusCode)
	}
}

func startEmulator(t *testing.T, cfg *emulator.Config) *testEmulator {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Config: cfg, Clock: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testEmulator{srv: srv, root: hs.URL}
}

// ptest is the emulator's PTEST node (seed 000).
func ptest() ibmsg.Credentials {
	return ibmsg.Credentials{From: "PTEST", To: "HRMS", Password: secret.New("secret")}
}

// newTestClient returns a worklist client for the emulator with a file
// psib journal in a temporary directory and sequential request ids REQ-1, ...
func newTestClient(t *testing.T, e *testEmulator, adjust ...func(*Options)) (*Client, Journal) {
	t.Helper()
	gw, err := gateway.New(gateway.Options{BaseURL: e.base(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.CloseIdleConnections)
	pj, err := journal.Open(filepath.Join(t.TempDir(), "state", "journal.db"), journal.Options{Create: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pj.Close(); err != nil {
			t.Errorf("journal: %v", err)
		}
	})
	j := JournalOf(pj)
	var n atomic.Int64
	o := Options{Gateway: gw, Credentials: ptest(), Journal: j, Scope: Scope(gw.BaseURL(), "PTEST"),
		NewID: func() string { return fmt.Sprintf("REQ-%d", n.Add(1)) }, Now: func() time.Time { return testNow }}
	for _, f := range adjust {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, j
}

func sampleRequest() *ibmsg.CreateRequest {
	return &ibmsg.CreateRequest{WLKeys: ibmsg.WLKeys{BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, OperatorID: "VP1", Priority: "high",
		ApplicationData: []ibmsg.WLNameValue{{Name: "EMPLID", Value: "KU0001"}}}
}

// fakePoster answers from a script of results and records the requests.
type fakePoster struct {
	answers []func(*gateway.Request) (*gateway.Result, error)
	got     []*gateway.Request
}

func (f *fakePoster) Post(_ context.Context, req *gateway.Request) (*gateway.Result, error) {
	f.got = append(f.got, req)
	if len(f.answers) == 0 {
		return nil, fmt.Errorf("fakePoster: no answer left for request %d", len(f.got))
	}
	a := f.answers[0]
	if len(f.answers) > 1 {
		f.answers = f.answers[1:]
	}
	return a(req)
}

// statusAnswer answers a GETWLINSTANCE with a reply of response status rs.
func statusAnswer(rs ibmsg.WLResponseStatus, inst ibmsg.WLInstanceStatus) func(*gateway.Request) (*gateway.Result, error) {
	return func(req *gateway.Request) (*gateway.Result, error) {
		r, err := ibmsg.ParseStatusRequest(req.Payload, "")
		if err != nil {
			return nil, err
		}
		reply := ibmsg.StatusResponse{WLKeys: r.WLKeys, ResponseStatus: rs, InstanceStatus: inst, InstanceID: 1, TransactionID: 1}
		return &gateway.Result{HTTPStatus: 200, Body: reply.Marshal()}, nil
	}
}

func failAnswer(class gateway.Class) func(*gateway.Request) (*gateway.Result, error) {
	return func(*gateway.Request) (*gateway.Result, error) {
		return nil, &gateway.Error{Class: class, Op: "post GETWLINSTANCE.v1", Err: fmt.Errorf("connection refused")}
	}
}
