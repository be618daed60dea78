package ibmsg

import (
	"bytes"
	"encoding/json"
	"testing"
)

// statusJSONStd is what MarshalJSON wrote with encoding/json alone.
func statusJSONStd(t testing.TB, s Status) []byte {
	title, text, params := s.jsonTexts()
	b, err := json.Marshal(statusJSON{s.StatusCode, s.MsgSet, s.MsgID, title, text, params})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkStatusJSON compares AppendJSON (after other bytes) and MarshalJSON
// with encoding/json's rendering.
func checkStatusJSON(t *testing.T, s Status) {
	t.Helper()
	want := statusJSONStd(t, s)
	got, err := s.AppendJSON([]byte("x,"))
	if err != nil || string(got[:2]) != "x," || !bytes.Equal(got[2:], want) {
		t.Fatalf("%+v: AppendJSON %s (%v), want x,%s", s, got, err, want)
	}
	if got, err := s.MarshalJSON(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%+v: MarshalJSON %s (%v), want %s", s, got, err, want)
	}
}

// TestStatusAppendJSON: the hand-written common case and the encoding/json
// one (texts with <, > or &) write what encoding/json wrote, for catalog
// statuses (whose title and message come from the catalog), unknown ones,
// and texts that need escaping of every kind.
func TestStatusAppendJSON(t *testing.T) {
	for _, s := range []Status{
		Success(),
		{},
		{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: Params{"404"}},
		{StatusCode: 20, MsgSet: 158, MsgID: 10731, DefaultTitle: "Integration Gateway Error"},
		{StatusCode: 10, MsgSet: 999, MsgID: 1, DefaultMsg: "a \"quoted\" \\ text\n\twith\x01controls", DefaultTitle: "Zürich \u2028 \xff"},
		{StatusCode: -3, MsgSet: 158, MsgID: 10000, DefaultMsg: "<html>&amp;</html>", Parameters: Params{"a", "b<c"}},
		{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: Params{"x&y"}},
		{StatusCode: 10, DefaultTitle: "a > b", Parameters: Params{}},
		{StatusCode: 10, DefaultTitle: "a > b", DefaultMsg: "plain"},
		{StatusCode: 10, DefaultTitle: "plain", DefaultMsg: "plain", Parameters: Params{"ok", "&"}},
	} {
		checkStatusJSON(t, s)
	}
}

// FuzzStatusAppendJSON: any status writes what encoding/json wrote.
func FuzzStatusAppendJSON(f *testing.F) {
	f.Add(10, 158, 10721, "title", "message", "param", "")
	f.Add(0, 158, 10000, "", "", "<p>", "\xff\u2029")
	f.Fuzz(func(t *testing.T, code, set, id int, title, msg, p1, p2 string) {
		checkStatusJSON(t, Status{StatusCode: code, MsgSet: set, MsgID: id, DefaultTitle: title, DefaultMsg: msg, Parameters: Params{p1, p2}})
		checkStatusJSON(t, Status{StatusCode: code, MsgSet: set, MsgID: id, DefaultTitle: title, DefaultMsg: msg})
	})
}
