package gwlog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// testSection is a section to build a test message with.
type testSection struct {
	body string
	enc  ibmsg.ContentEncoding
}

func plainTestSection(body string) testSection { return testSection{body: body} }

func gzipTestSection(body string) testSection {
	return testSection{body: body, enc: ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip}}
}

// decodedDocument builds an async MIME message of the sections and
// decodes it with DecodeDocument: the message's bytes, and the record.
func decodedDocument(t *testing.T, sections ...testSection) ([]byte, *Record) {
	t.Helper()
	m := ibmsg.NewMessage(&ibmsg.IBInfo{MessageName: "OP.v1", MessageType: "async"}, ibmsg.MessageOptions{Seq: 1})
	for _, s := range sections {
		m.AddSection([]byte(s.body), s.enc)
	}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := DecodeDocument("doc", 1, data, ibmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return data, rec
}

// TestDocumentBodiesAreCopies: a plain section's body is the caller's
// bytes, which DecodeDocument's record must not share (the caller may
// reuse them); a decoded one (gzip+base64) decodes as it should.
func TestDocumentBodiesAreCopies(t *testing.T) {
	const plain, zipped = "<plain>text</plain>", "<zipped>text</zipped>"
	data, rec := decodedDocument(t, plainTestSection(plain), gzipTestSection(zipped))
	if len(rec.Sections) != 2 || rec.Sections[0].Body != plain || rec.Sections[1].Body != zipped || rec.Sections[1].Compression != "gzip" {
		t.Fatalf("sections: %+v", rec.Sections)
	}
	for i := range data {
		data[i] = 'X'
	}
	if rec.Sections[0].Body != plain || rec.Sections[1].Body != zipped {
		t.Fatalf("the record changed with the caller's buffer: %q, %q", rec.Sections[0].Body, rec.Sections[1].Body)
	}
	if !bytes.Equal(rec.Message.Sections[1].Body, []byte(zipped)) {
		t.Fatalf("message body %q", rec.Message.Sections[1].Body)
	}
}

// TestFromMessageCopies: FromMessage is given a caller's message (one built
// to be sent, say, whose body says how it is to travel): the record's
// bodies must not change with the caller's memory.
func TestFromMessageCopies(t *testing.T) {
	body := []byte("<zipped>text</zipped>")
	m := ibmsg.NewMessage(&ibmsg.IBInfo{MessageName: "OP.v1", MessageType: "async"}, ibmsg.MessageOptions{Seq: 1})
	m.AddSection(body, ibmsg.ContentEncoding{Base64: true, Compression: ibmsg.CompressionGzip})
	rec := FromMessage("f", 1, m)
	if len(rec.Sections) != 1 || rec.Sections[0].Body != string(body) {
		t.Fatalf("sections: %+v", rec.Sections)
	}
	copy(m.Sections[0].Body, "XXXXXXXX")
	if rec.Sections[0].Body != "<zipped>text</zipped>" {
		t.Fatalf("the record changed with the caller's message: %q", rec.Sections[0].Body)
	}
}

// TestReleaseContent: a record of a message decoded here gives its decoded
// bodies back (they are empty afterwards, the JSON prepared before is
// unchanged); a record of a caller's message keeps them, and so does the
// caller's message.
func TestReleaseContent(t *testing.T) {
	const zipped = "<zipped>text</zipped>"
	data, rec := decodedDocument(t, gzipTestSection(zipped))
	want, err := rec.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.PrepareJSON(); err != nil {
		t.Fatal(err)
	}
	rec.ReleaseContent()
	if rec.Sections[0].Body != "" || rec.Message.Sections[0].Body != nil {
		t.Errorf("bodies after release: %q, %q", rec.Sections[0].Body, rec.Message.Sections[0].Body)
	}
	if got, _ := rec.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("prepared JSON changed:\n%s\nwant\n%s", got, want)
	}

	caller := ibmsg.NewMessage(&ibmsg.IBInfo{MessageName: "OP.v1", MessageType: "async"}, ibmsg.MessageOptions{Seq: 1})
	caller.AddSection([]byte(zipped), ibmsg.ContentEncoding{Base64: true, Compression: ibmsg.CompressionGzip})
	parsed, err := ibmsg.ParseMessage(data, ibmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range []*ibmsg.Message{caller, parsed} {
		r := FromMessage("f", 1, cm)
		r.ReleaseContent()
		if r.Sections[0].Body != zipped || string(cm.Sections[0].Body) != zipped {
			t.Errorf("FromMessage's record released the caller's bodies: %q, %q", r.Sections[0].Body, cm.Sections[0].Body)
		}
	}
}

// TestHeadersJSONRoundTrip: a record's headers read back from its JSON
// are the fields by name (the last of a name, as written); null stays nil.
func TestHeadersJSONRoundTrip(t *testing.T) {
	in := Headers{{Name: "b", Value: "1"}, {Name: "a", Value: "x"}, {Name: "b", Value: "2"}}
	b, err := json.Marshal(&Record{Headers: in})
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if want := (Headers{{Name: "a", Value: "x"}, {Name: "b", Value: "2"}}); !reflect.DeepEqual(back.Headers, want) {
		t.Errorf("headers read back: %v, want %v", back.Headers, want)
	}
	var none Headers = Headers{}
	if err := json.Unmarshal([]byte("null"), &none); err != nil || none != nil {
		t.Errorf("null: %v, %v", none, err)
	}
	if err := json.Unmarshal([]byte(`{"a":1}`), &none); err == nil {
		t.Error("a number for a header's value was taken")
	}
}

// TestWithSecretsKeepsJSONBuffer: a copy made by WithSecrets after
// PrepareJSON does not share the original's rendering: releasing both
// gives the buffer back once, and two records rendered afterwards do not
// write into one buffer.
func TestWithSecretsKeepsJSONBuffer(t *testing.T) {
	_, a := decodedDocument(t, gzipTestSection("<first>text</first>"))
	if err := a.PrepareJSON(); err != nil {
		t.Fatal(err)
	}
	c := a.WithSecrets()
	c.ReleaseJSON()
	a.ReleaseJSON()
	_, x := decodedDocument(t, gzipTestSection("<second>one</second>"))
	_, y := decodedDocument(t, gzipTestSection("<third>two</third>"))
	if err := x.PrepareJSON(); err != nil {
		t.Fatal(err)
	}
	if err := y.PrepareJSON(); err != nil {
		t.Fatal(err)
	}
	jx, _ := x.AppendJSON(nil)
	if !bytes.Contains(jx, []byte("<second>one</second>")) || bytes.Contains(jx, []byte("<third>")) {
		t.Errorf("x's JSON after y was rendered: %s", jx)
	}
}
