package gateway

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// DumpRequest returns the request Post would send first, as HTTP/1.1 text
// in the order net/http writes it (request line, Host, User-Agent,
// Content-Length, the other fields sorted by name, a blank line, the
// body). Passwords read REDACTED unless Options.ShowSecrets. Invalid input
// is a *RequestError.
func (c *Client) DumpRequest(req *Request) ([]byte, error) {
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	hr, err := p.newHTTPRequest(context.Background(), false)
	if err != nil {
		return nil, err
	}
	return c.renderRequest(hr, p.body), nil
}

// renderRequest writes r as net/http puts it on the wire (HTTP/1.1, names
// as given), with LF line ends, redacted unless ShowSecrets.
func (c *Client) renderRequest(r *http.Request, body []byte) []byte {
	var b bytes.Buffer
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", r.Method, r.URL.RequestURI())
	fmt.Fprintf(&b, "Host: %s\n", host)
	ua := r.Header.Get("User-Agent")
	if ua == "" {
		ua = "Go-http-client/1.1"
	}
	fmt.Fprintf(&b, "User-Agent: %s\n", ua)
	fmt.Fprintf(&b, "Content-Length: %d\n", len(body))
	writeHeader(&b, r.Header, "User-Agent")
	b.WriteString("\n")
	b.Write(body)
	return c.redact(b.Bytes())
}

// renderResponse writes resp's status line, header (Go's canonical names:
// net/http does not keep the received spelling) and body.
func (c *Client) renderResponse(resp *http.Response, raw []byte) []byte {
	var b bytes.Buffer
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	fmt.Fprintf(&b, "%s %s\n", proto, resp.Status)
	writeHeader(&b, resp.Header, "")
	b.WriteString("\n")
	b.Write(raw)
	return c.redact(b.Bytes())
}

// writeHeader writes the fields sorted by name (as net/http does), leaving
// out skip.
func writeHeader(b *bytes.Buffer, h http.Header, skip string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if k != skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

func (c *Client) redact(b []byte) []byte {
	if c.opts.ShowSecrets {
		return b
	}
	return ibmsg.Redact(b)
}
