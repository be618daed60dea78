package asciifold

import (
	"strings"
	"testing"
)

// TestEqual puts every byte value at every position of words with
// letters, digits and the punctuation next to letters in ASCII ('@' '['
// '`' '{'), against strings.EqualFold; and windows as long in bytes as
// the word that hold runes folding to ASCII letters (ſ, the Kelvin sign).
func TestEqual(t *testing.T) {
	for _, s := range []string{"Message-ID:", "boundary=", "@[`{Zz09", "PsNonXml", "K", ""} {
		for pos := range len(s) {
			for c := range 256 {
				b := []byte(s)
				b[pos] = byte(c)
				if got, want := Equal(b, s), strings.EqualFold(string(b), s); got != want {
					t.Fatalf("%q vs %q: Equal %v, strings.EqualFold %v", b, s, got, want)
				}
				if got, want := Equal(string(b), s), strings.EqualFold(string(b), s); got != want {
					t.Fatalf("%q vs %q: Equal (string) %v, strings.EqualFold %v", b, s, got, want)
				}
			}
		}
	}
	for _, c := range [][2]string{{"\u017f", "ss"}, {"\u212a", "kab"}, {"p\u017fnonxm", "PsNonXml"}, {"me\u017f\u017fage-ID", "Message-ID:"}, {"ab", "abc"}} {
		if got, want := Equal(c[0], c[1]), strings.EqualFold(c[0], c[1]); got != want {
			t.Fatalf("%q vs %q: Equal %v, strings.EqualFold %v", c[0], c[1], got, want)
		}
	}
}

// FuzzEqual checks Equal and HasPrefix against strings.EqualFold on any
// text, for words of the kinds the callers use.
func FuzzEqual(f *testing.F) {
	f.Add("PASSWORD: x", "password")
	f.Add("Content-Type: a", "content-type:")
	f.Fuzz(func(t *testing.T, text, word string) {
		for i := range len(word) {
			if word[i] >= 0x80 {
				return // words are ASCII
			}
		}
		want := len(text) >= len(word) && strings.EqualFold(text[:len(word)], word)
		if got := HasPrefix(text, word); got != want {
			t.Fatalf("HasPrefix(%q, %q) = %v, want %v", text, word, got, want)
		}
		if got := HasPrefix([]byte(text), word); got != want {
			t.Fatalf("HasPrefix([]byte(%q), %q) = %v, want %v", text, word, got, want)
		}
	})
}
