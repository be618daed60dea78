package gwlog

import (
	"bytes"
	"testing"
)

// TestTailArena: messages collected one after another keep their own text
// (appending to a finished one cannot reach the next), a given-up message
// is overwritten, and a message larger than a block does not share its
// block with the messages after it.
func TestTailArena(t *testing.T) {
	a := &tailArena[byte]{block: 64}
	grow := func(cur []byte, s string) []byte { return append(a.room(cur, len(s)), s...) }

	m1 := a.finish(grow(grow(a.start(), "first "), "message"))
	gone := grow(a.start(), "given up")
	_ = gone
	m2 := a.finish(grow(a.start(), "second"))
	if string(m1) != "first message" || string(m2) != "second" {
		t.Fatalf("texts %q, %q", m1, m2)
	}
	if cap(m1) != len(m1) || cap(m2) != len(m2) {
		t.Fatalf("finished texts keep spare capacity: %d/%d, %d/%d", len(m1), cap(m1), len(m2), cap(m2))
	}
	_ = append(m1, "XXXX"...)
	if string(m2) != "second" {
		t.Fatalf("appending to a finished text changed the next one: %q", m2)
	}
	if &m1[0] == &m2[0] || &m2[0] != &a.buf[len(a.buf)-len(m2)] {
		t.Fatal("the second message is not right after the first in the block")
	}

	// A message outgrowing its block moves, whole, to a block of its own.
	cur := grow(a.start(), "start-")
	big := bytes.Repeat([]byte("x"), 200)
	cur = append(a.room(cur, len(big)), big...)
	m3 := a.finish(cur)
	if len(m3) != 206 || string(m3[:6]) != "start-" {
		t.Fatalf("moved text: %d bytes, %q", len(m3), m3[:6])
	}
	if a.buf != nil {
		t.Fatal("the big message's block is kept for the messages after it")
	}
	m4 := a.finish(grow(a.start(), "after"))
	if string(m4) != "after" || string(m3[:6]) != "start-" || cap(a.buf) != 64 {
		t.Fatalf("after a big message: %q, block of %d", m4, cap(a.buf))
	}
}
