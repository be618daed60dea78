package nozero

import (
	"bytes"
	"testing"
)

// TestBytes: each slice has the length and capacity asked for, holds what
// is written into it, and shares no memory with another.
func TestBytes(t *testing.T) {
	if b := Bytes(0); b != nil {
		t.Fatalf("Bytes(0) = %v, want nil", b)
	}
	var kept [][]byte
	for _, n := range []int{1, 7, 64, 1000, 32 << 10, 40 << 10, 1 << 20} {
		b := Bytes(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("Bytes(%d): len %d cap %d", n, len(b), cap(b))
		}
		for i := range b {
			b[i] = byte(n + i)
		}
		kept = append(kept, b)
	}
	for _, b := range kept {
		n := len(b)
		want := make([]byte, n)
		for i := range want {
			want[i] = byte(n + i)
		}
		if !bytes.Equal(b, want) {
			t.Fatalf("Bytes(%d) did not keep what was written (shared memory?)", n)
		}
	}
}

// TestUnclearedInUse fails should strings.Builder no longer give a view of
// its buffer: Bytes would then be make, right but slower.
func TestUnclearedInUse(t *testing.T) {
	for _, n := range []int{2, 100, 64 << 10} {
		if _, ok := uncleared(n); !ok {
			t.Fatalf("uncleared(%d): strings.Builder's String no longer shares its buffer; Bytes falls back to make", n)
		}
	}
}
