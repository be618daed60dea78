package ibmsg

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestDecompressReuse: pooled inflaters carry nothing from one section to
// the next, whatever the previous one was (good, corrupt, too large).
func TestDecompressReuse(t *testing.T) {
	text := strings.Repeat("<ROW><EMPLID>K0001</EMPLID></ROW>", 200)
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	zl := func(s string) []byte {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	fl := func(s string) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	good := gz(text)
	corrupt := append([]byte{}, good...)
	for i := 20; i < len(corrupt)-8; i += 7 {
		corrupt[i] ^= 0x5a
	}
	// Two gzip members: the trailer's size hint is the second's only.
	multi := append(gz(text), gz("<tail/>")...)
	// A trailer that lies about the size.
	liar := append([]byte{}, good...)
	copy(liar[len(liar)-4:], []byte{0xff, 0xff, 0xff, 0x7f})
	for round := 0; round < 3; round++ {
		for _, c := range []struct {
			name    string
			data    []byte
			want    string
			comp    Compression
			wantErr bool
		}{
			{"gzip", good, text, CompressionGzip, false},
			{"corrupt gzip", corrupt, "", CompressionGzip, true},
			{"gzip again", good, text, CompressionGzip, false},
			{"multi-member gzip", multi, text + "<tail/>", CompressionGzip, false},
			{"lying trailer", liar, "", CompressionGzip, true},
			{"zlib", zl(text), text, CompressionZlib, false},
			{"deflate", fl(text), text, CompressionDeflate, false},
			{"zlib short", zl("<a/>"), "<a/>", CompressionZlib, false},
		} {
			out, comp, err := Decompress(c.data, 1<<20, true)
			if comp != c.comp || (err != nil) != c.wantErr || !c.wantErr && string(out) != c.want {
				t.Fatalf("round %d %s: compression %s, err %v, %d bytes (want %d)", round, c.name, comp, err, len(out), len(c.want))
			}
		}
	}
	// The cap holds with a pooled reader too.
	_, _, err := Decompress(good, 100, false)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the cap: %v, want ErrTooLarge", err)
	}
}

// TestMessageDecodedTotal: sections that each stay under MaxSectionBytes
// cannot add up past MaxDecodedBytes (many small bombs in one message).
func TestMessageDecodedTotal(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(bytes.Repeat([]byte("<R/>"), 256<<10)) // 1 MiB
	w.Close()
	bomb := base64.StdEncoding.EncodeToString(b.Bytes())
	msg := tStdTop() + tPart("IBInfo", "", "", tIBInfo)
	for i := 0; i < 5; i++ {
		msg += tPart(fmt.Sprintf("ContentSection%d", i), "", "base64", bomb)
	}
	msg += tClose()
	lim := Limits{MaxSectionBytes: 2 << 20, MaxDecodedBytes: 3<<20 + 1024}
	m, err := ParseMessage([]byte(msg), lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Sections) != 5 {
		t.Fatalf("%d sections", len(m.Sections))
	}
	total := 0
	for i, s := range m.Sections {
		if i < 3 {
			if s.Err != nil || len(s.Body) != 1<<20 {
				t.Errorf("section %d: %d bytes, %v", i, len(s.Body), s.Err)
			}
		} else if !errors.Is(s.Err, ErrTooLarge) || !strings.Contains(s.Err.Error(), "together") {
			t.Errorf("section %d past the message's budget: %v", i, s.Err)
		}
		total += len(s.Body)
	}
	if total > 4<<20 {
		t.Errorf("%d bytes held in all", total)
	}
	// The default budget (4 × the section cap) lets these through.
	m, err = ParseMessage([]byte(msg), Limits{MaxSectionBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range m.Sections {
		if s.Err != nil {
			t.Errorf("default budget, section %d: %v", i, s.Err)
		}
	}
}
