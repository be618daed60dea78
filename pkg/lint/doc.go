// Package lint checks PeopleSoft rowset-based messages (the
// FieldTypes/MsgData/Transaction format of PeopleBooks' "Rowset-Based
// Message Format") before they are sent: structure, declarations, values by
// declared type, timestamps, PSCAMA placement, audit actions, language and
// message sequence. It is psib lint's engine.
//
// Each check is a [Rule] with a stable ID (PSIB-L001, ...), a name, a
// default severity, a one-line summary and an explanation; [Rules] lists
// them and RULES.md documents them. A [Linter] built from [Options]
// (disabled rules, severity overrides, a cap on findings per rule) checks
// one message per [Linter.Check] call and returns a [Result]: findings with
// file, line and column, and counts by severity. [WriteText],
// [WriteGitHub], [WriteJSON] and [Linter.WriteSARIF] print results;
// [ParseConfig] reads a .psib-lint.yaml file.
//
// Documents that are not rowset-based messages (container message parts,
// PsNonXml wrappers, SOAP faults, any other XML) are recognized by the
// absence of FieldTypes and MsgData under the message element and are only
// checked for well-formedness. A rowset-based message inside a SOAP
// Envelope's Body is checked like a bare one.
//
// Messages are read as a stream by a scanner written for the purpose: it
// checks XML 1.0 well-formedness, tracks line and column (columns count
// characters), and hands out tokens without allocating, from a fixed
// window. encoding/xml, which tests hold it to, reads about 6 times slower
// than libxml2 on FULLSYNC messages; the scanner and checks together run
// faster than `xmllint --stream --noout` (see the benchmarks).
//
// The package never prints to the terminal or exits: printers write to the
// io.Writer they are given.
//
// # Limits
//
//   - Memory does not depend on the number of Transactions: the checker
//     keeps the FieldTypes declarations, one frame per open element and a
//     few positions. Up to 100000 declarations (and undeclared names, each
//     reported once) are remembered; more are not checked.
//   - A start tag, end tag, processing instruction or character reference
//     may be up to 1 MiB; text, comments and CDATA sections stream at any
//     length. Elements nest at most 10000 deep.
//   - The first 256 bytes of a field's value are checked; longer DATE and
//     NUMBER values are reported by their length.
//   - Inputs are UTF-8, UTF-16 (by byte-order mark or first bytes), or an
//     encoding the XML declaration names (ISO-8859-1, windows-1252, ...).
//     No DTD is read: a DOCTYPE is a finding and checking stops there.
//   - A syntax error stops the check of that input: findings before it are
//     kept, end-of-message checks (unused declarations, K/N pairs, header
//     and trailer data) are not made.
//   - The checks follow PeopleBooks and seed 002; where messages seen in
//     the wild differ (other field types, extra PSCAMA fields below level
//     0), the rule is a warning or an info.
package lint
