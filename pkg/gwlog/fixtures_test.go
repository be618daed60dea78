package gwlog

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite the generated log fixtures in testdata/gwlog (then run with -update for the goldens)")

const fixtureDir = "../../testdata/gwlog"

// The gateway's HTML log layout is not documented and differs between
// PeopleTools releases (ib-protocol.md §4), so the fixtures below write the
// same kinds of traffic in several plausible layouts: an old-style table
// with <BR> line breaks on one physical line per entry, <pre> blocks
// between <hr> rules, unescaped content in <textarea> (which browsers show
// as is), plain-text logs (WebLogic and log4j styles) with Java stack
// traces between the entries, and an errorLog with <font> and <br>. The
// messages themselves are built with pkg/ibmsg, so their MIME, IBInfo and
// compression are what psib writes and reads elsewhere.

type fixtureGen struct {
	t   *testing.T
	seq int
}

func (g *fixtureGen) mime(info *ibmsg.IBInfo, now time.Time, sections ...fixtureSection) string {
	g.seq++
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: now, Seq: g.seq, Host: "hcmprd01", ToolsRelease: "8.58"})
	for _, s := range sections {
		m.AddSection([]byte(s.body), s.enc)
	}
	b, err := m.Bytes()
	if err != nil {
		g.t.Fatal(err)
	}
	return string(b)
}

type fixtureSection struct {
	body string
	enc  ibmsg.ContentEncoding
}

func plain(body string) fixtureSection { return fixtureSection{body: body} }
func packed(body string, c ibmsg.Compression) fixtureSection {
	return fixtureSection{body: body, enc: ibmsg.ContentEncoding{Base64: true, Compression: c}}
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func personSync(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><PERSON_BASIC_SYNC><FieldTypes><PERSON class="R"><EMPLID type="CHAR"/><BIRTHDATE type="DATE"/></PERSON><NAMES class="R"><EMPLID type="CHAR"/><NAME type="CHAR"/></NAMES><PSCAMA class="R"><LANGUAGE_CD type="CHAR"/><AUDIT_ACTN type="CHAR"/></PSCAMA></FieldTypes><MsgData>`)
	names := []string{"Müller,Jörg", "O'Brien,Siobhán", "Nguyễn,Văn An", "Smith & Sons,Pat"}
	for i := range n {
		fmt.Fprintf(&b, `<Transaction><PERSON class="R"><EMPLID>KU%04d</EMPLID><BIRTHDATE>1985-0%d-1%d</BIRTHDATE></PERSON><NAMES class="R"><EMPLID>KU%04d</EMPLID><NAME>%s</NAME></NAMES><PSCAMA class="R"><AUDIT_ACTN>N</AUDIT_ACTN></PSCAMA><PSCAMA class="R"><LANGUAGE_CD>ENG</LANGUAGE_CD><AUDIT_ACTN>C</AUDIT_ACTN></PSCAMA></Transaction>`,
			i, 1+i%9, i%10, i, html.EscapeString(names[i%len(names)]))
	}
	b.WriteString(`</MsgData></PERSON_BASIC_SYNC>`)
	return b.String()
}

func http11(start string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(start + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

var cst = time.FixedZone("CST", -6*3600)

func TestGenerateFixtures(t *testing.T) {
	if !*updateFixtures {
		t.Skip("run with -update-fixtures to rewrite testdata/gwlog's generated logs")
	}
	g := &fixtureGen{t: t}
	at := func(h, m, s int) time.Time { return time.Date(2026, 3, 2, h, m, s, 482e6, cst) }
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(fixtureDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Traffic shared by the layouts.
	asyncReq := g.mime(&ibmsg.IBInfo{MessageName: "PERSON_BASIC_SYNC", MessageType: "async", TransactionID: "d2b1e6f0-1a4c-11f1-9c3a-8f1e2d3c4b5a",
		ExternalOperationName: "PERSON_BASIC_SYNC.VERSION_3",
		From:                  &ibmsg.From{RequestingNode: "PSFT_HR", OrigUser: "HRBATCH", OrigNode: "PSFT_HR", OrigProcess: "PSAPPSRV", OrigTimeStamp: "2026-03-02T14:05:11.301-0600"},
		To:                    &ibmsg.To{DestinationNode: "PSFT_CS"},
		InternalInfo:          &ibmsg.InternalInfo{AppMsg: &ibmsg.AppMsg{PublishingNode: "PSFT_HR", Channel: "PERSON_DATA", DefaultDataVersion: "VERSION_3", VisitedNodes: "|PSFT_HR|"}},
	}, at(14, 5, 11), packed(personSync(6), ibmsg.CompressionGzip))
	asyncResp := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 0, MsgSet: 158, MsgID: 10000, DefaultMsg: "OK", DefaultTitle: "Integration Broker Response Message"},
		TransactionID: "d2b1e6f0-1a4c-11f1-9c3a-8f1e2d3c4b5a"}, at(14, 5, 12))
	queryReq := http11("POST /PSIGW/HttpListeningConnector?Operation=SCC_GET_CONSTITUENT.v1&From=CRM_EXT&To=PSFT_CS&Password=Spring2026! HTTP/1.1",
		[]string{"Host: ib.example.edu:8443", "User-Agent: Apache-HttpClient/4.5.13 (Java/11.0.19)", "Content-Type: text/xml; charset=UTF-8", "Content-Length: 97"},
		`<?xml version="1.0"?><SCC_GET_CONSTITUENT_REQ><EMPLID>KU0042</EMPLID></SCC_GET_CONSTITUENT_REQ>`)
	notAuthorized := http11("HTTP/1.1 200 OK", []string{"Content-Type: text/xml; charset=UTF-8"},
		string(ibmsg.NewErrorResponse(ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 536, Parameters: ibmsg.Params{"CRM_USER", "SCC_GET_CONSTITUENT"},
			DefaultMsg: "User CRM_USER not authorized to invoke Service Operation SCC_GET_CONSTITUENT."}).Marshal()))

	// 1. An old-style table: uppercase tags, one physical line per entry,
	// <BR> for line breaks, &nbsp; for the folded header's indent, &quot;
	// for quotes, CRLF line ends.
	{
		var b strings.Builder
		b.WriteString("<HTML><HEAD><TITLE>Integration Gateway Message Log</TITLE></HEAD>\r\n<BODY BACKGROUND=\"PSbackground.jpg\">\r\n<TABLE BORDER=1 CELLPADDING=2>\r\n<TR><TH>Date/Time</TH><TH>Description</TH><TH>Message</TH><TH>Level</TH></TR>\r\n")
		entry := func(when, desc, content string, level int) {
			esc := strings.ReplaceAll(html.EscapeString(lf(content)), "&#34;", "&quot;")
			esc = strings.ReplaceAll(esc, "\n\t", "<BR>&nbsp;&nbsp;&nbsp;&nbsp;")
			esc = strings.ReplaceAll(esc, "\n", "<BR>")
			fmt.Fprintf(&b, "<TR><TD NOWRAP>%s</TD><TD>%s</TD><TD><FONT FACE=\"Courier New\" SIZE=2>%s</FONT></TD><TD>%d</TD></TR>\r\n", when, desc, esc, level)
		}
		entry("03/02/2026 14:05:11.482", "PeopleSoftListeningConnector: Request message received", asyncReq, 4)
		entry("03/02/2026 14:05:12.015", "PeopleSoftListeningConnector: Response message", asyncResp, 4)
		entry("03/02/2026 14:06:40.007", "HttpListeningConnector: Received request (HTTP input stream)", queryReq, 5)
		entry("03/02/2026 14:06:40.391", "HttpListeningConnector: Returning response", notAuthorized, 4)
		b.WriteString("</TABLE>\r\n</BODY></HTML>\r\n")
		write("layout-table-br.html", b.String())
	}

	// 2. <pre> blocks between <hr> rules, the entry's time in <b>.
	{
		var b strings.Builder
		b.WriteString("<html>\n<head><title>msgLog</title></head>\n<body>\n<h2>Integration Gateway message log</h2>\n")
		entry := func(when, desc, content string) {
			fmt.Fprintf(&b, "<p><b>%s</b> %s</p>\n<pre>\n%s</pre>\n<hr>\n", when, desc, strings.ReplaceAll(html.EscapeString(content), "&#34;", "&quot;"))
		}
		req := &ibmsg.Request{Credentials: ibmsg.Credentials{OperationName: "CHG_ASYNC_UTEST.v1", OperationType: "async", From: "PTEST", To: "HRMS", ExternalMessageID: "ord-20260302-0042", NonRepudiation: "N", MessageVersion: "v1"},
			Data: []byte(`<?xml version="1.0"?><ORDER id="42"><LINE sku="A-7" qty="2"/></ORDER>`)}
		req.Password = secretOf("wrapp3d-s3cret")
		entry("Mon Mar 02 14:07:33 CST 2026", "HttpListeningConnector: HTTP request received", http11("POST /PSIGW/HttpListeningConnector HTTP/1.1",
			[]string{"Host: ib.example.edu:8000", "Content-Type: application/xml", fmt.Sprintf("Content-Length: %d", len(req.Marshal()))}, string(req.Marshal())))
		ack := ibmsg.NewSuccessResponse("5695c49d-bd01-11e7-b7eb-c155c6e4688a").Marshal()
		entry("Mon Mar 02 14:07:33 CST 2026", "HttpListeningConnector: response sent", http11("HTTP/1.1 200 OK",
			[]string{"Date: Mon, 02 Mar 2026 20:07:33 GMT", fmt.Sprintf("Content-Length: %d", len(ack)), "Content-Type: text/xml; charset=UTF-8", "transactionid: 5695c49d-bd01-11e7-b7eb-c155c6e4688a"}, string(ack)))
		pslReq := g.mime(&ibmsg.IBInfo{MessageName: "USER_PROFILE", MessageType: "sync", ExternalOperationName: "USER_PROFILE.VERSION_84",
			From: &ibmsg.From{RequestingNode: "PSFT_EP", Password: ibmsg.NodePassword{Secret: secretOf("n0de-pw")}, OrigTimeStamp: "2026-03-02T14:08:01.120-0600"},
			To:   &ibmsg.To{DestinationNode: "PSFT_HR"}, PathInfo: "/PSIGW/PeopleSoftListeningConnector",
			Connector: &ibmsg.Connector{ConnectorName: "PSFTTARGET", ConnectorClassName: "PeopleSoftTargetConnector",
				ConnectorParameters: []ibmsg.NameValue{{Name: "URL", Value: "https://hr.example.edu/PSIGW/PeopleSoftListeningConnector"}}}},
			at(14, 8, 1), plain(`<?xml version="1.0"?><USER_PROFILE><OPRID>JSMITH</OPRID></USER_PROFILE>`))
		entry("Mon Mar 02 14:08:01 CST 2026", "PeopleSoftListeningConnector: HTTP request received", http11("POST /PSIGW/PeopleSoftListeningConnector HTTP/1.1",
			[]string{"Host: ib.example.edu:8000", "Content-Type: text/plain; charset=UTF-8"}, pslReq))
		contact := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: ibmsg.Params{"404"}, DefaultTitle: "Integration Gateway Error"}}, at(14, 8, 2))
		entry("Mon Mar 02 14:08:02 CST 2026", "PeopleSoftListeningConnector: response sent", http11("HTTP/1.1 200 OK", []string{"Content-Type: text/plain; charset=UTF-8"}, contact))
		soap := `<?xml version="1.0"?>` + "\n" + `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>QAS_USER</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">ws-s3cret</wsse:Password></wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body><qas:QAS_EXECUTEQRYSYNCPOLL_REQ_MSG xmlns:qas="http://xmlns.oracle.com/Enterprise/Tools/schemas/QAS_EXECUTEQRYSYNCPOLL_REQ_MSG.VERSION_1"/></soapenv:Body></soapenv:Envelope>`
		entry("Mon Mar 02 14:09:15 CST 2026", "PeopleSoftServiceListeningConnector: HTTP request received", http11("POST /PSIGW/PeopleSoftServiceListeningConnector HTTP/1.1",
			[]string{"Host: ib.example.edu:8000", "Content-Type: text/xml;charset=UTF-8", `SOAPAction: "QAS_EXECUTEQRYSYNCPOLL_OPER.VERSION_1"`}, soap))
		fault := ibmsg.NewErrorResponse(ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, Parameters: ibmsg.Params{"QAS_USER"}, DefaultMsg: "User password failed."})
		fault.Form = "soap-fault"
		entry("Mon Mar 02 14:09:15 CST 2026", "PeopleSoftServiceListeningConnector: response sent", http11("HTTP/1.1 500 Internal Server Error",
			[]string{"Content-Type: text/xml; charset=UTF-8"}, string(fault.MarshalSOAPFault())))
		b.WriteString("</body>\n</html>\n")
		write("layout-pre-hr.html", b.String())
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write([]byte(b.String()))
		zw.Close()
		write("layout-pre-hr.html.1.gz", z.String())
	}

	// 3. Unescaped content in <textarea> (browsers show its text as is, so
	// a logger may skip escaping): the XML is raw, and a payload's own
	// &amp; must stay.
	{
		var b strings.Builder
		b.WriteString("<html><body bgcolor=\"#FFFFFF\">\n<table width=\"100%\">\n")
		entry := func(when, desc, content string) {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>\n<tr><td colspan=2><textarea rows=\"20\" cols=\"120\" readonly>%s</textarea></td></tr>\n", when, desc, lf(content))
		}
		sync := g.mime(&ibmsg.IBInfo{MessageName: "LOCATION_SYNC", MessageType: "sync", ExternalOperationName: "LOCATION_SYNC.v1",
			From: &ibmsg.From{RequestingNode: "PSFT_FIN", Password: ibmsg.NodePassword{Secret: secretOf("fin-node-pw")}, OrigTimeStamp: "2026-03-02T14:11:00.010-0600"},
			To:   &ibmsg.To{DestinationNode: "PSFT_HR"}}, at(14, 11, 0),
			plain(`<?xml version="1.0"?><LOCATION_SYNC><LOCATION_TBL class="R"><SETID>SHARE</SETID><LOCATION>SC&amp;M</LOCATION><DESCR IsChanged="Y">Science &amp; Mathematics &lt;Bldg 4&gt;</DESCR></LOCATION_TBL></LOCATION_SYNC>`))
		entry("2026-03-02 14:11:00.012", "PeopleSoftTargetConnector: Sending request to app server", sync)
		csv := "EMPLID,EFFDT,ACTION\n2026-03-01 08:00:00,KU0001,HIR\nHTTP request count,3,\n2026-03-02 09:00:00,KU0002,TER\n"
		nonXML := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 0, MsgSet: 158, MsgID: 10000, DefaultMsg: "OK", DefaultTitle: "Integration Broker Response Message"}}, at(14, 11, 1),
			plain(string(ibmsg.WrapNonXML("LOCATION_EXTRACT", []byte(csv)))))
		entry("2026-03-02 14:11:01.204", "PeopleSoftTargetConnector: Received response from app server", nonXML)
		deflated := g.mime(&ibmsg.IBInfo{MessageName: "CHG_ASYNC_UTEST", MessageType: "async", TransactionID: "0f3c9a10-1a4d-11f1-8b7e-2a9d4c1e5f60",
			From: &ibmsg.From{RequestingNode: "PTEST", OrigTimeStamp: "2026-03-02T14:12:30.500-0600"}, To: &ibmsg.To{DestinationNode: "HRMS"}}, at(14, 12, 30),
			packed(`<?xml version="1.0"?><pub>zlib, declared base64</pub>`, ibmsg.CompressionZlib),
			packed(`<?xml version="1.0"?><pub>raw deflate, base64 not declared</pub>`, ibmsg.CompressionDeflate))
		deflated = strings.Replace(deflated, "Content-Transfer-Encoding: base64\r\nContent-Disposition: inline\r\nContent-ID: ContentSection1", "Content-Transfer-Encoding: 8bit\r\nContent-Disposition: inline\r\nContent-ID: ContentSection1", 1)
		entry("2026-03-02 14:12:30.517", "PeopleSoftListeningConnector: Request message received", deflated)
		b.WriteString("</table></body></html>\n")
		write("layout-textarea-raw.html", b.String())
	}

	// 4. A WebLogic-style text log: messages unescaped between log lines,
	// a Java stack trace, another thread's line between two entries, a
	// message on the same line as its log prefix.
	{
		var b strings.Builder
		line := func(when, sev, msg string) {
			fmt.Fprintf(&b, "####<%s> <%s> <IntegrationGateway> <hcmprd01> <PIA> <[ACTIVE] ExecuteThread: '7' for queue: 'weblogic.kernel.Default (self-tuning)'> <> <> <1772482201115> <BEA-000000> <%s>\n", when, sev, msg)
		}
		line("Mar 2, 2026 2:10:01,115 PM CST", "Info", "HttpListeningConnector: HTTP request received")
		b.WriteString(lf(http11("POST /PSIGW/HttpListeningConnector HTTP/1.1",
			[]string{"Host: ib.example.edu:8000", "OperationName: CHG_SYNC_TEST.v1", "From: PTEST", "To: HRMS", "Password: weblogic-pw", "Content-Type: text/xml"},
			`<?xml version="1.0"?><helloworld/>`)) + "\n")
		line("Mar 2, 2026 2:10:01,120 PM CST", "Info", "PeopleSoftTargetConnector: Message To App Server")
		sync := g.mime(&ibmsg.IBInfo{MessageName: "CHG_SYNC_TEST.v1", MessageType: "sync", ExternalOperationName: "CHG_SYNC_TEST.v1",
			From: &ibmsg.From{RequestingNode: "PTEST", Password: ibmsg.NodePassword{Secret: secretOf("weblogic-pw")}, OrigTimeStamp: "2026-03-02T14:10:01.118-0600"},
			To:   &ibmsg.To{DestinationNode: "HRMS"}, PathInfo: "/PSIGW/HttpListeningConnector"}, at(14, 10, 1), plain(`<?xml version="1.0"?><helloworld/>`))
		b.WriteString(lf(sync))
		line("Mar 2, 2026 2:10:01,121 PM CST", "Info", "[Thread 12] ServletContext@1a2b3c: session timeout for user VP1")
		line("Mar 2, 2026 2:10:01,502 PM CST", "Error", "PeopleSoftTargetConnector: Error returned by app server")
		b.WriteString(`com.peoplesoft.pt.integrationgateway.common.ExternalApplicationException: Integration Broker Response: User password failed. (158,45)
	at com.peoplesoft.pt.integrationgateway.targetconnector.PeopleSoftTargetConnector.send(PeopleSoftTargetConnector.java:631)
	at com.peoplesoft.pt.integrationgateway.framework.GatewayManager.processRequest(GatewayManager.java:212)
	at com.peoplesoft.pt.integrationgateway.listeningconnector.HttpListeningConnector.doPost(HttpListeningConnector.java:389)
	at javax.servlet.http.HttpServlet.service(HttpServlet.java:665)
Caused by: psft.pt8.jolt.JoltException: bad password
	at psft.pt8.jolt.Session.call(Session.java:88)
	... 12 more
`)
		errResp := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, Parameters: ibmsg.Params{"PTEST"}, DefaultMsg: "User password failed.", DefaultTitle: "Integration Broker Response"}}, at(14, 10, 1))
		line("Mar 2, 2026 2:10:01,503 PM CST", "Info", "PeopleSoftTargetConnector: Message From App Server")
		b.WriteString(lf(errResp))
		line("Mar 2, 2026 2:10:01,505 PM CST", "Info", "HttpListeningConnector: response sent")
		b.WriteString(lf(http11("HTTP/1.1 200 OK", []string{"Content-Type: text/xml; charset=UTF-8"},
			string(ibmsg.NewErrorResponse(ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, Parameters: ibmsg.Params{"PTEST"}, DefaultMsg: "User password failed."}).Marshal()))))
		fmt.Fprintf(&b, "####<Mar 2, 2026 2:10:07,000 PM CST> <Debug> <IntegrationGateway> <hcmprd01> <PIA> <> <> <> <1772482207000> <BEA-000000> <HttpListeningConnector: answered: <IBResponse type=\"success\"><DefaultTitle>Integration Broker Response</DefaultTitle><StatusCode>0</StatusCode><TransactionID>PTEST.CHG_ASYNC_UTEST.17</TransactionID></IBResponse>>\n")
		write("plain-weblogic.log", b.String())
	}

	// 5. A log4j-style text log with CRLF line ends: an HTTP request whose
	// body is base64 over gzip (the HTTP listening connector accepts
	// compressed, base64-encoded data) without Content-Length, ended by
	// the next log line; a MIME message with raw deflate.
	{
		var b strings.Builder
		line := func(when, lvl, msg string) { fmt.Fprintf(&b, "%s %-5s [IBGatewayThread-4] %s\r\n", when, lvl, msg) }
		line("2026-03-02 14:20:00,001", "INFO", "HttpListeningConnector - HTTP request received")
		packedBody, _ := ibmsg.EncodeContent([]byte(personSync(3)), ibmsg.ContentEncoding{Base64: true, Compression: ibmsg.CompressionGzip})
		b.WriteString(http11("POST /PSIGW/HttpListeningConnector HTTP/1.1", []string{"Host: ib.example.edu:8000", "OperationName: PERSON_BASIC_SYNC.VERSION_3", "From: PSFT_HR", "To: PSFT_CS", "Content-Type: text/plain"}, string(packedBody)) + "\r\n")
		line("2026-03-02 14:20:00,009", "DEBUG", "GatewayManager - routing to PSFTTARGET")
		line("2026-03-02 14:20:00,010", "INFO", "PeopleSoftTargetConnector - request to app server")
		b.WriteString(g.mime(&ibmsg.IBInfo{MessageName: "PERSON_BASIC_SYNC", MessageType: "async", TransactionID: "51a3f2c4-1a4e-11f1-a0b1-4e5f6a7b8c9d", ExternalOperationName: "PERSON_BASIC_SYNC.VERSION_3",
			From: &ibmsg.From{RequestingNode: "PSFT_HR", OrigTimeStamp: "2026-03-02T14:20:00.004-0600"}, To: &ibmsg.To{DestinationNode: "PSFT_CS"}}, at(14, 20, 0),
			packed(personSync(3), ibmsg.CompressionDeflate)))
		line("2026-03-02 14:20:00,131", "WARN", "PeopleSoftTargetConnector - slow app server response (121 ms)")
		line("2026-03-02 14:20:00,132", "INFO", "PeopleSoftTargetConnector - response from app server")
		b.WriteString(g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 0, MsgSet: 158, MsgID: 10000, DefaultMsg: "OK", DefaultTitle: "Integration Broker Response Message"}, TransactionID: "51a3f2c4-1a4e-11f1-a0b1-4e5f6a7b8c9d"}, at(14, 20, 0)))
		line("2026-03-02 14:20:00,140", "INFO", "HttpListeningConnector - response sent")
		b.WriteString(http11("HTTP/1.1 200 OK", []string{"Content-Type: text/xml; charset=UTF-8", "transactionid: 51a3f2c4-1a4e-11f1-a0b1-4e5f6a7b8c9d"}, string(ibmsg.NewSuccessResponse("51a3f2c4-1a4e-11f1-a0b1-4e5f6a7b8c9d").Marshal())))
		line("2026-03-02 14:20:05,000", "INFO", "GatewayManager - heartbeat")
		write("plain-log4j-crlf.log", strings.ReplaceAll(lf(b.String()), "\n", "\r\n"))
	}

	// 6. An errorLog: each entry's text in <font> with <br> line breaks
	// (escaped), the catalog entry, the stack trace, and the IBRequest and
	// IBResponse, the response an IBInfo-only error reply.
	{
		var b strings.Builder
		b.WriteString("<html><head><title>Integration Gateway Error Log</title></head><body>\n")
		entry := func(when, level, desc, catalog, stack, req, resp string) {
			br := func(s string) string { return strings.ReplaceAll(html.EscapeString(lf(s)), "\n", "<br>\n") }
			fmt.Fprintf(&b, "<font face=\"Arial\" size=\"2\"><b>Time:</b> %s<br>\n<b>Error Level:</b> %s<br>\n<b>Description:</b> %s<br>\n<b>Message Catalog:</b> %s<br>\n</font>\n", when, level, desc, catalog)
			fmt.Fprintf(&b, "<font face=\"Courier New\" size=\"2\"><b>Stack Trace:</b><br>\n%s</font>\n", br(stack))
			fmt.Fprintf(&b, "<font face=\"Courier New\" size=\"2\"><b>IBRequest:</b><br>\n%s</font>\n", br(req))
			fmt.Fprintf(&b, "<font face=\"Courier New\" size=\"2\"><b>IBResponse:</b><br>\n%s</font>\n<hr>\n", br(resp))
		}
		req := g.mime(&ibmsg.IBInfo{MessageName: "CHG_SYNC_TEST.v1", MessageType: "sync", ExternalOperationName: "CHG_SYNC_TEST.v1",
			From: &ibmsg.From{RequestingNode: "PTEST", Password: ibmsg.NodePassword{Secret: secretOf("err-log-pw")}, OrigTimeStamp: "2026-03-02T14:30:00.000-0600"},
			To:   &ibmsg.To{DestinationNode: "HRMS"},
			Connector: &ibmsg.Connector{ConnectorName: "HTTPTARGET", ConnectorClassName: "HttpTargetConnector",
				ConnectorParameters: []ibmsg.NameValue{{Name: "URL", Value: "https://partner.example.com/ws"}, {Name: "Method", Value: "POST"}}}},
			at(14, 30, 0), plain(`<?xml version="1.0"?><helloworld/>`))
		contact := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: ibmsg.Params{"404"}, DefaultTitle: "Integration Gateway Error"}}, at(14, 30, 1))
		entry("Mon Mar 02 14:30:01.007 CST 2026", "1", "HttpTargetConnector: External System Contact Error", "158, 10721",
			"com.peoplesoft.pt.integrationgateway.common.ExternalSystemContactException: External System Contact Error\n\tat com.peoplesoft.pt.integrationgateway.targetconnector.HttpTargetConnector.send(HttpTargetConnector.java:1165)\n\tat com.peoplesoft.pt.integrationgateway.framework.GatewayManager.processRequest(GatewayManager.java:189)\n",
			req, contact)
		bad := g.mime(&ibmsg.IBInfo{Status: &ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", "Expected end of tag 'ORDER' (line 1, column 38)"}, DefaultTitle: "Integration Broker Response"}}, at(14, 31, 0))
		entry("Mon Mar 02 14:31:00.250 CST 2026", "2", "PeopleSoftTargetConnector: XML parser error", "159, 5", "(none)", "(not available)", bad)
		b.WriteString("</body></html>\n")
		write("errorlog-font-br.html", b.String())
	}

	// 7. A raw capture of one exchange (a tool's dump, CRLF), complete.
	{
		body := `<?xml version="1.0"?><activeusercount/>`
		resp := `<?xml version="1.0"?><response><activeusercount>37</activeusercount></response>`
		write("capture-http-crlf.txt", http11("POST /PSIGW/HttpListeningConnector HTTP/1.1",
			[]string{"Host: hcm.example.edu:8000", "OperationName: CHG_SYNC_TEST.v1", "From: PTEST", "To: HRMS", "Password: capture-pw", "Content-Type: text/xml", fmt.Sprintf("Content-Length: %d", len(body))}, body)+"\r\n\r\n"+
			http11("HTTP/1.1 200 OK", []string{"Date: Mon, 02 Mar 2026 20:40:00 GMT", "Content-Type: text/xml; charset=UTF-8", fmt.Sprintf("Content-Length: %d", len(resp))}, resp)+"\r\n")
	}
}
