package jsonstr

import (
	"testing"

	"github.com/psib-dev/psib/internal/simdcheck"
)

// TestSIMDScanInUse fails when make test's run for one kind of scan (the
// AVX2 or the portable one) was built with the other.
func TestSIMDScanInUse(t *testing.T) { simdcheck.Want(t, simdBuilt, simdScan) }
