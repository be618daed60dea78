package ibmsg

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// FuzzFastIBInfo checks the fast IBInfo reader against parseIBInfoXML (encoding/xml):
// whenever the fast path answers, the answer is the same.
func FuzzFastIBInfo(f *testing.F) {
	for _, p := range []string{"../../testdata/ibmsg/ibinfo-request-seed002.xml"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`<?xml version="1.0"?><IBInfo><Status><StatusCode>10</StatusCode><MsgSet>158</MsgSet> <MsgID>10721</MsgID><Parameters count="1"><Parm>404</Parm></Parameters> <DefaultTitle>Integration Gateway  Error</DefaultTitle></Status></IBInfo>`))
	f.Add([]byte(`<IBInfo><MessageName><![CDATA[A&B]]></MessageName><From><Password><![CDATA[x]]></Password></From><ContentSections><ContentSection><ID>ContentSection0</ID><Headers><version><![CDATA[VERSION_1]]></version></Headers></ContentSection></ContentSections><Connector><ConnectorParameters><ConnectorParam><Name>URL</Name><Value>http://x?a=1&amp;b=2</Value></ConnectorParam></ConnectorParameters></Connector></IBInfo>`))
	f.Add([]byte("<IBInfo>\r\n<MessageName>a\rb</MessageName><!-- c --><QStrArgs/></IBInfo>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := fastIBInfo(data)
		if !ok {
			return
		}
		slow, err := parseIBInfoXML(data)
		if err != nil {
			t.Fatalf("fast path read a document parseIBInfoXML refuses (%v):\n%s", err, data)
		}
		fj, _ := json.Marshal(fast)
		sj, _ := json.Marshal(slow)
		if !bytes.Equal(fj, sj) || fast.From != nil && slow.From != nil && fast.From.Password.Reveal() != slow.From.Password.Reveal() {
			t.Fatalf("fast and slow differ for\n%s\nfast %s\nslow %s", data, fj, sj)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast and slow differ (deep) for\n%s\nfast %#v\nslow %#v", data, fast, slow)
		}
	})
}

// BenchmarkFastIBInfo compares the fast IBInfo reader with encoding/xml.
func BenchmarkFastIBInfo(b *testing.B) {
	doc := []byte(`<?xml version="1.0"?><IBInfo><MessageName><![CDATA[PERSON_BASIC_SYNC]]></MessageName><MessageType>async</MessageType><TransactionID><![CDATA[d2b1e6f0-1a4c-11f1-9c3a-8f1e2d3c4b5a]]></TransactionID><From><RequestingNode><![CDATA[PSFT_HR]]></RequestingNode><OrigTimeStamp>2026-03-02T14:05:11.301-0600</OrigTimeStamp></From><To><DestinationNode><![CDATA[PSFT_CS]]></DestinationNode></To><ContentSections><ContentSection><ID>ContentSection0</ID><NonRepudiation>N</NonRepudiation></ContentSection></ContentSections></IBInfo>`)
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, ok := fastIBInfo(doc); !ok {
				b.Fatal("fast path refused")
			}
		}
	})
	b.Run("encoding/xml", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, err := parseIBInfoXML(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzFastIBResponse checks the fast IBResponse reader against
// parseIBResponse (encoding/xml): whenever the fast path answers, the
// answer is the same.
func FuzzFastIBResponse(f *testing.F) {
	f.Add(NewSuccessResponse("T1").Marshal())
	f.Add(NewErrorResponse(Status{MsgSet: 158, MsgID: 536, Parameters: Params{"U", "OP.v1"}}).Marshal())
	f.Add([]byte("<?xml version=\"1.0\"?>\r\n<IBResponse xmlns=\"\" type = \" Success \"><DefaultTitle>a &amp; b</DefaultTitle><StatusCode> 0 </StatusCode><!-- x --><TransactionID><![CDATA[t\r\n1]]></TransactionID></IBResponse>"))
	f.Add([]byte(`<IBResponse type="error"><MessageID>10721</MessageID><DefaultMessage>x</DefaultMessage><MsgSet>158</MsgSet><MessageParameters><Parameter> p </Parameter><Parameter/></MessageParameters></IBResponse>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := fastIBResponse(data)
		if !ok {
			return
		}
		slow, err := parseIBResponse(data, "ibresponse")
		if err == nil {
			err = refuseDTD(data)
		}
		if err != nil {
			t.Fatalf("fast path read a document the full reader refuses (%v):\n%s", err, data)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast and slow differ for\n%s\nfast %#v\nslow %#v", data, fast, slow)
		}
	})
}

// BenchmarkParseResponse is the cost of reading a publish acknowledgement.
func BenchmarkParseResponse(b *testing.B) {
	doc := NewSuccessResponse("6f1c2a4e-1a4c-11f1-9c3a-8f1e2d3c4b5a").Marshal()
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := fastIBResponse(doc); !ok {
				b.Fatal("fast path refused")
			}
		}
	})
	b.Run("encoding/xml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseIBResponse(doc, "ibresponse"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFastDeclaration: the fast readers give up on XML declarations
// encoding/xml refuses or reads differently, and never panic on them.
func TestFastDeclaration(t *testing.T) {
	for _, decl := range []string{`<?xml version="0"?>`, `<?xml version=?>`, `<?xml version="1.0" encoding=?>`, `<?xml encoding="utf-8"?>`,
		`<?xml version="1.0" encoding="latin1"?>`, `<?xml version="1.0 "?>`, `<?xml version="1.0" x="encoding=utf-8" encoding="ISO-8859-1"?>`,
		`<?xml version="1.0"encoding="utf-8"?>`, `<?xml version="1.0" version="1.0"?>`, `<?xmlversion="1.0"?>`} {
		if _, ok := fastIBResponse([]byte(decl + `<IBResponse type="success"></IBResponse>`)); ok {
			t.Errorf("fast IBResponse read %s", decl)
		}
		if _, ok := fastIBInfo([]byte(decl + `<IBInfo></IBInfo>`)); ok {
			t.Errorf("fast IBInfo read %s", decl)
		}
	}
	if _, ok := fastIBResponse([]byte(`<?xml version='1.0' encoding="UTF-8"?><IBResponse type="success"></IBResponse>`)); !ok {
		t.Error("fast IBResponse refused a plain UTF-8 declaration")
	}
	// Comments encoding/xml refuses ("--" inside, or ending in "--->")
	// are refused by CheckXML whichever reader answers.
	for _, doc := range []string{`<a><!-- x ---></a>`, `<!-- x ---><a/>`, `<a/><!----->`, `<a><!-- a -- b --></a>`, `<?xml version="1.0 "?><a/>`} {
		if _, ok := (&miniParser{b: []byte(doc)}).document(); ok {
			t.Errorf("mini reader accepted %s", doc)
		}
		if err := CheckXML([]byte(doc)); err == nil {
			t.Errorf("CheckXML accepted %s", doc)
		}
	}
	// Documents the mini reader leaves to encoding/xml, building the tree
	// or not: a duplicate attribute, crossed elements, xml: attributes,
	// namespaces, an unfinished text or end tag.
	for _, doc := range []string{`<a x="1" x="2"/>`, `<a x="1" y="2" x="3"></a>`, `<a><b></a></b>`, `<a xml:lang="en"/>`, `<a xmlns="urn:x"/>`,
		`<a>x`, `<a></a`, `<a></ab>`} {
		if _, ok := (&miniParser{b: []byte(doc)}).document(); ok {
			t.Errorf("miniParse accepted %s", doc)
		}
		if miniCheck([]byte(doc)) {
			t.Errorf("miniCheck accepted %s", doc)
		}
	}
	if !miniCheck([]byte(`<a x="1" y='2'><b>t &amp; u</b><![CDATA[c]]></a>`)) {
		t.Error("miniCheck refused a plain document")
	}
	if err := CheckXML([]byte(`<?xml version="1.0" standalone='yes'?><!-- ok - fine --><a><!----></a>`)); err != nil {
		t.Errorf("CheckXML refused a good document: %v", err)
	}
}

// FuzzCheckXMLFast: CheckXML trusts the mini reader's "well formed";
// encoding/xml (with the same DTD refusal) must agree with every document
// the mini reader accepts, and the reader must answer the same whether it
// builds the tree (miniParse) or not (miniCheck).
func FuzzCheckXMLFast(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><a x="1"><b>t &amp; u</b><![CDATA[<c>]]><!-- d --></a>`))
	f.Add([]byte("<a xmlns=\"\">\r\n<b/></a>"))
	f.Add([]byte(`<a><b></a></b>`))
	f.Add([]byte(`<a><!-- x ---></a>`))
	f.Add([]byte(`<?xml version="1.0 " encoding='utf-8' standalone="no"?><a/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ok := (&miniParser{b: data}).document()
		if miniCheck(data) != ok {
			t.Fatalf("miniCheck says %v, miniParse %v:\n%q", !ok, ok, data)
		}
		if !ok {
			return
		}
		d := newSafeDecoder(bytes.NewReader(data))
		depth, roots := 0, 0
		for {
			tok, err := d.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("mini reader accepted a document encoding/xml refuses (%v):\n%q", err, data)
				}
				break
			}
			switch tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					roots++
				}
				depth++
			case xml.EndElement:
				depth--
			}
		}
		if roots != 1 {
			t.Fatalf("mini reader accepted %d root elements:\n%q", roots, data)
		}
	})
}

// BenchmarkCheckXML is the cost of checking a small payload before it is
// published.
func BenchmarkCheckXML(b *testing.B) {
	doc := []byte(`<?xml version="1.0"?><msg><id>1</id><name>hello</name></msg>`)
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckXML(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFastIBInfoReusesNodes reads IBInfo and IBResponse documents of
// different shapes one after another, and from several goroutines at once,
// so that each tree is built in node blocks an earlier tree released (one
// of them needs more than a block): each must still read as encoding/xml
// reads it.
func TestFastIBInfoReusesNodes(t *testing.T) {
	var big strings.Builder
	big.WriteString(`<IBInfo><MessageName><![CDATA[BIG]]></MessageName><ContentSections>`)
	for i := range 20 {
		fmt.Fprintf(&big, `<ContentSection><ID>ContentSection%d</ID><NonRepudiation>N</NonRepudiation><Headers><version><![CDATA[V%d]]></version></Headers></ContentSection>`, i, i)
	}
	big.WriteString(`</ContentSections></IBInfo>`)
	docs := []string{
		big.String(),
		`<IBInfo><Status><StatusCode>10</StatusCode><MsgSet>158</MsgSet><MsgID>10721</MsgID><Parameters count="2"><Parm>404</Parm><Parm>x</Parm></Parameters></Status></IBInfo>`,
		`<IBInfo><MessageName>small</MessageName><From><RequestingNode>A</RequestingNode><Password>p</Password></From></IBInfo>`,
		`<IBInfo><MessageName><![CDATA[A&B]]></MessageName><To><DestinationNode>B</DestinationNode></To></IBInfo>`,
	}
	check := func(t *testing.T, doc string) {
		fast, ok := fastIBInfo([]byte(doc))
		if !ok {
			t.Errorf("fast path refused %s", doc)
			return
		}
		slow, err := parseIBInfoXML([]byte(doc))
		if err != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("fast and slow differ (%v) for\n%s\nfast %#v\nslow %#v", err, doc, fast, slow)
		}
	}
	// IBResponse documents share the blocks, and their mapper reads
	// attributes (an element's attrs are reused too).
	responses := []string{
		string(NewSuccessResponse("T1").Marshal()),
		`<IBResponse type="error"><MessageID>10721</MessageID><DefaultMessage>x</DefaultMessage><MsgSet>158</MsgSet><MessageParameters><Parameter> p </Parameter><Parameter/></MessageParameters></IBResponse>`,
		`<IBResponse type="success"><DefaultTitle>a &amp; b</DefaultTitle><StatusCode>0</StatusCode><TransactionID><![CDATA[t1]]></TransactionID></IBResponse>`,
	}
	checkResponse := func(t *testing.T, doc string) {
		fast, ok := fastIBResponse([]byte(doc))
		if !ok {
			t.Errorf("fast path refused %s", doc)
			return
		}
		slow, err := parseIBResponse([]byte(doc), "ibresponse")
		if err != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("fast and slow differ (%v) for\n%s\nfast %#v\nslow %#v", err, doc, fast, slow)
		}
	}
	for range 3 {
		for i, doc := range docs {
			check(t, doc)
			checkResponse(t, responses[i%len(responses)])
		}
	}
	// A reused node starts with no attributes and no children of its own.
	for range 3 {
		p := miniParser{b: []byte(`<IBResponse type="success"><A x="1" y="2"/></IBResponse>`)}
		root, ok := p.document()
		if !ok || len(root.attrs) != 1 || len(root.kids) != 1 || len(root.kids[0].attrs) != 2 {
			t.Fatalf("reused nodes: ok %v, root %+v", ok, root)
		}
		p.release()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				check(t, docs[(g+i)%len(docs)])
				checkResponse(t, responses[(g+i)%len(responses)])
			}
		})
	}
	wg.Wait()
}
