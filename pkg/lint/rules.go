package lint

import (
	"fmt"
	"strconv"
	"strings"
)

// Severity ranks a finding: Info < Warning < Error.
type Severity uint8

// Severities, in increasing order.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the severity as its name, as the JSON contract has it.
func (s Severity) MarshalText() ([]byte, error) {
	if s < SeverityInfo || s > SeverityError {
		return nil, fmt.Errorf("lint: invalid severity %d", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads "info", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(name string) (Severity, error) {
	switch name {
	case "info":
		return SeverityInfo, nil
	case "warning":
		return SeverityWarning, nil
	case "error":
		return SeverityError, nil
	}
	return 0, fmt.Errorf("unknown severity %q: use error, warning or info", name)
}

// Rule is one check, with a stable ID that findings, --disable, the
// configuration file and SARIF refer to.
type Rule struct {
	// ID is stable: PSIB-L001, PSIB-L002, ... Numbers are grouped by topic
	// (0xx structure, 1x declarations, 2x values, 3x PSCAMA, 4x language and
	// sequence) and are never reused.
	ID string `json:"id"`
	// Name is a short, readable alias that --disable also accepts.
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	// Summary is one line: what the rule checks.
	Summary string `json:"summary"`
	// Explain is the longer explanation: why, the source, how to fix.
	Explain string `json:"explain"`
}

// Rule IDs. The checker refers to rules by number (ruleIndex).
const (
	rXMLSyntax         = 1
	rDoctype           = 2
	rMessageRoot       = 3
	rFieldTypesSection = 4
	rMsgDataSection    = 5
	rSectionOrder      = 6
	rNoTransaction     = 7
	rUnexpected        = 8

	rUndeclaredRecord  = 10
	rUndeclaredField   = 11
	rUnusedDeclaration = 12
	rRecordClass       = 13
	rFieldType         = 14
	rFieldTypeOther    = 15
	rPSCAMAUndeclared  = 16
	rDuplicateDecl     = 17

	rDateValue      = 20
	rNumberValue    = 21
	rTimestamp      = 22
	rDateTimestamp  = 23
	rCDATA          = 24
	rIsChangedValue = 25

	rPSCAMAMissing     = 30
	rPSCAMAIncomplete  = 31
	rPSCAMAChildFields = 32
	rPSCAMAMisplaced   = 33
	rAuditAction       = 34
	rAuditKWithoutN    = 35
	rAuditOWithoutAC   = 36

	rLanguageCode  = 40
	rLanguageMixed = 41
	rMsgSeqFlag    = 42
	rHeaderData    = 43

	maxRule = 43
)

// ruleID formats a rule number as its ID.
func ruleID(n int) string { return fmt.Sprintf("PSIB-L%03d", n) }

// ruleNumber parses "PSIB-L012" (or a rule's name) into its number.
func ruleNumber(idOrName string) (int, bool) {
	s := strings.ToUpper(strings.TrimSpace(idOrName))
	if rest, ok := strings.CutPrefix(s, "PSIB-L"); ok && len(rest) == 3 {
		n, err := strconv.Atoi(rest)
		if err == nil && n > 0 && n <= maxRule && ruleText(n).name != "" {
			return n, true
		}
		return 0, false
	}
	for n := 1; n <= maxRule; n++ {
		if t := ruleText(n); t.name != "" && strings.EqualFold(t.name, idOrName) {
			return n, true
		}
	}
	return 0, false
}

// LookupRule finds a rule by ID (PSIB-L012, case-insensitive) or name
// (unused-declaration).
func LookupRule(idOrName string) (Rule, bool) {
	n, ok := ruleNumber(idOrName)
	if !ok {
		return Rule{}, false
	}
	return ruleOf(n), true
}

// Rules returns every rule, in ID order.
func Rules() []Rule {
	var rs []Rule
	for n := 1; n <= maxRule; n++ {
		if ruleText(n).name != "" {
			rs = append(rs, ruleOf(n))
		}
	}
	return rs
}

func ruleOf(n int) Rule {
	t := ruleText(n)
	return Rule{ID: ruleID(n), Name: t.name, Severity: t.sev, Summary: t.summary, Explain: t.explain}
}

type ruleInfo struct {
	name    string
	sev     Severity
	summary string
	explain string
}

// ruleText is the catalog. A switch rather than a package-level table keeps
// the package free of mutable state.
func ruleText(n int) ruleInfo {
	switch n {
	case rXMLSyntax:
		return ruleInfo{"xml-syntax", SeverityError, "the message is well-formed XML",
			`The message must be one well-formed XML 1.0 document: every element closed in order, attribute
values quoted, & written as &amp; and < as &lt; in text, only the predefined entities (&lt; &gt;
&amp; &apos; &quot;) and character references, one root element, and UTF-8 unless the XML
declaration names another encoding. The finding points at the first error; nothing after it is
checked, because a parser (PeopleSoft's included) stops there too.`}
	case rDoctype:
		return ruleInfo{"doctype", SeverityError, "the message has no DOCTYPE declaration",
			`IB messages never carry a DTD. A DOCTYPE can define entities that expand without bound or read
local files (XXE), so psib refuses the document at the DOCTYPE and checks nothing further.
Fix: remove the <!DOCTYPE ...> declaration.`}
	case rMessageRoot:
		return ruleInfo{"message-root", SeverityError, "the root element is the message name",
			`A rowset-based message is enclosed in an element named after the message (or its alias):
<SDK_BUS_EXP_APPR_MSG><FieldTypes>...</FieldTypes><MsgData>...</MsgData></SDK_BUS_EXP_APPR_MSG>
(PeopleBooks, "Rowset-Based Message Format"; seed 002). A document whose root is FieldTypes, MsgData
or Transaction lost that wrapper. With --message NAME, the root must be exactly NAME.`}
	case rFieldTypesSection:
		return ruleInfo{"fieldtypes-section", SeverityError, "exactly one FieldTypes section",
			`"The message data is enclosed in a tag with the name of the message, and consists of one
FieldTypes section followed by one MsgData section." Third-party senders "must include a valid
FieldTypes section in each message": PeopleSoft reads field types from it. A message without
FieldTypes, or with two, is rejected. Fix: declare every record (class="R") and field (type=) once,
in one FieldTypes before MsgData.`}
	case rMsgDataSection:
		return ruleInfo{"msgdata-section", SeverityError, "exactly one MsgData section",
			`The data of a rowset-based message is in one MsgData section after FieldTypes. A message with
FieldTypes but no MsgData carries nothing; a second MsgData is not read. Fix: put every Transaction
in a single <MsgData>.`}
	case rSectionOrder:
		return ruleInfo{"section-order", SeverityError, "FieldTypes comes before MsgData",
			`FieldTypes describes the records and fields MsgData uses, and PeopleSoft (like psib, which reads
messages as a stream) needs it first. When FieldTypes follows MsgData, psib cannot check the data
against the declarations. Fix: move <FieldTypes> before <MsgData>.`}
	case rNoTransaction:
		return ruleInfo{"no-transaction", SeverityError, "MsgData holds at least one Transaction",
			`"Between the MsgData tags are one or more Transaction sections. Each transaction represents one
row of data." An empty MsgData publishes nothing. Fix: add the rows, each level-0 row in its own
<Transaction>.`}
	case rUnexpected:
		return ruleInfo{"unexpected-content", SeverityError, "only the rowset format's elements, where it allows them",
			`The rowset format is strict: the message element holds FieldTypes and MsgData; MsgData holds
Transaction elements; a Transaction holds records; a record holds fields and child records (each
child followed by its PSCAMA); a field holds text. Elements or text anywhere else (a record directly
in MsgData, an element inside a field, an XSL instruction left in a template) are not read by
GetRowSet. Fix: move the content where the format expects it, or remove it.`}
	case rUndeclaredRecord:
		return ruleInfo{"undeclared-record", SeverityError, "every record in MsgData is declared in FieldTypes",
			`"The PeopleSoft system expects fieldtype information for each record and field in the message."
A record in MsgData that FieldTypes does not declare cannot be typed. Reported once per record
name. Fix: add <RECORD class="R"> with its fields to FieldTypes, or correct the record's name (names
are case-sensitive).`}
	case rUndeclaredField:
		return ruleInfo{"undeclared-field", SeverityError, "every field in MsgData is declared for its record",
			`Each field of a record in MsgData must be declared inside that record in FieldTypes, with its type.
Reported once per record and field. Fix: add <FIELD type="CHAR|DATE|NUMBER"/> to the record's
declaration, or correct the field's name.`}
	case rUnusedDeclaration:
		return ruleInfo{"unused-declaration", SeverityInfo, "declarations in FieldTypes are used in MsgData",
			`A record or field declared in FieldTypes that no row uses. This is legal, and common: blank values
are stripped in transit, and FieldTypes usually declares the whole message definition. It can also
reveal a misspelt name in MsgData. No fix is needed unless the name is a typo.`}
	case rRecordClass:
		return ruleInfo{"record-class", SeverityError, `records carry class="R"`,
			`"Each record tag consists of the name of a record, followed by a class attribute with a single
valid value: R." This holds for record declarations in FieldTypes and for records in MsgData, where
class="R" is what tells a record from a field. Fix: write class="R" (upper case).`}
	case rFieldType:
		return ruleInfo{"field-type", SeverityError, "field declarations carry type CHAR, DATE or NUMBER",
			`"Each field tag consists of the name of a field, followed by a type attribute with three valid
values: CHAR for a character field, DATE for a date field, and NUMBER for a numeric field." A
missing or unknown type (or one in lower case) is an error. Fix: write type="CHAR", "DATE" or
"NUMBER".`}
	case rFieldTypeOther:
		return ruleInfo{"field-type-nonstandard", SeverityWarning, "field types outside CHAR, DATE and NUMBER",
			`PeopleBooks documents three field types, but messages seen in the wild also carry other PeopleTools
field types (DATETIME, TIME, LONGCHAR, IMAGE). Receivers built on the documented format may reject
them. DATETIME values are checked as timestamps. Fix, if the receiver needs it: declare date-times
and long text as CHAR, with timestamps in PeopleSoft's format.`}
	case rPSCAMAUndeclared:
		return ruleInfo{"pscama-undeclared", SeverityError, "PSCAMA is declared in FieldTypes",
			`"The PSCAMA record requires fieldtype information just like any other record." Fix: declare it:
<PSCAMA class="R"><LANGUAGE_CD type="CHAR"/><AUDIT_ACTN type="CHAR"/><BASE_LANGUAGE_CD type="CHAR"/>
<MSG_SEQ_FLG type="CHAR"/><PROCESS_INSTANCE type="NUMBER"/></PSCAMA>.`}
	case rDuplicateDecl:
		return ruleInfo{"duplicate-declaration", SeverityError, "records and fields are declared once",
			`A record declared twice in FieldTypes, or a field declared twice in one record, leaves its type
ambiguous. Fix: keep one declaration.`}
	case rDateValue:
		return ruleInfo{"date-value", SeverityError, "DATE fields hold real calendar dates, CCYY-MM-DD",
			`A DATE field holds a date written CCYY-MM-DD (PeopleBooks' example: 1998-08-22), and it must exist
on the calendar (no 2023-02-29). An empty element is a blank date. Fix: write the date as
CCYY-MM-DD.`}
	case rNumberValue:
		return ruleInfo{"number-value", SeverityError, "NUMBER fields hold numbers",
			`A NUMBER field holds a decimal number: an optional sign, digits, and an optional decimal point
with more digits (45.690, -3, 0). No thousands separators, currency signs or exponents. An empty
element is a blank number. Fix: write the plain number.`}
	case rTimestamp:
		return ruleInfo{"timestamp-offset", SeverityError, "timestamps carry the mandatory ±hhmm offset",
			`"The ISO format specifies that the +/-hhmm parameter is optional, but PeopleSoft requires it. All
date and time stamps in the header and the body of the message must include the Greenwich Mean Time
(GMT) offset as +/-hhmm." The format is CCYY-MM-DDTHH:MM:SS.ssssss+/-hhmm. psib checks every value
that looks like a date-time (and every DATETIME field); Z and +hh:mm are not accepted either. Fix:
append the offset, e.g. 2024-03-01T09:30:00.000000-0800.`}
	case rDateTimestamp:
		return ruleInfo{"date-holds-timestamp", SeverityError, "DATE fields do not hold timestamps",
			`A DATE field holds a date only. A timestamp in it (2020-01-01T00:00:00.000000-0600) is not a DATE
value, and receivers reject or truncate it. Fix: send the date part (2020-01-01), or, if the time
matters, declare the field as a character field holding a PeopleSoft timestamp.`}
	case rCDATA:
		return ruleInfo{"cdata-in-field", SeverityWarning, "fields hold plain text, not CDATA sections",
			`PeopleBooks: CDATA sections cannot be used when the receiver reads the message with GetRowSet (the
normal way for rowset-based messages); escape special characters instead (& as &amp;, < as &lt;).
Fix: replace <![CDATA[a & b]]> with a &amp; b.`}
	case rIsChangedValue:
		return ruleInfo{"ischanged-value", SeverityError, `IsChanged is only ever "Y"`,
			`CopyRowsetDelta marks changed fields with IsChanged="Y" (also on fields that were blanked:
<DESCRLONG IsChanged="Y"/>); unchanged fields carry no attribute at all. Any other value (N, y,
true) is not PeopleSoft's. Fix: write IsChanged="Y", or remove the attribute from unchanged fields.`}
	case rPSCAMAMissing:
		return ruleInfo{"pscama-missing", SeverityError, "every Transaction ends with a PSCAMA record",
			`"The last record within a transaction is a fully specified PeopleSoft Common Application Message
Attributes (PSCAMA) record, which provides information about the entire transaction." It carries
the row's audit action and the message language. Fix: add <PSCAMA class="R"> with LANGUAGE_CD and
AUDIT_ACTN as the last record of the Transaction.`}
	case rPSCAMAIncomplete:
		return ruleInfo{"pscama-incomplete", SeverityError, "the level-0 PSCAMA is fully specified",
			`The PSCAMA that ends a Transaction is the full one: it carries AUDIT_ACTN (the level-0 row's action;
an empty element means unchanged) and, in the message's first Transaction, LANGUAGE_CD ("Each
message can contain only one language code (the LANGUAGE_CD field) in the first PSCAMA record").
BASE_LANGUAGE_CD, MSG_SEQ_FLG, PROCESS_INSTANCE, PUBLISH_RULE_ID and MSGNODENAME are optional. Fix:
add the missing fields.`}
	case rPSCAMAChildFields:
		return ruleInfo{"pscama-child-fields", SeverityInfo, "a child row's PSCAMA carries only AUDIT_ACTN",
			`"Immediately following the closing tag of every record below level 0 is a PSCAMA record containing
only the AUDIT_ACTN field." Messages seen in the wild sometimes repeat other PSCAMA fields there;
PeopleSoft reads them, but the receiver ignores them. No fix needed; AUDIT_ACTN alone is the
documented form.`}
	case rPSCAMAMisplaced:
		return ruleInfo{"pscama-misplaced", SeverityError, "PSCAMA records stand where the format puts them",
			`A PSCAMA belongs in two places only: right after the closing tag of a child record (level 1 and
below), giving that row's AUDIT_ACTN, and as the last record of a Transaction. A PSCAMA first in a
record, after a field, after another PSCAMA, or before the end of its Transaction describes no row.
(A child row's PSCAMA may be left out: the row is then unchanged.) Fix: move it after the row it
describes, or remove it.`}
	case rAuditAction:
		return ruleInfo{"audit-action", SeverityError, "AUDIT_ACTN is A, C, D, K, N, O or blank",
			`"The valid audit action codes match those that are used in the PeopleSoft audit trail processing:
A, C, D, K, N, O, and blank." A add, C change, D delete, K original row of a key change, N new row of
a key change, O original values, blank unchanged (or the parent of a changed row). Fix: use one of
these upper-case letters, or an empty <AUDIT_ACTN/>.`}
	case rAuditKWithoutN:
		return ruleInfo{"audit-k-without-n", SeverityWarning, "a K row comes with its N row",
			`K marks the original values of a row whose key changed; the row with the new key is sent as N
(CopyRowsetDelta and CopyRowsetDeltaOriginal create the pair). A K row without an N row among its
siblings (rows of the same record under the same parent; Transactions, at level 0) tells the
receiver about a key change it cannot apply. Fix: send the N row too, or mark the row correctly.`}
	case rAuditOWithoutAC:
		return ruleInfo{"audit-o-without-ac", SeverityWarning, "an O row comes with its A or C row",
			`O carries the original values of a changed (C) or added effective-dated (A) row; CopyRowsetDeltaOriginal
creates it next to that row. An O row without an A or C row among its siblings describes a change
that is not in the message. Fix: send the changed row, or drop the O row.`}
	case rLanguageCode:
		return ruleInfo{"language-code", SeverityError, "LANGUAGE_CD and BASE_LANGUAGE_CD are three-character codes",
			`"PeopleSoft language codes contain three characters" (ENG, FRA, GER, ESP, ...), mapped to ISO
locales by PeopleSoft. Two-letter ISO codes (en, fr) or locales (en_US) are not language codes.
LANGUAGE_CD must not be empty where it is given. Fix: use the PeopleSoft code, e.g. ENG.`}
	case rLanguageMixed:
		return ruleInfo{"language-mixed", SeverityError, "one language per message",
			`"There can be only one language code for the entire message. To send messages in multiple
languages, send multiple messages." A LANGUAGE_CD that differs from the first one in the message is
an error. Fix: split the message by language.`}
	case rMsgSeqFlag:
		return ruleInfo{"msg-seq-flg", SeverityError, "MSG_SEQ_FLG is H, T or blank",
			`MSG_SEQ_FLG "indicates whether the message is a header (H) or trailer (T) or contains data (blank)",
for transactions that span several messages. Fix: use H, T or an empty <MSG_SEQ_FLG/>.`}
	case rHeaderData:
		return ruleInfo{"header-trailer-data", SeverityError, "header and trailer messages carry no data rows",
			`"The header and trailer messages don't contain message data." A message whose PSCAMA says
MSG_SEQ_FLG H or T must consist of Transactions holding only their PSCAMA. psib counts any record
other than PSCAMA as a data row. Fix: send the data in separate messages between the header and the
trailer, with a blank MSG_SEQ_FLG.`}
	}
	return ruleInfo{}
}
