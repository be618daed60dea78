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

// TestContentBuffer: every length up to 1 MiB gets the smallest class
// that holds it (at most a quarter larger), beyond that the length itself;
// only a class's capacities go back to the pools, each to its class.
func TestContentBuffer(t *testing.T) {
	last := len(contentBuffers) - 1
	if contentClassSize(0) != 640 || contentClassSize(last) != 1<<20 {
		t.Fatalf("classes from %d to %d bytes", contentClassSize(0), contentClassSize(last))
	}
	for n := 1; n <= 1<<20+5; n++ {
		i := contentClassFor(n)
		if n > 1<<20 {
			if i != -1 {
				t.Fatalf("%d bytes: class %d", n, i)
			}
			continue
		}
		if size := contentClassSize(i); size < n || i > 0 && contentClassSize(i-1) >= n || n > 512 && 4*size > 5*n {
			t.Fatalf("%d bytes: class %d of %d bytes", n, i, size)
		}
	}
	for i := range contentBuffers {
		size := contentClassSize(i)
		above := i
		if i == last {
			above = -1 // past the largest class
		}
		if contentClassOf(size) != i || contentClassOf(size+1) != above || i > 0 && contentClassOf(size-1) != i-1 {
			t.Fatalf("class %d (%d bytes): capacities %d, %d, %d are of classes %d, %d, %d", i, size,
				size-1, size, size+1, contentClassOf(size-1), contentClassOf(size), contentClassOf(size+1))
		}
	}
	for _, n := range []int{1, 777, 47000, 1 << 20, 1<<20 + 1, 3 << 20} {
		b := contentBuffer(n)
		want := n
		if i := contentClassFor(n); i >= 0 {
			want = contentClassSize(i)
		}
		if len(b) != n || cap(b) < want || cap(b) > contentClassSize(min(contentClassFor(n)+2, last)) && n <= 1<<20 {
			t.Errorf("contentBuffer(%d): len %d, cap %d, want cap %d", n, len(b), cap(b), want)
		}
		recycleContentBuffer(b)
	}
	// Capacities that are no class's are left to the collector: they
	// must not come out of a pool as a class's.
	for _, c := range []int{1, 512, 3000, 1<<20 + 4096, 2 << 20} {
		recycleContentBuffer(make([]byte, 1, c))
	}
	for i := range contentBuffers {
		n := contentClassSize(i)
		if b := contentBuffer(n); cap(b) < n || contentClassOf(cap(b)) < 0 || contentClassSize(contentClassOf(cap(b))) != cap(b) {
			t.Errorf("class %d: capacity %d", i, cap(b))
		}
	}
}

// TestReleaseContent: a message gives back the bodies decoding made, and
// only those (a plain section's body is the input's); later messages
// decode into that memory correctly, and the first one's plain section
// is untouched.
func TestReleaseContent(t *testing.T) {
	gz := func(s string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return base64.StdEncoding.EncodeToString(b.Bytes())
	}
	payload := func(i int) string {
		return strings.Repeat(fmt.Sprintf("<ROW><EMPLID>K%04d</EMPLID></ROW>", i), 300+i)
	}
	message := func(i int) []byte {
		return []byte(tStdTop() + tPart("IBInfo", "", "", tIBInfo) +
			tPart("ContentSection0", "", "base64", gz(payload(i))) +
			tPart("ContentSection1", "", "", fmt.Sprintf("<plain n=\"%d\"/>", i)) + tClose())
	}
	first, err := ParseMessage(message(0), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	plain := first.Sections[1].Body
	first.ReleaseContent()
	if first.Sections[0].Body != nil {
		t.Error("the inflated body is still there")
	}
	if string(first.Sections[1].Body) != `<plain n="0"/>` || string(plain) != `<plain n="0"/>` {
		t.Errorf("the plain section changed: %q", first.Sections[1].Body)
	}
	first.ReleaseContent() // twice: nothing more to give
	for i := 1; i < 40; i++ {
		m, err := ParseMessage(message(i), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(m.Sections[0].Body); got != payload(i) {
			t.Fatalf("message %d: inflated %d bytes, not its payload", i, len(got))
		}
		if cap(m.Sections[0].Body) != len(m.Sections[0].Body) {
			t.Fatalf("message %d: the body shows its buffer's spare room", i)
		}
		m.ReleaseContent()
	}
	if string(plain) != `<plain n="0"/>` {
		t.Errorf("the first message's plain section was overwritten: %q", plain)
	}
}
