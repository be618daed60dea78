package lint

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// The checker follows the scanner's tokens with a stack of frames, one per
// open element, and keeps only what later checks need: the declarations
// from FieldTypes, per-container sibling statistics, the message's
// language and a few positions. Memory depends on the FieldTypes section
// and the nesting depth, never on the number of Transactions.

const (
	// maxValue is how much of a field's value is kept for checks: more
	// than any DATE, NUMBER, timestamp or code needs.
	maxValue = 256
	// maxDecls bounds the declarations (and undeclared names remembered
	// for once-only reports) a message may make psib keep.
	maxDecls = 100000
	// maxPending bounds findings held until a document turns out to be a
	// rowset-based message.
	maxPending = 100
)

type frameKind uint8

const (
	kSkip        frameKind = iota // not checked (outside the message, or already reported)
	kEnvelope                     // a SOAP Envelope around the message
	kBody                         // its Body
	kMessage                      // the message element
	kFieldTypes                   // FieldTypes
	kRecDecl                      // a record declaration
	kFieldDecl                    // a field declaration
	kMsgData                      // MsgData
	kTransaction                  // a Transaction
	kRecord                       // a record (row) in MsgData, PSCAMA included
	kField                        // a field in a row
)

type childKind uint8

const (
	childNone childKind = iota
	childField
	childRecord
	childPSCAMA
)

type recDecl struct {
	name      string
	declared  bool
	reported  bool // undeclared-record reported
	used      bool
	line, col int
	fields    map[string]*fieldDecl
	order     []*fieldDecl
}

type fieldType uint8

const (
	typeUnknown fieldType = iota
	typeChar
	typeDate
	typeNumber
	typeDateTime
	typeOther
)

type fieldDecl struct {
	name      string
	typ       fieldType
	index     int
	declared  bool
	reported  bool // undeclared-field reported
	used      bool
	line, col int
}

// rowStat counts the audit actions of sibling rows of one record.
type rowStat struct {
	rec                    *recDecl
	k, n, o, ac            int
	kLine, kCol, oLine, oC int
}

type frame struct {
	kind      frameKind
	line, col int
	rec       *recDecl   // kRecord, kRecDecl
	fld       *fieldDecl // kField
	pscama    bool       // kRecord: this is a PSCAMA
	level     int        // kRecord: 0 for a Transaction's records
	textSeen  bool       // unexpected text already reported in this element

	// Containers (kTransaction, kRecord).
	last              childKind
	lastRec           *recDecl
	lastLine, lastCol int
	nextField         int
	stats             []rowStat

	// kTransaction.
	pscamaLine, pscamaCol int
	misplaced             bool
	firstRec              *recDecl
	firstLine, firstCol   int

	// kRecord that is a PSCAMA.
	hasLang, hasAudit, extraSeen bool

	// kMsgData.
	transactions int
}

type pendingFinding struct {
	rule, line, col int
	msg             string
}

type checker struct {
	l       *Linter
	res     *Result
	s       *scanner
	perRule [maxRule + 1]int
	stack   []frame

	msgFound  bool
	pending   []pendingFinding
	ftCount   int
	mdCount   int
	ftLine    int
	ftCol     int
	mdLine    int
	mdCol     int
	declsOK   bool
	recs      map[string]*recDecl
	decls     []*recDecl
	nDecls    int
	pscamaDcl *recDecl
	// The first Transaction's level-0 PSCAMA needs LANGUAGE_CD.
	transactions int

	lang              []byte
	langLine, langCol int
	seqFlag           byte
	seqLine, seqCol   int
	dataLine, dataCol int
	level0            []rowStat

	// The open field's value.
	val              []byte
	valLen           int
	valLine, valCol  int
	valCDATA, valBad bool
}

func (c *checker) top() *frame { return &c.stack[len(c.stack)-1] }

// push opens a frame (reusing the slot's stats slice).
func (c *checker) push(k frameKind, line, col int) *frame {
	if len(c.stack) < cap(c.stack) {
		c.stack = c.stack[:len(c.stack)+1]
		f := &c.stack[len(c.stack)-1]
		stats := f.stats[:0]
		*f = frame{kind: k, line: line, col: col, stats: stats}
		return f
	}
	c.stack = append(c.stack, frame{kind: k, line: line, col: col})
	return &c.stack[len(c.stack)-1]
}

func (c *checker) run() error {
	s := c.s
	for {
		k, err := s.next()
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			if se, ok := err.(*syntaxError); ok {
				c.report(rXMLSyntax, se.line, se.col, "%s", se.msg)
				c.flushPendingIfRowset()
				return nil
			}
			return err
		}
		switch k {
		case tokStart:
			c.start()
		case tokEnd:
			c.end()
		case tokText:
			c.text(s.text, s.refs, false)
		case tokCDATA:
			if s.cdataFirst {
				c.cdataStart()
			} else {
				c.text(s.text, false, true)
			}
		case tokDoctype:
			c.report(rDoctype, s.tline, s.tcol, "DOCTYPE declaration: IB messages carry no DTD, and psib reads nothing after one (entity expansion, XXE); remove it")
			return nil
		}
	}
}

func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func attrValue(attrs []attr, name string) (*attr, bool) {
	for i := range attrs {
		if string(localName(attrs[i].name)) == name {
			return &attrs[i], true
		}
	}
	return nil, false
}

// attrText returns an attribute's value with references expanded.
func attrText(a *attr) string {
	if !a.refs {
		return string(a.value)
	}
	return string(appendUnescaped(nil, a.value))
}

func (c *checker) start() {
	s := c.s
	name := localName(s.name)
	line, col := s.tline, s.tcol
	if len(c.stack) == 0 {
		c.root(name, line, col)
		return
	}
	parent := c.top()
	switch parent.kind {
	case kSkip, kFieldDecl:
		if parent.kind == kFieldDecl {
			c.report(rUnexpected, line, col, "element <%s> inside the declaration of field %s: a field declaration is empty, <%s type=\"CHAR\"/>", name, parent.fld.name, parent.fld.name)
		}
		c.push(kSkip, line, col)
	case kEnvelope:
		if string(name) == "Body" {
			c.push(kBody, line, col)
		} else {
			c.push(kSkip, line, col)
		}
	case kBody:
		if c.msgFound {
			c.push(kSkip, line, col)
			return
		}
		c.message(name, line, col)
	case kMessage:
		c.messageChild(name, line, col)
	case kFieldTypes:
		c.recordDecl(name, line, col)
	case kRecDecl:
		c.fieldDecl(parent, name, line, col)
	case kMsgData:
		if string(name) == "Transaction" {
			parent.transactions++
			c.transactions++
			c.push(kTransaction, line, col)
			return
		}
		c.report(rUnexpected, line, col, "<%s> directly in MsgData: MsgData holds only <Transaction> elements; wrap each level-0 row and its PSCAMA in <Transaction>", name)
		c.push(kSkip, line, col)
	case kTransaction:
		c.record(parent, name, line, col, true)
	case kRecord:
		c.recordChild(parent, name, line, col)
	case kField:
		c.report(rUnexpected, line, col, "element <%s> inside field %s: fields hold text only; if %s is a record, declare it in FieldTypes and give it class=\"R\"", name, parent.fld.name, parent.fld.name)
		c.valBad = true
		c.push(kSkip, line, col)
	}
}

// root handles the document element.
func (c *checker) root(name []byte, line, col int) {
	switch string(name) {
	case "Envelope":
		c.push(kEnvelope, line, col)
		return
	case "FieldTypes", "MsgData", "Transaction":
		c.res.Rowset = true
		c.report(rMessageRoot, line, col, "the root element is <%s>, not the message: wrap FieldTypes and MsgData in an element named after the message, e.g. <SDK_BUS_EXP_APPR_MSG>", name)
		c.push(kSkip, line, col)
		return
	}
	c.message(name, line, col)
}

// message opens the message element (the root, or the first element in a
// SOAP Body).
func (c *checker) message(name []byte, line, col int) {
	c.msgFound = true
	c.push(kMessage, line, col)
	if c.l.message != "" && string(name) != c.l.message {
		c.pend(rMessageRoot, line, col, "the message element is <"+string(name)+">, expected <"+c.l.message+"> (--message): name the root element after the message")
	}
}

// pend holds a finding until the document proves to be a rowset-based
// message (or reports it at once when it already has).
func (c *checker) pend(rule, line, col int, msg string) {
	if c.res.Rowset {
		c.report(rule, line, col, "%s", msg)
		return
	}
	if len(c.pending) < maxPending {
		c.pending = append(c.pending, pendingFinding{rule, line, col, msg})
	}
}

func (c *checker) flushPendingIfRowset() {
	if !c.res.Rowset {
		return
	}
	for _, p := range c.pending {
		c.report(p.rule, p.line, p.col, "%s", p.msg)
	}
	c.pending = nil
}

func (c *checker) setRowset() {
	if !c.res.Rowset {
		c.res.Rowset = true
		c.flushPendingIfRowset()
	}
}

func (c *checker) messageChild(name []byte, line, col int) {
	switch string(name) {
	case "FieldTypes":
		c.setRowset()
		c.ftCount++
		if c.ftCount > 1 {
			c.report(rFieldTypesSection, line, col, "a second FieldTypes section (the first is at line %d): declare every record once, in one FieldTypes", c.ftLine)
			c.push(kSkip, line, col)
			return
		}
		c.ftLine, c.ftCol = line, col
		if c.mdCount > 0 {
			c.report(rSectionOrder, line, col, "FieldTypes comes after MsgData (line %d): move it before MsgData; the data could not be checked against it", c.mdLine)
			c.push(kSkip, line, col)
			return
		}
		c.recs = map[string]*recDecl{}
		c.push(kFieldTypes, line, col)
	case "MsgData":
		c.setRowset()
		c.mdCount++
		if c.mdCount > 1 {
			c.report(rMsgDataSection, line, col, "a second MsgData section (the first is at line %d): put every Transaction in one MsgData", c.mdLine)
		} else {
			c.mdLine, c.mdCol = line, col
			c.declsOK = c.ftCount == 1
			if c.recs == nil {
				c.recs = map[string]*recDecl{}
			}
		}
		c.push(kMsgData, line, col)
	default:
		c.pend(rUnexpected, line, col, "<"+string(name)+"> in the message element: a rowset-based message holds only FieldTypes and MsgData")
		c.push(kSkip, line, col)
	}
}

func (c *checker) recordDecl(name []byte, line, col int) {
	f := c.push(kRecDecl, line, col)
	if a, ok := attrValue(c.s.attrs, "class"); !ok {
		c.report(rRecordClass, line, col, "record %s in FieldTypes has no class attribute: write <%s class=\"R\">", name, name)
	} else if v := attrText(a); v != "R" {
		c.report(rRecordClass, a.line, a.col, "record %s in FieldTypes has class=%q: the only valid value is \"R\"", name, v)
	}
	if r := c.recs[string(name)]; r != nil {
		c.report(rDuplicateDecl, line, col, "record %s is declared twice in FieldTypes (first at line %d): keep one declaration", name, r.line)
		f.kind = kSkip
		return
	}
	if c.nDecls >= maxDecls {
		f.kind = kSkip
		return
	}
	c.nDecls++
	r := &recDecl{name: string(name), declared: true, line: line, col: col, fields: map[string]*fieldDecl{}}
	c.recs[r.name] = r
	c.decls = append(c.decls, r)
	if r.name == "PSCAMA" {
		c.pscamaDcl = r
	}
	f.rec = r
}

func parseFieldType(v string) (fieldType, bool) {
	switch v {
	case "CHAR":
		return typeChar, true
	case "DATE":
		return typeDate, true
	case "NUMBER":
		return typeNumber, true
	case "DATETIME":
		return typeDateTime, false
	case "TIME", "LONGCHAR", "IMAGE":
		return typeOther, false
	}
	return typeUnknown, false
}

func (c *checker) fieldDecl(parent *frame, name []byte, line, col int) {
	rec := parent.rec
	f := c.push(kFieldDecl, line, col)
	typ := typeUnknown
	if a, ok := attrValue(c.s.attrs, "type"); !ok {
		c.report(rFieldType, line, col, "field %s.%s has no type: write <%s type=\"CHAR\"/> (or DATE or NUMBER)", rec.name, name, name)
	} else {
		v := attrText(a)
		t, std := parseFieldType(v)
		switch {
		case std:
		case t != typeUnknown:
			c.report(rFieldTypeOther, a.line, a.col, "field %s.%s has type %q, which PeopleBooks does not document: receivers expect CHAR, DATE or NUMBER", rec.name, name, v)
		default:
			hint := "use CHAR, DATE or NUMBER"
			if u, ok := parseFieldType(upper(v)); ok && u != typeUnknown {
				hint = "types are upper case: write " + upper(v)
			}
			c.report(rFieldType, a.line, a.col, "field %s.%s has type %q: %s", rec.name, name, v, hint)
		}
		typ = t
	}
	if d := rec.fields[string(name)]; d != nil {
		c.report(rDuplicateDecl, line, col, "field %s.%s is declared twice (first at line %d): keep one declaration", rec.name, name, d.line)
		f.kind = kSkip
		return
	}
	if c.nDecls >= maxDecls {
		f.kind = kSkip
		return
	}
	c.nDecls++
	d := &fieldDecl{name: string(name), typ: typ, index: len(rec.order), declared: true, line: line, col: col}
	rec.fields[d.name] = d
	rec.order = append(rec.order, d)
	f.fld = d
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// lookupRecord finds a record by name; a record FieldTypes does not declare
// gets a stand-in (remembered, so that it is reported once).
func (c *checker) lookupRecord(name []byte) *recDecl {
	if r := c.recs[string(name)]; r != nil {
		return r
	}
	if c.nDecls >= maxDecls {
		return &recDecl{name: string(name), fields: map[string]*fieldDecl{}}
	}
	c.nDecls++
	r := &recDecl{name: string(name), fields: map[string]*fieldDecl{}}
	c.recs[r.name] = r
	return r
}

// record opens a record (a row or a PSCAMA) in a Transaction (level 0) or
// in a parent record.
func (c *checker) record(parent *frame, name []byte, line, col int, level0 bool) {
	isPSCAMA := string(name) == "PSCAMA"
	rec := c.lookupRecord(name)
	rec.used = true
	a, hasClass := attrValue(c.s.attrs, "class")
	if !hasClass {
		c.report(rRecordClass, line, col, "record %s has no class attribute: write <%s class=\"R\"> (class=\"R\" tells records from fields)", name, name)
	} else if v := attrText(a); v != "R" {
		c.report(rRecordClass, a.line, a.col, "record %s has class=%q: the only valid value is \"R\"", name, v)
	}
	if !rec.declared && c.declsOK && !rec.reported {
		rec.reported = true
		if isPSCAMA {
			// pscama-undeclared reports this once, at FieldTypes.
		} else {
			c.report(rUndeclaredRecord, line, col, "record %s is not declared in FieldTypes: add <%s class=\"R\"> with its fields to FieldTypes, or correct the name", name, name)
		}
	}
	level := 0
	if !level0 {
		level = parent.level + 1
	}
	if isPSCAMA {
		c.pscamaStart(parent, line, col, level0)
	} else {
		if level0 && parent.pscamaLine > 0 && !parent.misplaced {
			parent.misplaced = true
			c.report(rPSCAMAMisplaced, parent.pscamaLine, parent.pscamaCol, "this PSCAMA is not the last record of its Transaction (record %s follows at line %d): the level-0 PSCAMA comes last", name, line)
		}
		if level0 && parent.firstRec == nil {
			parent.firstRec, parent.firstLine, parent.firstCol = rec, line, col
		}
		if c.dataLine == 0 {
			c.dataLine, c.dataCol = line, col
		}
	}
	f := c.push(kRecord, line, col)
	f.rec, f.pscama, f.level = rec, isPSCAMA, level
}

func (c *checker) pscamaStart(parent *frame, line, col int, level0 bool) {
	if level0 {
		if parent.pscamaLine > 0 && !parent.misplaced {
			parent.misplaced = true
			c.report(rPSCAMAMisplaced, parent.pscamaLine, parent.pscamaCol, "this PSCAMA is not the last record of its Transaction (another PSCAMA follows at line %d): one level-0 PSCAMA ends the Transaction", line)
		}
		parent.pscamaLine, parent.pscamaCol = line, col
		return
	}
	switch parent.last {
	case childRecord:
	case childPSCAMA:
		c.report(rPSCAMAMisplaced, line, col, "a PSCAMA right after another PSCAMA in %s: each PSCAMA follows the child row it describes; remove one", parent.rec.name)
	case childField:
		c.report(rPSCAMAMisplaced, line, col, "a PSCAMA after a field of %s: a child PSCAMA follows the closing tag of a child record; move it after the row it describes", parent.rec.name)
	default:
		c.report(rPSCAMAMisplaced, line, col, "a PSCAMA first in %s: a child PSCAMA follows the closing tag of a child record; move it after the row it describes", parent.rec.name)
	}
}

// recordChild handles an element in a row: a field or a child record.
func (c *checker) recordChild(parent *frame, name []byte, line, col int) {
	rec := parent.rec
	if parent.pscama {
		c.pscamaField(parent, name, line, col)
	}
	if _, hasClass := attrValue(c.s.attrs, "class"); hasClass {
		c.record(parent, name, line, col, false)
		return
	}
	// A field of this record? Fields usually come in declaration order.
	var fd *fieldDecl
	if i := parent.nextField; i < len(rec.order) && rec.order[i].name == string(name) {
		fd = rec.order[i]
	} else {
		fd = rec.fields[string(name)]
	}
	if fd == nil || !fd.declared {
		if string(name) == "PSCAMA" || c.recs[string(name)] != nil && c.recs[string(name)].declared {
			c.record(parent, name, line, col, false)
			return
		}
		if fd == nil {
			fd = &fieldDecl{name: string(name), index: -1}
			if c.nDecls < maxDecls {
				c.nDecls++
				rec.fields[fd.name] = fd
			}
		}
		if !fd.reported && c.declsOK && rec.declared {
			fd.reported = true
			c.report(rUndeclaredField, line, col, "field %s is not declared for record %s in FieldTypes: add <%s type=\"CHAR|DATE|NUMBER\"/> to <%s>, or correct the name", name, rec.name, name, rec.name)
		}
	} else {
		parent.nextField = fd.index + 1
	}
	fd.used = true
	parent.last = childField
	f := c.push(kField, line, col)
	f.fld = fd
	c.val, c.valLen, c.valCDATA, c.valBad = c.val[:0], 0, false, false
	c.valLine, c.valCol = 0, 0
	for i := range c.s.attrs {
		a := &c.s.attrs[i]
		if string(localName(a.name)) == "IsChanged" {
			if v := attrText(a); v != "Y" {
				c.report(rIsChangedValue, a.line, a.col, "field %s has IsChanged=%q: the only value is \"Y\" (unchanged fields carry no IsChanged attribute)", name, v)
			}
		}
	}
}

// pscamaField notes which PSCAMA fields a PSCAMA carries.
func (c *checker) pscamaField(f *frame, name []byte, line, col int) {
	switch string(name) {
	case "AUDIT_ACTN":
		f.hasAudit = true
		return
	case "LANGUAGE_CD":
		f.hasLang = true
	}
	if f.level > 0 && !f.extraSeen {
		f.extraSeen = true
		c.report(rPSCAMAChildFields, line, col, "the PSCAMA of a child row carries %s: below level 0 a PSCAMA documents only AUDIT_ACTN (other fields are ignored)", name)
	}
}

func (c *checker) cdataStart() {
	if len(c.stack) == 0 {
		return
	}
	f := c.top()
	if f.kind == kField {
		if !c.valCDATA {
			c.valCDATA = true
			c.report(rCDATA, c.s.tline, c.s.tcol, "CDATA section in field %s: receivers that read rowsets with GetRowSet cannot read it; escape the text instead (& as &amp;, < as &lt;)", f.fld.name)
		}
		if c.valLine == 0 {
			c.valLine, c.valCol = c.s.tline, c.s.tcol
		}
	}
}

// text handles character data (and CDATA content).
func (c *checker) text(t []byte, refs, cdata bool) {
	f := c.top()
	switch f.kind {
	case kField:
		if c.valLine == 0 {
			c.valLine, c.valCol = c.s.tline, c.s.tcol
		}
		c.valLen += len(t)
		if room := maxValue - len(c.val); room > 0 {
			if refs {
				c.val = appendUnescaped(c.val, t)
				if len(c.val) > maxValue {
					c.val = c.val[:maxValue]
				}
			} else {
				c.val = append(c.val, t[:min(len(t), room)]...)
			}
		}
	case kSkip, kEnvelope, kBody:
	default:
		if f.textSeen || isBlank(t) {
			return
		}
		if f.kind == kMessage && !c.res.Rowset {
			f.textSeen = true
			line, col := c.textPos(t)
			c.pend(rUnexpected, line, col, "text in the message element: a rowset-based message holds only FieldTypes and MsgData")
			return
		}
		f.textSeen = true
		line, col := c.textPos(t)
		c.report(rUnexpected, line, col, "text %q in %s: %s", clip(bytes.TrimSpace(t)), c.describe(f), c.holds(f))
	}
}

// textPos is the position of the first non-blank character of t, the
// current text token.
func (c *checker) textPos(t []byte) (int, int) {
	line, col := c.s.tline, c.s.tcol
	for i := 0; i < len(t); {
		switch t[i] {
		case '\n':
			line++
			col = 1
		case ' ', '\t', '\r':
			col++
		default:
			return line, col
		}
		i++
	}
	return line, col
}

func (c *checker) describe(f *frame) string {
	switch f.kind {
	case kMessage:
		return "the message element"
	case kFieldTypes:
		return "FieldTypes"
	case kRecDecl:
		return "the declaration of record " + f.rec.name
	case kFieldDecl:
		return "the declaration of field " + f.fld.name
	case kMsgData:
		return "MsgData"
	case kTransaction:
		return "a Transaction"
	case kRecord:
		return "record " + f.rec.name
	}
	return "this element"
}

func (c *checker) holds(f *frame) string {
	switch f.kind {
	case kMessage:
		return "a rowset-based message holds only FieldTypes and MsgData"
	case kFieldTypes:
		return "FieldTypes holds only record declarations"
	case kRecDecl:
		return "a record declaration holds only field declarations"
	case kFieldDecl:
		return "a field declaration is empty"
	case kMsgData:
		return "MsgData holds only Transaction elements"
	case kTransaction:
		return "a Transaction holds only records"
	}
	return "values belong inside field elements"
}

func isBlank(t []byte) bool {
	for _, b := range t {
		if !isSpace(b) {
			return false
		}
	}
	return true
}

func clip(b []byte) string {
	if utf8.RuneCount(b) <= 40 {
		return string(b)
	}
	r := []rune(string(b))
	return string(r[:40]) + "..."
}

func (c *checker) end() {
	f := c.top()
	switch f.kind {
	case kField:
		c.endField(f)
	case kRecord:
		c.endRecord(f)
	case kTransaction:
		c.endTransaction(f)
	case kMsgData:
		if f.transactions == 0 {
			c.report(rNoTransaction, f.line, f.col, "MsgData holds no Transaction: add one <Transaction> per level-0 row")
		}
	case kFieldTypes:
		if c.pscamaDcl == nil {
			c.report(rPSCAMAUndeclared, f.line, f.col, "PSCAMA is not declared in FieldTypes: add <PSCAMA class=\"R\"> with LANGUAGE_CD, AUDIT_ACTN (CHAR) and the other PSCAMA fields it uses")
		}
	case kMessage:
		c.endMessage(f)
	}
	c.stack = c.stack[:len(c.stack)-1]
}

func (c *checker) endField(f *frame) {
	if c.valBad {
		return
	}
	parent := &c.stack[len(c.stack)-2]
	line, col := c.valLine, c.valCol
	if line == 0 {
		line, col = f.line, f.col
	}
	v := bytes.TrimSpace(c.val)
	long := c.valLen > maxValue
	if parent.pscama {
		c.pscamaValue(parent, f.fld.name, v, long, line, col)
	}
	if len(v) == 0 && !long {
		return
	}
	name := f.fld.name
	switch f.fld.typ {
	case typeDate:
		switch {
		case long:
			c.report(rDateValue, line, col, "DATE field %s holds a %d-byte value: a date is CCYY-MM-DD, e.g. 1998-08-22", name, c.valLen)
		case looksLikeTimestamp(v):
			c.report(rDateTimestamp, line, col, "DATE field %s holds the timestamp %q: send the date part only (%s), or declare the field as a timestamp", name, v, v[:10])
		default:
			if msg := checkDate(v); msg != "" {
				c.report(rDateValue, line, col, "DATE field %s holds %q, %s: write CCYY-MM-DD, e.g. 1998-08-22", name, v, msg)
			}
		}
	case typeNumber:
		if long {
			c.report(rNumberValue, line, col, "NUMBER field %s holds a %d-byte value: write a plain number, e.g. 45.69", name, c.valLen)
		} else if !isNumber(v) {
			c.report(rNumberValue, line, col, "NUMBER field %s holds %q, which is not a number: write digits with an optional sign and decimal point, e.g. 45.69", name, v)
		}
	case typeDateTime:
		if !long {
			if msg := checkTimestamp(v); msg != "" {
				c.report(rTimestamp, line, col, "DATETIME field %s holds %q: %s", name, v, msg)
			}
		}
	default:
		if !long && looksLikeTimestamp(v) {
			if msg := checkTimestamp(v); msg != "" {
				c.report(rTimestamp, line, col, "field %s holds %q: %s", name, v, msg)
			}
		}
	}
}

// pscamaValue checks AUDIT_ACTN, LANGUAGE_CD, BASE_LANGUAGE_CD and
// MSG_SEQ_FLG.
func (c *checker) pscamaValue(p *frame, name string, v []byte, long bool, line, col int) {
	switch name {
	case "AUDIT_ACTN":
		var act byte
		switch {
		case len(v) == 0:
		case len(v) == 1 && bytes.IndexByte([]byte("ACDKNO"), v[0]) >= 0:
			act = v[0]
		default:
			hint := "use A, C, D, K, N, O or leave it empty"
			if len(v) == 1 && bytes.IndexByte([]byte("acdkno"), v[0]) >= 0 {
				hint = "audit actions are upper case: write " + upper(string(v))
			}
			c.report(rAuditAction, line, col, "AUDIT_ACTN %q is not an audit action: %s", clip(v), hint)
			return
		}
		c.auditAction(p, act, line, col)
	case "LANGUAGE_CD", "BASE_LANGUAGE_CD":
		n := utf8.RuneCount(v)
		switch {
		case long || n != 3 && (n > 0 || name == "LANGUAGE_CD"):
			what := "empty"
			if n > 0 || long {
				what = "\"" + clip(v) + "\", not three characters"
			}
			c.report(rLanguageCode, line, col, "%s is %s: use a three-character PeopleSoft language code such as ENG", name, what)
		case name == "LANGUAGE_CD":
			if c.lang == nil {
				c.lang = append([]byte{}, v...)
				c.langLine, c.langCol = line, col
			} else if !bytes.Equal(c.lang, v) {
				c.report(rLanguageMixed, line, col, "LANGUAGE_CD %s differs from the message's language %s (line %d): a message has one language; send one message per language", v, c.lang, c.langLine)
			}
		}
	case "MSG_SEQ_FLG":
		switch {
		case len(v) == 0:
		case len(v) == 1 && (v[0] == 'H' || v[0] == 'T'):
			if c.seqFlag == 0 {
				c.seqFlag, c.seqLine, c.seqCol = v[0], line, col
			}
		default:
			c.report(rMsgSeqFlag, line, col, "MSG_SEQ_FLG %q is not H (header), T (trailer) or blank (data): use one of those", clip(v))
		}
	}
}

// auditAction records the action of the row a PSCAMA describes: the
// preceding child record, or (level 0) the Transaction's row.
func (c *checker) auditAction(p *frame, act byte, line, col int) {
	if act == 0 {
		return
	}
	container := &c.stack[len(c.stack)-3] // field, PSCAMA, container
	var rec *recDecl
	var stats *[]rowStat
	if p.level == 0 {
		rec, line, col = container.firstRec, container.firstLine, container.firstCol
		stats = &c.level0
	} else {
		if container.last != childRecord {
			return
		}
		rec, line, col = container.lastRec, container.lastLine, container.lastCol
		stats = &container.stats
	}
	if rec == nil {
		return
	}
	var st *rowStat
	for i := range *stats {
		if (*stats)[i].rec == rec {
			st = &(*stats)[i]
			break
		}
	}
	if st == nil {
		if len(*stats) >= maxPending {
			return
		}
		*stats = append(*stats, rowStat{rec: rec})
		st = &(*stats)[len(*stats)-1]
	}
	switch act {
	case 'K':
		if st.k == 0 {
			st.kLine, st.kCol = line, col
		}
		st.k++
	case 'N':
		st.n++
	case 'O':
		if st.o == 0 {
			st.oLine, st.oC = line, col
		}
		st.o++
	case 'A', 'C':
		st.ac++
	}
}

// flushStats reports K rows without N rows and O rows without A or C rows.
func (c *checker) flushStats(stats []rowStat, where, parent string) {
	bad := false
	for _, st := range stats {
		bad = bad || st.k > 0 && st.n == 0 || st.o > 0 && st.ac == 0
	}
	if !bad {
		return
	}
	if parent != "" {
		where += " " + parent + " row"
	}
	for _, st := range stats {
		if st.k > 0 && st.n == 0 {
			c.report(rAuditKWithoutN, st.kLine, st.kCol, "%s row with AUDIT_ACTN K (original of a key change)%s has no N row (the changed key) %s: send the N row too", st.rec.name, more(st.k), where)
		}
		if st.o > 0 && st.ac == 0 {
			c.report(rAuditOWithoutAC, st.oLine, st.oC, "%s row with AUDIT_ACTN O (original values)%s has no A or C row %s: send the changed row, or drop the O row", st.rec.name, more(st.o), where)
		}
	}
}

func more(n int) string {
	if n <= 1 {
		return ""
	}
	return " and " + itoa(n-1) + " more"
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func (c *checker) endRecord(f *frame) {
	parent := &c.stack[len(c.stack)-2]
	if f.pscama {
		if f.level == 0 && parent.kind == kTransaction {
			if !f.hasAudit {
				c.report(rPSCAMAIncomplete, f.line, f.col, "the PSCAMA that ends this Transaction has no AUDIT_ACTN: add <AUDIT_ACTN> with the row's action (empty for unchanged)")
			}
			if !f.hasLang && c.transactions == 1 {
				c.report(rPSCAMAIncomplete, f.line, f.col, "the PSCAMA of the message's first Transaction has no LANGUAGE_CD: add <LANGUAGE_CD> with the message's language, e.g. ENG")
			}
		}
		parent.last = childPSCAMA
	} else {
		parent.last = childRecord
		parent.lastRec, parent.lastLine, parent.lastCol = f.rec, f.line, f.col
	}
	if len(f.stats) > 0 {
		c.flushStats(f.stats, "under the same", f.rec.name)
	}
}

func (c *checker) endTransaction(f *frame) {
	if f.last != childPSCAMA || f.pscamaLine == 0 {
		c.report(rPSCAMAMissing, c.s.tline, c.s.tcol, "the Transaction (line %d) does not end with a PSCAMA record: add <PSCAMA class=\"R\"> with LANGUAGE_CD and AUDIT_ACTN as its last record", f.line)
	}
}

func (c *checker) endMessage(f *frame) {
	if !c.res.Rowset {
		return
	}
	line, col := c.s.tline, c.s.tcol
	if c.mdCount == 0 {
		c.report(rMsgDataSection, line, col, "the message has no MsgData section: add <MsgData> with the Transactions after FieldTypes")
	}
	if c.ftCount == 0 && c.mdCount > 0 {
		c.report(rFieldTypesSection, c.mdLine, c.mdCol, "the message has no FieldTypes section: declare every record (class=\"R\") and field (type=) in <FieldTypes> before MsgData")
	}
	if c.seqFlag != 0 && c.dataLine > 0 {
		kind := "header"
		if c.seqFlag == 'T' {
			kind = "trailer"
		}
		c.report(rHeaderData, c.seqLine, c.seqCol, "MSG_SEQ_FLG %c marks a %s message, which carries no data, but this message has data rows (the first at line %d): send the data in messages with a blank MSG_SEQ_FLG", c.seqFlag, kind, c.dataLine)
	}
	if len(c.level0) > 0 {
		c.flushStats(c.level0, "among the message's Transactions", "")
	}
	if c.declsOK && c.transactions > 0 {
		for _, r := range c.decls {
			if !r.used {
				c.report(rUnusedDeclaration, r.line, r.col, "record %s is declared in FieldTypes but no row in MsgData uses it", r.name)
				continue
			}
			for _, d := range r.order {
				if !d.used {
					c.report(rUnusedDeclaration, d.line, d.col, "field %s.%s is declared in FieldTypes but no row in MsgData carries it", r.name, d.name)
				}
			}
		}
	}
}
