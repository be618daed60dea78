package gateway

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Class classifies a failure where no usable IB answer came, for the exit
// codes of the CLI contract.
type Class int

// Failure classes.
const (
	// ClassTransport: nothing was delivered (connection refused, DNS, TLS
	// handshake, proxy, a timeout before the request was written). Safe to
	// retry (exit 6).
	ClassTransport Class = iota + 1
	// ClassUnknown: the request was written but no complete answer came
	// (timeout, reset, EOF). It may have been processed (exit 7).
	ClassUnknown
	// ClassHTTP: an HTTP status whose body is not an IB answer: 401/403
	// (Error.Auth, exit 4), 5xx and others (exit 5).
	ClassHTTP
)

// String returns "transport", "unknown" or "http".
func (c Class) String() string {
	switch c {
	case ClassTransport:
		return "transport"
	case ClassUnknown:
		return "unknown"
	case ClassHTTP:
		return "http"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// maxErrorBody is how much of a non-IB error body an Error keeps.
const maxErrorBody = 2 << 10

// Error is a failure where no usable IB answer came. Its message never
// contains a password or a URL (a query string may carry the node
// password).
type Error struct {
	// Class says what is known about delivery.
	Class Class
	// HTTPStatus is the answer's status for ClassHTTP, else 0.
	HTTPStatus int
	// Op names the call, e.g. "post CHG_SYNC_TEST.v1".
	Op string
	// Err is the underlying error (net, TLS, context), if any.
	Err error
	// Body is the first 2 KiB of a non-IB error body (ClassHTTP).
	Body []byte
	// Attempts is how many times the request was tried.
	Attempts int

	msg        string        // what happened, without Op
	retryAfter time.Duration // the answer's Retry-After, for the backoff
}

// Error reads "OP: what happened (what it means)", e.g. "post
// CHG_SYNC_TEST.v1: connection refused by 127.0.0.1:1 (nothing was sent;
// safe to retry)"; after retries OP reads "post CHG_SYNC_TEST.v1 (3
// attempts)".
func (e *Error) Error() string {
	msg := e.msg
	if msg == "" {
		msg = e.defaultMessage()
	}
	op := e.Op
	if e.Attempts > 1 {
		op = strings.TrimSpace(fmt.Sprintf("%s (%d attempts)", op, e.Attempts))
	}
	if op == "" {
		return msg
	}
	return op + ": " + msg
}

func (e *Error) defaultMessage() string {
	switch e.Class {
	case ClassTransport:
		return fmt.Sprintf("%v (nothing was sent; safe to retry)", e.Err)
	case ClassUnknown:
		return fmt.Sprintf("%v after the request was sent (it may have been processed)", e.Err)
	case ClassHTTP:
		return httpStatusMessage(e.HTTPStatus, e.Body)
	}
	return fmt.Sprint(e.Err)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Auth reports whether the gateway (or a proxy or web server in front of
// it) refused the credentials: HTTP 401 or 403.
func (e *Error) Auth() bool {
	return e.Class == ClassHTTP && (e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden)
}

// Timeout reports whether the failure is a timeout.
func (e *Error) Timeout() bool {
	t, ok := e.Err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// httpStatusMessage is "HTTP 500 Internal Server Error from the gateway
// (TITLE)", TITLE being the page's title or first line.
func httpStatusMessage(status int, body []byte) string {
	msg := fmt.Sprintf("HTTP %d", status)
	if t := http.StatusText(status); t != "" {
		msg += " " + t
	}
	msg += " from the gateway"
	if s := bodySummary(body); s != "" {
		msg += " (" + s + ")"
	}
	return msg
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// bodySummary is one line that says what an error body is: an HTML page's
// title, else the first line of its text. Secrets are redacted.
func bodySummary(body []byte) string {
	var s string
	if m := titleRE.FindSubmatch(body); m != nil {
		s = string(m[1])
	} else {
		text := body
		if bytes.Contains(text, []byte("<")) {
			text = tagRE.ReplaceAll(text, []byte("\n"))
		}
		for _, line := range strings.Split(string(text), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "<") {
				s = line
				break
			}
		}
	}
	s = strings.Join(strings.Fields(html.UnescapeString(s)), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) > 160 {
		cut := 157
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return ibmsg.RedactString(s)
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:n]
	}
	return append([]byte(nil), b...)
}
