package emulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// adminURL is the worklist admin endpoint of a test server (base ends in /PSIGW).
func adminURL(base, rest string) string {
	return strings.TrimSuffix(base, "/PSIGW") + PathWorklist + rest
}

func TestWorklistCreateValidation(t *testing.T) {
	srv, base := newHTTPTest(t, Options{})
	create := soapCall{action: opCreate}
	if r := create.post(t, base, createXML("DUP-1", nil)); r.Status != 200 {
		t.Fatalf("first create: %d %s", r.Status, r.Body)
	}
	tests := []struct {
		name    string
		payload string
		want    []string // in DefaultMessage
		params  []string
	}{
		{"duplicate RequestMessageID", createXML("DUP-1", nil), []string{"already created", "RequestMessageID DUP-1", "InstanceID 1"}, []string{"DUP-1", "1"}},
		{"missing fields", createXML("M-1", map[string]string{"BusinessProcessName": "-", "WorklistName": "  "}, "="),
			[]string{"required field(s) missing: BusinessProcessName, WorklistName, ApplicationData"}, []string{"BusinessProcessName", "WorklistName", "ApplicationData"}},
		{"no ApplicationData at all", strings.Replace(createXML("M-2", nil, "X=1"), "<wl:ApplicationData><wl:Name>X</wl:Name><wl:Value>1</wl:Value></wl:ApplicationData>", "", 1),
			[]string{"missing: ApplicationData"}, []string{"ApplicationData"}},
		{"bad priority", createXML("P-1", map[string]string{"Priority": "9"}), []string{`Priority "9" is not valid`}, []string{"9"}},
		{"unknown operator", createXML("O-1", map[string]string{"OperatorID": "NOBODY"}), []string{"OperatorID NOBODY is not a user profile"}, []string{"NOBODY"}},
		{"not well-formed", "<wl:CreateWorklistEntryData xmlns:wl='u'><wl:OperatorID>VP1</wl:CreateWorklistEntryData>", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rawResponse
			if tt.want == nil {
				// Malformed payload inside a well-formed envelope is impossible;
				// send the broken document as the whole body.
				r = rawPost(t, base, pathSvc, []string{"Content-Type: text/xml", "SOAPAction: " + opCreate}, tt.payload)
				if resp := mustFault(t, r, ibmsg.SOAP11); resp.MsgSet != 159 || resp.MessageID != 5 {
					t.Errorf("fault %+v", resp)
				}
				return
			}
			r = create.post(t, base, tt.payload)
			resp := mustFault(t, r, ibmsg.SOAP11)
			if resp.StatusCode != 20 || resp.MsgSet != 0 || resp.MessageID != 0 {
				t.Errorf("status %d (%d,%d)", resp.StatusCode, resp.MsgSet, resp.MessageID)
			}
			for _, w := range tt.want {
				if !strings.Contains(resp.DefaultMessage, w) {
					t.Errorf("message %q lacks %q", resp.DefaultMessage, w)
				}
			}
			if strings.Join(resp.Parameters, "|") != strings.Join(tt.params, "|") {
				t.Errorf("parameters %q, want %q", resp.Parameters, tt.params)
			}
		})
	}
	if n := len(srv.Worklist()); n != 1 {
		t.Errorf("%d entries after refused requests, want 1", n)
	}
}

func TestWorklistStatusFlow(t *testing.T) {
	srv, base := newHTTPTest(t, Options{})
	status := func(v ibmsg.SOAPVersion, reqID string, fields map[string]string) wlStatusReply {
		t.Helper()
		r := soapCall{v: v, action: opStatus}.post(t, base, statusXML(reqID, fields))
		return parseStatusReply(t, mustEnvelope(t, r, v))
	}
	// Before creation: not an error, ResponseStatus 0.
	if got := status(ibmsg.SOAP11, "FLOW-1", nil); got.ResponseStatus != "0" || got.InstanceID != "" || got.RequestMessageID != "FLOW-1" {
		t.Errorf("before create: %+v", got)
	}
	for _, id := range []string{"FLOW-0", "FLOW-1"} {
		if r := (soapCall{v: ibmsg.SOAP12, action: opCreate}).post(t, base, createXML(id, nil)); r.Status != 200 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
	}
	got := status(ibmsg.SOAP12, "FLOW-1", nil)
	if got.ResponseStatus != "1" || got.InstanceStatus != "0" || got.InstanceID != "2" || got.TransactionID != "2" || got.WorkedOn != nil ||
		len(got.AdditionalData) != 1 || got.AdditionalData[0] != (NameValue{"note", "from psib"}) {
		t.Errorf("created: %+v", got)
	}
	// Other keys, or another InstanceID: no such entry.
	if got := status(ibmsg.SOAP11, "FLOW-1", map[string]string{"EventName": "Deny"}); got.ResponseStatus != "0" {
		t.Errorf("other event: %+v", got)
	}
	if got := status(ibmsg.SOAP11, "FLOW-1", map[string]string{"InstanceID": "1"}); got.ResponseStatus != "0" {
		t.Errorf("other instance: %+v", got)
	}
	// Missing keys are an error naming them.
	r := soapCall{action: opStatus}.post(t, base, statusXML("-", map[string]string{"ActivityName": "-"}))
	if resp := mustFault(t, r, ibmsg.SOAP11); !strings.Contains(resp.DefaultMessage, "missing: RequestMessageID, ActivityName") {
		t.Errorf("missing keys: %+v", resp)
	}
	// The response is not sent before the entry is worked.
	if r := rawRequest(t, "GET", adminURL(base, "/FLOW-1/response"), nil, ""); r.Status != http.StatusConflict {
		t.Errorf("response before worked: %d %s", r.Status, r.Body)
	}

	r = rawRequest(t, "POST", adminURL(base, "/FLOW-1/worked"), []string{"Content-Type: application/json"}, `{"additional_data":[{"name":"comment","value":"approved"}]}`)
	var marked WorklistEntry
	if err := json.Unmarshal([]byte(r.Body), &marked); r.Status != 200 || err != nil {
		t.Fatalf("worked: %d %v %s", r.Status, err, r.Body)
	}
	wantWorked := ibmsg.FormatTimestamp(testNow)
	if marked.InstanceStatus != WLInstanceWorked || marked.ResponseStatus != WLResponseSent || marked.WorkedOn != wantWorked {
		t.Errorf("marked %+v", marked)
	}
	got = status(ibmsg.SOAP11, "FLOW-1", map[string]string{"InstanceID": "2"})
	if got.ResponseStatus != "4" || got.InstanceStatus != "2" || got.WorkedOn == nil || *got.WorkedOn != wantWorked ||
		len(got.AdditionalData) != 1 || got.AdditionalData[0].Value != "approved" {
		t.Errorf("worked: %+v", got)
	}
	if _, err := ibmsg.ParseTimestamp(*got.WorkedOn); err != nil {
		t.Errorf("WorkedOn: %v", err)
	}
	// The reply message the emulator "sent".
	r = rawRequest(t, "GET", adminURL(base, "/FLOW-1/response"), nil, "")
	var reply struct {
		XMLName        xml.Name
		InstanceID     string
		InstanceStatus string
		WorkedOn       string
		ErrorCode      string
	}
	if err := xml.Unmarshal([]byte(r.Body), &reply); err != nil || reply.XMLName.Local != "CreateWorklistEntryResponse" || reply.XMLName.Space != WLNamespace(WLCreateResponse) ||
		reply.InstanceID != "2" || reply.InstanceStatus != "2" || reply.WorkedOn != wantWorked || reply.ErrorCode != "0" {
		t.Errorf("reply %+v %v\n%s", reply, err, r.Body)
	}
	if r := rawRequest(t, "POST", adminURL(base, "/FLOW-1/worked"), nil, ""); r.Status != http.StatusConflict {
		t.Errorf("worked twice: %d", r.Status)
	}
	// A response that could not be sent: 3.
	if r := rawRequest(t, "POST", adminURL(base, "/FLOW-0/worked?response=failed"), nil, ""); r.Status != 200 {
		t.Fatalf("worked failed: %d %s", r.Status, r.Body)
	}
	if got := status(ibmsg.SOAP11, "FLOW-0", nil); got.ResponseStatus != "3" || got.InstanceStatus != "2" {
		t.Errorf("failed response: %+v", got)
	}
	if es := srv.Worklist(); len(es) != 2 || es[0].ResponseStatus != WLResponseSendFailed || es[1].ResponseStatus != WLResponseSent {
		t.Errorf("entries %+v", es)
	}
}

func TestWorklistAdmin(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	// RequestMessageID omitted: the IB transaction id tracks the entry.
	r := soapCall{action: opCreate}.post(t, base, createXML("-", nil))
	txid := r.Header.Get("transactionid")
	if r.Status != 200 || txid == "" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	soapCall{action: opCreate}.post(t, base, createXML("A/B 1", nil))

	r = rawRequest(t, "GET", adminURL(base, ""), nil, "")
	var list struct {
		Entries []WorklistEntry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil || r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("list: %d %v %s", r.Status, err, r.Body)
	}
	if len(list.Entries) != 2 || list.Entries[0].RequestMessageID != txid || list.Entries[0].IBTransactionID != txid || list.Entries[1].RequestMessageID != "A/B 1" {
		t.Errorf("entries %+v (txid %s)", list.Entries, txid)
	}
	if !strings.Contains(r.Body, `"request_message_id"`) || !strings.Contains(r.Body, `"application_data"`) {
		t.Errorf("JSON names: %s", r.Body)
	}
	// Path-escaped ids work.
	if r := rawRequest(t, "GET", adminURL(base, "/"+url.PathEscape("A/B 1")), nil, ""); r.Status != 200 || !strings.Contains(r.Body, `"A/B 1"`) {
		t.Errorf("escaped id: %d %s", r.Status, r.Body)
	}
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/NOPE", 404},
		{"POST", "/NOPE/worked", 404},
		{"GET", "/NOPE/response", 404},
		{"GET", "/" + txid + "/worked", 405},
		{"DELETE", "", 405},
		{"POST", "/" + txid + "/worked?response=maybe", 400},
		{"GET", "/a/b/c", 404},
	} {
		r := rawRequest(t, tt.method, adminURL(base, tt.path), nil, "")
		var e struct {
			Error string `json:"error"`
		}
		if r.Status != tt.status || json.Unmarshal([]byte(r.Body), &e) != nil || e.Error == "" {
			t.Errorf("%s %s: %d %s, want %d with a JSON error", tt.method, tt.path, r.Status, r.Body, tt.status)
		}
	}
	if r := rawRequest(t, "GET", strings.TrimSuffix(base, "/PSIGW")+"/psib/emulator/worklistx", nil, ""); r.Status != 404 {
		t.Errorf("worklistx: %d", r.Status)
	}
}

// A site's own namespace, an extra record level and Name/Value pairs in one
// ApplicationData element are read the same way.
func TestWorklistLenientRequest(t *testing.T) {
	srv, base := newHTTPTest(t, Options{})
	payload := `<CreateWorklistEntryData xmlns="urn:site:worklist"><Rec class="R">
  <RequestMessageID> LEN-1 </RequestMessageID><BusinessProcessName>BP</BusinessProcessName><ActivityName>A</ActivityName>
  <EventName>E</EventName><WorklistName>W</WorklistName><OperatorID>PS</OperatorID><OriginatorID>VP1</OriginatorID></Rec>
  <ApplicationData><Name>EMPLID</Name><Value>1</Value><Name>EMPL_RCD</Name><Value>0</Value></ApplicationData>
</CreateWorklistEntryData>`
	r := soapCall{action: opCreate}.post(t, base, payload)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	e := srv.Worklist()[0]
	if e.RequestMessageID != "LEN-1" || e.OriginatorID != "VP1" || e.Priority != "" || len(e.ApplicationData) != 2 || e.ApplicationData[1] != (NameValue{"EMPL_RCD", "0"}) {
		t.Errorf("entry %+v", e)
	}
	// The user of a WS-Security token is the originator by default.
	soapCall{action: opCreate, user: "VP1"}.post(t, base, createXML("LEN-2", nil))
	if e := srv.Worklist()[1]; e.OriginatorID != "VP1" {
		t.Errorf("originator %q", e.OriginatorID)
	}
}

// A sync configuration of CREATE_WORKLIST_ITEM answers the reply as it stands.
func TestWorklistCreateSync(t *testing.T) {
	cfg := DefaultConfig()
	for i := range cfg.Operations {
		if cfg.Operations[i].Handler == "worklist-create" {
			cfg.Operations[i].Type = "sync"
		}
	}
	_, base := newHTTPTest(t, Options{Config: cfg})
	body := mustEnvelope(t, soapCall{action: opCreate}.post(t, base, createXML("S-1", nil)), ibmsg.SOAP11)
	if !strings.Contains(string(body), "<CreateWorklistEntryResponse") || !strings.Contains(string(body), "<InstanceID>1</InstanceID>") {
		t.Errorf("sync create: %s", body)
	}
}

func TestWorklistConcurrentCreates(t *testing.T) {
	srv, base := newHTTPTest(t, Options{})
	const n = 16
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := soapCall{action: opCreate}.post(t, base, createXML(fmt.Sprintf("C-%d", i), nil))
			if r.Status != 200 {
				t.Errorf("create %d: %d", i, r.Status)
			}
			soapCall{action: opStatus}.post(t, base, statusXML(fmt.Sprintf("C-%d", i), nil))
		}()
	}
	// Readers race the writers.
	for i := 0; i < n; i++ {
		rawRequest(t, "GET", adminURL(base, ""), nil, "")
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, e := range srv.Worklist() {
		if seen[e.InstanceID] || e.InstanceID < 1 || e.InstanceID > n {
			t.Errorf("instance id %d", e.InstanceID)
		}
		seen[e.InstanceID] = true
	}
	if len(seen) != n {
		t.Errorf("%d entries, want %d", len(seen), n)
	}
}
