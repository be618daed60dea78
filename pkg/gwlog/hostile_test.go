package gwlog

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// result is what Decode handed on, flattened for assertions.
type result struct {
	recs []*Record
	errs []error
}

func (r *result) ops() []string {
	var out []string
	for _, rec := range r.recs {
		out = append(out, fmt.Sprintf("%d:%s", rec.Line, rec.Operation))
	}
	return out
}

func (r *result) errText() string {
	var b strings.Builder
	for _, e := range r.errs {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

func decodeAll(t testing.TB, in io.Reader, o Options) *result {
	t.Helper()
	res := &result{}
	err := Decode(context.Background(), in, "hostile.log", o, func(rec *Record, err error) error {
		if rec != nil {
			res.recs = append(res.recs, rec)
		}
		if err != nil {
			var ge *Error
			if !errors.As(err, &ge) || ge.File != "hostile.log" || ge.Line < 1 {
				t.Errorf("error without file:line: %v", err)
			}
			res.errs = append(res.errs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return res
}

// testMessage is an internal MIME request for op with the given sections,
// raw section text replaced by the caller when it wants it broken.
func testMessage(t testing.TB, op string, body string, enc ibmsg.ContentEncoding) string {
	t.Helper()
	info := &ibmsg.IBInfo{MessageName: ibmsg.CData(op), MessageType: "async", From: &ibmsg.From{RequestingNode: "PTEST"}, To: &ibmsg.To{DestinationNode: "HRMS"}}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Seq: 1})
	if body != "" {
		m.AddSection([]byte(body), enc)
	}
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return lf(string(b))
}

// entry wraps content as the emulator's log does.
func entry(when, content string) string {
	return "<tr><td>" + when + "</td><td>PeopleSoftTargetConnector: request</td></tr>\n<tr><td><pre>\n" + htmlEscape(content) + "</pre></td></tr>\n"
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

const payload = `<?xml version="1.0"?><ok>payload</ok>`

func TestHostileCorruptContent(t *testing.T) {
	good := testMessage(t, "GOOD.v1", payload, ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	badB64 := strings.Replace(testMessage(t, "BAD_BASE64.v1", payload, ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip}),
		"Content-ID: ContentSection0\n\n", "Content-ID: ContentSection0\n\n!!!this is *not* base64 at all\n", 1)
	gz := base64.StdEncoding.EncodeToString(append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xde, 0xad}, 40)...))
	badGzip := testMessage(t, "BAD_GZIP.v1", "X", ibmsg.ContentEncoding{Base64: true})
	badGzip = strings.Replace(badGzip, "\nWA==\n", "\n"+gz+"\n", 1)
	log := entry("Mon Mar 02 10:00:00 UTC 2026", badB64) + entry("Mon Mar 02 10:00:01 UTC 2026", badGzip) + entry("Mon Mar 02 10:00:02 UTC 2026", good)
	res := decodeAll(t, strings.NewReader(log), Options{})
	if got := strings.Join(res.ops(), " "); got != "3:BAD_BASE64.v1 29:BAD_GZIP.v1 54:GOOD.v1" {
		t.Fatalf("records %s\n%s", got, res.errText())
	}
	errs := res.errText()
	for _, want := range []string{"hostile.log:3: ", "section ContentSection0 at line 18", "illegal base64 data", "hostile.log:29: ", "gzip section: flate: corrupt input"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if res.recs[2].Err != nil || res.recs[2].Sections[0].Body != payload {
		t.Errorf("the good message after the bad ones: %+v", res.recs[2].Sections)
	}
}

func TestHostileTruncated(t *testing.T) {
	full := testMessage(t, "FULL.v1", payload, ibmsg.ContentEncoding{})
	cut := full[:strings.LastIndex(full, "------=_Part")] // no closing delimiter
	tests := []struct {
		name, in, wantErr string
		wantRecs          int
	}{
		{"mime cut by the end of its <pre>", entry("Mon Mar 02 10:00:00 UTC 2026", cut) + entry("Mon Mar 02 10:00:01 UTC 2026", full), "hostile.log:3: gwlog: message truncated: the MIME message has no closing delimiter (the log entry's block ends after line", 2},
		{"mime cut by the end of input", full + cut, "hostile.log:23: gwlog: message truncated: the MIME message has no closing delimiter (the input ends", 2},
		{"xml not closed", "<IBResponse type=\"error\"><DefaultTitle>x</DefaultTitle>\n" + full, "hostile.log:1: gwlog: message truncated: <IBResponse> is not closed (another message starts after line 1)", 1},
		{"http body short of its Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nContent-Type: text/plain\r\n\r\nshort body\r\n", "hostile.log:1: gwlog: message truncated: the body has 10 of its 5000 bytes", 1},
		{"http xml body cut", "POST /PSIGW/HttpListeningConnector HTTP/1.1\r\nOperationName: A.v1\r\n\r\n<?xml version=\"1.0\"?><order><line>\r\n", "hostile.log:1: gwlog: message truncated: the XML body is not closed (the input ends", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decodeAll(t, strings.NewReader(tt.in), Options{})
			if !strings.Contains(res.errText(), tt.wantErr) {
				t.Errorf("errors:\n%s\nwant %q", res.errText(), tt.wantErr)
			}
			if len(res.recs) != tt.wantRecs {
				t.Errorf("%d records, want %d: %v", len(res.recs), tt.wantRecs, res.ops())
			}
			if !errors.Is(res.errs[0], ErrTruncated) {
				t.Errorf("%v is not ErrTruncated", res.errs[0])
			}
		})
	}
}

func TestHostileBinaryGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	garbage := make([]byte, 1<<20)
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	msg := testMessage(t, "AFTER_GARBAGE.v1", payload, ibmsg.ContentEncoding{Compression: ibmsg.CompressionZlib})
	// Garbage before, between and inside a message (a section of raw
	// bytes, NULs included).
	binSection := testMessage(t, "BINARY.v1", "X", ibmsg.ContentEncoding{})
	binSection = strings.Replace(binSection, "\nX\n", "\n"+string(garbage[:4096])+"\x00\x00\n", 1)
	in := string(garbage) + "\n" + msg + string(garbage[1000:5000]) + "\n" + binSection + string(garbage[:2000])
	var res *result
	done := make(chan struct{})
	go func() {
		defer close(done)
		res = decodeAll(t, strings.NewReader(in), Options{})
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("decoding garbage did not finish")
	}
	var found []string
	for _, r := range res.recs {
		found = append(found, r.Operation)
	}
	if got := strings.Join(found, " "); !strings.Contains(got, "AFTER_GARBAGE.v1") || !strings.Contains(got, "BINARY.v1") {
		t.Fatalf("messages after garbage not found: %q\n%s", got, res.errText())
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

// peakHeap runs fn and samples the heap in use meanwhile.
func peakHeap(fn func()) uint64 {
	var ms runtime.MemStats
	return peakOf(fn, func() uint64 {
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	})
}

// peakLiveHeap runs fn and samples meanwhile the heap that was live at
// the last collection (what decoding keeps, whatever garbage waits).
func peakLiveHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	return peakOf(fn, func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	})
}

// peakOf runs fn after a collection and returns the largest value of
// measure, taken every 2 ms meanwhile (on another goroutine).
func peakOf(fn func(), measure func() uint64) uint64 {
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, measure())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done // peak is read after the sampler ends
	return peak
}

func TestHostileLongLines(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 MB")
	}
	before := testMessage(t, "BEFORE.v1", payload, ibmsg.ContentEncoding{})
	after := testMessage(t, "AFTER.v1", payload, ibmsg.ContentEncoding{})
	huge := testMessage(t, "HUGE.v1", "X", ibmsg.ContentEncoding{Base64: true})
	head, tail, _ := strings.Cut(huge, "\nWA==\n")
	// A 50 MB line between messages, then a message with a 50 MB base64
	// line in its section.
	in := io.MultiReader(strings.NewReader(before), &repeatReader{b: 'A', n: 50 << 20}, strings.NewReader("\n"+head+"\n"),
		&repeatReader{b: 'Q', n: 50 << 20}, strings.NewReader("\n"+tail+after))
	var res *result
	peak := peakHeap(func() { res = decodeAll(t, in, Options{}) })
	if got := strings.Join(res.ops(), " "); got != "1:BEFORE.v1 46:AFTER.v1" {
		t.Errorf("records %s", got)
	}
	errs := res.errText()
	for _, want := range []string{"hostile.log:23: gwlog: message too long: line is 52428800 bytes, longer than the 16777216-byte line limit",
		"hostile.log:24: gwlog: message too long: the mime message is longer than the 16777216-byte limit"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if peak > 96<<20 {
		t.Errorf("heap in use peaked at %d MB reading 100 MB of long lines", peak>>20)
	}
	t.Logf("peak heap in use: %d MB", peak>>20)
}

func TestHostileDecompressionBomb(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros, eight times the limit: about 64 KB compressed
		zw.Write(zero)
	}
	zw.Close()
	bomb := testMessage(t, "BOMB.v1", "X", ibmsg.ContentEncoding{Base64: true})
	bomb = strings.Replace(bomb, "\nWA==\n", "\n"+base64.StdEncoding.EncodeToString(z.Bytes())+"\n", 1)
	after := testMessage(t, "AFTER.v1", payload, ibmsg.ContentEncoding{})
	var res *result
	peak := peakHeap(func() {
		res = decodeAll(t, strings.NewReader(entry("Mon Mar 02 10:00:00 UTC 2026", bomb)+entry("Mon Mar 02 10:00:01 UTC 2026", after)), Options{Limits: ibmsg.Limits{MaxSectionBytes: 8 << 20}})
	})
	if got := strings.Join(res.ops(), " "); got != "3:BOMB.v1 28:AFTER.v1" {
		t.Fatalf("records %s", got)
	}
	if len(res.errs) != 1 || !errors.Is(res.errs[0], ibmsg.ErrTooLarge) && !strings.Contains(res.errs[0].Error(), "inflates past 8388608 bytes") {
		t.Errorf("bomb not reported as too large: %s", res.errText())
	}
	if !strings.Contains(res.errText(), "hostile.log:3: ") {
		t.Errorf("bomb error without its line: %s", res.errText())
	}
	if peak > 64<<20 {
		t.Errorf("heap in use peaked at %d MB for a bomb capped at 8 MB", peak>>20)
	}
}

// TestInterleavedLogLine: another thread's log line written into the
// middle of a base64 section (text logs) is left out of the message.
func TestInterleavedLogLine(t *testing.T) {
	info := &ibmsg.IBInfo{MessageName: "INTERLEAVED.v1", From: &ibmsg.From{RequestingNode: "PTEST"}}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Seq: 1})
	body := strings.Repeat(`<?xml version="1.0"?><row>interleaved</row>`, 50)
	m.AddSection([]byte(body), ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	b, _ := m.Bytes()
	text := lf(string(b))
	// Wrap the base64 at 76 columns, as many encoders do, and put a log
	// line and a stack-trace line between two of its lines.
	i := strings.Index(text, "Content-ID: ContentSection0\n\n") + len("Content-ID: ContentSection0\n\n")
	j := strings.Index(text[i:], "\n") + i
	b64 := text[i:j]
	var wrapped []string
	for len(b64) > 76 {
		wrapped = append(wrapped, b64[:76])
		b64 = b64[76:]
	}
	wrapped = append(wrapped, b64)
	wrapped = append(wrapped[:1], append([]string{"2026-03-02 10:00:00,123 INFO  [Thread-9] GatewayManager - heartbeat", "\tat com.peoplesoft.pt.Foo.bar(Foo.java:12)"}, wrapped[1:]...)...)
	text = text[:i] + strings.Join(wrapped, "\n") + text[j:]
	res := decodeAll(t, strings.NewReader("2026-03-02 09:59:59,000 INFO  [Thread-3] PeopleSoftTargetConnector - request\n"+text), Options{})
	if len(res.recs) != 1 || len(res.errs) != 0 {
		t.Fatalf("records %v errors %s", res.ops(), res.errText())
	}
	if got := res.recs[0].Sections[0].Body; got != body {
		t.Errorf("body %.80q", got)
	}
}
