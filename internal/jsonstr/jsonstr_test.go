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

// naiveSpecial is indexSpecial one byte at a time.
func naiveSpecial(s string) int {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return i
		}
	}
	return len(s)
}

// TestIndexSpecial puts every byte value at every position of strings
// long enough for the wide (32-byte) scan, its tail, and the SWAR one.
func TestIndexSpecial(t *testing.T) {
	for _, n := range []int{1, 7, 8, 31, 32, 33, 64, 71, 100} {
		base := strings.Repeat("abcdefgh<>/=&' ", 8)[:n]
		for pos := range n {
			for c := range 256 {
				s := base[:pos] + string(rune(0)) + base[pos+1:]
				b := []byte(s)
				b[pos] = byte(c)
				s = string(b)
				if got, want := indexSpecial(s), naiveSpecial(s); got != want {
					t.Fatalf("len %d, byte %#x at %d: indexSpecial %d, want %d", n, c, pos, got, want)
				}
				if got, want := indexSWAR(s), naiveSpecial(s); got != want {
					t.Fatalf("len %d, byte %#x at %d: indexSWAR %d, want %d", n, c, pos, got, want)
				}
			}
		}
		if got := indexSpecial(base); got != n {
			t.Fatalf("len %d, nothing to escape: indexSpecial %d", n, got)
		}
	}
}

// FuzzIndexSpecial checks both scans against one byte at a time, at
// every offset (the wide scan's loads are unaligned).
func FuzzIndexSpecial(f *testing.F) {
	f.Add(strings.Repeat("<a b=\"c\">Zürich</a>\n", 5))
	f.Add(strings.Repeat("x", 40) + "\x7f\x80")
	f.Fuzz(func(t *testing.T, s string) {
		for off := range min(len(s), 40) {
			if got, want := indexSpecial(s[off:]), naiveSpecial(s[off:]); got != want {
				t.Fatalf("%q[%d:]: indexSpecial %d, want %d", s, off, got, want)
			}
			if got, want := indexSWAR(s[off:]), naiveSpecial(s[off:]); got != want {
				t.Fatalf("%q[%d:]: indexSWAR %d, want %d", s, off, got, want)
			}
		}
	})
}
