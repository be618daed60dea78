package ibmsg

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/psib-dev/psib/internal/asciifold"
	"github.com/psib-dev/psib/pkg/secret"
)

var redactPatterns = []struct {
	re   *regexp.Regexp
	repl []byte
}{
	// HTTP header lines: Password (the listening connector's), and
	// Authorization headers.
	{regexp.MustCompile(`(?im)^((?:Password|Authorization|Proxy-Authorization)[ \t]*:[ \t]*)[^\r\n]*`), []byte("${1}" + secret.Redacted)},
	// Query-string arguments.
	{regexp.MustCompile(`(?i)([?&](?:amp;)?Password=)[^&\s"'<>#]*`), []byte("${1}" + secret.Redacted)},
	// <Password>..</Password> in IBInfo, IBRequest and WS-Security
	// (any prefix), plain or CDATA. Quoted attribute values may hold "/"
	// (<wsse:Password Type="http://...#PasswordText">); an unquoted "/"
	// ends the match, so <Password/> is left alone.
	{regexp.MustCompile(`(?is)(<(?:[\w.-]+:)?Password\b(?:[^>/"']|"[^"]*"|'[^']*')*>)(.*?)(</(?:[\w.-]+:)?Password\s*>)`), []byte("${1}" + secret.Redacted + "${3}")},
	// The same, HTML-escaped as in gateway logs.
	{regexp.MustCompile(`(?is)(&lt;(?:[\w.-]+:)?Password\b(?:[^&/"]|"[^"]*"|&quot;(?:[^&]|&(?:amp|apos|lt|gt|#\w+);)*?&quot;|&(?:apos|amp);)*?&gt;)(.*?)(&lt;/(?:[\w.-]+:)?Password\s*&gt;)`), []byte("${1}" + secret.Redacted + "${3}")},
	// The SOAPAction form that carries the password in its path
	// (http://peoplesoft.com/Operation/Node/Password/DestNode).
	{regexp.MustCompile(`(?i)(SOAPAction:[ \t]*"?https?://peoplesoft\.com/[^/\s"]+/[^/\s"]+/)[^/\s"]+`), []byte("${1}" + secret.Redacted)},
}

// Redact returns wire bytes (an HTTP request or response, MIME, IB XML, a
// log excerpt) with every node password and authorization value replaced
// by REDACTED. Verbose dumps and decoded output pass through it.
func Redact(b []byte) []byte {
	for _, p := range redactPatterns {
		b = p.re.ReplaceAll(b, p.repl)
	}
	return b
}

// RedactString is Redact for strings.
func RedactString(s string) string {
	if !MayHoldSecret(s) {
		return s
	}
	return string(Redact([]byte(s)))
}

// RedactHeader returns the header field name: value as Redact leaves the
// line "name: value", split again, without building the line for most
// fields: a credential field's value is REDACTED at once. Should the
// patterns take in the ": " itself (a name such as "x&Password=1"), name
// and value are each redacted on their own.
func RedactHeader(name, value string) (string, string) {
	switch {
	case isCredentialHeader(name) &&
		!strings.ContainsAny(value, "\r\n") && !strings.HasPrefix(value, " ") && !strings.HasPrefix(value, "\t"):
		// What the patterns make of it (they keep white space before the
		// value, and a line end starts another line).
		return name, secret.Redacted
	case !MayHoldSecret(name) && !MayHoldSecret(value):
		// (None of the words MayHoldSecret looks for spans ": ".)
		return name, value
	}
	if line := RedactString(name + ": " + value); strings.HasPrefix(line, name+": ") {
		return name, line[len(name)+2:]
	}
	return RedactString(name), RedactString(value)
}

// isCredentialHeader reports whether name is Password, Authorization or
// Proxy-Authorization, in any case (Unicode's folding: ſ is an s). Only p
// and a fold to their first letters, which most names are passed over by.
func isCredentialHeader(name string) bool {
	if name == "" || name[0]|0x20 != 'p' && name[0]|0x20 != 'a' {
		return false
	}
	return strings.EqualFold(name, "Password") || strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")
}

// MayHoldSecret is false only for text in which Redact changes nothing:
// text without the words its patterns need (password, authorization,
// peoplesoft.com/ in any ASCII case), nor ſ, which their case-insensitive
// matching takes for an s. Most payloads hold none, and it costs one fast
// pass (a few, without AVX2) instead of the patterns.
func MayHoldSecret(s string) bool { return mayHoldSecret(s) }

// mayHoldSecretPortable is MayHoldSecret without AVX2: a pass for each
// case of each word's rarest letter, and one for ſ.
func mayHoldSecretPortable(s string) bool {
	return containsFold(s, "password", 'w') || containsFold(s, "authorization", 'z') || containsFold(s, "peoplesoft.com/", 'f') ||
		strings.Contains(s, "\u017f")
}

// containsFold reports whether s holds word (lower case) in any ASCII case;
// rare is a letter of word, looked for first in both cases.
func containsFold(s, word string, rare byte) bool {
	k := strings.IndexByte(word, rare)
	for _, c := range [2]byte{rare, rare - 'a' + 'A'} {
		for i := 0; ; {
			j := strings.IndexByte(s[i:], c)
			if j < 0 {
				break
			}
			p := i + j - k
			if p >= 0 && p+len(word) <= len(s) && asciifold.Equal(s[p:p+len(word)], word) {
				return true
			}
			i += j + 1
		}
	}
	return false
}

// RedactURL returns a URL fit to show: without user information, and with
// the value of every Password query argument (any case) REDACTED. An
// unreadable URL is shown as "(unreadable URL)", since its text may hold
// a password.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		// Opaque: "user:pw@host/path" reads as scheme "user"; what
		// follows cannot be told apart from a password.
		return "(unreadable URL)"
	}
	u.User = nil
	// A fragment never reaches the server, and may hold anything.
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "password") {
				q.Set(k, secret.Redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
