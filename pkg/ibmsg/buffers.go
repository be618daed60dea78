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
// Buffers come in size classes, four per power of two (1.25, 1.5, 1.75
// and 2 times the power below), from 1 KiB to 1 MiB: a buffer is at most
// a quarter larger than asked for, which the heap carries while the
// section is in flight. A class's pool holds pointers to the buffers'
// first bytes, which put no allocation of their own in the pool.
const (
	minContentBits = 10 // the smallest class is 2^(minContentBits-1) * 1.25
	maxContentBits = 20 // the largest is 2^maxContentBits
	contentSteps   = 4  // classes per power of two
)

var contentBuffers [(maxContentBits - minContentBits + 1) * contentSteps]sync.Pool

// contentClassSize is the capacity of class i's buffers.
func contentClassSize(i int) int {
	k, j := minContentBits+i/contentSteps, i%contentSteps+1
	return 1<<(k-1) + j<<(k-3)
}

// contentClassFor returns the class of the smallest buffers that hold n
// bytes, or -1 when n is above the largest class.
func contentClassFor(n int) int {
	if n <= 1<<(minContentBits-1) {
		return 0
	}
	k := bits.Len(uint(n - 1)) // 2^(k-1) < n <= 2^k
	if k > maxContentBits {
		return -1
	}
	j := (n - 1<<(k-1) + 1<<(k-3) - 1) >> (k - 3) // 1..4
	return max((k-minContentBits)*contentSteps+j-1, 0)
}

// contentClassOf returns the largest class whose size c holds (the class a
// buffer of capacity c serves), or -1 when it is below the smallest or
// above the largest.
func contentClassOf(c int) int {
	if c < contentClassSize(0) || c > 1<<maxContentBits {
		return -1
	}
	i := contentClassFor(c)
	if contentClassSize(i) > c {
		i--
	}
	return i
}

// contentBuffer returns a buffer of length n whose bytes are undefined (not
// cleared): the caller writes each before reading it. Up to 1 MiB, its
// capacity is a class's size: n, or up to a quarter more; a recycled
// buffer of the class or one of the two above it is taken first.
func contentBuffer(n int) []byte {
	i := contentClassFor(n)
	if n <= 0 || i < 0 {
		return nozero.Bytes(n)
	}
	for c := i; c < min(i+3, len(contentBuffers)); c++ {
		if p, ok := contentBuffers[c].Get().(unsafe.Pointer); ok {
			return unsafe.Slice((*byte)(p), contentClassSize(c))[:n]
		}
	}
	return nozero.Bytes(contentClassSize(i))[:n]
}

// recycleContentBuffer gives b's memory to contentBuffer, when its
// capacity is a class's size (contentBuffer's buffers are). Nothing may
// use b, or anything sliced from it, afterwards.
func recycleContentBuffer(b []byte) {
	i := contentClassOf(cap(b))
	if i < 0 || contentClassSize(i) != cap(b) {
		return
	}
	contentBuffers[i].Put(unsafe.Pointer(unsafe.SliceData(b[:1])))
}
