package ibmsg

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

var declEncodingAttr = regexp.MustCompile(`^(\s*<\?xml[^?]*?encoding\s*=\s*)(["'])([^"']*)(["'])`)

// ToUTF8XML returns an XML payload as UTF-8, the encoding PeopleSoft
// expects on the wire: a UTF-16 document (by byte-order mark, or by its
// first bytes), a UTF-8 BOM, or a declared legacy encoding (ISO-8859-1,
// windows-1252, ...) is converted, and the XML declaration's encoding is
// rewritten to UTF-8. Undeclared bytes that are not valid UTF-8 are an
// error: guessing would corrupt data.
func ToUTF8XML(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}),
		len(data) >= 4 && (data[0] == '<' && data[1] == 0 && data[2] == '?' && data[3] == 0 || data[0] == 0 && data[1] == '<' && data[2] == 0 && data[3] == '?'):
		endian := unicode.LittleEndian
		if data[0] == 0xFE || data[0] == 0 {
			endian = unicode.BigEndian
		}
		out, err := unicode.UTF16(endian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			// No BOM: decode with the detected order.
			out, err = unicode.UTF16(endian, unicode.IgnoreBOM).NewDecoder().Bytes(data)
			if err != nil {
				return nil, fmt.Errorf("UTF-16 input: %v", err)
			}
		}
		return setDeclEncodingUTF8(out), nil
	}
	if m := findDeclEncoding(data); m != nil {
		label := strings.ToLower(string(m[3]))
		if label != "utf-8" && label != "utf8" && label != "us-ascii" {
			enc, name := charset.Lookup(label)
			if enc == nil {
				return nil, fmt.Errorf("the XML declaration names encoding %q, which psib does not know", m[3])
			}
			if name != "utf-16" && name != "utf-16be" && name != "utf-16le" {
				out, err := enc.NewDecoder().Bytes(data)
				if err != nil {
					return nil, fmt.Errorf("converting from %s: %v", m[3], err)
				}
				return setDeclEncodingUTF8(out), nil
			}
		}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		line := bytes.Count(data[:i], []byte("\n")) + 1
		return nil, fmt.Errorf("line %d: bytes that are not UTF-8 and no encoding declared (add encoding=\"ISO-8859-1\" or the right one to the XML declaration, or convert the file to UTF-8)", line)
	}
	return data, nil
}

// findDeclEncoding is declEncodingAttr.FindSubmatch(data), without
// running the regular expression (a fifth of publish's input check) when
// it cannot match: data must start with a declaration whose text before
// its first '?' names an encoding.
func findDeclEncoding(data []byte) [][]byte {
	rest := bytes.TrimLeft(data, "\t\n\f\r ")
	if !bytes.HasPrefix(rest, []byte("<?xml")) {
		return nil
	}
	decl := rest[5:]
	if q := bytes.IndexByte(decl, '?'); q >= 0 {
		decl = decl[:q]
	}
	if !bytes.Contains(decl, []byte("encoding")) {
		return nil
	}
	return declEncodingAttr.FindSubmatch(data)
}

func setDeclEncodingUTF8(b []byte) []byte {
	if m := declEncodingAttr.FindSubmatchIndex(b); m != nil {
		return append(append(append([]byte{}, b[:m[6]]...), "UTF-8"...), b[m[7]:]...)
	}
	return b
}
