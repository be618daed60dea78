package gwlog

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// AppendJSON appends r's JSON (one object, no newline) to dst: the same
// bytes as encoding/json's Encoder with SetEscapeHTML(false), written
// faster. Section bodies, which make most of a log's decoded bytes, are
// escaped eight bytes at a time where nothing needs escaping; ibinfo and
// headers are written field by field (json_ibinfo.go).
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"file":`...)
	dst = appendJSONString(dst, r.File)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(r.Line), 10)
	for _, f := range []struct{ key, v string }{{"kind", r.Kind}, {"format", r.Format}, {"operation", r.Operation},
		{"transaction_id", r.TransactionID}, {"from", r.From}, {"to", r.To}, {"timestamp", r.Timestamp}} {
		dst = append(dst, `,"`...)
		dst = append(dst, f.key...)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, f.v)
	}
	if r.jsonTail != nil {
		return append(dst, r.jsonTail...), nil
	}
	return r.appendJSONTail(dst)
}

// PrepareJSON renders the part of r's JSON that pairing never changes
// (status, ibinfo, headers, sections: nearly all its bytes) and keeps it
// for AppendJSON, which then only writes the few fields before it. Call
// it last, after any change to those fields (redaction), typically from
// Options.Prepare so that it runs on the decoding workers: later changes
// to them are not seen by AppendJSON.
func (r *Record) PrepareJSON() error {
	r.jsonTail = nil
	// Sized once: bodies are nearly all of it, and XML gains a backslash
	// per quote.
	n := 4 << 10
	for _, sec := range r.Sections {
		n += len(sec.Body) + len(sec.Body)/8
	}
	tail, err := r.appendJSONTail(make([]byte, 0, n))
	if err != nil {
		return err
	}
	r.jsonTail = tail
	return nil
}

// appendJSONTail appends the fields from "status" on, and the closing brace.
func (r *Record) appendJSONTail(dst []byte) ([]byte, error) {
	dst = append(dst, `,"status":`...)
	if r.Status == nil {
		dst = append(dst, "null"...)
	} else {
		b, err := r.Status.MarshalJSON()
		if err != nil {
			return nil, err
		}
		dst = append(dst, b...)
	}
	dst = append(dst, `,"ibinfo":`...)
	var err error
	if info, ok := r.IBInfo.(*ibmsg.IBInfo); ok {
		dst, err = appendIBInfoJSON(dst, info)
	} else {
		// The views of IBRequest and IBResponse documents, and
		// redacted copies: rarer, left to encoding/json.
		dst, err = appendJSONValue(dst, r.IBInfo)
	}
	if err != nil {
		return nil, err
	}
	dst = append(dst, `,"headers":`...)
	dst = appendHeadersJSON(dst, r.Headers)
	dst = append(dst, `,"sections":`...)
	if r.Sections == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, s := range r.Sections {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = appendJSONString(dst, s.ID)
			dst = append(dst, `,"content_type":`...)
			dst = appendJSONString(dst, s.ContentType)
			dst = append(dst, `,"transfer_encoding":`...)
			dst = appendJSONString(dst, s.TransferEncoding)
			dst = append(dst, `,"compression":`...)
			dst = appendJSONString(dst, s.Compression)
			dst = append(dst, `,"bytes":`...)
			dst = strconv.AppendInt(dst, int64(s.Bytes), 10)
			dst = append(dst, `,"body":`...)
			dst = appendJSONString(dst, s.Body)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// appendJSONValue appends v as an Encoder with SetEscapeHTML(false)
// writes it, without the newline.
func appendJSONValue(dst []byte, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special8 flags (in its byte's top bit) each of the 8 bytes of x that may
// need escaping in JSON: a control character, '"', '\\', or a byte outside
// ASCII. Zero means none does. The lowest flag is always exact (a false
// flag needs a borrow from a flagged byte below it), so
// bits.TrailingZeros64 finds the first byte to look at.
func special8(x uint64) uint64 {
	less := (x - lsb*0x20) & ^x & msb // a byte < 0x20
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	hasQ := (q - lsb) & ^q & msb
	hasBS := (bs - lsb) & ^bs & msb
	return less | hasQ | hasBS | x&msb
}

// load64 reads 8 bytes of s at i, little-endian (the compiler makes one
// load of it).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding without HTML
// escaping: \" \\ \b \f \n \r \t, \u00XX for other control characters,
// \ufffd for invalid UTF-8, \u2028 and \u2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	i := 0
	for i < len(s) {
		if i+8 <= len(s) {
			m := special8(load64(s, i))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
