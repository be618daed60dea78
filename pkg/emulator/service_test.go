package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

const (
	opCreate = "CREATE_WORKLIST_ITEM.v1"
	opStatus = "GETWLINSTANCE.v1"
	pathSvc  = "/PeopleSoftServiceListeningConnector"
)

// wlKeys are the keys of the test worklist entries.
var wlKeys = map[string]string{"BusinessProcessName": "Administer Workforce", "ActivityName": "Hire", "EventName": "Approve", "WorklistName": "HR Approvals"}

// createXML is a CreateWorklistEntryData; fields override the defaults
// ("-" removes a field), app is ApplicationData name=value pairs.
func createXML(reqID string, fields map[string]string, app ...string) string {
	f := map[string]string{"RequestMessageID": reqID, "OperatorID": "VP1", "Priority": "1"}
	for k, v := range wlKeys {
		f[k] = v
	}
	for k, v := range fields {
		f[k] = v
	}
	if app == nil {
		app = []string{"EMPLID=KU0001", "EFFDT=2026-03-01"}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<wl:CreateWorklistEntryData xmlns:wl="%s">`, WLNamespace(WLCreateRequest))
	for _, k := range []string{"RequestMessageID", "BusinessProcessName", "ActivityName", "EventName", "WorklistName", "OperatorID", "OriginatorID", "Priority"} {
		if v, ok := f[k]; ok && v != "-" {
			fmt.Fprintf(&b, "<wl:%s>%s</wl:%s>", k, escape(v), k)
		}
	}
	for _, nv := range app {
		n, v, _ := strings.Cut(nv, "=")
		fmt.Fprintf(&b, "<wl:ApplicationData><wl:Name>%s</wl:Name><wl:Value>%s</wl:Value></wl:ApplicationData>", escape(n), escape(v))
	}
	b.WriteString(`<wl:AdditionalData><wl:Name>note</wl:Name><wl:Value>from psib</wl:Value></wl:AdditionalData>`)
	b.WriteString("</wl:CreateWorklistEntryData>")
	return b.String()
}

// statusXML is a GetWorklistEntryStatusData for reqID with the test keys.
func statusXML(reqID string, fields map[string]string) string {
	f := map[string]string{"RequestMessageID": reqID}
	for k, v := range wlKeys {
		f[k] = v
	}
	for k, v := range fields {
		f[k] = v
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<GetWorklistEntryStatusData xmlns="%s">`, WLNamespace(WLStatusRequest))
	for _, k := range []string{"RequestMessageID", "BusinessProcessName", "ActivityName", "EventName", "WorklistName", "InstanceID"} {
		if v, ok := f[k]; ok && v != "-" {
			fmt.Fprintf(&b, "<%s>%s</%s>", k, escape(v), k)
		}
	}
	b.WriteString("</GetWorklistEntryStatusData>")
	return b.String()
}

// soapCall posts payload in a SOAP envelope of version v with action (SOAP
// 1.1: quoted SOAPAction header; 1.2: action in the content type).
type soapCall struct {
	v            ibmsg.SOAPVersion
	action       string
	query        string
	user         string // WS-Security UsernameToken user, "" for none
	userPassword string // its password; "" means the user id
	headers      []string
}

func (sc soapCall) post(t *testing.T, base, payload string) rawResponse {
	t.Helper()
	env := &ibmsg.Envelope{Version: sc.v, Body: []byte(payload)}
	if sc.user != "" {
		pw := sc.userPassword
		if pw == "" {
			pw = sc.user // the default configuration: password = user id
		}
		env.Security = &ibmsg.UsernameToken{Username: sc.user, Password: secret.New(pw)}
	}
	var h []string
	if sc.v == ibmsg.SOAP12 {
		h = append(h, "Content-Type: "+ibmsg.SOAPContentType(ibmsg.SOAP12, sc.action))
	} else {
		h = append(h, "Content-Type: text/xml;charset=UTF-8")
		if sc.action != "" {
			h = append(h, `SOAPAction: "`+sc.action+`"`)
		}
	}
	return rawPost(t, base, pathSvc+sc.query, append(h, sc.headers...), string(env.Marshal()))
}

// mustEnvelope checks a 200 SOAP answer of version v and returns its body.
func mustEnvelope(t *testing.T, r rawResponse, v ibmsg.SOAPVersion) []byte {
	t.Helper()
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("HTTP %d (%v), want 200:\n%s", r.Status, r.Err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != ibmsg.SOAPContentType(v, "") {
		t.Errorf("content type %q, want %q", ct, ibmsg.SOAPContentType(v, ""))
	}
	env, err := ibmsg.ParseEnvelope([]byte(r.Body))
	if err != nil {
		t.Fatalf("not a SOAP envelope: %v\n%s", err, r.Body)
	}
	if env.Version != v {
		t.Errorf("answer is SOAP %v, want %v", env.Version, v)
	}
	return env.Body
}

// mustFault checks a SOAP fault (HTTP 500) of version v and returns the
// IBResponse it wraps.
func mustFault(t *testing.T, r rawResponse, v ibmsg.SOAPVersion) *ibmsg.Response {
	t.Helper()
	if r.Err != nil || r.Status != http.StatusInternalServerError {
		t.Fatalf("HTTP %d (%v), want 500 with a SOAP fault:\n%s", r.Status, r.Err, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != ibmsg.SOAPContentType(v, "") {
		t.Errorf("content type %q", ct)
	}
	env, err := ibmsg.ParseEnvelope([]byte(r.Body))
	if err != nil || env.Version != v {
		t.Fatalf("fault envelope %v (version %v):\n%s", err, env, r.Body)
	}
	resp, err := ibmsg.ParseResponse([]byte(r.Body))
	if err != nil {
		t.Fatalf("fault does not parse: %v\n%s", err, r.Body)
	}
	if resp.OK() || resp.Form != "soap-fault" || !strings.Contains(r.Body, `<IBResponse xmlns="" type="error">`) {
		t.Fatalf("not a fault wrapping an IBResponse error: %+v\n%s", resp, r.Body)
	}
	return resp
}

// wlStatusReply is a WorklistEntryStatusData read by local names.
type wlStatusReply struct {
	XMLName          xml.Name
	RequestMessageID string
	InstanceID       string
	TransactionID    string
	InstanceStatus   string
	ResponseStatus   string
	WorkedOn         *string
	AdditionalData   []NameValue
}

func parseStatusReply(t *testing.T, body []byte) wlStatusReply {
	t.Helper()
	var r wlStatusReply
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if r.XMLName.Local != "WorklistEntryStatusData" || r.XMLName.Space != WLNamespace(WLStatusResponse) {
		t.Errorf("root %v", r.XMLName)
	}
	return r
}

func TestServiceCreateAcknowledged(t *testing.T) {
	srv, base := newHTTPTest(t, Options{})
	for i, v := range []ibmsg.SOAPVersion{ibmsg.SOAP11, ibmsg.SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			r := soapCall{v: v, action: opCreate}.post(t, base, createXML(fmt.Sprintf("REQ-%d", i), nil))
			body := mustEnvelope(t, r, v)
			ack, err := ibmsg.ParseResponse(body)
			if err != nil {
				t.Fatalf("%v\n%s", err, body)
			}
			txid := r.Header.Get("transactionid")
			if !ack.OK() || txid == "" || ack.TransactionID != txid {
				t.Errorf("ack %+v, transactionid header %q", ack, txid)
			}
		})
	}
	entries := srv.Worklist()
	if len(entries) != 2 {
		t.Fatalf("entries %+v", entries)
	}
	e := entries[1]
	if e.InstanceID != 2 || e.TransactionID != 2 || e.RequestMessageID != "REQ-1" || e.InstanceStatus != WLInstanceNew || e.ResponseStatus != WLResponseCreated ||
		e.OperatorID != "VP1" || e.OriginatorID != "PS" || e.From != anonymousNode || e.Priority != "1" ||
		len(e.ApplicationData) != 2 || e.ApplicationData[0] != (NameValue{"EMPLID", "KU0001"}) || len(e.AdditionalData) != 1 {
		t.Errorf("entry %+v", e)
	}
	// The async message is in the queue too, under the acknowledged id.
	if got := srv.Received(); len(got) != 2 || got[1].TransactionID != e.IBTransactionID || got[1].Operation != opCreate {
		t.Errorf("queue %+v, entry txid %s", got, e.IBTransactionID)
	}
}

func TestServiceParameterSources(t *testing.T) {
	cfg := DefaultConfig()
	_, base := newTestServer(t, Options{Config: cfg})
	payload := statusXML("NONE", nil)
	tests := []struct {
		name string
		call soapCall
		ok   bool
		id   int // expected MsgID of the fault
	}{
		{"SOAPAction, anonymous", soapCall{action: opStatus}, true, 0},
		{"query string (samples/15)", soapCall{query: "?Operation=" + opStatus + "&From=PTEST&To=HRMS&Password=secret"}, true, 0},
		{"query password wrong", soapCall{query: "?Operation=" + opStatus + "&From=PTEST&Password=nope"}, false, 45},
		{"password header is ignored", soapCall{action: opStatus, headers: []string{"From: PTEST", "Password: secret"}}, false, 45},
		{"encoded SOAPAction", soapCall{action: "http://peoplesoft.com/" + opStatus + "/PTEST/secret/HRMS"}, true, 0},
		{"SOAPAction wins over the query", soapCall{action: opStatus, query: "?Operation=NO_SUCH.v1"}, true, 0},
		{"SOAP 1.2 action, node in the path", soapCall{v: ibmsg.SOAP12, action: opStatus, query: "/HRMS"}, true, 0},
		{"no operation", soapCall{}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.call.post(t, base, payload)
			if tt.ok {
				reply := parseStatusReply(t, mustEnvelope(t, r, tt.call.v))
				if reply.ResponseStatus != "0" {
					t.Errorf("reply %+v", reply)
				}
				return
			}
			resp := mustFault(t, r, tt.call.v)
			if resp.MessageID != tt.id {
				t.Errorf("fault %+v, want message %d", resp, tt.id)
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	tests := []struct {
		name     string
		call     soapCall
		body     string
		code     int
		set, id  int
		contains string
	}{
		{"unknown WS-Security user", soapCall{action: opCreate, user: "GHOST"}, "", 20, 158, 55, "UserName not defined"},
		// samples/03: a UsernameToken with the wrong password.
		{"wrong WS-Security password", soapCall{action: opCreate, user: "PS", userPassword: "nope"}, "", 20, 158, 45, "User password failed."},
		{"unknown operation", soapCall{action: "NO_SUCH_OP.v1"}, "", 20, 0, 0, "Unable to find a routing for service operation NO_SUCH_OP.v1 from node ANONYMOUS"},
		{"contact error injected", soapCall{action: opCreate, headers: []string{FaultHeader + ": contact-error"}}, "", 10, 158, 10721, "External System Contact Error"},
		{"contact error, SOAP 1.2", soapCall{v: ibmsg.SOAP12, action: opCreate, headers: []string{FaultHeader + ": contact-error"}}, "", 10, 158, 10721, "External System Contact Error"},
		{"not XML", soapCall{action: opCreate}, "this is not xml", 20, 159, 5, ""},
		{"XXE", soapCall{action: opCreate}, `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><e>&x;</e>`, 20, 159, 5, ""},
		{"XML that is not SOAP", soapCall{action: opCreate}, createXML("R1", nil), 20, 158, 10408, "Integration Gateway Error"},
		{"wrong root for the operation", soapCall{action: opStatus}, "", 20, 0, 0, "GETWLINSTANCE.v1 expects a GetWorklistEntryStatusData document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rawResponse
			if tt.body != "" {
				r = rawPost(t, base, pathSvc, []string{"Content-Type: text/xml", "SOAPAction: " + tt.call.action}, tt.body)
			} else {
				r = tt.call.post(t, base, createXML("ERR-"+tt.name, nil))
			}
			resp := mustFault(t, r, tt.call.v)
			if resp.StatusCode != tt.code || resp.MsgSet != tt.set || resp.MessageID != tt.id || !strings.Contains(resp.DefaultMessage, tt.contains) {
				t.Errorf("fault %+v\n%s", resp, r.Body)
			}
		})
	}
	// A fault is also SOAP 1.1's faultcode/faultstring, as in samples/03.
	r := soapCall{action: "NO_SUCH_OP.v1"}.post(t, base, "<x/>")
	if resp := mustFault(t, r, ibmsg.SOAP11); resp.FaultCode != "SOAP-ENV:Server" || resp.FaultString != "null" {
		t.Errorf("fault code %q string %q", resp.FaultCode, resp.FaultString)
	}
	r = soapCall{v: ibmsg.SOAP12, action: "NO_SUCH_OP.v1"}.post(t, base, "<x/>")
	if resp := mustFault(t, r, ibmsg.SOAP12); resp.FaultCode != "soapenv:Receiver" {
		t.Errorf("1.2 fault code %q", resp.FaultCode)
	}
}

func TestServiceOtherFaultsAndMethods(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	r := soapCall{action: opStatus, headers: []string{FaultHeader + ": status=503"}}.post(t, base, statusXML("X", nil))
	if r.Status != 503 || !strings.Contains(r.Body, "Error 503") {
		t.Errorf("status fault: %d %s", r.Status, r.Body)
	}
	r = rawRequest(t, "PUT", base+pathSvc, nil, "")
	if r.Status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", r.Status)
	}
	r = rawRequest(t, "GET", base+pathSvc, nil, "")
	if r.Status != 200 || !strings.Contains(r.Body, "PeopleSoftServiceListeningConnector") {
		t.Errorf("bare GET: %d %s", r.Status, r.Body)
	}
	// A sync operation answers its handler's XML wrapped in SOAP.
	r = soapCall{action: "CHG_SYNC_TEST.v1"}.post(t, base, "<helloworld/>")
	if body := mustEnvelope(t, r, ibmsg.SOAP11); string(body) != "<response><helloworld>Hello Python</helloworld></response>" {
		t.Errorf("sync body %s", body)
	}
}

// wsdlDoc is what a WSDL client reads from the PT_WORKLIST WSDL.
type wsdlDoc struct {
	XMLName         xml.Name
	Name            string `xml:"name,attr"`
	TargetNamespace string `xml:"targetNamespace,attr"`
	Schemas         []struct {
		TargetNamespace string `xml:"targetNamespace,attr"`
		Elements        []struct {
			Name string `xml:"name,attr"`
		} `xml:"element"`
	} `xml:"types>schema"`
	Messages []struct {
		Name string `xml:"name,attr"`
		Part struct {
			Element string `xml:"element,attr"`
		} `xml:"part"`
	} `xml:"message"`
	Bindings []struct {
		Name       string `xml:"name,attr"`
		Operations []struct {
			Name   string `xml:"name,attr"`
			Action struct {
				SOAPAction string `xml:"soapAction,attr"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/soap/ operation"`
		} `xml:"operation"`
	} `xml:"binding"`
	Service struct {
		Name string `xml:"name,attr"`
		Port struct {
			Address struct {
				Location string `xml:"location,attr"`
			} `xml:"address"`
		} `xml:"port"`
	} `xml:"service"`
}

func TestServiceWSDL(t *testing.T) {
	_, base := newHTTPTest(t, Options{})
	tests := []struct{ path, location string }{
		{pathSvc + "?Operation=GetWSDL&wsdl=PT_WORKLIST.1", base + pathSvc},
		{pathSvc + "/PT_WORKLIST.1.wsdl", base + pathSvc},
		{pathSvc + "/HRMS/PT_WORKLIST.1.wsdl", base + pathSvc + "/HRMS"},
		{pathSvc + "?Operation=GetWSDL&wsdl=" + opCreate, base + pathSvc},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := rawRequest(t, "GET", base+tt.path, nil, "")
			if r.Status != 200 || r.Header.Get("Content-Type") != "text/xml; charset=UTF-8" {
				t.Fatalf("HTTP %d %q: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
			}
			if err := ibmsg.CheckXML([]byte(r.Body)); err != nil {
				t.Fatalf("%v\n%s", err, r.Body)
			}
			var d wsdlDoc
			if err := xml.Unmarshal([]byte(r.Body), &d); err != nil {
				t.Fatal(err)
			}
			if d.XMLName.Space != "http://schemas.xmlsoap.org/wsdl/" || d.XMLName.Local != "definitions" || d.TargetNamespace != WorklistServiceNamespace || d.Service.Name != "PT_WORKLIST" {
				t.Errorf("definitions %v %q service %q", d.XMLName, d.TargetNamespace, d.Service.Name)
			}
			if d.Service.Port.Address.Location != tt.location {
				t.Errorf("soap:address %q, want %q", d.Service.Port.Address.Location, tt.location)
			}
			if len(d.Bindings) != 1 || len(d.Bindings[0].Operations) != 2 {
				t.Fatalf("bindings %+v", d.Bindings)
			}
			ops := d.Bindings[0].Operations
			if ops[0].Name != "CREATE_WORKLIST_ITEM" || ops[0].Action.SOAPAction != opCreate || ops[1].Name != "GETWLINSTANCE" || ops[1].Action.SOAPAction != opStatus {
				t.Errorf("operations %+v", ops)
			}
			if len(d.Schemas) != 4 || len(d.Messages) != 4 {
				t.Fatalf("%d schemas, %d messages", len(d.Schemas), len(d.Messages))
			}
			for i, m := range []string{WLCreateRequest, WLCreateResponse, WLStatusRequest, WLStatusResponse} {
				if d.Schemas[i].TargetNamespace != WLNamespace(m) || d.Messages[i].Name != m+".VERSION_1" {
					t.Errorf("message %d: schema %q message %q", i, d.Schemas[i].TargetNamespace, d.Messages[i].Name)
				}
			}
			if d.Messages[0].Part.Element != "PT_WL_CREATE_REQUEST.VERSION_1:CreateWorklistEntryData" || d.Schemas[3].Elements[0].Name != "WorklistEntryStatusData" {
				t.Errorf("elements %+v %+v", d.Messages[0], d.Schemas[3].Elements)
			}
		})
	}
	for _, path := range []string{pathSvc + "?Operation=GetWSDL&wsdl=NO_SUCH.1", pathSvc + "/NO_SUCH.1.wsdl", pathSvc + "/A/B/PT_WORKLIST.1.wsdl", pathSvc + "/whatever"} {
		if r := rawRequest(t, "GET", base+path, nil, ""); r.Status != 404 || !strings.Contains(r.Body, "Error 404--Not Found") {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	for _, path := range []string{pathSvc + "?Operation=GetSchema&xsd=PT_WL_CREATE_REQUEST.VERSION_1", pathSvc + "/HRMS/PT_WL_GET_INSTANCE_RESP.VERSION_1.xsd", pathSvc + "?Operation=GetSchema&xsd=" + opStatus} {
		r := rawRequest(t, "GET", base+path, nil, "")
		if err := ibmsg.CheckXML([]byte(r.Body)); r.Status != 200 || err != nil || !strings.Contains(r.Body, `targetNamespace="http://xmlns.oracle.com/Enterprise/Tools/schemas/PT_WL_`) {
			t.Errorf("%s: %d %v %s", path, r.Status, err, r.Body)
		}
	}
	if r := rawRequest(t, "GET", base+pathSvc+"?Operation=GetWSIL", nil, ""); r.Status != 200 || !strings.Contains(r.Body, base+pathSvc+"/PT_WORKLIST.1.wsdl") {
		t.Errorf("WSIL: %d %s", r.Status, r.Body)
	}
	// Without PT_WORKLIST operations there is no WSDL to serve.
	cfg := DefaultConfig()
	cfg.Operations = cfg.Operations[:4]
	_, base2 := newHTTPTest(t, Options{Config: cfg})
	if r := rawRequest(t, "GET", base2+pathSvc+"/PT_WORKLIST.1.wsdl", nil, ""); r.Status != 404 {
		t.Errorf("WSDL without worklist operations: %d", r.Status)
	}
}
