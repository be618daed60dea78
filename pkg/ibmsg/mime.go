package ibmsg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/psib-dev/psib/internal/asciifold"
)

// Top-level Content-ID values of internal IB messages. Most releases write
// the first; the PeopleTools 8.56 book shows the second.
const (
	ContentIDInternal    = "PeopleSoft-Integration-Broker-Internal-Mime-Message"
	ContentIDInternal856 = "PeopleSoft-Internal-Mime-Message"
	ContentIDIBInfo      = "IBInfo"
)

// Message is an internal IB MIME message (multipart/related): the top
// header, the IBInfo part and the content sections. Requests and responses
// share the form; a response may have no content section.
type Message struct {
	// Header holds the top-level fields in order: Message-ID, Date,
	// Mime-Version, Content-Type (with the boundary), Content-ID and, from
	// PeopleTools 8.55, PeopleSoft-ToolsRelease.
	Header Header

	// IBInfo is the parsed IBInfo part; nil when the part is missing or
	// could not be read (then IBInfoErr says why and IBInfoRaw holds it).
	IBInfo    *IBInfo
	IBInfoErr error
	IBInfoRaw []byte

	// Sections are the content sections (ContentSection0, 1, ...).
	Sections []Section

	// Warnings lists what the lenient parser had to repair or guess, in
	// words for people ("closing boundary missing").
	Warnings []string
}

// Section is one content section of a message.
type Section struct {
	// Header holds the part's fields (Content-Type, Content-Transfer-Encoding,
	// Content-Disposition, Content-ID) as read or to write.
	Header Header
	// Body is the decoded content: base64 undone, decompressed, converted
	// to UTF-8 from the declared charset.
	Body []byte
	// Encoding is how the body traveled (detected when parsing, applied
	// when encoding).
	Encoding ContentEncoding
	// RawBytes is the size of the part's content as it traveled.
	RawBytes int
	// Skipped is set when the content was left undecoded
	// (ParseOptions.SkipContent): Body is nil and Encoding zero.
	Skipped bool
	// Err is set when the content could not be decoded; Body then holds
	// the raw bytes.
	Err error

	// buf is the buffer Body was decoded into (at its start, with its
	// capacity), for ReleaseContent; nil when Body is not this package's
	// own memory.
	buf []byte
}

// ReleaseContent gives the memory of the sections' bodies that parsing
// decoded (base64 undone, inflated) back for the sections of messages
// parsed after it: their Body is nil afterwards. Call it only when
// nothing will read those bodies again, nor anything sliced from them:
// their bytes are then overwritten.
func (m *Message) ReleaseContent() {
	for i := range m.Sections {
		s := &m.Sections[i]
		if s.buf != nil {
			recycleContentBuffer(s.buf)
			s.buf, s.Body = nil, nil
		}
	}
}

// ID returns the section's Content-ID, e.g. "ContentSection0".
func (s *Section) ID() string { return strings.Trim(s.Header.Get("Content-ID"), "<> ") }

// Charset returns the declared charset (UTF-8 when none is declared).
func (s *Section) Charset() string { return partCharset(s.Header) }

// IsResponse reports whether the message is a response (its IBInfo has a
// Status).
func (m *Message) IsResponse() bool { return m.IBInfo.IsResponse() }

// Boundary returns the multipart boundary declared in Content-Type.
func (m *Message) Boundary() string {
	for _, v := range m.Header.Values("Content-Type") {
		if b := BoundaryOf(v); b != "" {
			return b
		}
	}
	return ""
}

// ToolsRelease returns the PeopleSoft-ToolsRelease header, or "".
func (m *Message) ToolsRelease() string { return m.Header.Get("PeopleSoft-ToolsRelease") }

// Status returns the response status, or nil for a request.
func (m *Message) Status() *Status {
	if m.IBInfo == nil {
		return nil
	}
	return m.IBInfo.Status
}

// MessageOptions are the facts PeopleSoft stamps on a new message. Tests
// pass fixed values; commands pass the clock and a counter.
type MessageOptions struct {
	// Now is the message's Date. Required.
	Now time.Time
	// Seq distinguishes messages built in the same millisecond; it becomes
	// part of Message-ID and the boundary, as JavaMail does.
	Seq int
	// Host names the writer in Message-ID (JavaMail writes user@host).
	// Default "psib".
	Host string
	// ToolsRelease, when set, adds PeopleSoft-ToolsRelease (8.55 and later).
	ToolsRelease string
	// ContentID is the top Content-ID; default ContentIDInternal.
	ContentID string
}

// NewMessage returns a message with PeopleSoft's top header and the given
// IBInfo, ready for AddSection and Encode.
func NewMessage(info *IBInfo, o MessageOptions) *Message {
	host := o.Host
	if host == "" {
		host = "psib"
	}
	cid := o.ContentID
	if cid == "" {
		cid = ContentIDInternal
	}
	millis := o.Now.UnixMilli()
	m := &Message{IBInfo: info}
	m.Header.Add("Message-ID", fmt.Sprintf("<%d.%d.JavaMail.psib@%s>", 1000000+o.Seq, millis, host))
	m.Header.Add("Date", o.Now.Format("Mon, 2 Jan 2006 15:04:05 -0700 (MST)"))
	m.Header.Add("Mime-Version", "1.0")
	m.Header.Add("Content-Type", fmt.Sprintf(`multipart/related; boundary="----=_Part_%d_%d.%d"`, o.Seq, 1000000+o.Seq, millis))
	m.Header.Add("Content-ID", cid)
	if o.ToolsRelease != "" {
		m.Header.Add("PeopleSoft-ToolsRelease", o.ToolsRelease)
	}
	return m
}

// AddSection appends a content section with PeopleSoft's part headers and
// records it in IBInfo/ContentSections. enc says how the body travels
// (PeopleSoft sends 8bit text, or base64 over compression).
func (m *Message) AddSection(body []byte, enc ContentEncoding) *Section {
	id := "ContentSection" + strconv.Itoa(len(m.Sections))
	s := Section{Body: body, Encoding: enc}
	s.Header = partHeader(id, enc)
	m.Sections = append(m.Sections, s)
	if m.IBInfo != nil {
		if m.IBInfo.ContentSections == nil {
			m.IBInfo.ContentSections = &ContentSections{}
		}
		m.IBInfo.ContentSections.Sections = append(m.IBInfo.ContentSections.Sections, ContentSection{ID: Text(id), NonRepudiation: "N"})
	}
	return &m.Sections[len(m.Sections)-1]
}

func partHeader(id string, enc ContentEncoding) Header {
	cte := "8bit"
	if !enc.IsPlain() {
		// How PeopleSoft marks a compressed part is undocumented; psib
		// writes the standard MIME marking (assumed).
		cte = "base64"
	}
	return Header{
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", cte},
		{"Content-Disposition", "inline"},
		{"Content-ID", id},
	}
}

// Encode writes the message in PeopleSoft's internal MIME form: CRLF line
// ends, the top header (long fields folded as JavaMail folds them), the
// IBInfo part, each section, and the closing boundary.
func (m *Message) Encode(w io.Writer) error {
	boundary := m.Boundary()
	if boundary == "" {
		return fmt.Errorf("ibmsg: encode: Content-Type has no multipart boundary")
	}
	var b bytes.Buffer
	for _, f := range m.Header {
		writeField(&b, f)
	}
	b.WriteString("\r\n")

	ibinfo := m.IBInfoRaw
	if m.IBInfo != nil {
		var err error
		if ibinfo, err = m.IBInfo.Marshal(); err != nil {
			return fmt.Errorf("ibmsg: encode IBInfo: %w", err)
		}
	}
	writePart(&b, boundary, partHeader(ContentIDIBInfo, ContentEncoding{}), ibinfo)
	for i := range m.Sections {
		s := &m.Sections[i]
		content, err := EncodeContent(s.Body, s.Encoding)
		if err != nil {
			return fmt.Errorf("ibmsg: encode section %s: %w", s.ID(), err)
		}
		h := s.Header
		if len(h) == 0 {
			h = partHeader("ContentSection"+strconv.Itoa(i), s.Encoding)
		}
		writePart(&b, boundary, h, content)
	}
	b.WriteString("--" + boundary + "--\r\n")
	_, err := w.Write(b.Bytes())
	return err
}

// Bytes returns the encoded message.
func (m *Message) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := m.Encode(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writePart(b *bytes.Buffer, boundary string, h Header, content []byte) {
	b.WriteString("--" + boundary + "\r\n")
	for _, f := range h {
		writeField(b, f)
	}
	b.WriteString("\r\n")
	b.Write(content)
	b.WriteString("\r\n")
}

// writeField writes "Name: value" CRLF, folding at "; " when the line is
// longer than 76 characters, as JavaMail does (the 8.55 sample shows
// Content-Type folded before boundary=).
func writeField(b *bytes.Buffer, f HeaderField) {
	line := f.Name + ": " + f.Value
	if len(line) > 76 {
		if i := strings.Index(f.Value, "; "); i >= 0 {
			b.WriteString(f.Name + ": " + f.Value[:i+2] + "\r\n\t" + f.Value[i+2:] + "\r\n")
			return
		}
	}
	b.WriteString(line + "\r\n")
}

// ReadMessage reads and parses a whole internal MIME message from r,
// reading at most lim's MaxSectionBytes.
func ReadMessage(r io.Reader, lim Limits) (*Message, error) {
	data, err := readAllLimited(r, lim.maxSection(), "MIME message")
	if err != nil {
		return nil, err
	}
	return ParseMessage(data, lim)
}

// ParseMessage parses an internal IB MIME message leniently: LF or CRLF
// line ends, folded (or unindented) continuation lines, either top
// Content-ID, any boundary, a missing or mismatched closing boundary, a
// missing blank line after part headers, 8bit, base64 or quoted-printable
// parts, compressed parts detected by content, a response with only the
// IBInfo part, and the PeopleBooks rendering that flattens a whole message
// onto one line. What it repaired is listed in Message.Warnings.
//
// It fails (*SyntaxError) only when the input has no multipart structure
// at all, and with ErrTooLarge past a limit. A section that cannot be
// decoded gets Section.Err; an IBInfo that cannot be read gets IBInfoErr.
func ParseMessage(data []byte, lim Limits) (*Message, error) {
	return ParseMessageWith(data, ParseOptions{Limits: lim})
}

// ParseOptions tunes ParseMessageWith.
type ParseOptions struct {
	Limits
	// SkipContent leaves the content sections undecoded (no base64, no
	// inflating, no charset conversion): each Section has its Header and
	// RawBytes, and Skipped set. The IBInfo part is read as always. For
	// listings that show one line per message.
	SkipContent bool
}

// ParseMessageWith is ParseMessage with options.
func ParseMessageWith(data []byte, o ParseOptions) (*Message, error) {
	lim := o.Limits
	if int64(len(data)) > lim.maxSection() {
		return nil, fmt.Errorf("%w: MIME message is larger than %d bytes", ErrTooLarge, lim.maxSection())
	}
	m := &Message{}
	if flat, ok := unflatten(data); ok {
		data = flat
		m.Warnings = append(m.Warnings, "the message was flattened onto one line (as PeopleBooks renders it); line breaks were restored")
	}
	lp, _ := lineBuffers.Get().(*[]line)
	if lp == nil {
		lp = new([]line)
	}
	lines := splitLinesInto((*lp)[:0], data)
	defer func() {
		// The lines point into data: cleared, so that the pool does not
		// keep the message alive.
		clear(lines)
		if cap(lines) <= 4096 {
			*lp = lines[:0]
			lineBuffers.Put(lp)
		}
	}()
	i := 0
	for i < len(lines) && len(bytes.TrimSpace(lines[i].text)) == 0 {
		i++
	}
	h, next, err := readHeader(lines, i, "", lim)
	if err != nil {
		return nil, err
	}
	m.Header = h
	boundary := m.Boundary()
	if boundary == "" {
		// No declared boundary: take the first delimiter-looking line.
		for j := next; j < len(lines); j++ {
			t := bytes.TrimRight(lines[j].text, " \t")
			if bytes.HasPrefix(t, []byte("--")) && len(t) > 2 && !bytes.ContainsAny(t, " <>") {
				boundary = string(t[2:])
				m.Warnings = append(m.Warnings, fmt.Sprintf("no multipart boundary declared; using %q from line %d", boundary, lines[j].num))
				break
			}
		}
	}
	if boundary == "" {
		return nil, &SyntaxError{What: "MIME", Line: firstLine(lines, i), Msg: "no multipart boundary: not an internal IB MIME message (expected Content-Type: multipart/related; boundary=...)"}
	}
	if cid := strings.Trim(m.Header.Get("Content-ID"), "<> "); cid != "" && cid != ContentIDInternal && cid != ContentIDInternal856 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("unexpected top Content-ID %q", cid))
	}

	var decoded int64 // bytes decoded so far, for MaxDecodedBytes
	parts, warnings := splitParts(lines, next, boundary)
	m.Warnings = append(m.Warnings, warnings...)
	if len(parts) == 0 {
		return nil, &SyntaxError{What: "MIME", Line: firstLine(lines, i), Msg: fmt.Sprintf("no part starts with boundary %q", boundary)}
	}
	for _, p := range parts {
		ph, bodyStart, err := readHeader(lines, p.first, boundary, lim)
		if err != nil {
			return nil, err
		}
		if bodyStart < p.end && (bodyStart == p.first || len(bytes.TrimSpace(lines[bodyStart-1].text)) != 0) {
			m.Warnings = append(m.Warnings, fmt.Sprintf("line %d: no blank line between the part headers and the body", lines[bodyStart].num))
		}
		raw := contentBytes(data, lines, bodyStart, p.end)
		cid := strings.Trim(ph.Get("Content-ID"), "<> ")
		isInfo := strings.EqualFold(cid, ContentIDIBInfo) || (cid == "" && m.IBInfo == nil && m.IBInfoRaw == nil && bytes.Contains(raw, []byte("<IBInfo")))
		if o.SkipContent && !(isInfo && m.IBInfo == nil && m.IBInfoRaw == nil) {
			m.Sections = append(m.Sections, Section{Header: ph, RawBytes: len(raw), Skipped: true})
			continue
		}
		// What is left of the message's budget caps this section.
		secLim := lim
		secLim.MaxSectionBytes = min(lim.maxSection(), lim.maxDecoded()-decoded)
		var (
			body []byte
			enc  ContentEncoding
			derr error
		)
		if secLim.MaxSectionBytes <= 0 {
			body, enc = raw, ContentEncoding{Compression: CompressionNone}
			derr = fmt.Errorf("%w: the message's sections decode to more than %d bytes together (raise the limit if this is real data)", ErrTooLarge, lim.maxDecoded())
		} else {
			body, enc, derr = decodeContent(raw, ph.Get("Content-Transfer-Encoding"), secLim)
			if derr != nil && secLim.MaxSectionBytes < lim.maxSection() && errors.Is(derr, ErrTooLarge) {
				derr = fmt.Errorf("%w: the message's sections decode to more than %d bytes together (raise the limit if this is real data)", ErrTooLarge, lim.maxDecoded())
			}
			decoded += int64(len(body))
		}
		// A body decoding made is this package's own: its buffer can be
		// recycled, unless the charset's conversion replaced it.
		var buf []byte
		if derr == nil && (enc.Base64 || enc.Compression != CompressionNone) && len(body) > 0 {
			buf = body
		}
		body = body[:len(body):len(body)]
		if derr == nil {
			body, derr = toUTF8(body, partCharset(ph))
		}
		if buf != nil && (derr != nil || len(body) == 0 || &body[0] != &buf[0]) {
			buf = nil
		}
		if isInfo && m.IBInfo == nil && m.IBInfoRaw == nil {
			m.IBInfoRaw = body
			if derr != nil {
				m.IBInfoErr = derr
				continue
			}
			info, err := ParseIBInfo(body)
			if err != nil {
				m.IBInfoErr = fmt.Errorf("IBInfo part at line %d: %w", lines[p.first].num, err)
				continue
			}
			m.IBInfo = info
			continue
		}
		s := Section{Header: ph, Body: body, Encoding: enc, RawBytes: len(raw), buf: buf}
		if derr != nil {
			s.Err = fmt.Errorf("section %s at line %d: %w", cid, lines[p.first].num, derr)
		}
		m.Sections = append(m.Sections, s)
	}
	if m.IBInfo == nil && m.IBInfoErr == nil {
		m.IBInfoErr = &SyntaxError{What: "MIME", Msg: "no IBInfo part"}
	}
	return m, nil
}

type line struct {
	text       []byte // without the line end
	start, end int    // offsets of text in the input; end+len(eol) starts the next line
	eol        int    // length of the line end (0, 1 or 2)
	num        int    // 1-based line number
}

// lineBuffers holds the line index of parsed messages, for the next one.
var lineBuffers sync.Pool

// splitLinesInto splits data into lines, appending them to ls.
func splitLinesInto(ls []line, data []byte) []line {
	if n := bytes.Count(data, []byte{'\n'}) + 1; cap(ls) < n {
		ls = make([]line, 0, n)
	}
	start, num := 0, 1
	for start < len(data) {
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			ls = append(ls, line{text: data[start:], start: start, end: len(data), num: num})
			break
		}
		end := start + i
		eol := 1
		if end > start && data[end-1] == '\r' {
			end--
			eol = 2
		}
		ls = append(ls, line{text: data[start:end], start: start, end: end, eol: eol, num: num})
		start += i + 1
		num++
	}
	return ls
}

func firstLine(ls []line, i int) int {
	if i < len(ls) {
		return ls[i].num
	}
	return 0
}

// readHeader reads a header block starting at line i. It ends at a blank
// line (consumed), at a boundary line, or at the first line that is neither
// a field nor a continuation (the body starts there: some renderings drop
// the blank line).
//
// Continuation lines are unfolded into one buffer per field, so that the
// work stays linear in the input; the unfolded field is one header line for
// lim's MaxLineBytes.
func readHeader(ls []line, i int, boundary string, lim Limits) (Header, int, error) {
	// The names and values go back to back into text, and become one
	// string at the end, which the fields are slices of: one allocation
	// for the block, not two per field. ends holds where each name, then
	// its value, ends in text.
	var textInline [512]byte
	var endsInline [32]int
	text, ends := textInline[:0], endsInline[:0]
	var cur, folds []byte // the value of the last field: a view of its line, or its unfolding
	for ; i < len(ls); i++ {
		t := ls[i].text
		if len(t) > lim.maxLine() {
			return nil, i, fmt.Errorf("%w: header line %d is longer than %d bytes", ErrTooLarge, ls[i].num, lim.maxLine())
		}
		if len(bytes.TrimSpace(t)) == 0 {
			i++
			break
		}
		if bytes.HasPrefix(t, []byte("--")) && (boundary == "" || isDelimiter(t, boundary) != delimNone) {
			break
		}
		// An indented continuation, or an unindented one after a ';' (a
		// rendering that lost the tab before "boundary=" of a folded
		// Content-Type).
		fields := (len(ends) + 1) / 2 // the last one's value is still in cur
		folded := (t[0] == ' ' || t[0] == '\t') && len(ends) > 0
		if !folded && isHeaderLine(t) {
			if fields >= lim.maxHeaders() {
				return nil, i, fmt.Errorf("%w: more than %d header fields at line %d", ErrTooLarge, lim.maxHeaders(), ls[i].num)
			}
			if len(ends) > 0 {
				text = append(text, bytes.TrimSpace(cur)...)
				ends = append(ends, len(text))
			}
			name, value, _ := bytes.Cut(t, []byte(":"))
			text = append(text, name...)
			ends = append(ends, len(text))
			cur = bytes.TrimSpace(value)
			continue
		}
		if folded || len(ends) > 0 && bytes.HasSuffix(bytes.TrimRightFunc(cur, unicode.IsSpace), []byte(";")) {
			folds = append(append(folds[:0], bytes.TrimRightFunc(cur, unicode.IsSpace)...), ' ')
			folds = append(folds, bytes.TrimSpace(t)...)
			cur = folds
			if len(cur) > lim.maxLine() {
				return nil, i, fmt.Errorf("%w: header field continued at line %d is longer than %d bytes", ErrTooLarge, ls[i].num, lim.maxLine())
			}
			continue
		}
		break
	}
	if len(ends) > 0 {
		text = append(text, bytes.TrimSpace(cur)...)
		ends = append(ends, len(text))
	}
	h := make(Header, len(ends)/2)
	all := string(text)
	start := 0
	for k := range h {
		h[k] = HeaderField{Name: all[start:ends[2*k]], Value: all[ends[2*k]:ends[2*k+1]]}
		start = ends[2*k+1]
	}
	return h, i, nil
}

type delimKind int

const (
	delimNone delimKind = iota
	delimPart
	delimClose
)

func isDelimiter(t []byte, boundary string) delimKind {
	t = bytes.TrimRight(t, " \t")
	if !bytes.HasPrefix(t, []byte("--")) || !bytes.HasPrefix(t[2:], []byte(boundary)) {
		return delimNone
	}
	switch rest := t[2+len(boundary):]; string(rest) {
	case "":
		return delimPart
	case "--":
		return delimClose
	}
	return delimNone
}

type partSpan struct {
	first int // first line of the part (its header)
	end   int // line index of the delimiter that ends it (or len(lines))
}

var strayBoundary = regexp.MustCompile(`^--[-=_.'()+,/:?A-Za-z0-9]{6,}$`)

// splitParts finds the parts between delimiter lines.
func splitParts(ls []line, from int, boundary string) ([]partSpan, []string) {
	var parts []partSpan
	var warnings []string
	cur := -1
	closed := false
	for i := from; i < len(ls); i++ {
		switch isDelimiter(ls[i].text, boundary) {
		case delimPart:
			if cur >= 0 {
				parts = append(parts, partSpan{first: cur, end: i})
			}
			cur = i + 1
		case delimClose:
			if cur >= 0 {
				parts = append(parts, partSpan{first: cur, end: i})
			}
			cur = -1
			closed = true
		}
		if closed {
			break
		}
	}
	if !closed && cur >= 0 {
		end := len(ls)
		// The last non-blank line may be a closing boundary that does not
		// match the declared one (Oracle's 8.55 example has one).
		j := end - 1
		for j >= cur && len(bytes.TrimSpace(ls[j].text)) == 0 {
			j--
		}
		if j >= cur && strayBoundary.Match(bytes.TrimSpace(ls[j].text)) {
			warnings = append(warnings, fmt.Sprintf("line %d: closing boundary %q does not match the declared boundary %q", ls[j].num, strings.TrimSpace(string(ls[j].text)), boundary))
			end = j
		} else {
			warnings = append(warnings, "closing boundary missing (the message may be truncated)")
		}
		parts = append(parts, partSpan{first: cur, end: end})
	}
	return parts, warnings
}

// contentBytes returns the input bytes of lines [from, to), without the
// line end that precedes the next delimiter (it belongs to the delimiter).
func contentBytes(data []byte, ls []line, from, to int) []byte {
	if from >= to || from >= len(ls) {
		return nil
	}
	start := ls[from].start
	end := ls[to-1].end
	// Trailing blank lines before the delimiter are layout.
	for to-1 > from && len(bytes.TrimSpace(ls[to-1].text)) == 0 {
		to--
		end = ls[to-1].end
	}
	return data[start:end]
}

// BoundaryOf returns the multipart boundary a Content-Type value declares,
// read leniently (an unterminated quote, stray text after it, any case);
// "" when the type is not multipart or declares none.
func BoundaryOf(contentType string) string {
	if b, ok := plainBoundary(contentType); ok {
		return b
	}
	if !strings.Contains(strings.ToLower(contentType), "multipart") {
		return ""
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["boundary"] != "" {
		return params["boundary"]
	}
	// Lenient: an unterminated quote or stray text after the boundary.
	// Search case-insensitively in place: a lower-cased copy can differ in
	// length from the original (non-ASCII bytes), so its offsets would not
	// index the original.
	i := indexFold(contentType, "boundary=")
	if i < 0 {
		return ""
	}
	b := strings.TrimSpace(contentType[i+len("boundary="):])
	if strings.HasPrefix(b, `"`) {
		b = b[1:]
		if j := strings.IndexByte(b, '"'); j >= 0 {
			b = b[:j]
		}
	} else if j := strings.IndexAny(b, "; \t"); j >= 0 {
		b = b[:j]
	}
	return b
}

// plainBoundary reads the form every IB message's Content-Type has,
// multipart/related; boundary="...", without mime.ParseMediaType (which
// builds a map for it): logs are scanned for thousands of them.
func plainBoundary(ct string) (string, bool) {
	const prefix = "multipart/"
	if len(ct) <= len(prefix) || !strings.EqualFold(ct[:len(prefix)], prefix) {
		return "", false
	}
	return oneParam(ct, "boundary")
}

// oneParam reads a media type with one parameter, key (in lower case), as
// in text/plain; charset=UTF-8: it returns the parameter's value, which is
// what mime.ParseMediaType gives (FuzzOneParam), or ok false for any other
// form (more parameters, escapes, other spaces, ...), which is then left
// to ParseMediaType.
func oneParam(ct, key string) (value string, ok bool) {
	base, params, found := strings.Cut(ct, ";")
	if !found {
		return "", false
	}
	typ, sub, found := strings.Cut(base, "/")
	if !found || !isToken(typ) || !isToken(sub) {
		return "", false
	}
	params = strings.TrimLeft(params, " \t")
	if len(params) <= len(key) || params[:len(key)] != key || params[len(key)] != '=' {
		return "", false
	}
	v := params[len(key)+1:]
	var rest string
	if strings.HasPrefix(v, `"`) {
		value, rest, found = strings.Cut(v[1:], `"`)
		if !found || strings.ContainsAny(value, "\\\r\n") {
			return "", false
		}
	} else {
		n := 0
		for n < len(v) && isTokenByte(v[n]) {
			n++
		}
		value, rest = v[:n], v[n:]
	}
	if value == "" || strings.Trim(rest, " \t") != "" {
		return "", false
	}
	return value, true
}

// isToken reports whether s is a non-empty MIME token (RFC 2045).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte(`()<>@,;:\"/[]?=`, c) < 0
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, substr string) int {
	for i := 0; i+len(substr) <= len(s); i++ {
		if asciifold.Equal(s[i:i+len(substr)], substr) {
			return i
		}
	}
	return -1
}

func partCharset(h Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return "UTF-8"
	}
	if v, ok := oneParam(ct, "charset"); ok {
		return v
	}
	if _, params, err := mime.ParseMediaType(ct); err == nil && params["charset"] != "" {
		return params["charset"]
	}
	return "UTF-8"
}

// toUTF8 converts body from the declared charset. Bytes that already are
// valid UTF-8 under a UTF-8 or ASCII label are returned as they are.
func toUTF8(body []byte, label string) ([]byte, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if l == "" || l == "utf-8" || l == "utf8" || l == "us-ascii" {
		return body, nil
	}
	enc, _ := charset.Lookup(l)
	if enc == nil {
		return body, &SyntaxError{What: "section", Msg: fmt.Sprintf("unknown charset %q", label)}
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, &SyntaxError{What: "section", Msg: fmt.Sprintf("charset %s: %v", label, err)}
	}
	return out, nil
}

func decodeQuotedPrintable(raw []byte) ([]byte, error) {
	return io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
}

var (
	flatHeaderName = regexp.MustCompile(`(?:^|\s)(Message-ID|Date|Mime-Version|MIME-Version|Content-Type|Content-ID|Content-Transfer-Encoding|Content-Disposition|PeopleSoft-ToolsRelease):\s`)
)

// unflatten restores the line structure of a message that a renderer put on
// one line (seed 002 shows the book's examples that way). It works only on
// input whose first line holds the top header and at least one part.
func unflatten(data []byte) ([]byte, bool) {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	s := strings.TrimSpace(string(first))
	if !utf8.ValidString(s) || !strings.Contains(s, "multipart/") || len(flatHeaderName.FindAllStringIndex(s, -1)) < 4 {
		return nil, false
	}
	boundary := BoundaryOf(s[strings.Index(s, "multipart/"):])
	if boundary == "" || strings.Count(s, "--"+boundary) < 1 {
		return nil, false
	}
	// Split the text into the top header zone and the parts.
	chunks := strings.Split(s, "--"+boundary)
	// chunks[0] holds the top header, but its Content-Type also contains
	// the boundary (boundary="----=...) and so got split there: rejoin.
	top := chunks[0]
	k := 1
	for k < len(chunks) && strings.HasSuffix(strings.TrimRight(top, " "), `boundary="`) || k < len(chunks) && strings.HasSuffix(top, "boundary=") {
		top += "--" + boundary + chunks[k]
		k++
	}
	var b strings.Builder
	writeFlatHeader(&b, top, false)
	b.WriteString("\n")
	for ; k < len(chunks); k++ {
		c := strings.TrimSpace(chunks[k])
		if c == "--" || strings.HasPrefix(c, "--") && len(strings.Trim(c, `-" `)) == 0 {
			b.WriteString("--" + boundary + "--\n")
			continue
		}
		if len(strings.Trim(c, `" `)) == 0 {
			// A trailing delimiter (the book's copy ends with a stray quote).
			b.WriteString("--" + boundary + "--\n")
			continue
		}
		b.WriteString("--" + boundary + "\n")
		writeFlatHeader(&b, c, true)
	}
	return []byte(b.String()), true
}

// writeFlatHeader writes "Name: value" lines for each known field in s;
// with body true, the text after the last field's first token is the body.
func writeFlatHeader(b *strings.Builder, s string, body bool) {
	locs := flatHeaderName.FindAllStringSubmatchIndex(s, -1)
	for n, loc := range locs {
		name := s[loc[2]:loc[3]]
		vstart := loc[1]
		vend := len(s)
		if n+1 < len(locs) {
			vend = locs[n+1][0]
		}
		value := strings.TrimSpace(s[vstart:vend])
		if body && n == len(locs)-1 {
			// The last field of a part is Content-ID: one token, then
			// the body.
			tok, rest, _ := strings.Cut(value, " ")
			b.WriteString(name + ": " + tok + "\n\n" + strings.TrimSpace(rest) + "\n")
			return
		}
		b.WriteString(name + ": " + value + "\n")
	}
}
