package ibmsg

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/psib-dev/psib/internal/nozero"
)

// Decoded sections (inflated, base64 undone) are most of the memory a
// gateway log's decoding goes through: hundreds of MB for a 100 MB log,
// each section written once and read once or twice soon after. Buffers
// given back by Message.ReleaseContent serve later sections: memory that
// is still in the CPU's caches, without a large allocation each.
//
// Buffers come in powers of two (a class per size, 1 KiB to 1 MiB); a
// class's pool holds pointers to the buffers' first bytes, which put no
// allocation of their own in the pool.
const (
	minContentClass = 10
	maxContentClass = 20
)

var contentBuffers [maxContentClass - minContentClass + 1]sync.Pool

// contentBuffer returns a buffer of length n whose bytes are undefined (not
// cleared): the caller writes each before reading it. Up to 1 MiB, its
// capacity is the power of two that holds n.
func contentBuffer(n int) []byte {
	k := max(bits.Len(uint(n-1)), minContentClass)
	if n <= 0 || k > maxContentClass {
		return nozero.Bytes(n)
	}
	if p, ok := contentBuffers[k-minContentClass].Get().(unsafe.Pointer); ok {
		return unsafe.Slice((*byte)(p), 1<<k)[:n]
	}
	return nozero.Bytes(1 << k)[:n]
}

// recycleContentBuffer gives b's memory (its whole capacity) to
// contentBuffer, when its capacity is one of the classes. Nothing may use
// b, or anything sliced from it, afterwards.
func recycleContentBuffer(b []byte) {
	c := cap(b)
	if c < 1<<minContentClass || c > 1<<maxContentClass || c&(c-1) != 0 {
		return
	}
	k := bits.Len(uint(c)) - 1
	contentBuffers[k-minContentClass].Put(unsafe.Pointer(unsafe.SliceData(b[:1])))
}
