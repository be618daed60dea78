package lint

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/net/html/charset"
)

// TestTables checks the constant class tables against their definitions.
func TestTables(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := byte(cOK)
		switch {
		case c == '\n':
			want = cNL
		case c == '\t' || c == '\r':
		case c < 0x20:
			want = cBad
		case c == '<':
			want = cLT
		case c == '&':
			want = cAmp
		case c == ']':
			want = cRB
		case c >= 0x80:
			want = cHi
		}
		if charClass[c] != want {
			t.Errorf("charClass[%#x] = %d, want %d", c, charClass[c], want)
		}
		wantName := byte(0)
		switch {
		case c >= 0x80:
			wantName = 3
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
			wantName = 1
		case c >= '0' && c <= '9', c == '-', c == '.':
			wantName = 2
		}
		if nameClass[c] != wantName {
			t.Errorf("nameClass[%#x] = %d, want %d", c, nameClass[c], wantName)
		}
	}
}

// lexed is a token stream reduced to what both tokenizers can say: element
// names (local), merged character data (references expanded, line ends
// normalized), and each token's position.
type lexed struct {
	kind      string // "<", ">" or "#"
	val       string
	line, col int
}

func (l lexed) String() string { return fmt.Sprintf("%d:%d %s%s", l.line, l.col, l.kind, l.val) }

// lexOurs runs the scanner over data, reading through wrap, with a window
// of size bytes.
func lexOurs(data []byte, size int, wrap func(io.Reader) io.Reader) ([]lexed, error) {
	in, err := utf8Reader(wrap(bytes.NewReader(data)))
	if err != nil {
		return nil, err
	}
	s := newScanner(in, size)
	var out []lexed
	var text []byte
	tl, tc := 0, 0
	flush := func() {
		if tl > 0 {
			out = append(out, lexed{"#", normEOL(string(text)), tl, tc})
		}
		text, tl = text[:0], 0
	}
	for {
		k, err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch k {
		case tokStart:
			flush()
			out = append(out, lexed{"<", string(localName(s.name)), s.tline, s.tcol})
		case tokEnd:
			flush()
			out = append(out, lexed{">", string(localName(s.name)), 0, 0})
		case tokText, tokCDATA:
			if s.cdataFirst {
				if tl == 0 {
					tl, tc = s.tline, s.tcol
				}
				continue
			}
			if tl == 0 {
				tl, tc = s.tline, s.tcol
			}
			if k == tokText && s.refs {
				text = appendUnescaped(text, s.text)
			} else {
				text = append(text, s.text...)
			}
		case tokDoctype:
			return out, fmt.Errorf("doctype")
		}
	}
}

func normEOL(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// lexStd runs encoding/xml (strict, Token with InputPos) over data. Its
// columns count bytes, ours characters: positions are compared on ASCII
// input only.
func lexStd(data []byte) ([]lexed, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel
	var out []lexed
	depth := 0
	var text []byte
	tl, tc := 0, 0
	flush := func() {
		if tl > 0 {
			out = append(out, lexed{"#", string(text), tl, tc})
		}
		text, tl = text[:0], 0
	}
	for {
		line, col := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			depth++
			out = append(out, lexed{"<", t.Name.Local, line, col})
		case xml.EndElement:
			flush()
			depth--
			out = append(out, lexed{">", t.Name.Local, 0, 0})
		case xml.CharData:
			if depth == 0 {
				continue
			}
			if tl == 0 {
				tl, tc = line, col
			}
			text = append(text, t...)
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return out, fmt.Errorf("doctype")
			}
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// compareWithStd is the differential check: what the scanner accepts,
// encoding/xml accepts with the same tokens and (on ASCII input) the same
// positions. The scanner may reject more (it is stricter: one root,
// duplicate attributes, "]]>" in text, ...).
func compareWithStd(t *testing.T, name string, data []byte) {
	t.Helper()
	ours, oerr := lexOurs(data, 0, func(r io.Reader) io.Reader { return r })
	if oerr != nil {
		return
	}
	std, serr := lexStd(data)
	if serr != nil {
		t.Errorf("%s: the scanner accepts what encoding/xml rejects: %v", name, serr)
		return
	}
	ascii := isASCII(data)
	if len(ours) != len(std) {
		t.Errorf("%s: %d tokens, encoding/xml %d\nours: %v\nstd:  %v", name, len(ours), len(std), ours, std)
		return
	}
	for i := range ours {
		o, s := ours[i], std[i]
		if !ascii {
			o.line, o.col, s.line, s.col = 0, 0, 0, 0
		}
		if o != s {
			t.Errorf("%s: token %d is %v, encoding/xml says %v", name, i, o, s)
			return
		}
	}
}

// compareChunking checks that reading in tiny pieces through tiny windows
// changes nothing: every refill path gives the same tokens or error.
func compareChunking(t *testing.T, name string, data []byte) {
	t.Helper()
	want, werr := lexOurs(data, 0, func(r io.Reader) io.Reader { return r })
	for _, tc := range []struct {
		what string
		size int
		wrap func(io.Reader) io.Reader
	}{
		{"one byte at a time", 0, iotest.OneByteReader},
		{"half reads, 128-byte window", 128, iotest.HalfReader},
		{"one byte at a time, 130-byte window", 130, iotest.OneByteReader},
		{"data with EOF", 200, iotest.DataErrReader},
	} {
		got, gerr := lexOurs(data, tc.size, tc.wrap)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%s, %s: error %v, read whole: %v", name, tc.what, gerr, werr)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s, %s: tokens differ\n got: %v\nwant: %v", name, tc.what, got, want)
		}
	}
}

func fixtureFiles(t testing.TB) []string {
	var files []string
	err := filepath.WalkDir(fixtures, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestScannerMatchesEncodingXML runs the differential and chunking checks
// over every fixture.
func TestScannerMatchesEncodingXML(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compareWithStd(t, f, data)
		compareChunking(t, f, data)
	}
}

// wellFormed are documents the scanner must accept (and agree on with
// encoding/xml).
var wellFormedDocs = []string{
	`<a/>`,
	"\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x</a>",
	`<?xml version='1.0'?><!-- c --><?pi data?><a  b = "1"	c='2' ></a ><!-- after -->` + "\n",
	`<a b="x&gt;y&#x3C;&#60;&amp;&apos;&quot;">&lt;&#x10FFFF;</a>`,
	"<a>line1\r\nline2\rline3</a>",
	`<a><![CDATA[<not> & markup ]] ]]]]><![CDATA[>]]></a>`,
	`<a>] ]> ]]</a>`,
	`<ns:a xmlns:ns="urn:x"><ns:b ns:c="1"/></ns:a>`,
	`<a b="x>y"/>`,
	"<a>caf\u00e9 \u65e5\u672c <b>\U0001F600</b></a>",
	"<\u00e9l\u00e8ve r\u00f4le=\"\u00e9\">x</\u00e9l\u00e8ve>",
	`<a><!-- - -- not allowed? no: single hyphens only - --></a>`,
	"<a>\n  <b/>\n  <c d='&#9;'/>\n</a>\n\n",
}

func TestWellFormed(t *testing.T) {
	for i, doc := range wellFormedDocs {
		if strings.Contains(doc, "-- not allowed") {
			continue // documented below as malformed
		}
		name := fmt.Sprintf("doc %d", i)
		if _, err := lexOurs([]byte(doc), 0, func(r io.Reader) io.Reader { return r }); err != nil {
			t.Errorf("%s %q: %v", name, doc, err)
			continue
		}
		compareWithStd(t, name, []byte(doc))
		compareChunking(t, name, []byte(doc))
	}
}

// TestMalformed checks the error and its position for each kind of
// well-formedness error.
func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string // line:col: message (prefix)
	}{
		{"", "1:1: no root element"},
		{"  \n ", "2:2: no root element"},
		{"<a>", "1:4: unexpected end of file: element <a> is not closed"},
		{"<a></b>", "1:4: element <a> closed by </b>"},
		{"</a>", "1:1: end tag </a> without a start tag"},
		{"<a/><b/>", "1:5: a second root element <b>"},
		{"text<a/>", "1:1: text before the root element"},
		{"<a/>\n  x", "2:3: text after the root element"},
		{"<a>x & y</a>", "1:6: '&' starts no reference"},
		{"<a>&nbsp;</a>", "1:4: undefined entity &nbsp;"},
		{"<a>&#0;</a>", "1:4: character reference &#0; is not an XML character"},
		{"<a>&#xZZ;</a>", "1:4: invalid character reference &#xZZ;"},
		{"<a>a ]]> b</a>", "1:6: \"]]>\" is not allowed in text"},
		{"<a>\x01</a>", "1:4: control character U+0001"},
		{"<a>\xff</a>", "1:4: invalid UTF-8 (byte 0xFF)"},
		{"<a>\u00e9\xff</a>", "1:5: invalid UTF-8 (byte 0xFF)"},
		{"<a b=1/>", "1:6: the value of attribute b in <a> is not quoted"},
		{"<a b/>", "1:5: attribute b in <a> has no value"},
		{`<a b="1"c="2"/>`, "1:9: expected white space, '>' or '/>' in <a>"},
		{`<a b="1" b="2"/>`, "1:10: attribute b appears twice in <a>"},
		{`<a b="<"/>`, "1:7: '<' in the value of attribute b"},
		{"<a>1 < 2</a>", "1:6: '<' starts no tag"},
		{"<1a/>", "1:2: expected a name"},
		{"<a><!-- x -- y --></a>", "1:11: \"--\" inside a comment"},
		{"<a><!-- open", "1:13: unexpected end of file: the comment opened at line 1 is not closed"},
		{"<a><![CDATA[x", "1:14: unexpected end of file: the CDATA section opened at line 1 is not closed"},
		{"<![CDATA[x]]><a/>", "1:1: a CDATA section outside the root element"},
		{"<!DOCTYPE a><a/>", "doctype"},
		{"<a/><!DOCTYPE a>", "1:5: a DOCTYPE declaration after the root element"},
		{"<!ELEMENT a><a/>", "1:1: invalid markup"},
		{"\n<?xml version=\"1.0\"?><a/>", "2:1: an XML declaration (<?xml ...?>) is allowed only at the very start"},
		{"<?xml version=\"1.1\"?><a/>", "1:1: XML version \"1.1\" is not supported"},
		{"<?xml encoding=\"UTF-8\"?><a/>", "1:1: the XML declaration has no version"},
		{"<a\n  b='1'\n  c='<'/>", "3:6: '<' in the value of attribute c"},
		{"<a>\n\u65e5\u672c &x;</a>", "2:4: undefined entity &x;"},
		{"<a", "1:1: unexpected end of file inside a start tag"},
		{"<a></a", "1:4: unexpected end of file inside an end tag"},
		{"<?xml version=\"1.0\" encoding=\"klingon\"?><a/>", "1:21: the XML declaration names encoding \"klingon\""},
	} {
		_, err := lexOurs([]byte(tc.doc), 0, func(r io.Reader) io.Reader { return r })
		if err == nil {
			t.Errorf("%q: no error, want %s", tc.doc, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v\nwant %s...", tc.doc, err, tc.want)
		}
		compareChunking(t, fmt.Sprintf("%q", tc.doc), []byte(tc.doc))
		// Whatever the scanner rejects for a reason encoding/xml also has,
		// encoding/xml rejects too (the rest is the scanner's strictness).
		if _, serr := lexStd([]byte(tc.doc)); serr == nil {
			t.Logf("%q: stricter than encoding/xml: %v", tc.doc, err)
		}
	}
}

// TestQNames: element and attribute names are qualified names (Namespaces
// in XML): at most one ':', with a non-empty prefix before it and a
// non-empty local name, itself a name, after it. XML 1.0 alone allows the
// rest, and encoding/xml takes ":a", "a:" and ":" as local names with the
// colon in them (and refuses "a::b"); the scanner refuses them all, as
// xmllint does, which the differential check allows (it is stricter).
func TestQNames(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string // line:col: message, or "" for a well-formed document
	}{
		{`<:a/>`, "1:1: element <:a> has an empty prefix before ':': with XML namespaces a name is NAME or PREFIX:NAME"},
		{`<a:/>`, "1:1: element <a:> has an empty local name after ':': with XML namespaces a name is NAME or PREFIX:NAME"},
		{`<:/>`, "1:1: element <:> is a lone ':' with no prefix or local name: with XML namespaces a name is NAME or PREFIX:NAME"},
		{`<a::b/>`, "1:1: element <a::b> has more than one ':': with XML namespaces a name is NAME or PREFIX:NAME"},
		{`<a:b:c/>`, "1:1: element <a:b:c> has more than one ':'"},
		{`<a:1b/>`, "1:1: element <a:1b> has a local name starting with '1' after ':'"},
		{"<a:\u0301b/>", "1:1: element <a:\u0301b> has a local name starting with '\u0301' after ':'"},
		{`<ns:a><:/></ns:a>`, "1:7: element <:> is a lone ':' with no prefix or local name"},
		{"<r>\n  <a:></a:>\n</r>", "2:3: element <a:> has an empty local name after ':'"},
		{`<a x:=""/>`, "1:4: attribute x: in <a> has an empty local name after ':': with XML namespaces a name is NAME or PREFIX:NAME"},
		{`<a :x=""/>`, "1:4: attribute :x in <a> has an empty prefix before ':'"},
		{`<a :=""/>`, "1:4: attribute : in <a> is a lone ':' with no prefix or local name"},
		{`<a xmlns:="urn:x"/>`, "1:4: attribute xmlns: in <a> has an empty local name after ':'"},
		{"<a\n  b:c:d='1'/>", "2:3: attribute b:c:d in <a> has more than one ':'"},
		{`<a x:-y="1"/>`, "1:4: attribute x:-y in <a> has a local name starting with '-' after ':'"},
		{`<a></a:>`, "1:4: element <a> closed by </a:>"},
		// Well-formed: one ':' between two names.
		{`<ns:a xmlns:ns="urn:x" ns:b="1" c="2"><_:b/><ns:c.d-e/></ns:a>`, ""},
		{"<a:\u00e9l\u00e8ve xmlns:a=\"urn:x\" a:r\u00f4le=\"1\"/>", ""},
	} {
		_, err := lexOurs([]byte(tc.doc), 0, func(r io.Reader) io.Reader { return r })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.doc, err)
		case tc.want == "":
			compareWithStd(t, fmt.Sprintf("%q", tc.doc), []byte(tc.doc))
		case err == nil:
			t.Errorf("%q: no error, want %s", tc.doc, tc.want)
		case !strings.HasPrefix(err.Error(), tc.want):
			t.Errorf("%q: %v\nwant %s...", tc.doc, err, tc.want)
		}
		compareChunking(t, fmt.Sprintf("%q", tc.doc), []byte(tc.doc))
	}
}

// TestLongTokens crosses the window: a start tag longer than the window, a
// comment, a CDATA section and a text run many windows long.
func TestLongTokens(t *testing.T) {
	long := strings.Repeat("x", 5000)
	doc := `<a b="` + long + `"><!--` + long + `--><![CDATA[` + long + `]]>` + long + "&amp;" + strings.Repeat("\u00e9", 3000) + `</a>`
	compareWithStd(t, "long", []byte(doc))
	compareChunking(t, "long", []byte(doc))
	tooLong := `<a b="` + strings.Repeat("x", maxTokenBytes+lookahead+10) + `"/>`
	_, err := lexOurs([]byte(tooLong), 0, func(r io.Reader) io.Reader { return r })
	if err == nil || !strings.Contains(err.Error(), "markup longer than") {
		t.Errorf("a start tag longer than %d bytes: %v", maxTokenBytes, err)
	}
}

// TestEncodings: UTF-16 (both orders, with and without BOM), a declared
// ISO-8859-1 document and a UTF-8 BOM are read as the same document.
func TestEncodings(t *testing.T) {
	want := "<a b=\"\u00e9\">caf\u00e9</a>"
	utf16 := func(s string, big, bom bool) []byte {
		var out []byte
		if bom {
			if big {
				out = append(out, 0xFE, 0xFF)
			} else {
				out = append(out, 0xFF, 0xFE)
			}
		}
		for _, r := range s {
			if big {
				out = append(out, byte(r>>8), byte(r))
			} else {
				out = append(out, byte(r), byte(r>>8))
			}
		}
		return out
	}
	decl16 := `<?xml version="1.0" encoding="UTF-16"?>`
	for name, data := range map[string][]byte{
		"utf-8 bom":      append([]byte{0xEF, 0xBB, 0xBF}, want...),
		"utf-16le bom":   utf16(decl16+want, false, true),
		"utf-16be bom":   utf16(decl16+want, true, true),
		"utf-16le plain": utf16(decl16+want, false, false),
		"utf-16be plain": utf16(decl16+want, true, false),
		"iso-8859-1":     []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a b=\"\xe9\">caf\xe9</a>"),
		"windows-1252":   []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a b=\"\xe9\">caf\xe9</a>"),
	} {
		toks, err := lexOurs(data, 0, iotest.OneByteReader)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := fmt.Sprint(toks); !strings.Contains(got, "#caf\u00e9") {
			t.Errorf("%s: %s", name, got)
		}
	}
}

// TestColumnsCountCharacters: after multi-byte characters, columns count
// characters, as editors do.
func TestColumnsCountCharacters(t *testing.T) {
	toks, err := lexOurs([]byte("<a>\u65e5\u672c<b/>\n\u00e9<c/></a>"), 0, func(r io.Reader) io.Reader { return r })
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(toks)
	if !strings.Contains(got, "1:6 <b") || !strings.Contains(got, "2:2 <c") {
		t.Errorf("positions: %s", got)
	}
}

// TestAgainstXmllint compares verdicts with libxml2 where xmllint is
// installed (it is not needed for make test): every fixture, the malformed
// table and mutations of a message must get the same well-formed/malformed
// verdict from both.
func TestAgainstXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil || testing.Short() {
		t.Skip("xmllint not installed (or -short)")
	}
	base, err := os.ReadFile(filepath.Join(fixtures, "rules", "PSIB-L001.pass.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for i := 0; i < len(base); i += 19 {
		for _, ins := range []string{"<", "&", "]]>", "--", "\"", "\x00", "\xc3", "/", ">", "<!--", "<![CDATA[", "'", "="} {
			d := append(append(append([]byte{}, base[:i]...), ins...), base[i:]...)
			docs = append(docs, d)
		}
		d := append(append([]byte{}, base[:i]...), base[i+1:]...)
		docs = append(docs, d)
	}
	dir := t.TempDir()
	var paths []string
	ours := map[string]error{}
	for i, d := range docs {
		_, oerr := lexOurs(d, 0, func(r io.Reader) io.Reader { return r })
		if oerr != nil && oerr.Error() == "doctype" {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("m%04d.xml", i))
		if err := os.WriteFile(p, d, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		ours[p] = oerr
	}
	// One xmllint for all files: it names each malformed file in its
	// messages ("FILE:LINE: parser error ...").
	out, _ := exec.Command(xmllint, append([]string{"--noout", "--nonet"}, paths...)...).CombinedOutput()
	bad := map[string]bool{}
	for _, ln := range strings.Split(string(out), "\n") {
		if f, _, ok := strings.Cut(ln, ":"); ok && strings.HasPrefix(f, dir) {
			bad[f] = true
		}
	}
	disagree := 0
	for _, p := range paths {
		if bad[p] != (ours[p] != nil) {
			disagree++
			if disagree <= 10 {
				d, _ := os.ReadFile(p)
				t.Errorf("%s: xmllint malformed=%v, scanner: %v\n%s", filepath.Base(p), bad[p], ours[p], d)
			}
		}
	}
	t.Logf("%d mutations compared with xmllint, %d disagreements", len(paths), disagree)
}

// FuzzScanner: no panics; what the scanner accepts, encoding/xml accepts
// with the same tokens; reading in pieces changes nothing; the checker
// survives anything.
func FuzzScanner(f *testing.F) {
	for _, doc := range wellFormedDocs {
		f.Add([]byte(doc))
	}
	for _, p := range fixtureFiles(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	l, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithStd(t, "fuzz", data)
		compareChunking(t, "fuzz", data)
		res, err := l.Check("fuzz.xml", bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, fd := range res.Findings {
			if fd.Line < 1 || fd.Column < 1 || strings.ContainsAny(fd.Message, "\r\n") {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}
