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

// simd512 is true when mayHoldSecret looks at 64 bytes at a time with
// AVX-512 first (a test turns it off to cover the AVX2 loop alone).
var simd512 = simdScan && archsimd.X86.AVX512()

// mayHoldSecret is MayHoldSecret in one pass, 32 bytes at a time: it
// stops at each w, z or f (either case) and at ſ's first byte, and looks
// around it for the word that holds it there.
func mayHoldSecret(s string) bool {
	if !simdScan {
		return mayHoldSecretPortable(s)
	}
	if len(s) < 32 {
		// A header's name or value: the byte loop below, without
		// setting up the vectors first.
		return mayHoldSecretBytes(s, 0)
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	lower := archsimd.BroadcastUint8x32(0x20)
	w := archsimd.BroadcastUint8x32('w')
	z := archsimd.BroadcastUint8x32('z')
	f := archsimd.BroadcastUint8x32('f')
	longS := archsimd.BroadcastUint8x32(0xc5)
	i := 0
	if simd512 {
		i = mayHoldSecret64(s)
		if i < 0 {
			return true
		}
	}
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
	return mayHoldSecretBytes(s, i)
}

// mayHoldSecretBytes is mayHoldSecret's look at s from i on, a byte at a
// time.
func mayHoldSecretBytes(s string, i int) bool {
	for ; i < len(s); i++ {
		if c := s[i] | 0x20; (c == 'w' || c == 'z' || c == 'f' || s[i] == 0xc5) && secretAt(s, i) {
			return true
		}
	}
	return false
}

// mayHoldSecret64 is mayHoldSecret's scan 64 bytes at a time, for as long
// as 65 bytes are left: it stops only where the letter is followed by the
// one its word has next (wo, za, ft; ſ's two bytes), which in a payload is
// seldom, rather than at every w, z and f. It returns -1 where secretAt
// found a word, or where the caller goes on.
func mayHoldSecret64(s string) int {
	p := unsafe.Pointer(unsafe.StringData(s))
	lower := archsimd.BroadcastUint8x64(0x20)
	w, o := archsimd.BroadcastUint8x64('w'), archsimd.BroadcastUint8x64('o')
	z, a := archsimd.BroadcastUint8x64('z'), archsimd.BroadcastUint8x64('a')
	f, t := archsimd.BroadcastUint8x64('f'), archsimd.BroadcastUint8x64('t')
	s0, s1 := archsimd.BroadcastUint8x64(0xc5), archsimd.BroadcastUint8x64(0xbf)
	i := 0
	for ; i+65 <= len(s); i += 64 {
		x := archsimd.LoadUint8x64((*[64]uint8)(unsafe.Add(p, i)))
		y := archsimd.LoadUint8x64((*[64]uint8)(unsafe.Add(p, i+1)))
		lx, ly := x.Or(lower), y.Or(lower)
		// (Masks combined as integers: Go 1.26's compiler miscompiles
		// some chains of AVX-512 mask operations; see unescapeBlocks64
		// in pkg/gwlog.)
		m := lx.Equal(w).ToBits()&ly.Equal(o).ToBits() | lx.Equal(z).ToBits()&ly.Equal(a).ToBits() |
			lx.Equal(f).ToBits()&ly.Equal(t).ToBits() | x.Equal(s0).ToBits()&y.Equal(s1).ToBits()
		for ; m != 0; m &= m - 1 {
			if secretAt(s, i+bits.TrailingZeros64(m)) {
				return -1
			}
		}
	}
	return i
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

// The constants of decodeBase64Blocks.
var (
	// base64Pack puts the three bytes of each 32-bit value in order,
	// twelve to each 128-bit half (the rest zero).
	base64Pack = [32]int8{2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
		2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1}
	// base64Join puts the two halves' twelve bytes next to each other.
	base64Join = [8]uint32{0, 1, 2, 4, 5, 6, 3, 7}
)

// decodeBase64Blocks decodes raw 32 characters at a time while a block is
// all of the standard alphabet and out has room for 32 bytes, and returns
// how much it read and wrote (24 bytes a block). Each character's value is
// its byte plus an offset chosen by its range (A-Z, a-z, 0-9, '+', '/');
// a byte in none of them ends the blocks. Two multiply-adds then join the
// values 6 bits at a time into 24-bit words, and two shuffles pack them.
func decodeBase64Blocks(out, raw []byte) (read, wrote int) {
	if !simdScan {
		return 0, 0
	}
	bcast := archsimd.BroadcastInt8x32
	// The ranges' bounds, each one outside its range.
	beforeA, afterZ, beforeLowerA, afterLowerZ := bcast('A'-1), bcast('Z'+1), bcast('a'-1), bcast('z'+1)
	before0, after9 := bcast('0'-1), bcast('9'+1)
	plus, slash := bcast('+'), bcast('/')
	offUpper, offLower, offDigit := bcast(-'A'), bcast(26-'a'), bcast(52-'0')
	offPlus, offSlash := bcast(62-'+'), bcast(63-'/')
	pairs := archsimd.BroadcastInt16x16(0x0140).AsInt8x32() // bytes 0x40, 0x01: a<<6 | b
	quads := archsimd.BroadcastInt32x8(0x00011000).AsInt16x16()
	pack := archsimd.LoadInt8x32(&base64Pack)
	join := archsimd.LoadUint32x8(&base64Join)
	i, o := 0, 0
	for i+32 <= len(raw) && o+32 <= len(out) {
		x := archsimd.LoadUint8x32Slice(raw[i:]).AsInt8x32()
		// Signed compares: bytes outside ASCII are negative, in no range.
		upper := x.Greater(beforeA).And(afterZ.Greater(x))
		lower := x.Greater(beforeLowerA).And(afterLowerZ.Greater(x))
		digit := x.Greater(before0).And(after9.Greater(x))
		isPlus, isSlash := x.Equal(plus), x.Equal(slash)
		if upper.Or(lower).Or(digit).Or(isPlus).Or(isSlash).ToBits() != 0xFFFFFFFF {
			break
		}
		off := offUpper.Masked(upper).Or(offLower.Masked(lower)).Or(offDigit.Masked(digit)).
			Or(offPlus.Masked(isPlus)).Or(offSlash.Masked(isSlash))
		v := x.Add(off).AsUint8x32()
		words := v.DotProductPairsSaturated(pairs).DotProductPairs(quads)
		packed := words.AsUint8x32().PermuteOrZeroGrouped(pack).AsUint32x8().Permute(join)
		packed.AsUint8x32().StoreSlice(out[o:])
		i, o = i+32, o+24
	}
	return i, o
}
