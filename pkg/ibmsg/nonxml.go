package ibmsg

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// WrapNonXML wraps non-XML data in PeopleSoft's non-XML element, as IB
// requires for anything that is not XML:
//
//	<?xml version="1.0"?><root><data PsNonXml="Yes"><![CDATA[...]]></data></root>
//
// root is the wrapper's element name (PeopleBooks' example uses
// AsyncRequest). A "]]>" in data is split across CDATA sections.
func WrapNonXML(root string, data []byte) []byte {
	if root == "" {
		root = "AsyncRequest"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>` + "\n<" + root + `><data PsNonXml="Yes">`)
	b.WriteString(cdataSection(string(data)))
	b.WriteString("</data></" + root + ">\n")
	return b.Bytes()
}

// UnwrapNonXML returns the payload of a PsNonXml wrapper. ok is false when
// doc is not such a wrapper (the attribute is matched case-insensitively:
// Oracle's own examples write both PsNonXml="Yes" and psnonxml="yes").
// The CDATA content is returned exactly; a wrapper without CDATA gives its
// unescaped text.
func UnwrapNonXML(doc []byte) (data []byte, ok bool, err error) {
	// The offsets must come from the decoder that reads the bytes: a token
	// decoder (what newSafeDecoder returns) always reports offset 0.
	st := &safeTokens{d: newRawDecoder(bytes.NewReader(doc))}
	d := xml.NewTokenDecoder(st)
	raw := newRawOffsets(doc)
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, xmlError("XML", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && isNonXMLData(t) {
				innerStart := st.d.InputOffset()
				var text string
				if err := d.DecodeElement(&text, &t); err != nil {
					return nil, false, xmlError("XML", err)
				}
				inner := raw.between(innerStart, st.d.InputOffset())
				// The raw CDATA must be what the decoder read (it is not
				// when a declared charset made the offsets differ from doc).
				if c, found := cdataContent(inner); found && strings.Contains(text, normalizeEOL(string(c))) {
					return c, true, nil
				}
				return []byte(strings.TrimSpace(text)), true, nil
			}
		case xml.EndElement:
			depth--
		}
	}
}

func isNonXMLData(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, "PsNonXml") && strings.EqualFold(strings.TrimSpace(a.Value), "yes") {
			return true
		}
	}
	return false
}

type rawOffsets struct{ doc []byte }

func newRawOffsets(doc []byte) rawOffsets { return rawOffsets{doc} }

// between returns the raw bytes from a to b, without the closing tag that
// ends at b.
func (r rawOffsets) between(a, b int64) []byte {
	if a < 0 || b > int64(len(r.doc)) || a > b {
		return nil
	}
	s := r.doc[a:b]
	if i := bytes.LastIndex(s, []byte("</")); i >= 0 {
		s = s[:i]
	}
	return s
}

// cdataContent concatenates the CDATA sections in raw element content.
func cdataContent(inner []byte) ([]byte, bool) {
	var out []byte
	found := false
	for {
		i := bytes.Index(inner, []byte("<![CDATA["))
		if i < 0 {
			return out, found
		}
		inner = inner[i+len("<![CDATA["):]
		j := bytes.Index(inner, []byte("]]>"))
		if j < 0 {
			return out, found
		}
		out = append(out, inner[:j]...)
		inner = inner[j+3:]
		found = true
	}
}

// normalizeEOL applies XML's line-end normalization (CRLF and CR become LF),
// as the decoder does to the text it returns.
func normalizeEOL(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
