package gwlog

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// The layout layer: it turns the bytes of a log into logical lines, with the
// page's layout taken out. Physical lines are split further at HTML line
// breaks (<br>, <p>, <div>) and at the edges of content blocks (<pre>,
// <textarea>, table cells and rows, <hr>), which are also reported as block
// boundaries: a message in a log never spans two cells or two <pre> blocks.
//
// Only tags with HTML's own element names are layout; anything else (<IBInfo>,
// <?xml ...?>, the payload's elements) is text, and so is everything inside a
// CDATA section. Entities are left alone here: whether a message was
// HTML-escaped is decided per message (see unescapeMessage), because a log
// written without escaping holds XML whose own &amp; must stay.
//
// Memory stays bounded: the input is read in chunks of chunkSize, and a
// logical line is kept up to maxLine bytes (the rest is counted, not kept).

const chunkSize = 64 << 10

type itemKind uint8

const (
	itemLine  itemKind = iota
	itemBlock          // a content block ended or started (</pre>, </td>, <hr>, ...)
)

// item is one logical line or a block boundary. text is valid until the
// next call of lineReader.next.
type item struct {
	kind itemKind
	text []byte
	eol  string // "\r\n", "\n" or "" (ended by a tag or the end of input)
	num  int    // 1-based physical line where text starts
	// long > 0: the logical line was long bytes and text holds only the
	// first maxLine of them.
	long int64
}

type tagClass uint8

const (
	tagNone   tagClass = iota
	tagInline          // removed: <span>, <font>, <b>, <a>, ...
	tagBreak           // a line break: <br>
	tagWeak            // ends a non-empty line: <p>, <div>, </p>, </div>, ...
	tagBlock           // ends a content block: <pre>, </pre>, <td>, </tr>, <hr>, ...
)

// lineReader is the layout layer over one input.
type lineReader struct {
	r       *bufio.Reader
	maxLine int

	num     int  // physical line of the next byte
	atStart bool // the next byte starts a physical line

	cur     []byte // the logical line being built
	ref     []byte // or a view of the chunk holding it (see text)
	curNum  int    // its physical line (0: not started)
	curLong int64  // its length when it passed maxLine (0 otherwise)
	carry   []byte // the tail of the last chunk: a tag or "]]>" cut in two
	inCDATA bool
	// cdataBytes counts the bytes read inside the current CDATA section.
	cdataBytes int64
	brokeEnd   bool // the physical line so far ended with a break or block tag

	queue []item
	qi    int
	arena []byte
	err   error
	eof   bool
}

func newLineReader(r io.Reader, maxLine int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, chunkSize), maxLine: maxLine, num: 1, atStart: true}
}

// next returns the next item, valid until the next call (a pointer into
// the queue: a line is one of most of a log's items); io.EOF at the end of
// input, or the read error.
func (lr *lineReader) next() (*item, error) {
	for lr.qi >= len(lr.queue) {
		if lr.eof {
			if lr.err != nil {
				return nil, lr.err
			}
			return nil, io.EOF
		}
		lr.queue, lr.qi, lr.arena = lr.queue[:0], 0, lr.arena[:0]
		lr.fill()
	}
	lr.qi++
	return &lr.queue[lr.qi-1], nil
}

// fill reads one chunk (up to a newline) and queues the items it completes.
func (lr *lineReader) fill() {
	chunk, err := lr.r.ReadSlice('\n')
	if len(lr.carry) > 0 {
		// Keep the carried tail in front of the new chunk. The copy is
		// small: carry holds at most a tag's length.
		joined := make([]byte, 0, len(lr.carry)+len(chunk))
		joined = append(append(joined, lr.carry...), chunk...)
		chunk = joined
		lr.carry = lr.carry[:0]
	}
	switch {
	case err == nil:
		lr.process(chunk, true)
	case errors.Is(err, bufio.ErrBufferFull):
		lr.process(chunk, false)
	case errors.Is(err, io.EOF):
		lr.process(chunk, false)
		if len(lr.carry) > 0 {
			c := append([]byte(nil), lr.carry...)
			lr.carry = lr.carry[:0]
			lr.text(c)
		}
		lr.flushEnd()
		lr.eof = true
	default:
		lr.process(chunk, false)
		lr.flushEnd()
		lr.eof, lr.err = true, err
	}
}

// process handles a chunk; complete is true when it ends with '\n'.
func (lr *lineReader) process(b []byte, complete bool) {
	eol := ""
	if complete {
		b = b[:len(b)-1]
		eol = "\n"
		if len(b) > 0 && b[len(b)-1] == '\r' {
			b = b[:len(b)-1]
			eol = "\r\n"
		}
	}
	cr := false
	if n := len(b); !complete && n > 0 && b[n-1] == '\r' {
		// A CRLF cut by the buffer: decide with the next chunk.
		cr = true
		b = b[:n-1]
	}
	for len(b) > 0 {
		if lr.inCDATA && lr.cdataBytes > int64(lr.maxLine) {
			// An unterminated CDATA section (a truncated raw message)
			// must not hide the rest of the page's layout.
			lr.inCDATA = false
		}
		if lr.inCDATA {
			i := bytes.Index(b, []byte("]]>"))
			if i < 0 {
				keep := min(len(b), 2)
				if !complete && bytes.HasSuffix(b, []byte("]")) {
					// "]]>" may be cut in two.
					lr.text(b[:len(b)-keep])
					lr.carry = append(lr.carry, b[len(b)-keep:]...)
				} else {
					lr.text(b)
				}
				lr.cdataBytes += int64(len(b))
				break
			}
			lr.text(b[:i+3])
			b = b[i+3:]
			lr.inCDATA = false
			continue
		}
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			lr.text(b)
			break
		}
		lr.text(b[:i])
		b = b[i:]
		if bytes.HasPrefix(b, []byte("<![CDATA[")) {
			lr.text(b[:9])
			b = b[9:]
			lr.inCDATA, lr.cdataBytes = true, 0
			continue
		}
		if !complete && len(b) < 9 && bytes.HasPrefix([]byte("<![CDATA["), b) {
			lr.carry = append(lr.carry, b...)
			break
		}
		end, class, ok := parseTag(b)
		if !ok {
			if !complete && end < 0 {
				// A tag may be cut by the chunk's end: carry it over.
				lr.carry = append(lr.carry, b...)
				b = nil
				break
			}
			lr.text(b[:1])
			b = b[1:]
			continue
		}
		b = b[end:]
		lr.tag(class)
	}
	if cr {
		lr.carry = append(lr.carry, '\r')
	}
	if !complete {
		// The chunk's memory is reused by the next read.
		lr.materialize()
	}
	if complete {
		if lr.brokeEnd && isBlank(lr.line()) && lr.curLong == 0 {
			// "<br>\n", "<pre>\n": the newline after a break is layout.
			lr.cur, lr.curNum, lr.ref = lr.cur[:0], 0, nil
		} else {
			lr.flush(eol, true)
		}
		lr.num++
		lr.atStart = true
		lr.brokeEnd = false
	}
}

// parseTag reads an HTML tag at b[0] == '<'. It returns the length of the
// tag and its class, or ok false when b does not start a known HTML tag
// (end < 0 then means the tag could be cut off by the end of b).
func parseTag(b []byte) (end int, class tagClass, ok bool) {
	j := 1
	closing := false
	if j < len(b) && b[j] == '/' {
		closing = true
		j++
	}
	start := j
	for j < len(b) && j-start < 12 && isAlnum(b[j]) {
		j++
	}
	if j == len(b) {
		return -1, tagNone, false
	}
	name := b[start:j]
	if len(name) == 0 {
		return 0, tagNone, false
	}
	if c := b[j]; c != '>' && c != ' ' && c != '\t' && c != '/' && c != '\r' {
		return 0, tagNone, false
	}
	class = htmlTagClass(name, closing)
	if class == tagNone {
		return 0, tagNone, false
	}
	// The end of the tag, skipping quoted attribute values; a tag longer
	// than 2 KiB is not layout.
	var quote byte
	for k := j; k < len(b) && k < 2048; k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1, class, true
		case c == '<':
			return 0, tagNone, false
		}
	}
	if len(b) < 2048 {
		return -1, tagNone, false
	}
	return 0, tagNone, false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// htmlTagClass classifies an HTML element name (any case).
func htmlTagClass(name []byte, closing bool) tagClass {
	var buf [12]byte
	n := copy(buf[:], name)
	for i := range n {
		if c := buf[i]; c >= 'A' && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	switch string(buf[:n]) {
	case "br":
		return tagBreak
	case "p", "div", "blockquote", "center", "dt", "dd":
		return tagWeak
	case "pre", "textarea", "xmp", "listing", "plaintext", "td", "th", "tr", "table", "tbody", "thead", "tfoot",
		"hr", "html", "head", "body", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl":
		return tagBlock
	case "span", "font", "b", "i", "em", "strong", "tt", "a", "small", "big", "nobr", "wbr", "img":
		return tagInline
	}
	return tagNone
}

// text appends layout-free text to the logical line.
func (lr *lineReader) text(b []byte) {
	if len(b) == 0 {
		return
	}
	if lr.curNum == 0 {
		lr.curNum = lr.num
	}
	lr.brokeEnd = lr.brokeEnd && isBlank(b)
	if lr.ref == nil && len(lr.cur) == 0 && lr.curLong == 0 && len(b) <= lr.maxLine {
		// Most logical lines are one piece of one chunk: keep a view of
		// the chunk instead of a copy (valid until the next fill).
		lr.ref = b
		return
	}
	lr.materialize()
	if lr.curLong > 0 {
		lr.curLong += int64(len(b))
		return
	}
	if len(lr.cur)+len(b) > lr.maxLine {
		lr.curLong = int64(len(lr.cur) + len(b))
		lr.cur = append(lr.cur, b[:lr.maxLine-len(lr.cur)]...)
		return
	}
	lr.cur = append(lr.cur, b...)
}

func (lr *lineReader) tag(c tagClass) {
	switch c {
	case tagBreak:
		lr.flush("", true)
		lr.brokeEnd = true
	case tagWeak:
		lr.flush("", false)
		lr.brokeEnd = true
	case tagBlock:
		lr.flush("", false)
		lr.queue = append(lr.queue, item{kind: itemBlock, num: lr.num})
		lr.brokeEnd = true
	}
}

// flushEnd queues what the input's last line holds (a final line without a
// newline).
func (lr *lineReader) flushEnd() {
	if lr.curNum != 0 && !(lr.brokeEnd && isBlank(lr.line()) && lr.curLong == 0) {
		lr.flush("", true)
	}
}

// isBlank is len(bytes.TrimSpace(b)) == 0, answered at the first byte for
// most lines (the layout layer asks it of nearly every one): only from a
// byte outside ASCII on, which may start Unicode white space, does
// TrimSpace decide.
func isBlank(b []byte) bool {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
		default:
			return c >= utf8.RuneSelf && len(bytes.TrimSpace(b[i:])) == 0
		}
	}
	return true
}

// materialize copies a chunk view into cur.
func (lr *lineReader) materialize() {
	if lr.ref != nil {
		lr.cur = append(lr.cur, lr.ref...)
		lr.ref = nil
	}
}

// line is the logical line so far.
func (lr *lineReader) line() []byte {
	if lr.ref != nil {
		return lr.ref
	}
	return lr.cur
}

// flush queues the logical line; an empty (or blank) one only when always.
func (lr *lineReader) flush(eol string, always bool) {
	if !always && lr.curLong == 0 && isBlank(lr.line()) {
		lr.cur, lr.curNum, lr.ref = lr.cur[:0], 0, nil
		return
	}
	num := lr.curNum
	if num == 0 {
		num = lr.num
	}
	text := lr.ref
	if text == nil {
		a := len(lr.arena)
		lr.arena = append(lr.arena, lr.cur...)
		text = lr.arena[a:len(lr.arena):len(lr.arena)]
	}
	lr.queue = append(lr.queue, item{kind: itemLine, text: text, eol: eol, num: num, long: lr.curLong})
	lr.cur, lr.curNum, lr.curLong, lr.ref = lr.cur[:0], 0, 0, nil
}
