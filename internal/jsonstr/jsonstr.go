// Package jsonstr writes JSON strings fast and exactly as encoding/json
// does with SetEscapeHTML(false). psib's hot JSON writers (decode's NDJSON
// records, publish's result lines) build their lines by hand with it;
// their tests compare the lines with encoding/json's.
package jsonstr

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
)

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

// Append appends s as a JSON string, as encoding/json writes it without
// HTML escaping: \" \\ \b \f \n \r \t, \u00XX for other control
// characters, \ufffd for invalid UTF-8, \u2028 and \u2029 escaped.
func Append(dst []byte, s string) []byte {
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

// AppendValue appends v as a json.Encoder with SetEscapeHTML(false)
// writes it, without the newline: psib's JSON keeps <, > and & as they
// are (payloads, errors and inputs hold them).
func AppendValue(dst []byte, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}
