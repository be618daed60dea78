package jsonstr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func std(t testing.TB, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// FuzzAppend checks the string escaping against encoding/json.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain ascii text, long enough for words", "q\"b\\s\n\r\t\b\f\x00\x1f\x7f", "é€𝄞\u2028\u2029", "\xff\xfe bad utf8 \xc3", "<a href=\"x\">&amp;</a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := std(t, s)
		if got := Append(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
		// Appended after other bytes, into a buffer with spare room that
		// must not show.
		dst := append(make([]byte, 0, 3+len(s)/2), "ab,"...)
		if got := Append(dst, s); string(got[:3]) != "ab," || !bytes.Equal(got[3:], want) {
			t.Fatalf("%q after a prefix: got %s want ab,%s", s, got, want)
		}
	})
}

// BenchmarkAppend escapes a rowset payload like those of the decode
// benchmark's log (quotes in attributes, a few non-ASCII names).
func BenchmarkAppend(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><PERSON_SYNC><FieldTypes><PERSON class="R"><EMPLID type="CHAR"/></PERSON></FieldTypes><MsgData>`)
	names := []string{"Müller", "Smith", "García", "Nguyen", "O'Brien", "Kraków"}
	for i := range 200 {
		fmt.Fprintf(&sb, `<Transaction><PERSON class="R"><EMPLID>K%07d</EMPLID><NAME>%s,A</NAME><CITY>Zürich</CITY><SALARY>%d.50</SALARY></PERSON><PSCAMA class="R"><AUDIT_ACTN>A</AUDIT_ACTN></PSCAMA></Transaction>`, i*7919, names[i%len(names)], 20000+i)
	}
	sb.WriteString(`</MsgData></PERSON_SYNC>`)
	s := sb.String()
	dst := make([]byte, 0, 2*len(s))
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		dst = Append(dst[:0], s)
	}
}

// naiveSpecial is indexSWAR one byte at a time.
func naiveSpecial(s string) int {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return i
		}
	}
	return len(s)
}

// TestIndexSWAR puts every byte value at every position of strings long
// enough for the eight-byte steps and their tail.
func TestIndexSWAR(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 23} {
		base := strings.Repeat("abcdefgh<>/=&' ", 2)[:n]
		for pos := range n {
			for c := range 256 {
				b := []byte(base)
				b[pos] = byte(c)
				s := string(b)
				if got, want := indexSWAR(s), naiveSpecial(s); got != want {
					t.Fatalf("len %d, byte %#x at %d: indexSWAR %d, want %d", n, c, pos, got, want)
				}
			}
		}
		if got := indexSWAR(base); got != n {
			t.Fatalf("len %d, nothing to escape: indexSWAR %d", n, got)
		}
	}
}

// checkAppend compares Append's output for s with encoding/json's, into
// an empty buffer, after a prefix in a buffer with spare room, and after a
// prefix in a buffer with no room to spare (escapes must grow it); and
// the portable escaping with the one in use.
func checkAppend(t *testing.T, s string) {
	t.Helper()
	want := std(t, s)
	if got := Append(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("%q: got %s want %s", s, got, want)
	}
	for _, room := range []int{0, len(s) / 2, len(s) + 2, 2*len(s) + 40} {
		dst := append(make([]byte, 0, 3+room), "ab,"...)
		if got := Append(dst, s); string(got[:3]) != "ab," || !bytes.Equal(got[3:], want) {
			t.Fatalf("%q after a prefix, %d spare: got %s want ab,%s", s, room, got, want)
		}
	}
	if got, want := appendEscaped([]byte("x"), s), appendEscapedPortable([]byte("x"), s); !bytes.Equal(got, want) {
		t.Fatalf("%q: appendEscaped %q, appendEscapedPortable %q", s, got, want)
	}
}

// TestAppendEveryPlace puts every byte value, and the sequences that UTF-8
// handling tells apart, at every position of strings long enough for the
// AVX2 path's 32-byte blocks, the block after them and its tail; and runs
// of escapes that outgrow the room Append makes at first.
func TestAppendEveryPlace(t *testing.T) { eachEscapeWidth(t, testAppendEveryPlace) }

func testAppendEveryPlace(t *testing.T) {
	seqs := []string{"é", "\u20ac", "\U0001D11E", "\u2028", "\u2029", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}
	for c := range 256 {
		seqs = append(seqs, string([]byte{byte(c)}))
	}
	for _, n := range []int{1, 2, 31, 32, 33, 40, 63, 64, 65, 97} {
		base := strings.Repeat("abcdefgh<>/=&' ", 7)[:n]
		for pos := range n {
			for _, seq := range seqs {
				checkAppend(t, base[:pos]+seq+base[pos+1:])
			}
		}
		checkAppend(t, base)
		for _, run := range []string{"\x01", `"`, `\`, `a"`, `\"b`, "\u2028", "\xff", "é"} {
			checkAppend(t, strings.Repeat(run, n))
			checkAppend(t, base+strings.Repeat(run, n)+base)
		}
	}
}

// FuzzAppendEscaped checks the escaping in use against the portable one
// at every offset of s (the AVX2 loads are unaligned), and against
// encoding/json.
func FuzzAppendEscaped(f *testing.F) {
	f.Add(strings.Repeat("<a b=\"c\">Zürich</a>\n", 5))
	f.Add(strings.Repeat("x", 40) + "\x7f\x80")
	f.Add(strings.Repeat("\x01\"", 40))
	f.Fuzz(func(t *testing.T, s string) {
		eachEscapeWidth(t, func(t *testing.T) {
			for off := range min(len(s), 40) {
				checkAppend(t, s[off:])
			}
		})
	})
}

// eachEscapeWidth runs f with the widest escaping in use and, where that
// is AVX-512's, again with AVX2's alone.
func eachEscapeWidth(t *testing.T, f func(t *testing.T)) {
	wide := simd512
	t.Cleanup(func() { simd512 = wide })
	t.Run("widest", f)
	if wide {
		simd512 = false
		t.Run("avx2", f)
		simd512 = true
	}
}
