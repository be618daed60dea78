package gwlog

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/psib-dev/psib/internal/jsonstr"
)

func stdJSON(t testing.TB, v any) []byte {
	b, err := jsonstr.AppendValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAppendJSON: AppendJSON writes what encoding/json writes, for every
// record of every fixture, also when the record was prepared with
// PrepareJSON on a worker and paired afterwards.
func TestAppendJSON(t *testing.T) {
	n := 0
	for _, in := range goldenInputs(t) {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewReader(f)
		prepared, records := 0, 0
		opts := Options{Location: time.UTC, Prepare: func(rec *Record) {
			// The pre-rendered tail must survive pairing (which changes
			// the operation and nodes after Prepare).
			if err := rec.PrepareJSON(); err != nil {
				t.Error(err)
			}
		}}
		err = Decode(context.Background(), r, in, opts, func(rec *Record, err error) error {
			if rec == nil {
				return nil
			}
			n++
			records++
			if rec.jsonTail != nil {
				prepared++
				// The tail is handed out without the buffer's spare
				// room, which holds other records' bytes.
				head, tail, err := rec.AppendJSONHead(nil)
				if err != nil || len(tail) != cap(tail) || len(head) == 0 {
					t.Fatalf("%s:%d: AppendJSONHead: head %d bytes, tail len %d cap %d, %v", rec.File, rec.Line, len(head), len(tail), cap(tail), err)
				}
			}
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
		if prepared != records {
			t.Fatalf("%s: Prepare ran for %d of %d records", in, prepared, records)
		}
	}
	if n < 50 {
		t.Fatalf("only %d records", n)
	}
}
