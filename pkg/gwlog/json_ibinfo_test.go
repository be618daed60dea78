package gwlog

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/psib-dev/psib/internal/jsonstr"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// ibinfoSamples are IBInfo documents with every modelled field, unmodelled
// elements, passwords, and text that JSON must escape.
var ibinfoSamples = []string{
	`<?xml version="1.0"?><IBInfo><Status><StatusCode>10</StatusCode><MsgSet>158</MsgSet><MsgID>45</MsgID><Parameters count="1"><Parm>PTEST</Parm></Parameters><DefaultTitle>Integration Broker Response</DefaultTitle><DefaultMsg>User password failed.</DefaultMsg></Status><TransactionID><![CDATA[8d7f-11]]></TransactionID></IBInfo>`,
	`<?xml version="1.0"?><IBInfo><MessageName><![CDATA[CHG_ASYNC_UTEST]]></MessageName><MessageType>async</MessageType><TransactionID><![CDATA[a"b\c]]></TransactionID>` +
		`<ExternalOperationName><![CDATA[CHG_ASYNC_UTEST.v1]]></ExternalOperationName><OperationType>Publish</OperationType><ExternalMessageID><![CDATA[psib-1]]></ExternalMessageID>` +
		`<From><RequestingNode><![CDATA[PTEST]]></RequestingNode><Password><![CDATA[secret]]></Password><DN><![CDATA[cn=x, o=<y> & z]]></DN><OrigUser><![CDATA[VP1]]></OrigUser>` +
		`<OrigNode><![CDATA[PTEST]]></OrigNode><OrigProcess><![CDATA[IB]]></OrigProcess><OrigTimeStamp>2026-03-01T09:30:00.123-08:00</OrigTimeStamp><Custom a="1">x<b/></Custom></From>` +
		`<To><DestinationNode><![CDATA[HRMS]]></DestinationNode><FinalDestinationNode><![CDATA[HRMS2]]></FinalDestinationNode><Other/></To>` +
		`<QStrArgs><QStrArg><Name><![CDATA[Operation]]></Name><Value><![CDATA[a&b=<c>]]></Value></QStrArg><QStrArg><Name><![CDATA[x]]></Name><Value><![CDATA[]]></Value></QStrArg></QStrArgs>` +
		`<Cookies><![CDATA[JSESSIONID=1; t=2]]></Cookies><PathInfo><![CDATA[/PSIGW/x]]></PathInfo>` +
		`<ContentSections><ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation><Headers><version><![CDATA[VERSION_1]]></version><encoding><![CDATA[base64(deflate)]]></encoding></Headers><Note>n</Note></ContentSection><ContentSection><ID>ContentSection1</ID></ContentSection></ContentSections>` +
		`<InternalInfo><AppMsg><PublishingNode><![CDATA[PSFT_HR]]></PublishingNode><Channel><![CDATA[CH]]></Channel><SubChannel><![CDATA[S]]></SubChannel><DefaultDataVersion>VERSION_1</DefaultDataVersion><VisitedNodes><![CDATA[|QE_LOCAL|]]></VisitedNodes><PublicationID>123</PublicationID><X/></AppMsg><Y>1</Y></InternalInfo>` +
		`<Connector><ConnectorName><![CDATA[HTTPTARGET]]></ConnectorName><ConnectorClassName><![CDATA[HttpTargetConnector]]></ConnectorClassName><RemoteFrameworkURL><![CDATA[http://x/PSIGW]]></RemoteFrameworkURL>` +
		`<ConnectorParameters><ConnectorParam><Name><![CDATA[URL]]></Name><Value><![CDATA[http://h?a=1&b=2]]></Value></ConnectorParam></ConnectorParameters>` +
		`<ConnectorHeaders><Header><Name><![CDATA[sendUncompressed]]></Name><Value><![CDATA[Y]]></Value></Header></ConnectorHeaders><Z/></Connector>` +
		`<Unknown attr="&quot;">text &amp; more <i>x</i></Unknown></IBInfo>`,
	"<IBInfo><MessageName><![CDATA[tab\there\nline\u2028sep é 日本 \U0001F600]]></MessageName><From><RequestingNode>A</RequestingNode></From><ContentSections/><InternalInfo/><Connector/><QStrArgs/><To/></IBInfo>",
	`<IBInfo/>`,
}

// TestIBInfoJSON: the hand-written ibinfo JSON is byte for byte what
// encoding/json writes.
func TestIBInfoJSON(t *testing.T) {
	for i, doc := range ibinfoSamples {
		info, err := ibmsg.ParseIBInfo([]byte(doc))
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		checkIBInfoJSON(t, info)
	}
	checkIBInfoJSON(t, nil)
	if got := string(appendHeadersJSON(nil, Headers{{Name: "b", Value: "2"}, {Name: "a", Value: "<1>"}, {Name: "Ä", Value: "\u2028"}})); got != `{"a":"<1>","b":"2","Ä":"\u2028"}` {
		t.Errorf("headers JSON %s", got)
	}
	// As a map of the fields would be (the last of a name wins), in
	// encoding/json's rendering; nil is null.
	b, c := Headers{{Name: "b", Value: "1"}, {Name: "a", Value: "x"}, {Name: "b", Value: "2"}, {Name: "A", Value: "y"}, {Name: "b", Value: "3"}, {Name: "a", Value: "z"}}, Headers{}
	for i := range 20 {
		c = append(c, ibmsg.HeaderField{Name: fmt.Sprintf("H%d", (i*7)%11), Value: fmt.Sprint(i)})
	}
	for _, h := range []Headers{nil, {}, {{Name: "Content-Type", Value: `text/xml; charset="UTF-8"`}, {Name: "x\x00", Value: "\xff"}}, b, c} {
		var m map[string]string
		if h != nil {
			m = h.Map()
		}
		want, _ := jsonstr.AppendValue(nil, m)
		if got := appendHeadersJSON(nil, h); string(got) != string(want) {
			t.Errorf("headers %v: got %s, want %s", h, got, want)
		}
		if got, _ := json.Marshal(h); string(got) != string(want) {
			t.Errorf("headers %v: MarshalJSON %s, want %s", h, got, want)
		}
	}
}

func checkIBInfoJSON(t testing.TB, info *ibmsg.IBInfo) {
	t.Helper()
	want, err := jsonstr.AppendValue(nil, info)
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendIBInfoJSON(nil, info)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("ibinfo JSON:\n got %s\nwant %s", got, want)
	}
}

// FuzzIBInfoJSON: for any IBInfo psib can read, the hand-written JSON is
// encoding/json's.
func FuzzIBInfoJSON(f *testing.F) {
	for _, doc := range ibinfoSamples {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ibmsg.ParseIBInfo(data)
		if err != nil {
			return
		}
		checkIBInfoJSON(t, info)
	})
}
