package gwlog

import (
	"os"
	"testing"
	"time"
)

func BenchmarkZZScanFile(b *testing.B) {
	p := os.Getenv("PSIB_SCAN_FILE")
	if p == "" {
		b.Skip()
	}
	fi, _ := os.Stat(p)
	b.SetBytes(fi.Size())
	for b.Loop() {
		f, _ := os.Open(p)
		n := 0
		s := &scanner{file: "x", max: DefaultMaxMessageBytes, loc: time.UTC, text: tailArena[byte]{block: 256 << 10}, lines: tailArena[int32]{block: 16 << 10}, emit: func(m *rawMessage) error { n++; return nil }}
		if err := s.run(newLineReader(f, DefaultMaxMessageBytes)); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkZZLinesFile(b *testing.B) {
	p := os.Getenv("PSIB_SCAN_FILE")
	if p == "" {
		b.Skip()
	}
	fi, _ := os.Stat(p)
	b.SetBytes(fi.Size())
	for b.Loop() {
		f, _ := os.Open(p)
		lr := newLineReader(f, DefaultMaxMessageBytes)
		for {
			if _, err := lr.next(); err != nil {
				break
			}
		}
		f.Close()
	}
}
