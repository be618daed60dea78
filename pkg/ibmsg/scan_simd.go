//go:build goexperiment.simd && amd64 && !go1.27

package ibmsg

import (
	"math/bits"
	"simd/archsimd"
	"unsafe"

	"github.com/psib-dev/psib/internal/asciifold"
)

// simdBuilt says the AVX2 scans are compiled in (simdcheck.Want).
const simdBuilt = true

// simdScan is true when MayHoldSecret uses AVX2 (built with
// GOEXPERIMENT=simd, on a CPU that has it).
var simdScan = archsimd.X86.AVX2()

// mayHoldSecret is MayHoldSecret in one pass, 32 bytes at a time: it
// stops at each w, z or f (either case) and at ſ's first byte, and looks
// around it for the word that holds it there.
func mayHoldSecret(s string) bool {
	if !simdScan {
		return mayHoldSecretPortable(s)
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	lower := archsimd.BroadcastUint8x32(0x20)
	w := archsimd.BroadcastUint8x32('w')
	z := archsimd.BroadcastUint8x32('z')
	f := archsimd.BroadcastUint8x32('f')
	longS := archsimd.BroadcastUint8x32(0xc5)
	i := 0
	for ; i+32 <= len(s); i += 32 {
		x := archsimd.LoadUint8x32((*[32]uint8)(unsafe.Add(p, i)))
		l := x.Or(lower)
		m := l.Equal(w).Or(l.Equal(z)).Or(l.Equal(f)).Or(x.Equal(longS)).ToBits()
		for ; m != 0; m &= m - 1 {
			if secretAt(s, i+bits.TrailingZeros32(m)) {
				return true
			}
		}
	}
	for ; i < len(s); i++ {
		if c := s[i] | 0x20; (c == 'w' || c == 'z' || c == 'f' || s[i] == 0xc5) && secretAt(s, i) {
			return true
		}
	}
	return false
}

// secretAt reports whether the byte at j of s, one MayHoldSecret looks
// for (w, z, f in either case, or ſ's first byte), is where one of its
// words (or ſ) is.
func secretAt(s string, j int) bool {
	switch s[j] | 0x20 {
	case 'w':
		return wordAt(s, j-4, "password")
	case 'z':
		return wordAt(s, j-7, "authorization")
	case 'f':
		return wordAt(s, j-8, "peoplesoft.com/")
	}
	return s[j] == 0xc5 && j+1 < len(s) && s[j+1] == 0xbf // ſ, U+017F
}

// wordAt reports whether s holds word (lower case, ASCII) at p in any
// ASCII case.
func wordAt(s string, p int, word string) bool {
	return p >= 0 && p+len(word) <= len(s) && asciifold.Equal(s[p:p+len(word)], word)
}
