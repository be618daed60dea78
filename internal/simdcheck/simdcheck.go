// Package simdcheck is for tests: it checks that a test binary has the
// byte scans make test asked for. psib's hot scans have an AVX2 version
// (simd/archsimd, built with GOEXPERIMENT=simd on amd64 with Go 1.26) and
// a portable twin; make test runs the tests once each way, and without
// this check a build setting gone wrong would quietly test one twin twice.
package simdcheck

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// Want fails t when the environment asks for one kind of scan
// (PSIB_WANT_SIMD=1: the AVX2 ones; 0: the portable ones) and the package
// under test was built with the other. built says whether the AVX2 scans
// were compiled in, inUse whether they run (they do not on a CPU without
// AVX2).
func Want(t testing.TB, built, inUse bool) {
	t.Helper()
	switch want := os.Getenv("PSIB_WANT_SIMD"); {
	case want == "0":
		if built {
			t.Fatal("PSIB_WANT_SIMD=0, but the AVX2 scans were built in: this run tests them again instead of the portable ones (set GOEXPERIMENT=nosimd)")
		}
	case want != "1":
		t.Skip("PSIB_WANT_SIMD is not set: nothing asked for")
	case runtime.GOARCH != "amd64" || !strings.HasPrefix(runtime.Version(), "go1.26"):
		t.Skipf("the AVX2 scans are built for amd64 with Go 1.26 only, not %s with %s", runtime.GOARCH, runtime.Version())
	case !built:
		t.Fatal("PSIB_WANT_SIMD=1, but the AVX2 scans were not built in: this run tests the portable ones instead (set GOEXPERIMENT=simd)")
	case !inUse:
		t.Skip("this CPU has no AVX2: the portable scans are in use")
	}
}
