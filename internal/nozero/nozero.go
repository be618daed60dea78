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
	// strings.Builder's Grow allocates without clearing, as its
	// contents are always written before they are read; the string it
	// returns after the first byte is a view of that allocation, of at
	// least n bytes.
	var b strings.Builder
	b.Grow(n)
	b.WriteByte(0)
	return unsafe.Slice(unsafe.StringData(b.String()), n)
}
