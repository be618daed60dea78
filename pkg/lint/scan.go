package lint

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// The scanner is lint's token path: a streaming XML 1.0 well-formedness
// checker that hands out tokens with the line and column where each starts.
// encoding/xml's Decoder.Token() with InputPos() gives the same positions,
// but it allocates for every token and reads about 6 times slower than
// libxml2 on FULLSYNC messages; this one reads in place from a fixed window
// and allocates nothing per token. Differential tests and a fuzz target
// hold it to encoding/xml's verdicts (scan_test.go). Element and attribute
// names must also be namespace-well-formed: at most one ':', between a
// non-empty prefix and a non-empty local name (qnameProblem).
//
// Tokens borrow the window: names, attributes and text stay valid only until
// the next call to next.

type tokKind uint8

const (
	tokNone    tokKind = iota
	tokStart           // a start tag: name, attrs, selfClose
	tokEnd             // an end tag (also after a self-closing start tag)
	tokText            // a chunk of character data, raw (references unexpanded when refs)
	tokCDATA           // a chunk of a CDATA section's content
	tokDoctype         // a DOCTYPE declaration: the caller refuses the document
)

const (
	scanBufSize = 64 << 10
	// maxTokenBytes bounds a start tag, end tag, processing instruction or
	// character reference: the window never grows past it, which keeps
	// memory flat. Text, comments and CDATA sections stream at any length.
	maxTokenBytes = 1 << 20
	// maxDepth bounds element nesting (rowset messages nest a few levels).
	maxDepth = 10000
	// lookahead is what the text loop keeps in the window before it looks
	// at a reference, a multi-byte character or "]]>".
	lookahead = 64
)

// attr is one attribute of a start tag; value is raw (quotes removed,
// references unexpanded when refs).
type attr struct {
	name, value []byte
	refs        bool
	line, col   int
}

// syntaxError is a well-formedness error at a position.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

// scanSignal is an error value the scanner's functions pass among
// themselves; it never leaves the scanner.
type scanSignal string

func (e scanSignal) Error() string { return string(e) }

// errNeedMore asks the dispatcher for more input and a retry from s.pos.
const errNeedMore = scanSignal("need more input")

// section is a construct the scanner is inside of across calls.
type section uint8

const (
	sectNone section = iota
	sectComment
	sectCDATA
)

type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of valid data
	base int64 // input offset of buf[0]
	eof  bool
	rerr error // read error other than io.EOF

	// Position of s.pos: line, the offset where that line starts, and the
	// UTF-8 continuation bytes between the two (columns count characters).
	line      int
	lineStart int64
	cont      int64

	// Open elements: names copied into one arena.
	names   []byte
	nameEnd []int
	depth   int

	rootSeen   bool
	rootClosed bool
	sect       section
	sectLine   int // where the open comment or CDATA section began
	sectCol    int
	pendingEnd bool
	err        error

	// The current token.
	tline, tcol int
	name        []byte
	attrs       []attr
	text        []byte
	refs        bool
	selfClose   bool
	cdataFirst  bool // this (empty) tokCDATA opens a section; later chunks carry its content
}

// newScanner reads r through a window of size bytes (scanBufSize when 0;
// tests use small windows to exercise every refill path).
func newScanner(r io.Reader, size int) *scanner {
	if size <= 0 {
		size = scanBufSize
	}
	return &scanner{r: r, buf: make([]byte, max(size, 2*lookahead)), line: 1}
}

// col returns the 1-based column (in characters) of buf[i], which must be
// on the current line at or after s.pos with no multi-byte characters
// between s.pos and i.
func (s *scanner) col(i int) int {
	return int(s.base+int64(i)-s.lineStart-s.cont) + 1
}

func (s *scanner) errAt(line, col int, format string, args ...any) error {
	return &syntaxError{line: line, col: col, msg: fmt.Sprintf(format, args...)}
}

// more keeps buf[s.pos:], moves it to the front, and reads more input,
// growing the window up to maxTokenBytes when a token fills it. It
// returns false when nothing more can be read.
func (s *scanner) more() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end = n
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTokenBytes+lookahead {
			return false
		}
		nb := make([]byte, min(2*len(s.buf), maxTokenBytes+lookahead))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// next returns the next token. At the end of a well-formed document it
// returns io.EOF; a well-formedness error is a *syntaxError; anything else
// is a read error.
func (s *scanner) next() (tokKind, error) {
	if s.err != nil {
		return tokNone, s.err
	}
	if s.pendingEnd {
		s.pendingEnd = false
		s.name = s.top()
		return s.popEnd(), nil
	}
	for {
		if s.end-s.pos < lookahead && !s.eof {
			s.more()
		}
		if s.pos >= s.end {
			return tokNone, s.atEOF()
		}
		var k tokKind
		var err error
		switch {
		case s.sect != sectNone:
			k, err = s.scanSection()
		case s.buf[s.pos] == '<':
			k, err = s.scanMarkup()
		default:
			k, err = s.scanText()
		}
		if err == errNeedMore {
			full := s.pos == 0 && s.end == len(s.buf)
			wasEOF := s.eof
			if s.more() || !wasEOF && s.eof && s.rerr == nil {
				// More input, or the end of input just found: the
				// construct is read again either way.
				continue
			}
			if s.rerr != nil {
				s.err = s.rerr
				return tokNone, s.err
			}
			if full {
				err = s.errAt(s.line, s.col(s.pos), "markup longer than %d bytes (a start tag, end tag, processing instruction or reference)", maxTokenBytes)
			} else {
				err = s.truncated()
			}
		}
		if err != nil {
			s.err = err
			return tokNone, err
		}
		if k != tokNone {
			return k, nil
		}
	}
}

func (s *scanner) atEOF() error {
	switch {
	case s.rerr != nil:
		s.err = s.rerr
	case s.sect == sectComment:
		s.err = s.errAt(s.line, s.col(s.pos), "unexpected end of file: the comment opened at line %d is not closed with -->", s.sectLine)
	case s.sect == sectCDATA:
		s.err = s.errAt(s.line, s.col(s.pos), "unexpected end of file: the CDATA section opened at line %d is not closed with ]]>", s.sectLine)
	case s.depth > 0:
		s.err = s.errAt(s.line, s.col(s.pos), "unexpected end of file: element <%s> is not closed", s.top())
	case !s.rootSeen:
		s.err = s.errAt(s.line, s.col(s.pos), "no root element: the input is empty or holds no XML element")
	default:
		s.err = io.EOF
	}
	return s.err
}

// truncated is the error for markup that the end of input cut off.
func (s *scanner) truncated() error {
	what := "markup"
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("</")):
		what = "an end tag"
	case bytes.HasPrefix(rest, []byte("<?")):
		what = "a processing instruction"
	case bytes.HasPrefix(rest, []byte("<!")):
		what = "a declaration"
	case len(rest) > 0 && rest[0] == '<':
		what = "a start tag"
	case len(rest) > 0 && rest[0] == '&':
		what = "a reference"
	}
	return s.errAt(s.line, s.col(s.pos), "unexpected end of file inside %s", what)
}

func (s *scanner) top() []byte {
	if s.depth == 0 {
		return nil
	}
	start := 0
	if s.depth > 1 {
		start = s.nameEnd[s.depth-2]
	}
	return s.names[start:s.nameEnd[s.depth-1]]
}

func (s *scanner) push(name []byte) error {
	if s.depth >= maxDepth {
		return s.errAt(s.tline, s.tcol, "elements nested deeper than %d levels", maxDepth)
	}
	s.names = append(s.names, name...)
	if s.depth < len(s.nameEnd) {
		s.nameEnd[s.depth] = len(s.names)
	} else {
		s.nameEnd = append(s.nameEnd, len(s.names))
	}
	s.depth++
	return nil
}

// popEnd closes the top element; s.name must already hold its name (it
// stays valid: popping only truncates the arena's length).
func (s *scanner) popEnd() tokKind {
	s.depth--
	if s.depth == 0 {
		s.names = s.names[:0]
		s.rootClosed = true
	} else {
		s.names = s.names[:s.nameEnd[s.depth-1]]
	}
	return tokEnd
}

// Character classes for the byte loops.
const (
	cOK  = iota // allowed, nothing to do
	cLT         // '<'
	cAmp        // '&'
	cRB         // ']'
	cNL         // '\n'
	cHi         // first byte of a multi-byte UTF-8 character (or invalid)
	cBad        // a control character XML does not allow
)

// charClass maps each byte to its class (a constant string, so that the
// package holds no mutable state; TestTables checks it).
const charClass = "" +
	"\x06\x06\x06\x06\x06\x06\x06\x06\x06\x00\x04\x06\x06\x00\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06" +
	"\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05" +
	"\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05" +
	"\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05" +
	"\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05"

// nameClass: 1 = may start a name, 2 = may only continue one, 3 = not
// ASCII (checked against XML 1.0's ranges).
const nameClass = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x02\x00\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x01\x00\x00\x00\x00\x00" +
	"\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x01" +
	"\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03"

func isNameStartRune(r rune) bool {
	switch {
	case r < 0x80:
		return nameClass[r] == 1
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

func isNameRune(r rune) bool {
	if r < 0x80 {
		return nameClass[r] != 0
	}
	return isNameStartRune(r) || r == 0xB7 || r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x9, r == 0xA, r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// pos is a position being tracked through markup that may have to be
// re-read after more input arrives: it is committed only when the markup
// is complete.
type pos struct {
	line      int
	lineStart int64
	cont      int64
}

func (s *scanner) mark() pos { return pos{s.line, s.lineStart, s.cont} }

func (s *scanner) commit(p pos, i int) {
	s.line, s.lineStart, s.cont = p.line, p.lineStart, p.cont
	s.pos = i
}

func (s *scanner) colOf(p *pos, i int) int {
	return int(s.base+int64(i)-p.lineStart-p.cont) + 1
}

// hiChar checks the multi-byte character at buf[i] and returns its size.
func (s *scanner) hiChar(p *pos, i int) (int, error) {
	if !utf8.FullRune(s.buf[i:s.end]) && !s.eof {
		return 0, errNeedMore
	}
	r, size := utf8.DecodeRune(s.buf[i:s.end])
	if r == utf8.RuneError && size <= 1 {
		return 0, s.errAt(p.line, s.colOf(p, i), "invalid UTF-8 (byte 0x%02X): declare the file's encoding in the XML declaration (e.g. encoding=\"ISO-8859-1\") or convert it to UTF-8", s.buf[i])
	}
	if !isXMLChar(r) {
		return 0, s.errAt(p.line, s.colOf(p, i), "character U+%04X is not allowed in XML", r)
	}
	p.cont += int64(size - 1)
	return size, nil
}

// newline moves p to the line that starts after the '\n' at buf[i].
func (s *scanner) newline(p *pos, i int) {
	p.line++
	p.lineStart = s.base + int64(i) + 1
	p.cont = 0
}

// step advances over the character at buf[i] in character data, an
// attribute value, a comment, a CDATA section or a processing instruction,
// and returns the index after it: a newline starts a new line in p, a
// multi-byte character is checked (it may need more input), a control
// character XML does not allow is an error, and any other byte is one
// column. step cannot be inlined (hiChar is a call), so the loops take the
// bytes that need no check, and newlines in text, inline before calling it.
func (s *scanner) step(p *pos, i int) (int, error) {
	switch c := s.buf[i]; charClass[c] {
	case cNL:
		s.newline(p, i)
	case cHi:
		n, err := s.hiChar(p, i)
		return i + n, err
	case cBad:
		return i, s.errAt(p.line, s.colOf(p, i), "control character U+%04X is not allowed in XML", c)
	}
	return i + 1, nil
}

// scanName reads an XML name at buf[i] and returns its end.
func (s *scanner) scanName(p *pos, i int) (int, error) {
	start := i
	buf := s.buf[:s.end]
	if i < len(buf) && nameClass[buf[i]] == 1 {
		i++
		for i < len(buf) && nameClass[buf[i]]-1 < 2 {
			i++
		}
	}
	for i < len(buf) {
		c := buf[i]
		if cl := nameClass[c]; cl != 3 {
			if cl == 0 || cl == 2 && i == start {
				break
			}
			i++
			continue
		}
		if !utf8.FullRune(s.buf[i:s.end]) && !s.eof {
			return 0, errNeedMore
		}
		r, size := utf8.DecodeRune(s.buf[i:s.end])
		if r == utf8.RuneError && size <= 1 {
			return 0, s.errAt(p.line, s.colOf(p, i), "invalid UTF-8 (byte 0x%02X) in a name", c)
		}
		if i == start && !isNameStartRune(r) || !isNameRune(r) {
			break
		}
		p.cont += int64(size - 1)
		i += size
	}
	if i == s.end {
		return 0, errNeedMore
	}
	if i == start {
		return 0, s.errAt(p.line, s.colOf(p, i), "expected a name, found %s", describeAt(s.buf[i:s.end]))
	}
	return i, nil
}

// qnameUsage ends the errors for names that XML 1.0 allows but XML
// namespaces do not.
const qnameUsage = "with XML namespaces a name is NAME or PREFIX:NAME"

// qnameProblem says what keeps an element or attribute name that XML 1.0
// accepts from being a qualified name in the sense of Namespaces in XML
// (LOCAL or PREFIX:LOCAL, each part a non-empty name without ':'), or
// returns "". Such names are not namespace-well-formed (xmllint: "Failed
// to parse QName"), and encoding/xml reads them inconsistently: "a::b" is
// an error, while ":a", "a:" and ":" come back as local names with the
// colon in them, where localName returns the part after the last ':'.
func qnameProblem(name []byte) string {
	i := bytes.IndexByte(name, ':')
	switch {
	case i < 0:
		return ""
	case bytes.IndexByte(name[i+1:], ':') >= 0:
		return "has more than one ':'"
	case len(name) == 1:
		return "is a lone ':' with no prefix or local name"
	case i == 0:
		return "has an empty prefix before ':'"
	case i == len(name)-1:
		return "has an empty local name after ':'"
	}
	// The local name is a name of its own: it starts with a letter, '_'
	// or another name-start character, not a digit, '-', '.' or a
	// combining mark.
	if r, _ := utf8.DecodeRune(name[i+1:]); !isNameStartRune(r) {
		return "has a local name starting with " + describeAt(name[i+1:]) + " after ':'"
	}
	return ""
}

// describeAt names the character at the start of b for error messages.
func describeAt(b []byte) string {
	if len(b) == 0 {
		return "the end of input"
	}
	r, _ := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError:
		return fmt.Sprintf("byte 0x%02X", b[0])
	case r < 0x20:
		return fmt.Sprintf("character U+%04X", r)
	}
	return fmt.Sprintf("%q", r)
}

// skipSpace skips XML white space from buf[i], tracking lines.
func (s *scanner) skipSpace(p *pos, i int) int {
	for i < s.end {
		switch s.buf[i] {
		case ' ', '\t', '\r':
		case '\n':
			s.newline(p, i)
		default:
			return i
		}
		i++
	}
	return i
}

// checkRef checks the reference at buf[i] ('&') and returns its length.
func (s *scanner) checkRef(p *pos, i int) (int, error) {
	limit := min(s.end, i+lookahead)
	j := bytes.IndexByte(s.buf[i:limit], ';')
	if j < 0 {
		if limit == s.end && !s.eof {
			return 0, errNeedMore
		}
		return 0, s.errAt(p.line, s.colOf(p, i), "'&' starts no reference: write &amp; for a literal ampersand")
	}
	ref := s.buf[i+1 : i+j]
	if len(ref) > 0 && ref[0] == '#' {
		var r rune
		digits := ref[1:]
		hex := len(digits) > 0 && digits[0] == 'x'
		if hex {
			digits = digits[1:]
		}
		if len(digits) == 0 {
			return 0, s.errAt(p.line, s.colOf(p, i), "character reference &%s; has no digits", ref)
		}
		for _, c := range digits {
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = rune(c - '0')
			case hex && c >= 'a' && c <= 'f':
				d = rune(c-'a') + 10
			case hex && c >= 'A' && c <= 'F':
				d = rune(c-'A') + 10
			default:
				return 0, s.errAt(p.line, s.colOf(p, i), "invalid character reference &%s;", ref)
			}
			if hex {
				r = r*16 + d
			} else {
				r = r*10 + d
			}
			if r > 0x10FFFF {
				break
			}
		}
		if !isXMLChar(r) {
			return 0, s.errAt(p.line, s.colOf(p, i), "character reference &%s; is not an XML character", ref)
		}
		return j + 1, nil
	}
	switch string(ref) {
	case "lt", "gt", "amp", "apos", "quot":
		return j + 1, nil
	}
	if len(ref) == 0 {
		return 0, s.errAt(p.line, s.colOf(p, i), "'&' starts no reference: write &amp; for a literal ampersand")
	}
	return 0, s.errAt(p.line, s.colOf(p, i), "undefined entity &%s; (only &lt; &gt; &amp; &apos; &quot; and character references exist without a DTD)", ref)
}

// scanText reads character data up to the next '<' (or as far as the window
// allows) and returns it as one chunk.
func (s *scanner) scanText() (tokKind, error) {
	p := s.mark()
	start := s.pos
	s.tline, s.tcol = s.line, s.col(start)
	limit := s.end
	if !s.eof {
		limit = s.end - lookahead
	}
	i := start
	refs := false
	buf := s.buf
loop:
	for i < limit {
		c := buf[i]
		cl := charClass[c]
		if cl == cOK {
			i++
			continue
		}
		switch cl {
		case cLT:
			break loop
		case cNL:
			s.newline(&p, i)
			i++
		case cAmp:
			n, err := s.checkRef(&p, i)
			if err != nil {
				return tokNone, err
			}
			refs = true
			i += n
		case cRB:
			if i+2 < s.end && buf[i+1] == ']' && buf[i+2] == '>' {
				return tokNone, s.errAt(p.line, s.colOf(&p, i), "\"]]>\" is not allowed in text: write ]]&gt;")
			}
			i++
		default: // cHi, cBad
			j, err := s.step(&p, i)
			if err != nil {
				return tokNone, err
			}
			i = j
		}
	}
	if i == start {
		return tokNone, errNeedMore
	}
	if s.depth == 0 {
		q := s.mark()
		for j := start; j < i; j++ {
			switch c := buf[j]; {
			case c == '\n':
				s.newline(&q, j)
			case c >= 0x80 && c < 0xC0:
				q.cont++
			case !isSpace(c):
				where := "before"
				if s.rootClosed {
					where = "after"
				}
				return tokNone, s.errAt(q.line, s.colOf(&q, j), "text %s the root element: a document has one root element and nothing but comments around it", where)
			}
		}
		s.commit(p, i)
		return tokNone, nil
	}
	s.commit(p, i)
	s.text, s.refs = buf[start:i], refs
	return tokText, nil
}

// scanMarkup reads the markup starting at buf[s.pos] ('<').
func (s *scanner) scanMarkup() (tokKind, error) {
	if s.pos+1 >= s.end {
		return tokNone, errNeedMore
	}
	s.tline, s.tcol = s.line, s.col(s.pos)
	switch s.buf[s.pos+1] {
	case '/':
		return s.scanEndTag()
	case '?':
		return s.scanPI()
	case '!':
		return s.scanBang()
	}
	return s.scanStartTag()
}

func (s *scanner) scanStartTag() (tokKind, error) {
	p := s.mark()
	i := s.pos + 1
	nameEnd, err := s.scanName(&p, i)
	if err != nil {
		if err != errNeedMore && i < s.end && (isSpace(s.buf[i]) || s.buf[i] == '<' || s.buf[i] == '&' || s.buf[i] == '=') {
			return tokNone, s.errAt(s.tline, s.tcol, "'<' starts no tag: write &lt; for a literal less-than sign")
		}
		return tokNone, err
	}
	name := s.buf[i:nameEnd]
	if bytes.IndexByte(name, ':') >= 0 {
		if why := qnameProblem(name); why != "" {
			return tokNone, s.errAt(s.tline, s.tcol, "element <%s> %s: %s", name, why, qnameUsage)
		}
	}
	i = nameEnd
	s.attrs = s.attrs[:0]
	for {
		j := s.skipSpace(&p, i)
		if j >= s.end {
			return tokNone, errNeedMore
		}
		c := s.buf[j]
		if c == '>' || c == '/' {
			selfClose := c == '/'
			if selfClose {
				if j+1 >= s.end {
					return tokNone, errNeedMore
				}
				if s.buf[j+1] != '>' {
					return tokNone, s.errAt(p.line, s.colOf(&p, j), "expected '>' after '/' in <%s>", name)
				}
				j++
			}
			if s.depth == 0 && s.rootClosed {
				return tokNone, s.errAt(s.tline, s.tcol, "a second root element <%s>: a document has exactly one root element", name)
			}
			s.commit(p, j+1)
			s.name, s.selfClose = name, selfClose
			if err := s.push(name); err != nil {
				return tokNone, err
			}
			s.rootSeen = true
			s.pendingEnd = selfClose
			return tokStart, nil
		}
		if j == i {
			return tokNone, s.errAt(p.line, s.colOf(&p, j), "expected white space, '>' or '/>' in <%s>, found %s", name, describeAt(s.buf[j:s.end]))
		}
		i = j
		aline, acol := p.line, s.colOf(&p, i)
		nameEnd, err := s.scanName(&p, i)
		if err != nil {
			return tokNone, err
		}
		an := s.buf[i:nameEnd]
		if bytes.IndexByte(an, ':') >= 0 {
			if why := qnameProblem(an); why != "" {
				return tokNone, s.errAt(aline, acol, "attribute %s in <%s> %s: %s", an, name, why, qnameUsage)
			}
		}
		i = s.skipSpace(&p, nameEnd)
		if i >= s.end {
			return tokNone, errNeedMore
		}
		if s.buf[i] != '=' {
			return tokNone, s.errAt(p.line, s.colOf(&p, i), "attribute %s in <%s> has no value: write %s=\"...\"", an, name, an)
		}
		i = s.skipSpace(&p, i+1)
		if i >= s.end {
			return tokNone, errNeedMore
		}
		q := s.buf[i]
		if q != '"' && q != '\'' {
			return tokNone, s.errAt(p.line, s.colOf(&p, i), "the value of attribute %s in <%s> is not quoted", an, name)
		}
		i++
		vstart := i
		refs := false
		for {
			if i >= s.end {
				return tokNone, errNeedMore
			}
			c := s.buf[i]
			if c == q {
				break
			}
			switch charClass[c] {
			case cOK, cRB:
				i++
			case cLT:
				return tokNone, s.errAt(p.line, s.colOf(&p, i), "'<' in the value of attribute %s: write &lt;", an)
			case cAmp:
				n, err := s.checkRef(&p, i)
				if err != nil {
					return tokNone, err
				}
				refs = true
				i += n
			default: // cNL, cHi, cBad
				j, err := s.step(&p, i)
				if err != nil {
					return tokNone, err
				}
				i = j
			}
		}
		for _, a := range s.attrs {
			if bytes.Equal(a.name, an) {
				return tokNone, s.errAt(aline, acol, "attribute %s appears twice in <%s>", an, name)
			}
		}
		s.attrs = append(s.attrs, attr{name: an, value: s.buf[vstart:i], refs: refs, line: aline, col: acol})
		i++
	}
}

func (s *scanner) scanEndTag() (tokKind, error) {
	p := s.mark()
	i := s.pos + 2
	// Fast path: the end tag repeats the open element's name (checked when
	// it was opened) followed by '>'.
	if top := s.top(); s.depth > 0 && i+len(top) < s.end && s.buf[i+len(top)] == '>' && bytes.Equal(s.buf[i:i+len(top)], top) {
		s.commit(p, i+len(top)+1)
		s.name = s.buf[i : i+len(top)]
		return s.popEnd(), nil
	}
	nameEnd, err := s.scanName(&p, i)
	if err != nil {
		return tokNone, err
	}
	name := s.buf[i:nameEnd]
	i = s.skipSpace(&p, nameEnd)
	if i >= s.end {
		return tokNone, errNeedMore
	}
	if s.buf[i] != '>' {
		return tokNone, s.errAt(p.line, s.colOf(&p, i), "expected '>' to end </%s>, found %s", name, describeAt(s.buf[i:s.end]))
	}
	if s.depth == 0 {
		return tokNone, s.errAt(s.tline, s.tcol, "end tag </%s> without a start tag", name)
	}
	if top := s.top(); !bytes.Equal(top, name) {
		return tokNone, s.errAt(s.tline, s.tcol, "element <%s> closed by </%s>", top, name)
	}
	s.commit(p, i+1)
	s.name = name
	return s.popEnd(), nil
}

// scanPI reads a processing instruction (or the XML declaration) whole.
func (s *scanner) scanPI() (tokKind, error) {
	p := s.mark()
	i := s.pos + 2
	nameEnd, err := s.scanName(&p, i)
	if err != nil {
		return tokNone, err
	}
	target := s.buf[i:nameEnd]
	i = nameEnd
	if i >= s.end {
		return tokNone, errNeedMore
	}
	if !isSpace(s.buf[i]) && s.buf[i] != '?' {
		return tokNone, s.errAt(p.line, s.colOf(&p, i), "expected white space after <?%s", target)
	}
	cstart := i
	for {
		if i+1 >= s.end {
			return tokNone, errNeedMore
		}
		c := s.buf[i]
		if c == '?' && s.buf[i+1] == '>' {
			break
		}
		if charClass[c] == cOK {
			i++
			continue
		}
		j, err := s.step(&p, i)
		if err != nil {
			return tokNone, err
		}
		i = j
	}
	if bytes.EqualFold(target, []byte("xml")) {
		if !bytes.Equal(target, []byte("xml")) {
			return tokNone, s.errAt(s.tline, s.tcol, "processing instruction target %q is reserved (xml, in any case)", target)
		}
		if s.base+int64(s.pos) != 0 {
			return tokNone, s.errAt(s.tline, s.tcol, "an XML declaration (<?xml ...?>) is allowed only at the very start of the document")
		}
		if msg := checkXMLDecl(s.buf[cstart:i]); msg != "" {
			return tokNone, s.errAt(s.tline, s.tcol, "%s", msg)
		}
	}
	s.commit(p, i+2)
	return tokNone, nil
}

// checkXMLDecl checks the XML declaration's content: version, then
// optionally encoding and standalone, each name="value" after white space.
func checkXMLDecl(c []byte) string {
	const usage = "write <?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	names := []string{"version", "encoding", "standalone"}
	next := 0
	for {
		rest := bytes.TrimLeft(c, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		if len(rest) == len(c) {
			return "the XML declaration is malformed: " + usage
		}
		c = rest
		eq := bytes.IndexByte(c, '=')
		if eq < 0 {
			return "the XML declaration is malformed: " + usage
		}
		name := string(bytes.TrimRight(c[:eq], " \t\r\n"))
		k := next
		for k < len(names) && names[k] != name {
			k++
		}
		if k == len(names) || k > 0 && next == 0 {
			if next == 0 && name != "version" {
				return "the XML declaration has no version: " + usage
			}
			return fmt.Sprintf("the XML declaration has %q where only version, encoding and standalone may follow, in that order: %s", name, usage)
		}
		next = k + 1
		v := bytes.TrimLeft(c[eq+1:], " \t\r\n")
		if len(v) == 0 || v[0] != '"' && v[0] != '\'' {
			return "a value in the XML declaration is not quoted: " + usage
		}
		end := bytes.IndexByte(v[1:], v[0])
		if end < 0 {
			return "a value in the XML declaration is not closed: " + usage
		}
		val := v[1 : 1+end]
		switch name {
		case "version":
			if string(val) != "1.0" {
				return fmt.Sprintf("XML version %q is not supported: write version=\"1.0\"", val)
			}
		case "encoding":
			if !isEncName(val) {
				return fmt.Sprintf("%q is not an encoding name: %s", val, usage)
			}
		case "standalone":
			if string(val) != "yes" && string(val) != "no" {
				return fmt.Sprintf("standalone=%q: write yes or no", val)
			}
		}
		c = v[2+end:]
	}
	if next == 0 {
		return "the XML declaration has no version: " + usage
	}
	return ""
}

func isEncName(b []byte) bool {
	if len(b) == 0 || !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z') {
		return false
	}
	for _, c := range b[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// pseudoAttr returns the value of name="..." in an XML declaration.
func pseudoAttr(content []byte, name string) []byte {
	i := bytes.Index(content, []byte(name))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(content[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return nil
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
		return nil
	}
	end := bytes.IndexByte(rest[1:], rest[0])
	if end < 0 {
		return nil
	}
	return rest[1 : 1+end]
}

// scanBang reads <!-- comments -->, <![CDATA[ sections and <!DOCTYPE.
func (s *scanner) scanBang() (tokKind, error) {
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		s.sect, s.sectLine, s.sectCol = sectComment, s.tline, s.tcol
		s.commit(s.mark(), s.pos+4)
		return tokNone, nil
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		if s.depth == 0 {
			return tokNone, s.errAt(s.tline, s.tcol, "a CDATA section outside the root element")
		}
		s.sect, s.sectLine, s.sectCol = sectCDATA, s.tline, s.tcol
		s.commit(s.mark(), s.pos+9)
		// An empty first chunk marks where the section starts.
		s.text, s.cdataFirst = nil, true
		return tokCDATA, nil
	case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
		if s.rootSeen {
			return tokNone, s.errAt(s.tline, s.tcol, "a DOCTYPE declaration after the root element")
		}
		return tokDoctype, nil
	}
	if len(rest) < 9 && !s.eof {
		return tokNone, errNeedMore
	}
	return tokNone, s.errAt(s.tline, s.tcol, "invalid markup %q: only comments (<!--), CDATA sections (<![CDATA[) and DOCTYPE start with <!", bytes.TrimSpace(rest[:min(len(rest), 9)]))
}

// scanSection streams through the open comment or CDATA section; CDATA
// content comes back in chunks.
func (s *scanner) scanSection() (tokKind, error) {
	p := s.mark()
	start := s.pos
	s.tline, s.tcol = s.line, s.col(start)
	limit := s.end
	if !s.eof {
		limit = s.end - lookahead
	}
	term := byte(']')
	if s.sect == sectComment {
		term = '-'
	}
	i := start
	for i < limit {
		c := s.buf[i]
		if c == term && i+1 < s.end && s.buf[i+1] == term {
			if i+2 >= s.end {
				return tokNone, errNeedMore
			}
			if s.buf[i+2] == '>' {
				return s.endSection(p, start, i)
			}
			if s.sect == sectComment {
				return tokNone, s.errAt(p.line, s.colOf(&p, i), "\"--\" inside a comment (opened at line %d): comments cannot contain two hyphens in a row", s.sectLine)
			}
		}
		if charClass[c] == cOK {
			i++
			continue
		}
		j, err := s.step(&p, i)
		if err != nil {
			return tokNone, err
		}
		i = j
	}
	if i == start {
		return tokNone, errNeedMore
	}
	s.commit(p, i)
	if s.sect == sectComment {
		return tokNone, nil
	}
	s.text, s.cdataFirst = s.buf[start:i], false
	return tokCDATA, nil
}

func (s *scanner) endSection(p pos, start, i int) (tokKind, error) {
	sect := s.sect
	s.sect = sectNone
	s.commit(p, i+3)
	if sect == sectComment || i == start {
		return tokNone, nil
	}
	s.text, s.cdataFirst = s.buf[start:i], false
	return tokCDATA, nil
}
