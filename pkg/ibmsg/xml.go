package ibmsg

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// safeTokens wraps an xml.Decoder and refuses DOCTYPE directives, so that no
// document with DTD entities gets through, whatever the caller decodes into.
type safeTokens struct {
	d *xml.Decoder
}

func (s *safeTokens) Token() (xml.Token, error) {
	tok, err := s.d.Token()
	if err != nil {
		return nil, err
	}
	if dir, ok := tok.(xml.Directive); ok {
		if bytes.HasPrefix(bytes.TrimSpace(dir), []byte("DOCTYPE")) {
			line, _ := s.d.InputPos()
			return nil, fmt.Errorf("%w (line %d)", ErrUnsafeXML, line)
		}
	}
	return tok, nil
}

// newRawDecoder returns a strict decoder that understands the encodings
// PeopleSoft documents declare (UTF-8, UTF-16, ISO-8859-1, windows-1252, ...).
func newRawDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// newSafeDecoder returns a decoder over r that refuses DOCTYPE declarations.
func newSafeDecoder(r io.Reader) *xml.Decoder {
	return xml.NewTokenDecoder(&safeTokens{d: newRawDecoder(r)})
}

// unmarshalSafe decodes one XML document into v, refusing DTDs.
//
// It scans for a DOCTYPE first and then decodes with a decoder that reads
// the bytes itself: ",innerxml" fields (Element.Inner) stay empty when
// decoding through a token decoder such as newSafeDecoder's.
func unmarshalSafe(data []byte, v any, what string) error {
	if err := refuseDTD(data); err != nil {
		return xmlError(what, err)
	}
	if err := newRawDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		return xmlError(what, err)
	}
	return nil
}

// refuseDTD returns an ErrUnsafeXML error when data carries a DOCTYPE
// before its first syntax error. RawToken shares Token's lexer and checks
// less, so it reads at least as far as a Decode of the same bytes; syntax
// errors are left to that Decode to report.
func refuseDTD(data []byte) error {
	d := newRawDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil
		}
		if dir, ok := tok.(xml.Directive); ok && bytes.HasPrefix(bytes.TrimSpace(dir), []byte("DOCTYPE")) {
			line, _ := d.InputPos()
			return fmt.Errorf("%w (line %d)", ErrUnsafeXML, line)
		}
	}
}

// xmlError turns encoding/xml errors into SyntaxErrors naming the format.
func xmlError(what string, err error) error {
	if errors.Is(err, ErrUnsafeXML) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{What: what, Line: se.Line, Msg: se.Msg}
	}
	if errors.Is(err, io.EOF) {
		return &SyntaxError{What: what, Msg: "no XML element found (empty, or text only)"}
	}
	var ue xml.UnmarshalError
	if errors.As(err, &ue) {
		return &SyntaxError{What: what, Msg: string(ue)}
	}
	return &SyntaxError{What: what, Msg: err.Error()}
}

// RootElement returns the local name of the document element of an XML
// document, refusing DTDs. It reads only as far as the first element.
func RootElement(data []byte) (string, error) {
	if name, ok := plainRoot(data); ok {
		return name, nil
	}
	d := newSafeDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return "", xmlError("XML", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
}

// plainRoot reads the root element's name of the common document, whose
// root start tag has no attributes (<RESPONSE>, <IBInfo>) and follows
// nothing but white space, comments and a plain XML declaration; ok is
// false for anything else, which is left to encoding/xml. It gives what
// RootElement's decoder gives (FuzzRootElement), without building one:
// decode reads the root of every HTTP body in a log.
func plainRoot(data []byte) (string, bool) {
	p := &miniParser{b: data}
	p.skipMisc(true)
	if p.i >= len(data) || data[p.i] != '<' {
		return "", false
	}
	p.i++
	name, ok := p.nameBytes()
	if !ok || p.i >= len(data) {
		return "", false
	}
	end := p.i
	if data[end] == '/' {
		end++
	}
	if end >= len(data) || data[end] != '>' || !utf8.Valid(data[:end]) {
		return "", false
	}
	return intern(name), true
}

// CheckXML reports whether data is one well-formed XML document without a
// DTD. The error is a *SyntaxError with the line, or wraps ErrUnsafeXML.
func CheckXML(data []byte) error {
	if miniCheck(data) {
		// The mini reader accepts only documents it is sure are well
		// formed (FuzzCheckXMLFast): most payloads, at a fraction of
		// encoding/xml's cost. Anything else, errors included, is read
		// below.
		return nil
	}
	d := newSafeDecoder(bytes.NewReader(data))
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if roots == 0 {
				return &SyntaxError{What: "XML", Msg: "no root element"}
			}
			return nil
		}
		if err != nil {
			return xmlError("XML", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					line, _ := d.InputPos()
					return &SyntaxError{What: "XML", Line: line, Msg: "more than one root element"}
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// CData is text that PeopleSoft writes as a CDATA section. It reads from
// either plain text or CDATA (surrounding whitespace is layout and is
// trimmed) and writes as <![CDATA[...]]>.
type CData string

// MarshalXML writes the value as one or more CDATA sections.
func (c CData) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		S string `xml:",cdata"`
	}{string(c)}, start)
}

// UnmarshalXML reads the element's text, trimming layout whitespace.
func (c *CData) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	*c = CData(strings.TrimSpace(s))
	return nil
}

// Text is element text that PeopleSoft writes plainly; whitespace around
// it is layout and is trimmed when read.
type Text string

// UnmarshalXML reads the element's text, trimming layout whitespace.
func (t *Text) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	*t = Text(strings.TrimSpace(s))
	return nil
}

// Element is an XML element psib does not model, kept so that a round trip
// loses nothing.
type Element struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
}

// MarshalJSON shows an unmodelled element as {"name": ..., "xml": ...}.
func (e Element) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name string `json:"name"`
		XML  string `json:"xml"`
	}{e.XMLName.Local, string(e.Inner)})
}

// escapeText returns s escaped for XML character data.
func escapeText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// cdataSection writes s as CDATA, splitting any "]]>" inside it.
func cdataSection(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}
