package ibmsg

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Building blocks of the lenient-parse cases. All are LF; the CRLF case
// converts.
const (
	tBoundary = "----=_Part_1_1000001.1700000000000"
	tIBInfo   = `<?xml version="1.0"?><IBInfo><MessageName><![CDATA[QE_TEST]]></MessageName><MessageType>sync</MessageType><From><RequestingNode><![CDATA[PTEST]]></RequestingNode></From><ContentSections><ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation></ContentSection></ContentSections></IBInfo>`
	tBody     = `<?xml version="1.0"?><TestXml>This is a sample request message.</TestXml>`
)

func tTop(contentType, contentID string) string {
	return "Message-ID: <1000001.1700000000000.JavaMail.psib@test>\n" +
		"Date: Tue, 14 Nov 2023 22:13:20 +0000 (UTC)\n" +
		"Mime-Version: 1.0\n" +
		"Content-Type: " + contentType + "\n" +
		"Content-ID: " + contentID + "\n\n"
}

func tStdTop() string {
	return tTop(`multipart/related; boundary="`+tBoundary+`"`, ContentIDInternal)
}

// tPart writes a part with PeopleSoft's headers; cte and ct override the
// defaults when not empty.
func tPart(cid, ct, cte, body string) string {
	if ct == "" {
		ct = "text/plain; charset=UTF-8"
	}
	if cte == "" {
		cte = "8bit"
	}
	return "--" + tBoundary + "\n" +
		"Content-Type: " + ct + "\n" +
		"Content-Transfer-Encoding: " + cte + "\n" +
		"Content-Disposition: inline\n" +
		"Content-ID: " + cid + "\n\n" +
		body + "\n"
}

func tClose() string { return "--" + tBoundary + "--\n" }

func tStd() string {
	return tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// wrap76 breaks s into 76-character lines, as MIME writers do.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

type wantSection struct {
	id    string
	body  string
	enc   ContentEncoding
	errIs error // when set, Section.Err must match it
}

var plain = ContentEncoding{Compression: CompressionNone}

func stdSections() []wantSection {
	return []wantSection{{id: "ContentSection0", body: tBody, enc: plain}}
}

func TestParseMessageLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		input    string
		lim      Limits
		op, node string        // IBInfo operation and requesting node ("" = none)
		status   *Status       // response status
		infoErr  error         // IBInfoErr must match it
		sections []wantSection // exactly these, in order
		warnings []string      // one substring per warning, in order
		check    func(t *testing.T, m *Message)
	}{
		{
			name: "LF", input: tStd(),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				want := Header{
					{"Message-ID", "<1000001.1700000000000.JavaMail.psib@test>"},
					{"Date", "Tue, 14 Nov 2023 22:13:20 +0000 (UTC)"},
					{"Mime-Version", "1.0"},
					{"Content-Type", `multipart/related; boundary="` + tBoundary + `"`},
					{"Content-ID", ContentIDInternal},
				}
				if !reflect.DeepEqual(m.Header, want) {
					t.Errorf("Header = %v", m.Header)
				}
				if m.Boundary() != tBoundary {
					t.Errorf("Boundary() = %q", m.Boundary())
				}
				if got := string(m.Sections[0].Header.Get("content-transfer-encoding")); got != "8bit" {
					t.Errorf("section CTE %q", got)
				}
				if m.Sections[0].RawBytes != len(tBody) {
					t.Errorf("RawBytes = %d, want %d", m.Sections[0].RawBytes, len(tBody))
				}
				if m.IsResponse() || m.Status() != nil {
					t.Errorf("request read as a response")
				}
				if string(m.IBInfoRaw) != tIBInfo {
					t.Errorf("IBInfoRaw = %q", m.IBInfoRaw)
				}
			},
		},
		{
			name: "CRLF", input: strings.ReplaceAll(tStd(), "\n", "\r\n"),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				if m.Boundary() != tBoundary || m.Header.Get("Content-ID") != ContentIDInternal {
					t.Errorf("header values carry line ends: %q", m.Header)
				}
			},
		},
		{
			name:  "leading blank lines and trailing text after the close",
			input: "\n\n" + tStd() + "epilogue\n",
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
		},
		{
			name: "folded Content-Type with a tab",
			input: tTop("multipart/related; \n\tboundary=\""+tBoundary+"\"", ContentIDInternal) +
				tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				if got := m.Header.Get("Content-Type"); got != `multipart/related; boundary="`+tBoundary+`"` {
					t.Errorf("unfolded Content-Type %q", got)
				}
			},
		},
		{
			name: "folded Content-Type, tab lost",
			input: tTop("multipart/related;\nboundary=\""+tBoundary+"\"", ContentIDInternal) +
				tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				if got := m.Header.Get("Content-Type"); got != `multipart/related; boundary="`+tBoundary+`"` {
					t.Errorf("unfolded Content-Type %q", got)
				}
				if len(m.Header) != 5 {
					t.Errorf("header has %d fields, want 5: %v", len(m.Header), m.Header)
				}
			},
		},
		{
			name: "value starts on the continuation line",
			input: tTop("\n\tmultipart/related;\n\tboundary=\""+tBoundary+"\"", ContentIDInternal) +
				tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				if got := m.Header.Get("Content-Type"); got != `multipart/related; boundary="`+tBoundary+`"` {
					t.Errorf("unfolded Content-Type %q", got)
				}
			},
		},
		{
			name: "unquoted boundary",
			input: tTop("multipart/related; boundary=Integration_Server_MIME_Boundary", ContentIDInternal856) +
				strings.ReplaceAll(tPart("IBInfo", "", "", tIBInfo)+tPart("ContentSection0", "", "", tBody)+tClose(), tBoundary, "Integration_Server_MIME_Boundary"),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
		},
		{
			name:  "8.56 top Content-ID",
			input: tTop(`multipart/related; boundary="`+tBoundary+`"`, ContentIDInternal856) + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
		},
		{
			name:  "top Content-ID in angle brackets",
			input: tTop(`multipart/related; boundary="`+tBoundary+`"`, "<"+ContentIDInternal+">") + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
		},
		{
			name:  "unexpected top Content-ID",
			input: tTop(`multipart/related; boundary="`+tBoundary+`"`, "Something-Else") + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
			warnings: []string{`unexpected top Content-ID "Something-Else"`},
		},
		{
			name:  "missing closing boundary",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + "\n\n",
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
			warnings: []string{"closing boundary missing"},
		},
		{
			name:  "mismatched closing boundary (8.55 book)",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + "------=_Part_0_999.888--\n",
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
			warnings: []string{`line 21: closing boundary "------=_Part_0_999.888--" does not match the declared boundary`},
		},
		{
			name: "no blank line between part headers and body",
			input: tStdTop() +
				"--" + tBoundary + "\nContent-Type: text/plain; charset=UTF-8\nContent-ID: IBInfo\n" + tIBInfo + "\n" +
				"--" + tBoundary + "\nContent-Type: text/plain; charset=UTF-8\nContent-ID: ContentSection0\n" + tBody + "\n" + tClose(),
			op: "QE_TEST", node: "PTEST", sections: stdSections(),
			warnings: []string{
				"line 10: no blank line between the part headers and the body",
				"line 14: no blank line between the part headers and the body",
			},
		},
		{
			name: "parts without Content-ID: the IBInfo is found by content",
			input: tStdTop() +
				"--" + tBoundary + "\nContent-Type: text/plain\n\n" + tIBInfo + "\n" +
				"--" + tBoundary + "\nContent-Type: text/plain\n\n" + tBody + "\n" + tClose(),
			op: "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "", body: tBody, enc: plain}},
		},
		{
			name: "response with only an IBInfo part",
			input: tStdTop() + tPart("IBInfo", "", "",
				`<?xml version="1.0"?><IBInfo><Status><StatusCode>10</StatusCode><MsgSet>158</MsgSet> <MsgID>10721</MsgID><Parameters count="1"><Parm>404</Parm></Parameters> <DefaultTitle>Integration Gateway Error</DefaultTitle></Status></IBInfo>`) + tClose(),
			status:   &Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: Params{"404"}, DefaultTitle: "Integration Gateway Error"},
			sections: []wantSection{},
			check: func(t *testing.T, m *Message) {
				if !m.IsResponse() || m.Status().Class() != ClassContact {
					t.Errorf("IsResponse %v, class %v", m.IsResponse(), m.Status().Class())
				}
			},
		},
		{
			name: "multi-line body keeps its inner line ends, drops trailing blank lines",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) +
				tPart("ContentSection0", "", "", "<?xml version=\"1.0\"?>\n<a>\n  <b/>\n</a>\n\n") + tClose(),
			op: "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<?xml version=\"1.0\"?>\n<a>\n  <b/>\n</a>", enc: plain}},
		},
		{
			name:  "base64 declared",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "base64", wrap76(b64(tBody+tBody))) + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: tBody + tBody, enc: ContentEncoding{Base64: true, Compression: CompressionNone}}},
		},
		{
			name:  "base64 declared in upper case, unpadded",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "BASE64", "PGEvPg") + tClose(), // "<a/>" is PGEvPg==
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<a/>", enc: ContentEncoding{Base64: true, Compression: CompressionNone}}},
		},
		{
			name:  "base64 of XML, undeclared",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", wrap76(b64(tBody))) + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: tBody, enc: ContentEncoding{Base64: true, Compression: CompressionNone}}},
		},
		{
			name:  "text that happens to be base64 alphabet stays text",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", "12345678") + tPart("ContentSection1", "", "", "TESTDATA") + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "12345678", enc: plain}, {id: "ContentSection1", body: "TESTDATA", enc: plain}},
		},
		{
			name:  "quoted-printable",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "quoted-printable", "<a>caf=C3=A9 =3D ok, a long line that was =\nsoft-broken</a>") + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<a>café = ok, a long line that was soft-broken</a>", enc: plain}},
		},
		{
			name:  "ISO-8859-1 section converted to UTF-8",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "text/plain; charset=ISO-8859-1", "", "<a>caf\xe9 \xbd \xfc</a>") + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<a>café ½ ü</a>", enc: plain}},
			check: func(t *testing.T, m *Message) {
				if cs := m.Sections[0].Charset(); cs != "ISO-8859-1" {
					t.Errorf("Charset() = %q", cs)
				}
			},
		},
		{
			name:  "windows-1252 section converted to UTF-8",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", `text/plain; charset="windows-1252"`, "", "<a>\x93quoted\x94 \x80</a>") + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<a>“quoted” €</a>", enc: plain}},
		},
		{
			name:  "unknown charset: section error, raw body",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "text/plain; charset=x-no-such-charset", "", "<a/>") + tClose(),
			op:    "QE_TEST", node: "PTEST",
			sections: []wantSection{{id: "ContentSection0", body: "<a/>", enc: plain, errIs: &SyntaxError{}}},
		},
		{
			name: "corrupt base64 declared: that section fails, the others are fine",
			input: tStdTop() + tPart("IBInfo", "", "", tIBInfo) +
				tPart("ContentSection0", "", "base64", "!!!! this is not base64 !!!!") +
				tPart("ContentSection1", "", "", tBody) + tClose(),
			op: "QE_TEST", node: "PTEST",
			sections: []wantSection{
				{id: "ContentSection0", body: "!!!! this is not base64 !!!!", enc: plain, errIs: &SyntaxError{}},
				{id: "ContentSection1", body: tBody, enc: plain},
			},
		},
		{
			name: "IBInfo with a DOCTYPE",
			input: tStdTop() + tPart("IBInfo", "", "", `<?xml version="1.0"?><!DOCTYPE IBInfo [<!ENTITY x SYSTEM "file:///etc/passwd">]><IBInfo><MessageName>&x;</MessageName></IBInfo>`) +
				tPart("ContentSection0", "", "", tBody) + tClose(),
			infoErr:  ErrUnsafeXML,
			sections: stdSections(),
			check: func(t *testing.T, m *Message) {
				if !bytes.Contains(m.IBInfoRaw, []byte("<!DOCTYPE")) {
					t.Errorf("IBInfoRaw = %q", m.IBInfoRaw)
				}
			},
		},
		{
			name:     "IBInfo that is not XML",
			input:    tStdTop() + tPart("IBInfo", "", "", "<IBInfo><MessageName>unclosed") + tPart("ContentSection0", "", "", tBody) + tClose(),
			infoErr:  &SyntaxError{},
			sections: stdSections(),
		},
		{
			name:     "no IBInfo part",
			input:    tStdTop() + tPart("ContentSection0", "", "", tBody) + tClose(),
			infoErr:  &SyntaxError{},
			sections: stdSections(),
		},
		{
			name:  "no boundary declared: taken from the first delimiter",
			input: tTop("multipart/related", ContentIDInternal) + tPart("IBInfo", "", "", tIBInfo) + tPart("ContentSection0", "", "", tBody) + tClose(),
			op:    "QE_TEST", node: "PTEST", sections: stdSections(),
			warnings: []string{`no multipart boundary declared; using "` + tBoundary + `" from line 7`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMessage([]byte(tt.input), tt.lim)
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			switch {
			case tt.infoErr != nil:
				if m.IBInfo != nil {
					t.Errorf("IBInfo = %+v, want nil", m.IBInfo)
				}
				var se *SyntaxError
				if _, want := tt.infoErr.(*SyntaxError); want {
					if !errors.As(m.IBInfoErr, &se) {
						t.Errorf("IBInfoErr = %v, want a *SyntaxError", m.IBInfoErr)
					}
				} else if !errors.Is(m.IBInfoErr, tt.infoErr) {
					t.Errorf("IBInfoErr = %v, want %v", m.IBInfoErr, tt.infoErr)
				}
			case m.IBInfoErr != nil || m.IBInfo == nil:
				t.Fatalf("IBInfo %v, IBInfoErr %v", m.IBInfo, m.IBInfoErr)
			default:
				if got := m.IBInfo.Operation(); got != tt.op {
					t.Errorf("Operation() = %q, want %q", got, tt.op)
				}
				if got := m.IBInfo.RequestingNode(); got != tt.node {
					t.Errorf("RequestingNode() = %q, want %q", got, tt.node)
				}
				if !reflect.DeepEqual(m.Status(), tt.status) {
					t.Errorf("Status() = %+v, want %+v", m.Status(), tt.status)
				}
			}
			if len(m.Sections) != len(tt.sections) {
				t.Fatalf("%d sections, want %d: %+v", len(m.Sections), len(tt.sections), m.Sections)
			}
			for i, w := range tt.sections {
				s := m.Sections[i]
				if s.ID() != w.id || string(s.Body) != w.body || s.Encoding != w.enc {
					t.Errorf("section %d: id %q body %q enc %+v; want %q %q %+v", i, s.ID(), s.Body, s.Encoding, w.id, w.body, w.enc)
				}
				switch w.errIs.(type) {
				case nil:
					if s.Err != nil {
						t.Errorf("section %d: Err = %v", i, s.Err)
					}
				case *SyntaxError:
					var se *SyntaxError
					if !errors.As(s.Err, &se) {
						t.Errorf("section %d: Err = %v, want a *SyntaxError", i, s.Err)
					}
				default:
					if !errors.Is(s.Err, w.errIs) {
						t.Errorf("section %d: Err = %v, want %v", i, s.Err, w.errIs)
					}
				}
			}
			if len(m.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d matching %q", m.Warnings, len(tt.warnings), tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(m.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, m.Warnings[i], w)
				}
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestParseMessageLFAndCRLFAgree(t *testing.T) {
	t.Parallel()
	lf, err := ParseMessage([]byte(tStd()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	crlf, err := ParseMessage([]byte(strings.ReplaceAll(tStd(), "\n", "\r\n")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lf.IBInfo, crlf.IBInfo) || !reflect.DeepEqual(lf.Header, crlf.Header) {
		t.Errorf("LF and CRLF differ:\n%+v\n%+v", lf.IBInfo, crlf.IBInfo)
	}
	for i := range lf.Sections {
		if !bytes.Equal(lf.Sections[i].Body, crlf.Sections[i].Body) || !reflect.DeepEqual(lf.Sections[i].Header, crlf.Sections[i].Header) {
			t.Errorf("section %d differs", i)
		}
	}
}

func TestParseMessageFailures(t *testing.T) {
	t.Parallel()
	manyHeaders := func(n int) string {
		var b strings.Builder
		b.WriteString(`Content-Type: multipart/related; boundary="` + tBoundary + "\"\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "X-Field-%d: v\n", i)
		}
		b.WriteString("\n")
		return b.String() + tPart("IBInfo", "", "", tIBInfo) + tClose()
	}
	tests := []struct {
		name   string
		input  string
		lim    Limits
		target error // nil: *SyntaxError
	}{
		{name: "garbage", input: "hello world\nthis is not MIME at all\n"},
		{name: "empty", input: ""},
		{name: "binary", input: "\x00\x01\x02\xff\xfe"},
		{name: "header only", input: "Content-Type: text/plain\n\n<a/>\n"},
		{name: "boundary declared but never used", input: tStdTop() + "no parts here\n"},
		{name: "1,001 header fields", input: manyHeaders(1001), target: ErrTooLarge},
		{name: "11 header fields over a limit of 10", input: manyHeaders(11), lim: Limits{MaxHeaders: 10}, target: ErrTooLarge},
		{name: "2 MiB header line", input: "X-Long: " + strings.Repeat("a", 2<<20) + "\n" + tStd(), target: ErrTooLarge},
		{name: "2 MiB line in a part header", input: tStdTop() + "--" + tBoundary + "\nX-Long: " + strings.Repeat("a", 2<<20) + "\n\n<a/>\n" + tClose(), target: ErrTooLarge},
		{name: "message over MaxSectionBytes", input: tStd(), lim: Limits{MaxSectionBytes: 100}, target: ErrTooLarge},
		// 1.6 MiB of short continuation lines unfold past the 1 MiB line
		// limit (this also took minutes when unfolding was quadratic).
		{name: "folded field over 1 MiB", input: "X-Folded: a\n" + strings.Repeat("\tbb\n", 400000) + "\n" + tStd(), target: ErrTooLarge},
		{name: "unindented continuations over the limit", input: "X-Folded: a;\n" + strings.Repeat("b;\n", 400) + "\n" + tStd(), lim: Limits{MaxLineBytes: 1000}, target: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMessage([]byte(tt.input), tt.lim)
			if err == nil {
				t.Fatalf("ParseMessage accepted it: %+v", m)
			}
			if m != nil {
				t.Errorf("message returned with the error")
			}
			if tt.target != nil {
				if !errors.Is(err, tt.target) {
					t.Errorf("error %v, want %v", err, tt.target)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %T %v, want *SyntaxError", err, err)
			}
		})
	}

	// The limits are inclusive: exactly 1,000 fields and a 1 MiB line pass.
	if _, err := ParseMessage([]byte(manyHeaders(1000)), Limits{}); err != nil {
		t.Errorf("1,000 header fields: %v", err)
	}
	if _, err := ParseMessage([]byte("X-Long: "+strings.Repeat("a", 1<<20-len("X-Long: "))+"\n"+tStd()), Limits{}); err != nil {
		t.Errorf("1 MiB header line: %v", err)
	}
}

func TestReadMessage(t *testing.T) {
	t.Parallel()
	m, err := ReadMessage(strings.NewReader(tStd()), Limits{})
	if err != nil || m.IBInfo.Operation() != "QE_TEST" {
		t.Fatalf("ReadMessage: %v", err)
	}
	_, err = ReadMessage(strings.NewReader(tStd()), Limits{MaxSectionBytes: 64})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadMessage past the limit: %v", err)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestParseMessageDecompressionBomb(t *testing.T) {
	t.Parallel()
	const inflated = 16 << 20 // 16 MiB of zeros, against a 1 MiB limit
	lim := Limits{MaxSectionBytes: 1 << 20}
	compressors := []struct {
		c   Compression
		cte string
		new func(io.Writer) io.WriteCloser
	}{
		{CompressionGzip, "base64", func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return z }},
		{CompressionZlib, "8bit", func(w io.Writer) io.WriteCloser { z, _ := zlib.NewWriterLevel(w, zlib.BestCompression); return z }},
		{CompressionDeflate, "8bit", func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, flate.BestCompression); return z }},
	}
	for _, cc := range compressors {
		t.Run(string(cc.c), func(t *testing.T) {
			t.Parallel()
			var z bytes.Buffer
			w := cc.new(&z)
			if _, err := io.CopyN(w, zeros{}, inflated); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			bomb := wrap76(base64.StdEncoding.EncodeToString(z.Bytes()))
			input := tStdTop() + tPart("IBInfo", "", "", tIBInfo) +
				tPart("ContentSection0", "", cc.cte, bomb) +
				tPart("ContentSection1", "", "", tBody) + tClose()
			m, err := ParseMessage([]byte(input), lim)
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			if m.IBInfo == nil || m.IBInfo.Operation() != "QE_TEST" {
				t.Errorf("IBInfo not read: %v", m.IBInfoErr)
			}
			if len(m.Sections) != 2 {
				t.Fatalf("%d sections", len(m.Sections))
			}
			s := m.Sections[0]
			if !errors.Is(s.Err, ErrTooLarge) {
				t.Errorf("bomb section Err = %v, want ErrTooLarge", s.Err)
			}
			if len(s.Body) > 1<<20 {
				t.Errorf("bomb section body is %d bytes, past the limit", len(s.Body))
			}
			if s2 := m.Sections[1]; s2.Err != nil || string(s2.Body) != tBody {
				t.Errorf("section after the bomb: %q %v", s2.Body, s2.Err)
			}
		})
	}
}

func TestNewMessageEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 1, 9, 30, 0, 123000000, time.FixedZone("PST", -8*3600))
	info := &IBInfo{
		XMLName:     xml.Name{Local: "IBInfo"},
		MessageName: "QE_TEST", MessageType: "async",
		From: &From{RequestingNode: "PTEST", OrigTimeStamp: Text(FormatOrigTimestamp(now))},
		To:   &To{DestinationNode: "PSFT_HR"},
	}
	m := NewMessage(info, MessageOptions{Now: now, Seq: 5, Host: "test", ToolsRelease: "8.60"})
	payloads := []struct {
		body []byte
		enc  ContentEncoding
	}{
		{[]byte(tBody), ContentEncoding{}},
		{[]byte(strings.Repeat("<row>compressible</row>", 100)), ContentEncoding{Compression: CompressionZlib}},
		{[]byte("<gz/>"), ContentEncoding{Compression: CompressionGzip}},
		{[]byte("<deflate>" + strings.Repeat("x", 50) + "</deflate>"), ContentEncoding{Compression: CompressionDeflate}},
		{[]byte("<b64only/>"), ContentEncoding{Base64: true}},
	}
	for _, p := range payloads {
		m.AddSection(p.body, p.enc)
	}
	if m.Boundary() != "----=_Part_5_1000005.1709314200123" {
		t.Errorf("Boundary() = %q", m.Boundary())
	}
	out, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	wantTop := "Message-ID: <1000005.1709314200123.JavaMail.psib@test>\r\n" +
		"Date: Fri, 1 Mar 2024 09:30:00 -0800 (PST)\r\n" +
		"Mime-Version: 1.0\r\n" +
		"Content-Type: multipart/related; \r\n\tboundary=\"----=_Part_5_1000005.1709314200123\"\r\n" +
		"Content-ID: PeopleSoft-Integration-Broker-Internal-Mime-Message\r\n" +
		"PeopleSoft-ToolsRelease: 8.60\r\n" +
		"\r\n" +
		"------=_Part_5_1000005.1709314200123\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"Content-Disposition: inline\r\n" +
		"Content-ID: IBInfo\r\n" +
		"\r\n" +
		`<?xml version="1.0"?><IBInfo><MessageName><![CDATA[QE_TEST]]></MessageName><MessageType>async</MessageType>` +
		`<From><RequestingNode><![CDATA[PTEST]]></RequestingNode><OrigTimeStamp>2024-03-01T09:30:00.123-0800</OrigTimeStamp></From>` +
		`<To><DestinationNode><![CDATA[PSFT_HR]]></DestinationNode></To><ContentSections>` +
		`<ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation></ContentSection>` +
		`<ContentSection><ID>ContentSection1</ID><NonRepudiation>N</NonRepudiation></ContentSection>` +
		`<ContentSection><ID>ContentSection2</ID><NonRepudiation>N</NonRepudiation></ContentSection>` +
		`<ContentSection><ID>ContentSection3</ID><NonRepudiation>N</NonRepudiation></ContentSection>` +
		`<ContentSection><ID>ContentSection4</ID><NonRepudiation>N</NonRepudiation></ContentSection>` +
		`</ContentSections></IBInfo>` + "\r\n" +
		"------=_Part_5_1000005.1709314200123\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"Content-Disposition: inline\r\n" +
		"Content-ID: ContentSection0\r\n" +
		"\r\n" + tBody + "\r\n" +
		"------=_Part_5_1000005.1709314200123\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: inline\r\n" +
		"Content-ID: ContentSection1\r\n\r\n"
	if !strings.HasPrefix(string(out), wantTop) {
		t.Errorf("encoded message:\n%s\nwant it to start with:\n%s", out, wantTop)
	}
	if !strings.HasSuffix(string(out), "\r\n------=_Part_5_1000005.1709314200123--\r\n") {
		t.Errorf("encoded message does not end with the closing boundary")
	}

	back, err := ParseMessage(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Warnings) != 0 {
		t.Errorf("warnings: %q", back.Warnings)
	}
	if !reflect.DeepEqual(back.Header, m.Header) {
		t.Errorf("header:\n%v\n%v", back.Header, m.Header)
	}
	if !reflect.DeepEqual(back.IBInfo, m.IBInfo) {
		t.Errorf("IBInfo:\n%+v\n%+v", back.IBInfo, m.IBInfo)
	}
	if len(back.Sections) != len(payloads) {
		t.Fatalf("%d sections", len(back.Sections))
	}
	for i, p := range payloads {
		s := back.Sections[i]
		wantEnc := ContentEncoding{Base64: !p.enc.IsPlain(), Compression: p.enc.Compression}
		if wantEnc.Compression == "" {
			wantEnc.Compression = CompressionNone
		}
		if s.Err != nil || !bytes.Equal(s.Body, p.body) || s.Encoding != wantEnc || s.ID() != fmt.Sprintf("ContentSection%d", i) {
			t.Errorf("section %d: id %q enc %+v err %v body %q; want enc %+v body %q", i, s.ID(), s.Encoding, s.Err, s.Body, wantEnc, p.body)
		}
	}

	// Encoding is deterministic.
	again, _ := m.Bytes()
	if !bytes.Equal(out, again) {
		t.Errorf("two encodings differ")
	}
}

func TestNewMessageDefaults(t *testing.T) {
	t.Parallel()
	now := time.Date(2001, 12, 13, 18, 7, 24, 0, time.UTC)
	m := NewMessage(nil, MessageOptions{Now: now})
	want := Header{
		{"Message-ID", "<1000000.1008266844000.JavaMail.psib@psib>"},
		{"Date", "Thu, 13 Dec 2001 18:07:24 +0000 (UTC)"},
		{"Mime-Version", "1.0"},
		{"Content-Type", `multipart/related; boundary="----=_Part_0_1000000.1008266844000"`},
		{"Content-ID", ContentIDInternal},
	}
	if !reflect.DeepEqual(m.Header, want) {
		t.Errorf("header:\n%v\nwant\n%v", m.Header, want)
	}
	if m.ToolsRelease() != "" {
		t.Errorf("ToolsRelease = %q", m.ToolsRelease())
	}
	// A message without IBInfo still takes sections and encodes.
	m.AddSection([]byte("<a/>"), ContentEncoding{})
	if _, err := m.Bytes(); err != nil {
		t.Errorf("Bytes: %v", err)
	}
	// Without a boundary it cannot encode.
	if err := (&Message{}).Encode(io.Discard); err == nil {
		t.Error("Encode without a boundary succeeded")
	}
}

// TestBoundaryOfNonASCII: a Content-Type with non-ASCII bytes (which make
// mime.ParseMediaType fail) must not panic the lenient boundary search.
func TestBoundaryOfNonASCII(t *testing.T) {
	t.Parallel()
	for _, ct := range []string{
		"multipart/related; \u0130\u0130\u0130 boundary=\"abc\"",
		"multipart/related; \xff\xfe\xfd\u0130; BOUNDARY=xyz; q",
		"multipart/related; \u0130",
	} {
		got := BoundaryOf(ct)
		if strings.Contains(ct, "boundary") && got != "abc" || strings.Contains(ct, "BOUNDARY") && got != "xyz" {
			t.Errorf("BoundaryOf(%q) = %q", ct, got)
		}
	}
}
