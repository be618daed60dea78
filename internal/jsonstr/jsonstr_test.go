package jsonstr

import (
	"bytes"
	"encoding/json"
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
		got := Append(nil, s)
		if want := std(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
