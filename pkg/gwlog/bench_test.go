package gwlog

import (
	"context"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// benchLog is 16 MB of log entries like the gateway's at level 4: async
// requests with a gzip+base64 section and their IBInfo-only responses.
func benchLog(b *testing.B) *logStream {
	req := testMessage(b, "PERSON_BASIC_SYNC.VERSION_3", personSync(200), ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	resp := testMessage(b, "", "", ibmsg.ContentEncoding{})
	e := entry("Mon Mar 02 10:00:00 UTC 2026", req) + entry("Mon Mar 02 10:00:01 UTC 2026", resp)
	const size = 16 << 20
	return &logStream{entry: e, left: size - size%int64(len(e))}
}

func benchmarkDecode(b *testing.B, o Options) {
	size := benchLog(b).left
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := Decode(context.Background(), benchLog(b), "bench", o, func(rec *Record, err error) error {
			if err != nil {
				b.Fatal(err)
			}
			n++
			return nil
		})
		if err != nil || n == 0 {
			b.Fatalf("%d records, %v", n, err)
		}
	}
}

// BenchmarkDecode measures the whole pipeline (scanning, MIME, IBInfo,
// base64, gzip) on one worker and on GOMAXPROCS workers.
func BenchmarkDecode(b *testing.B) {
	b.Run("workers=1", func(b *testing.B) { benchmarkDecode(b, Options{Workers: 1}) })
	b.Run("workers=max", func(b *testing.B) { benchmarkDecode(b, Options{}) })
	b.Run("skip-content", func(b *testing.B) { benchmarkDecode(b, Options{SkipContent: true}) })
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
			if _, err := ibmsg.ParseIBInfo(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
