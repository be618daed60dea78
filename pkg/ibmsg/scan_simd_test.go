//go:build goexperiment.simd && amd64

package ibmsg

import (
	"simd/archsimd"
	"testing"
)

// TestSIMDScanInUse fails when a GOEXPERIMENT=simd test run would test
// the portable passes twice instead of the AVX2 scan.
func TestSIMDScanInUse(t *testing.T) {
	if !archsimd.X86.AVX2() {
		t.Skip("this CPU has no AVX2: the portable passes are in use")
	}
	if !simdScan {
		t.Fatal("built with GOEXPERIMENT=simd on an AVX2 CPU, but the AVX2 scan is off")
	}
}
