package gwlog

import "bytes"

// xmlTracker follows one XML document through the lines of a log until its
// root element closes. It counts only the root's own start and end tags
// (a document rarely nests its root's name), and skips CDATA sections,
// comments and processing instructions, in which tags do not count. It reads
// the text as it is in the log: HTML-escaped ("&lt;IBResponse&gt;") or not.
type xmlTracker struct {
	root    []byte // the root's qualified name, as written
	esc     bool
	depth   int
	state   uint8
	tagRoot bool // the open tag is the root's
	tagEnd  bool // the open tag is an end tag
	slash   bool // the last significant character in the tag was '/'
	quote   byte
	started bool
	// bytewise turns off the escaped text's fast path (FuzzXMLTracker
	// compares the two).
	bytewise bool
}

const (
	xsText uint8 = iota
	xsTag
	xsCDATA
	xsComment
	xsPI
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

// feed reads b; it returns the offset just after the root's end tag when the
// document ended in b, or -1.
func (t *xmlTracker) feed(b []byte) int {
	s := t.syms()
	i := 0
	for i < len(b) {
		switch t.state {
		case xsText:
			j := bytes.Index(b[i:], s.lt)
			if j < 0 {
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
			case len(rest) > 0 && (rest[0] == '?' || rest[0] == '!'):
				t.state = xsPI
				i++
			default:
				t.state = xsTag
				t.tagEnd = len(rest) > 0 && rest[0] == '/'
				if t.tagEnd {
					i++
					rest = rest[1:]
				}
				n := 0
				for n < len(rest) && isNameByte(rest[n]) {
					n++
				}
				t.tagRoot = n > 0 && bytes.Equal(rest[:n], t.root)
				t.slash = false
				t.quote = 0
				i += n
			}
		case xsTag:
			if t.esc && !t.bytewise && !t.tagRoot {
				// Escaped, quotes are entities and do not count, and
				// only the root's tags need slash: another tag ends
				// at the first "&gt;".
				j := bytes.Index(b[i:], s.gt)
				if j < 0 {
					return -1
				}
				i += j + len(s.gt)
				t.state = xsText
				continue
			}
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
					if t.tagRoot {
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
					}
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
			t.state = xsText
		}
	}
	return -1
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
