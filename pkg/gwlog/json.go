package gwlog

import (
	"strconv"
	"sync"

	"github.com/psib-dev/psib/internal/jsonstr"
	"github.com/psib-dev/psib/internal/nozero"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// AppendJSON appends r's JSON (one object, no newline) to dst: the same
// bytes as encoding/json's Encoder with SetEscapeHTML(false), written
// faster. Section bodies, which make most of a log's decoded bytes, are
// escaped eight bytes at a time where nothing needs escaping; ibinfo and
// headers are written field by field (json_ibinfo.go).
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	dst = r.appendJSONHead(dst)
	if r.jsonTail != nil {
		return append(dst, r.jsonTail...), nil
	}
	return r.appendJSONTail(dst)
}

// AppendJSONHead is AppendJSON in two pieces, for writers that would
// rather not copy the large one: it appends to dst the fields before
// "status", and returns them with the rest of the object as PrepareJSON
// rendered it (valid until ReleaseJSON), which the caller writes after
// them. Without PrepareJSON, head is the whole object and tail is nil.
func (r *Record) AppendJSONHead(dst []byte) (head, tail []byte, err error) {
	dst = r.appendJSONHead(dst)
	if t := r.jsonTail; t != nil {
		// Without the buffer's spare capacity: it holds other records'
		// bytes (and is not cleared), which an append must not reach.
		return dst, t[:len(t):len(t)], nil
	}
	dst, err = r.appendJSONTail(dst)
	return dst, nil, err
}

// appendJSONHead appends the fields before "status", which pairing may
// change after PrepareJSON.
func (r *Record) appendJSONHead(dst []byte) []byte {
	dst = append(dst, `{"file":`...)
	dst = jsonstr.Append(dst, r.File)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(r.Line), 10)
	for _, f := range []struct{ key, v string }{{"kind", r.Kind}, {"format", r.Format}, {"operation", r.Operation},
		{"transaction_id", r.TransactionID}, {"from", r.From}, {"to", r.To}, {"timestamp", r.Timestamp}} {
		dst = append(dst, `,"`...)
		dst = append(dst, f.key...)
		dst = append(dst, `":`...)
		dst = jsonstr.Append(dst, f.v)
	}
	return dst
}

// PrepareJSON renders the part of r's JSON that pairing never changes
// (status, ibinfo, headers, sections: nearly all its bytes) and keeps it
// for AppendJSON, which then only writes the few fields before it. Call
// it last, after any change to those fields (redaction), typically from
// Options.Prepare so that it runs on the decoding workers: later changes
// to them are not seen by AppendJSON.
func (r *Record) PrepareJSON() error {
	r.ReleaseJSON()
	// Sized once: bodies are nearly all of it, and XML gains a backslash
	// per quote.
	n := 4 << 10
	for _, sec := range r.Sections {
		n += len(sec.Body) + len(sec.Body)/8
	}
	p, _ := jsonBuffers.Get().(*[]byte)
	if p == nil {
		p = new([]byte)
	}
	if cap(*p) < n {
		*p = nozero.Bytes(n)
	}
	tail, err := r.appendJSONTail((*p)[:0])
	if err != nil {
		jsonBuffers.Put(p)
		return err
	}
	r.jsonTail, r.jsonBuf = tail, p
	return nil
}

// ReleaseJSON gives the memory PrepareJSON rendered into back for reuse by
// later records: call it once r's JSON is written. What AppendJSON
// returned stays valid (it holds a copy), and AppendJSON still works
// afterwards, rendering r again.
func (r *Record) ReleaseJSON() {
	if p := r.jsonBuf; p != nil && r.jsonTail != nil && cap(r.jsonTail) <= maxPooledJSON {
		// (The buffer holder travels with the buffer: putting it back
		// allocates nothing.)
		*p = r.jsonTail[:0]
		jsonBuffers.Put(p)
	}
	r.jsonTail, r.jsonBuf = nil, nil
}

// jsonBuffers holds PrepareJSON's buffers: a log's records are rendered one
// after another, and reusing their buffers saves allocating (and zeroing)
// as many bytes again as the log decodes to.
var jsonBuffers sync.Pool

// maxPooledJSON is the largest buffer kept for reuse: a large message's
// buffer is left to the garbage collector.
const maxPooledJSON = 1 << 20

// appendJSONTail appends the fields from "status" on, and the closing brace.
func (r *Record) appendJSONTail(dst []byte) ([]byte, error) {
	dst = append(dst, `,"status":`...)
	if r.Status == nil {
		dst = append(dst, "null"...)
	} else {
		var err error
		if dst, err = r.Status.AppendJSON(dst); err != nil {
			return nil, err
		}
	}
	dst = append(dst, `,"ibinfo":`...)
	var err error
	if info, ok := r.IBInfo.(*ibmsg.IBInfo); ok {
		dst, err = appendIBInfoJSON(dst, info)
	} else {
		// The views of IBRequest and IBResponse documents, and
		// redacted copies: rarer, left to encoding/json.
		dst, err = jsonstr.AppendValue(dst, r.IBInfo)
	}
	if err != nil {
		return nil, err
	}
	dst = append(dst, `,"headers":`...)
	dst = appendHeadersJSON(dst, r.Headers)
	dst = append(dst, `,"sections":`...)
	if r.Sections == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, s := range r.Sections {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = jsonstr.Append(dst, s.ID)
			dst = append(dst, `,"content_type":`...)
			dst = jsonstr.Append(dst, s.ContentType)
			dst = append(dst, `,"transfer_encoding":`...)
			dst = jsonstr.Append(dst, s.TransferEncoding)
			dst = append(dst, `,"compression":`...)
			dst = jsonstr.Append(dst, s.Compression)
			dst = append(dst, `,"bytes":`...)
			dst = strconv.AppendInt(dst, int64(s.Bytes), 10)
			dst = append(dst, `,"body":`...)
			dst = jsonstr.Append(dst, s.Body)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}
