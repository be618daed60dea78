package ibmsg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/secret"
)

// sample13 is samples/13's envelope (umn-asr/peoplesoft_course_class_data)
// with its template variables filled in.
const sample13 = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:qas="http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_GETQUERYRESULTS_REQ_MSG.VERSION_1" xmlns:qas1="http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_GETQUERYRESULTS_REQ.VERSION_1">
<soapenv:Header xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <wsse:Security soap:mustUnderstand="1" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
    <wsse:UsernameToken>
      <wsse:Username>QAS_USER</wsse:Username>
      <wsse:Password>s3cret&amp;pw</wsse:Password>
    </wsse:UsernameToken>
  </wsse:Security>
</soapenv:Header>
  <soapenv:Body>
  <qas:QAS_GETQUERYRESULTS_REQ_MSG>
     <qas:QAS_GETQUERYRESULTS_REQ>
        <qas1:PTQASWRK class="R">
           <qas1:BlockNumber>1</qas1:BlockNumber>
           <qas1:QueryInstance>42</qas1:QueryInstance>
        </qas1:PTQASWRK>
     </qas:QAS_GETQUERYRESULTS_REQ>
  </qas:QAS_GETQUERYRESULTS_REQ_MSG>
  </soapenv:Body>
</soapenv:Envelope>`

// sample14Payload is the payload of samples/14's first response, as sent.
const sample14Payload = `<QAS_EXEQRYSYNCPOLL_RESP_MSG xmlns="http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_EXEQRYSYNCPOLL_RESP_MSG.VERSION_1">
      <QAS_EXEQRYSYNCPOLL_RESP>
        <PTQASWRK xmlns="http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_EXEQRYSYNCPOLL_RESP.VERSION_1" class="R">
          <QueryInstance>#{query_instance}</QueryInstance>
        </PTQASWRK>
      </QAS_EXEQRYSYNCPOLL_RESP>
    </QAS_EXEQRYSYNCPOLL_RESP_MSG>`

const sample14 = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soapenv:Body>
    ` + sample14Payload + `
  </soapenv:Body>
</soapenv:Envelope>`

// elementNames lists "namespace local" for every element of a standalone
// document, read by a namespace-aware decoder.
func elementNames(t *testing.T, doc []byte) []string {
	t.Helper()
	if err := CheckXML(doc); err != nil {
		t.Fatalf("Body is not a standalone document: %v\n%s", err, doc)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var names []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, se.Name.Space+" "+se.Name.Local)
		}
	}
}

func TestParseEnvelopeSample13(t *testing.T) {
	env, err := ParseEnvelope([]byte(sample13))
	if err != nil {
		t.Fatal(err)
	}
	if env.Version != SOAP11 {
		t.Errorf("version %v", env.Version)
	}
	if env.Security == nil || env.Security.Username != "QAS_USER" || env.Security.Password.Reveal() != "s3cret&pw" {
		t.Fatalf("security %+v", env.Security)
	}
	const msgNS = "http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_GETQUERYRESULTS_REQ_MSG.VERSION_1"
	const recNS = "http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_GETQUERYRESULTS_REQ.VERSION_1"
	got := elementNames(t, env.Body)
	want := []string{msgNS + " QAS_GETQUERYRESULTS_REQ_MSG", msgNS + " QAS_GETQUERYRESULTS_REQ", recNS + " PTQASWRK", recNS + " BlockNumber", recNS + " QueryInstance"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("elements:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The prefixes are kept as sent and declared on the payload root; the
	// envelope's own namespace is not dragged in.
	if !bytes.HasPrefix(env.Body, []byte(`<qas:QAS_GETQUERYRESULTS_REQ_MSG xmlns:qas="`+msgNS+`" xmlns:qas1="`+recNS+`">`)) {
		t.Errorf("payload root: %.200s", env.Body)
	}
	if bytes.Contains(env.Body, []byte("soapenv")) {
		t.Errorf("envelope namespace leaked into the body: %s", env.Body)
	}
}

func TestParseEnvelopeSample14KeepsPayload(t *testing.T) {
	env, err := ParseEnvelope([]byte(sample14))
	if err != nil {
		t.Fatal(err)
	}
	if env.Security != nil {
		t.Errorf("security %+v", env.Security)
	}
	// Nothing to re-declare: the payload is exactly as sent.
	if string(env.Body) != sample14Payload {
		t.Errorf("body:\n%s\nwant\n%s", env.Body, sample14Payload)
	}
	got := elementNames(t, env.Body)
	if got[2] != "http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_EXEQRYSYNCPOLL_RESP.VERSION_1 PTQASWRK" {
		t.Errorf("elements %q", got)
	}
	// samples/03 (a fault envelope) still reads as a response.
	r, err := ParseResponse(readFixture(t, "soapfault-158-45.xml"))
	if err != nil || r.MsgSet != 158 || r.MessageID != 45 {
		t.Fatalf("ParseResponse(samples/03) = %+v, %v", r, err)
	}
	fault, err := ParseEnvelope(readFixture(t, "soapfault-158-45.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(fault.Body, []byte("<SOAP-ENV:Fault xmlns:SOAP-ENV=\""+SOAP11Namespace+"\">")) {
		t.Errorf("fault body: %s", fault.Body)
	}
}

func TestParseEnvelopeNamespaceCases(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // Body
	}{
		{"default namespace on the envelope",
			`<Envelope xmlns="` + SOAP11Namespace + `"><Body><x/></Body></Envelope>`,
			`<x xmlns="` + SOAP11Namespace + `"/>`},
		{"prefix on Body, xsi:type value",
			`<e:Envelope xmlns:e="` + SOAP12Namespace + `"><e:Body xmlns:a="urn:a" xmlns:xsi="` + xsiNamespace + `" xmlns:t="urn:t"><a:x><v xsi:type="t:n">1</v></a:x></e:Body></e:Envelope>`,
			`<a:x xmlns:a="urn:a" xmlns:xsi="` + xsiNamespace + `" xmlns:t="urn:t"><v xsi:type="t:n">1</v></a:x>`},
		{"own declaration wins",
			`<s:Envelope xmlns:s="` + SOAP11Namespace + `" xmlns:a="urn:outer"><s:Body><a:x xmlns:a="urn:inner"/></s:Body></s:Envelope>`,
			`<a:x xmlns:a="urn:inner"/>`},
		{"empty body", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Header/><s:Body/></s:Envelope>`, ``},
		{"comment kept, ISO-8859-1 transcoded",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><s:Envelope xmlns:s=\"" + SOAP11Namespace + "\"><s:Body><!-- c --><n>Jos\xe9</n></s:Body></s:Envelope>",
			"<!-- c --><n>José</n>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(env.Body) != tt.want {
				t.Errorf("body %q, want %q", env.Body, tt.want)
			}
		})
	}
}

func TestParseEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		is       error
	}{
		{"not an envelope", `<IBRequest/>`, ErrNotIB},
		{"other namespace", `<Envelope xmlns="urn:x"><Body/></Envelope>`, ErrNotIB},
		{"XXE", `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Body><a>&x;</a></s:Body></s:Envelope>`, ErrUnsafeXML},
		{"no body", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Header/></s:Envelope>`, nil},
		{"mismatched", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Body><a></b></s:Body></s:Envelope>`, nil},
		{"unclosed", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Body>`, nil},
		{"undeclared prefix", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Body><q:a/></s:Body></s:Envelope>`, nil},
		{"junk", `not xml at all`, nil},
		{"empty", ``, nil},
		{"two roots", `<s:Envelope xmlns:s="` + SOAP11Namespace + `"><s:Body/></s:Envelope><x/>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error: %+v", env)
			}
			if tt.is != nil {
				if !errors.Is(err, tt.is) {
					t.Errorf("err %v, want %v", err, tt.is)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("err %T %v, want *SyntaxError", err, err)
			}
		})
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	payload := `<c:CreateWorklistEntryData xmlns:c="urn:create"><c:OperatorID>VP1 &amp; co</c:OperatorID></c:CreateWorklistEntryData>`
	for _, v := range []SOAPVersion{SOAP11, SOAP12} {
		t.Run(v.String(), func(t *testing.T) {
			in := &Envelope{Version: v, Security: &UsernameToken{Username: "VP1", Password: secret.New("pa<ss")}, Body: []byte(`<?xml version="1.0"?>` + "\n" + payload)}
			wire := in.Marshal()
			if err := CheckXML(wire); err != nil {
				t.Fatalf("%v\n%s", err, wire)
			}
			for _, want := range []string{`xmlns:soapenv="` + v.Namespace() + `"`, `soapenv:mustUnderstand="1"`, `xmlns:wsse="` + WSSecurityNamespace + `"`, "<wsse:Password>pa&lt;ss</wsse:Password>"} {
				if !bytes.Contains(wire, []byte(want)) {
					t.Errorf("wire lacks %s:\n%s", want, wire)
				}
			}
			out, err := ParseEnvelope(wire)
			if err != nil {
				t.Fatal(err)
			}
			if out.Version != v || string(out.Body) != payload || out.Security == nil || out.Security.Username != "VP1" || out.Security.Password.Reveal() != "pa<ss" {
				t.Errorf("round trip: %+v body %s", out, out.Body)
			}
			for _, s := range []string{fmt.Sprintf("%+v", *out), fmt.Sprintf("%+v", out.Security), fmt.Sprintf("%#v", out.Security), fmt.Sprint(out)} {
				if strings.Contains(s, "pa<ss") {
					t.Errorf("password printed: %s", s)
				}
			}
		})
	}
	// No header without a token.
	if w := (&Envelope{Body: []byte("<x/>")}).Marshal(); bytes.Contains(w, []byte("Header")) {
		t.Errorf("header without security:\n%s", w)
	}
}

func TestSOAP12FaultParsesBack(t *testing.T) {
	st := Status{StatusCode: 20, MsgSet: 158, MsgID: 55, DefaultMsg: "UserName not defined in database.", Parameters: Params{"GHOST"}}
	for _, v := range []SOAPVersion{SOAP11, SOAP12} {
		wire := NewErrorResponse(st).MarshalSOAPFaultFor(v)
		if err := CheckXML(wire); err != nil {
			t.Fatalf("%v\n%s", err, wire)
		}
		r, err := ParseResponse(wire)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() || r.MsgSet != 158 || r.MessageID != 55 || r.Form != "soap-fault" || len(r.Parameters) != 1 || r.Parameters[0] != "GHOST" {
			t.Errorf("%v: %+v", v, r)
		}
		env, err := ParseEnvelope(wire)
		if err != nil || env.Version != v {
			t.Errorf("%v: ParseEnvelope %v %v", v, env, err)
		}
		if v == SOAP12 && (r.FaultCode != "soapenv:Receiver" || !bytes.Contains(wire, []byte(`<IBResponse xmlns="" type="error">`))) {
			t.Errorf("1.2 fault: code %q\n%s", r.FaultCode, wire)
		}
	}
}

func TestSOAPContentTypeAndAction(t *testing.T) {
	if got := SOAPContentType(SOAP11, "X.v1"); got != "text/xml; charset=UTF-8" {
		t.Errorf("1.1: %q", got)
	}
	if got := SOAPContentType(SOAP12, "CREATE_WORKLIST_ITEM.v1"); got != `application/soap+xml; charset=UTF-8; action="CREATE_WORKLIST_ITEM.v1"` {
		t.Errorf("1.2: %q", got)
	}
	tests := []struct {
		ct, sa string
		v      SOAPVersion
		action string
	}{
		{"text/xml;charset=UTF-8", `"QAS_EXECUTEQRYSYNCPOLL_OPER.VERSION_1"`, SOAP11, "QAS_EXECUTEQRYSYNCPOLL_OPER.VERSION_1"},
		{"text/xml", "X.v1", SOAP11, "X.v1"},
		{"text/xml", `""`, SOAP11, ""},
		{SOAPContentType(SOAP12, "GETWLINSTANCE.v1"), "", SOAP12, "GETWLINSTANCE.v1"},
		{"application/soap+xml; action=A.v1; charset=utf-8", "", SOAP12, "A.v1"},
		{"application/soap+xml; action=A.v1", "B.v1", SOAP12, "B.v1"},
		{"application/soap+xml; broken=", "", SOAP12, ""},
	}
	for _, tt := range tests {
		v, a := SOAPRequestAction(tt.ct, tt.sa)
		if v != tt.v || a != tt.action {
			t.Errorf("SOAPRequestAction(%q, %q) = %v %q, want %v %q", tt.ct, tt.sa, v, a, tt.v, tt.action)
		}
	}
}

func TestParseEncodedSOAPAction(t *testing.T) {
	c, ok := ParseEncodedSOAPAction("http://peoplesoft.com/CREATE_WORKLIST_ITEM.v1/EXT_NODE/pa%2Fss/HRMS")
	if !ok || c.OperationName != "CREATE_WORKLIST_ITEM.v1" || c.From != "EXT_NODE" || c.Password.Reveal() != "pa/ss" || c.To != "HRMS" {
		t.Errorf("%+v %v", c, ok)
	}
	if c, ok := ParseEncodedSOAPAction("http://peoplesoft.com/OP.v1"); !ok || c.OperationName != "OP.v1" || c.From != "" {
		t.Errorf("short form: %+v %v", c, ok)
	}
	if _, ok := ParseEncodedSOAPAction("CREATE_WORKLIST_ITEM.v1"); ok {
		t.Error("plain action read as encoded")
	}
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{sample13, sample14, `<s:Envelope xmlns:s="` + SOAP12Namespace + `"><s:Body><a:x xmlns:a="u"/></s:Body></s:Envelope>`, `<x/>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := ParseEnvelope(data)
		if err != nil {
			return
		}
		again, err := ParseEnvelope(env.Marshal())
		if err != nil {
			t.Fatalf("Marshal of a parsed envelope does not parse: %v\n%s", err, env.Marshal())
		}
		if again.Version != env.Version {
			t.Fatalf("version %v became %v", env.Version, again.Version)
		}
	})
}
