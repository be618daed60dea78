package gwlog

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/psib-dev/psib/internal/asciifold"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Error is input that could not be decoded, and where it is: a message
// (its first line), a section of one, a line too long to read.
type Error struct {
	File string
	Line int
	Err  error
}

// Error reads "file:line: why".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrTruncated marks a message whose end is missing: the log entry (or the
// input) ends before the MIME closing delimiter, the XML root's end tag or
// the Content-Length of an HTTP body.
var ErrTruncated = errors.New("gwlog: message truncated")

// ErrTooLong marks a message or a line past Options.MaxMessageBytes.
var ErrTooLong = errors.New("gwlog: message too long")

// decodeRaw turns a message's text into a record. A nil record with a nil
// error is not an IB message after all (a SOAP request, a plain document).
func decodeRaw(m *rawMessage, o *Options) (rec *Record, err error) {
	defer func() {
		// The parsers below must not panic on any input, and are fuzzed;
		// should one still do, the message is reported like any other
		// that cannot be decoded, and the rest of the log is decoded.
		if p := recover(); p != nil {
			rec, err = nil, &Error{File: m.file, Line: m.line, Err: fmt.Errorf("%w: internal error while decoding this message: %v", ErrDecode, p)}
		}
	}()
	lim, maxMsg := o.limits(), o.maxMessage()
	fail := func(err error) (*Record, error) { return nil, &Error{File: m.file, Line: m.line, Err: err} }
	if m.problem != nil {
		return fail(fmt.Errorf("%w: %v", ErrTooLong, m.problem))
	}
	if m.dropped > 0 {
		return fail(fmt.Errorf("%w: the %s message is longer than the %d-byte limit (%d more bytes were skipped); raise the limit if this is real data",
			ErrTooLong, m.format, maxMsg, m.dropped))
	}
	if m.longLine > 0 {
		return fail(fmt.Errorf("%w: line %d is longer than the %d-byte limit", ErrTooLong, m.longLine, maxMsg))
	}
	text := m.text
	if m.format == "xml" && m.xmlEsc || m.format != "xml" && looksEscaped(text) {
		// The scanner is done with the text: it is unescaped in place.
		text = unescapeHTMLInPlace(text)
	}
	switch m.format {
	case "mime":
		rec, err = decodeMIME(m, text, lim, o.SkipContent)
	case "xml":
		rec, err = decodeXMLMessage(m, text)
	case "http":
		rec, err = decodeHTTP(m, text, lim, o.SkipContent)
	}
	if rec != nil {
		rec.Raw = text
		rec.EndLine = m.lastLine()
		rec.setContext(m.ctx)
		if rec.Err != nil && err == nil {
			err = &Error{File: m.file, Line: m.line, Err: rec.Err}
		}
	}
	return rec, err
}

func (m *rawMessage) lastLine() int {
	if len(m.lines) == 0 {
		return m.line
	}
	return int(m.lines[len(m.lines)-1])
}

// physLine maps a 1-based line of the message's text to the input's line.
func (m *rawMessage) physLine(n int) int {
	if n >= 1 && n <= len(m.lines) {
		return int(m.lines[n-1])
	}
	return m.line
}

var relLine = regexp.MustCompile(`(^line |at line |MIME: line )(\d+)\b`)

// remap rewrites "at line N" (and a leading "line N") that ibmsg reports
// relative to the message into lines of the input; offset is the message
// line where the parsed text started.
func (m *rawMessage) remap(s string, offset int) string {
	return relLine.ReplaceAllStringFunc(s, func(x string) string {
		sub := relLine.FindStringSubmatch(x)
		n, _ := strconv.Atoi(sub[2])
		return sub[1] + strconv.Itoa(m.physLine(n+offset))
	})
}

func (r *Record) setContext(c logContext) {
	r.LogTime, r.Description, r.Connector = c.timeText, c.desc, c.connector
	if !c.time.IsZero() {
		r.Time = c.time
		r.Timestamp = c.time.Format("2006-01-02T15:04:05.000Z07:00")
		return
	}
	if c.timeText != "" {
		r.Timestamp = c.timeText
		return
	}
	if r.Timestamp != "" {
		if t, err := ibmsg.ParseTimestamp(r.Timestamp); err == nil {
			r.Time = t
		} else if t, ok := parseLogTime(r.Timestamp, time.UTC); ok {
			r.Time = t
		}
	}
}

// looksEscaped reports whether a message's text was HTML-escaped: it has
// entities and no raw markup (an unescaped message always has some: the
// IBInfo, the XML payload).
func looksEscaped(b []byte) bool {
	if bytes.IndexByte(b, '<') >= 0 {
		return false
	}
	i := bytes.IndexByte(b, '&')
	for i >= 0 {
		r := b[i:]
		if bytes.HasPrefix(r, []byte("&lt;")) || bytes.HasPrefix(r, []byte("&gt;")) || bytes.HasPrefix(r, []byte("&amp;")) ||
			bytes.HasPrefix(r, []byte("&quot;")) || bytes.HasPrefix(r, []byte("&#")) {
			return true
		}
		j := bytes.IndexByte(r[1:], '&')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// unescapeHTML undoes HTML escaping: the five XML entities, numeric
// references, &nbsp; (as a plain space: it is layout) and the other named
// entities of HTML.
func unescapeHTML(b []byte) []byte {
	i := bytes.IndexByte(b, '&')
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i >= 0 {
		out = append(out, b[:i]...)
		b = b[i:]
		n, rep := entity(b)
		if n == 0 {
			out = append(out, '&')
			b = b[1:]
		} else {
			out = append(out, rep...)
			b = b[n:]
		}
		i = bytes.IndexByte(b, '&')
	}
	return append(out, b...)
}

// unescapeHTMLInPlace is unescapeHTML writing over b, which the caller
// gives up (FuzzUnescapeHTMLInPlace). An entity is never shorter than its
// text, save for a few of HTML's named ones (&nGt;), from the first of
// which on the rest is unescaped into a new slice. With AVX2 it writes
// from the start, 32 bytes at a time; without, aligned to b's end
// (unescapeBackward).
func unescapeHTMLInPlace(b []byte) []byte { return unescapeInPlace(b) }

// unescapeBackward is unescapeHTMLInPlace one entity at a time, the text
// written aligned to b's end: what follows the last entity stays where it
// is. That is most of a message (its base64 content, after the entities
// of the headers and the IBInfo), which writing from the start would move
// down by the bytes the entities gave up.
func unescapeBackward(b []byte) []byte {
	// The entities' offsets, found first; the text is then written from
	// its end. Too many for the list: written from the start instead.
	var at [256]int32
	ents := at[:0]
	for r := bytes.IndexByte(b, '&'); r >= 0; {
		n, rep := entity(b[r:])
		switch {
		case n == 0:
			r++
		case len(rep) > n:
			return unescapeForward(b)
		default:
			if len(ents) == cap(ents) {
				return unescapeForward(b)
			}
			ents = append(ents, int32(r))
			r += n
		}
		j := bytes.IndexByte(b[r:], '&')
		if j < 0 {
			break
		}
		r += j
	}
	if len(ents) == 0 {
		return b
	}
	// Back to front: each entity's text is read again (nothing before w,
	// the write position, has been written yet, and w never falls below
	// the entity being read).
	w, r := len(b), len(b)
	for k := len(ents) - 1; k >= 0; k-- {
		p := int(ents[k])
		n, rep := entity(b[p:])
		seg := r - (p + n)
		copy(b[w-seg:w], b[p+n:r])
		w -= seg
		w -= copy(b[w-len(rep):w], rep)
		r = p
	}
	copy(b[w-r:w], b[:r])
	return b[w-r:]
}

// unescapeForward is unescapeHTMLInPlace writing from the start: with
// AVX2 always, otherwise for text with more entities than
// unescapeBackward keeps a list for.
func unescapeForward(b []byte) []byte {
	r := bytes.IndexByte(b, '&')
	if r < 0 {
		return b
	}
	w := r
	for r < len(b) {
		// b[r] is '&'; b[:w] is done, w <= r.
		n, rep := entity(b[r:])
		switch {
		case n == 0:
			b[w] = '&'
			w++
			r++
		case len(rep) > n:
			out := make([]byte, w, w+len(b)-r+len(rep))
			copy(out, b[:w])
			return append(out, unescapeHTML(b[r:])...)
		case len(rep) == 1:
			b[w] = rep[0]
			w++
			r += n
		default:
			w += copy(b[w:], rep)
			r += n
		}
		w, r = copyToAmp(b, w, r)
	}
	return b[:w]
}

// copyToAmpPortable copies b[r:] down to b[w:] (w <= r) up to the next
// '&' or the end, and returns where each stands then. (copyToAmp with
// AVX2 also decodes the commonest entities on the way: the '&' where it
// returns is one it left to unescapeForward.)
func copyToAmpPortable(b []byte, w, r int) (int, int) {
	j := bytes.IndexByte(b[r:], '&')
	if j < 0 {
		j = len(b) - r
	}
	return w + copy(b[w:], b[r:r+j]), r + j
}

var (
	ltBytes   = []byte("<")
	gtBytes   = []byte(">")
	quotBytes = []byte(`"`)
	aposBytes = []byte("'")
)

// entity reads the entity at b[0] == '&': its length and its text, or 0.
func entity(b []byte) (int, []byte) {
	// The common ones first, without looking for the ';'.
	if len(b) >= 4 && b[3] == ';' {
		switch {
		case b[1] == 'l' && b[2] == 't':
			return 4, ltBytes
		case b[1] == 'g' && b[2] == 't':
			return 4, gtBytes
		}
	}
	if len(b) >= 5 && b[1] == '#' && b[4] == ';' {
		switch {
		case b[2] == '3' && b[3] == '4':
			return 5, quotBytes
		case b[2] == '3' && b[3] == '9':
			return 5, aposBytes
		}
	}
	semi := bytes.IndexByte(b[:min(len(b), 34)], ';')
	if semi < 2 {
		return 0, nil
	}
	name := b[1:semi]
	switch string(name) {
	case "lt":
		return semi + 1, []byte("<")
	case "gt":
		return semi + 1, []byte(">")
	case "amp":
		return semi + 1, []byte("&")
	case "quot":
		return semi + 1, []byte(`"`)
	case "apos":
		return semi + 1, []byte("'")
	case "nbsp":
		return semi + 1, []byte(" ")
	}
	if name[0] == '#' {
		var v uint64
		var err error
		if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
			v, err = strconv.ParseUint(string(name[2:]), 16, 32)
		} else {
			v, err = strconv.ParseUint(string(name[1:]), 10, 32)
		}
		if err != nil || v == 0 || v > utf8.MaxRune {
			return 0, nil
		}
		return semi + 1, utf8.AppendRune(nil, rune(v))
	}
	ent := string(b[:semi+1])
	if u := html.UnescapeString(ent); u != ent {
		return semi + 1, []byte(u)
	}
	return 0, nil
}

func decodeMIME(m *rawMessage, text []byte, lim ibmsg.Limits, skip bool) (*Record, error) {
	msg, err := ibmsg.ParseMessageWith(text, ibmsg.ParseOptions{Limits: lim, SkipContent: skip})
	if err != nil {
		var se *ibmsg.SyntaxError
		if m.flat && !m.complete {
			return nil, &Error{File: m.file, Line: m.line, Err: fmt.Errorf("%w: only the MIME message's top header is here (flattened onto one line); no part follows", ErrTruncated)}
		}
		if !m.complete && errors.As(err, &se) && se.What == "MIME" {
			// A header block and nothing after it (PeopleBooks shows
			// the top header alone; a log entry may be cut).
			return nil, &Error{File: m.file, Line: m.line, Err: fmt.Errorf("%w: the MIME message has a header but no part (%s)", ErrTruncated, m.remap(err.Error(), 0))}
		}
		return nil, &Error{File: m.file, Line: m.line, Err: errors.New(m.remap(err.Error(), 0))}
	}
	rec := fromMessage(m.file, m.line, msg, true)
	for i, p := range rec.Problems {
		rec.Problems[i] = m.remap(p, 0)
	}
	if rec.Err != nil {
		rec.Err = errors.New(m.remap(rec.Err.Error(), 0))
	}
	if !m.complete && mimeUnclosed(msg) {
		rec.fail(fmt.Errorf("%w: the MIME message has no closing delimiter (%s after line %d)", ErrTruncated, m.end, m.lastLine()))
	}
	return rec, nil
}

// mimeUnclosed reports whether the lenient parser found no closing
// delimiter at all (a mismatched one, as in Oracle's own 8.55 example,
// counts as closed).
func mimeUnclosed(msg *ibmsg.Message) bool {
	for _, w := range msg.Warnings {
		if strings.HasPrefix(w, "closing boundary missing") {
			return true
		}
	}
	return false
}

// fail records a problem that makes the record incomplete.
func (r *Record) fail(err error) {
	r.Problems = append(r.Problems, err.Error())
	if r.Err == nil {
		r.Err = err
	} else {
		r.Err = fmt.Errorf("%w; %w", r.Err, err)
	}
}

func decodeXMLMessage(m *rawMessage, text []byte) (*Record, error) {
	if !m.complete {
		return nil, &Error{File: m.file, Line: m.line, Err: fmt.Errorf("%w: <%s> is not closed (%s after line %d)", ErrTruncated, m.root, m.end, m.lastLine())}
	}
	rec, err := decodeXML(m.file, m.line, text)
	if errors.Is(err, ibmsg.ErrNotIB) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// HTTPLine is the first line of a raw HTTP message.
type HTTPLine struct {
	// Request: Method, Target (path and query as sent) and Proto.
	Method, Target string
	// Response: StatusCode and Reason.
	StatusCode int
	Reason     string
	Proto      string
}

// String is the line as it was sent, node passwords in the query string
// redacted.
func (h *HTTPLine) String() string {
	if h.Method != "" {
		s := h.Method + " " + ibmsg.RedactString(h.Target)
		if h.Proto != "" {
			s += " " + h.Proto
		}
		return s
	}
	s := h.Proto + " " + strconv.Itoa(h.StatusCode)
	if h.Reason != "" {
		s += " " + h.Reason
	}
	return s
}

func decodeHTTP(m *rawMessage, text []byte, lim ibmsg.Limits, skip bool) (*Record, error) {
	rec := &Record{File: m.file, Line: m.line, Format: "http", Kind: "request", Headers: Headers{}, Sections: []Section{}}
	first, rest, _ := bytes.Cut(text, []byte("\n"))
	first = bytes.TrimSpace(first)
	hl := &HTTPLine{}
	if bytes.HasPrefix(first, []byte("HTTP/")) {
		rec.Kind = "response"
		f := strings.SplitN(string(first), " ", 3)
		hl.Proto = f[0]
		if len(f) > 1 {
			hl.StatusCode, _ = strconv.Atoi(f[1])
		}
		if len(f) > 2 {
			hl.Reason = f[2]
		}
	} else {
		f := strings.Fields(string(first))
		hl.Method = f[0]
		if len(f) > 1 {
			hl.Target = f[1]
		}
		if len(f) > 2 {
			hl.Proto = f[2]
		}
	}
	rec.HTTP = hl

	// The header block, then the body. The fields are found as places in
	// the block first, which then becomes one string that their names and
	// values are slices of (one allocation, not two per field).
	type span struct {
		name, value [2]int // offsets in block
		more        string // continuation lines, unfolded
	}
	var spansInline [16]span
	spans := spansInline[:0]
	block := rest
	at := func(b []byte) int { return cap(block) - cap(b) } // b's offset in block
	lineNo := 1
	for len(rest) > 0 {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		t := bytes.TrimRight(line, "\r \t")
		if len(t) == 0 {
			rest = after
			lineNo++
			break
		}
		if (t[0] == ' ' || t[0] == '\t') && len(spans) > 0 {
			spans[len(spans)-1].more += " " + string(bytes.TrimSpace(t))
		} else if n := len(spans); n > 0 && asciifold.Equal(block[spans[n-1].name[0]:spans[n-1].name[1]], "Content-Type") && asciifold.HasPrefix(bytes.TrimSpace(t), "boundary=") {
			spans[n-1].more += " " + string(bytes.TrimSpace(t))
		} else if isHeaderField(t) {
			name, value, _ := bytes.Cut(t, []byte(":"))
			value = bytes.TrimSpace(value)
			sp := span{name: [2]int{at(name), at(name) + len(name)}}
			if len(value) > 0 {
				sp.value = [2]int{at(value), at(value) + len(value)}
			}
			spans = append(spans, sp)
		} else {
			break
		}
		rest = after
		lineNo++
	}
	var h ibmsg.Header
	if len(spans) > 0 {
		text := string(block[:len(block)-len(rest)])
		h = make(ibmsg.Header, len(spans))
		for k, sp := range spans {
			h[k] = ibmsg.HeaderField{Name: text[sp.name[0]:sp.name[1]], Value: text[sp.value[0]:sp.value[1]] + sp.more}
		}
	}
	bodyOffset := lineNo // text lines before the body
	body := bytes.TrimRight(rest, "\r\n")
	rec.Headers = headersOf(h)

	// Credentials: headers, the query string, the SOAPAction, the path.
	var creds ibmsg.Credentials
	if rec.Kind == "request" {
		creds = ibmsg.CredentialsFromHeader(h)
		if _, q, ok := strings.Cut(hl.Target, "?"); ok {
			if vals, err := url.ParseQuery(q); err == nil {
				creds = creds.Merge(ibmsg.CredentialsFromQuery(vals))
			}
		}
		if _, action := ibmsg.SOAPRequestAction(h.Get("Content-Type"), h.Get("SOAPAction")); action != "" {
			if c, ok := ibmsg.ParseEncodedSOAPAction(action); ok {
				creds = c.Merge(creds)
			} else if creds.OperationName == "" {
				creds.OperationName = action
			}
		}
		creds = creds.Merge(credentialsFromPath(hl.Target))
	}
	if m.ctx.connector == "" {
		if c := findConnector([]byte(hl.Target)); c != nil {
			m.ctx.connector = string(c)
		}
	}
	rec.Operation, rec.From, rec.To = creds.OperationName, creds.From, creds.To
	for _, f := range h {
		if strings.EqualFold(f.Name, ibmsg.HeaderTransactionID) {
			rec.TransactionID = f.Value
		}
	}

	trimmed := bytes.TrimSpace(body)
	ct := h.Get("Content-Type")
	switch {
	case len(trimmed) == 0:
	case ibmsg.BoundaryOf(ct) != "" || asciifold.HasPrefix(trimmed, "Message-ID:") || asciifold.HasPrefix(trimmed, "MIME-Version:"):
		data := body
		if ibmsg.BoundaryOf(ct) != "" {
			// The HTTP header is the MIME message's top header.
			data = append([]byte("Content-Type: "+ct+"\n\n"), body...)
			bodyOffset -= 2
		}
		msg, err := ibmsg.ParseMessageWith(data, ibmsg.ParseOptions{Limits: lim, SkipContent: skip})
		if err != nil {
			rec.fail(errors.New(m.remap(err.Error(), bodyOffset)))
			rec.Sections = append(rec.Sections, plainSection("body", ct, body))
			break
		}
		inner := fromMessage(m.file, m.line, msg, true)
		rec.IBInfo, rec.Status, rec.Message, rec.ownsContent = inner.IBInfo, inner.Status, msg, inner.ownsContent
		if inner.Operation != "" {
			rec.Operation, rec.From, rec.To = inner.Operation, inner.From, inner.To
		}
		if inner.TransactionID != "" {
			rec.TransactionID = inner.TransactionID
		}
		rec.Sections = inner.Sections
		for _, p := range inner.Problems {
			rec.Problems = append(rec.Problems, m.remap(p, bodyOffset))
		}
		if inner.Err != nil {
			rec.fail(errors.New(m.remap(inner.Err.Error(), bodyOffset)))
		}
		if !m.complete && mimeUnclosed(msg) {
			rec.fail(fmt.Errorf("%w: the MIME body has no closing delimiter (%s after line %d)", ErrTruncated, m.end, m.lastLine()))
		}
	case trimmed[0] == '<':
		if !m.complete {
			rec.fail(fmt.Errorf("%w: the XML body is not closed (%s after line %d)", ErrTruncated, m.end, m.lastLine()))
			rec.Sections = append(rec.Sections, plainSection("body", ct, body))
			break
		}
		root, err := ibmsg.RootElement(trimmed)
		if err != nil {
			rec.fail(fmt.Errorf("body at line %d: %w", m.physLine(bodyOffset+1), err))
			rec.Sections = append(rec.Sections, plainSection("body", ct, body))
			break
		}
		switch {
		case root == "IBRequest":
			req, err := ibmsg.ParseRequest(trimmed)
			if err != nil {
				rec.fail(fmt.Errorf("body at line %d: %w", m.physLine(bodyOffset+1), err))
				rec.Sections = append(rec.Sections, plainSection("body", ct, body))
				break
			}
			c := req.Credentials.Merge(creds)
			rec.Operation, rec.From, rec.To = c.OperationName, c.From, c.To
			rec.IBInfo = requestView(req)
			rec.Sections = append(rec.Sections, plainSection("Data", "text/xml", req.Data))
		case rec.Kind == "response" && (root == "IBResponse" || root == "Envelope" || root == "reply"):
			// (ParseResponse reads only these roots: a payload, such as a
			// rowset, is not parsed to find that out.)
			if resp, err := ibmsg.ParseResponse(trimmed); err == nil {
				st := resp.Status()
				rec.Status = &st
				rec.IBInfo = responseView(resp)
				if resp.TransactionID != "" {
					rec.TransactionID = resp.TransactionID
				}
			} else if !errors.Is(err, ibmsg.ErrNotIB) {
				rec.fail(fmt.Errorf("body at line %d: %w", m.physLine(bodyOffset+1), err))
			}
			rec.Sections = append(rec.Sections, plainSection("body", ct, body))
		default:
			rec.Sections = append(rec.Sections, plainSection("body", ct, body))
		}
	default:
		dec, enc, err := ibmsg.DecodeContent(trimmed, h.Get("Content-Transfer-Encoding"), lim)
		s := plainSection("body", ct, dec)
		s.Bytes = len(dec)
		if enc.Base64 {
			s.TransferEncoding = "base64"
		}
		if enc.Compression != "" {
			s.Compression = string(enc.Compression)
		}
		if err != nil {
			rec.fail(fmt.Errorf("body at line %d: %w", m.physLine(bodyOffset+1), err))
			s.Body = string(trimmed)
		}
		rec.Sections = append(rec.Sections, s)
		if cl := h.Get("Content-Length"); cl != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(cl)); err == nil && len(body)+bytes.Count(body, []byte("\n"))+2 < n {
				rec.fail(fmt.Errorf("%w: the body has %d of its %d bytes (Content-Length)", ErrTruncated, len(body), n))
			}
		}
	}
	if hl.StatusCode >= 500 && rec.Status == nil {
		rec.Problems = append(rec.Problems, fmt.Sprintf("HTTP %d without an IB status", hl.StatusCode))
	}
	return rec, nil
}

func plainSection(id, ct string, body []byte) Section {
	return Section{ID: id, ContentType: ct, TransferEncoding: "8bit", Compression: string(ibmsg.CompressionNone), Bytes: len(body), Body: string(body)}
}

// credentialsFromPath reads the REST listening connector's path:
// /PSIGW/RESTListeningConnector/{node}/{operation.version}/...
func credentialsFromPath(target string) ibmsg.Credentials {
	var c ibmsg.Credentials
	p, _, _ := strings.Cut(target, "?")
	const rest = "/RESTListeningConnector/"
	i := strings.Index(p, rest)
	if i < 0 {
		return c
	}
	seg := strings.Split(p[i+len(rest):], "/")
	if len(seg) >= 2 {
		c.To, c.OperationName = seg[0], seg[1]
	}
	return c
}
