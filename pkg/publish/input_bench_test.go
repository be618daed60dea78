package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkScanNDJSON measures Scan's first pass (the input check run
// before anything is sent) over 10,000 small NDJSON messages, the batch of
// scripts/bench-publish.sh.
func BenchmarkScanNDJSON(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "\"<?xml version=\\\"1.0\\\"?><msg><id>%d</id><name>hello</name></msg>\"\n", i)
	}
	path := filepath.Join(b.TempDir(), "batch.ndjson")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		batch, err := (&Source{Args: []string{path}, NDJSON: true}).Scan()
		if err != nil {
			b.Fatal(err)
		}
		if batch.Len() != 10000 {
			b.Fatalf("%d messages", batch.Len())
		}
		batch.Close()
	}
}

// BenchmarkScanDir is BenchmarkScanNDJSON for a directory of 10,000
// files, one message each.
func BenchmarkScanDir(b *testing.B) {
	dir := b.TempDir()
	for i := range 10000 {
		doc := fmt.Sprintf("<?xml version=\"1.0\"?><msg><id>%d</id><name>hello</name></msg>", i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%06d.xml", i)), []byte(doc), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		batch, err := (&Source{Args: []string{dir}}).Scan()
		if err != nil {
			b.Fatal(err)
		}
		if batch.Len() != 10000 {
			b.Fatalf("%d messages", batch.Len())
		}
		batch.Close()
	}
}
