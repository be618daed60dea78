package ibmsg

import (
	"net/url"
	"regexp"
	"strings"

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
func RedactString(s string) string { return string(Redact([]byte(s))) }

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
