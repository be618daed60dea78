//go:build !goexperiment.simd || !amd64 || go1.27

package gwlog

// simdBuilt says the AVX2 scans are not compiled in: built without
// GOEXPERIMENT=simd, not for amd64, or with a Go newer than 1.26 (whose
// simd/archsimd, an experiment, may differ).
const simdBuilt = false

// simdScan is false: the portable scans are in use.
const simdScan = false

// simd512 is false: there are no AVX-512 scans (a variable only for the
// tests that turn it off where it is on).
var simd512 = false

// unescapeInPlace is unescapeHTMLInPlace without simd/archsimd.
func unescapeInPlace(b []byte) []byte { return unescapeBackward(b) }

// copyToAmp is copyToAmpPortable without simd/archsimd.
func copyToAmp(b []byte, w, r int) (int, int) { return copyToAmpPortable(b, w, r) }

// indexMarkup is indexMarkupPortable without simd/archsimd.
func indexMarkup(b []byte, lt []byte, r0 byte) int { return indexMarkupPortable(b, lt, r0) }
