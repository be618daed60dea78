//go:build goexperiment.simd && amd64

package gwlog

import (
	"simd/archsimd"
	"testing"
)

// TestSIMDScanInUse fails when a GOEXPERIMENT=simd test run would test
// the portable unescaping twice instead of the AVX2 one.
func TestSIMDScanInUse(t *testing.T) {
	if !archsimd.X86.AVX2() {
		t.Skip("this CPU has no AVX2: the portable unescaping is in use")
	}
	if !simdScan {
		t.Fatal("built with GOEXPERIMENT=simd on an AVX2 CPU, but the AVX2 unescaping is off")
	}
}
