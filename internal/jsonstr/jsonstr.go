// Package jsonstr writes JSON strings fast and exactly as encoding/json
// does with SetEscapeHTML(false). psib's hot JSON writers (decode's NDJSON
// records, publish's result lines) build their lines by hand with it;
// their tests compare the lines with encoding/json's.
package jsonstr

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"slices"
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
	dst = slices.Grow(dst, len(s)+2)
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscapedPortable appends s escaped, without the quotes: the runs
// between bytes that need a look are found eight bytes at a time and
// copied whole.
func appendEscapedPortable(dst []byte, s string) []byte {
	start := 0
	for i := 0; ; {
		i += indexSWAR(s[i:])
		if i >= len(s) {
			break
		}
		if c := s[i]; c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			// A two-byte sequence (é, ü): valid, never U+2028/9.
			i += 2
			continue
		}
		dst = append(dst, s[start:i]...)
		dst, i = escapeAt(dst, s, i)
		start = i
	}
	return append(dst, s[start:]...)
}

// escapeAt appends what stands for s[i] in a JSON string, where s[i] is a
// byte indexSWAR stops at, and returns where s goes on: the escape of a
// control character, '"' or '\\'; a valid UTF-8 sequence as it is (but
// U+2028 and U+2029 escaped); \ufffd for a byte of invalid UTF-8.
func escapeAt(dst []byte, s string, i int) ([]byte, int) {
	c := s[i]
	if c >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		return dst, i + size
	}
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
	return dst, i + 1
}

// indexSWAR returns the index of the first byte of s that may need
// escaping (see special8), or len(s), eight bytes at a time.
func indexSWAR(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if m := special8(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
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
