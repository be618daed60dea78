package ibmsg

import (
	"errors"
	"fmt"
)

// ErrUnsafeXML is returned for XML that carries a DOCTYPE declaration
// (entity definitions, external entities). IB documents never need one.
var ErrUnsafeXML = errors.New("ibmsg: XML with a DOCTYPE declaration is refused (DTDs and entities are not allowed in IB documents)")

// ErrTooLarge is returned when input exceeds a [Limits] bound, for example
// a section that decompresses past the cap (a decompression bomb).
var ErrTooLarge = errors.New("ibmsg: input exceeds a size limit")

// ErrNotIB is returned when a document is well-formed but is not the IB
// document the caller asked for (say, an IBResponse was expected).
var ErrNotIB = errors.New("ibmsg: not an IB document")

// SyntaxError reports malformed input and where it is.
type SyntaxError struct {
	What string // the format being read: "MIME", "IBInfo", "IBResponse", ...
	Line int    // 1-based line in the input, 0 when unknown
	Msg  string
}

// Error says what is malformed, and where when the line is known.
func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ibmsg: %s: line %d: %s", e.What, e.Line, e.Msg)
	}
	return fmt.Sprintf("ibmsg: %s: %s", e.What, e.Msg)
}

// StatusError is an IB answer that reports a failure: an IBResponse of type
// "error", an IBInfo Status with StatusCode != 0, or a SOAP fault wrapping an
// IBResponse. Callers branch on its Class.
type StatusError struct {
	Status Status
}

// Error is the status's one-line summary, e.g. "User password failed. (158,45)".
func (e *StatusError) Error() string {
	return e.Status.Summary()
}

// Class is the catalog class of the status (auth, routing, ...).
func (e *StatusError) Class() Class { return e.Status.Class() }
