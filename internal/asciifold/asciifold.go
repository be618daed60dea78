// Package asciifold compares text with ASCII words ignoring the case of
// ASCII letters. For an ASCII word and text as long in bytes, that is what
// strings.EqualFold says, without its rune decoding: a byte outside ASCII
// starts a rune that folds to nothing in ASCII or takes more than one
// byte (ſ, the Kelvin sign), so the lengths would differ. decode looks
// for such words on every line of a log and in every payload.
package asciifold

// Equal reports whether b is word (ASCII) but for the case of ASCII
// letters.
func Equal[T ~string | ~[]byte](b T, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := range len(word) {
		x, y := b[i], word[i]
		if x == y {
			continue
		}
		if l := y | 0x20; x|0x20 != l || l < 'a' || l > 'z' {
			return false
		}
	}
	return true
}

// HasPrefix reports whether b starts with word (ASCII) but for the case
// of ASCII letters.
func HasPrefix[T ~string | ~[]byte](b T, word string) bool {
	return len(b) >= len(word) && Equal(b[:len(word)], word)
}
