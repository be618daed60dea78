package ibmsg

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
	kzlib "github.com/klauspost/compress/zlib"
)

// referenceGunzip is what klauspost/compress makes of data.
func referenceGunzip(data []byte) ([]byte, error) {
	zr, err := kgzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func gzipped(t testing.TB, payload []byte, level int) []byte {
	return compressed(t, payload, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, level) })
}

func zlibbed(t testing.TB, payload []byte, level int) []byte {
	return compressed(t, payload, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriterLevel(w, level) })
}

// compressed is payload written through the writer newWriter makes.
func compressed(t testing.TB, payload []byte, newWriter func(io.Writer) (io.WriteCloser, error)) []byte {
	var b bytes.Buffer
	w, err := newWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload)
	w.Close()
	return b.Bytes()
}

// testPayloads are contents of the kinds sections hold, and edge sizes.
func testPayloads() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 70000)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	var rows strings.Builder
	for i := range 400 {
		fmt.Fprintf(&rows, `<Transaction><PERSON class="R"><EMPLID>K%07d</EMPLID><NAME>Müller,%c</NAME></PERSON></Transaction>`, rng.IntN(1e7), 'A'+i%26)
	}
	return map[string][]byte{
		"empty": {}, "one": []byte("x"), "rowset": []byte(rows.String()), "random": random,
		"runs": bytes.Repeat([]byte("ab"), 50000), "zeros": make([]byte, 100000),
		"text": []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2000)),
	}
}

// TestInflateGzip: the one-shot decoder inflates what gzip writers make,
// at every level, to what klauspost/compress makes (it must not fall back
// on these, or it would be useless), and it refuses the limit's excess.
func TestInflateGzip(t *testing.T) {
	for name, payload := range testPayloads() {
		for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, 5, gzip.BestCompression, gzip.HuffmanOnly} {
			data := gzipped(t, payload, level)
			out, ok := inflateGzip(data, 1<<30, len(payload))
			if !ok {
				t.Errorf("%s, level %d: gave up", name, level)
				continue
			}
			if !bytes.Equal(out, payload) {
				t.Errorf("%s, level %d: wrong bytes", name, level)
			}
			if len(payload) > 0 {
				if _, ok := inflateGzip(data, int64(len(payload)-1), len(payload)); ok {
					t.Errorf("%s, level %d: inflated past the limit", name, level)
				}
			}
			z := zlibbed(t, payload, level)
			if out, ok := inflateZlib(z, 1<<30, 4*len(z)); !ok && len(payload) < 8*len(z)+1<<20 || ok && !bytes.Equal(out, payload) {
				t.Errorf("%s, level %d: zlib: ok %v, %d bytes", name, level, ok, len(out))
			}
		}
	}
	// A name in the header as long as klauspost/compress takes, and one
	// longer, which it refuses: left to it.
	for _, n := range []int{511, 512} {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Name = strings.Repeat("n", n)
		w.Write([]byte("named"))
		w.Close()
		_, refErr := referenceGunzip(b.Bytes())
		if out, ok := inflateGzip(b.Bytes(), 1<<20, 5); ok != (refErr == nil) || ok && string(out) != "named" {
			t.Errorf("a %d-byte name: ok %v, klauspost/compress: %v", n, ok, refErr)
		}
	}
	// A lying size (a bomb says little) stops the one-shot decoder early.
	big := gzipped(t, make([]byte, 4<<20), gzip.BestCompression)
	if _, ok := inflateGzip(big, 1<<30, 1000); ok {
		t.Error("inflated far past twice the size hint")
	}
}

// FuzzInflate: whatever the one-shot decoder inflates, klauspost/compress
// inflates without an error to the same bytes.
func FuzzInflate(f *testing.F) {
	for _, payload := range testPayloads() {
		if len(payload) > 4096 {
			payload = payload[:4096]
		}
		for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.BestCompression, gzip.HuffmanOnly} {
			f.Add(gzipped(f, payload, level))
		}
	}
	for _, payload := range [][]byte{[]byte("zlib stream"), bytes.Repeat([]byte("abc"), 500)} {
		f.Add(zlibbed(f, payload, zlib.BestCompression))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if out, ok := inflateGzip(data, 1<<20, 0); ok {
			want, err := referenceGunzip(data)
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("gzip: inflated %d bytes; klauspost/compress: %d bytes, %v", len(out), len(want), err)
			}
		}
		if out, ok := inflateZlib(data, 1<<20, 0); ok {
			zr, err := kzlib.NewReader(bytes.NewReader(data))
			var want []byte
			if err == nil {
				want, err = io.ReadAll(zr)
			}
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("zlib: inflated %d bytes; klauspost/compress: %d bytes, %v", len(out), len(want), err)
			}
		}
	})
}

// BenchmarkInflate compares the one-shot decoder with klauspost/compress's
// reader on a gzip+base64 section's rowset payload.
func BenchmarkInflate(b *testing.B) {
	payload := testPayloads()["rowset"]
	data := gzipped(b, payload, gzip.DefaultCompression)
	b.Run("one-shot", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if _, ok := inflateGzip(data, 1<<30, len(payload)); !ok {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			zr, _ := kgzip.NewReader(bytes.NewReader(data))
			if _, err := inflateAll(zr, 1<<30, "gzip", len(payload)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzInflateRaw works on bare DEFLATE streams, where a mutation is not
// caught by a checksum first: whatever the one-shot decoder inflates, the
// klauspost/compress reader inflates to the same bytes.
func FuzzInflateRaw(f *testing.F) {
	for _, payload := range testPayloads() {
		if len(payload) > 2048 {
			payload = payload[:2048]
		}
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, flate.BestCompression, flate.HuffmanOnly} {
			var b bytes.Buffer
			w, _ := flate.NewWriter(&b, level)
			w.Write(payload)
			w.Close()
			f.Add(b.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := inflateStream(data, 0, 1<<20, 1<<18, 0)
		if !ok {
			return
		}
		want, err := io.ReadAll(kflate.NewReader(bytes.NewReader(data)))
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("inflated %d bytes; klauspost/compress: %d bytes, %v", len(out), len(want), err)
		}
	})
}
