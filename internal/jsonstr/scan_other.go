//go:build !goexperiment.simd || !amd64 || go1.27

package jsonstr

// simdBuilt says the AVX2 scans are not compiled in: built without
// GOEXPERIMENT=simd, not for amd64, or with a Go newer than 1.26 (whose
// simd/archsimd, an experiment, may differ).
const simdBuilt = false

// simdScan is false: the portable scans are in use.
const simdScan = false

// simd512 is false: there are no AVX-512 scans (a variable only for the
// tests that switch it).
var simd512 = false

// appendEscaped appends s escaped, without the quotes.
func appendEscaped(dst []byte, s string) []byte { return appendEscapedPortable(dst, s) }
