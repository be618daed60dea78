// Package nozero allocates byte slices without clearing them, for buffers
// that are written in full before they are read: a section inflated into
// its exact size, a block of the scanner's arena. make clears what it
// allocates, which for such buffers (hundreds of MB over a large log) is
// a pass over memory that nothing reads.
package nozero

import (
	"strings"
	"unsafe"
)

// Bytes returns a slice of length and capacity n whose bytes are
// undefined (they are not cleared: whatever the memory held). The caller
// must write each byte before reading it.
func Bytes(n int) []byte {
	if n <= 0 {
		return nil
	}
	if b, ok := uncleared(n); ok {
		return b
	}
	return make([]byte, n)
}

// uncleared returns n uncleared bytes (n >= 2), or false.
func uncleared(n int) ([]byte, bool) {
	if n < 2 {
		return nil, false
	}
	// strings.Builder's Grow allocates without clearing, as its
	// contents are always written before they are read; the string it
	// returns is a view of that allocation, of at least n bytes. That
	// view is not a documented promise, so it is checked: a String that
	// copied would give two strings at two places (two bytes are
	// written: a one-byte string may come from a static table).
	var b strings.Builder
	b.Grow(n)
	b.WriteString("\x00\x00")
	s1, s2 := b.String(), b.String()
	if b.Cap() < n || unsafe.StringData(s1) != unsafe.StringData(s2) {
		return nil, false
	}
	return unsafe.Slice(unsafe.StringData(s1), n), true
}
