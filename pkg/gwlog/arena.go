package gwlog

import "github.com/psib-dev/psib/internal/nozero"

// tailArena hands out the growing text (or line numbers) of the message
// being collected from large blocks. The message always sits at the free
// tail of the current block, so it grows in place: its bytes are copied
// once from the input instead of again at every doubling of a slice of its
// own, and a log of small messages costs a few large allocations instead
// of many small ones. A finished message keeps its part of the block (with
// its capacity cut, so that nothing can append into its neighbour); the
// block is freed once every message in it is.
//
// Only one message grows at a time: the scanner collects one message at a
// time, and one that is given up is simply overwritten by the next.
type tailArena[T byte | int32] struct {
	buf []T // buf[:len] belongs to finished messages, buf[len:cap] is free
	// block is the size of a block, in elements (0: defaultArenaBlock).
	block int
}

const defaultArenaBlock = 64 << 10

func (a *tailArena[T]) blockLen() int {
	if a.block > 0 {
		return a.block
	}
	return defaultArenaBlock
}

// start returns an empty slice at the free tail, for a new message. A new
// block is started when the tail is short (a sixteenth of a block), rather
// than having the message outgrow it at once.
func (a *tailArena[T]) start() []T {
	if cap(a.buf)-len(a.buf) < a.blockLen()/16 {
		a.buf = newBlock[T](a.blockLen())[:0]
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// room returns cur (the slice start gave, grown since) with room for n more
// elements: in place, or moved to a new block large enough for it.
func (a *tailArena[T]) room(cur []T, n int) []T {
	if len(cur)+n <= cap(cur) {
		return cur
	}
	size := max(a.blockLen(), 2*(len(cur)+n))
	nb := newBlock[T](size)[:len(cur)]
	copy(nb, cur)
	a.buf = nb[:0]
	return nb
}

// finish ends the message cur (the slice start gave, grown since): it
// keeps its elements, and the next message starts after them. A message
// too large for a block of the usual size had one made for it, which it
// keeps to itself, so that the messages after it do not keep a big block
// alive.
func (a *tailArena[T]) finish(cur []T) []T {
	a.buf = a.buf[:len(a.buf)+len(cur)]
	if cap(a.buf) > a.blockLen() {
		a.buf = nil
	}
	return cur[:len(cur):len(cur)]
}

// newBlock returns a block of n elements, for an arena: text blocks are
// not cleared (their bytes are only read once written), line blocks are.
func newBlock[T byte | int32](n int) []T {
	var zero T
	if _, isByte := any(zero).(byte); isByte {
		return any(nozero.Bytes(n)).([]T)
	}
	return make([]T, n)
}
