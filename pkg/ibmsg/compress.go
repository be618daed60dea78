package ibmsg

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
	kzlib "github.com/klauspost/compress/zlib"
)

// Compression names how a section's bytes were compressed.
type Compression string

// Compressions psib detects by content. How PeopleSoft marks a compressed
// part is not documented, so decoders sniff the bytes.
const (
	CompressionNone    Compression = "none"
	CompressionGzip    Compression = "gzip"
	CompressionZlib    Compression = "zlib"
	CompressionDeflate Compression = "deflate"
)

// ContentEncoding describes how a body travels: base64 on top of an optional
// compression.
type ContentEncoding struct {
	Base64      bool
	Compression Compression
}

// IsPlain reports whether the body travels as is.
func (e ContentEncoding) IsPlain() bool {
	return !e.Base64 && (e.Compression == "" || e.Compression == CompressionNone)
}

// EncodeContent compresses (when asked) and base64-encodes body. A
// compressed body is always base64-encoded: it is binary.
func EncodeContent(body []byte, enc ContentEncoding) ([]byte, error) {
	out := body
	if enc.Compression != "" && enc.Compression != CompressionNone {
		var err error
		if out, err = Compress(body, enc.Compression); err != nil {
			return nil, err
		}
		enc.Base64 = true
	}
	if enc.Base64 {
		b := make([]byte, base64.StdEncoding.EncodedLen(len(out)))
		base64.StdEncoding.Encode(b, out)
		return b, nil
	}
	return out, nil
}

// Compress compresses data with c.
func Compress(data []byte, c Compression) ([]byte, error) {
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch c {
	case CompressionGzip:
		w = gzip.NewWriter(&b)
	case CompressionZlib:
		w = zlib.NewWriter(&b)
	case CompressionDeflate:
		w, err = flate.NewWriter(&b, flate.DefaultCompression)
	case CompressionNone, "":
		return data, nil
	default:
		return nil, fmt.Errorf("ibmsg: unknown compression %q", c)
	}
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// DecodeContent undoes the transport encoding of raw section bytes: base64
// when declared (transferEncoding "base64") or when the content is clearly
// base64 (it decodes to compressed data or to an XML document), then
// compression detected from the bytes (gzip, zlib, raw deflate). The result
// is capped at lim's MaxSectionBytes.
func DecodeContent(raw []byte, transferEncoding string, lim Limits) ([]byte, ContentEncoding, error) {
	body, enc, err := decodeContent(raw, transferEncoding, lim)
	return body[:len(body):len(body)], enc, err
}

// decodeContent is DecodeContent, for this package: a body it decoded may
// have capacity past its length (memory not cleared), and lies at the
// start of its buffer, which Message.ReleaseContent may recycle.
func decodeContent(raw []byte, transferEncoding string, lim Limits) ([]byte, ContentEncoding, error) {
	enc := ContentEncoding{Compression: CompressionNone}
	data := raw
	declared := equalFold(transferEncoding, "base64")
	var pooled *[]byte // data's buffer, when only inflating reads it
	if declared || looksBase64(raw) {
		buf, _ := base64Buffers.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		dec, err := decodeBase64Into((*buf)[:0], raw)
		switch {
		case err != nil && declared:
			base64Buffers.Put(buf)
			return raw, enc, &SyntaxError{What: "base64 section", Msg: err.Error()}
		case err == nil && (declared || plausibleDecoded(dec) || isBinary(dec) && inflatesAsDeflate(dec, lim.maxSection())):
			data = dec
			enc.Base64 = true
			*buf = dec
			pooled = buf
		default:
			base64Buffers.Put(buf)
		}
	} else if equalFold(transferEncoding, "quoted-printable") {
		// PeopleSoft writes 8bit; quoted-printable appears only when
		// something on the way re-encoded the message.
		dec, err := decodeQuotedPrintable(raw)
		if err != nil {
			return raw, enc, &SyntaxError{What: "quoted-printable section", Msg: err.Error()}
		}
		data = dec
	}
	body, c, err := decompress(data, lim.maxSection(), enc.Base64)
	if pooled != nil && err == nil && c != CompressionNone && cap(*pooled) <= maxPooledBase64 {
		// The decoded base64 was only the inflater's input: its buffer
		// serves the next section.
		base64Buffers.Put(pooled)
	}
	if err != nil {
		return data, enc, err
	}
	enc.Compression = c
	return body, enc, nil
}

// base64Buffers holds buffers for base64 that is then inflated, so that a
// log's compressed sections do not each allocate one.
var base64Buffers sync.Pool

// maxPooledBase64 is the largest such buffer kept.
const maxPooledBase64 = 1 << 20

// Decompress detects gzip, zlib or (when tryDeflate and the data is
// binary) raw deflate by content and inflates it, up to max bytes. Data that
// is not compressed is returned as is with CompressionNone.
func Decompress(data []byte, max int64, tryDeflate bool) ([]byte, Compression, error) {
	out, c, err := decompress(data, max, tryDeflate)
	return out[:len(out):len(out)], c, err
}

// decompress is Decompress, for this package: what the one-shot inflater
// inflated keeps the capacity of its buffer (see decodeContent).
func decompress(data []byte, max int64, tryDeflate bool) ([]byte, Compression, error) {
	switch {
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		if out, ok := inflateGzip(data, max, gzipSizeHint(data)); ok {
			return out, CompressionGzip, nil
		}
		// A pooled reader keeps its source: the section is reached through
		// src, which is emptied afterwards, so that the pool never holds a
		// section's bytes.
		src := bytes.NewReader(data)
		defer src.Reset(nil)
		zr, _ := gzipReaders.Get().(*kgzip.Reader)
		var err error
		if zr == nil {
			zr, err = kgzip.NewReader(src)
		} else {
			err = zr.Reset(src)
		}
		if err != nil {
			return nil, CompressionGzip, &SyntaxError{What: "gzip section", Msg: err.Error()}
		}
		out, err := inflateAll(zr, max, "gzip", gzipSizeHint(data))
		gzipReaders.Put(zr)
		return out, CompressionGzip, err
	case isZlibHeader(data):
		if out, ok := inflateZlib(data, max, 4*len(data)); ok {
			return out, CompressionZlib, nil
		}
		src := bytes.NewReader(data)
		defer src.Reset(nil)
		var zr io.ReadCloser
		var err error
		if r, ok := zlibReaders.Get().(io.ReadCloser); ok {
			zr, err = r, r.(kzlib.Resetter).Reset(src, nil)
		} else {
			zr, err = kzlib.NewReader(src)
		}
		if err != nil {
			return nil, CompressionZlib, &SyntaxError{What: "zlib section", Msg: err.Error()}
		}
		out, err := inflateAll(zr, max, "zlib", 4*len(data))
		zlibReaders.Put(zr)
		return out, CompressionZlib, err
	case tryDeflate && isBinary(data):
		src := bytes.NewReader(data)
		defer src.Reset(nil)
		fr, ok := flateReaders.Get().(io.ReadCloser)
		if ok {
			_ = fr.(kflate.Resetter).Reset(src, nil) // flate's Reset cannot fail
		} else {
			fr = kflate.NewReader(src)
		}
		out, err := inflateAll(fr, max, "deflate", 4*len(data))
		flateReaders.Put(fr)
		if err != nil {
			if err == ErrTooLarge || isTooLarge(err) {
				return nil, CompressionDeflate, err
			}
			// Not deflate after all: binary content, returned as is.
			return data, CompressionNone, nil
		}
		return out, CompressionDeflate, nil
	}
	return data, CompressionNone, nil
}

// Sections are inflated with github.com/klauspost/compress, whose
// decompressor is about twice as fast as the standard library's on
// gateway-log sections (README, dependency notes); compression (rare:
// building test messages) stays with the standard library.
//
// Inflaters are reused: each holds a 32 KiB window and Huffman tables
// that cost more to allocate and clear than a small section costs to
// inflate (a gateway log holds thousands). Reset makes a pooled reader
// indistinguishable from a new one.
var (
	gzipReaders  sync.Pool // *kgzip.Reader
	zlibReaders  sync.Pool // zlib reader (io.ReadCloser + zlib.Resetter)
	flateReaders sync.Pool // flate reader (io.ReadCloser + flate.Resetter)
)

// gzipSizeHint is the inflated size a gzip stream declares in its trailer
// (ISIZE, RFC 1952), when believable: the output buffer is then allocated
// once instead of grown. A trailer that claims more than a plausible ratio
// gets a modest guess: it could be a bomb, and the cap applies anyway.
func gzipSizeHint(data []byte) int {
	guess := 4 * len(data)
	if len(data) < 18 {
		return guess
	}
	isize := int(binary.LittleEndian.Uint32(data[len(data)-4:]))
	if isize > 64*len(data)+64<<10 {
		return guess
	}
	return isize
}

func isTooLarge(err error) bool {
	for e := err; e != nil; {
		if e == ErrTooLarge {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// inflateAll reads r to its end into a buffer sized from hint, up to max
// bytes: more is ErrTooLarge.
func inflateAll(r io.Reader, limit int64, what string, hint int) ([]byte, error) {
	r = io.LimitReader(r, limit+1)
	out := make([]byte, 0, min(int64(max(hint, 512)), limit)+1)
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &SyntaxError{What: what + " section", Msg: err.Error()}
		}
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: %s section inflates past %d bytes (raise the limit if this is real data)", ErrTooLarge, what, limit)
	}
	return out, nil
}

// isZlibHeader checks the two zlib header bytes: deflate method, a valid
// window size and the header checksum.
func isZlibHeader(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	cmf, flg := b[0], b[1]
	return cmf&0x0f == 8 && cmf>>4 <= 7 && (uint16(cmf)<<8|uint16(flg))%31 == 0 && flg&0x20 == 0
}

func isBinary(b []byte) bool {
	if !utf8.Valid(b) {
		return true
	}
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			return true
		}
	}
	return false
}

// looksBase64 reports whether b consists only of base64 characters and
// whitespace, with enough of them to be an encoded payload.
func looksBase64(b []byte) bool {
	n := 0
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			n++
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			return false
		}
	}
	return n >= 8 && n%4 == 0
}

// plausibleDecoded reports whether bytes decoded from undeclared base64
// are really a payload: gzip or zlib data, or an XML document. (Raw deflate
// has no magic bytes; DecodeContent checks it with inflatesAsDeflate.)
// Other binary results are not enough: short text such as "12345678" or
// "TESTDATA" is valid base64 of junk.
func plausibleDecoded(b []byte) bool {
	if len(b) >= 2 && ((b[0] == 0x1f && b[1] == 0x8b) || isZlibHeader(b)) {
		return true
	}
	t := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '<'
}

// inflatesAsDeflate reports whether b is a raw deflate stream that inflates
// without error. It stops reading past max bytes (a bomb counts as deflate,
// so that the caller reports it); the output is discarded.
func inflatesAsDeflate(b []byte, max int64) bool {
	_, err := io.Copy(io.Discard, io.LimitReader(kflate.NewReader(bytes.NewReader(b)), max+1))
	return err == nil
}

// decodeBase64Into decodes base64 that may hold white space (line ends,
// spaces, tabs) and may lack its padding, into dst's memory when it is
// large enough.
func decodeBase64Into(dst, raw []byte) ([]byte, error) {
	// Without a cleaned copy: the whole quanta at the start, line by
	// line, are decoded here (with AVX2, 32 characters at a time);
	// base64's own decoder, which skips line ends itself, takes what
	// is left: padding, a quantum cut by a line end, anything
	// unexpected. Should it fail (spaces, tabs, no padding, bad
	// input), the cleaned copy below decides, so that an error's
	// offset counts the cleaned input, as it always has.
	size := base64.StdEncoding.DecodedLen(len(raw))
	buf := dst
	if cap(buf) < size+base64Slack {
		buf = make([]byte, size+base64Slack)
	}
	buf = buf[:size+base64Slack]
	i, o := decodeBase64Prefix(buf, raw)
	if m, err := base64.StdEncoding.Decode(buf[o:size], raw[i:]); err == nil {
		return buf[:o+m], nil
	}
	clean := make([]byte, 0, len(raw))
	for _, c := range raw {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		// Some writers drop the padding. Unpadded input can decode to more
		// bytes than StdEncoding.DecodedLen allows for ("00" is 0 there).
		unpadded := bytes.TrimRight(clean, "=")
		out2 := make([]byte, base64.RawStdEncoding.DecodedLen(len(unpadded)))
		if n2, err2 := base64.RawStdEncoding.Decode(out2, unpadded); err2 == nil {
			return out2[:n2], nil
		}
		return nil, err
	}
	return out[:n], nil
}

// base64Slack is room past the decoded bytes for the last blocks: a block
// of 32 characters is stored as 32 bytes, 24 of them decoded, and
// decodeBase64Blocks stops where a store would not fit (the quanta loop
// then does the rest, more slowly).
const base64Slack = 8

// decodeBase64Prefix decodes the start of raw into out, as far as it is
// whole quanta of the standard alphabet with nothing between them but line
// ends ("\n", "\r\n"). It returns how much of raw it read, which ends at a
// quantum boundary (what follows is padding, a quantum cut by a line end,
// another byte, or the end), and how many bytes it wrote. out has room for
// what raw decodes to plus base64Slack.
func decodeBase64Prefix(out, raw []byte) (read, wrote int) {
	i, o := 0, 0
	for {
		di, do := decodeBase64Blocks(out[o:], raw[i:])
		i, o = i+di, o+do
		for i+4 <= len(raw) {
			a, b, c, d := base64Values[raw[i]], base64Values[raw[i+1]], base64Values[raw[i+2]], base64Values[raw[i+3]]
			if a|b|c|d > 63 {
				break
			}
			v := uint(a)<<18 | uint(b)<<12 | uint(c)<<6 | uint(d)
			out[o], out[o+1], out[o+2] = byte(v>>16), byte(v>>8), byte(v)
			i, o = i+4, o+3
		}
		switch {
		case i < len(raw) && raw[i] == '\n':
			i++
		case i+1 < len(raw) && raw[i] == '\r' && raw[i+1] == '\n':
			i += 2
		default:
			return i, o
		}
	}
}

// base64Values maps a byte of the standard alphabet to its value, and any
// other byte to 0xFF.
var base64Values = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for v := range len(alphabet) {
		t[alphabet[v]] = uint8(v)
	}
	return t
}()

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }
