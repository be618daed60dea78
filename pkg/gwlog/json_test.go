package gwlog

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func stdJSON(t testing.TB, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestAppendJSON: AppendJSON writes what encoding/json writes, for every
// record of every fixture.
func TestAppendJSON(t *testing.T) {
	n := 0
	for _, in := range goldenInputs(t) {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewReader(f)
		err = Decode(context.Background(), r, in, Options{Location: time.UTC}, func(rec *Record, err error) error {
			if rec == nil {
				return nil
			}
			n++
			for _, v := range []*Record{rec, rec.WithSecrets()} {
				got, err := v.AppendJSON(nil)
				if err != nil {
					t.Fatal(err)
				}
				if want := stdJSON(t, v); !bytes.Equal(got, want) {
					t.Fatalf("%s:%d: AppendJSON\n%s\nencoding/json\n%s", rec.File, rec.Line, got, want)
				}
			}
			return nil
		})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 50 {
		t.Fatalf("only %d records", n)
	}
}

// FuzzAppendJSONString checks the string escaping against encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text, long enough for words", "q\"b\\s\n\r\t\b\f\x00\x1f\x7f", "é€𝄞\u2028\u2029", "\xff\xfe bad utf8 \xc3", "<a href=\"x\">&amp;</a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		if want := stdJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
