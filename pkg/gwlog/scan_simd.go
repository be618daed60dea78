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

// simd512 is true when copyToAmp decodes 64 bytes at a time with AVX-512
// (VBMI2's compress); a test turns it off to cover the AVX2 loop alone.
var simd512 = simdScan && archsimd.X86.AVX512() && archsimd.X86.AVX512VBMI2()

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
// end, 32 bytes at a time, and returns where each stands then. On the way
// it decodes the entities escaped XML is mostly made of (&lt; &gt; &#34;)
// itself: they come every few bytes, and each would otherwise cost a
// return to unescapeForward and a call of entity. A block is stored whole
// only where that overwrites nothing still to be read: when it holds no
// '&' (it is all read), or when the writing is 32 bytes or more behind.
func copyToAmp(b []byte, w, r int) (int, int) {
	if !simdScan {
		return copyToAmpPortable(b, w, r)
	}
	if simd512 {
		w, r = unescapeBlocks64(b, w, r)
		if len(b)-r >= 64+5 {
			// Stopped at an entity it does not decode. (Stopped there
			// nearer the end, it leaves that '&' to the loop below,
			// which returns at it at once.)
			return w, r
		}
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
		w, r = w+k, r+k
		// b[r] is '&'.
		switch {
		case len(b)-r < 5:
			return w, r
		case b[r+3] == ';' && b[r+2] == 't' && (b[r+1] == 'l' || b[r+1] == 'g'):
			b[w] = '<'
			if b[r+1] == 'g' {
				b[w] = '>'
			}
			w, r = w+1, r+4
		case b[r+4] == ';' && b[r+1] == '#' && b[r+2] == '3' && b[r+3] == '4':
			b[w] = '"'
			w, r = w+1, r+5
		default:
			return w, r
		}
	}
	return copyToAmpPortable(b, w, r)
}

// unescapeBlocks64 is copyToAmp 64 bytes at a time with AVX-512, for as
// long as 64+5 bytes are left: every &lt; &gt; &amp; and &#34; of a block
// is decoded in one go (each entity's first byte replaced, the rest
// dropped by a compress), however close together they stand. It stops
// (b[r] == '&') at any other entity, for unescapeForward to read.
func unescapeBlocks64(b []byte, w, r int) (int, int) {
	amp := archsimd.BroadcastUint8x64('&')
	lc, gc, tc := archsimd.BroadcastUint8x64('l'), archsimd.BroadcastUint8x64('g'), archsimd.BroadcastUint8x64('t')
	semi, hash := archsimd.BroadcastUint8x64(';'), archsimd.BroadcastUint8x64('#')
	c3, c4 := archsimd.BroadcastUint8x64('3'), archsimd.BroadcastUint8x64('4')
	ac, mc, pc := archsimd.BroadcastUint8x64('a'), archsimd.BroadcastUint8x64('m'), archsimd.BroadcastUint8x64('p')
	ltc, gtc, quotc := archsimd.BroadcastUint8x64('<'), archsimd.BroadcastUint8x64('>'), archsimd.BroadcastUint8x64('"')
	for len(b)-r >= 64+5 {
		x := archsimd.LoadUint8x64Slice(b[r:])
		ampM := x.Equal(amp)
		ampBits := ampM.ToBits()
		if ampBits == 0 {
			// w <= r: the store overwrites only bytes already read.
			x.StoreSlice(b[w:])
			w, r = w+64, r+64
			continue
		}
		// The compares are combined as bit masks in general registers:
		// Go 1.26's compiler miscompiled them combined as masks here.
		// Its rewriteTern pass fuses a chain of two Ands (amp, t at 2,
		// ';' at 3) into one three-input operation, then builds a
		// further And on that chain (with 'g' at 1) from the fused
		// operation's first two inputs only: the ';' dropped, "&gtR"
		// read as &gt;. Integer ANDs of the ToBits are out of its reach
		// (make test fails should it fuse any of psib's operations).
		x1 := archsimd.LoadUint8x64Slice(b[r+1:])
		x2 := archsimd.LoadUint8x64Slice(b[r+2:])
		x3 := archsimd.LoadUint8x64Slice(b[r+3:])
		x4 := archsimd.LoadUint8x64Slice(b[r+4:])
		t2semi3 := ampBits & x2.Equal(tc).ToBits() & x3.Equal(semi).ToBits()
		lt := t2semi3 & x1.Equal(lc).ToBits()
		gt := t2semi3 & x1.Equal(gc).ToBits()
		semi4 := ampBits & x4.Equal(semi).ToBits()
		quot := semi4 & x1.Equal(hash).ToBits() & x2.Equal(c3).ToBits() & x3.Equal(c4).ToBits()
		ampEnt := semi4 & x1.Equal(ac).ToBits() & x2.Equal(mc).ToBits() & x3.Equal(pc).ToBits()
		four, five := lt|gt, quot|ampEnt
		other := ampBits &^ (four | five)
		// The block ends early at an entity this does not decode, or at
		// one that runs past the block's 64 bytes.
		stop := other | four&(7<<61) | five&(15<<60)
		limit, valid := 64, ^uint64(0)
		if stop != 0 {
			limit = bits.TrailingZeros64(stop)
			valid = 1<<limit - 1
		}
		four &= valid
		five &= valid
		drop := four<<1 | four<<2 | four<<3 | five<<1 | five<<2 | five<<3 | five<<4
		keep := valid &^ drop
		y := gtc.Merge(ltc.Merge(x, archsimd.Mask8x64FromBits(lt)), archsimd.Mask8x64FromBits(gt))
		y = quotc.Merge(y, archsimd.Mask8x64FromBits(quot))
		n := bits.OnesCount64(keep)
		y.Compress(archsimd.Mask8x64FromBits(keep)).StoreSlicePart(b[w : w+n])
		w, r = w+n, r+limit
		if other&(1<<limit) != 0 {
			return w, r
		}
	}
	return w, r
}

// indexMarkup returns the index of the first lt ("<" or "&lt;") in b that
// opens markup the xmlTracker reads: lt followed by '!', '?', r0, or '/'
// and r0; or -1. Escaped XML is a tag every few bytes, few of them the
// root's: with AVX2, 32 positions are tested at once for the whole
// pattern (one load at each of its offsets), instead of stopping at every
// tag.
func indexMarkup(b []byte, lt []byte, r0 byte) int {
	if !simdScan || len(lt) != 1 && len(lt) != 4 {
		return indexMarkupPortable(b, lt, r0)
	}
	L := len(lt)
	first := archsimd.BroadcastUint8x32(lt[0])
	bang := archsimd.BroadcastUint8x32('!')
	quest := archsimd.BroadcastUint8x32('?')
	slash := archsimd.BroadcastUint8x32('/')
	root := archsimd.BroadcastUint8x32(r0)
	lc := archsimd.BroadcastUint8x32('l')
	tc := archsimd.BroadcastUint8x32('t')
	semi := archsimd.BroadcastUint8x32(';')
	i := 0
	// The loads reach L+1 bytes past the block.
	for ; i+32+L+1 <= len(b); i += 32 {
		m := archsimd.LoadUint8x32Slice(b[i:]).Equal(first)
		if L == 4 {
			m = m.And(archsimd.LoadUint8x32Slice(b[i+1:]).Equal(lc)).
				And(archsimd.LoadUint8x32Slice(b[i+2:]).Equal(tc)).
				And(archsimd.LoadUint8x32Slice(b[i+3:]).Equal(semi))
		}
		c := archsimd.LoadUint8x32Slice(b[i+L:])
		next := archsimd.LoadUint8x32Slice(b[i+L+1:])
		open := c.Equal(bang).Or(c.Equal(quest)).Or(c.Equal(root)).Or(c.Equal(slash).And(next.Equal(root)))
		if hit := m.And(open).ToBits(); hit != 0 {
			return i + bits.TrailingZeros32(hit)
		}
	}
	if j := indexMarkupPortable(b[i:], lt, r0); j >= 0 {
		return i + j
	}
	return -1
}
