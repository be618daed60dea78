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
