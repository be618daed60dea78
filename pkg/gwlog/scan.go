package gwlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/psib-dev/psib/internal/asciifold"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// The message layer: it reads logical lines and finds IB messages by their
// content, whatever the page around them:
//
//   - internal MIME messages: a header block that declares a multipart
//     boundary (or PeopleSoft's top Content-ID), up to the closing delimiter;
//     also a whole message flattened onto one line;
//   - raw HTTP requests and responses (ig.log.level 5): a request or status
//     line, headers, a blank line and a body, which ends with its own
//     structure (a MIME closing delimiter, the XML root's end tag) or, for
//     other bodies, at Content-Length, a blank line or the next log line;
//   - XML documents whose root is IBRequest, IBResponse, IBInfo, a SOAP
//     Envelope (kept when it is a fault) or, after an XML declaration, the
//     legacy <reply>.
//
// Inside a message, what would start another kind of message belongs to it
// (the IBInfo of a MIME message, the IBResponse in an HTTP body). A message
// ends early, as truncated, where the page's block ends (</pre>, </td>),
// where an HTTP request or status line or a "Message-ID:" line starts
// another message, or at the end of input. Lines outside messages give the
// log-entry context: the time, the description, the connector.

// endReason says how a message's text ended.
type endReason uint8

const (
	endNatural endReason = iota // its own structure ended it
	endBlock                    // the page's content block ended
	endNext                     // another message started
	endText                     // text that is not part of it followed
	endEOF                      // the input ended
)

func (e endReason) String() string {
	switch e {
	case endBlock:
		return "the log entry's block ends"
	case endNext:
		return "another message starts"
	case endText:
		return "other text follows"
	case endEOF:
		return "the input ends"
	}
	return "complete"
}

// logContext is what the log says around a message.
type logContext struct {
	timeText  string
	time      time.Time
	desc      string
	connector string
}

// rawMessage is a message's text as found, before decoding.
type rawMessage struct {
	seq    int
	file   string
	line   int
	format string // "mime", "http", "xml"; "" for a problem outside messages
	text   []byte
	lines  []int32 // the physical line of each logical line of text
	end    endReason
	ctx    logContext
	// complete: the message's own structure ended it.
	complete bool
	// dropped counts bytes past the message limit (not kept).
	dropped int64
	// longLine is the physical line of a line cut at the line limit.
	longLine int
	root     string // XML: the root element
	xmlEsc   bool   // XML: the root was found HTML-escaped
	headers  int    // HTTP: header fields seen
	flat     bool   // MIME: the whole message is on one line
	problem  error  // a problem outside any message
}

type action uint8

const (
	actKeep     action = iota // the line belongs to the message
	actDone                   // the line belongs to it, and ends it
	actDoneAt                 // line[:n] ends it; the rest is read again
	actStop                   // the message ended before this line: another starts
	actStopText               // the message ended before this line: other text
	actAbandon                // it was not a message after all
	actSkip                   // the line is not part of the message, which goes on
)

// collector gathers one message.
type collector struct {
	msg *rawMessage
	max int
	// text and lines hold msg's text and line numbers while it grows.
	text  *tailArena[byte]
	lines *tailArena[int32]

	http *httpTrack
	mime *mimeTrack
	xml  *xmlTracker
}

func (c *collector) add(text []byte, eol string, num int, long int64) {
	m := c.msg
	if long > 0 && m.longLine == 0 {
		m.longLine = num
	}
	if m.dropped > 0 || len(m.text)+len(text)+len(eol) > c.max {
		m.dropped += int64(len(text) + len(eol))
		return
	}
	n := len(text) + len(eol)
	if eol == "" {
		n++
	}
	m.text = c.text.room(m.text, n)
	m.text = append(m.text, text...)
	m.text = append(m.text, eol...)
	if eol == "" {
		// Keep one logical line per line of text.
		m.text = append(m.text, '\n')
	}
	m.lines = append(c.lines.room(m.lines, 1), int32(num))
}

// done ends the collection: the message's text and lines are final.
func (c *collector) done() {
	c.msg.text = c.text.finish(c.msg.text)
	c.msg.lines = c.lines.finish(c.msg.lines)
}

// scanner is the message layer over one input.
type scanner struct {
	file    string
	max     int
	seq     int
	ctx     logContext
	descSet bool
	cur     *collector
	decl    []byte // a pending XML declaration line (raw)
	declNum int
	ready   []*rawMessage // finished, not yet handed on
	text    tailArena[byte]
	lines   tailArena[int32]
	times   logTimes
	loc     *time.Location // for times written without a zone
	emit    func(*rawMessage) error
}

// newScanner returns a scanner of the input called file that hands each
// message it finds to emit; max caps a message's text, and times written
// without a zone are in loc.
func newScanner(file string, max int, loc *time.Location, emit func(*rawMessage) error) *scanner {
	return &scanner{file: file, max: max, loc: loc, emit: emit,
		text: tailArena[byte]{block: 256 << 10}, lines: tailArena[int32]{block: 16 << 10}}
}

func (s *scanner) run(lr *lineReader) error {
	for {
		it, err := lr.next()
		if err != nil {
			s.finish(endEOF, false)
			if ferr := s.flush(); ferr != nil {
				return ferr
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if it.kind == itemBlock {
			s.block()
		} else {
			s.line(it.text, it.eol, it.num, it.long)
		}
		if err := s.flush(); err != nil {
			return err
		}
	}
}

// flush hands on the finished messages: one line can end a message and
// start (and even end) another, so they are queued in s.ready first.
func (s *scanner) flush() error {
	for _, m := range s.ready {
		if err := s.emit(m); err != nil {
			s.ready = s.ready[:0]
			return err
		}
	}
	s.ready = s.ready[:0]
	return nil
}

func (s *scanner) block() {
	s.decl = nil
	if s.cur == nil {
		return
	}
	switch {
	case s.cur.http != nil:
		if s.cur.http.headerless() {
			s.cur = nil
			return
		}
		s.finish(endBlock, s.cur.http.completeAtEnd())
	case s.cur.mime != nil:
		if !s.cur.mime.valid() {
			s.cur = nil
			return
		}
		s.finish(endBlock, false)
	default:
		s.finish(endBlock, false)
	}
}

func (s *scanner) finish(end endReason, complete bool) {
	if s.cur == nil {
		return
	}
	c := s.cur
	s.cur = nil
	if c.http != nil && end != endNatural && c.http.headerless() {
		return
	}
	if c.mime != nil && !c.mime.valid() {
		return
	}
	c.done()
	m := c.msg
	m.end, m.complete = end, complete
	if c.http != nil {
		m.headers = c.http.headers
	}
	s.ready = append(s.ready, m)
}

func (s *scanner) problem(num int, err error) {
	s.seq++
	s.ready = append(s.ready, &rawMessage{seq: s.seq, file: s.file, line: num, problem: err})
}

// line handles one logical line.
func (s *scanner) line(text []byte, eol string, num int, long int64) {
	if s.cur == nil {
		s.idle(text, eol, num, long)
		return
	}
	c := s.cur
	act, n := s.feed(c, text)
	switch act {
	case actKeep:
		c.add(text, eol, num, long)
	case actDone:
		c.add(text, eol, num, long)
		complete := true
		if c.mime != nil && c.mime.flat {
			c.msg.flat = true
			complete = c.mime.done
		}
		s.finish(endNatural, complete)
	case actDoneAt:
		c.add(text[:n], "", num, 0)
		s.finish(endNatural, true)
		if rest := text[n:]; !isBlank(rest) {
			s.idle(rest, eol, num, 0)
		}
	case actStop, actStopText:
		complete := c.http != nil && c.http.completeAtEnd()
		end := endNext
		if act == actStopText {
			end = endText
		}
		s.finish(end, complete)
		s.idle(text, eol, num, long)
	case actAbandon:
		s.cur = nil
		s.idle(text, eol, num, long)
	case actSkip:
	}
}

func (s *scanner) feed(c *collector, text []byte) (action, int) {
	switch {
	case c.http != nil:
		return c.http.feed(text)
	case c.mime != nil:
		if c.mime.inBody() && startsOther(text, true) {
			return actStop, 0
		}
		return c.mime.feed(text), 0
	default:
		if c.xml.state == xsText && startsOther(text, true) {
			return actStop, 0
		}
		if n := c.xml.feed(text); n >= 0 {
			return actDoneAt, n
		}
		return actKeep, 0
	}
}

// startsOther reports whether a line inside a message starts another one:
// an HTTP request or status line, or (withMIME) a "Message-ID:" line. Only
// the start of the line counts: payloads may mention anything.
func startsOther(text []byte, withMIME bool) bool {
	if len(text) < 8 || len(text) > 4096 {
		return false
	}
	switch text[0] {
	case 'H', 'G', 'P', 'D', 'O':
		_, _, ok := findHTTPStart(text, false)
		return ok
	case 'M':
		return withMIME && asciifold.HasPrefix(text, "Message-ID:")
	}
	return false
}

func (s *scanner) begin(format string, num int) *collector {
	s.seq++
	c := &collector{max: s.max, msg: &rawMessage{seq: s.seq, file: s.file, line: num, format: format, ctx: s.ctx}, text: &s.text, lines: &s.lines}
	c.msg.text, c.msg.lines = s.text.start(), s.lines.start()
	s.cur = c
	return c
}

// idle handles a line outside any message: it looks for a message's start
// and otherwise keeps the log-entry context.
func (s *scanner) idle(text []byte, eol string, num int, long int64) {
	if long > 0 {
		s.problem(num, fmt.Errorf("line is %d bytes, longer than the %d-byte line limit: only its first %d bytes were searched for messages", long, s.max, s.max))
	}
	trimmed := trimBlanksLeft(text)
	if isBlank(trimmed) {
		return
	}
	rest := trimmed
	if ts, n := matchLabeledTimestamp(trimmed); n > 0 {
		t, _ := s.times.parse(ts, s.loc)
		s.ctx = logContext{timeText: ts, time: t}
		s.descSet = false
		rest = bytes.TrimLeft(trimmed[n:], " \t:-")
	}
	if pos, _, ok := findHTTPStart(rest, true); ok {
		s.context(rest[:pos])
		c := s.begin("http", num)
		c.http = &httpTrack{}
		s.line(rest[pos:], eol, num, long)
		return
	}
	if pos, ok := findMIMEStart(rest); ok {
		s.context(rest[:pos])
		c := s.begin("mime", num)
		c.mime = &mimeTrack{}
		s.line(rest[pos:], eol, num, long)
		return
	}
	if pos, root, esc, ok := findXMLStart(rest, s.decl != nil); ok {
		s.context(rest[:pos])
		startNum := num
		decl := s.decl
		if decl != nil {
			startNum = s.declNum
		}
		c := s.begin("xml", startNum)
		c.msg.root, c.msg.xmlEsc = root, esc
		c.xml = &xmlTracker{root: []byte(root), esc: esc}
		if decl != nil {
			n := s.declNum
			for _, l := range bytes.SplitAfter(bytes.TrimSuffix(decl, []byte("\n")), []byte("\n")) {
				c.add(bytes.TrimSuffix(l, []byte("\n")), "\n", n, 0)
				n++
			}
			s.decl = nil
		}
		s.line(rest[pos:], eol, num, long)
		return
	}
	if isPrologLine(rest) && (s.decl != nil || !bytes.HasPrefix(bytes.TrimSpace(rest), []byte("<!--"))) && len(s.decl) < 64<<10 {
		// An XML declaration, a DOCTYPE or a comment before a root: kept
		// with the document that follows (a DOCTYPE must reach the parser,
		// which refuses it).
		if s.decl == nil {
			s.declNum = num
		}
		s.decl = append(append(s.decl, bytes.TrimSpace(rest)...), '\n')
		return
	}
	s.decl = nil
	s.context(rest)
}

// context takes a line (or the text before a message on its line) as the
// log entry's description and connector.
func (s *scanner) context(text []byte) {
	t := bytes.TrimSpace(text)
	if len(t) == 0 || len(t) > 4096 || s.ctx.timeText == "" {
		// Without a log entry's time this is a document, not a log:
		// its text says nothing about the messages.
		return
	}
	if s.ctx.connector == "" && bytes.Contains(t, []byte("Connector")) {
		if m := findConnector(t); m != nil {
			s.ctx.connector = string(m)
		}
	}
	if asciifold.HasPrefix(t, "Description:") {
		// An errorLog's labelled description wins over what came first.
		t, s.descSet = bytes.TrimSpace(t[len("Description:"):]), false
	}
	if s.descSet || isNumber(t) || len(t) == 0 {
		return
	}
	d := string(t)
	if bytes.IndexByte(t, '&') >= 0 {
		d = string(unescapeHTML(t))
	}
	if len(d) > 200 {
		d = d[:200]
	}
	s.ctx.desc = strings.TrimRight(d, " :")
	s.descSet = true
}

// findConnector returns the first connector name in b: a whole word (ASCII
// letters and digits, starting with a capital) that ends in
// ListeningConnector or TargetConnector, such as
// PeopleSoftListeningConnector or HttpTargetConnector. It is the regular
// expression \b[A-Z][A-Za-z0-9]*(?:Listening|Target)Connector\b written out
// (FuzzFindConnector): log descriptions are read for it line after line.
func findConnector(b []byte) []byte {
	const word = "Connector"
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(word))
		if j < 0 {
			return nil
		}
		start, end := i+j, i+j+len(word)
		i = start + 1
		if end < len(b) && isWordByte(b[end]) {
			// Not the end of its word; a later occurrence may be.
			continue
		}
		for start > 0 && isWordByte(b[start-1]) {
			start--
		}
		if w := b[start:end]; isConnectorName(w) {
			return w
		}
		i = end
	}
}

// isConnectorName reports whether the word w is a connector's name.
func isConnectorName(w []byte) bool {
	var suffix int
	switch {
	case bytes.HasSuffix(w, []byte("ListeningConnector")):
		suffix = len("ListeningConnector")
	case bytes.HasSuffix(w, []byte("TargetConnector")):
		suffix = len("TargetConnector")
	default:
		return false
	}
	if len(w) <= suffix || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	return bytes.IndexByte(w, '_') < 0
}

// isWordByte reports an ASCII word character, as \b in a regular
// expression sees one.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

func isNumber(b []byte) bool {
	if len(b) == 0 || b[0] != '+' && b[0] != '-' && !isDigit(b[0]) {
		// What strconv.Atoi refuses at once, without building an error.
		return false
	}
	_, err := strconv.Atoi(string(b))
	return err == nil
}

// --- start detection ---

var (
	httpRequestRE = regexp.MustCompile(`^(?:.{0,200}?[\]>:;]\s+)?((?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (?:/|https?://)\S* HTTP/\d(?:\.\d)?)\s*$`)
	// A request line without a version, as people paste them, only when it
	// names the gateway.
	httpBareRequestRE = regexp.MustCompile(`^((?:GET|POST|PUT|DELETE|PATCH) (?:/|https?://)\S*/PSIGW/\S*)\s*$`)
	httpStatusRE      = regexp.MustCompile(`^(?:.{0,200}?[\]>:;]\s+)?(HTTP/\d(?:\.\d)? \d{3}(?: [^\r\n]*)?)$`)
)

// findHTTPStart finds an HTTP request or status line. With prefix, a log
// prefix ending in ']', '>' or ':' may precede it.
func findHTTPStart(line []byte, prefix bool) (pos int, response bool, ok bool) {
	t := trimBlanksRight(line)
	if len(t) < 10 || len(t) > 8192 {
		return 0, false, false
	}
	// The usual forms, without a regular expression.
	if isStatusLine(t) {
		return 0, true, true
	}
	if isRequestLine(t) {
		return 0, false, true
	}
	if !prefix {
		switch {
		case bytes.HasPrefix(t, []byte("HTTP/")):
			if m := httpStatusRE.FindSubmatchIndex(t); m != nil && m[2] == 0 {
				return 0, true, true
			}
			return 0, false, false
		case bytes.Contains(t, []byte(" HTTP/")):
			if m := httpRequestRE.FindSubmatchIndex(t); m != nil && m[2] == 0 {
				return 0, false, true
			}
		}
		if bareMethod(t) && httpBareRequestRE.Match(t) {
			return 0, false, true
		}
		return 0, false, false
	}
	if !bytes.Contains(t, []byte("HTTP/")) {
		if bareMethod(t) && httpBareRequestRE.Match(t) {
			return 0, false, true
		}
		return 0, false, false
	}
	if m := httpRequestRE.FindSubmatchIndex(t); m != nil {
		return m[2], false, true
	}
	if m := httpStatusRE.FindSubmatchIndex(t); m != nil {
		return m[2], true, true
	}
	return 0, false, false
}

// bareMethod reports whether t starts with a method httpBareRequestRE
// accepts, so that other lines skip the expression.
func bareMethod(t []byte) bool {
	switch t[0] {
	case 'G', 'P', 'D':
		for _, m := range []string{"GET ", "POST ", "PUT ", "DELETE ", "PATCH "} {
			if bytes.HasPrefix(t, []byte(m)) {
				return true
			}
		}
	}
	return false
}

// isStatusLine reports "HTTP/1.1 200 OK" (the reason optional).
func isStatusLine(t []byte) bool {
	if !bytes.HasPrefix(t, []byte("HTTP/")) || len(t) < 12 {
		return false
	}
	r := t[5:]
	if !isDigit(r[0]) {
		return false
	}
	r = r[1:]
	if r[0] == '.' {
		if !isDigit(r[1]) {
			return false
		}
		r = r[2:]
	}
	if len(r) < 4 || r[0] != ' ' || !isDigit(r[1]) || !isDigit(r[2]) || !isDigit(r[3]) {
		return false
	}
	return len(r) == 4 || r[4] == ' '
}

// isRequestLine reports "POST /path HTTP/1.1" (a method, an origin or
// absolute target, a version).
func isRequestLine(t []byte) bool {
	sp := bytes.IndexByte(t, ' ')
	if sp < 3 || sp > 7 {
		return false
	}
	switch string(t[:sp]) {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
	default:
		return false
	}
	rest := t[sp+1:]
	if !(len(rest) > 0 && rest[0] == '/' || bytes.HasPrefix(rest, []byte("http://")) || bytes.HasPrefix(rest, []byte("https://"))) {
		return false
	}
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return false
	}
	v := rest[sp2+1:]
	return bytes.IndexByte(v, ' ') < 0 && bytes.HasPrefix(v, []byte("HTTP/")) && len(v) >= 6 && isDigit(v[5]) && (len(v) == 6 || len(v) == 8 && v[6] == '.' && isDigit(v[7]))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// findMIMEStart finds the first header of an internal MIME message:
// Message-ID (anywhere on the line after a space, '<', '>', ':' or ';'),
// or MIME-Version or a multipart Content-Type at the start of the line.
func findMIMEStart(line []byte) (int, bool) {
	if asciifold.HasPrefix(line, "MIME-Version:") {
		return 0, true
	}
	if asciifold.HasPrefix(line, "Content-Type:") && bytes.Contains(bytes.ToLower(line[:min(len(line), 200)]), []byte("multipart/")) {
		return 0, true
	}
	i := indexFold(line, "Message-ID:", 4)
	if i < 0 {
		return 0, false
	}
	if i > 0 && strings.IndexByte(" \t<>:;]", line[i-1]) < 0 {
		return 0, false
	}
	return i, true
}

var xmlRoots = []string{"IBRequest", "IBResponse", "IBInfo"}

// findXMLStart finds the start of an IB XML document: an XML declaration
// followed on the line by an IB root, or an IB root itself. afterDecl says
// that the previous line was an XML declaration (then <reply> counts too).
func findXMLStart(line []byte, afterDecl bool) (pos int, root string, esc bool, ok bool) {
	if bytes.IndexByte(line, '<') < 0 && !bytes.Contains(line, []byte("&lt;")) {
		return 0, "", false, false
	}
	for i := 0; i < len(line); i++ {
		var rest []byte
		switch {
		case line[i] == '<':
			rest, esc = line[i+1:], false
		case line[i] == '&' && bytes.HasPrefix(line[i:], []byte("&lt;")):
			rest, esc = line[i+4:], true
		default:
			continue
		}
		if bytes.HasPrefix(rest, []byte("?xml")) {
			// A declaration: the document starts here if a root follows.
			end := []byte("?>")
			if esc {
				end = []byte("?&gt;")
			}
			j := bytes.Index(rest, end)
			if j < 0 {
				continue
			}
			after := trimBlanksLeft(rest[j+len(end):])
			if r, ok := rootAt(after, esc, true); ok {
				return i, r, esc, true
			}
			continue
		}
		lt := line[i:]
		if r, ok := rootAt(lt, esc, afterDecl && i == 0); ok {
			return i, r, esc, true
		}
	}
	return 0, "", false, false
}

// rootAt reports whether b starts with the start tag of an IB root.
func rootAt(b []byte, esc, allowReply bool) (string, bool) {
	if esc {
		if !bytes.HasPrefix(b, []byte("&lt;")) {
			return "", false
		}
		b = b[4:]
	} else {
		if len(b) == 0 || b[0] != '<' {
			return "", false
		}
		b = b[1:]
	}
	n := 0
	for n < len(b) && isNameByte(b[n]) {
		n++
	}
	if n == 0 || n == len(b) && false {
		return "", false
	}
	if n < len(b) {
		if c := b[n]; c != '>' && c != ' ' && c != '\t' && c != '/' && c != '&' {
			return "", false
		}
	}
	name := string(b[:n])
	local := name
	if k := strings.LastIndexByte(name, ':'); k >= 0 {
		local = name[k+1:]
	}
	for _, r := range xmlRoots {
		if name == r {
			return name, true
		}
	}
	if local == "Envelope" || allowReply && name == "reply" {
		return name, true
	}
	return "", false
}

// isPrologLine reports whether the line is only what may come before a
// document's root: an XML declaration, a DOCTYPE, a comment.
func isPrologLine(t []byte) bool {
	t = bytes.TrimSpace(t)
	switch {
	case bytes.HasPrefix(t, []byte("<?xml")) && bytes.HasSuffix(t, []byte("?>")),
		bytes.HasPrefix(t, []byte("&lt;?xml")) && bytes.HasSuffix(t, []byte("?&gt;")),
		bytes.HasPrefix(t, []byte("<!DOCTYPE")) && bytes.HasSuffix(t, []byte(">")),
		bytes.HasPrefix(t, []byte("&lt;!DOCTYPE")) && bytes.HasSuffix(t, []byte("&gt;")),
		bytes.HasPrefix(t, []byte("<!--")) && bytes.HasSuffix(t, []byte("-->")):
		return true
	}
	return false
}

// trimBlanksRight is bytes.TrimRight(b, " \t"), and trimBlanksLeft
// bytes.TrimLeft(b, " \t"), without the set of bytes those build for every
// call: the scanner trims nearly every line of a log.
func trimBlanksRight(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func trimBlanksLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// indexFold finds s in b ignoring ASCII case. rare is the index in s of
// a letter that seldom occurs in b: its two cases are looked for with
// bytes.IndexByte (which reads many bytes at a time), and s is compared
// only where one is found.
func indexFold(b []byte, s string, rare int) int {
	c := s[rare]
	found := -1
	for _, want := range [2]byte{c | 0x20, c &^ 0x20} {
		for i := rare; i < len(b); {
			j := bytes.IndexByte(b[i:], want)
			if j < 0 {
				break
			}
			p := i + j - rare
			if found >= 0 && p >= found {
				break
			}
			if p+len(s) <= len(b) && asciifold.Equal(b[p:p+len(s)], s) {
				found = p
				break
			}
			i += j + 1
		}
	}
	return found
}

// isLogLine reports whether a line is the log's own: a timestamped log
// line or a Java stack-trace line. Such a line ends an HTTP header block
// or a body whose end nothing else marks.
func isLogLine(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	if _, n := matchTimestamp(t); n > 0 {
		return true
	}
	return mayBeStackLine(t) && stackLineRE.Match(t)
}

// mayBeStackLine is false for lines stackLineRE cannot match, judged from
// their first characters and a few words: most lines of a log (base64,
// XML, headers) then cost no regular expression (FuzzStackLinePrefilter).
func mayBeStackLine(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	u := bytes.TrimLeft(t, " \t\n\f\r")
	if len(u) == 0 {
		return false
	}
	switch u[0] {
	case '.', '-', '=', '*':
		return true
	}
	if len(u) < len(t) {
		// Indented: only "at pkg.Class.method(" is left.
		return bytes.HasPrefix(u, []byte("at "))
	}
	switch c := t[0]; {
	case c == 'C':
		return bytes.HasPrefix(t, []byte("Caused by: "))
	case c >= 'a' && c <= 'z':
		return bytes.Contains(t, []byte("Exception")) || bytes.Contains(t, []byte("Error")) || bytes.Contains(t, []byte("Throwable"))
	}
	return false
}

// stackLineRE matches Java stack-trace lines and the separator lines people
// put between a request and its response ("--- response ---").
var stackLineRE = regexp.MustCompile(`^(?:\s+at [\w$.<>]+\(|Caused by: |\s*\.\.\. \d+ more\s*$|[a-z][\w$]*(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b|\s*(?:-{2,}|={2,}|\*{2,}) +\S.*? +(?:-{2,}|={2,}|\*{2,})\s*$)`)

// --- MIME ---

// mimeTrack follows an internal MIME message: its header block (for the
// boundary), then its parts up to the closing delimiter.
type mimeTrack struct {
	body     bool
	first    bool // the first line was read
	headers  int
	ct       []byte // the Content-Type field, unfolded
	inCT     bool
	psCID    bool
	boundary []byte
	bset     bool
	done     bool
	flat     bool // the whole message is on its first line
	// The part being read: in its header, and declared base64.
	partHeader, partB64 bool
}

func (m *mimeTrack) inBody() bool { return m.body }

// valid reports whether the header block makes this a MIME message.
func (m *mimeTrack) valid() bool {
	m.setBoundary()
	return len(m.boundary) > 0 || m.psCID || m.flat
}

func (m *mimeTrack) setBoundary() {
	if m.bset || len(m.ct) == 0 {
		return
	}
	ct := m.ct
	if bytes.IndexByte(ct, '&') >= 0 {
		ct = unescapeHTML(ct)
	}
	if b := ibmsg.BoundaryOf(string(ct)); b != "" {
		m.boundary = []byte(b)
		m.bset = true
	}
}

var flatHeaderRE = regexp.MustCompile(`(?:^|\s)(?:Message-ID|Date|Mime-Version|MIME-Version|Content-Type|Content-ID|Content-Transfer-Encoding|Content-Disposition):\s`)

func (m *mimeTrack) feed(t []byte) action {
	first := !m.first
	m.first = true
	if !m.body {
		if first && len(t) > 200 && bytes.Contains(t, []byte("multipart/")) && len(flatHeaderRE.FindAllIndex(t, 5)) >= 4 {
			// A whole message flattened onto one line (PeopleBooks).
			m.flat = true
			if i := bytes.Index(t, []byte("multipart/")); i >= 0 {
				if b := ibmsg.BoundaryOf(string(t[i:])); b != "" {
					m.done = bytes.Contains(t, []byte("--"+b+"--"))
				}
			}
			return actDone
		}
		tt := trimBlanksRight(t)
		switch {
		case len(tt) == 0:
			if m.headers == 0 {
				return actKeep
			}
			if !m.valid() {
				return actAbandon
			}
			m.body = true
			return actKeep
		case leadingSpace(tt) && m.headers > 0:
			if m.inCT {
				m.ct = append(append(m.ct, ' '), bytes.TrimSpace(tt)...)
			}
			return actKeep
		case m.inCT && asciifold.HasPrefix(bytes.TrimSpace(tt), "boundary="):
			// A folded Content-Type whose continuation lost its indent.
			m.ct = append(append(m.ct, ' '), bytes.TrimSpace(tt)...)
			return actKeep
		case isHeaderField(tt) && !bytes.HasPrefix(tt, []byte("--")):
			name, value, _ := bytes.Cut(tt, []byte(":"))
			m.headers++
			m.inCT = false
			switch {
			case asciifold.Equal(name, "Content-Type"):
				m.inCT = true
				m.ct = append(m.ct[:0], bytes.TrimSpace(value)...)
				m.bset = false
			case asciifold.Equal(name, "Content-ID"):
				v := bytes.TrimSpace(value)
				if bytes.HasPrefix(v, []byte("PeopleSoft-")) && bytes.HasSuffix(v, []byte("Mime-Message")) {
					m.psCID = true
				}
			}
			if m.headers > 1000 {
				// Not a header block a message would have.
				return actAbandon
			}
			return actKeep
		}
		if !m.valid() {
			return actAbandon
		}
		// The body starts without the blank line.
		m.body = true
	}
	return m.bodyLine(t)
}

func (m *mimeTrack) bodyLine(t []byte) action {
	if m.partHeader {
		// A part's header: its transfer encoding tells whether a log
		// line inside its body can be told apart from the content.
		switch tt := bytes.TrimSpace(t); {
		case len(tt) == 0:
			m.partHeader = false
		case asciifold.HasPrefix(tt, "Content-Transfer-Encoding:"):
			m.partB64 = bytes.EqualFold(bytes.TrimSpace(tt[len("Content-Transfer-Encoding:"):]), []byte("base64"))
		}
	} else if m.partB64 && len(t) > 14 && bytes.ContainsAny(t[:min(len(t), 32)], " \t[]<>#,") && isLogLine(t) {
		// Another thread's log line (or stack trace) written into the
		// middle of a base64 section (whose lines have none of those
		// characters): not part of it.
		return actSkip
	}
	if len(t) < 3 || t[0] != '-' || t[1] != '-' {
		return actKeep
	}
	tt := trimBlanksRight(t)
	if bytes.IndexByte(tt, '&') >= 0 {
		tt = unescapeHTML(tt)
	}
	if len(m.boundary) == 0 {
		// No boundary declared: the first delimiter-looking line gives it.
		if bytes.ContainsAny(tt, " <>") {
			return actKeep
		}
		m.boundary = append([]byte(nil), tt[2:]...)
		return actKeep
	}
	if !bytes.HasPrefix(tt[2:], m.boundary) {
		return actKeep
	}
	switch rest := tt[2+len(m.boundary):]; string(rest) {
	case "--":
		m.done = true
		return actDone
	case "":
		m.partHeader, m.partB64 = true, false
	}
	return actKeep
}

// leadingSpace reports whether a line starts with white space, also as
// HTML writes it for indentation (&nbsp;), as a folded header's
// continuation does.
func leadingSpace(t []byte) bool {
	return len(t) > 0 && (t[0] == ' ' || t[0] == '\t' || bytes.HasPrefix(t, []byte("&nbsp;")) || bytes.HasPrefix(t, []byte("&#160;")) || bytes.HasPrefix(t, []byte("\u00a0")))
}

// isHeaderField reports whether t is "Name: value" with a plausible name.
func isHeaderField(t []byte) bool {
	for i, c := range t {
		if c == ':' {
			return i > 0
		}
		if c <= ' ' || c > '~' || i > 76 {
			return false
		}
	}
	return false
}

// --- HTTP ---

type httpPhase uint8

const (
	hpStart httpPhase = iota
	hpHeader
	hpBody0 // before the first body line
	hpMIME  // a MIME body: the HTTP headers' boundary, or a nested message
	hpXML
	hpOpaque
)

// httpTrack follows a raw HTTP request or response.
type httpTrack struct {
	phase     httpPhase
	response  bool
	method    string
	headers   int
	ct        []byte
	inCT      bool
	clen      int64 // -1 unknown
	bodyBytes int64
	bodyLines int
	mime      *mimeTrack
	xml       *xmlTracker
}

// headerless reports an HTTP start line with nothing after it: not a
// message.
func (h *httpTrack) headerless() bool { return h.headers == 0 && h.bodyLines == 0 }

// completeAtEnd reports whether the message is whole when it ends now
// (before a block end or another message).
func (h *httpTrack) completeAtEnd() bool {
	switch h.phase {
	case hpHeader, hpBody0:
		return h.clen <= 0
	case hpOpaque:
		return h.clen < 0 || h.bodyBytes >= h.clen
	}
	return false
}

func (h *httpTrack) feed(t []byte) (action, int) {
	switch h.phase {
	case hpStart:
		_, resp, _ := findHTTPStart(t, false)
		h.response = resp
		if !resp {
			h.method, _, _ = strings.Cut(string(t), " ")
		}
		h.clen = -1
		h.phase = hpHeader
		return actKeep, 0
	case hpHeader:
		tt := trimBlanksRight(t)
		switch {
		case len(tt) == 0:
			h.phase = hpBody0
			if h.clen == 0 || h.clen < 0 && !h.response && (h.method == "GET" || h.method == "HEAD" || h.method == "DELETE" || h.method == "OPTIONS") {
				return actDone, 0
			}
			return actKeep, 0
		case leadingSpace(tt) && h.headers > 0:
			if h.inCT {
				h.ct = append(append(h.ct, ' '), bytes.TrimSpace(tt)...)
			}
			return actKeep, 0
		case h.inCT && asciifold.HasPrefix(bytes.TrimSpace(tt), "boundary="):
			h.ct = append(append(h.ct, ' '), bytes.TrimSpace(tt)...)
			return actKeep, 0
		case startsOther(tt, false):
			return actStop, 0
		case isHeaderField(tt) && !isLogLine(tt):
			name, value, _ := bytes.Cut(tt, []byte(":"))
			h.headers++
			h.inCT = false
			switch {
			case asciifold.Equal(name, "Content-Type"):
				h.inCT = true
				h.ct = append(h.ct[:0], bytes.TrimSpace(value)...)
			case asciifold.Equal(name, "Content-Length"):
				if n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64); err == nil && n >= 0 {
					h.clen = n
				}
			}
			if h.headers > 1000 {
				return actStop, 0
			}
			return actKeep, 0
		case isLogLine(tt):
			return actStopText, 0
		}
		if h.headers == 0 {
			return actAbandon, 0
		}
		// The body starts without the blank line.
		h.phase = hpBody0
	}
	return h.body(t)
}

func (h *httpTrack) body(t []byte) (action, int) {
	tt := bytes.TrimSpace(t)
	if h.phase == hpBody0 {
		if len(tt) == 0 {
			return actKeep, 0
		}
		if startsOther(tt, false) {
			return actStop, 0
		}
		if isLogLine(tt) {
			return actStopText, 0
		}
		ct := h.ct
		if bytes.IndexByte(ct, '&') >= 0 {
			ct = unescapeHTML(ct)
		}
		switch b := ibmsg.BoundaryOf(string(ct)); {
		case b != "":
			h.phase = hpMIME
			h.mime = &mimeTrack{body: true, first: true, boundary: []byte(b), bset: true}
		case asciifold.HasPrefix(tt, "Message-ID:") || asciifold.HasPrefix(tt, "MIME-Version:"):
			h.phase = hpMIME
			h.mime = &mimeTrack{}
		case tt[0] == '<' || bytes.HasPrefix(tt, []byte("&lt;")):
			h.phase = hpXML
			h.xml = &xmlTracker{esc: tt[0] == '&'}
		default:
			h.phase = hpOpaque
		}
	}
	h.bodyLines++
	switch h.phase {
	case hpMIME:
		if h.mime.body && startsOther(t, false) {
			return actStop, 0
		}
		switch h.mime.feed(t) {
		case actDone:
			return actDone, 0
		case actAbandon:
			h.phase, h.mime = hpOpaque, nil
		}
		return actKeep, 0
	case hpXML:
		if h.xml.state == xsText && startsOther(t, true) {
			return actStop, 0
		}
		if h.xml.root == nil {
			// The root is the first element after the declaration.
			if len(tt) > 0 && tt[0] != '<' && !bytes.HasPrefix(tt, []byte("&lt;")) {
				return actStopText, 0
			}
			h.xml.root = firstElement(tt, h.xml.esc)
			if h.xml.root == nil {
				return actKeep, 0
			}
		}
		if n := h.xml.feed(t); n >= 0 {
			return actDoneAt, n
		}
		return actKeep, 0
	}
	// Opaque.
	if len(tt) == 0 {
		return actDone, 0
	}
	if startsOther(t, true) {
		return actStop, 0
	}
	if isLogLine(tt) {
		return actStopText, 0
	}
	h.bodyBytes += int64(len(t)) + 1
	if h.clen >= 0 && h.bodyBytes >= h.clen {
		return actDone, 0
	}
	return actKeep, 0
}

// firstElement returns the name of the first element (not a declaration,
// comment or processing instruction) that starts on the line.
func firstElement(t []byte, esc bool) []byte {
	lt := []byte("<")
	if esc {
		lt = []byte("&lt;")
	}
	for {
		i := bytes.Index(t, lt)
		if i < 0 {
			return nil
		}
		t = t[i+len(lt):]
		if len(t) == 0 || t[0] == '?' || t[0] == '!' || t[0] == '/' {
			continue
		}
		n := 0
		for n < len(t) && isNameByte(t[n]) {
			n++
		}
		if n > 0 {
			return append([]byte(nil), t[:n]...)
		}
	}
}
