//go:build !goexperiment.simd || !amd64

package gwlog

// simdScan is false: built without GOEXPERIMENT=simd, or not for amd64.
const simdScan = false

// unescapeInPlace is unescapeHTMLInPlace without simd/archsimd.
func unescapeInPlace(b []byte) []byte { return unescapeBackward(b) }

// copyToAmp is copyToAmpPortable without simd/archsimd.
func copyToAmp(b []byte, w, r int) (int, int) { return copyToAmpPortable(b, w, r) }
