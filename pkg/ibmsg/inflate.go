package ibmsg

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
	"math/bits"
	"sync"
	"unsafe"
)

// A one-shot DEFLATE decoder (RFC 1951) for the common case of a log: a
// whole gzip section in memory, well formed, inflated into one buffer.
// Reading the input 64 bits at a time and writing straight into the output
// (no sliding window to copy out of) makes it faster than a streaming
// reader. It is strict: anything it does not expect (a corrupt or
// truncated stream, a Huffman code that is not complete, an optional gzip
// header field, a stream past the size limit) makes it give up, and the
// section is inflated again by klauspost/compress, which then has the last
// word, errors included. FuzzInflate checks that whatever it inflates,
// klauspost/compress inflates to the same bytes.

// inflateGzip inflates a single-member gzip stream that fills data, up to
// max bytes; ok is false when it gave up. The output is at the start of a
// buffer from contentBuffer, with its capacity.
func inflateGzip(data []byte, max int64, hint int) (out []byte, ok bool) {
	// ID1 ID2 CM FLG MTIME(4) XFL OS; FNAME is the only optional field
	// taken here (FTEXT is a mere hint).
	const ftext, fname = 1, 8
	if len(data) < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 || data[3]&^(ftext|fname) != 0 {
		return nil, false
	}
	pos := 10
	if data[3]&fname != 0 {
		// klauspost/compress refuses a name of 512 bytes or more: so
		// does this, by leaving such a stream to it.
		end := bytes.IndexByte(data[pos:min(len(data), pos+512)], 0)
		if end < 0 {
			return nil, false
		}
		pos += end + 1
	}
	if pos > len(data)-8 {
		return nil, false
	}
	out, ok = inflateStream(data, pos, max, hint, 8)
	if !ok {
		return nil, false
	}
	trailer := data[len(data)-8:]
	if crc32.ChecksumIEEE(out) != binary.LittleEndian.Uint32(trailer) || uint32(len(out)) != binary.LittleEndian.Uint32(trailer[4:]) {
		recycleContentBuffer(out)
		return nil, false
	}
	return out, true
}

// inflateZlib inflates a zlib stream (RFC 1950, without a preset
// dictionary) that fills data, up to max bytes; ok is false when it gave
// up.
func inflateZlib(data []byte, max int64, hint int) (out []byte, ok bool) {
	const fdict = 0x20
	if len(data) < 6 || !isZlibHeader(data) || data[1]&fdict != 0 {
		return nil, false
	}
	out, ok = inflateStream(data, 2, max, hint, 4)
	if ok && adler32.Checksum(out) != binary.BigEndian.Uint32(data[len(data)-4:]) {
		recycleContentBuffer(out)
		ok = false
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// inflateStream inflates the DEFLATE stream at data[pos:], which must be
// followed by exactly trailer bytes. It gives up past twice hint (plus
// 1 MiB), well before max when the stream is a decompression bomb:
// klauspost/compress then inflates it again, up to max, and says it is
// too large, so that such a section never costs twice the memory.
func inflateStream(data []byte, pos int, max int64, hint, trailer int) ([]byte, bool) {
	max = min(max, 2*int64(hint)+1<<20)
	f, _ := inflaters.Get().(*inflater)
	if f == nil {
		f = new(inflater)
	}
	defer func() {
		// The pool keeps the tables, not the section.
		f.in, f.out = nil, nil
		inflaters.Put(f)
	}()
	return f.inflate(data, pos, max, hint, trailer)
}

// inflate is inflateStream with f, up to max bytes.
func (f *inflater) inflate(data []byte, pos int, max int64, hint, trailer int) ([]byte, bool) {
	// The trailer stays in the input: the bit reader may load (not use)
	// its bytes, which spares it a slow path at the stream's end.
	f.in, f.pos, f.bits, f.nb, f.max = data, pos, 0, 0, max
	out, ok := f.run(hint)
	if ok && f.unread() != trailer {
		recycleContentBuffer(out)
		ok = false
	}
	if !ok {
		return nil, false
	}
	return out, true
}

// inflaters keeps inflaters (their tables are 8 KB) for the next section.
var inflaters sync.Pool

// inflater decodes one DEFLATE stream.
type inflater struct {
	in   []byte
	pos  int    // next byte of in to load
	bits uint64 // loaded bits, the next one lowest
	nb   uint   // how many
	max  int64

	out []byte // written so far: out[:n]
	n   int

	lit, dist *huffman // the block's codes: fixed ones, or dynLit and dynDist
	dynLit    huffman
	dynDist   huffman

	// checkedOnly decodes every symbol with codesNear, never with
	// decodeFast: tests compare the two loops.
	checkedOnly bool
}

// unread returns how many whole bytes of in were not consumed.
func (f *inflater) unread() int { return len(f.in) - f.pos + int(f.nb/8) }

// need loads bits until at least n (n <= 56) are there; false at the end
// of the input.
func (f *inflater) need(n uint) bool {
	if f.nb >= n {
		return true
	}
	if f.pos+8 <= len(f.in) {
		f.bits |= binary.LittleEndian.Uint64(f.in[f.pos:]) << f.nb
		k := (63 - f.nb) / 8
		f.pos += int(k)
		f.nb += k * 8
		return true
	}
	for f.nb < n {
		if f.pos >= len(f.in) {
			return false
		}
		f.bits |= uint64(f.in[f.pos]) << f.nb
		f.pos++
		f.nb += 8
	}
	return true
}

// take returns the next n bits (n <= 32; need(n) must have succeeded).
func (f *inflater) take(n uint) uint32 {
	v := uint32(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nb -= n
	return v
}

// run inflates the whole stream; hint sizes the output.
func (f *inflater) run(hint int) ([]byte, bool) {
	f.n = 0
	f.out = contentBuffer(int(min(int64(max(hint, 512)), f.max)) + slack)
	for {
		if !f.need(3) {
			return nil, false
		}
		final := f.take(1) == 1
		var ok bool
		switch f.take(2) {
		case 0:
			ok = f.stored()
		case 1:
			f.lit, f.dist = &fixedLit, &fixedDist
			ok = f.codes()
		case 2:
			f.lit, f.dist = &f.dynLit, &f.dynDist
			ok = f.dynamic() && f.codes()
		}
		if !ok {
			recycleContentBuffer(f.out)
			return nil, false
		}
		if final {
			// The stream ends on a byte boundary for what follows.
			f.take(f.nb % 8)
			return f.out[:f.n], true
		}
	}
}

// room makes room for k more bytes of output, within max.
func (f *inflater) room(k int) bool {
	if int64(f.n+k) > f.max {
		return false
	}
	if f.n+k <= len(f.out) {
		return true
	}
	size := min(max(2*len(f.out), f.n+k+slack), int(f.max)+slack)
	out := contentBuffer(size)
	copy(out, f.out[:f.n])
	recycleContentBuffer(f.out)
	f.out = out
	return true
}

func (f *inflater) stored() bool {
	f.take(f.nb % 8)
	if !f.need(32) {
		return false
	}
	n, nn := f.take(16), f.take(16)
	if n != ^nn&0xffff {
		return false
	}
	// Whole bytes still in the bit buffer come first.
	for ; n > 0 && f.nb >= 8; n-- {
		if !f.room(1) {
			return false
		}
		f.out[f.n] = byte(f.take(8))
		f.n++
	}
	if f.nb == 0 {
		// What the buffer holds past its count (input loaded ahead) is
		// skipped over below: it must not be read again.
		f.bits = 0
	}
	if int(n) > len(f.in)-f.pos || !f.room(int(n)) {
		return false
	}
	f.n += copy(f.out[f.n:], f.in[f.pos:f.pos+int(n)])
	f.pos += int(n)
	return true
}

// codeOrder is the order of the code length code lengths.
var codeOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

func (f *inflater) dynamic() bool {
	if !f.need(14) {
		return false
	}
	nlit, ndist, nclen := int(f.take(5))+257, int(f.take(5))+1, int(f.take(4))+4
	if nlit > 286 || ndist > 30 {
		return false
	}
	var clen [19]uint8
	for i := range nclen {
		if !f.need(3) {
			return false
		}
		clen[codeOrder[i]] = uint8(f.take(3))
	}
	var cl huffman
	if !cl.build(clen[:], plainCode) {
		return false
	}
	var lens [286 + 30]uint8
	for i := 0; i < nlit+ndist; {
		sym, ok := f.decode(&cl)
		if !ok {
			return false
		}
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 || !f.need(2) {
				return false
			}
			rep, val = 3+int(f.take(2)), lens[i-1]
		case 17:
			if !f.need(3) {
				return false
			}
			rep = 3 + int(f.take(3))
		default:
			if !f.need(7) {
				return false
			}
			rep = 11 + int(f.take(7))
		}
		if i+rep > nlit+ndist {
			return false
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if lens[256] == 0 {
		return false
	}
	return f.dynLit.build(lens[:nlit], literalCode) && f.dynDist.build(lens[nlit:nlit+ndist], distanceCode)
}

// Length and distance bases and extra bits (RFC 1951 3.2.5).
var (
	lenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase  = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// slack is the room kept past the output: the longest match, plus the
// word a match copy may write past its end (see decodeFast).
const slack = 258 + 8

// codes decodes a block's symbols with f.lit and f.dist: with decodeFast
// while the input and the output have room for it, which is nearly all of
// a block, then with the checked loop of codesNear.
func (f *inflater) codes() bool {
	for {
		if len(f.in) < 8 || len(f.out) < slack || f.checkedOnly {
			return f.codesNear()
		}
		var st fastStop
		f.pos, f.n, f.bits, f.nb, st = decodeFast(f.lit, f.dist, f.in, f.out, f.pos, f.n, f.bits, f.nb)
		switch st {
		case fastEndOfBlock:
			return true
		case fastCorrupt:
			return false
		case fastOutputFull:
			// The output is longer than its hint said: grow it, with room
			// to go on fast. Near max there is none: codesNear then goes
			// as far as room for one more match allows.
			if f.room(slack + 4<<10) {
				continue
			}
		}
		return f.codesNear()
	}
}

// fastStop says why decodeFast stopped.
type fastStop uint8

const (
	fastEndOfBlock fastStop = iota
	fastCorrupt             // a code that is not in the tables, a distance too far back
	fastOutputFull          // out has less than slack bytes left
	fastInputEnd            // in has less than 8 bytes left
)

// decodeFast decodes symbols from in[pos:] into out[n:] with the codes lit
// and dist, and returns the new state and why it stopped. It is the hot
// loop of inflating, written for speed: it works on pointers (no bounds
// checks, and few enough live values that the compiler keeps them in
// registers) and checks only two things per symbol, that 8 bytes of input
// are left to load and that the output has slack bytes of room. Both
// bound every access:
//
//   - Each step first loads 8 bytes, topping the bit buffer up to at least
//     56 bits: enough for a literal or end-of-block code (at most 15 bits)
//     or a whole match (at most 15+5 for the length and 15+13 for the
//     distance: 48), so no count of loaded bits is needed.
//   - A literal writes 1 byte and a match at most 258+7 (slack) at
//     out[n:]; a match reads from out[n-d:], d <= n, bytes written before.
//
// Bits loaded past nb (the refill always reads 8 bytes but counts only
// whole bytes it has room for) are the same input at the same place, so
// loading them again, here or in need, changes nothing.
func decodeFast(lit, dist *huffman, in, out []byte, pos, n int, bits uint64, nb uint) (int, int, uint64, uint, fastStop) {
	inBase := unsafe.Pointer(unsafe.SliceData(in))
	inLast := unsafe.Add(inBase, len(in)-8) // the last place 8 bytes can be loaded from
	ip := unsafe.Add(inBase, pos)
	outBase := unsafe.Pointer(unsafe.SliceData(out))
	outLast := unsafe.Add(outBase, len(out)-slack) // the last place a symbol is decoded at
	op := unsafe.Add(outBase, n)
	var stop fastStop
	for {
		if uintptr(ip) > uintptr(inLast) {
			stop = fastInputEnd
			break
		}
		if uintptr(op) > uintptr(outLast) {
			stop = fastOutputFull
			break
		}
		// Branch-free refill: nb becomes 56..63 (nb|56 is nb plus the
		// whole bytes loaded, for nb <= 63).
		bits |= *(*uint64)(ip) << (nb & 63)
		ip = unsafe.Add(ip, (63-nb)>>3)
		nb |= 56
		e := lit.entry(bits)
		l := uint(e & 0xff)
		if e&flagLiteral != 0 {
			bits >>= l & 63
			nb -= l
			*(*byte)(op) = byte(e >> 16)
			op = unsafe.Add(op, 1)
			continue
		}
		if e&flagEndOfBlock != 0 {
			bits >>= l & 63
			nb -= l
			stop = fastEndOfBlock
			break
		}
		if l == 0 {
			stop = fastCorrupt
			break
		}
		length := entryValue(e, bits)
		bits >>= l & 63
		nb -= l
		e = dist.entry(bits)
		l = uint(e & 0xff)
		if l == 0 {
			stop = fastCorrupt
			break
		}
		d := uintptr(entryValue(e, bits))
		bits >>= l & 63
		nb -= l
		if d > uintptr(op)-uintptr(outBase) {
			stop = fastCorrupt
			break
		}
		src := unsafe.Add(op, -int(d))
		if d >= 8 {
			// Whole words: each reads bytes already written (d >= 8),
			// the first five unconditionally (most matches are 40 bytes
			// or shorter); what they write past the match is room, which
			// later symbols overwrite.
			*(*uint64)(op) = *(*uint64)(src)
			*(*uint64)(unsafe.Add(op, 8)) = *(*uint64)(unsafe.Add(src, 8))
			*(*uint64)(unsafe.Add(op, 16)) = *(*uint64)(unsafe.Add(src, 16))
			*(*uint64)(unsafe.Add(op, 24)) = *(*uint64)(unsafe.Add(src, 24))
			*(*uint64)(unsafe.Add(op, 32)) = *(*uint64)(unsafe.Add(src, 32))
			for i := 40; i < length; i += 8 {
				*(*uint64)(unsafe.Add(op, i)) = *(*uint64)(unsafe.Add(src, i))
			}
		} else {
			// Overlapping: the copy repeats the last d bytes.
			for i := range length {
				*(*byte)(unsafe.Add(op, i)) = *(*byte)(unsafe.Add(src, i))
			}
		}
		op = unsafe.Add(op, length)
	}
	return int(uintptr(ip) - uintptr(inBase)), int(uintptr(op) - uintptr(outBase)), bits, nb, stop
}

// codesNear decodes the rest of a block near the end of the input (or of
// the output's room), checking every load and every symbol.
func (f *inflater) codesNear() bool {
	lit, dist := f.lit, f.dist
	in, pos, bits, nb := f.in, f.pos, f.bits, f.nb
	out, n := f.out, f.n
	// Shift counts are masked with 63 (they are all below 64 anyway):
	// the compiler then makes each a single shift, not a shift and the
	// two instructions that give Go's result for counts of 64 and more,
	// on the path from one symbol to the next.
	for {
		if nb < 48 {
			if pos+8 <= len(in) {
				bits |= binary.LittleEndian.Uint64(in[pos:]) << (nb & 63)
				k := (63 - nb) / 8
				pos += int(k)
				nb += k * 8
			} else {
				for nb <= 56 && pos < len(in) {
					bits |= uint64(in[pos]) << (nb & 63)
					pos++
					nb += 8
				}
			}
		}
		if len(out)-n < slack {
			f.n = n
			if !f.room(slack) {
				// Near max: room for the longest match may be what is
				// missing, not output; give up (klauspost decides).
				return false
			}
			out = f.out
		}
		e := lit.entry(bits)
		l := uint(e & 0xff)
		if l-1 >= nb {
			return false
		}
		if e&flagLiteral != 0 {
			bits >>= l & 63
			nb -= l
			out[n] = byte(e >> 16)
			n++
			continue
		}
		if e&flagEndOfBlock != 0 {
			bits >>= l & 63
			nb -= l
			f.pos, f.bits, f.nb, f.n = pos, bits, nb, n
			return true
		}
		length := entryValue(e, bits)
		bits >>= l & 63
		nb -= l
		e = dist.entry(bits)
		l = uint(e & 0xff)
		if l-1 >= nb {
			return false
		}
		d := entryValue(e, bits)
		bits >>= l & 63
		nb -= l
		if d > n {
			return false
		}
		switch {
		case d >= length && length <= 16:
			// A short match (most of them, in XML): two words, both read
			// before either is written; bytes past the match are room.
			src := out[n-d:]
			w0, w1 := binary.LittleEndian.Uint64(src), binary.LittleEndian.Uint64(src[8:])
			dst := out[n:]
			binary.LittleEndian.PutUint64(dst, w0)
			binary.LittleEndian.PutUint64(dst[8:], w1)
		case d >= length:
			copy(out[n:n+length], out[n-d:])
		default:
			// Overlapping: the copy repeats the last d bytes.
			for i := range length {
				out[n+i] = out[n-d+i]
			}
		}
		n += length
	}
}

// huffman is a canonical Huffman code for decoding: a table indexed by the
// next primaryBits input bits, whose entries for longer codes point to a
// second-level table.
type huffman struct {
	primary [1 << primaryBits]uint32
	sub     []uint32
	// width is how many bits index primary: the longest code, up to
	// primaryBits (a code-length code of 7 bits fills 128 entries, not
	// 1024: tables are built for every block). mask selects them.
	width uint
	mask  uint64
}

const primaryBits = 10

// A table entry is a uint32: its low byte is how many bits the symbol
// takes (code length, plus for a length or distance its extra bits; 0: no
// such code), bits 8-11 the code length alone (where the extra bits start),
// and the top 16 bits the value: a literal byte, a length or distance base
// (RFC 1951 3.2.5, so that decoding needs no second lookup), or another
// code's symbol. Flags tell a literal, the end of a block and a link: an
// entry of the primary table for codes longer than primaryBits, whose top
// 16 bits are an offset in sub and whose low 4 bits how many further bits
// index the sub table there. Length symbols 286 and 287 and distance
// symbols 30 and 31, which the fixed codes have but RFC 1951 does not
// allow, are entries of 0.
const (
	linkFlag       = 0x1000
	flagLiteral    = 0x2000
	flagEndOfBlock = 0x4000
)

// codeKind is what a code's symbols mean, for its table's entries.
type codeKind uint8

const (
	plainCode    codeKind = iota // symbols as they are (code length codes)
	literalCode                  // literals, end of block, lengths
	distanceCode                 // distances
)

// entry returns the entry of the code that starts the bits (the next one
// lowest), through its sub table if it has one.
func (h *huffman) entry(bits uint64) uint32 {
	// (A mask the compiler can see is below the table's size.)
	e := h.primary[bits&h.mask&(1<<primaryBits-1)]
	if e&linkFlag != 0 {
		e = h.sub[int(e>>16)+int((bits>>(h.width&63))&(1<<(e&0xf)-1))]
	}
	return e
}

// entryValue returns what a length or distance entry e, found at the start
// of bits, says: its base plus the extra bits after its code.
func entryValue(e uint32, bits uint64) int {
	l := uint(e & 0xff)
	return int(e>>16) + int((bits&(1<<(l&63)-1))>>((e>>8)&0xf))
}

// entryFor returns the table entry of symbol sym, whose code is l bits long.
func entryFor(kind codeKind, sym int, l uint8) uint32 {
	code := uint32(l)<<8 | uint32(l)
	switch kind {
	case literalCode:
		switch {
		case sym < 256:
			return uint32(sym)<<16 | flagLiteral | code
		case sym == 256:
			return flagEndOfBlock | code
		case sym < 286:
			s := sym - 257
			return uint32(lenBase[s])<<16 | code + uint32(lenExtra[s])
		}
		return 0
	case distanceCode:
		if sym >= 30 {
			return 0
		}
		return distBase[sym]<<16 | code + uint32(distExtra[sym])
	}
	return uint32(sym)<<16 | code
}

// build makes the code of the given code lengths (one per symbol, at most
// 320; 0: the symbol does not occur). It refuses codes that are not
// complete.
func (h *huffman) build(lengths []uint8, kind codeKind) bool {
	var count [16]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	// Complete: the codes use up the whole code space. As in zlib and
	// klauspost/compress, a code of one 1-bit code word (the other
	// word then is corrupt input) and a code with no words at all
	// (corrupt input wherever it is used) are taken too.
	left, total := 1, 0
	for l := 1; l <= 15; l++ {
		left = left<<1 - count[l]
		total += count[l]
		if left < 0 {
			return false
		}
	}
	if left != 0 && total != 0 && !(total == 1 && count[1] == 1) {
		return false
	}
	maxLen := uint(1)
	for l := 15; l > 1; l-- {
		if count[l] > 0 {
			maxLen = uint(l)
			break
		}
	}
	h.width = min(maxLen, primaryBits)
	h.mask = 1<<h.width - 1
	// Canonical codes, bit-reversed for the table.
	var next [16]int
	code := 0
	for l := 1; l <= 15; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	var rev [320]uint16
	for sym, l := range lengths {
		if l > 0 {
			rev[sym] = uint16(reverse(next[l], l))
			next[l]++
		}
	}
	w := h.width
	if left != 0 {
		// Degenerate: entries no code fills must read as corrupt.
		clear(h.primary[:1<<w])
	}
	h.sub = h.sub[:0]
	if maxLen > primaryBits {
		// Long codes go to sub tables, one per primary prefix, sized for
		// the longest code with that prefix (in the order the prefixes
		// first occur: only those are visited, not all 1024).
		var subBits [1 << primaryBits]uint8
		var prefixes [320]uint16
		np := 0
		for sym, l := range lengths {
			if uint(l) > w {
				p := rev[sym] & (1<<primaryBits - 1)
				if subBits[p] == 0 {
					prefixes[np] = p
					np++
				}
				subBits[p] = max(subBits[p], l-primaryBits)
			}
		}
		for _, p := range prefixes[:np] {
			b := subBits[p]
			h.primary[p] = uint32(len(h.sub))<<16 | linkFlag | uint32(b)
			h.sub = append(h.sub, make([]uint32, 1<<b)...)
		}
	}
	// (Shift counts masked, and the bounds hoisted: the filling loop is
	// most of the time a block's tables take.)
	end := 1 << (w & 15)
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		r := int(rev[sym])
		entry := entryFor(kind, sym, l)
		if uint(l) <= w {
			step := 1 << (l & 15)
			for i := r; i < end; i += step {
				h.primary[i] = entry
			}
			continue
		}
		link := h.primary[r&(1<<primaryBits-1)]
		off, b := int(link>>16), uint(link&0xff)
		step := 1 << ((uint(l) - primaryBits) & 15)
		for i := r >> primaryBits; i < 1<<(b&15); i += step {
			h.sub[off+i] = entry
		}
	}
	return true
}

// reverse reverses the low n bits of code (DEFLATE sends codes from their
// first bit, which the table indexes from the lowest).
func reverse(code int, n uint8) int {
	return int(bits.Reverse16(uint16(code)) >> (16 - n))
}

// decode reads one symbol.
func (f *inflater) decode(h *huffman) (int, bool) {
	if !f.need(15) {
		// Near the end of the input: a short code may still be there.
		if f.nb == 0 {
			return 0, false
		}
	}
	e := h.entry(f.bits)
	l := uint(e & 0xff)
	if l == 0 || l > f.nb {
		return 0, false
	}
	f.bits >>= l
	f.nb -= l
	return int(e >> 16), true
}

// The fixed codes of block type 1.
var fixedLit, fixedDist = func() (lit, dist huffman) {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	if !lit.build(l[:], literalCode) || !dist.build(d[:], distanceCode) {
		panic("ibmsg: fixed Huffman codes")
	}
	return lit, dist
}()
