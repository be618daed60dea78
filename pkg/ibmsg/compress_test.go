package ibmsg

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestEncodeDecodeContentRoundTrip(t *testing.T) {
	t.Parallel()
	bodies := []string{"", "<a/>", strings.Repeat("<row>data</row>", 500), "binary\x00\x01\xff"}
	encs := []ContentEncoding{
		{},
		{Compression: CompressionNone},
		{Base64: true},
		{Compression: CompressionGzip},
		{Compression: CompressionZlib},
		{Compression: CompressionDeflate},
		{Base64: true, Compression: CompressionZlib},
	}
	for _, body := range bodies {
		for _, enc := range encs {
			raw, err := EncodeContent([]byte(body), enc)
			if err != nil {
				t.Fatalf("EncodeContent(%+v): %v", enc, err)
			}
			cte := "8bit"
			if !enc.IsPlain() {
				cte = "base64"
			}
			got, genc, err := DecodeContent(raw, cte, Limits{})
			if err != nil {
				t.Errorf("DecodeContent(%+v, %q): %v", enc, body, err)
				continue
			}
			if string(got) != body {
				t.Errorf("%+v: body %q, want %q", enc, got, body)
			}
			want := ContentEncoding{Base64: !enc.IsPlain(), Compression: enc.Compression}
			if want.Compression == "" {
				want.Compression = CompressionNone
			}
			// Binary data that is not compressed cannot be told apart from
			// raw deflate by content only when it inflates; it does not here.
			if genc != want {
				t.Errorf("%+v body %q: detected %+v, want %+v", enc, body, genc, want)
			}
		}
	}
	if _, err := Compress([]byte("x"), "brotli"); err == nil {
		t.Error("unknown compression accepted")
	}
	if _, err := EncodeContent([]byte("x"), ContentEncoding{Compression: "lzw"}); err == nil {
		t.Error("unknown compression accepted by EncodeContent")
	}
}

func TestDecodeContentDetection(t *testing.T) {
	t.Parallel()
	zl, _ := Compress([]byte("<zlib/>"), CompressionZlib)
	df, _ := Compress([]byte("<deflate/>"), CompressionDeflate)
	gz, _ := Compress([]byte("<gzip/>"), CompressionGzip)
	tests := []struct {
		name string
		raw  string
		cte  string
		want string
		enc  ContentEncoding
		err  bool
	}{
		{"plain XML", "<a>1</a>", "8bit", "<a>1</a>", ContentEncoding{Compression: CompressionNone}, false},
		{"undeclared base64 of XML", base64.StdEncoding.EncodeToString([]byte("<a>1</a>")), "", "<a>1</a>", ContentEncoding{Base64: true, Compression: CompressionNone}, false},
		{"undeclared base64 of zlib", base64.StdEncoding.EncodeToString(zl), "8bit", "<zlib/>", ContentEncoding{Base64: true, Compression: CompressionZlib}, false},
		{"undeclared base64 of gzip", base64.StdEncoding.EncodeToString(gz), "7bit", "<gzip/>", ContentEncoding{Base64: true, Compression: CompressionGzip}, false},
		{"undeclared base64 of raw deflate", base64.StdEncoding.EncodeToString(df), "8bit", "<deflate/>", ContentEncoding{Base64: true, Compression: CompressionDeflate}, false},
		{"digits stay text", "12345678", "8bit", "12345678", ContentEncoding{Compression: CompressionNone}, false},
		{"word stays text", "TESTDATA", "8bit", "TESTDATA", ContentEncoding{Compression: CompressionNone}, false},
		{"short base64-looking text", "abcd", "8bit", "abcd", ContentEncoding{Compression: CompressionNone}, false},
		{"declared base64 of text", base64.StdEncoding.EncodeToString([]byte("hello")), "base64", "hello", ContentEncoding{Base64: true, Compression: CompressionNone}, false},
		{"declared base64, corrupt", "%%%%", "base64", "%%%%", ContentEncoding{Compression: CompressionNone}, true},
		{"declared base64, unpadded", "PGEvPg", "base64", "<a/>", ContentEncoding{Base64: true, Compression: CompressionNone}, false},
		{"declared base64, two characters (fuzz crasher)", "00", "BASe64", "\xd3", ContentEncoding{Base64: true, Compression: CompressionNone}, false},
		{"declared base64, one character", "A", "base64", "A", ContentEncoding{Compression: CompressionNone}, true},
		{"gzip magic, corrupt: raw bytes back", "\x1f\x8b\x00\x00", "8bit", "\x1f\x8b\x00\x00", ContentEncoding{Compression: CompressionNone}, true},
		{"quoted-printable", "a=3Db", "quoted-printable", "a=b", ContentEncoding{Compression: CompressionNone}, false},
	}
	for _, tt := range tests {
		got, enc, err := DecodeContent([]byte(tt.raw), tt.cte, Limits{})
		if (err != nil) != tt.err {
			t.Errorf("%s: err %v, want error %v", tt.name, err, tt.err)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s: error %T, want *SyntaxError", tt.name, err)
			}
		}
		if tt.want != "" && string(got) != tt.want || enc != tt.enc {
			t.Errorf("%s: %q %+v, want %q %+v", tt.name, got, enc, tt.want, tt.enc)
		}
	}
}

func TestDecodeContentLimit(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("a"), 4096)
	for _, c := range []Compression{CompressionGzip, CompressionZlib, CompressionDeflate} {
		raw, err := EncodeContent(body, ContentEncoding{Compression: c})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := DecodeContent(raw, "base64", Limits{MaxSectionBytes: 4096}); err != nil {
			t.Errorf("%s: exactly at the limit: %v", c, err)
		}
		if _, _, err := DecodeContent(raw, "base64", Limits{MaxSectionBytes: 4095}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: one byte past the limit: %v, want ErrTooLarge", c, err)
		}
		// Undeclared: the same verdict.
		if _, _, err := DecodeContent(raw, "", Limits{MaxSectionBytes: 4095}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s undeclared: one byte past the limit: %v, want ErrTooLarge", c, err)
		}
	}
}
