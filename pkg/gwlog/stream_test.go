package gwlog

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// logStream yields one log entry over and over: a log of any size that is
// never in memory as a whole.
type logStream struct {
	entry string
	left  int64
	pos   int
}

func (s *logStream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), s.left)], s.entry[s.pos:])
	s.pos = (s.pos + n) % len(s.entry)
	s.left -= int64(n)
	return n, nil
}

// TestStreamingMemoryFlat decodes logs of 8 MB and 128 MB made of the same
// entries (an async request with a gzip+base64 section, as the benchmark
// has): the heap in use must not grow with the size of the input.
func TestStreamingMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 136 MB")
	}
	msg := testMessage(t, "STREAM.v1", personSync(300), ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	e := entry("Mon Mar 02 10:00:00 UTC 2026", msg)
	run := func(size int64) (uint64, int) {
		n := 0
		peak := peakHeap(func() {
			// Records are counted, not kept.
			err := Decode(context.Background(), &logStream{entry: e, left: size - size%int64(len(e))}, "stream", Options{}, func(rec *Record, err error) error {
				if err != nil {
					t.Errorf("decode: %v", err)
				}
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		return peak, n
	}
	small, large := int64(8<<20), int64(128<<20)
	if raceEnabled {
		small, large = 2<<20, 32<<20
	}
	peakSmall, n1 := run(small)
	peakLarge, n2 := run(large)
	t.Logf("entry %d bytes; %d MB: %d records, peak %d MB; %d MB: %d records, peak %d MB", len(e), small>>20, n1, peakSmall>>20, large>>20, n2, peakLarge>>20)
	if n2 < 15*n1 {
		t.Fatalf("records %d and %d", n1, n2)
	}
	if peakLarge > peakSmall+16<<20 {
		t.Errorf("heap in use grew with the input: %d MB for %d MB, %d MB for %d MB", peakSmall>>20, small>>20, peakLarge>>20, large>>20)
	}
	if !strings.Contains(e, "base64") {
		t.Fatal("the entry has no compressed section")
	}
}
