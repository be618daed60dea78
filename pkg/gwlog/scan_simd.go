//go:build goexperiment.simd && amd64

package gwlog

import (
	"bytes"
	"math/bits"
	"simd/archsimd"
)

// simdScan is true when unescapeHTMLInPlace uses AVX2 (built with
// GOEXPERIMENT=simd, on a CPU that has it); the tests check it is.
var simdScan = archsimd.X86.AVX2()

// unescapeInPlace is unescapeHTMLInPlace from the start, the text between
// entities copied 32 bytes at a time. Escaped XML has an entity every few
// bytes, too close for a search and a copy call each; and a 32-byte copy
// moves the base64 content after the headers down almost for free.
func unescapeInPlace(b []byte) []byte {
	if !simdScan {
		return unescapeBackward(b)
	}
	r := bytes.IndexByte(b, '&')
	if r < 0 {
		return b
	}
	amp := archsimd.BroadcastUint8x32('&')
	w := r
	for r < len(b) {
		// b[r] is '&'; b[:w] is done, w <= r.
		n, rep := entity(b[r:])
		switch {
		case n == 0:
			b[w] = '&'
			w++
			r++
		case len(rep) > n:
			out := make([]byte, w, w+len(b)-r+len(rep))
			copy(out, b[:w])
			return append(out, unescapeHTML(b[r:])...)
		case len(rep) == 1:
			b[w] = rep[0]
			w++
			r += n
		default:
			w += copy(b[w:], rep)
			r += n
		}
		// On to the next '&'. A block is stored whole only where that
		// overwrites nothing still to be read: when it holds no '&' (it
		// is all read), or when the writing is 32 bytes or more behind.
		for {
			if len(b)-r < 32 {
				j := bytes.IndexByte(b[r:], '&')
				if j < 0 {
					j = len(b) - r
				}
				w += copy(b[w:], b[r:r+j])
				r += j
				break
			}
			x := archsimd.LoadUint8x32Slice(b[r:])
			m := x.Equal(amp).ToBits()
			if m == 0 || r-w >= 32 {
				x.StoreSlice(b[w:])
			}
			if m == 0 {
				r += 32
				w += 32
				continue
			}
			k := bits.TrailingZeros32(m)
			if r-w < 32 {
				copy(b[w:w+k], b[r:r+k])
			}
			r += k
			w += k
			break
		}
	}
	return b[:w]
}
