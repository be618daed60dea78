//go:build goexperiment.simd && amd64 && !go1.27

package jsonstr

import (
	"math/bits"
	"simd/archsimd"
	"slices"
	"unsafe"
)

// simdBuilt says the AVX2 scans are compiled in (simdcheck.Want).
const simdBuilt = true

// simdScan is true when appendEscaped uses AVX2 (built with
// GOEXPERIMENT=simd, on a CPU that has it).
var simdScan = archsimd.X86.AVX2()

// simd512 is true when appendEscaped also escapes a block's quotes and
// backslashes in one go (AVX-512 VBMI2's VPEXPANDB).
var simd512 = simdScan && archsimd.X86.AVX512() && archsimd.X86.AVX512VBMI2()

// appendEscaped appends s escaped, without the quotes.
func appendEscaped(dst []byte, s string) []byte {
	if !simdScan {
		return appendEscapedPortable(dst, s)
	}
	return appendEscapedAVX2(dst, s)
}

// appendEscapedAVX2 copies s 32 bytes at a time and looks at each block
// as it goes. A block is stored whole before it is looked at, so a byte
// that needs escaping costs no search and no copy call of its own (a
// payload has a '"' every few dozen bytes): what was stored past it is
// simply written over. One signed compare finds both the control
// characters and the bytes outside ASCII (< 0x20 as int8), two more find
// '"' and '\\'.
func appendEscapedAVX2(dst []byte, s string) []byte {
	p := unsafe.Pointer(unsafe.StringData(s))
	space := archsimd.BroadcastInt8x32(0x20)
	quote := archsimd.BroadcastInt8x32('"')
	backslash := archsimd.BroadcastInt8x32('\\')
	i := 0
	for {
		// Room for the rest of s as it is, so that a block stored at w
		// fits while 32 bytes of s are left (len(d)-w >= len(s)-i holds
		// through the loop below). Escapes take more room than their
		// bytes: it is checked again after each.
		if left := len(s) - i; cap(dst)-len(dst) < left {
			dst = slices.Grow(dst, left+left/8)
		}
		w := len(dst)
		d := dst[:cap(dst)]
		for i+32 <= len(s) {
			x := archsimd.LoadInt8x32((*[32]int8)(unsafe.Add(p, i)))
			x.AsUint8x32().StoreSlice(d[w:])
			ctl := x.Less(space).ToBits()
			qb := x.Equal(quote).Or(x.Equal(backslash)).ToBits()
			if ctl|qb == 0 {
				i += 32
				w += 32
				continue
			}
			if ctl == 0 && simd512 && len(d)-w >= len(s)-i+32 {
				// Only '"' and '\\' (a third of a payload's blocks
				// hold an attribute's quote): the block is written again,
				// a backslash before each. (The room it takes, up to 64
				// bytes, leaves room for the rest of s as it is.)
				w += escapeQuotes64(d[w:w+64], x.AsUint8x32(), qb)
				i += 32
				continue
			}
			k := bits.TrailingZeros32(ctl | qb)
			i += k
			w += k
			break
		}
		if i+32 > len(s) {
			k := indexSWAR(s[i:])
			w += copy(d[w:], s[i:i+k])
			i += k
		}
		dst = dst[:w]
		if i >= len(s) {
			return dst
		}
		switch c := s[i]; {
		case c == '"':
			// The commonest, in XML attributes.
			dst = append(dst, '\\', '"')
			i++
		case c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			// A two-byte sequence (é, ü): valid, never U+2028/9.
			dst = append(dst, c, s[i+1])
			i += 2
		default:
			dst, i = escapeAt(dst, s, i)
		}
	}
}

// escapeQuotes64 writes to out the 32 bytes of x with a backslash before
// each of those marked in qb ('"' and '\\'), and returns how many it
// wrote: 32 plus one per mark. out has room for 64.
func escapeQuotes64(out []byte, x archsimd.Uint8x32, qb uint32) int {
	// The backslashes' places: the i-th mark, at t, moves up by the i
	// backslashes before it.
	var slashes uint64
	for i, q := 0, qb; q != 0; i, q = i+1, q&(q-1) {
		slashes |= 1 << (bits.TrailingZeros32(q) + i)
	}
	n := 32 + bits.OnesCount32(qb)
	keep := ^slashes & (1<<n - 1)
	// (Masks made from integers: see unescapeBlocks64 in gwlog on
	// combining them as vectors.)
	wide := archsimd.Uint8x64{}.SetLo(x).Expand(archsimd.Mask8x64FromBits(keep))
	wide = wide.Merge(archsimd.BroadcastUint8x64('\\'), archsimd.Mask8x64FromBits(keep))
	wide.StoreSlice(out)
	return n
}
