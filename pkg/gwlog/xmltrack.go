package gwlog

import "bytes"

// xmlTracker follows one XML document through the lines of a log until its
// root element closes. It counts only the root's own start and end tags
// (a document rarely nests its root's name), and skips CDATA sections,
// comments and processing instructions, in which tags do not count. It reads
// the text as it is in the log: HTML-escaped ("&lt;IBResponse&gt;") or not.
//
// Other elements' tags are passed over where they start: only markup that
// opens with '!' or '?', or whose name starts as the root's does, is read
// (indexMarkup finds it). Within a line their ends need no finding, since
// a tag holds no '<' (XML allows none in attribute values, and escaped, an
// attribute's "&lt;" is "&amp;lt;"). A line may end inside one, though (an
// attribute value over several lines): the next line then starts in
// xsOther, and the tag's end is found before anything else, as when every
// tag was read (TestXMLTrackerAsEveryTagRead). On text that is not
// well-formed (a '<' inside another element's tag) the two readings can
// differ; either is a guess there.
type xmlTracker struct {
	root    []byte // the root's qualified name, as written
	esc     bool
	depth   int
	state   uint8
	tagEnd  bool // the open tag (always the root's) is an end tag
	slash   bool // the last significant character in the tag was '/'
	quote   byte
	started bool
	// bytewise turns off the escaped text's fast path (FuzzXMLTracker
	// compares the two).
	bytewise bool
}

const (
	xsText uint8 = iota
	xsTag        // inside one of the root's tags
	xsCDATA
	xsComment
	xsPI
	xsOther // inside another element's tag, begun on an earlier line
)

type xmlSyms struct {
	lt, gt, cdataEnd, commentEnd, piEnd []byte
}

var (
	rawSyms = xmlSyms{[]byte("<"), []byte(">"), []byte("]]>"), []byte("-->"), []byte("?>")}
	escSyms = xmlSyms{[]byte("&lt;"), []byte("&gt;"), []byte("]]&gt;"), []byte("--&gt;"), []byte("?&gt;")}
)

func (t *xmlTracker) syms() *xmlSyms {
	if t.esc {
		return &escSyms
	}
	return &rawSyms
}

// rootStart is the first byte of the root's name, or '!' when there is no
// root to look for (then only markup that opens with '!' or '?' is read).
func (t *xmlTracker) rootStart() byte {
	if len(t.root) == 0 {
		return '!'
	}
	return t.root[0]
}

// feed reads b; it returns the offset just after the root's end tag when the
// document ended in b, or -1.
func (t *xmlTracker) feed(b []byte) int {
	s := t.syms()
	i := 0
	// text is where the text being searched began: after the last
	// markup the tracker read (another element's tag passed over does
	// not count).
	text := 0
	for i < len(b) {
		switch t.state {
		case xsText:
			j := indexMarkup(b[i:], s.lt, t.rootStart())
			if j < 0 {
				t.otherTagAtEnd(b[text:])
				return -1
			}
			i += j + len(s.lt)
			rest := b[i:]
			switch {
			case bytes.HasPrefix(rest, []byte("![CDATA[")):
				t.state = xsCDATA
				i += 8
			case bytes.HasPrefix(rest, []byte("!--")):
				t.state = xsComment
				i += 3
			case rest[0] == '?' || rest[0] == '!':
				t.state = xsPI
				i++
			default:
				end := rest[0] == '/'
				k := 0
				if end {
					k = 1
				}
				n := 0
				for k+n < len(rest) && isNameByte(rest[k+n]) {
					n++
				}
				if n > 0 && bytes.Equal(rest[k:k+n], t.root) {
					t.state = xsTag
					t.tagEnd, t.slash, t.quote = end, false, 0
					i += k + n
				}
				// Another element, whose name starts as the root's:
				// passed over like the rest.
			}
		case xsTag:
			if t.esc && !t.bytewise {
				// Escaped, quotes are entities and do not count: jump
				// from '&' to '&' (an entity, or the tag's "&gt;").
				for i < len(b) {
					j := bytes.IndexByte(b[i:], '&')
					if j < 0 {
						t.slashAfter(b[i:])
						return -1
					}
					t.slashAfter(b[i : i+j])
					i += j
					if !bytes.HasPrefix(b[i:], s.gt) {
						t.slash = false
						i++
						continue
					}
					break
				}
				if i >= len(b) {
					return -1
				}
			}
			for i < len(b) {
				c := b[i]
				if t.quote != 0 {
					if c == t.quote {
						t.quote = 0
					}
					i++
					continue
				}
				if bytes.HasPrefix(b[i:], s.gt) {
					i += len(s.gt)
					t.state = xsText
					switch {
					case t.tagEnd:
						t.depth--
					case t.slash:
						// <Root/>: opened and closed at once.
					default:
						t.depth++
					}
					t.started = true
					if t.depth <= 0 {
						return i
					}
					text = i
					break
				}
				switch {
				case !t.esc && (c == '"' || c == '\''):
					t.quote = c
					t.slash = false
				case c == '/':
					t.slash = true
				case c != ' ' && c != '\t' && c != '\r' && c != '\n':
					t.slash = false
				}
				i++
			}
		case xsCDATA, xsComment, xsPI:
			end := s.cdataEnd
			if t.state == xsComment {
				end = s.commentEnd
			} else if t.state == xsPI {
				end = s.gt
			}
			j := bytes.Index(b[i:], end)
			if j < 0 {
				return -1
			}
			i += j + len(end)
			t.state, text = xsText, i
		case xsOther:
			if i = t.otherTagEnd(b, i); i < 0 {
				return -1
			}
			t.state, text = xsText, i
		}
	}
	return -1
}

// otherTagAtEnd notes whether text, which holds no markup the tracker
// reads, ends inside another element's tag: its last '<' ("&lt;") not yet
// closed by a '>' ("&gt;"; raw, one outside quotes). The tag then goes on
// on the next line (state xsOther).
func (t *xmlTracker) otherTagAtEnd(text []byte) {
	s := t.syms()
	k := bytes.LastIndex(text, s.lt)
	if k < 0 {
		return
	}
	t.quote = 0
	if t.otherTagEnd(text, k+len(s.lt)) < 0 {
		t.state = xsOther
	}
}

// otherTagEnd returns the offset just after the end of another element's
// tag in which b[i:] is, or -1 when b ends first: escaped, quotes are
// entities and do not count, and the tag ends at the first "&gt;"; raw, at
// the first '>' outside quotes (t.quote carries an open quote over lines).
func (t *xmlTracker) otherTagEnd(b []byte, i int) int {
	s := t.syms()
	if t.esc {
		j := bytes.Index(b[i:], s.gt)
		if j < 0 {
			return -1
		}
		return i + j + len(s.gt)
	}
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case t.quote != 0:
			if c == t.quote {
				t.quote = 0
			}
		case c == '"' || c == '\'':
			t.quote = c
		case c == '>':
			return i + 1
		}
	}
	return -1
}

// isMarkupAt reports whether b[i:] is lt followed by what indexMarkup looks
// for: '!', '?', r0, or '/' and r0.
func isMarkupAt(b []byte, i int, lt []byte, r0 byte) bool {
	k := i + len(lt)
	if k >= len(b) || !bytes.Equal(b[i:k], lt) {
		return false
	}
	switch c := b[k]; c {
	case '!', '?', r0:
		return true
	case '/':
		return k+1 < len(b) && b[k+1] == r0
	}
	return false
}

// indexMarkupPortable returns the index of the first lt in b that opens
// markup the tracker reads (see isMarkupAt), or -1.
func indexMarkupPortable(b []byte, lt []byte, r0 byte) int {
	for i := 0; ; {
		j := bytes.Index(b[i:], lt)
		if j < 0 {
			return -1
		}
		if isMarkupAt(b, i+j, lt, r0) {
			return i + j
		}
		i += j + 1
	}
}

// slashAfter notes whether the last significant character of seg (text
// inside a tag) is '/', as the byte loop of feed does.
func (t *xmlTracker) slashAfter(seg []byte) {
	for k := len(seg) - 1; k >= 0; k-- {
		switch c := seg[k]; c {
		case ' ', '\t', '\r', '\n':
			continue
		default:
			t.slash = c == '/'
		}
		return
	}
}

func isNameByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == ':' || c == '-' || c == '.'
}
