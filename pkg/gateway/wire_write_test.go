package gateway

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"testing"
)

// TestWriteKnownRequest: the hand-written request is byte for byte what
// net/http's Request.Write sends, for requests of every shape psib
// builds; requests of other shapes are left to Request.Write.
func TestWriteKnownRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	names := []string{"OperationName", "From", "To", "Password", "ExternalMessageID", "Content-Type", "content-type", "X-lower-Case",
		"User-Agent", "user-agent", "Host", "Content-Length", "Transfer-Encoding", "Trailer", "A", "Zz", "Accept-Encoding"}
	values := []string{"", " ", "\t", "CHG_ASYNC_UTEST.v1", "  padded\t", "\ttab", "text/xml; charset=UTF-8", "psib/1.0", "p@ss w:rd", "é"}
	urls := []string{"http://127.0.0.1:8000/PSIGW/HttpListeningConnector", "http://gw.example.edu/PSIGW/PeopleSoftListeningConnector",
		"https://[::1]:8443/PSIGW/HttpListeningConnector?Operation=OP.v1&From=A&Password=x%20y", "http://h/p%20q/r?a=%C3%A9"}
	hosts := []string{"", "", "override.example.edu:8080", "[::1]:80"}
	known := 0
	for i := range 3000 {
		body := bytes.Repeat([]byte("<a/>"), 1+rng.IntN(300))
		h := http.Header{}
		for range rng.IntN(9) {
			k := names[rng.IntN(len(names))]
			for range 1 + rng.IntN(2) {
				h[k] = append(h[k], values[rng.IntN(len(values))])
			}
		}
		p := &prepared{url: urls[rng.IntN(len(urls))], host: hosts[rng.IntN(len(hosts))], header: h, body: body}
		ctx := context.Background()
		if i%2 == 0 {
			ctx = httptrace.WithClientTrace(ctx, (&trace{}).clientTrace())
		}
		a, err := p.newHTTPRequest(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := p.newHTTPRequest(ctx, true)
		var got, want bytes.Buffer
		bw := bufio.NewWriter(&got)
		if !writeKnownRequest(bw, a) {
			t.Fatalf("%s %v: not written by hand", p.url, h)
		}
		known++
		bw.Flush()
		if err := b.Write(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s host %q %v:\n got %q\nwant %q", p.url, p.host, h, got.Bytes(), want.Bytes())
		}
		if n, _ := a.Body.Read(make([]byte, 1)); n != 0 {
			t.Fatal("the body was not consumed")
		}
	}
	if known != 3000 {
		t.Fatalf("%d of 3000 written by hand", known)
	}

	// Shapes left to Request.Write (nothing written by hand).
	p := &prepared{url: urls[0], header: http.Header{"A": {"b"}}, body: []byte("<a/>")}
	for name, change := range map[string]func(r *http.Request){
		"close":         func(r *http.Request) { r.Close = true },
		"other body":    func(r *http.Request) { r.Body = io.NopCloser(bytes.NewReader([]byte("<a/>"))) },
		"length":        func(r *http.Request) { r.ContentLength = 3 },
		"chunked":       func(r *http.Request) { r.TransferEncoding = []string{"chunked"} },
		"trailer":       func(r *http.Request) { r.Trailer = http.Header{"X": nil} },
		"line break":    func(r *http.Request) { r.Header = http.Header{"A": {"b\r\nEvil: 1"}} },
		"bad name":      func(r *http.Request) { r.Header = http.Header{"A b": {"c"}} },
		"non-ASCII":     func(r *http.Request) { r.Host = "bücher.example" },
		"zone":          func(r *http.Request) { r.Host = "[fe80::1%25eth0]:80" },
		"partly read":   func(r *http.Request) { r.Body.Read(make([]byte, 1)) },
		"UA line break": func(r *http.Request) { r.Header = http.Header{"User-Agent": {"a\nb"}} },
	} {
		r, _ := p.newHTTPRequest(context.Background(), true)
		change(r)
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		if writeKnownRequest(bw, r) {
			t.Errorf("%s: written by hand", name)
		}
		if bw.Buffered() != 0 {
			t.Errorf("%s: %d bytes written", name, bw.Buffered())
		}
	}
}

// BenchmarkWriteRequest builds a publish request and writes it, by hand
// and with net/http's Request.Write (the README's performance section).
func BenchmarkWriteRequest(b *testing.B) {
	p := &prepared{url: "http://127.0.0.1:8000/PSIGW/HttpListeningConnector",
		header: http.Header{"OperationName": {"CHG_ASYNC_UTEST.v1"}, "From": {"PTEST"}, "To": {"HRMS"}, "Password": {"secret"},
			"ExternalMessageID": {"psib-0123456789abcdef0123456789abcdef01234567"}, "Content-Type": {"text/xml"}, "User-Agent": {"psib"}},
		body: []byte(`<?xml version="1.0"?><msg><id>1</id><name>hello</name></msg>`)}
	bw := bufio.NewWriter(io.Discard)
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, _ := p.newHTTPRequest(context.Background(), true)
			if !writeKnownRequest(bw, r) {
				b.Fatal("not written by hand")
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, _ := p.newHTTPRequest(context.Background(), true)
			if err := r.Write(bw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
