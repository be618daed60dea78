//go:build !goexperiment.simd || !amd64 || go1.27

package ibmsg

// simdBuilt says the AVX2 scans are not compiled in: built without
// GOEXPERIMENT=simd, not for amd64, or with a Go newer than 1.26 (whose
// simd/archsimd, an experiment, may differ).
const simdBuilt = false

// simdScan is false: the portable scans are in use.
const simdScan = false

// simd512 is false: there are no AVX-512 scans (a variable only for the
// tests that turn it off where it is on).
var simd512 = false

// mayHoldSecret is MayHoldSecret without simd/archsimd.
func mayHoldSecret(s string) bool { return mayHoldSecretPortable(s) }

// decodeBase64Blocks decodes nothing without simd/archsimd: the portable
// loop of decodeBase64Prefix does it all.
func decodeBase64Blocks(out, raw []byte) (read, wrote int) { return 0, 0 }
