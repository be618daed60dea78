package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/gwlog"
)

func decodeNoEnv(string) (string, bool) { return "", false }

func decodeRunPsib(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	s, out, errOut := testStreams(stdin)
	code := run(args, s, decodeNoEnv)
	return code, out.String(), errOut.String()
}

// TestDecodeJSONContract: -o json prints exactly the contract's fields
// (cli-contract.md), for every format, in the contract's order.
func TestDecodeJSONContract(t *testing.T) {
	fixtures := filepath.Join(fixturesDir(), "gwlog")
	code, out, errOut := decodeRunPsib(t, "", "decode", "-o", "json",
		filepath.Join(fixtures, "emulator", "msgLog.html"), filepath.Join(fixtures, "layout-pre-hr.html"), filepath.Join(fixtures, "plain-weblogic.log"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	top := []string{"file", "line", "kind", "format", "operation", "transaction_id", "from", "to", "timestamp", "status", "ibinfo", "headers", "sections"}
	section := []string{"id", "content_type", "transfer_encoding", "compression", "bytes", "body"}
	status := []string{"status_code", "msg_set", "msg_id", "title", "message", "parameters"}
	formats := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if got := decodeJSONKeys(t, line); !reflect.DeepEqual(got, top) {
			t.Fatalf("line %d keys %v, want %v", n, got, top)
		}
		var rec struct {
			Kind, Format string
			Status       json.RawMessage
			Sections     []json.RawMessage
			Line         int
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		formats[rec.Format] = true
		if rec.Kind != "request" && rec.Kind != "response" || rec.Line < 1 {
			t.Errorf("line %d: kind %q line %d", n, rec.Kind, rec.Line)
		}
		if string(rec.Status) != "null" {
			if got := decodeJSONKeys(t, rec.Status); !reflect.DeepEqual(got, status) {
				t.Errorf("status keys %v", got)
			}
		}
		for _, s := range rec.Sections {
			if got := decodeJSONKeys(t, s); !reflect.DeepEqual(got, section) {
				t.Errorf("section keys %v", got)
			}
		}
	}
	if n < 50 || !formats["mime"] || !formats["http"] || !formats["xml"] {
		t.Errorf("%d records, formats %v", n, formats)
	}
}

// decodeJSONKeys lists an object's keys in document order.
func decodeJSONKeys(t *testing.T, obj []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", obj)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestDecodeCorruptGzip: a .gz whose stream breaks mid-way: the messages
// before the damage are decoded, the damage is reported, exit 2.
func TestDecodeCorruptGzip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixturesDir(), "gwlog", "layout-pre-hr.html"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	broken := z.Bytes()[:z.Len()*2/3]
	path := filepath.Join(t.TempDir(), "msgLog.html.2.gz")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := decodeRunPsib(t, "", "decode", "--brief", path)
	if code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(out, "msgLog.html.2.gz:7 ") {
		t.Errorf("nothing decoded before the damage:\n%s", out)
	}
	if !strings.Contains(errOut, "psib: decode "+path+": unexpected EOF") {
		t.Errorf("stderr:\n%s", errOut)
	}
}

// TestDecodeStdinGzip: stdin is sniffed for gzip too.
func TestDecodeStdinGzip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixturesDir(), "gwlog", "layout-pre-hr.html.1.gz"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := decodeRunPsib(t, string(data), "decode", "--brief", "-")
	if code != 0 || strings.Count(out, "<stdin>:") != 6 {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// decodeSyncBuffer is a buffer safe to read while psib writes to it.
type decodeSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *decodeSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *decodeSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDecodeFollow drives --follow with an injected wait: each time the
// follower has read everything it signals, and the test appends, rotates,
// then interrupts. Output is flushed record by record.
func TestDecodeFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "msgLog.html")
	src, err := os.ReadFile(filepath.Join(fixturesDir(), "gwlog", "layout-pre-hr.html"))
	if err != nil {
		t.Fatal(err)
	}
	entries := strings.SplitAfter(string(src), "<hr>\n")
	if err := os.WriteFile(path, []byte(entries[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut := &decodeSyncBuffer{}, &decodeSyncBuffer{}
	waiting, release := make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &decodeOptions{IO: &streams{Out: out, ErrOut: errOut, colorMode: "never"}, Now: time.Now, Inputs: []string{path}, Format: "text", Brief: true, Follow: true, MaxSize: "64M",
		FollowWait: func(ctx context.Context) error {
			select {
			case waiting <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- runDecode(ctx, o) }()
	waitFor := func(want string) {
		t.Helper()
		select {
		case <-waiting:
		case err := <-done:
			t.Fatalf("decode ended: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("follow never waited for data")
		}
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	waitFor("msgLog.html:7 ")
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString(entries[1])
	f.Close()
	release <- struct{}{}
	waitFor("msgLog.html:41 ")
	// Rotated: the new file is read from its start.
	os.Rename(path, path+".1")
	os.WriteFile(path, []byte("<html>\n"+entries[2]), 0o600)
	release <- struct{}{}
	waitFor("msgLog.html:4 ")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("after interrupt: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var heads []string
	for _, l := range lines {
		heads = append(heads, strings.Fields(l)[0])
	}
	sort.Strings(heads)
	if want := []string{path + ":4", path + ":41", path + ":7"}; !reflect.DeepEqual(heads, want) {
		t.Errorf("records %v, want %v", heads, want)
	}
}

// TestDecodeHeaderSecrets: the JSON headers of a record are redacted when
// the name or the value holds a credential (the two are looked at apart),
// and only then.
func TestDecodeHeaderSecrets(t *testing.T) {
	run := &decodeRun{o: &decodeOptions{}}
	rec := &gwlog.Record{Headers: gwlog.Headers{
		{Name: "x&Password=REDACTED", Value: "first"}, // the redacted name below wins over it, as in a map
		{Name: "Password", Value: "n0de-pw"},
		{Name: "Authorization", Value: " Basic Zm9sZGVkOnB3"}, // a folded value: the patterns keep the space
		{Name: "x&Password=s3cr3t", Value: "v"},               // a name holding a credential: the name is redacted too
		{Name: "proxy-AUTHORIZATION", Value: "Basic dXNlcjpwdw=="},
		{Name: "SOAPAction", Value: "http://peoplesoft.com/QE_SYNC.v1/PSFT_EP/sOAp-pw/PSFT_HR"},
		{Name: "Referer", Value: "https://ib.example.edu/PSIGW/HttpListeningConnector?From=X&password=q-pw"},
		{Name: "OperationName", Value: "QE_SYNC.v1"},
		{Name: "Content-Type", Value: "text/xml; charset=UTF-8"},
	}}
	// (ibmsg's FuzzRedact checks RedactHeader against the patterns.)
	got := run.secretsForJSON(rec).Headers.Map()
	want := map[string]string{
		"Password":            "REDACTED",
		"Authorization":       " REDACTED",
		"x&Password=REDACTED": "v",
		"proxy-AUTHORIZATION": "REDACTED",
		"SOAPAction":          "http://peoplesoft.com/QE_SYNC.v1/PSFT_EP/REDACTED/PSFT_HR",
		"Referer":             "https://ib.example.edu/PSIGW/HttpListeningConnector?From=X&password=REDACTED",
		"OperationName":       "QE_SYNC.v1",
		"Content-Type":        "text/xml; charset=UTF-8",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("headers:\n got %q\nwant %q", got, want)
	}
}

// TestDecodeJSONLargeRecords: records larger than the output buffer go out
// in two pieces (head, then the prepared rest, past the buffer); between
// small ones, every line is whole, in order, and holds its body.
func TestDecodeJSONLargeRecords(t *testing.T) {
	var log strings.Builder
	var bodies []string
	for i, size := range []int{10, 200 << 10, 20, 90 << 10, 70 << 10, 5} {
		body := "<R>" + strings.Repeat(string(rune('a'+i)), size) + "</R>"
		bodies = append(bodies, body)
		fmt.Fprintf(&log, "Mon Mar 02 10:00:0%d UTC 2026 HttpListeningConnector: request received\n", i)
		fmt.Fprintf(&log, "POST /PSIGW/HttpListeningConnector HTTP/1.1\nOperationName: OP_%d.v1\nContent-Type: text/plain\nContent-Length: %d\n\n%s\n", i, len(body), body)
	}
	code, out, errOut := decodeRunPsib(t, log.String(), "decode", "-o", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(bodies) {
		t.Fatalf("%d lines, want %d", len(lines), len(bodies))
	}
	for i, l := range lines {
		var rec struct {
			Operation string
			Sections  []struct{ Body string }
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d (%d bytes): %v", i+1, len(l), err)
		}
		if want := fmt.Sprintf("OP_%d.v1", i); rec.Operation != want || len(rec.Sections) != 1 || rec.Sections[0].Body != bodies[i] {
			t.Fatalf("line %d: operation %q, want %s; body of %d sections wrong", i+1, rec.Operation, want, len(rec.Sections))
		}
	}
}
