//go:build goexperiment.simd && amd64 && !go1.27

package gwlog

import (
	"math/bits"
	"simd/archsimd"
)

// simdBuilt says the AVX2 scans are compiled in (simdcheck.Want).
const simdBuilt = true

// simdScan is true when unescapeHTMLInPlace uses AVX2 (built with
// GOEXPERIMENT=simd, on a CPU that has it).
var simdScan = archsimd.X86.AVX2()

// unescapeInPlace is unescapeHTMLInPlace: with AVX2 from the start, the
// text between entities copied 32 bytes at a time. Escaped XML has an
// entity every few bytes, too close for a search and a copy call each;
// and a 32-byte copy moves the base64 content after the headers down
// almost for free.
func unescapeInPlace(b []byte) []byte {
	if !simdScan {
		return unescapeBackward(b)
	}
	return unescapeForward(b)
}

// copyToAmp copies b[r:] down to b[w:] (w <= r) up to the next '&' or the
// end, 32 bytes at a time, and returns where each stands then. A block is
// stored whole only where that overwrites nothing still to be read: when
// it holds no '&' (it is all read), or when the writing is 32 bytes or
// more behind.
func copyToAmp(b []byte, w, r int) (int, int) {
	if !simdScan {
		return copyToAmpPortable(b, w, r)
	}
	amp := archsimd.BroadcastUint8x32('&')
	for len(b)-r >= 32 {
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
		return w + k, r + k
	}
	return copyToAmpPortable(b, w, r)
}
