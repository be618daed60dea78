package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T, b *Batch) (inputs []string, payloads []string, ids []string) {
	t.Helper()
	for m, err := range b.Messages() {
		if err != nil {
			t.Fatalf("Messages: %v", err)
		}
		inputs = append(inputs, filepath.ToSlash(m.Input))
		payloads = append(payloads, string(m.Payload))
		ids = append(ids, m.ExternalMessageID)
	}
	return
}

func TestScanExpandsInOrder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/out/b.xml", "<b/>")
	writeFile(t, dir+"/out/a.xml", "<a/>")
	writeFile(t, dir+"/out/.hidden.xml", "not xml")
	writeFile(t, dir+"/out/sub/c.xml", "not read: not recursive")
	writeFile(t, dir+"/g/x1.xml", "<x1/>")
	writeFile(t, dir+"/g/x2.xml", "<x2/>")
	writeFile(t, dir+"/one.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><one>\xe9</one>")
	// Links in a directory: to a file, read; to a directory or nowhere,
	// skipped.
	links := true
	for name, target := range map[string]string{"out/c-link.xml": "../g/x1.xml", "out/d-link": "sub", "out/e-dangling.xml": "nowhere.xml"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			links = false // not allowed here (Windows without the privilege)
		}
	}
	b, err := (&Source{Args: []string{dir + "/one.xml", dir + "/out", dir + "/g/x*.xml", "-"}, Stdin: strings.NewReader("<stdin/>")}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := "one.xml out/a.xml out/b.xml g/x1.xml g/x2.xml <stdin>"
	if links {
		want = "one.xml out/a.xml out/b.xml out/c-link.xml g/x1.xml g/x2.xml <stdin>"
	}
	if n := len(strings.Fields(want)); b.Len() != n {
		t.Fatalf("Len = %d, want %d", b.Len(), n)
	}
	inputs, payloads, _ := collect(t, b)
	for i := range inputs {
		inputs[i] = strings.TrimPrefix(inputs[i], filepath.ToSlash(dir)+"/")
	}
	if got := strings.Join(inputs, " "); got != want {
		t.Errorf("inputs = %s, want %s", got, want)
	}
	if payloads[0] != `<?xml version="1.0" encoding="UTF-8"?><one>é</one>` {
		t.Errorf("ISO-8859-1 input sent as %q, want UTF-8", payloads[0])
	}
	if links && payloads[3] != "<x1/>" {
		t.Errorf("linked file's payload %q", payloads[3])
	}
	if payloads[len(payloads)-1] != "<stdin/>" {
		t.Errorf("stdin payload %q", payloads[len(payloads)-1])
	}
	// The second pass reads again: a second iteration gives the same.
	again, _, _ := collect(t, b)
	if len(again) != len(inputs) {
		t.Errorf("second iteration gave %d messages", len(again))
	}
}

func TestScanBadInputs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/bad.xml", "<a>\n<b></a>")
	writeFile(t, dir+"/data.csv", "id,amount\n1,2\n")
	writeFile(t, dir+"/ok.xml", "<ok/>")
	writeFile(t, dir+"/bad.ndjson", "\"<a/>\"\n\n{\"payload\": \"<b/>\"}\nnot json\n")
	writeFile(t, dir+"/nopayload.ndjson", "{\"external_message_id\": \"x\"}\n")
	writeFile(t, dir+"/typo.ndjson", "{\"paylod\": \"<b/>\"}\n")
	writeFile(t, dir+"/longid.ndjson", "{\"payload\": \"<b/>\", \"external_message_id\": \""+strings.Repeat("x", 71)+"\"}\n")
	writeFile(t, dir+"/badxml.ndjson", "\"<a/>\"\n\"<a>\"\n")
	writeFile(t, dir+"/blank.ndjson", "\n  \n")
	if err := os.Mkdir(dir+"/empty", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/onlysub/sub/x.xml", "<x/>")
	for _, tt := range []struct {
		name   string
		src    Source
		want   string
		line   int
		nonXML bool
	}{
		{name: "missing file", src: Source{Args: []string{dir + "/ok.xml", dir + "/nope.xml"}}, want: "nope.xml: cannot read: no such file or directory"},
		{name: "not XML", src: Source{Args: []string{dir + "/ok.xml", dir + "/data.csv"}}, want: "data.csv: is not a well-formed XML document (XML: no root element); send non-XML data with --non-xml"},
		{name: "malformed XML", src: Source{Args: []string{dir + "/bad.xml"}}, want: "send non-XML data with --non-xml"},
		{name: "empty directory", src: Source{Args: []string{dir + "/empty"}}, want: "empty: the directory has no files to publish"},
		{name: "only subdirectories", src: Source{Args: []string{dir + "/onlysub"}}, want: "the directory has no files to publish"},
		{name: "no glob match", src: Source{Args: []string{dir + "/*.json"}}, want: "*.json: no file matches the pattern"},
		{name: "bad glob", src: Source{Args: []string{dir + "/[x"}}, want: "bad pattern"},
		{name: "stdin twice", src: Source{Args: []string{"-", "-"}, Stdin: strings.NewReader("<a/>")}, want: "given twice"},
		{name: "no inputs", src: Source{}, want: "no input"},
		{name: "ndjson not json", src: Source{Args: []string{dir + "/bad.ndjson"}, NDJSON: true}, want: "bad.ndjson:4: not NDJSON", line: 4},
		{name: "ndjson no payload", src: Source{Args: []string{dir + "/nopayload.ndjson"}, NDJSON: true}, want: `nopayload.ndjson:1: the object has no "payload"`, line: 1},
		{name: "ndjson unknown field", src: Source{Args: []string{dir + "/typo.ndjson"}, NDJSON: true}, want: `unknown field "paylod"`, line: 1},
		{name: "ndjson long id", src: Source{Args: []string{dir + "/longid.ndjson"}, NDJSON: true}, want: "external_message_id is 71 characters; PeopleSoft accepts at most 70", line: 1},
		{name: "ndjson bad xml", src: Source{Args: []string{dir + "/badxml.ndjson"}, NDJSON: true}, want: "badxml.ndjson:2: the payload is not a well-formed XML document", line: 2},
		{name: "ndjson empty", src: Source{Args: []string{dir + "/blank.ndjson"}, NDJSON: true}, want: "no messages in it"},
		{name: "too large", src: Source{Args: []string{dir + "/data.csv"}, MaxBytes: 4, NonXML: true}, want: "larger than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.src.Scan()
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Scan = %v, want an *InputError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if tt.line != 0 && ie.Line != tt.line {
				t.Errorf("line %d, want %d", ie.Line, tt.line)
			}
		})
	}
}

func TestScanNonXMLAndNDJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/data.csv", "id,amount\n1,2\n")
	b, err := (&Source{Args: []string{dir + "/data.csv"}, NonXML: true, NonXMLRoot: "Rows"}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	_, payloads, _ := collect(t, b)
	if !strings.Contains(payloads[0], `<Rows><data PsNonXml="Yes"><![CDATA[id,amount`) {
		t.Errorf("non-XML payload %q", payloads[0])
	}

	// NDJSON from stdin is kept for the second pass, then removed.
	tmp := t.TempDir()
	in := "\"<a/>\"\n{\"payload\": \"<b/>\", \"external_message_id\": \"ERP-42\"}\n\n\"<c/>\"\n"
	b, err = (&Source{Args: []string{"-"}, NDJSON: true, Stdin: strings.NewReader(in), TempDir: tmp}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	inputs, payloads, ids := collect(t, b)
	if strings.Join(inputs, " ") != "<stdin>:1 <stdin>:2 <stdin>:4" || strings.Join(payloads, "") != "<a/><b/><c/>" || ids[1] != "ERP-42" || ids[0] != "" {
		t.Errorf("stdin NDJSON: %v %v %v", inputs, payloads, ids)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Errorf("spool files: %v", entries)
	}
	b.Close()
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("spool not removed: %v", entries)
	}
}

// TestMessagesReportsVanishedFile: a file read again in the second pass
// (beyond what the first keeps) that was removed in between is that
// message's error; the others go on.
func TestMessagesReportsVanishedFile(t *testing.T) {
	dir := writeMessages(t, 3)
	b, err := (&Source{Args: []string{dir}, keep: 90}).Scan() // room for two of the three (42 bytes each)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n := len(slices.DeleteFunc(slices.Clone(b.kept), func(p []byte) bool { return p == nil })); n != 2 {
		t.Fatalf("%d payloads kept, want 2", n)
	}
	// Remove the one not kept.
	for i, p := range b.kept {
		if p == nil {
			if err := os.Remove(filepath.Join(dir, fmt.Sprintf("m%05d.xml", i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	var errs, oks int
	for m, err := range b.Messages() {
		if err != nil {
			errs++
			if !strings.Contains(err.Error(), ".xml") || m.Input == "" {
				t.Errorf("error %v for %q", err, m.Input)
			}
			continue
		}
		oks++
	}
	if errs != 1 || oks != 2 {
		t.Errorf("errors %d, ok %d", errs, oks)
	}
}

// TestMessagesSendWhatWasChecked: a payload kept from the first pass is
// sent as it was checked, even when its file changes (or goes) before the
// second pass.
func TestMessagesSendWhatWasChecked(t *testing.T) {
	dir := writeMessages(t, 2)
	b := scan(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "m00000.xml"), []byte("not XML any more"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "m00001.xml")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for m, err := range b.Messages() {
		if err != nil {
			t.Fatalf("%s: %v", m.Input, err)
		}
		got = append(got, string(m.Payload))
	}
	want := []string{`<?xml version="1.0"?><msg><id>0</id></msg>`, `<?xml version="1.0"?><msg><id>1</id></msg>`}
	if !slices.Equal(got, want) {
		t.Errorf("payloads %q, want %q", got, want)
	}
}

// TestNDJSONKeptOrReadAgain: NDJSON messages that fit in the budget are
// sent as the first pass checked them (the file may change in between);
// an input that does not fit is read again, whole, in order.
func TestNDJSONKeptOrReadAgain(t *testing.T) {
	lines := "\"<a>1</a>\"\n\n{\"payload\": \"<b>2</b>\", \"external_message_id\": \"X-2\"}\n\"<c>3</c>\"\n"
	for _, tc := range []struct {
		name   string
		keep   int64
		kept   bool
		inputs []string
	}{
		{"kept", 0, true, []string{"in.ndjson:1 <a>1</a> ", "in.ndjson:3 <b>2</b> X-2", "in.ndjson:4 <c>3</c> "}},
		{"read again", 200, false, []string{"in.ndjson:1 <z>changed</z> ", "in.ndjson:2 <b>2</b> X-2"}}, // the first line fits, the second not
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.ndjson")
			if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := (&Source{Args: []string{path}, NDJSON: true, keep: tc.keep}).Scan()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if b.Len() != 3 || (b.keptLines[0] != nil) != tc.kept {
				t.Fatalf("%d messages, kept %v (want 3, %v)", b.Len(), b.keptLines[0] != nil, tc.kept)
			}
			changed := "\"<z>changed</z>\"\n{\"payload\": \"<b>2</b>\", \"external_message_id\": \"X-2\"}\n"
			if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			var got []string
			for m, err := range b.Messages() {
				if err != nil {
					t.Fatalf("%s: %v", m.Input, err)
				}
				got = append(got, fmt.Sprintf("%s %s %s", filepath.Base(m.Input), m.Payload, m.ExternalMessageID))
			}
			if !slices.Equal(got, tc.inputs) {
				t.Errorf("messages %q, want %q", got, tc.inputs)
			}
			// What is not kept is given back to the budget.
			if left := b.budget.Load(); (tc.kept && left >= keepBudget) || (!tc.kept && left != tc.keep) {
				t.Errorf("budget left %d", left)
			}
		})
	}
}

func TestMessageID(t *testing.T) {
	tg := Target{URL: "http://a:1/PSIGW", From: "PTEST", To: "HRMS"}
	id := MessageID(testOp, tg, "abc")
	if len(id) > 70 || !strings.HasPrefix(id, "psib-") || len(id) != 45 {
		t.Errorf("id %q", id)
	}
	if MessageID(testOp, tg, "abc") != id {
		t.Error("not stable")
	}
	other := tg
	other.URL = "https://b/PSIGW"
	if MessageID(testOp, other, "abc") != id {
		t.Error("the id depends on the gateway URL; the same system may have several")
	}
	for _, v := range []string{MessageID("OTHER.v1", tg, "abc"), MessageID(testOp, Target{URL: tg.URL, From: "X", To: "HRMS"}, "abc"),
		MessageID(testOp, Target{URL: tg.URL, From: "PTEST", To: "Y"}, "abc"), MessageID(testOp, tg, "abd")} {
		if v == id {
			t.Error("the id does not depend on operation, nodes and content")
		}
	}
	if messageKey(testOp, tg, "content:abc") == messageKey(testOp, other, "content:abc") {
		t.Error("the journal key does not depend on the gateway URL")
	}
	if a, b := NewRandomID(), NewRandomID(); a == b || len(a) != 45 {
		t.Errorf("random ids %q %q", a, b)
	}
}

// TestKeepBudget: kept payloads are copies sized as counted, and a payload
// over the budget does not use it up for the smaller ones after it.
func TestKeepBudget(t *testing.T) {
	b := &Batch{kept: make([][]byte, 3)}
	var budget atomic.Int64
	budget.Store(50)
	big := make([]byte, 100)
	small := make([]byte, 40, 4096) // a read buffer far larger than the file
	b.keep(0, big, &budget)
	b.keep(1, small, &budget)
	b.keep(2, small, &budget)
	if b.kept[0] != nil || b.kept[1] == nil || b.kept[2] != nil {
		t.Fatalf("kept %v %v %v, want only the first small one", b.kept[0] != nil, b.kept[1] != nil, b.kept[2] != nil)
	}
	if c := cap(b.kept[1]); c > 64 {
		t.Errorf("kept payload holds %d bytes of capacity for 40", c)
	}
	if got := budget.Load(); got != 10 {
		t.Errorf("budget left %d, want 10", got)
	}
}

// FuzzUnquoteSimple checks that the shortcut decodes JSON strings exactly
// as encoding/json does, whenever it answers.
func FuzzUnquoteSimple(f *testing.F) {
	for _, s := range []string{`"<?xml version=\"1.0\"?><a>x</a>"`, `"a\\b\/c\n\r\t\b\f"`, `"\u00e9"`, `"é"`, "\"\xff\"", `"a"x"`,
		`"a\"`, `""`, `"`, "\"\x01\"", `"\x"`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := unquoteSimple(raw)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("unquoteSimple(%q) = %q; encoding/json refuses it: %v", raw, got, err)
		}
		if string(got) != want {
			t.Fatalf("unquoteSimple(%q) = %q; encoding/json gives %q", raw, got, want)
		}
	})
}

// TestOpenReadStopsPastMax: a file larger than the limit is read only up
// to one byte past it, which says "too large".
func TestOpenReadStopsPastMax(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.xml")
	writeFile(t, path, strings.Repeat("x", 5000))
	for _, max := range []int64{10, 511, 512, 513, 4999} {
		data, err := openRead(path, max)
		if err != nil || int64(len(data)) != max+1 {
			t.Errorf("openRead(max %d) = %d bytes, %v; want %d", max, len(data), err, max+1)
		}
	}
	if data, err := openRead(path, 5000); err != nil || len(data) != 5000 {
		t.Errorf("openRead(max 5000) = %d bytes, %v; want the whole file", len(data), err)
	}
	if _, err := openRead(filepath.Join(t.TempDir(), "missing.xml"), 10); reason(err) != "no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}
