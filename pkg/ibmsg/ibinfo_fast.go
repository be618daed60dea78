package ibmsg

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/psib-dev/psib/pkg/secret"
)

// A gateway log holds an IBInfo for nearly every message, and encoding/xml
// reads them at a few tens of MB/s: the largest cost of decoding a log
// after inflating content. fastIBInfo reads the IBInfo documents
// PeopleSoft writes (the elements IBInfo models, plain or CDATA
// text, UTF-8) with a small hand-written reader, and gives up (ok false)
// on anything else: a DOCTYPE, a namespace, an element psib does not
// model, a declared encoding, or any doubt about well-formedness. The
// caller then uses ParseIBInfo, which also reports the errors.
// FuzzFastIBInfo checks that both agree whenever the fast path answers.

type miniNode struct {
	name string
	text []byte
	// textAt is where text starts in the document when it is a slice of
	// it (the text is one run, or one CDATA section), else -1: the
	// mapper then takes the string from the document's, without a copy.
	textAt int
	kids   []*miniNode
	attrs  []miniAttr
}

// miniAttr is an attribute as written (values hold no '<' or '&').
type miniAttr struct{ name, value string }

// attr returns the value of the attribute name, and whether it is there.
func (n *miniNode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// miniCheck reports whether miniParse would read data, without building
// the tree: CheckXML needs only the answer, and a tree costs several
// allocations per element.
func miniCheck(data []byte) bool {
	_, ok := (&miniParser{b: data, skim: true}).document()
	return ok
}

// document reads a document made of elements, attributes (no namespace
// declarations other than an empty default one, xmlns=""), text, CDATA,
// comments and an XML declaration, and returns its root; release gives
// the tree's nodes back once it is read.
func (p *miniParser) document() (*miniNode, bool) {
	if !utf8.Valid(p.b) {
		return nil, false
	}
	p.skipMisc(true)
	if p.i >= len(p.b) || p.b[p.i] != '<' {
		return nil, false
	}
	root, ok := p.element(0)
	if !ok {
		return nil, false
	}
	p.skipMisc(false)
	if p.i != len(p.b) {
		return nil, false
	}
	return root, true
}

type miniParser struct {
	b    []byte
	i    int
	skim bool // check only: element builds no nodes and returns nil
	// slab hands out the nodes, a block at a time: an IBInfo has a few
	// dozen elements. The first block comes from miniSlabs (pooled), and
	// goes back there on release.
	slab   []miniNode
	pooled *[]miniNode
}

// miniSlabs holds the first node block of trees that were read and
// released: decode parses every IBInfo of a log into one, and the blocks
// (pointers, so zeroed and scanned) were a tenth of what it allocated.
var miniSlabs sync.Pool

// node returns a new node named name. A node of a pooled block keeps the
// room of the slices its last user grew.
func (p *miniParser) node(name string) *miniNode {
	if len(p.slab) == cap(p.slab) {
		if p.pooled != nil {
			p.slab = make([]miniNode, 0, 32)
		} else {
			s, _ := miniSlabs.Get().(*[]miniNode)
			if s == nil {
				s = new([]miniNode)
				*s = make([]miniNode, 0, 32)
			}
			p.pooled, p.slab = s, (*s)[:0]
		}
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	*n = miniNode{name: name, textAt: -1, kids: n.kids[:0], attrs: n.attrs[:0]}
	return n
}

// release gives the tree's first block back for later trees: nothing may
// read the tree afterwards. What the block's nodes point to is cleared, so
// that a pooled block keeps neither the input nor another block alive.
func (p *miniParser) release() {
	if p.pooled == nil {
		return
	}
	s := (*p.pooled)[:cap(*p.pooled)]
	for i := range s {
		s[i].text = nil
		clear(s[i].kids[:cap(s[i].kids)])
		clear(s[i].attrs[:cap(s[i].attrs)])
	}
	*p.pooled = s[:0]
	miniSlabs.Put(p.pooled)
	p.pooled, p.slab = nil, nil
}

// skipMisc skips whitespace, comments and (with decl) an XML declaration
// that declares no encoding other than UTF-8.
func (p *miniParser) skipMisc(decl bool) {
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.i++
		case bytes.HasPrefix(p.b[p.i:], []byte("<!--")):
			n, ok := commentLen(p.b[p.i:])
			if !ok {
				return
			}
			p.i += n
		case decl && bytes.HasPrefix(p.b[p.i:], []byte("<?xml")):
			n, ok := declLen(p.b[p.i:])
			if !ok {
				return
			}
			p.i += n
			decl = false
		default:
			return
		}
	}
}

// commentLen is the length of the comment b starts with ("<!--"), and
// whether it is one encoding/xml accepts: no "--" inside, not ending in
// '-' ("--->").
func commentLen(b []byte) (int, bool) {
	j := bytes.Index(b[4:], []byte("-->"))
	if j < 0 {
		return 0, false
	}
	text := b[4 : 4+j]
	if bytes.Contains(text, []byte("--")) || len(text) > 0 && text[len(text)-1] == '-' {
		return 0, false
	}
	return 4 + j + 3, true
}

// declLen is the length of the XML declaration b starts with ("<?xml"),
// and whether it is one the mini reader is sure of: version="1.0" exactly,
// an encoding (if any) that is UTF-8, standalone, each once and quoted;
// anything else is left to encoding/xml.
func declLen(b []byte) (int, bool) {
	p := &miniParser{b: b, i: 5}
	const version, encoding, standalone = 1, 2, 4
	seen := 0
	for {
		sp := p.i
		p.space()
		if bytes.HasPrefix(b[p.i:], []byte("?>")) {
			return p.i + 2, seen&version != 0
		}
		if p.i == sp {
			return 0, false // "<?xmlx", or attributes run together
		}
		name, ok := p.nameBytes()
		if !ok {
			return 0, false
		}
		attr := 0
		switch string(name) {
		case "version":
			attr = version
		case "encoding":
			attr = encoding
		case "standalone":
			attr = standalone
		default:
			return 0, false
		}
		if seen&attr != 0 {
			return 0, false
		}
		seen |= attr
		p.space()
		if p.i >= len(b) || b[p.i] != '=' {
			return 0, false
		}
		p.i++
		p.space()
		if p.i >= len(b) || b[p.i] != '"' && b[p.i] != '\'' {
			return 0, false
		}
		q := b[p.i]
		k := bytes.IndexByte(b[p.i+1:], q)
		if k < 0 {
			return 0, false
		}
		value := b[p.i+1 : p.i+1+k]
		p.i += k + 2
		switch attr {
		case version:
			if string(value) != "1.0" {
				return 0, false // encoding/xml reads 1.0 only
			}
		case encoding:
			if !bytes.EqualFold(value, []byte("utf-8")) && !bytes.EqualFold(value, []byte("utf8")) {
				return 0, false
			}
		case standalone:
			if string(value) != "yes" && string(value) != "no" {
				return 0, false
			}
		}
	}
}

// space skips white space.
func (p *miniParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
		p.i++
	}
}

func isNameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// intern returns a name as a string: a known one without allocating.
func intern(b []byte) string {
	if known, ok := knownNames[string(b)]; ok {
		return known
	}
	return string(b)
}

// indexMarkup is bytes.IndexAny(b, "<&]\r") without building the set on
// every call: element text is short, and found once per element.
func indexMarkup(b []byte) int {
	for i, c := range b {
		if c == '<' || c == '&' || c == ']' || c == '\r' {
			return i
		}
	}
	return -1
}

// nameBytes reads a name at p.i and returns it as a slice of the input.
func (p *miniParser) nameBytes() ([]byte, bool) {
	s := p.i
	if p.i >= len(p.b) || !isNameStart(p.b[p.i]) {
		return nil, false
	}
	for p.i < len(p.b) && (isAlnum(p.b[p.i]) || p.b[p.i] == '_' || p.b[p.i] == '-' || p.b[p.i] == '.') {
		p.i++
	}
	return p.b[s:p.i], true
}

// knownNames holds the element and attribute names of the documents the
// fast readers map (IBInfo, IBResponse), so that reading them allocates
// no string per name. Read only.
var knownNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range strings.Fields(`IBInfo IBResponse Channel Connector ConnectorClassName ConnectorHeaders ConnectorName
		ConnectorParameters ContentSections ContentSection Cookies DN DefaultDataVersion DefaultMessage DefaultMsg DefaultTitle
		DestinationNode ExternalMessageID ExternalOperationName FinalDestinationNode From Headers ID InternalInfo MessageID
		MessageName MessageParameters MessageType MsgID MsgSet Name NonRepudiation OperationType OrigNode OrigProcess
		OrigTimeStamp OrigUser Parameters Parameter Password PathInfo PublicationID PublishingNode QStrArgs RemoteFrameworkURL
		RequestingNode Status StatusCode SubChannel To TransactionID Value VisitedNodes type version encoding standalone`) {
		m[n] = n
	}
	return m
}()

// element reads <name attrs>content</name> or <name attrs/> at p.i.
func (p *miniParser) element(depth int) (*miniNode, bool) {
	if depth > 16 {
		return nil, false
	}
	p.i++ // '<'
	name, ok := p.nameBytes()
	if !ok || p.i >= len(p.b) || p.b[p.i] == ':' {
		return nil, false
	}
	var n *miniNode
	if !p.skim {
		n = p.node(intern(name))
	}
	var attrsSeen [8][]byte // for duplicates; on the stack for most elements
	attrNames := attrsSeen[:0]
	// Attributes: name="value", no namespaces (xmlns="" undeclares the
	// default one, which changes nothing here), no '<' or '&' in values
	// (kept simple; anything else goes to encoding/xml).
	for {
		sp := p.i
		for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
			p.i++
		}
		if p.i >= len(p.b) {
			return nil, false
		}
		if p.b[p.i] == '>' {
			p.i++
			break
		}
		if p.b[p.i] == '/' {
			if p.i+1 < len(p.b) && p.b[p.i+1] == '>' {
				p.i += 2
				return n, true
			}
			return nil, false
		}
		if sp == p.i {
			return nil, false
		}
		an, ok := p.nameBytes()
		if !ok || string(an) != "xmlns" && bytes.HasPrefix(an, []byte("xml")) {
			return nil, false
		}
		p.space() // type = "success" (seed 001) has spaces around '='
		if p.i >= len(p.b) || p.b[p.i] != '=' {
			return nil, false
		}
		p.i++
		p.space()
		if p.i >= len(p.b) || (p.b[p.i] != '"' && p.b[p.i] != '\'') {
			return nil, false
		}
		q := p.b[p.i]
		j := bytes.IndexByte(p.b[p.i+1:], q)
		if j < 0 || bytes.ContainsAny(p.b[p.i+1:p.i+1+j], "<&") {
			return nil, false
		}
		value := p.b[p.i+1 : p.i+1+j]
		if string(an) == "xmlns" && len(value) > 0 || !checkChars(value) {
			return nil, false
		}
		for _, seen := range attrNames {
			if bytes.Equal(seen, an) {
				return nil, false
			}
		}
		attrNames = append(attrNames, an)
		if !p.skim {
			n.attrs = append(n.attrs, miniAttr{intern(an), string(value)})
		}
		p.i += 1 + j + 1
	}
	// Content.
	for {
		j := indexMarkup(p.b[p.i:])
		if j < 0 {
			return nil, false
		}
		if !checkChars(p.b[p.i : p.i+j]) {
			return nil, false
		}
		if p.skim {
			// nothing kept
		} else if len(n.text) == 0 {
			// The first run of text is a slice of the input (capped, so
			// that a later run copies it rather than write into the
			// input); the nodes' text is only ever copied out.
			n.text, n.textAt = p.b[p.i:p.i+j:p.i+j], p.i
		} else if j > 0 {
			n.text, n.textAt = append(n.text, p.b[p.i:p.i+j]...), -1
		}
		p.i += j
		switch p.b[p.i] {
		case '\r':
			if !p.skim {
				n.text, n.textAt = append(n.text, '\n'), -1
			}
			p.i++
			if p.i < len(p.b) && p.b[p.i] == '\n' {
				p.i++
			}
			continue
		case ']':
			if bytes.HasPrefix(p.b[p.i:], []byte("]]>")) {
				return nil, false
			}
			if !p.skim {
				n.text, n.textAt = append(n.text, ']'), -1
			}
			p.i++
			continue
		case '&':
			k := bytes.IndexByte(p.b[p.i:min(len(p.b), p.i+12)], ';')
			if k < 0 {
				return nil, false
			}
			var c byte
			switch string(p.b[p.i+1 : p.i+k]) {
			case "lt":
				c = '<'
			case "gt":
				c = '>'
			case "amp":
				c = '&'
			case "quot":
				c = '"'
			case "apos":
				c = '\''
			default:
				return nil, false
			}
			if !p.skim {
				n.text, n.textAt = append(n.text, c), -1
			}
			p.i += k + 1
			continue
		}
		// '<'
		rest := p.b[p.i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest[9:], []byte("]]>"))
			if k < 0 || !checkChars(rest[9:9+k]) {
				return nil, false
			}
			if !p.skim {
				cd := rest[9 : 9+k]
				switch {
				case bytes.IndexByte(cd, '\r') >= 0:
					cd = bytes.ReplaceAll(bytes.ReplaceAll(cd, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
					n.text, n.textAt = append(n.text, cd...), -1
				case len(n.text) == 0:
					// The whole text so far, as a slice (see above).
					n.text, n.textAt = cd[:k:k], p.i+9
				case k > 0:
					n.text, n.textAt = append(n.text, cd...), -1
				}
			}
			p.i += 9 + k + 3
		case bytes.HasPrefix(rest, []byte("<!--")):
			l, ok := commentLen(rest)
			if !ok {
				return nil, false
			}
			p.i += l
		case bytes.HasPrefix(rest, []byte("</")):
			p.i += 2
			end, ok := p.nameBytes()
			if !ok || !bytes.Equal(end, name) {
				return nil, false
			}
			for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
				p.i++
			}
			if p.i >= len(p.b) || p.b[p.i] != '>' {
				return nil, false
			}
			p.i++
			return n, true
		default:
			kid, ok := p.element(depth + 1)
			if !ok {
				return nil, false
			}
			if !p.skim {
				n.kids = append(n.kids, kid)
			}
		}
	}
}

// checkChars refuses the control characters XML does not allow.
func checkChars(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	// U+FFFE and U+FFFF are not XML characters either.
	return !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf"))
}

// fastIBInfo maps a mini document onto IBInfo, or gives up.
func fastIBInfo(data []byte) (*IBInfo, bool) {
	p := miniParser{b: data}
	defer p.release()
	root, ok := p.document()
	if !ok || root.name != "IBInfo" {
		return nil, false
	}
	info := &IBInfo{XMLName: xml.Name{Local: "IBInfo"}}
	m := &mapper{ok: true, src: data}
	for _, k := range root.kids {
		switch k.name {
		case "Status":
			info.Status = m.status(k)
		case "MessageName":
			info.MessageName = CData(m.leaf(k))
		case "MessageType":
			info.MessageType = Text(m.leaf(k))
		case "TransactionID":
			info.TransactionID = CData(m.leaf(k))
		case "ExternalOperationName":
			info.ExternalOperationName = CData(m.leaf(k))
		case "OperationType":
			info.OperationType = Text(m.leaf(k))
		case "ExternalMessageID":
			info.ExternalMessageID = CData(m.leaf(k))
		case "From":
			info.From = m.from(k)
		case "To":
			t := &To{}
			for _, c := range k.kids {
				switch c.name {
				case "DestinationNode":
					t.DestinationNode = CData(m.leaf(c))
				case "FinalDestinationNode":
					t.FinalDestinationNode = CData(m.leaf(c))
				default:
					m.ok = false
				}
			}
			info.To = t
		case "QStrArgs":
			q := &QStrArgs{}
			for _, c := range k.kids {
				if c.name != "QStrArg" {
					m.ok = false
					continue
				}
				q.Args = append(q.Args, m.nameValue(c))
			}
			info.QStrArgs = q
		case "Cookies":
			info.Cookies = CData(m.leaf(k))
		case "PathInfo":
			info.PathInfo = CData(m.leaf(k))
		case "ContentSections":
			info.ContentSections = m.sections(k)
		case "InternalInfo":
			info.InternalInfo = m.internal(k)
		case "Connector":
			info.Connector = m.connector(k)
		default:
			m.ok = false
		}
		if !m.ok {
			return nil, false
		}
	}
	if s := info.Status; s != nil {
		s.DefaultTitle = strings.Join(strings.Fields(s.DefaultTitle), " ")
		s.DefaultMsg = strings.Join(strings.Fields(s.DefaultMsg), " ")
	}
	return info, m.ok
}

type mapper struct {
	ok  bool
	src []byte // the document
	doc string // src as a string, made for the first leaf that is a slice of it
}

// leaf is an element's trimmed text; an element with children is not a
// leaf psib reads fast. Text that is a slice of the document is a slice of
// one string of it: a document's leaves cost one allocation, not one each.
func (m *mapper) leaf(n *miniNode) string {
	if len(n.kids) > 0 {
		m.ok = false
	}
	if n.textAt < 0 || m.src == nil {
		return strings.TrimSpace(string(n.text))
	}
	if m.doc == "" {
		m.doc = string(m.src)
	}
	return strings.TrimSpace(m.doc[n.textAt : n.textAt+len(n.text)])
}

func (m *mapper) integer(n *miniNode) int {
	s := m.leaf(n)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v != int64(int(v)) {
		m.ok = false
	}
	return int(v)
}

func (m *mapper) status(n *miniNode) *Status {
	s := &Status{}
	for _, c := range n.kids {
		switch c.name {
		case "StatusCode":
			s.StatusCode = m.integer(c)
		case "MsgSet":
			s.MsgSet = m.integer(c)
		case "MsgID":
			s.MsgID = m.integer(c)
		case "DefaultMsg":
			s.DefaultMsg = string(c.text)
			if len(c.kids) > 0 {
				m.ok = false
			}
		case "DefaultTitle":
			s.DefaultTitle = string(c.text)
			if len(c.kids) > 0 {
				m.ok = false
			}
		case "Parameters":
			// An empty element leaves Parameters nil, as encoding/xml does.
			for _, p := range c.kids {
				s.Parameters = append(s.Parameters, m.leaf(p))
			}
		default:
			// Status has no Extra: encoding/xml ignores unknown elements.
		}
	}
	return s
}

func (m *mapper) from(n *miniNode) *From {
	f := &From{}
	for _, c := range n.kids {
		switch c.name {
		case "RequestingNode":
			f.RequestingNode = CData(m.leaf(c))
		case "Password":
			f.Password = NodePassword{Secret: secret.New(m.leaf(c))}
		case "DN":
			f.DN = CData(m.leaf(c))
		case "OrigUser":
			f.OrigUser = CData(m.leaf(c))
		case "OrigNode":
			f.OrigNode = CData(m.leaf(c))
		case "OrigProcess":
			f.OrigProcess = CData(m.leaf(c))
		case "OrigTimeStamp":
			f.OrigTimeStamp = Text(m.leaf(c))
		default:
			m.ok = false
		}
	}
	return f
}

func (m *mapper) nameValue(n *miniNode) NameValue {
	var nv NameValue
	for _, c := range n.kids {
		switch c.name {
		case "Name":
			nv.Name = CData(m.leaf(c))
		case "Value":
			nv.Value = CData(m.leaf(c))
		default:
			// NameValue has no Extra: ignored by encoding/xml too.
		}
	}
	return nv
}

func (m *mapper) sections(n *miniNode) *ContentSections {
	cs := &ContentSections{}
	for _, c := range n.kids {
		if c.name != "ContentSection" {
			continue // ContentSections has no Extra
		}
		var s ContentSection
		for _, e := range c.kids {
			switch e.name {
			case "ID":
				s.ID = Text(m.leaf(e))
			case "NonRepudiation":
				s.NonRepudiation = Text(m.leaf(e))
			case "Headers":
				for _, h := range e.kids {
					s.Headers = append(s.Headers, NameValue{Name: CData(h.name), Value: CData(m.leaf(h))})
				}
			default:
				m.ok = false
			}
		}
		cs.Sections = append(cs.Sections, s)
	}
	return cs
}

func (m *mapper) internal(n *miniNode) *InternalInfo {
	ii := &InternalInfo{}
	for _, c := range n.kids {
		if c.name != "AppMsg" {
			m.ok = false
			continue
		}
		a := &AppMsg{}
		for _, e := range c.kids {
			switch e.name {
			case "PublishingNode":
				a.PublishingNode = CData(m.leaf(e))
			case "Channel":
				a.Channel = CData(m.leaf(e))
			case "SubChannel":
				a.SubChannel = CData(m.leaf(e))
			case "DefaultDataVersion":
				a.DefaultDataVersion = Text(m.leaf(e))
			case "VisitedNodes":
				a.VisitedNodes = CData(m.leaf(e))
			case "PublicationID":
				a.PublicationID = Text(m.leaf(e))
			default:
				m.ok = false
			}
		}
		ii.AppMsg = a
	}
	return ii
}

func (m *mapper) connector(n *miniNode) *Connector {
	c := &Connector{}
	for _, e := range n.kids {
		switch e.name {
		case "ConnectorName":
			c.ConnectorName = CData(m.leaf(e))
		case "ConnectorClassName":
			c.ConnectorClassName = CData(m.leaf(e))
		case "RemoteFrameworkURL":
			c.RemoteFrameworkURL = CData(m.leaf(e))
		case "ConnectorParameters":
			for _, p := range e.kids {
				if p.name != "ConnectorParam" {
					continue
				}
				c.ConnectorParameters = append(c.ConnectorParameters, m.nameValue(p))
			}
		case "ConnectorHeaders":
			for _, p := range e.kids {
				if p.name != "Header" {
					continue
				}
				c.ConnectorHeaders = append(c.ConnectorHeaders, m.nameValue(p))
			}
		default:
			m.ok = false
		}
	}
	return c
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
