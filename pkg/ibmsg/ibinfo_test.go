package ibmsg

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/secret"
)

func TestParseIBInfoSeedRequest(t *testing.T) {
	t.Parallel()
	info, err := ParseIBInfo(readFixture(t, "ibinfo-request-seed002.xml"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"MessageName", info.MessageName, CData("EXAMPLE_REQUEST_MESSAGE")},
		{"MessageType", info.MessageType, Text("sync")},
		{"TransactionID", info.TransactionID, CData("")},
		{"Status", info.Status, (*Status)(nil)},
		{"IsResponse", info.IsResponse(), false},
		{"Operation()", info.Operation(), "EXAMPLE_REQUEST_MESSAGE"},
		{"RequestingNode()", info.RequestingNode(), "QE_LOCAL"},
		{"DestinationNode()", info.DestinationNode(), "TARGETNODE"},
		{"From", *info.From, From{RequestingNode: "QE_LOCAL", Password: NodePassword{secret.New("")}, OrigTimeStamp: "2001-11-13T11:06:22.142-0800"}},
		{"To", *info.To, To{DestinationNode: "TARGETNODE"}},
		{"QStrArgs", *info.QStrArgs, QStrArgs{}},
		{"Cookies", info.Cookies, CData("")},
		{"PathInfo", info.PathInfo, CData("/PSIGW/PeopleSoftListeningConnector")},
		{"ContentSections", *info.ContentSections, ContentSections{Sections: []ContentSection{{
			ID: "ContentSection0", NonRepudiation: "N",
			Headers: SectionHeaders{{Name: "version", Value: "VERSION_1"}},
		}}}},
		{"section header version", info.ContentSections.Sections[0].Headers.Get("version"), "VERSION_1"},
		{"section header absent", info.ContentSections.Sections[0].Headers.Get("Version"), ""},
		{"AppMsg", *info.InternalInfo.AppMsg, AppMsg{DefaultDataVersion: "VERSION_1", VisitedNodes: "|QE_LOCAL|"}},
		{"InternalInfo.Extra", info.InternalInfo.Extra, []Element(nil)},
		{"Connector", *info.Connector, Connector{
			ConnectorName:      "HTTPTARGET",
			ConnectorClassName: "HttpTargetConnector",
			ConnectorParameters: []NameValue{
				{Name: "Method", Value: "POST"},
				{Name: "URL", Value: "http://www.externalsystem.com/serlvet"},
			},
			ConnectorHeaders: []NameValue{{Name: "sendUncompressed", Value: "Y"}},
		}},
		{"Extra", info.Extra, []Element(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}

	// Marshal, then parse again: nothing is lost.
	out, err := info.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), `<?xml version="1.0"?><IBInfo>`) || strings.Contains(string(out), "\n") {
		t.Errorf("Marshal is not PeopleSoft's one-line form:\n%s", out)
	}
	back, err := ParseIBInfo(out)
	if err != nil {
		t.Fatalf("ParseIBInfo(Marshal()): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, info) {
		t.Errorf("round trip:\n%+v\n%+v\n%s", back, info, out)
	}
	indented, err := info.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	back, err = ParseIBInfo(indented)
	if err != nil || !reflect.DeepEqual(back, info) {
		t.Errorf("MarshalIndent round trip: %v\n%s", err, indented)
	}
}

func TestParseIBInfoResponseStatus(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0"?> <IBInfo> <Status> <StatusCode>0</StatusCode> <MsgSet>158</MsgSet> <MsgID>10000</MsgID> <DefaultMsg>OK</DefaultMsg> <DefaultTitle>Integration Broker
   Response    Message</DefaultTitle> </Status> <ContentSections> <ContentSection> <ID>ContentSection0</ID> <NonRepudiation>N</NonRepudiation> </ContentSection> </ContentSections> </IBInfo>`
	info, err := ParseIBInfo([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := &Status{StatusCode: 0, MsgSet: 158, MsgID: 10000, DefaultMsg: "OK", DefaultTitle: "Integration Broker Response Message"}
	if !reflect.DeepEqual(info.Status, want) {
		t.Errorf("Status = %+v, want %+v", info.Status, want)
	}
	if !info.IsResponse() || !info.Status.OK() || info.Status.Err() != nil {
		t.Errorf("success status not OK")
	}
}

func TestIBInfoRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		info *IBInfo
	}{
		{"empty", &IBInfo{XMLName: xml.Name{Local: "IBInfo"}}},
		{"request with markup and ]]> in values", &IBInfo{
			XMLName:               xml.Name{Local: "IBInfo"},
			MessageName:           "A&B <c> ]]> d",
			MessageType:           "async",
			TransactionID:         "5695c49d-bd01-11e7-b7eb-c155c6e4688a",
			ExternalOperationName: "CHG_SYNC_TEST.v1",
			OperationType:         "sync",
			ExternalMessageID:     "EXT-1",
			From: &From{RequestingNode: "PTEST", Password: NodePassword{secret.New("pa]]>ss&<word>")}, DN: "CN=x,O=y",
				OrigUser: "PS", OrigNode: "N", OrigProcess: "p", OrigTimeStamp: "2001-11-13T10:07:18.817-0800"},
			To:       &To{DestinationNode: "D", FinalDestinationNode: "F"},
			QStrArgs: &QStrArgs{Args: []NameValue{{Name: "Operation", Value: "X.v1"}, {Name: "From", Value: "P"}}},
			Cookies:  "a=b; c=d",
			PathInfo: "/PSIGW/HttpListeningConnector",
			ContentSections: &ContentSections{Sections: []ContentSection{
				{ID: "ContentSection0", NonRepudiation: "N", Headers: SectionHeaders{{Name: "version", Value: "VERSION_1"}, {Name: "Content-Encoding", Value: "gzip"}}},
				{ID: "ContentSection1", NonRepudiation: "Y"},
			}},
			InternalInfo: &InternalInfo{AppMsg: &AppMsg{PublishingNode: "P", Channel: "C", SubChannel: "S", DefaultDataVersion: "VERSION_1", VisitedNodes: "|A|B|", PublicationID: "42"}},
			Connector: &Connector{ConnectorName: "HTTPTARGET", ConnectorClassName: "HttpTargetConnector", RemoteFrameworkURL: "http://gw/PSIGW/PeopleSoftListeningConnector",
				ConnectorParameters: []NameValue{{Name: "URL", Value: "http://x/?a=1&b=2"}},
				ConnectorHeaders:    []NameValue{{Name: "sendUncompressed", Value: "Y"}}},
		}},
		{"response", &IBInfo{
			XMLName: xml.Name{Local: "IBInfo"},
			Status:  &Status{StatusCode: 20, MsgSet: 158, MsgID: 536, Parameters: Params{"PS", "X.v1"}, DefaultMsg: "User PS not authorized to invoke Service Operation X.v1.", DefaultTitle: "Integration Broker Response"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := tt.info.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseIBInfo(out)
			if err != nil {
				t.Fatalf("ParseIBInfo: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(back, tt.info) {
				t.Errorf("round trip:\n got %+v\nwant %+v\n%s", back, tt.info, out)
			}
			if back.From != nil && back.From.Password.Reveal() != tt.info.From.Password.Reveal() {
				t.Errorf("password %q", back.From.Password.Reveal())
			}
		})
	}
}

func TestIBInfoKeepsUnknownElements(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0"?><IBInfo><MessageName><![CDATA[M]]></MessageName>` +
		`<FutureElement kind="x" n="1"><Child>text &amp; more</Child><![CDATA[raw]]></FutureElement>` +
		`<From><RequestingNode><![CDATA[N]]></RequestingNode><NewFromThing>y</NewFromThing></From>` +
		`<To><DestinationNode><![CDATA[D]]></DestinationNode><Hop>2</Hop></To>` +
		`<ContentSections><ContentSection><ID>ContentSection0</ID><Checksum>abc</Checksum></ContentSection></ContentSections>` +
		`<InternalInfo><AppMsg><VisitedNodes><![CDATA[|N|]]></VisitedNodes><Priority>5</Priority></AppMsg><Other/></InternalInfo>` +
		`<Connector><ConnectorName><![CDATA[C]]></ConnectorName><Timeout>30</Timeout></Connector>` +
		`<Trailer/></IBInfo>`
	info, err := ParseIBInfo([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []Element) []string {
		var n []string
		for _, e := range es {
			n = append(n, e.XMLName.Local)
		}
		return n
	}
	for _, c := range []struct {
		what string
		got  []string
		want []string
	}{
		{"IBInfo.Extra", names(info.Extra), []string{"FutureElement", "Trailer"}},
		{"From.Extra", names(info.From.Extra), []string{"NewFromThing"}},
		{"To.Extra", names(info.To.Extra), []string{"Hop"}},
		{"ContentSection.Extra", names(info.ContentSections.Sections[0].Extra), []string{"Checksum"}},
		{"AppMsg.Extra", names(info.InternalInfo.AppMsg.Extra), []string{"Priority"}},
		{"InternalInfo.Extra", names(info.InternalInfo.Extra), []string{"Other"}},
		{"Connector.Extra", names(info.Connector.Extra), []string{"Timeout"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	fe := info.Extra[0]
	if string(fe.Inner) != `<Child>text &amp; more</Child><![CDATA[raw]]>` {
		t.Errorf("FutureElement inner = %q", fe.Inner)
	}
	if !reflect.DeepEqual(fe.Attrs, []xml.Attr{{Name: xml.Name{Local: "kind"}, Value: "x"}, {Name: xml.Name{Local: "n"}, Value: "1"}}) {
		t.Errorf("FutureElement attrs = %v", fe.Attrs)
	}

	out, err := info.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseIBInfo(out)
	if err != nil {
		t.Fatal(err)
	}
	// <Trailer/> reads as Inner nil, <Trailer></Trailer> as Inner []byte{}.
	if !reflect.DeepEqual(normalizeElements(back), normalizeElements(info)) {
		t.Errorf("round trip lost something:\n%s\n%+v\n%+v", out, back, info)
	}
	if !strings.Contains(string(out), `<FutureElement kind="x" n="1"><Child>text &amp; more</Child><![CDATA[raw]]></FutureElement>`) {
		t.Errorf("unknown element not written back verbatim:\n%s", out)
	}
	j, err := json.Marshal(info.Extra[0])
	if err != nil || string(j) != `{"name":"FutureElement","xml":"\u003cChild\u003etext \u0026amp; more\u003c/Child\u003e\u003c![CDATA[raw]]\u003e"}` {
		t.Errorf("Element JSON = %s, %v", j, err)
	}
}

func TestIBInfoPasswordStaysHidden(t *testing.T) {
	t.Parallel()
	const pw = "hunter2-node-pw"
	info, err := ParseIBInfo([]byte(`<IBInfo><MessageName>M</MessageName><From><RequestingNode><![CDATA[N]]></RequestingNode><Password><![CDATA[` + pw + `]]></Password></From></IBInfo>`))
	if err != nil {
		t.Fatal(err)
	}
	if info.From.Password.Reveal() != pw {
		t.Fatalf("password read as %q", info.From.Password.Reveal())
	}
	var shown []string
	for _, v := range []any{info, *info, info.From, *info.From, info.From.Password} {
		// Not %s: see TestIBInfoPasswordBadVerb.
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, string(j))
	}
	for _, s := range shown {
		if strings.Contains(s, pw) {
			t.Errorf("password shown: %s", s)
		}
	}
	j, _ := json.Marshal(info)
	if !strings.Contains(string(j), `"Password":"REDACTED"`) {
		t.Errorf("JSON does not say REDACTED: %s", j)
	}
	wire, err := info.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(wire), "<Password><![CDATA["+pw+"]]></Password>") {
		t.Errorf("wire form lacks the password:\n%s", wire)
	}
	if strings.Contains(RedactString(string(wire)), pw) {
		t.Errorf("Redact left the password in the wire form")
	}

	// An empty password is not written at all.
	info.From.Password = NodePassword{}
	wire, _ = info.Marshal()
	if strings.Contains(string(wire), "Password") {
		t.Errorf("empty password written: %s", wire)
	}
}

func TestParseIBInfoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		doc    string
		target error // nil: *SyntaxError
	}{
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE IBInfo [<!ENTITY x SYSTEM "file:///etc/passwd">]><IBInfo><MessageName>&x;</MessageName></IBInfo>`, ErrUnsafeXML},
		{"billion laughs", `<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><IBInfo><MessageName>&b;</MessageName></IBInfo>`, ErrUnsafeXML},
		{"wrong root", `<IBResponse type="success"/>`, nil},
		{"unclosed", "<IBInfo>\n<MessageName>M", nil},
		{"empty", "", nil},
		{"text", "not xml", nil},
		{"bad status number", `<IBInfo><Status><StatusCode>x</StatusCode></Status></IBInfo>`, nil},
	}
	for _, tt := range tests {
		info, err := ParseIBInfo([]byte(tt.doc))
		if err == nil {
			t.Errorf("%s: accepted: %+v", tt.name, info)
			continue
		}
		if tt.target != nil {
			if !errors.Is(err, tt.target) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.target)
			}
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.What != "IBInfo" {
			t.Errorf("%s: %T %v, want *SyntaxError for IBInfo", tt.name, err, err)
		}
	}
}

func TestIBInfoAccessorsOnNil(t *testing.T) {
	t.Parallel()
	var info *IBInfo
	if info.IsResponse() || info.RequestingNode() != "" || info.DestinationNode() != "" || info.Operation() != "" {
		t.Error("nil IBInfo accessors")
	}
	info = &IBInfo{MessageName: "MSG", ExternalOperationName: "OP.v1"}
	if info.Operation() != "OP.v1" {
		t.Errorf("Operation() = %q, want the external name first", info.Operation())
	}
}

// TestIBInfoPasswordBadVerb: a verb that is invalid for a pointer (%s, %d
// on a struct field *From, ...) makes fmt print the pointee without calling
// Format or String; secret.Secret keeps its value behind a pointer so that
// even then only an address shows.
func TestIBInfoPasswordBadVerb(t *testing.T) {
	t.Parallel()
	info := &IBInfo{From: &From{RequestingNode: "N", Password: NodePassword{secret.New("hunter2")}}}
	creds := struct{ C *Credentials }{&Credentials{From: "N", Password: secret.New("hunter2")}}
	for _, verb := range []string{"%s", "%d", "%x", "%q", "%v", "%+v", "%#v"} {
		for _, v := range []any{info, creds, *info.From} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "hunter2") || strings.Contains(s, "68756e74657232") {
				t.Errorf("fmt.Sprintf(%q) shows the password: %s", verb, s)
			}
		}
	}
}

// normalizeElements returns a deep copy-free view of v in which every
// Element's empty Inner is nil, so that <X/> and <X></X> compare equal.
func normalizeElements[T any](v T) T {
	normalize(reflect.ValueOf(&v).Elem())
	return v
}

var elementType = reflect.TypeFor[Element]()

func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == elementType {
			if f := v.FieldByName("Inner"); f.Len() == 0 && f.CanSet() {
				f.SetBytes(nil)
			}
			if f := v.FieldByName("Attrs"); f.Len() == 0 && f.CanSet() {
				f.Set(reflect.Zero(f.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			normalize(v.Index(i))
		}
	}
}
