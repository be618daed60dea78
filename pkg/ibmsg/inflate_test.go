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
	payloads := map[string][]byte{
		"empty": {}, "one": []byte("x"), "rowset": []byte(rows.String()), "random": random,
		"runs": bytes.Repeat([]byte("ab"), 50000), "zeros": make([]byte, 100000),
		"text": []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2000)),
	}
	// Matches at every short distance, where copies overlap.
	for period := 1; period <= 17; period++ {
		payloads[fmt.Sprintf("period %d", period)] = bytes.Repeat([]byte("abcdefghijklmnopq")[:period], 3000/period)
	}
	return payloads
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
		// The fast loop (with room to spare, and growing its output from
		// a hint of nothing) and the checked loop alone must agree with
		// each other, and with klauspost/compress whenever they inflate.
		var want []byte
		var wantErr error
		haveWant := false
		for _, hint := range []int{1 << 18, 0} {
			out, ok := inflateStream(data, 0, 1<<20, hint, 0)
			checked, checkedOK := (&inflater{checkedOnly: true}).inflate(data, 0, min(1<<20, 2*int64(hint)+1<<20), hint, 0)
			if ok != checkedOK || !bytes.Equal(out, checked) {
				t.Fatalf("hint %d: fast loop ok %v, %d bytes; checked loop ok %v, %d bytes", hint, ok, len(out), checkedOK, len(checked))
			}
			if !ok {
				continue
			}
			if !haveWant {
				want, wantErr = io.ReadAll(kflate.NewReader(bytes.NewReader(data)))
				haveWant = true
			}
			if wantErr != nil || !bytes.Equal(out, want) {
				t.Fatalf("hint %d: inflated %d bytes; klauspost/compress: %d bytes, %v", hint, len(out), len(want), wantErr)
			}
		}
	})
}

// fixedBlock encodes tokens as one final DEFLATE block with the fixed
// codes (RFC 1951 3.2.6): a token is a literal byte (0-255) or a match,
// 1000*length + distance, with length 3-10 and distance 1-4 (codes without
// extra bits); the end of block follows.
func fixedBlock(tokens []int) []byte {
	var out []byte
	var acc uint64
	var n uint
	put := func(v uint64, bits uint) { // LSB first
		acc |= v << n
		n += bits
		for n >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	code := func(c uint64, bits uint) { // Huffman codes go MSB first
		for i := int(bits) - 1; i >= 0; i-- {
			put(c>>uint(i)&1, 1)
		}
	}
	put(1, 1) // final
	put(1, 2) // fixed codes
	for _, tok := range tokens {
		if tok < 256 {
			if tok < 144 {
				code(uint64(0x30+tok), 8)
			} else {
				code(uint64(0x190+tok-144), 9)
			}
			continue
		}
		length, dist := tok/1000, tok%1000
		code(uint64(length-2), 7) // symbols 257-264: lengths 3-10
		code(uint64(dist-1), 5)   // distance symbols 0-3: distances 1-4
	}
	code(0, 7) // end of block
	put(0, 7)  // flush
	return out
}

// TestInflateDistanceTooFar: a match reaching before the start of the
// output is corrupt input, refused by both loops wherever it comes (the
// fast loop runs while 8 bytes of input are left).
func TestInflateDistanceTooFar(t *testing.T) {
	for lead := 0; lead < 4; lead++ {
		var tokens []int
		for i := range lead {
			tokens = append(tokens, 'a'+i)
		}
		good := append(append([]int(nil), tokens...), 3000+max(lead, 1))
		bad := append(append([]int(nil), tokens...), 3000+lead+1)
		for _, tail := range []int{0, 40} {
			for range tail {
				good, bad = append(good, 'z'), append(bad, 'z')
			}
			if lead > 0 {
				// (The encoding itself is checked here too.)
				data := fixedBlock(good)
				out, ok := inflateStream(data, 0, 1<<20, 100, 0)
				want, err := io.ReadAll(kflate.NewReader(bytes.NewReader(data)))
				if !ok || err != nil || !bytes.Equal(out, want) || len(out) != lead+3+tail {
					t.Errorf("lead %d, tail %d: a match within the output: ok %v, %q; klauspost/compress: %q, %v", lead, tail, ok, out, want, err)
				}
			}
			data := fixedBlock(bad)
			if out, ok := inflateStream(data, 0, 1<<20, 100, 0); ok {
				t.Errorf("lead %d, tail %d: distance %d after %d bytes inflated to %q", lead, tail, lead+1, lead, out)
			}
			if _, ok := (&inflater{checkedOnly: true}).inflate(data, 0, 1<<20, 100, 0); ok {
				t.Errorf("lead %d, tail %d: the checked loop took distance %d after %d bytes", lead, tail, lead+1, lead)
			}
		}
	}
}

// TestInflateLoops: the fast loop and the checked one inflate the test
// payloads, at every level and from every size hint (too small, the
// output then grows while the fast loop runs), to the same bytes; each
// stream cut short is refused by both.
func TestInflateLoops(t *testing.T) {
	for name, payload := range testPayloads() {
		for _, level := range []int{flate.NoCompression, flate.BestSpeed, 6, flate.BestCompression, flate.HuffmanOnly} {
			var b bytes.Buffer
			w, _ := flate.NewWriter(&b, level)
			w.Write(payload)
			w.Close()
			data := b.Bytes()
			for _, hint := range []int{0, 300, len(payload) / 3, len(payload)} {
				out, ok := inflateStream(data, 0, 1<<30, hint, 0)
				checked, checkedOK := (&inflater{checkedOnly: true}).inflate(data, 0, 1<<30, hint, 0)
				if !ok || !checkedOK || !bytes.Equal(out, payload) || !bytes.Equal(checked, payload) {
					t.Errorf("%s, level %d, hint %d: fast ok %v, checked ok %v, bytes right %v %v", name, level, hint, ok, checkedOK, bytes.Equal(out, payload), bytes.Equal(checked, payload))
				}
			}
			for _, cut := range []int{len(data) / 2, len(data) - 1} {
				if cut <= 0 {
					continue
				}
				if _, ok := inflateStream(data[:cut], 0, 1<<30, len(payload), 0); ok {
					t.Errorf("%s, level %d: cut to %d of %d bytes, the fast loop inflated it", name, level, cut, len(data))
				}
				if _, ok := (&inflater{checkedOnly: true}).inflate(data[:cut], 0, 1<<30, len(payload), 0); ok {
					t.Errorf("%s, level %d: cut to %d of %d bytes, the checked loop inflated it", name, level, cut, len(data))
				}
			}
		}
	}
}
