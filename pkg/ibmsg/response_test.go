package ibmsg

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseResponseDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input func(t *testing.T) []byte
		want  *Response
		class Class
	}{
		{
			name:  "soap fault 158/45 (samples/03)",
			input: func(t *testing.T) []byte { return readFixture(t, "soapfault-158-45.xml") },
			want: &Response{
				Type: ResponseError, DefaultTitle: "Integration Broker Response",
				StatusCode: 20, HasStatusCode: true,
				MessageID: 45, MsgSet: 158,
				DefaultMessage: "User password failed.",
				Parameters:     []string{"ANONYMOUS"},
				Form:           "soap-fault", FaultCode: "SOAP-ENV:Server", FaultString: "null",
			},
			class: ClassAuth,
		},
		{
			name:  "legacy reply 94/1",
			input: func(t *testing.T) []byte { return readFixture(t, "legacy-reply-94-1.xml") },
			want: &Response{
				Type: ResponseError, DefaultTitle: "Publish Subscribe Message Exception",
				StatusCode: 20, MsgSet: 94, MessageID: 1,
				DefaultMessage: "psft.pt8.gateway.PublicationHandlerException:",
				Parameters:     []string{"psft.pt8.gateway.PublicationHandlerException:"},
				Form:           "legacy-reply",
			},
			class: ClassApplication,
		},
		{
			name:  "success with a legacy transaction id (samples/02)",
			input: func(t *testing.T) []byte { return readFixture(t, "ibresponse-success-legacy-txid.xml") },
			want: &Response{
				Type: ResponseSuccess, DefaultTitle: "Integration Broker Response",
				StatusCode: 0, HasStatusCode: true,
				TransactionID: "ITS_PHNX_NODE.ITS_LOC_OP_UNIT_SYNC.1",
				Form:          "ibresponse",
			},
			class: ClassOK,
		},
		{
			name: `type = "success" spacing (seed 001)`,
			input: func(*testing.T) []byte {
				return []byte("<?xml version=\"1.0\"?>\n<IBResponse type = \"success\">\n  <DefaultTitle>Integration Broker Response</DefaultTitle>\n  <StatusCode>0</StatusCode>\n  <TransactionID>5695c49d-bd01-11e7-b7eb-c155c6e4688a</TransactionID>\n</IBResponse>\n")
			},
			want: &Response{
				Type: ResponseSuccess, DefaultTitle: "Integration Broker Response",
				HasStatusCode: true, TransactionID: "5695c49d-bd01-11e7-b7eb-c155c6e4688a", Form: "ibresponse",
			},
			class: ClassOK,
		},
		{
			name: "error IBResponse with 536 and two parameters",
			input: func(*testing.T) []byte {
				return []byte(`<IBResponse type="error">
  <DefaultTitle>Integration Broker Response</DefaultTitle>
  <StatusCode>20</StatusCode>
  <MessageID>536</MessageID>
  <DefaultMessage><![CDATA[User PSIB not authorized to invoke Service Operation CHG_SYNC_TEST.v1. (158,536)]]></DefaultMessage>
  <MessageParameters>
    <Parameter><![CDATA[ PSIB ]]></Parameter>
    <Parameter><![CDATA[CHG_SYNC_TEST.v1]]></Parameter>
  </MessageParameters>
</IBResponse>`)
			},
			want: &Response{
				Type: ResponseError, DefaultTitle: "Integration Broker Response",
				StatusCode: 20, HasStatusCode: true, MessageID: 536, MsgSet: 158,
				DefaultMessage: "User PSIB not authorized to invoke Service Operation CHG_SYNC_TEST.v1.",
				Parameters:     []string{"PSIB", "CHG_SYNC_TEST.v1"},
				Form:           "ibresponse",
			},
			class: ClassAuth,
		},
		{
			name: "SOAP 1.2 fault wrapping an IBResponse",
			input: func(*testing.T) []byte {
				return []byte(`<?xml version="1.0"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
  <env:Body>
    <env:Fault>
      <env:Code><env:Value>env:Receiver</env:Value></env:Code>
      <env:Reason><env:Text xml:lang="en">null</env:Text></env:Reason>
      <env:Detail>
        <IBResponse xmlns="" type="error">
          <DefaultTitle>Integration Broker Response</DefaultTitle>
          <StatusCode>20</StatusCode>
          <MessageID>5</MessageID>
          <DefaultMessage><![CDATA[XML parser error ParseXmlString line 1 (159,5)]]></DefaultMessage>
          <MessageParameters>
            <Parameter><![CDATA[ParseXmlString]]></Parameter>
            <Parameter><![CDATA[line 1]]></Parameter>
          </MessageParameters>
        </IBResponse>
      </env:Detail>
    </env:Fault>
  </env:Body>
</env:Envelope>`)
			},
			want: &Response{
				Type: ResponseError, DefaultTitle: "Integration Broker Response",
				StatusCode: 20, HasStatusCode: true, MessageID: 5, MsgSet: 159,
				DefaultMessage: "XML parser error ParseXmlString line 1",
				Parameters:     []string{"ParseXmlString", "line 1"},
				Form:           "soap-fault", FaultCode: "env:Receiver", FaultString: "null",
			},
			class: ClassApplication,
		},
		{
			name: "SOAP 1.1 fault without an IBResponse is still an error",
			input: func(*testing.T) []byte {
				return []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Bad request</faultstring></s:Fault></s:Body></s:Envelope>`)
			},
			want: &Response{
				Type: ResponseError, StatusCode: 20, DefaultMessage: "Bad request",
				Form: "soap-fault", FaultCode: "s:Client", FaultString: "Bad request",
			},
			class: ClassApplication,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseResponse(tt.input(t))
			if err != nil {
				t.Fatalf("ParseResponse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseResponse:\n got %+v\nwant %+v", got, tt.want)
			}
			if c := got.Status().Class(); c != tt.class {
				t.Errorf("Status().Class() = %v, want %v", c, tt.class)
			}
			err = got.Err()
			if tt.want.Type == ResponseSuccess {
				if err != nil {
					t.Errorf("Err() = %v, want nil for success", err)
				}
				if !got.Status().OK() {
					t.Errorf("Status() = %+v, want OK", got.Status())
				}
				return
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Err() = %T %v, want *StatusError", err, err)
			}
			if se.Status.MsgSet != tt.want.MsgSet || se.Status.MsgID != tt.want.MessageID {
				t.Errorf("StatusError status %d/%d, want %d/%d", se.Status.MsgSet, se.Status.MsgID, tt.want.MsgSet, tt.want.MessageID)
			}
			if se.Class() != tt.class {
				t.Errorf("StatusError.Class() = %v, want %v", se.Class(), tt.class)
			}
		})
	}
}

func TestParseResponseSOAPFaultSummary(t *testing.T) {
	t.Parallel()
	r, err := ParseResponse(readFixture(t, "soapfault-158-45.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Err().Error(), "User password failed. (158,45)"; got != want {
		t.Errorf("Err().Error() = %q, want %q", got, want)
	}
	s := r.Status()
	if s.StatusCode != 20 || s.OK() {
		t.Errorf("Status() = %+v, want StatusCode 20 and not OK", s)
	}
}

func TestParseResponseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  func(t *testing.T) []byte
		target error // errors.Is target; nil means a *SyntaxError is wanted
		line   bool  // the SyntaxError must carry a line number
	}{
		{name: "truncated success (samples/01)", input: func(t *testing.T) []byte { return readFixture(t, "ibresponse-success-truncated.xml") }, line: true},
		{name: "handler reply, not IB", input: func(*testing.T) []byte {
			return []byte(`<?xml version="1.0"?><response><helloworld>Hello Python</helloworld></response>`)
		}, target: ErrNotIB},
		{name: "SOAP envelope without a fault", input: func(*testing.T) []byte {
			return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><Answer/></soapenv:Body></soapenv:Envelope>`)
		}, target: ErrNotIB},
		{name: "reply without an exception", input: func(*testing.T) []byte { return []byte(`<reply><operations/></reply>`) }, target: ErrNotIB},
		{name: "DOCTYPE with an internal entity", input: func(*testing.T) []byte {
			return []byte(`<?xml version="1.0"?>
<!DOCTYPE IBResponse [<!ENTITY x "boom">]>
<IBResponse type="error"><DefaultMessage>&x;</DefaultMessage></IBResponse>`)
		}, target: ErrUnsafeXML},
		{name: "DOCTYPE with an external entity", input: func(*testing.T) []byte {
			return []byte(`<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><IBResponse type="error"><DefaultMessage>&xxe;</DefaultMessage></IBResponse>`)
		}, target: ErrUnsafeXML},
		{name: "unknown type attribute", input: func(*testing.T) []byte {
			return []byte(`<IBResponse type="maybe"><StatusCode>0</StatusCode></IBResponse>`)
		}},
		{name: "non-numeric StatusCode", input: func(*testing.T) []byte {
			return []byte(`<IBResponse type="error"><StatusCode>twenty</StatusCode></IBResponse>`)
		}},
		{name: "empty input", input: func(*testing.T) []byte { return nil }},
		{name: "text only", input: func(*testing.T) []byte { return []byte("HTTP 500 Internal Server Error") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseResponse(tt.input(t))
			if err == nil {
				t.Fatalf("ParseResponse = %+v, want an error", r)
			}
			if r != nil {
				t.Errorf("ParseResponse returned %+v with the error", r)
			}
			if tt.target != nil {
				if !errors.Is(err, tt.target) {
					t.Errorf("error %v, want errors.Is %v", err, tt.target)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *SyntaxError", err, err)
			}
			if tt.line && se.Line <= 0 {
				t.Errorf("SyntaxError %+v has no line number", se)
			}
			if errors.Is(err, ErrNotIB) || errors.Is(err, ErrUnsafeXML) {
				t.Errorf("syntax error %v also matches a sentinel", err)
			}
		})
	}
}

func TestResponseRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp *Response
	}{
		{"success", NewSuccessResponse("5695c49d-bd01-11e7-b7eb-c155c6e4688a")},
		{"success without transaction id", NewSuccessResponse("")},
		{"error 158/536 with two parameters", NewErrorResponse(Status{StatusCode: 20, MsgSet: 158, MsgID: 536, Parameters: Params{"PSIB_USER", "CHG_SYNC_TEST.v1"}})},
		{"error with markup in message and parameters", NewErrorResponse(Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, DefaultMsg: "a <b> & ]]> c", Parameters: Params{"x]]>y", "<&>"}})},
		{"error without catalog entry", NewErrorResponse(Status{MsgSet: 999, MsgID: 7, DefaultMsg: "Something else."})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := tt.resp.Marshal()
			got, err := ParseResponse(doc)
			if err != nil {
				t.Fatalf("ParseResponse(Marshal()): %v\n%s", err, doc)
			}
			if !reflect.DeepEqual(got, tt.resp) {
				t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, tt.resp, doc)
			}

			fault := tt.resp.MarshalSOAPFault()
			got, err = ParseResponse(fault)
			if err != nil {
				t.Fatalf("ParseResponse(MarshalSOAPFault()): %v\n%s", err, fault)
			}
			want := *tt.resp
			want.Form, want.FaultCode, want.FaultString = "soap-fault", "SOAP-ENV:Server", "null"
			// A fault is an error answer whatever it wraps.
			want.Type = ResponseError
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("SOAP fault round trip:\n got %+v\nwant %+v\n%s", got, &want, fault)
			}
		})
	}
}

func TestNewErrorResponseText(t *testing.T) {
	t.Parallel()
	r := NewErrorResponse(Status{MsgSet: 158, MsgID: 536, Parameters: Params{"PSIB_USER", "CHG_SYNC_TEST.v1"}})
	if r.StatusCode != 20 {
		t.Errorf("StatusCode = %d, want 20 (the default for an error)", r.StatusCode)
	}
	if want := "User PSIB_USER not authorized to invoke Service Operation CHG_SYNC_TEST.v1."; r.DefaultMessage != want {
		t.Errorf("DefaultMessage = %q, want %q", r.DefaultMessage, want)
	}
	doc := string(r.Marshal())
	if !strings.Contains(doc, "<![CDATA[User PSIB_USER not authorized to invoke Service Operation CHG_SYNC_TEST.v1. (158,536)]]>") {
		t.Errorf("Marshal does not carry the (set,num) suffix in CDATA:\n%s", doc)
	}
	if strings.Contains(doc, "<MsgSet>") {
		t.Errorf("Marshal wrote a MsgSet element, which PeopleSoft does not send:\n%s", doc)
	}
	if !strings.Contains(string(NewSuccessResponse("T").Marshal()), `<IBResponse type = "success">`) {
		t.Errorf("success form lost the captured spacing")
	}
}

func TestSplitSetNum(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		text     string
		set, num int
		ok       bool
	}{
		{"User password failed. (158,45)", "User password failed.", 158, 45, true},
		{"User X not authorized to invoke Service Operation Y. (158,536)", "User X not authorized to invoke Service Operation Y.", 158, 536, true},
		{"spaces inside ( 158, 536) do not count", "spaces inside ( 158, 536) do not count", 0, 0, false},
		{"space after the comma (158, 10721)", "space after the comma", 158, 10721, true},
		{"trailing space (159,5)  \n", "trailing space", 159, 5, true},
		{"(158,10000)", "", 158, 10000, true},
		{"no suffix", "no suffix", 0, 0, false},
		{"  padded no suffix  ", "padded no suffix", 0, 0, false},
		{"suffix (158,45) not at the end", "suffix (158,45) not at the end", 0, 0, false},
		{"unclosed (158,45", "unclosed (158,45", 0, 0, false},
		{"letters (a,b)", "letters (a,b)", 0, 0, false},
		{"one number (158)", "one number (158)", 0, 0, false},
		{"", "", 0, 0, false},
	}
	for _, tt := range tests {
		text, set, num, ok := SplitSetNum(tt.in)
		if text != tt.text || set != tt.set || num != tt.num || ok != tt.ok {
			t.Errorf("SplitSetNum(%q) = %q, %d, %d, %v; want %q, %d, %d, %v", tt.in, text, set, num, ok, tt.text, tt.set, tt.num, tt.ok)
		}
	}
}
