package lint

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// utf8Reader returns the document in r as UTF-8, converting as it streams:
// a UTF-16 document (by byte-order mark or by its first bytes) and a legacy
// encoding the XML declaration names (ISO-8859-1, windows-1252, ...) are
// converted, a UTF-8 byte-order mark is dropped. This is ibmsg.ToUTF8XML's
// logic for input that must not be read whole. An encoding psib does not
// know is a *syntaxError; a read error is returned as it is.
func utf8Reader(r io.Reader) (io.Reader, error) {
	head := make([]byte, 1024)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	rest := io.MultiReader(bytes.NewReader(head), r)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return io.MultiReader(bytes.NewReader(head[3:]), r), nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return transform.NewReader(rest, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return transform.NewReader(rest, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), nil
	case len(head) >= 4 && head[0] == '<' && head[1] == 0 && head[2] == '?' && head[3] == 0:
		return transform.NewReader(rest, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), nil
	case len(head) >= 4 && head[0] == 0 && head[1] == '<' && head[2] == 0 && head[3] == '?':
		return transform.NewReader(rest, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), nil
	}
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return rest, nil
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return rest, nil
	}
	label := strings.ToLower(strings.TrimSpace(string(pseudoAttr(head[5:end], "encoding"))))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return rest, nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil {
		col := bytes.Index(head, []byte("encoding")) + 1
		return nil, &syntaxError{line: 1, col: col, msg: "the XML declaration names encoding \"" + label + "\", which psib does not know: declare UTF-8, UTF-16, ISO-8859-1 or windows-1252, or convert the file to UTF-8"}
	}
	if strings.HasPrefix(name, "utf-16") {
		// Declared UTF-16 but written in an ASCII-compatible encoding: read
		// the bytes as they are (UTF-8 is checked character by character).
		return rest, nil
	}
	return enc.NewDecoder().Reader(rest), nil
}
