package emulator

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// gatewayLogTestTime is the fixed time of the tests' clock.
var gatewayLogTestTime = time.Date(2026, time.November, 23, 15, 40, 32, 123_000_000, time.UTC)

const gatewayLogTestStamp = "Mon Nov 23 15:40:32.123 UTC 2026"

func fixedGatewayLogClock() time.Time { return gatewayLogTestTime }

// steppingGatewayLogClock returns a clock that advances 1ms per call.
func steppingGatewayLogClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time {
		return gatewayLogTestTime.Add(time.Duration(n.Add(1)-1) * time.Millisecond)
	}
}

// gatewayLogEntryRE matches one whole msgLog entry.
var gatewayLogEntryRE = regexp.MustCompile(`(?s)<tbody class="entry">\n` +
	`<tr><td class="time">([^<]*)</td><td class="desc">([^<]*)</td><td class="level">(-?\d+)</td></tr>\n` +
	`<tr><td colspan="3"><pre class="content">\n([^<]*)</pre></td></tr>\n</tbody>\n`)

type gatewayLogTestEntry struct {
	Time, Desc string
	Level      int
	Content    string // unescaped
}

// readGatewayLogFile reads a msgLog file and checks that it is exactly the
// header followed by whole entries, with nothing between or after them.
func readGatewayLogFile(t *testing.T, path string) []gatewayLogTestEntry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	header := string(gatewayLogHeader("PeopleSoft Integration Gateway Message Log"))
	if !strings.HasPrefix(s, header) {
		t.Fatalf("%s does not start with the header:\n%.300s", path, s)
	}
	if n := strings.Count(s, "<html>"); n != 1 {
		t.Fatalf("%s: %d <html> tags, want 1", path, n)
	}
	if n := strings.Count(s, "<thead>"); n != 1 {
		t.Fatalf("%s: %d <thead> tags, want 1", path, n)
	}
	pos := len(header)
	var out []gatewayLogTestEntry
	for _, m := range gatewayLogEntryRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] != pos {
			t.Fatalf("%s: unmatched bytes at %d: %.200q", path, pos, s[pos:m[0]])
		}
		level, _ := strconv.Atoi(s[m[6]:m[7]])
		out = append(out, gatewayLogTestEntry{
			Time:    html.UnescapeString(s[m[2]:m[3]]),
			Desc:    html.UnescapeString(s[m[4]:m[5]]),
			Level:   level,
			Content: html.UnescapeString(s[m[8]:m[9]]),
		})
		pos = m[1]
	}
	if pos != len(s) {
		t.Fatalf("%s: file does not end at an entry boundary: trailing %.200q", path, s[pos:])
	}
	return out
}

func openTestGatewayLog(t *testing.T, o GatewayLogOptions) *GatewayLog {
	t.Helper()
	if o.Clock == nil {
		o.Clock = fixedGatewayLogClock
	}
	l, err := OpenGatewayLog(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestGatewayLogLevels(t *testing.T) {
	entryLevels := []int{LogLangException, LogStdException, LogWarning, LogImportant, LogStandard, LogLow}
	for _, configured := range []int{LogSuppress, LogLangException, LogStdException, 0, LogImportant, LogLow} {
		t.Run(fmt.Sprint("level", configured), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "logs")
			l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, Level: configured})
			effective := configured
			if effective == 0 {
				effective = LogImportant
			}
			var want []string
			for _, el := range entryLevels {
				should := configured != LogSuppress && el <= effective
				if got := l.Enabled(el); got != should {
					t.Errorf("Enabled(%d) = %v, want %v", el, got, should)
				}
				desc := fmt.Sprint("entry level ", el)
				if err := l.Message(el, desc, []byte("content")); err != nil {
					t.Fatal(err)
				}
				if err := l.Error(el, desc, nil, "", nil, nil); err != nil {
					t.Fatal(err)
				}
				if should {
					want = append(want, desc)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if configured == LogSuppress {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("LogSuppress created %s (err %v)", dir, err)
				}
				return
			}
			var got []string
			for _, e := range readGatewayLogFile(t, filepath.Join(dir, msgLogName)) {
				got = append(got, e.Desc)
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("msgLog entries %q, want %q", got, want)
			}
			eb, err := os.ReadFile(filepath.Join(dir, errorLogName))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(eb), `<tbody class="entry">`); n != len(want) {
				t.Errorf("errorLog has %d entries, want %d", n, len(want))
			}
		})
	}
}

func TestGatewayLogEscapesContent(t *testing.T) {
	dir := t.TempDir()
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, Level: LogLow})
	content := []byte("\nPOST /PSIGW/HttpListeningConnector HTTP/1.1\r\nPassword: s3cr&t\r\n\r\n" +
		"<?xml version=\"1.0\"?><IBInfo><Password><![CDATA[a&b<c>'\"]]></Password></IBInfo>\n" +
		"</pre></td></tr></tbody> &amp; &lt; \xff\xfe end")
	if err := l.Message(LogLow, "Request <in> & out", content); err != nil {
		t.Fatal(err)
	}
	l.Close()
	raw, err := os.ReadFile(filepath.Join(dir, msgLogName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "<IBInfo>") || !strings.Contains(string(raw), "&lt;IBInfo&gt;") {
		t.Error("<IBInfo> is not escaped")
	}
	if !strings.Contains(string(raw), "s3cr&amp;t") {
		t.Error("& is not escaped (or the password was altered)")
	}
	// Cut the <pre> block by hand too, not only through the regexp.
	start := strings.Index(string(raw), `<pre class="content">`+"\n") + len(`<pre class="content">`+"\n")
	end := strings.Index(string(raw), "</pre>")
	if got := html.UnescapeString(string(raw[start:end])); got != string(content) {
		t.Errorf("unescaped <pre> = %q, want %q", got, content)
	}
	entries := readGatewayLogFile(t, filepath.Join(dir, msgLogName))
	if len(entries) != 1 || entries[0].Content != string(content) || entries[0].Desc != "Request <in> & out" {
		t.Errorf("entries = %+v", entries)
	}
}

func TestGatewayLogDocument(t *testing.T) {
	dir := t.TempDir()
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir})
	contents := []string{"first <a>", "second & more", "third\nline two"}
	for i, c := range contents {
		if err := l.Message(LogImportant, fmt.Sprint("entry ", i), []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening appends to the same document: no second header.
	l2 := openTestGatewayLog(t, GatewayLogOptions{Dir: dir})
	if err := l2.Message(LogImportant, "entry 3", []byte("after reopen")); err != nil {
		t.Fatal(err)
	}
	l2.Close()
	contents = append(contents, "after reopen")

	path := filepath.Join(dir, msgLogName)
	raw, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(raw), `<html><head><meta charset="UTF-8"><title>`) {
		t.Errorf("file starts %.60q", raw)
	}
	for _, col := range []string{"<th>Time</th>", "<th>Description</th>", "<th>Level</th>"} {
		if strings.Count(string(raw), col) != 1 {
			t.Errorf("header column %s not present exactly once", col)
		}
	}
	entries := readGatewayLogFile(t, path)
	if len(entries) != len(contents) {
		t.Fatalf("%d entries, want %d", len(entries), len(contents))
	}
	for i, e := range entries {
		if e.Desc != fmt.Sprint("entry ", i) || e.Content != contents[i] || e.Level != LogImportant || e.Time != gatewayLogTestStamp {
			t.Errorf("entry %d = %+v", i, e)
		}
	}

	// A lenient (HTML-like) parser reads the document as the browser
	// closes it, and gets the contents back from the <pre> blocks.
	// The closing tags are appended as a browser implies them at the end
	// of the file (encoding/xml, unlike a browser, reports unclosed
	// elements at EOF).
	d := xml.NewDecoder(strings.NewReader(string(raw) + "</table></body></html>"))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var pres []string
	var inPre bool
	var cur strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("lenient parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "pre" {
				inPre = true
				cur.Reset()
			}
		case xml.CharData:
			if inPre {
				cur.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "pre" {
				inPre = false
				pres = append(pres, strings.TrimPrefix(cur.String(), "\n"))
			}
		}
	}
	if strings.Join(pres, "|") != strings.Join(contents, "|") {
		t.Errorf("lenient parse <pre> blocks %q, want %q", pres, contents)
	}
}

func TestGatewayLogRotation(t *testing.T) {
	dir := t.TempDir()
	const maxBytes, backups, total = 2000, 3, 40
	// A stale backup beyond Backups (left by an earlier, larger setting).
	stale := filepath.Join(dir, msgLogName+".9")
	os.WriteFile(stale, []byte("old"), 0o600)
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, MaxBytes: maxBytes, Backups: backups, Clock: steppingGatewayLogClock()})
	for i := range total {
		if err := l.Message(LogImportant, fmt.Sprint("entry ", i), []byte(fmt.Sprintf("%03d %s", i, strings.Repeat("<x&>", 60)))); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()

	if _, err := os.Stat(filepath.Join(dir, msgLogName+"."+strconv.Itoa(backups+1))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("more than %d backups kept", backups)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale backup .9 not deleted")
	}
	var seq []int
	for i := backups; i >= 0; i-- {
		path := filepath.Join(dir, msgLogName)
		if i > 0 {
			path += "." + strconv.Itoa(i)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > maxBytes {
			t.Errorf("%s is %d bytes, over MaxBytes %d", path, st.Size(), maxBytes)
		}
		entries := readGatewayLogFile(t, path) // header, whole entries only
		if len(entries) == 0 {
			t.Errorf("%s has no entries", path)
		}
		for _, e := range entries {
			n, _ := strconv.Atoi(strings.TrimPrefix(e.Desc, "entry "))
			if want := fmt.Sprintf("%03d %s", n, strings.Repeat("<x&>", 60)); e.Content != want {
				t.Errorf("entry %d content altered", n)
			}
			seq = append(seq, n)
		}
	}
	// Oldest backup first, newest file last: a contiguous run ending with
	// the last entry; only entries before the oldest backup are gone.
	if len(seq) == 0 || seq[len(seq)-1] != total-1 {
		t.Fatalf("entries %v do not end with %d", seq, total-1)
	}
	for i := 1; i < len(seq); i++ {
		if seq[i] != seq[i-1]+1 {
			t.Fatalf("entries not contiguous: %v", seq)
		}
	}
	if seq[0] == 0 {
		t.Errorf("expected the oldest entries to fall off, got all %d", len(seq))
	}
	t.Logf("kept entries %d..%d of 0..%d", seq[0], seq[len(seq)-1], total-1)

	// errorLog.html rotates the same way.
	le := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, MaxBytes: maxBytes, Backups: backups})
	for i := range 20 {
		if err := le.Error(LogStdException, fmt.Sprint("error ", i), nil, strings.Repeat("at x.y(z)\n", 20), nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	le.Close()
	for i := 1; i <= backups; i++ {
		b, err := os.ReadFile(filepath.Join(dir, errorLogName+"."+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), string(gatewayLogHeader("PeopleSoft Integration Gateway Error Log"))) || !strings.HasSuffix(string(b), "</tbody>\n") {
			t.Errorf("errorLog.html.%d: bad header or split entry", i)
		}
	}
}

func TestGatewayLogOversizedEntry(t *testing.T) {
	dir := t.TempDir()
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, MaxBytes: 1500, Backups: 2})
	big := strings.Repeat("B", 3000)
	for i, c := range []string{"small 0", big, "small 2"} {
		if err := l.Message(LogImportant, fmt.Sprint("entry ", i), []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	check := func(name string, want ...string) {
		t.Helper()
		var got []string
		for _, e := range readGatewayLogFile(t, filepath.Join(dir, name)) {
			got = append(got, e.Content)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s holds %d entries, want %d", name, len(got), len(want))
		}
	}
	check(msgLogName+".2", "small 0")
	check(msgLogName+".1", big) // alone in a fresh file
	check(msgLogName, "small 2")
}

func TestGatewayLogConcurrent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxBytes int64
		backups  int
	}{{"no rotation", 0, 0}, {"rotating", 64 << 10, 1000}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir, Level: LogLow, MaxBytes: tc.maxBytes, Backups: tc.backups, Clock: steppingGatewayLogClock()})
			const goroutines, per = 8, 200
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range per {
						id := fmt.Sprintf("g%d-i%d", g, i)
						if err := l.Message(LogLow, id, []byte(strings.Repeat(id+" <&> ", 20))); err != nil {
							t.Error(err)
							return
						}
						if i%10 == 0 {
							if err := l.Error(LogWarning, id, &ibmsg.Status{StatusCode: 10, MsgSet: 158, MsgID: 10721}, "stack", []byte(id), nil); err != nil {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, msgLogName+".*"))
			// Oldest backup first.
			paths := make([]string, len(files))
			for _, f := range files {
				n, err := strconv.Atoi(strings.TrimPrefix(filepath.Ext(f), "."))
				if err != nil || n < 1 || n > len(files) {
					t.Fatalf("unexpected file %s", f)
				}
				paths[len(files)-n] = f
			}
			paths = append(paths, filepath.Join(dir, msgLogName))
			if tc.maxBytes != 0 && len(paths) < 3 {
				t.Errorf("expected rotation, got %d files", len(paths))
			}
			seen := map[string]int{}
			last := map[int]int{}
			var prevTime string
			for _, p := range paths {
				for _, e := range readGatewayLogFile(t, p) {
					seen[e.Desc]++
					if e.Content != strings.Repeat(e.Desc+" <&> ", 20) {
						t.Errorf("entry %s content mixed up", e.Desc)
					}
					var g, i int
					fmt.Sscanf(e.Desc, "g%d-i%d", &g, &i)
					if prev, ok := last[g]; ok && i != prev+1 {
						t.Errorf("goroutine %d: entry %d after %d", g, i, prev)
					}
					last[g] = i
					if e.Time < prevTime { // same day: string order is time order
						t.Errorf("time %s after %s", e.Time, prevTime)
					}
					prevTime = e.Time
				}
			}
			if len(seen) != goroutines*per {
				t.Errorf("%d distinct entries, want %d", len(seen), goroutines*per)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s appears %d times", id, n)
				}
			}
			eb, _ := os.ReadFile(filepath.Join(dir, errorLogName))
			if tc.maxBytes == 0 {
				if n := strings.Count(string(eb), `<tbody class="entry">`); n != goroutines*per/10 {
					t.Errorf("errorLog has %d entries, want %d", n, goroutines*per/10)
				}
			}
		})
	}
}

func TestGatewayLogErrorEntry(t *testing.T) {
	dir := t.TempDir()
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir})
	st := &ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, Parameters: ibmsg.Params{"ANONYMOUS"}}
	stack := "com.peoplesoft.pt.integrationgateway.common.GeneralFrameworkException: <x>\n\tat Foo.bar(Foo.java:1)"
	req := []byte("Content-ID: IBInfo\r\n\r\n<IBInfo><Password>pw&1</Password></IBInfo>")
	resp := []byte(`<?xml version="1.0"?><IBResponse type="error"><DefaultTitle>Integration Broker Response</DefaultTitle></IBResponse>`)
	if err := l.Error(LogStdException, "PeopleSoftTargetConnector: application server error", st, stack, req, resp); err != nil {
		t.Fatal(err)
	}
	if err := l.Error(LogStdException, "no status", nil, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	l.Close()
	raw, err := os.ReadFile(filepath.Join(dir, errorLogName))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, want := range []string{
		"<title>PeopleSoft Integration Gateway Error Log</title>",
		`<td class="time">` + gatewayLogTestStamp + `</td><td class="desc">PeopleSoftTargetConnector: application server error</td><td class="level">1</td>`,
		"User password failed. (158,45)",
		"Status Code: 20",
		"Message Set Number: 158",
		"Message Number: 45",
		"Message Parameters: ANONYMOUS",
		"Catalog Title: User password failed.",
		"Message Catalog: (none)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("errorLog lacks %q", want)
		}
	}
	pre := regexp.MustCompile(`(?s)<div class="label">([^<]*)</div><pre class="(\w+)">\n([^<]*)</pre>`)
	got := map[string]string{}
	var labels []string
	for _, m := range pre.FindAllStringSubmatch(s, -1)[:3] {
		labels = append(labels, m[1])
		got[m[2]] = html.UnescapeString(m[3])
	}
	if strings.Join(labels, "|") != "Stack Trace:|IBRequest:|IBResponse:" {
		t.Errorf("labels %q", labels)
	}
	if got["stack"] != stack || got["request"] != string(req) || got["response"] != string(resp) {
		t.Errorf("pre blocks %q", got)
	}
	if !strings.HasSuffix(s, "</tbody>\n") || strings.Count(s, "<tbody") != 2 {
		t.Error("errorLog does not hold two whole entries")
	}
}

func TestGatewayLogNil(t *testing.T) {
	var l *GatewayLog
	if l.Enabled(LogLangException) {
		t.Error("nil log enabled")
	}
	if err := l.Message(LogLangException, "d", []byte("c")); err != nil {
		t.Error(err)
	}
	if err := l.Error(LogLangException, "d", &ibmsg.Status{}, "s", nil, nil); err != nil {
		t.Error(err)
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}

func TestGatewayLogOptionsAndClose(t *testing.T) {
	if _, err := OpenGatewayLog(GatewayLogOptions{Dir: t.TempDir()}); err == nil {
		t.Error("nil Clock accepted")
	}
	if _, err := OpenGatewayLog(GatewayLogOptions{Dir: t.TempDir(), Clock: time.Now, MaxBytes: -1}); err == nil {
		t.Error("negative MaxBytes accepted")
	}
	if _, err := OpenGatewayLog(GatewayLogOptions{Dir: t.TempDir(), Clock: time.Now, Backups: -1}); err == nil {
		t.Error("negative Backups accepted")
	}
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: t.TempDir()})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Message(LogImportant, "late", nil); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Message after Close: %v, want os.ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestGatewayLogWriteErrors(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	// Creating the header on a full disk fails cleanly.
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, msgLogName)); err != nil {
		t.Skip(err)
	}
	if _, err := OpenGatewayLog(GatewayLogOptions{Dir: dir, Clock: fixedGatewayLogClock}); err == nil {
		t.Error("OpenGatewayLog on a full disk: no error")
	}

	// A write that fails mid-run is returned, and the log recovers. (White
	// box: the open file is swapped for /dev/full.)
	dir = t.TempDir()
	l := openTestGatewayLog(t, GatewayLogOptions{Dir: dir})
	if err := l.Message(LogImportant, "before", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	l.msg.mu.Lock()
	real := l.msg.f
	l.msg.f = full
	l.msg.mu.Unlock()
	real.Close()
	if err := l.Message(LogImportant, "lost", []byte("disk full")); err == nil {
		t.Error("write to a full disk: no error")
	}
	if err := l.Message(LogImportant, "after", []byte("ok")); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	l.Close()
	var got []string
	for _, e := range readGatewayLogFile(t, filepath.Join(dir, msgLogName)) {
		got = append(got, e.Desc)
	}
	if strings.Join(got, "|") != "before|after" {
		t.Errorf("entries %q, want before, after", got)
	}
}
