//go:build goexperiment.simd && amd64 && !go1.27

package jsonstr

import (
	"math/bits"
	"simd/archsimd"
	"unsafe"
)

// simdBuilt says the AVX2 scans are compiled in (simdcheck.Want).
const simdBuilt = true

// simdScan is true when indexSpecial uses AVX2 (built with
// GOEXPERIMENT=simd, on a CPU that has it).
var simdScan = archsimd.X86.AVX2()

// indexSpecial returns the index of the first byte of s that may need
// escaping, or len(s): 32 bytes at a time with AVX2. One signed compare
// finds both the control characters and the bytes outside ASCII (< 0x20
// as int8), two more find '"' and '\\'.
func indexSpecial(s string) int {
	if !simdScan {
		return indexSWAR(s)
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	space := archsimd.BroadcastInt8x32(0x20)
	quote := archsimd.BroadcastInt8x32('"')
	backslash := archsimd.BroadcastInt8x32('\\')
	i := 0
	for ; i+32 <= len(s); i += 32 {
		x := archsimd.LoadInt8x32((*[32]int8)(unsafe.Add(p, i)))
		if m := x.Less(space).Or(x.Equal(quote)).Or(x.Equal(backslash)).ToBits(); m != 0 {
			return i + bits.TrailingZeros32(m)
		}
	}
	return i + indexSWAR(s[i:])
}
