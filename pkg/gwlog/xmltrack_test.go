package gwlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// everyTagTracker is the XML tracker as it was before it passed over other
// elements' tags (session 9), reading every tag byte by byte: the oracle of
// TestXMLTrackerAsEveryTagRead.
type everyTagTracker struct {
	root    []byte
	esc     bool
	depth   int
	state   uint8
	tagRoot bool
	tagEnd  bool
	slash   bool
	quote   byte
	started bool
}

func (t *everyTagTracker) feed(b []byte) int {
	s := &rawSyms
	if t.esc {
		s = &escSyms
	}
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

// wellFormedDoc writes a random well-formed document whose root is root,
// with what a tracker must get right: elements named like the root's start
// (or the root itself, nested), attributes with either quote holding '>'
// and line ends, empty elements, CDATA and comments holding the root's
// tags, processing instructions, and line ends between and inside tags.
func wellFormedDoc(r *rand.Rand, root string) string {
	names := []string{root, root[:1] + "x", root + "2", "a", "Data", "IBInfo"}
	var b strings.Builder
	nl := func() {
		if r.IntN(4) == 0 {
			b.WriteString("\n")
		}
	}
	attrs := func() {
		for range r.IntN(3) {
			q := []string{`"`, "'"}[r.IntN(2)]
			v := []string{"v", "a>b", "x\nMessage-ID: 42", "POST /x HTTP/1.1\n", "1/", "it" + map[string]string{`"`: "'", "'": `"`}[q] + "s"}[r.IntN(6)]
			b.WriteString(" k" + fmt.Sprint(r.IntN(9)) + "=" + q + v + q)
			nl()
		}
	}
	var elem func(name string, depth int)
	elem = func(name string, depth int) {
		b.WriteString("<" + name)
		attrs()
		if r.IntN(5) == 0 {
			b.WriteString(" />")
			return
		}
		b.WriteString(">")
		for range r.IntN(4) {
			nl()
			switch k := r.IntN(6); {
			case k == 0:
				b.WriteString("<![CDATA[</" + root + "> <" + root + ">]]>")
			case k == 1:
				b.WriteString("<!-- <" + root + "> -->")
			case k == 2:
				b.WriteString("<?pi <" + root + "?>")
			case k == 3 || depth > 3:
				b.WriteString("text & more")
			default:
				elem(names[r.IntN(len(names))], depth+1)
			}
		}
		nl()
		b.WriteString("</" + name)
		nl()
		b.WriteString(">")
	}
	elem(root, 0)
	return b.String()
}

// escapeForLog HTML-escapes a document as a log page does.
func escapeForLog(r *rand.Rand, doc string) string {
	quot := []string{"&quot;", "&#34;"}[r.IntN(2)]
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, quot).Replace(doc)
}

// TestXMLTrackerAsEveryTagRead: on well-formed documents, raw and
// HTML-escaped, split into lines inside and between tags, the tracker is in
// the state the one that read every tag was in at the end of every line
// (which decides whether the next line may start another message), and
// ends the document at the same place. (Escaped, neither ends a document
// whose root tag holds "&gt;" in a quoted value: quotes are entities
// there, and do not count.)
func TestXMLTrackerAsEveryTagRead(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 6))
	for n := range 20000 {
		root := []string{"R", "Root", "IBResponse"}[n%3]
		doc := wellFormedDoc(r, root)
		esc := n%2 == 1
		if esc {
			doc = escapeForLog(r, doc)
		}
		checkAsEveryTagRead(t, root, esc, doc)
	}
}

func checkAsEveryTagRead(t *testing.T, root string, esc bool, doc string) {
	t.Helper()
	now := &xmlTracker{root: []byte(root), esc: esc}
	was := &everyTagTracker{root: []byte(root), esc: esc}
	for i, line := range strings.Split(doc, "\n") {
		a, b := now.feed([]byte(line)), was.feed([]byte(line))
		state := was.state
		if state == xsTag && !was.tagRoot {
			state = xsOther
		}
		if a != b || now.state != state || now.depth != was.depth {
			t.Fatalf("root %s, line %d %q of\n%s\nnow: end %d, state %d, depth %d; every tag read: end %d, state %d, depth %d",
				root, i+1, line, doc, a, now.state, now.depth, b, state, was.depth)
		}
		if a >= 0 {
			return
		}
	}
}

// FuzzXMLTrackerAsEveryTagRead runs TestXMLTrackerAsEveryTagRead's check on
// documents from other seeds.
func FuzzXMLTrackerAsEveryTagRead(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		r := rand.New(rand.NewPCG(s1, s2))
		for n := range 6 {
			root := []string{"R", "Root", "IBResponse"}[n%3]
			doc := wellFormedDoc(r, root)
			if n%2 == 1 {
				checkAsEveryTagRead(t, root, true, escapeForLog(r, doc))
			} else {
				checkAsEveryTagRead(t, root, false, doc)
			}
		}
	})
}

// TestXMLAttributeOverLines: a document whose attribute value goes on over
// a line that would start another message (a "Message-ID:" line, an HTTP
// request line) is one message, raw and HTML-escaped.
func TestXMLAttributeOverLines(t *testing.T) {
	for _, doc := range []string{
		"<IBResponse type=\"success\"><ContentSections><ContentSection><Data note=\"forwarded\nMessage-ID: 42\">ok</Data></ContentSection></ContentSections></IBResponse>\n",
		"&lt;IBResponse type=&quot;success&quot;&gt;&lt;ContentSections&gt;&lt;ContentSection&gt;&lt;Data note=&quot;forwarded\nMessage-ID: 42&quot;&gt;ok&lt;/Data&gt;&lt;/ContentSection&gt;&lt;/ContentSections&gt;&lt;/IBResponse&gt;\n",
		"<IBResponse type=\"success\"><Data a='x\nPOST /PSIGW/HttpListeningConnector HTTP/1.1\n'>ok</Data></IBResponse>\n",
	} {
		res := decodeAll(t, strings.NewReader("2026-03-02 14:10:01 INFO response\n"+doc), Options{})
		if len(res.recs) != 1 || len(res.errs) != 0 || res.recs[0].Kind != "response" || res.recs[0].Status == nil || !res.recs[0].Status.OK() {
			t.Errorf("%q: %d records, errors:\n%s", doc, len(res.recs), res.errText())
		}
	}
}
