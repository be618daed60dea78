package gwlog

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// benchLog is 16 MB of log entries like the gateway's at level 4: async
// requests with a gzip+base64 section and their IBInfo-only responses.
func benchLog(b *testing.B) *logStream {
	req := testMessage(b, "PERSON_BASIC_SYNC.VERSION_3", personSync(200), ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	resp := testMessage(b, "", "", ibmsg.ContentEncoding{})
	e := entry("Mon Mar 02 10:00:00 UTC 2026", req) + entry("Mon Mar 02 10:00:01 UTC 2026", resp)
	const size = 16 << 20
	return &logStream{entry: e, left: size - size%int64(len(e))}
}

func benchmarkDecode(b *testing.B, o Options) {
	// The collector as psib decode sets it (cmd/psib decodeGC): with the
	// default, the few MB of live heap make it collect constantly, and
	// the workers mostly wait for it.
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(48 << 20))
	size := benchLog(b).left
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := Decode(context.Background(), benchLog(b), "bench", o, func(rec *Record, err error) error {
			if err != nil {
				b.Fatal(err)
			}
			n++
			return nil
		})
		if err != nil || n == 0 {
			b.Fatalf("%d records, %v", n, err)
		}
	}
}

// BenchmarkDecode measures the whole pipeline (scanning, MIME, IBInfo,
// base64, gzip) on one worker and on GOMAXPROCS workers.
func BenchmarkDecode(b *testing.B) {
	b.Run("workers=1", func(b *testing.B) { benchmarkDecode(b, Options{Workers: 1}) })
	b.Run("workers=max", func(b *testing.B) { benchmarkDecode(b, Options{}) })
	b.Run("skip-content", func(b *testing.B) { benchmarkDecode(b, Options{SkipContent: true}) })
}

// BenchmarkScan measures the scanner alone (layout and message layers,
// no decoding): it runs on one goroutine in front of the workers. With
// PSIB_BENCH_LOG set to a file (scripts/bench-decode.sh's generated
// msgLog.html), it scans that file instead.
func BenchmarkScan(b *testing.B) {
	open := func() io.Reader { return benchLog(b) }
	size := benchLog(b).left
	if p := os.Getenv("PSIB_BENCH_LOG"); p != "" {
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		size = fi.Size()
		open = func() io.Reader {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { f.Close() })
			return f
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		s := newScanner("bench", DefaultMaxMessageBytes, time.UTC, func(*rawMessage) error { n++; return nil })
		if err := s.run(newLineReader(open(), DefaultMaxMessageBytes)); err != nil || n == 0 {
			b.Fatalf("%d messages, %v", n, err)
		}
	}
}
