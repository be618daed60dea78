package gateway

import (
	"bufio"
	"bytes"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"
)

// payloadBody is the body of a request psib built: its bytes stay at hand
// for writeKnownRequest.
type payloadBody struct {
	bytes.Reader
	b []byte
}

func newPayloadBody(b []byte) *payloadBody {
	p := &payloadBody{b: b}
	p.Reset(b)
	return p
}

// Close does nothing: the bytes belong to the prepared request.
func (*payloadBody) Close() error { return nil }

// goUserAgent is what net/http sends when a request has no User-Agent.
const goUserAgent = "Go-http-client/1.1"

// writeKnownRequest writes req to w exactly as req.Write would (the same
// bytes: TestWriteKnownRequest compares them) when req is of the form
// psib builds: a payloadBody of ContentLength bytes, no trailers, no
// Transfer-Encoding, a plain ASCII host, header values without line
// breaks. It reports false, having written nothing, for any other request.
// It exists because req.Write's formatting (fmt, a sorted copy of the
// header, a body copy) costs more CPU than the rest of a small publish's
// exchange on the client side.
func writeKnownRequest(w *bufio.Writer, req *http.Request) bool {
	pb, ok := req.Body.(*payloadBody)
	if !ok || req.URL == nil || req.Method == "" || req.Close || req.TransferEncoding != nil || req.Trailer != nil ||
		req.ContentLength <= 0 || req.ContentLength != int64(len(pb.b)) || pb.Len() != len(pb.b) {
		return false
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if !plainASCII(host) || strings.IndexByte(host, '%') >= 0 || !httpguts.ValidHostHeader(host) {
		return false
	}
	ruri := req.URL.RequestURI()
	if !plainASCII(ruri) {
		return false
	}
	ua := goUserAgent
	if _, has := req.Header["User-Agent"]; has {
		ua = req.Header.Get("User-Agent")
		if strings.ContainsAny(ua, "\r\n") {
			return false
		}
	}
	var store [16]string
	keys := store[:0]
	for k, vs := range req.Header {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		if !httpguts.ValidHeaderFieldName(k) {
			return false
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				return false
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)

	w.WriteString(req.Method)
	w.WriteByte(' ')
	w.WriteString(ruri)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\n")
	if ua != "" { // decided before trimming: "User-Agent: " for " ", as net/http
		w.WriteString("User-Agent: ")
		w.WriteString(textproto.TrimString(ua))
		w.WriteString("\r\n")
	}
	w.WriteString("Content-Length: ")
	var num [20]byte
	w.Write(strconv.AppendInt(num[:0], req.ContentLength, 10))
	w.WriteString("\r\n")
	for _, k := range keys {
		for _, v := range req.Header[k] {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(textproto.TrimString(v))
			w.WriteString("\r\n")
		}
	}
	w.WriteString("\r\n")
	w.Write(pb.b)
	pb.Reset(nil) // read, as req.Write leaves it
	return true
}

// plainASCII reports whether s is printable ASCII without spaces (a host,
// a request URI as psib builds them).
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= utf8.RuneSelf || c == 0x7f {
			return false
		}
	}
	return true
}
