package ibmsg

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/psib-dev/psib/pkg/secret"
)

// fuzzLimits keep the fuzzers' memory small.
var fuzzLimits = Limits{MaxSectionBytes: 1 << 20, MaxHeaders: 200, MaxLineBytes: 64 << 10}

// seedFixtures adds every fixture in testdata/ibmsg whose name matches one
// of the patterns, plus extra seeds.
func seedFixtures(f *testing.F, patterns []string, extra ...string) {
	f.Helper()
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join(fixtures, p))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkErr fails unless err is one of the package's documented kinds.
func checkErr(t *testing.T, err error, sentinels ...error) {
	t.Helper()
	var se *SyntaxError
	if errors.As(err, &se) {
		return
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("undocumented error %T: %v", err, err)
}

func FuzzParseMessage(f *testing.F) {
	seedFixtures(f, []string{"*.mime"},
		tStd(),
		strings.ReplaceAll(tStd(), "\n", "\r\n"),
		tStdTop()+tPart("IBInfo", "", "", tIBInfo)+tPart("ContentSection0", "", "base64", b64(tBody)),
		"Content-Type: multipart/related; boundary=b\n\n--b\n\n<IBInfo/>\n--b--\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMessage(data, fuzzLimits)
		if err != nil {
			if m != nil {
				t.Fatalf("message returned with error %v", err)
			}
			checkErr(t, err, ErrTooLarge)
			return
		}
		if (m.IBInfo == nil) == (m.IBInfoErr == nil) {
			t.Fatalf("IBInfo %v and IBInfoErr %v: exactly one must be set", m.IBInfo, m.IBInfoErr)
		}
		// SkipContent reads the same message, sections left undecoded.
		sk, err := ParseMessageWith(data, ParseOptions{Limits: fuzzLimits, SkipContent: true})
		if err != nil || len(sk.Sections) != len(m.Sections) || (sk.IBInfo == nil) != (m.IBInfo == nil) ||
			m.IBInfo != nil && sk.IBInfo.Operation() != m.IBInfo.Operation() {
			t.Fatalf("SkipContent read differently: err %v, %d/%d sections, IBInfo %v/%v", err, len(sk.Sections), len(m.Sections), sk.IBInfo, m.IBInfo)
		}
		for i, s := range sk.Sections {
			if !s.Skipped || s.Body != nil || s.RawBytes != m.Sections[i].RawBytes {
				t.Fatalf("skipped section %d: %+v (decoded: %d raw bytes)", i, s, m.Sections[i].RawBytes)
			}
		}
		for _, s := range m.Sections {
			if int64(len(s.Body)) > fuzzLimits.maxSection() {
				t.Fatalf("section body of %d bytes past the limit", len(s.Body))
			}
		}
		if m.IBInfo == nil {
			return
		}
		out, err := m.Bytes()
		if m.Boundary() == "" {
			// The boundary was guessed from a delimiter line; Encode takes
			// it from the header only (testdata/fuzz/FuzzParseMessage/a72dab00a386e4e3).
			if err == nil {
				t.Fatalf("encoded without a declared boundary")
			}
			return
		}
		if err != nil {
			t.Fatalf("a parsed message with an IBInfo does not re-encode: %v", err)
		}
		back, err := ParseMessage(out, Limits{MaxSectionBytes: 8 << 20})
		if err != nil {
			t.Fatalf("re-encoded message does not parse: %v\n%q", err, out)
		}
		if back.IBInfo == nil {
			t.Fatalf("re-encoded message lost its IBInfo: %v\n%q", back.IBInfoErr, out)
		}
		if back.IBInfo.Operation() != m.IBInfo.Operation() || back.IBInfo.RequestingNode() != m.IBInfo.RequestingNode() {
			t.Fatalf("operation/node changed: %q/%q -> %q/%q", m.IBInfo.Operation(), m.IBInfo.RequestingNode(), back.IBInfo.Operation(), back.IBInfo.RequestingNode())
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	seedFixtures(f, []string{"*.xml"},
		string(NewSuccessResponse("T1").Marshal()),
		string(NewErrorResponse(Status{MsgSet: 158, MsgID: 536, Parameters: Params{"U", "OP.v1"}}).Marshal()),
		string(NewErrorResponse(Status{MsgSet: 158, MsgID: 45, Parameters: Params{"ANONYMOUS"}}).MarshalSOAPFault()),
		`<reply><operations><exception><msgset>94</msgset><msgid>1</msgid></exception></operations></reply>`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseResponse(data)
		if err != nil {
			if r != nil {
				t.Fatalf("response returned with error %v", err)
			}
			checkErr(t, err, ErrNotIB, ErrUnsafeXML)
			return
		}
		if r.Type != ResponseSuccess && r.Type != ResponseError {
			t.Fatalf("Type %q", r.Type)
		}
		switch r.Form {
		case "ibresponse", "soap-fault", "legacy-reply":
		default:
			t.Fatalf("Form %q", r.Form)
		}
		if (r.Err() == nil) != r.OK() || r.Status().OK() != r.OK() {
			t.Fatalf("OK %v, Err %v, Status %+v disagree", r.OK(), r.Err(), r.Status())
		}
		_ = r.Status().Summary()
		_ = r.Status().Class()
		for _, doc := range [][]byte{r.Marshal(), r.MarshalSOAPFault()} {
			back, err := ParseResponse(doc)
			if err != nil {
				t.Fatalf("re-encoded response does not parse: %v\n%s", err, doc)
			}
			if back.MessageID != r.MessageID || len(back.Parameters) != len(r.Parameters) || (back.OK() != r.OK() && back.Form != "soap-fault") {
				t.Fatalf("round trip changed the response:\n%+v\n%+v\n%s", r, back, doc)
			}
		}
	})
}

func FuzzParseIBInfo(f *testing.F) {
	seedFixtures(f, []string{"ibinfo-*.xml"},
		tIBInfo,
		`<IBInfo><Status><StatusCode>10</StatusCode><MsgSet>158</MsgSet><MsgID>10721</MsgID><Parameters count="1"><Parm>404</Parm></Parameters></Status></IBInfo>`,
		`<IBInfo><From><Password><![CDATA[pw]]></Password></From><X a="1"><Y/></X></IBInfo>`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseIBInfo(data)
		if err != nil {
			if info != nil {
				t.Fatalf("IBInfo returned with error %v", err)
			}
			checkErr(t, err, ErrUnsafeXML)
			return
		}
		out, err := info.Marshal()
		if err != nil {
			t.Fatalf("a parsed IBInfo does not marshal: %v", err)
		}
		back, err := ParseIBInfo(out)
		if err != nil {
			t.Fatalf("marshalled IBInfo does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalizeElements(back), normalizeElements(info)) {
			t.Fatalf("round trip changed the IBInfo:\n%s\n%s", toJSON(t, info), toJSON(t, back))
		}
		if info.From != nil {
			// Whatever else the document holds, a password set on it is
			// never printed or put in JSON.
			const pw = "pw-7f3a9c-sentinel"
			info.From.Password = NodePassword{secret.New(pw)}
			j, err := json.Marshal(info)
			if err != nil {
				t.Fatalf("json: %v", err)
			}
			if shown := fmt.Sprintf("%v %+v %#v %+v %+v", info, *info, *info, info.From, *info.From) + string(j); strings.Contains(shown, pw) {
				t.Fatalf("password shown: %s", shown)
			}
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	full := Request{Credentials: Credentials{OperationName: "OP.v1", OperationType: "sync", From: "N", To: "T", Password: secret.New("p]]>w"),
		OrigUser: "U", OrigNode: "O", OrigProcess: "P", OrigTimeStamp: "2001-11-13T10:07:18.817-0800", FinalDestination: "F",
		SubQueue: "S", NonRepudiation: "N", MessageVersion: "V1"}, Data: []byte(`<?xml version="1.0"?><a>]]></a>`)}
	seedFixtures(f, []string{"ibrequest-*.xml"}, string(full.Marshal()))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRequest(data)
		if err != nil {
			if r != nil {
				t.Fatalf("request returned with error %v", err)
			}
			checkErr(t, err, ErrNotIB, ErrUnsafeXML)
			return
		}
		doc := r.Marshal()
		back, err := ParseRequest(doc)
		if err != nil {
			t.Fatalf("marshalled request does not parse: %v\n%s", err, doc)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed the request:\n%#v %q\n%#v %q\n%s", r.Credentials, r.Data, back.Credentials, back.Data, doc)
		}
		if back.Password.Reveal() != r.Password.Reveal() {
			t.Fatalf("password changed")
		}
	})
}

func FuzzUnwrapNonXML(f *testing.F) {
	seedFixtures(f, nil,
		string(WrapNonXML("", []byte("101 123456789 ]]> x"))),
		`<?xml version="1.0"?> <AsyncRequest> <data PsNonXml="Yes"> <![CDATA[ a ]]> </data> </AsyncRequest>`,
		`<root><data psnonxml="yes">a &amp; b</data></root>`,
		"<r><data PsNonXml=\"Yes\"><![CDATA[a\r\nb]]></data></r>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><r><data PsNonXml="Yes"><![CDATA[caf`+"\xe9"+`]]></data></r>`,
	)
	f.Fuzz(func(t *testing.T, doc []byte) {
		data, ok, err := UnwrapNonXML(doc)
		if err != nil {
			if ok || data != nil {
				t.Fatalf("ok %v data %q with error %v", ok, data, err)
			}
			checkErr(t, err, ErrUnsafeXML)
			return
		}
		if !ok {
			if data != nil {
				t.Fatalf("data %q with ok=false", data)
			}
			return
		}
		// What came out of an XML document goes back in and out again.
		wrapped := WrapNonXML("R", data)
		back, ok, err := UnwrapNonXML(wrapped)
		if err != nil || !ok || !bytes.Equal(back, data) {
			t.Fatalf("re-wrap round trip: %q %v %v, want %q\n%q", back, ok, err, data, wrapped)
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"2001-11-13T10:07:18.817-0800", "2024-03-01T09:30:00.123456+0530", "2024-03-01T09:30:00-0800",
		"2024-03-01T09:30:00Z", "2024-03-01T09:30:00+08:00", "2024-03-01T09:30:00", "2024-02-30T00:00:00+0000",
		"0000-01-01T00:00:00.000000000+2359", "9999-12-31T23:59:59.999999999-9999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			if errors.Is(err, ErrMissingOffset) && !LooksLikeTimestamp(s) {
				t.Fatalf("ErrMissingOffset for %q, which does not look like a timestamp", s)
			}
			if !strings.Contains(err.Error(), "timestamp") {
				t.Fatalf("error %q does not say what it was reading", err)
			}
			return
		}
		if !LooksLikeTimestamp(s) {
			t.Fatalf("ParseTimestamp accepted %q but LooksLikeTimestamp rejects it", s)
		}
		for _, out := range []string{FormatTimestamp(ts), FormatOrigTimestamp(ts)} {
			back, err := ParseTimestamp(out)
			if err != nil {
				t.Fatalf("ParseTimestamp(%q) (formatted from %q): %v", out, s, err)
			}
			if _, o1 := back.Zone(); func() bool { _, o2 := ts.Zone(); return o1 != o2 }() {
				t.Fatalf("offset changed: %q -> %q", s, out)
			}
			if d := ts.Sub(back); d < 0 || d >= time.Millisecond {
				t.Fatalf("%q -> %q -> %v: off by %v", s, out, back, d)
			}
		}
	})
}

func FuzzDecodeContent(f *testing.F) {
	zl, _ := EncodeContent([]byte("<zlib/>"), ContentEncoding{Compression: CompressionZlib})
	gz, _ := Compress([]byte("<gzip/>"), CompressionGzip)
	df, _ := EncodeContent([]byte("<deflate/>"), ContentEncoding{Compression: CompressionDeflate})
	f.Add(zl, "base64")
	f.Add(zl, "8bit")
	f.Add(gz, "8bit")
	f.Add(df, "")
	f.Add([]byte("PD94bWwgdmVyc2lvbj0iMS4wIj8+PGEvPg=="), "")
	f.Add([]byte("12345678"), "8bit")
	f.Add([]byte("a=3Db=\r\nc"), "quoted-printable")
	f.Add([]byte("%%%%"), "base64")
	f.Fuzz(func(t *testing.T, raw []byte, cte string) {
		lim := Limits{MaxSectionBytes: 1 << 20}
		body, enc, err := DecodeContent(raw, cte, lim)
		if err != nil {
			checkErr(t, err, ErrTooLarge)
			return
		}
		if int64(len(body)) > lim.maxSection() {
			t.Fatalf("%d bytes past the limit", len(body))
		}
		switch enc.Compression {
		case CompressionNone, CompressionGzip, CompressionZlib, CompressionDeflate:
		default:
			t.Fatalf("compression %q", enc.Compression)
		}
		if !enc.Base64 && enc.Compression == CompressionNone && !strings.EqualFold(cte, "quoted-printable") && !bytes.Equal(body, raw) {
			t.Fatalf("plain content changed: %q -> %q", raw, body)
		}
		if enc.IsPlain() {
			return
		}
		// Whatever was detected re-encodes and decodes to the same body.
		again, err := EncodeContent(body, enc)
		if err != nil {
			t.Fatal(err)
		}
		back, enc2, err := DecodeContent(again, "base64", lim)
		if err != nil || !bytes.Equal(back, body) || enc2.Compression != enc.Compression {
			t.Fatalf("re-encode: %q %+v %v, want %q %+v", back, enc2, err, body, enc)
		}
	})
}

func FuzzRedact(f *testing.F) {
	seedFixtures(f, []string{"*.mime", "*.xml"},
		"POST /x?Operation=X&Password=hunter2&From=P HTTP/1.1\r\nPassword: hunter2\r\nAuthorization: Basic aHVudGVyMg==\r\n\r\n",
		`<wsse:Password Type="http://x/y#PasswordText">hunter2</wsse:Password>`,
		`&lt;Password&gt;hunter2&lt;/Password&gt;`,
		`SOAPAction: "http://peoplesoft.com/OP/NODE/hunter2/DEST"`,
		"Password: hunter2", "proxy-authorization:  Basic x", "Authorization: \tBasic x", "X-Pa\u017fsword: y", "&lt;pa\u017f\u017fword&gt;x&lt;/Password&gt;",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		once := Redact(bytes.Clone(data))
		twice := Redact(bytes.Clone(once))
		if !bytes.Equal(once, twice) {
			t.Fatalf("Redact is not idempotent:\n%q\n%q\n%q", data, once, twice)
		}
		if !bytes.Contains(data, []byte(secret.Redacted)) && !bytes.Contains(once, []byte(secret.Redacted)) && !bytes.Equal(once, data) {
			t.Fatalf("Redact changed text without saying REDACTED: %q -> %q", data, once)
		}
		if utf8.Valid(data) && !utf8.Valid(once) {
			t.Fatalf("Redact broke UTF-8: %q -> %q", data, once)
		}
		if !MayHoldSecret(string(data)) && !bytes.Equal(once, data) {
			t.Fatalf("MayHoldSecret said no, Redact changed %q -> %q", data, once)
		}
		// A header field: name up to the first ':', value after ": ".
		if name, value, ok := strings.Cut(string(data), ": "); ok && !strings.ContainsAny(name, "\r\n") {
			gotName, gotValue := RedactHeader(name, value)
			line := string(Redact([]byte(name + ": " + value)))
			want, kept := strings.CutPrefix(line, name+": ")
			switch {
			case kept && (gotName != name || gotValue != want):
				t.Fatalf("RedactHeader(%q, %q) = %q, %q; the patterns make %q", name, value, gotName, gotValue, line)
			case !kept && (gotName != RedactString(name) || gotValue != RedactString(value)):
				t.Fatalf("RedactHeader(%q, %q) = %q, %q; not each redacted on its own", name, value, gotName, gotValue)
			}
		}
	})
}

// FuzzOneParam: where oneParam reads a Content-Type's boundary or charset,
// it gives mime.ParseMediaType's value; BoundaryOf and partCharset agree.
func FuzzOneParam(f *testing.F) {
	for _, s := range []string{`multipart/related; boundary="----=_Part_1_1000001.1772384400006"`, `Multipart/Related;boundary="a b"  `,
		`multipart/related; boundary="x"; type=text/xml`, `multipart/related; boundary="a\"b"`, `multipart/re lated; boundary="x"`,
		`multipart/related; boundary=x`, `multipart/related; BOUNDARY="x"`, "multipart/related;\tboundary=\"x\"\t", `multipart/; boundary="x"`,
		`multipart/related; boundary=""`, "multipart/related; boundary=\"x\r\"", `multipart/related; boundary="x" ;`,
		"text/plain; charset=UTF-8", `text/xml;charset="iso-8859-1"`, "text/plain; charset=UTF-8 ", "text/plain; charset=", "text/plain; charset=a b",
		"text /plain; charset=x", "text/plain; Charset=x", "Text/Plain;  charset=x; format=flowed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		for _, key := range []string{"boundary", "charset"} {
			got, ok := oneParam(ct, key)
			if !ok {
				continue
			}
			_, params, err := mime.ParseMediaType(ct)
			if err != nil || params[key] != got {
				t.Fatalf("oneParam(%q, %q) = %q; mime.ParseMediaType: %q, %v", ct, key, got, params[key], err)
			}
			if key == "charset" && partCharset(Header{{Name: "Content-Type", Value: ct}}) != got {
				t.Fatalf("partCharset(%q) is not %q", ct, got)
			}
		}
		if b, ok := plainBoundary(ct); ok && BoundaryOf(ct) != b {
			t.Fatalf("BoundaryOf(%q) = %q, plainBoundary %q", ct, BoundaryOf(ct), b)
		}
	})
}

// FuzzRootElement: where plainRoot reads a root's name, encoding/xml reads
// the same.
func FuzzRootElement(f *testing.F) {
	for _, s := range []string{`<?xml version="1.0"?><RESPONSE><a/></RESPONSE>`, "<!-- c --> <IBInfo/>", `<?xml version="1.0" encoding="ISO-8859-1"?><R>`,
		"<a:b>", "<R x=\"1\">", "\ufeff<R>", "<!DOCTYPE R><R>", "<!-- a -- b --><R>", "<\xff>", "<R\xff>", "<_x.y-z>", "<1a>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := plainRoot(data)
		if !ok {
			return
		}
		d := newSafeDecoder(bytes.NewReader(data))
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("plainRoot(%q) = %q, encoding/xml: %v", data, got, err)
			}
			if se, isStart := tok.(xml.StartElement); isStart {
				if se.Name.Local != got || se.Name.Space != "" {
					t.Fatalf("plainRoot(%q) = %q, encoding/xml reads %+v", data, got, se.Name)
				}
				return
			}
		}
	})
}

// FuzzDecodeBase64: decoding without a cleaned copy gives what decoding
// the copy (white space taken out) gives, or the same error.
func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{"SGVsbG8=", "SGVs\r\nbG8=", "SGVsbG8", "QQ=\n=", "QQ==\nQQ==", "SG Vs", "****", "QUJD\nREVG\n", "\n\n", "QQ"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecodeBase64(t, raw) })
}

// checkDecodeBase64 compares decodeBase64Into with base64's decoder on the
// input without white space, falling back to no padding, as it is
// documented to decode.
func checkDecodeBase64(t *testing.T, raw []byte) {
	t.Helper()
	clean := make([]byte, 0, len(raw))
	for _, c := range raw {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			clean = append(clean, c)
		}
	}
	want, werr := base64.StdEncoding.DecodeString(string(clean))
	if werr != nil {
		if u, err := base64.RawStdEncoding.DecodeString(string(bytes.TrimRight(clean, "="))); err == nil {
			want, werr = u, nil
		}
	}
	// Into a small buffer, and into a used one with room to spare (as
	// the pooled buffers decode hands it are).
	dirty := bytes.Repeat([]byte{0xA5}, 2*len(raw)+64)
	for _, dst := range [][]byte{make([]byte, 3), dirty[:0]} {
		got, err := decodeBase64Into(dst, raw)
		if (err == nil) != (werr == nil) || err == nil && !bytes.Equal(got, want) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%q: got %q, %v; want %q, %v", raw, got, err, want, werr)
		}
	}
}

// TestDecodeBase64EveryPlace decodes base64 of many lengths, on one line
// and wrapped (at 76 with CRLF, at 64 with LF, at 30, which cuts quanta),
// padded and not, and with a stray byte at every position: the AVX2
// blocks, the quantum loop, the line ends between them and base64's
// decoder for the rest must together decode as base64's decoder does.
func TestDecodeBase64EveryPlace(t *testing.T) {
	wrap := func(s string, width int, eol string) string {
		var b strings.Builder
		for len(s) > width {
			b.WriteString(s[:width] + eol)
			s = s[width:]
		}
		b.WriteString(s)
		return b.String()
	}
	for _, n := range []int{0, 1, 2, 3, 23, 24, 25, 47, 48, 49, 57, 100, 200} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*37 + n)
		}
		for _, enc := range []string{base64.StdEncoding.EncodeToString(data), base64.RawStdEncoding.EncodeToString(data)} {
			for _, form := range []string{enc, wrap(enc, 76, "\r\n"), wrap(enc, 64, "\n") + "\n", wrap(enc, 30, "\r\n")} {
				checkDecodeBase64(t, []byte(form))
				for pos := range len(form) {
					for _, c := range []byte{'*', 0x80, 0xFF, '=', ' ', '-', '_', '\r', '\n', 'A' - 1, 'Z' + 1, 'a' - 1, 'z' + 1, '0' - 1, '9' + 1} {
						b := []byte(form)
						b[pos] = c
						checkDecodeBase64(t, b)
					}
				}
			}
		}
	}
}

// TestDecodeBase64Blocks puts every byte value at every position of two
// blocks of the alphabet: the blocks stop at the first one that holds a
// byte outside it, and what they decode is base64's decoding.
func TestDecodeBase64Blocks(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	base := []byte(alphabet + "QUJD") // two blocks and a tail they leave
	for pos := range 64 {
		for c := range 256 {
			raw := append([]byte(nil), base...)
			raw[pos] = byte(c)
			out := make([]byte, 48+32)
			read, wrote := decodeBase64Blocks(out, raw)
			if !simdScan {
				if read != 0 || wrote != 0 {
					t.Fatalf("portable: read %d, wrote %d", read, wrote)
				}
				continue
			}
			wantRead := 64
			if strings.IndexByte(alphabet, byte(c)) < 0 {
				wantRead = pos / 32 * 32
			}
			if read != wantRead || wrote != read/4*3 {
				t.Fatalf("byte %#x at %d: read %d, wrote %d; want %d, %d", c, pos, read, wrote, wantRead, wantRead/4*3)
			}
			want, err := base64.StdEncoding.DecodeString(string(raw[:read]))
			if err != nil || !bytes.Equal(out[:wrote], want) {
				t.Fatalf("byte %#x at %d: decoded %x, want %x (%v)", c, pos, out[:wrote], want, err)
			}
			// A block is stored as 32 bytes: with room for one, one.
			if read, _ := decodeBase64Blocks(make([]byte, 24+31), raw); read != min(wantRead, 32) {
				t.Fatalf("byte %#x at %d, room for one block: read %d", c, pos, read)
			}
		}
	}
}
