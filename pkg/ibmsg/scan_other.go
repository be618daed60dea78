//go:build !goexperiment.simd || !amd64

package ibmsg

// simdScan is false: built without GOEXPERIMENT=simd, or not for amd64.
const simdScan = false

// mayHoldSecret is MayHoldSecret without simd/archsimd.
func mayHoldSecret(s string) bool { return mayHoldSecretPortable(s) }
