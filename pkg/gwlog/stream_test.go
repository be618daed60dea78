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
	run := func(size int64) (live, inUse uint64, n int) {
		inUse = peakHeap(func() {
			live = peakLiveHeap(func() {
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
		})
		return live, inUse, n
	}
	small, large := int64(8<<20), int64(128<<20)
	if raceEnabled {
		small, large = 2<<20, 32<<20
	}
	liveSmall, inUseSmall, n1 := run(small)
	liveLarge, inUseLarge, n2 := run(large)
	t.Logf("entry %d bytes; %d MB: %d records, live heap %d MB (in use %d); %d MB: %d records, live heap %d MB (in use %d)",
		len(e), small>>20, n1, liveSmall>>20, inUseSmall>>20, large>>20, n2, liveLarge>>20, inUseLarge>>20)
	if n2 < 15*n1 {
		t.Fatalf("records %d and %d", n1, n2)
	}
	// What decoding keeps (the heap live at each collection) must not
	// grow with the input. The heap in use also holds garbage not yet
	// collected, which depends on when the collector gets a CPU (other
	// tests running beside this one): it is held to decode's memory
	// target only.
	if liveLarge > liveSmall+12<<20 {
		t.Errorf("live heap grew with the input: %d MB for %d MB, %d MB for %d MB", liveSmall>>20, small>>20, liveLarge>>20, large>>20)
	}
	if inUseLarge > 64<<20 {
		t.Errorf("heap in use reached %d MB for %d MB of input", inUseLarge>>20, large>>20)
	}
	if !strings.Contains(e, "base64") {
		t.Fatal("the entry has no compressed section")
	}
}
