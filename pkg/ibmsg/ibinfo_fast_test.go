package ibmsg

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
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
