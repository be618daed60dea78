package ibmsg_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

func ExampleParseMessage() {
	// A request as the gateway logs it (seed 002's example, line breaks
	// restored).
	msg := `Message-ID: <5722340.1008266844175.JavaMail.MNowosel@MNOWOSEL071900>
Date: Thu, 13 Dec 2001 10:07:24 -0800 (PST)
Mime-Version: 1.0
Content-Type: multipart/related; boundary="----=_Part_5_7190308.1008266838787"
Content-ID: PeopleSoft-Integration-Broker-Internal-Mime-Message

------=_Part_5_7190308.1008266838787
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
Content-Disposition: inline
Content-ID: IBInfo

<?xml version="1.0"?><IBInfo><MessageName><![CDATA[EXAMPLE_REQUEST_MESSAGE]]></MessageName><MessageType>sync</MessageType><From><RequestingNode><![CDATA[SOURCENODE]]></RequestingNode><OrigTimeStamp>2001-11-13T10:07:18.817-0800</OrigTimeStamp></From><ContentSections><ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation></ContentSection></ContentSections></IBInfo>
------=_Part_5_7190308.1008266838787
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
Content-Disposition: inline
Content-ID: ContentSection0

<?xml version="1.0"?><TestXml>This is a sample request message.</TestXml>
------=_Part_5_7190308.1008266838787--
`
	m, err := ibmsg.ParseMessage([]byte(msg), ibmsg.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("operation:", m.IBInfo.Operation())
	fmt.Println("node:", m.IBInfo.RequestingNode())
	for _, s := range m.Sections {
		fmt.Printf("%s: %s\n", s.ID(), s.Body)
	}
	fmt.Println("warnings:", len(m.Warnings))
	// Output:
	// operation: EXAMPLE_REQUEST_MESSAGE
	// node: SOURCENODE
	// ContentSection0: <?xml version="1.0"?><TestXml>This is a sample request message.</TestXml>
	// warnings: 0
}

func ExampleNewMessage() {
	// Fixed facts make the output reproducible; commands pass the clock.
	now := time.Date(2024, 3, 1, 9, 30, 0, 123000000, time.FixedZone("PST", -8*3600))
	info := &ibmsg.IBInfo{
		MessageName: "QE_FLIGHTPLAN_SYNC",
		MessageType: "sync",
		From:        &ibmsg.From{RequestingNode: "PSIB", OrigTimeStamp: ibmsg.Text(ibmsg.FormatOrigTimestamp(now))},
	}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: now, Seq: 1, Host: "example"})
	// Plain 8bit text; ContentEncoding{Compression: ibmsg.CompressionZlib}
	// would send it base64 over zlib.
	m.AddSection([]byte(`<?xml version="1.0"?><Flight>QE001</Flight>`), ibmsg.ContentEncoding{})
	b, err := m.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The wire form has CRLF line ends (and the folded Content-Type line
	// ends with a space); show plain line breaks.
	fmt.Print(strings.ReplaceAll(strings.ReplaceAll(string(b), " \r\n", "\n"), "\r\n", "\n"))
	// Output:
	// Message-ID: <1000001.1709314200123.JavaMail.psib@example>
	// Date: Fri, 1 Mar 2024 09:30:00 -0800 (PST)
	// Mime-Version: 1.0
	// Content-Type: multipart/related;
	// 	boundary="----=_Part_1_1000001.1709314200123"
	// Content-ID: PeopleSoft-Integration-Broker-Internal-Mime-Message
	//
	// ------=_Part_1_1000001.1709314200123
	// Content-Type: text/plain; charset=UTF-8
	// Content-Transfer-Encoding: 8bit
	// Content-Disposition: inline
	// Content-ID: IBInfo
	//
	// <?xml version="1.0"?><IBInfo><MessageName><![CDATA[QE_FLIGHTPLAN_SYNC]]></MessageName><MessageType>sync</MessageType><From><RequestingNode><![CDATA[PSIB]]></RequestingNode><OrigTimeStamp>2024-03-01T09:30:00.123-0800</OrigTimeStamp></From><ContentSections><ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation></ContentSection></ContentSections></IBInfo>
	// ------=_Part_1_1000001.1709314200123
	// Content-Type: text/plain; charset=UTF-8
	// Content-Transfer-Encoding: 8bit
	// Content-Disposition: inline
	// Content-ID: ContentSection0
	//
	// <?xml version="1.0"?><Flight>QE001</Flight>
	// ------=_Part_1_1000001.1709314200123--
}

func ExampleParseResponse() {
	// The HTTP listening connector answers HTTP 200 with an IBResponse,
	// even for errors.
	body := `<?xml version="1.0"?>
<IBResponse type="error">
  <DefaultTitle>Integration Broker Response</DefaultTitle>
  <StatusCode>20</StatusCode>
  <MessageID>536</MessageID>
  <DefaultMessage><![CDATA[User PSIB not authorized to invoke Service Operation CHG_SYNC_TEST.v1. (158,536)]]></DefaultMessage>
  <MessageParameters>
    <Parameter><![CDATA[PSIB]]></Parameter>
    <Parameter><![CDATA[CHG_SYNC_TEST.v1]]></Parameter>
  </MessageParameters>
</IBResponse>`
	r, err := ibmsg.ParseResponse([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := r.Status()
	fmt.Println(s.Summary())
	fmt.Println("class:", s.Class())

	var se *ibmsg.StatusError
	if errors.As(r.Err(), &se) && se.Class() == ibmsg.ClassAuth {
		fmt.Println("fix the user's permission lists, not the payload")
	}
	// Output:
	// User PSIB not authorized to invoke Service Operation CHG_SYNC_TEST.v1. (158,536)
	// class: auth
	// fix the user's permission lists, not the payload
}

func ExampleCredentials_SetHeaders() {
	c := ibmsg.Credentials{
		OperationName: "CHG_SYNC_TEST.v1",
		From:          "PTEST",
		To:            "PSFT_HR",
		Password:      secret.New("hunter2"),
	}
	if err := c.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	h := http.Header{}
	c.SetHeaders(h)
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		// Dumps go through Redact.
		fmt.Println(ibmsg.RedactString(k + ": " + h[k][0]))
	}
	// The keys are PeopleSoft's exact spellings, so http.Header.Get, which
	// canonicalizes to "Operationname", does not find them.
	fmt.Printf("Get: %q, map: %q\n", h.Get("OperationName"), h["OperationName"][0])
	// Output:
	// From: PTEST
	// OperationName: CHG_SYNC_TEST.v1
	// Password: REDACTED
	// To: PSFT_HR
	// Get: "", map: "CHG_SYNC_TEST.v1"
}

func ExampleWrapNonXML() {
	ach := []byte("101 123456789 12345678902 ]]> 0510145")
	doc := ibmsg.WrapNonXML("AsyncRequest", ach)
	fmt.Print(string(doc))

	data, ok, err := ibmsg.UnwrapNonXML(doc)
	fmt.Printf("%v %v %q\n", ok, err, data)
	// Output:
	// <?xml version="1.0"?>
	// <AsyncRequest><data PsNonXml="Yes"><![CDATA[101 123456789 12345678902 ]]]]><![CDATA[> 0510145]]></data></AsyncRequest>
	// true <nil> "101 123456789 12345678902 ]]> 0510145"
}

func ExampleParseTimestamp() {
	t, err := ibmsg.ParseTimestamp("2001-11-13T10:07:18.817-0800")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.UTC())
	fmt.Println(ibmsg.FormatTimestamp(t))

	// PeopleSoft requires the ±hhmm offset.
	_, err = ibmsg.ParseTimestamp("2001-11-13T10:07:18.817")
	fmt.Println(errors.Is(err, ibmsg.ErrMissingOffset))
	_, err = ibmsg.ParseTimestamp("2001-11-13T18:07:18Z")
	fmt.Println(err)
	// Output:
	// 2001-11-13 18:07:18.817 +0000 UTC
	// 2001-11-13T10:07:18.817000-0800
	// true
	// timestamp "2001-11-13T18:07:18Z": offset "Z" must be written ±hhmm (e.g. +0000)
}
