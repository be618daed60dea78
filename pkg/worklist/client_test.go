package worklist

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Create, Status, mark Worked, Wait: the whole flow against the emulator.
func TestCreateStatusWaitFlow(t *testing.T) {
	e := startEmulator(t, nil)
	c, j := newTestClient(t, e)
	ctx := context.Background()

	res, err := c.Create(ctx, sampleRequest(), CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeAccepted || res.Request.RequestMessageID != "REQ-1" || res.Request.Priority != "1" || res.IBTransactionID == "" || res.Resent {
		t.Fatalf("create %+v", res)
	}
	entries := e.srv.Worklist()
	if len(entries) != 1 || entries[0].RequestMessageID != "REQ-1" || entries[0].Priority != "1" || entries[0].IBTransactionID != res.IBTransactionID {
		t.Fatalf("emulator entries %+v", entries)
	}
	rec, err := j.Lookup(c.opts.Scope, "REQ-1")
	if err != nil || rec == nil || rec.State != StateAccepted || rec.IBTransactionID != res.IBTransactionID || rec.WorklistName != "HR Approvals" {
		t.Fatalf("journal %+v %v", rec, err)
	}

	// Status with the keys the journal remembers.
	remembered, err := c.Remembered("REQ-1")
	if err != nil || remembered == nil {
		t.Fatalf("remembered %v %v", remembered, err)
	}
	keys := remembered.Keys()
	st, err := c.Status(ctx, &keys)
	if err != nil {
		t.Fatal(err)
	}
	if st.ResponseStatus != ibmsg.WLResponseCreated || st.InstanceStatus != ibmsg.WLInstanceNew || st.InstanceID != 1 || st.Worked() {
		t.Errorf("status %+v", st)
	}

	// Wait: two polls before the user works the entry, then done.
	polls := 0
	var slept []time.Duration
	c.opts.Sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		if len(slept) == 2 {
			e.markWorked(t, "REQ-1")
		}
		return nil
	}
	got, err := c.Wait(ctx, &keys, WaitOptions{Interval: time.Second, Progress: func(*ibmsg.StatusResponse, error) { polls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Worked() || got.ResponseStatus != ibmsg.WLResponseSent || got.WorkedOn == "" || polls != 3 || len(slept) != 2 || slept[0] != time.Second {
		t.Errorf("wait: %+v, %d polls, slept %v", got, polls, slept)
	}
}

// Seed 004's duplicate rules, through the journal.
func TestCreateDuplicateProtection(t *testing.T) {
	e := startEmulator(t, nil)
	c, j := newTestClient(t, e)
	ctx := context.Background()
	first, err := c.Create(ctx, sampleRequest(), CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The same content again: not sent.
	again, err := c.Create(ctx, sampleRequest(), CreateOptions{})
	if err != nil || again.Outcome != OutcomeSkipped || again.Request.RequestMessageID != "REQ-1" || again.Previous == nil ||
		again.IBTransactionID != first.IBTransactionID || again.Answer != nil {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	if n := len(e.srv.Worklist()); n != 1 {
		t.Fatalf("%d entries after a repeated create", n)
	}
	// The same content with the same explicit id: also skipped.
	explicit := sampleRequest()
	explicit.RequestMessageID = "REQ-1"
	if r, err := c.Create(ctx, explicit, CreateOptions{}); err != nil || r.Outcome != OutcomeSkipped {
		t.Fatalf("explicit repeat: %+v %v", r, err)
	}
	// Other content in the same scope is another entry.
	other := sampleRequest()
	other.ApplicationData[0].Value = "KU0002"
	if r, err := c.Create(ctx, other, CreateOptions{}); err != nil || r.Outcome != OutcomeAccepted || r.Request.RequestMessageID != "REQ-2" {
		t.Fatalf("other content: %+v %v", r, err)
	}
	// Names are case-sensitive: emplid is not EMPLID.
	lower := sampleRequest()
	lower.ApplicationData[0].Name = "emplid"
	if r, err := c.Create(ctx, lower, CreateOptions{}); err != nil || r.Outcome != OutcomeAccepted {
		t.Fatalf("lower-case name: %+v %v", r, err)
	}
	// --force-new really creates another.
	forced, err := c.Create(ctx, sampleRequest(), CreateOptions{ForceNew: true})
	if err != nil || forced.Outcome != OutcomeAccepted || forced.Request.RequestMessageID != "REQ-4" {
		t.Fatalf("force new: %+v %v", forced, err)
	}
	if n := len(e.srv.Worklist()); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
	// The newest accepted create of that content is what a repeat finds.
	if r, _ := c.Create(ctx, sampleRequest(), CreateOptions{}); r.Request.RequestMessageID != "REQ-4" {
		t.Errorf("repeat after force-new: %s", r.Request.RequestMessageID)
	}

	// Conflicts: an id used for other content; --force-new with an id
	// accepted before.
	reuse := sampleRequest()
	reuse.RequestMessageID, reuse.EventName = "REQ-1", "Deny"
	var ce *ConflictError
	if _, err := c.Create(ctx, reuse, CreateOptions{}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "RequestMessageID REQ-1 was already used") {
		t.Errorf("reused id: %v", err)
	}
	if _, err := c.Create(ctx, explicit, CreateOptions{ForceNew: true}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "--force-new creates another entry") {
		t.Errorf("force-new with an accepted id: %v", err)
	}
	if n := len(e.srv.Worklist()); n != 4 {
		t.Fatalf("%d entries after refused creates, want 4", n)
	}

	// Without a journal PeopleSoft's rule applies: the same id twice is
	// rejected with a SOAP fault.
	c2, _ := newTestClient(t, e, func(o *Options) { o.Journal = nil })
	_, err = c2.Create(ctx, explicit, CreateOptions{})
	var se *ibmsg.StatusError
	if !errors.As(err, &se) || !strings.Contains(se.Status.DefaultMsg, "already created for RequestMessageID REQ-1") {
		t.Errorf("duplicate id without journal: %v", err)
	}
	// A rejected create is recorded as such; the same content then gets a
	// new id.
	bad := sampleRequest()
	bad.OperatorID = "NOBODY"
	if _, err := c.Create(ctx, bad, CreateOptions{}); !errors.As(err, &se) {
		t.Fatalf("unknown operator: %v", err)
	}
	rec, _ := j.Lookup(c.opts.Scope, "REQ-5")
	if rec == nil || rec.State != StateRejected || !strings.Contains(rec.Error, "NOBODY") {
		t.Errorf("rejected record %+v", rec)
	}
	if _, err := c.Create(ctx, bad, CreateOptions{}); !errors.As(err, &se) {
		t.Fatalf("unknown operator again: %v", err)
	}
	if rec, _ := j.Lookup(c.opts.Scope, "REQ-6"); rec == nil {
		t.Error("a rejected create's content got no new id")
	}
}

// A create whose outcome was unknown is resent with the same id; when the
// first attempt did arrive, PeopleSoft's rejection is recognised through
// GETWLINSTANCE.
func TestCreateResendAfterUnknownOutcome(t *testing.T) {
	e := startEmulator(t, nil)
	c, j := newTestClient(t, e)
	ctx := context.Background()
	req := sampleRequest()
	req.Priority = "1"
	fp := Fingerprint(c.service.CreateAction, req)
	pending := Entry{Scope: c.opts.Scope, RequestMessageID: "LOST-1", Fingerprint: fp, State: StatePending, Created: testNow.Add(-time.Hour)}
	if err := j.Record(pending); err != nil {
		t.Fatal(err)
	}
	// The first attempt never arrived: the resend creates the entry.
	res, err := c.Create(ctx, req, CreateOptions{})
	if err != nil || !res.Resent || res.Outcome != OutcomeAccepted || res.Request.RequestMessageID != "LOST-1" {
		t.Fatalf("resend: %+v %v", res, err)
	}
	if rec, _ := j.Lookup(c.opts.Scope, "LOST-1"); rec.State != StateAccepted || rec.Fingerprint != fp || rec.BusinessProcessName != "Administer Workforce" {
		t.Errorf("record %+v", rec)
	}

	// The first attempt arrived (the entry exists), the record says
	// pending: PeopleSoft rejects the resend, GETWLINSTANCE finds the entry.
	pending.RequestMessageID = "LOST-1"
	if err := j.Record(pending); err != nil {
		t.Fatal(err)
	}
	res, err = c.Create(ctx, req, CreateOptions{})
	if err != nil || !res.Resent || res.Outcome != OutcomeAccepted {
		t.Fatalf("resend of an arrived create: %+v %v", res, err)
	}
	if n := len(e.srv.Worklist()); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
	if rec, _ := j.Lookup(c.opts.Scope, "LOST-1"); rec.State != StateAccepted {
		t.Errorf("record %+v", rec)
	}
}

func TestCreateValidationSendsNothing(t *testing.T) {
	f := &fakePoster{}
	c, err := New(Options{Gateway: f})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(context.Background(), &ibmsg.CreateRequest{Priority: "urgent", ApplicationData: []ibmsg.WLNameValue{{Value: "x"}}}, CreateOptions{})
	var ve *ibmsg.WLValidationError
	if !errors.As(err, &ve) || len(ve.Missing) != 6 || len(ve.Invalid) != 1 {
		t.Fatalf("error %v", err)
	}
	if _, err := c.Status(context.Background(), &ibmsg.StatusRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: "X"}}); !errors.As(err, &ve) || len(ve.Missing) != 4 {
		t.Fatalf("status error %v", err)
	}
	if len(f.got) != 0 {
		t.Errorf("%d requests sent", len(f.got))
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New without a gateway")
	}
}

// The SOAP request: action, version, WS-Security, node credentials.
func TestRequestsOnTheWire(t *testing.T) {
	f := &fakePoster{answers: []func(*gateway.Request) (*gateway.Result, error){
		func(*gateway.Request) (*gateway.Result, error) {
			return &gateway.Result{HTTPStatus: 200, TransactionID: "T-1", Response: ibmsg.NewSuccessResponse("T-1")}, nil
		},
	}}
	svc := Names{AliasVersion: "v2", MessageVersion: "VERSION_2"}.Service()
	c, _ := New(Options{Gateway: f, Credentials: ptest(), SOAPVersion: ibmsg.SOAP12, WSUser: "VP1", Service: svc, Retries: 2,
		NewID: func() string { return "ID-1" }})
	res, err := c.Create(context.Background(), sampleRequest(), CreateOptions{})
	if err != nil || res.IBTransactionID != "T-1" {
		t.Fatalf("%+v %v", res, err)
	}
	req := f.got[0]
	if req.Connector != gateway.ConnectorSOAP || req.SOAPVersion != ibmsg.SOAP12 || req.WSUser != "VP1" || req.Retries != 2 ||
		req.Credentials.OperationName != "CREATE_WORKLIST_ITEM.v2" || req.Credentials.From != "PTEST" {
		t.Errorf("request %+v", req)
	}
	if !strings.Contains(string(req.Payload), `<CreateWorklistEntryData xmlns="http://xmlns.oracle.com/Enterprise/Tools/schemas/PT_WL_CREATE_REQUEST.VERSION_2">`) ||
		!strings.Contains(string(req.Payload), "<RequestMessageID>ID-1</RequestMessageID>") {
		t.Errorf("payload %s", req.Payload)
	}
}

// A synchronous configuration answers with the reply; an ErrorCode in it
// is a failure; any other document is not taken for success.
func TestCreateReplies(t *testing.T) {
	reply := func(code int) func(*gateway.Request) (*gateway.Result, error) {
		return func(*gateway.Request) (*gateway.Result, error) {
			r := ibmsg.CreateResponse{WLKeys: ibmsg.WLKeys{RequestMessageID: "ID-1"}, InstanceID: 9, TransactionID: 3, ErrorCode: code, ErrorDescription: "no such worklist"}
			return &gateway.Result{HTTPStatus: 200, Body: r.Marshal()}, nil
		}
	}
	for _, tt := range []struct {
		name   string
		answer func(*gateway.Request) (*gateway.Result, error)
		want   string
	}{
		{"reply", reply(0), ""},
		{"error code", reply(42), "ErrorCode 42: no such worklist"},
		{"other document", func(*gateway.Request) (*gateway.Result, error) {
			return &gateway.Result{HTTPStatus: 200, Body: []byte("<html/>")}, nil
		}, "neither an acknowledgement nor a CreateWorklistEntryResponse document (root <html>)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePoster{answers: []func(*gateway.Request) (*gateway.Result, error){tt.answer}}
			c, _ := New(Options{Gateway: f, NewID: func() string { return "ID-1" }})
			res, err := c.Create(context.Background(), sampleRequest(), CreateOptions{})
			if tt.want == "" {
				if err != nil || res.Reply == nil || res.Reply.InstanceID != 9 {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			var re *ReplyError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestStatusReplies(t *testing.T) {
	keys := &ibmsg.StatusRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: "X", BusinessProcessName: "B", ActivityName: "A", EventName: "E", WorklistName: "W"}}
	for _, tt := range []struct {
		name string
		body string
		want string
	}{
		{"other root", "<Other/>", "the answer is not a WorklistEntryStatusData document (got <Other>)"},
		{"empty", "", "(got no document)"},
		{"unreadable", "<WorklistEntryStatusData><ResponseStatus>x</ResponseStatus></WorklistEntryStatusData>", `ResponseStatus "x": want 0 to 4`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePoster{answers: []func(*gateway.Request) (*gateway.Result, error){func(*gateway.Request) (*gateway.Result, error) {
				return &gateway.Result{HTTPStatus: 200, Body: []byte(tt.body)}, nil
			}}}
			c, _ := New(Options{Gateway: f})
			if _, err := c.Status(context.Background(), keys); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// Wait with an injected clock: timeout, cancellation, retried failures,
// errors that stop it.
func TestWait(t *testing.T) {
	keys := &ibmsg.StatusRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: "X", BusinessProcessName: "B", ActivityName: "A", EventName: "E", WorklistName: "W"}}
	type answer = func(*gateway.Request) (*gateway.Result, error)
	tests := []struct {
		name    string
		answers []answer
		timeout time.Duration
		check   func(t *testing.T, got *ibmsg.StatusResponse, err error, slept []time.Duration)
	}{
		{"timeout", []answer{statusAnswer(ibmsg.WLResponseNoEntry, 0), statusAnswer(ibmsg.WLResponseCreated, ibmsg.WLInstanceSelected)}, 25 * time.Second,
			func(t *testing.T, got *ibmsg.StatusResponse, err error, slept []time.Duration) {
				var te *TimeoutError
				if !errors.As(err, &te) || te.Last == nil || te.Last.ResponseStatus != ibmsg.WLResponseCreated ||
					!strings.Contains(err.Error(), "not marked Worked within 25s (last ResponseStatus 1: created, not marked Worked)") {
					t.Errorf("error %v", err)
				}
				// 10s, 10s, then the 5s left.
				if len(slept) != 3 || slept[2] != 5*time.Second {
					t.Errorf("slept %v", slept)
				}
			}},
		{"cancelled", []answer{statusAnswer(ibmsg.WLResponseCreated, ibmsg.WLInstanceCancelled)}, 0,
			func(t *testing.T, got *ibmsg.StatusResponse, err error, _ []time.Duration) {
				var ce *CancelledError
				if !errors.As(err, &ce) || got == nil || !strings.Contains(err.Error(), "was cancelled") {
					t.Errorf("error %v", err)
				}
			}},
		{"transport failures are retried", []answer{failAnswer(gateway.ClassTransport), failAnswer(gateway.ClassUnknown),
			statusAnswer(ibmsg.WLResponsePending, ibmsg.WLInstanceWorked)}, 0,
			func(t *testing.T, got *ibmsg.StatusResponse, err error, slept []time.Duration) {
				if err != nil || !got.Worked() || len(slept) != 2 {
					t.Errorf("%+v %v %v", got, err, slept)
				}
			}},
		{"timeout after failures", []answer{failAnswer(gateway.ClassTransport)}, 15 * time.Second,
			func(t *testing.T, got *ibmsg.StatusResponse, err error, _ []time.Duration) {
				var te *TimeoutError
				if !errors.As(err, &te) || te.LastErr == nil || !strings.Contains(err.Error(), "the last poll failed") {
					t.Errorf("error %v", err)
				}
			}},
		{"an IB error stops it", []answer{func(*gateway.Request) (*gateway.Result, error) {
			st := ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45}
			return &gateway.Result{HTTPStatus: 500, Status: &st}, nil
		}}, 0,
			func(t *testing.T, _ *ibmsg.StatusResponse, err error, slept []time.Duration) {
				var se *ibmsg.StatusError
				if !errors.As(err, &se) || len(slept) != 0 {
					t.Errorf("error %v, slept %v", err, slept)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := testNow
			var slept []time.Duration
			f := &fakePoster{answers: tt.answers}
			c, _ := New(Options{Gateway: f, Now: func() time.Time { return now },
				Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }})
			got, err := c.Wait(context.Background(), keys, WaitOptions{Timeout: tt.timeout, Interval: 10 * time.Second})
			tt.check(t, got, err, slept)
		})
	}
	// An interrupt ends the wait with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakePoster{answers: []func(*gateway.Request) (*gateway.Result, error){statusAnswer(ibmsg.WLResponseCreated, 0)}}
	c, _ := New(Options{Gateway: f, Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }})
	if _, err := c.Wait(ctx, keys, WaitOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted wait: %v", err)
	}
}

// The emulator's own WSDL names what psib assumes.
func TestParseEmulatorWSDL(t *testing.T) {
	e := startEmulator(t, nil)
	for _, path := range []string{"/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl", "/PeopleSoftServiceListeningConnector?Operation=GetWSDL&wsdl=PT_WORKLIST.1"} {
		data, err := FetchWSDL(context.Background(), nil, e.base()+path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseWSDL(path, data)
		if err != nil {
			t.Fatal(err)
		}
		def := DefaultService()
		if s.CreateAction != def.CreateAction || s.StatusAction != def.StatusAction || s.CreateRequest != def.CreateRequest ||
			s.StatusRequest != def.StatusRequest || s.StatusResponse != def.StatusResponse || s.CreateResponse != def.CreateResponse ||
			s.CreateOperation != "CREATE_WORKLIST_ITEM" || s.TargetNamespace != emulator.WorklistServiceNamespace ||
			s.Location != e.base()+"/PeopleSoftServiceListeningConnector" {
			t.Errorf("%s: %+v", path, s)
		}
	}
	_, err := FetchWSDL(context.Background(), nil, e.base()+"/PeopleSoftServiceListeningConnector/NOPE.1.wsdl?Password=n0de")
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 404 || strings.Contains(err.Error(), "n0de") || !strings.Contains(err.Error(), "Password=REDACTED") {
		t.Errorf("404: %v", err)
	}
	if _, err := FetchWSDL(context.Background(), nil, "http://127.0.0.1:1/x.wsdl"); !errors.As(err, &fe) || fe.Status != 0 {
		t.Errorf("refused: %v", err)
	}
}
