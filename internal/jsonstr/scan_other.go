//go:build !goexperiment.simd || !amd64

package jsonstr

// simdScan is false: built without GOEXPERIMENT=simd, or not for amd64.
const simdScan = false

// indexSpecial returns the index of the first byte of s that may need
// escaping, or len(s).
func indexSpecial(s string) int { return indexSWAR(s) }
