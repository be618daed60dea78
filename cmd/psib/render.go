package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// writeJSON writes v as one JSON document per line; HTML escaping off, so
// XML payloads stay readable.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writePrettyXML writes data indented and, with a colored palette,
// highlighted. Data that is not well-formed XML is written as it is: the
// raw bytes are what the user needs to see then.
func writePrettyXML(w io.Writer, data []byte, p *palette, indent string) error {
	pretty, ok := prettyXML(data, p, indent)
	if !ok {
		s := strings.TrimRight(string(data), "\r\n")
		_, err := fmt.Fprintln(w, indentLines(s, indent))
		return err
	}
	_, err := io.WriteString(w, pretty)
	return err
}

func indentLines(s, indent string) string {
	if indent == "" {
		return s
	}
	return indent + strings.ReplaceAll(s, "\n", "\n"+indent)
}

// prettyXML re-indents XML with RawToken (prefixes kept as written, no
// namespace resolution, no entity or DTD processing beyond the standard
// five entities).
func prettyXML(data []byte, p *palette, indent string) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var b strings.Builder
	depth := 0
	// RawToken does not check that end tags match: open holds the names,
	// and a document whose tags do not match is shown as it is.
	var open []xml.Name
	pendingOpen := false // a start tag written without its '>' yet
	textOnly := false    // the open element has had only text so far
	closeOpen := func() {
		if pendingOpen {
			b.WriteString(p.Blue.Sprint(">"))
			pendingOpen = false
		}
	}
	nl := func() {
		b.WriteString("\n" + indent + strings.Repeat("  ", depth))
	}
	first := true
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if !first {
				nl()
			} else {
				b.WriteString(indent)
			}
			first = false
			b.WriteString(p.Dim.Sprintf("<?%s %s?>", t.Target, strings.TrimSpace(string(t.Inst))))
		case xml.Directive:
			return "", false
		case xml.StartElement:
			closeOpen()
			if !first {
				nl()
			} else {
				b.WriteString(indent)
			}
			first = false
			b.WriteString(p.Blue.Sprint("<" + qname(t.Name)))
			for _, a := range t.Attr {
				b.WriteString(" " + p.Cyan.Sprint(qname(a.Name)) + "=" + p.Green.Sprintf("%q", a.Value))
			}
			pendingOpen = true
			textOnly = true
			depth++
			open = append(open, t.Name)
		case xml.EndElement:
			if depth == 0 || open[depth-1] != t.Name {
				return "", false
			}
			open = open[:depth-1]
			depth--
			if pendingOpen {
				b.WriteString(p.Blue.Sprint("/>"))
				pendingOpen = false
			} else {
				if !textOnly {
					nl()
				}
				b.WriteString(p.Blue.Sprint("</" + qname(t.Name) + ">"))
			}
			textOnly = false
		case xml.CharData:
			s := strings.TrimSpace(string(t))
			if s == "" {
				continue
			}
			closeOpen()
			var esc strings.Builder
			_ = xml.EscapeText(&esc, []byte(s))
			b.WriteString(esc.String())
		case xml.Comment:
			closeOpen()
			nl()
			b.WriteString(p.Dim.Sprintf("<!--%s-->", t))
			textOnly = false
		}
	}
	if depth != 0 || first {
		return "", false
	}
	b.WriteString("\n")
	return b.String(), true
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}
