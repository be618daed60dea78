package gwlog

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// prepared describes what prepareMIME took out of a MIME message's text
// (in place: the bytes are overwritten with spaces, line breaks kept, so
// that ParseMessage sees an empty IBInfo part and, with skipContent, empty
// sections; restore puts the IBInfo back).
type prepared struct {
	ibinfo     []byte // the IBInfo part's body, when taken out
	ibinfoAt   int    // its offset in the text
	ibinfoNum  int    // the message line of the IBInfo part's first header line
	skipped    []int  // raw sizes of the bodies left out, in part order
	text       []byte
	restoreIBI bool
}

// restore puts the IBInfo back into the text (the skipped bodies stay
// blank).
func (p *prepared) restore() {
	if p.restoreIBI {
		copy(p.text[p.ibinfoAt:], p.ibinfo)
		p.restoreIBI = false
	}
}

// blank overwrites b with spaces, keeping line breaks.
func blank(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = ' '
		}
	}
}

// prepareMIME finds the parts of text at its declared boundary and blanks
// the IBInfo document (read by ibmsg.ParseIBInfo instead) and, when asked, the
// content sections' bodies (for output that needs only the IBInfo). ok is
// false when the message is not in the plain form this handles (flattened
// onto one line, no boundary, an encoded IBInfo part, no closing
// delimiter): ParseMessage then reads it as is, and text is unchanged.
func prepareMIME(text []byte, skipContent bool) (*prepared, bool) {
	// The top header block, for the boundary.
	var ct []byte
	i, line := 0, 1
	inCT := false
	for i < len(text) {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			return nil, false
		}
		l := bytes.TrimRight(text[i:i+j], "\r \t")
		i += j + 1
		line++
		if len(l) == 0 {
			break
		}
		switch {
		case leadingSpace(l) || inCT && hasPrefixFold(bytes.TrimSpace(l), "boundary="):
			if inCT {
				ct = append(append(ct, ' '), bytes.TrimSpace(l)...)
			}
		case hasPrefixFold(l, "Content-Type:"):
			inCT = true
			ct = append(ct[:0], bytes.TrimSpace(l[len("Content-Type:"):])...)
		case isHeaderField(l):
			inCT = false
		default:
			return nil, false
		}
	}
	boundary := boundaryOf(string(ct))
	if boundary == "" {
		return nil, false
	}
	delim := []byte("--" + boundary)
	p := &prepared{text: text}
	type part struct {
		cid, cte, charset string
		headerNum         int
	}
	// First find the parts; change nothing until the closing delimiter
	// is seen.
	type span struct {
		start, end int
		part       part
	}
	var spans []span
	var cur *part
	inHeader := false
	bodyStart := -1
	closed := false
	for i < len(text) && !closed {
		j := bytes.IndexByte(text[i:], '\n')
		end := len(text)
		if j >= 0 {
			end = i + j + 1
		}
		t := bytes.TrimRight(text[i:end], "\r\n \t")
		switch {
		case bytes.HasPrefix(t, delim) && (len(t) == len(delim) || string(t[len(delim):]) == "--"):
			if cur != nil && bodyStart >= 0 {
				spans = append(spans, span{bodyStart, i, *cur})
			}
			if len(t) > len(delim) {
				closed = true
				break
			}
			cur, inHeader, bodyStart = &part{headerNum: line + 1}, true, -1
		case inHeader:
			switch {
			case len(t) == 0:
				inHeader = false
				bodyStart = end
			case hasPrefixFold(t, "Content-ID:"):
				cur.cid = strings.Trim(string(bytes.TrimSpace(t[len("Content-ID:"):])), "<> ")
			case hasPrefixFold(t, "Content-Transfer-Encoding:"):
				cur.cte = string(bytes.TrimSpace(t[len("Content-Transfer-Encoding:"):]))
			case hasPrefixFold(t, "Content-Type:"):
				cur.charset = charsetParam(string(t[len("Content-Type:"):]))
			case !isHeaderField(t) && !leadingSpace(t):
				// No blank line after the part header: leave it all to
				// the lenient parser.
				return nil, false
			}
		}
		i = end
		line++
	}
	if !closed {
		return nil, false
	}
	for _, sp := range spans {
		body := text[sp.start:sp.end]
		t := bytes.TrimRight(body, "\r\n")
		switch {
		case strings.EqualFold(sp.part.cid, ibmsg.ContentIDIBInfo) && p.ibinfo == nil && plainTE(sp.part.cte) && utf8Charset(sp.part.charset):
			if bytes.Contains(t, []byte("<IBInfo")) && bytes.HasSuffix(bytes.TrimSpace(t), []byte("</IBInfo>")) {
				p.ibinfo = append([]byte(nil), t...)
				p.ibinfoAt = sp.start
				p.ibinfoNum = sp.part.headerNum
				p.restoreIBI = true
				blank(t)
				// A lone '<' makes ParseMessage's reading of the part
				// fail at once, instead of reading the spaces.
				t[0] = '<'
			}
		case skipContent && !strings.EqualFold(sp.part.cid, ibmsg.ContentIDIBInfo) && sp.part.cid != "":
			p.skipped = append(p.skipped, len(bytes.TrimSpace(t)))
			blank(t)
		}
	}
	return p, p.ibinfo != nil || len(p.skipped) > 0
}

func plainTE(cte string) bool {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "8bit", "7bit", "binary":
		return true
	}
	return false
}

func utf8Charset(cs string) bool {
	switch strings.ToLower(cs) {
	case "", "utf-8", "utf8", "us-ascii":
		return true
	}
	return false
}

func charsetParam(ct string) string {
	i := indexFold([]byte(ct), "charset=")
	if i < 0 {
		return ""
	}
	v := ct[i+len("charset="):]
	if j := strings.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, `"'`)
}

// parseMessage is ibmsg.ParseMessage with the IBInfo read separately
// (and, with skipContent, without decoding the content sections). text is
// changed while it runs and put back, but for skipped bodies.
func parseMessage(text []byte, lim ibmsg.Limits, skipContent bool) (*ibmsg.Message, []int, error) {
	p, ok := prepareMIME(text, skipContent)
	if !ok {
		m, err := ibmsg.ParseMessage(text, lim)
		return m, nil, err
	}
	m, err := ibmsg.ParseMessage(text, lim)
	// (IBInfoRaw is a view of text: look before restoring.)
	asPrepared := err == nil && (p.ibinfo == nil || m.IBInfo == nil && string(bytes.TrimSpace(m.IBInfoRaw)) == "<" && m.IBInfoErr != nil)
	p.restore()
	if !asPrepared {
		// Not as prepared: let the untouched text speak for itself.
		if len(p.skipped) > 0 {
			return m, p.skipped, err
		}
		m, err := ibmsg.ParseMessage(text, lim)
		return m, nil, err
	}
	if p.ibinfo != nil {
		m.IBInfoRaw, m.IBInfoErr = p.ibinfo, nil
		if info, err := ibmsg.ParseIBInfo(p.ibinfo); err == nil {
			m.IBInfo = info
		} else {
			m.IBInfo = nil
			m.IBInfoErr = fmt.Errorf("IBInfo part at line %d: %w", p.ibinfoNum, err)
		}
	}
	return m, p.skipped, nil
}
