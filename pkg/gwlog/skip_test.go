package gwlog

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSkipContent: with SkipContent, records are the same but for the
// sections' bodies (and Bytes, then the size as found).
func TestSkipContent(t *testing.T) {
	in := filepath.Join(fixtureDir, "layout-table-br.html")
	if _, err := os.Stat(in); err != nil {
		t.Fatal(err)
	}
	full := decodeAll(t, mustOpen(t, in), Options{Location: time.UTC})
	skip := decodeAll(t, mustOpen(t, in), Options{Location: time.UTC, SkipContent: true})
	if len(full.recs) != len(skip.recs) || len(full.recs) == 0 {
		t.Fatalf("%d and %d records", len(full.recs), len(skip.recs))
	}
	for i, a := range full.recs {
		b := skip.recs[i]
		if a.Operation != b.Operation || a.Line != b.Line || a.Kind != b.Kind || (a.Status == nil) != (b.Status == nil) || len(a.Sections) != len(b.Sections) {
			t.Errorf("record %d differs: %+v / %+v", i, a, b)
		}
		for j, s := range b.Sections {
			if b.Format == "mime" && s.Body != "" {
				t.Errorf("record %d section %d decoded with SkipContent: %.40q", i, j, s.Body)
			}
			_ = j
		}
	}
	if s := skip.recs[0].Sections[0]; s.Bytes == 0 || s.Compression != "" {
		t.Errorf("skipped section %+v", s)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
