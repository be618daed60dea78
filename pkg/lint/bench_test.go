package lint

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/lint/linttest"
)

// fullSync returns a generated FULLSYNC message of about size bytes.
func fullSync(tb testing.TB, size int64) []byte {
	tb.Helper()
	var b bytes.Buffer
	if _, err := linttest.WriteFullSync(&b, size); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestGeneratedFullSyncIsClean: the benchmark's message is valid, so the
// benchmark measures the path every clean message takes.
func TestGeneratedFullSyncIsClean(t *testing.T) {
	data := fullSync(t, 200<<10)
	res := mustCheck(t, Options{}, "fullsync.xml", data)
	if len(res.Findings) > 0 || !res.Rowset {
		t.Fatalf("generated FULLSYNC has findings:\n%s", textOf(t, res))
	}
	compareWithStd(t, "fullsync", data)
}

// TestMemoryFlat: what Check allocates does not grow with the message.
// A 32 MB FULLSYNC must allocate about what a 1 MB one does.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	allocs := func(size int64) uint64 {
		p := filepath.Join(dir, "m.xml")
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := linttest.WriteFullSync(fh, size); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		l, _ := New(Options{})
		in, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := l.Check("m.xml", in)
		runtime.ReadMemStats(&after)
		if err != nil || len(res.Findings) > 0 {
			t.Fatalf("%v %v", err, res.Findings)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, big := allocs(1<<20), allocs(32<<20)
	t.Logf("allocated: %d bytes for 1 MB, %d bytes for 32 MB", small, big)
	if big > small+256<<10 {
		t.Errorf("allocation grows with the input: %d bytes for 1 MB, %d for 32 MB", small, big)
	}
}

// BenchmarkCheck lints a 16 MB FULLSYNC message held in memory.
func BenchmarkCheck(b *testing.B) {
	data := fullSync(b, 16<<20)
	l, _ := New(Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := l.Check("m.xml", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokens compares token paths on the same 16 MB message: the lean
// scanner lint uses, and encoding/xml's Token and RawToken (the measurement
// behind the choice: encoding/xml alone is slower than the 2x-xmllint
// budget for the whole check).
func BenchmarkTokens(b *testing.B) {
	data := fullSync(b, 16<<20)
	b.Run("lean", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for range b.N {
			s := newScanner(bytes.NewReader(data), 0)
			for {
				if _, err := s.next(); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
			}
		}
	})
	for _, raw := range []bool{false, true} {
		name := "encoding-xml-Token"
		if raw {
			name = "encoding-xml-RawToken"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				d := xml.NewDecoder(bytes.NewReader(data))
				for {
					var err error
					if raw {
						_, err = d.RawToken()
					} else {
						_, err = d.Token()
					}
					if err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
					d.InputPos()
				}
			}
		})
	}
}

// BenchmarkFullSync100MB lints a generated 100 MB FULLSYNC message from a
// file, as psib lint does. With xmllint on PATH it also times
// `xmllint --stream --noout` on the same file and reports the ratio
// (x-xmllint; the target is <= 2). Peak RSS is measured on the binary:
// scripts/bench-lint.sh.
func BenchmarkFullSync100MB(b *testing.B) {
	p := filepath.Join(b.TempDir(), "fullsync-100mb.xml")
	fh, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	n, err := linttest.WriteFullSync(fh, 100e6)
	if err != nil {
		b.Fatal(err)
	}
	fh.Close()
	l, _ := New(Options{})
	lintOnce := func() time.Duration {
		in, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		defer in.Close()
		t0 := time.Now()
		res, err := l.Check(p, in)
		if err != nil || len(res.Findings) > 0 {
			b.Fatalf("%v %v", err, res.Findings)
		}
		return time.Since(t0)
	}
	b.SetBytes(n)
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		total += lintOnce()
	}
	b.StopTimer()
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			t0 := time.Now()
			if out, err := exec.Command(xmllint, "--stream", "--noout", p).CombinedOutput(); err != nil {
				b.Fatalf("xmllint: %v\n%s", err, out)
			}
			best = min(best, time.Since(t0))
		}
		b.ReportMetric(float64(total)/float64(b.N)/float64(best), "x-xmllint")
	}
}
