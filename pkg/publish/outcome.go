package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
)

// Outcome is what became of a message, as the CLI contract names it.
type Outcome string

// Outcomes.
const (
	// OutcomeAccepted: the gateway acknowledged the message with a
	// transaction id (or answered that it already had it).
	OutcomeAccepted Outcome = "accepted"
	// OutcomeRejected: the gateway answered with an error; not retried.
	OutcomeRejected Outcome = "rejected"
	// OutcomeFailed: nothing was delivered after the retries (or the input
	// or an HTTP error stopped it).
	OutcomeFailed Outcome = "failed"
	// OutcomeUnknown: sent, no answer: it may have been processed.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeSkipped: the journal says it was accepted already.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeNotSent: the batch was interrupted before the message was
	// sent. Not reported per message; counted in Summary.NotSent.
	OutcomeNotSent Outcome = "not-sent"
)

// Class says how serious a message's outcome is, in the order of the CLI
// contract's exit codes (the CLI maps them: 0, 2, 4, 5, 6, 7). A batch is
// as serious as its most serious message.
type Class int

// Classes, least serious first.
const (
	// ClassOK: accepted or skipped (exit 0).
	ClassOK Class = iota
	// ClassInput: the input could not be used; nothing was sent (exit 2).
	ClassInput
	// ClassAuth: the gateway refused the credentials (exit 4).
	ClassAuth
	// ClassRemote: the gateway or application answered with an error, or
	// an HTTP error (exit 5).
	ClassRemote
	// ClassTransport: nothing was delivered (exit 6).
	ClassTransport
	// ClassUnknown: sent without an answer (exit 7).
	ClassUnknown
)

// String returns the class's name: ok, input, auth, remote, transport or
// unknown.
func (c Class) String() string {
	switch c {
	case ClassOK:
		return "ok"
	case ClassInput:
		return "input"
	case ClassAuth:
		return "auth"
	case ClassRemote:
		return "remote"
	case ClassTransport:
		return "transport"
	case ClassUnknown:
		return "unknown"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Result is what became of one message.
type Result struct {
	// Seq is the message's position in the batch.
	Seq int
	// Input names the message's source.
	Input string
	// Operation is the service operation.
	Operation string
	// Outcome is what became of it.
	Outcome Outcome
	// Class is how serious the outcome is.
	Class Class
	// TransactionID is the gateway's id for an accepted (or skipped)
	// message.
	TransactionID string
	// ExternalMessageID is the id sent with it ("" when none).
	ExternalMessageID string
	// Attempts is how many requests this run sent for it.
	Attempts int
	// Duplicate is set when the gateway answered that it already had the
	// message: it was accepted earlier (by an attempt whose answer was
	// lost, or by another run).
	Duplicate bool
	// HTTPStatus is the last answer's HTTP status, 0 when none came.
	HTTPStatus int
	// Status is the gateway's error status for a rejected message.
	Status *ibmsg.Status
	// Err says what went wrong (nil for accepted and skipped).
	Err error
	// Note explains a skip or a message not resent.
	Note string
	// JournalID is the message's journal row (0 without a journal).
	JournalID int64
	// Duration is the time from the first request to the outcome.
	Duration time.Duration
}

// verdict is how one attempt ended.
type verdict struct {
	outcome    Outcome
	class      Class
	retry      bool // another attempt may be made (if safe and allowed)
	ambiguous  bool // the request may have been delivered
	err        error
	status     *ibmsg.Status
	txid       string
	dup        bool
	httpStatus int
}

// errNoTransactionID is an answer without a transaction id.
var errNoTransactionID = errors.New("the gateway answered without a transaction id, so the message was not queued (is the operation asynchronous? psib post calls synchronous operations)")

// judge classifies an attempt: Post's result or error. withID tells
// whether the request carried an ExternalMessageID.
func judge(res *gateway.Result, err error, withID bool, abort context.Context) verdict {
	if err == nil {
		v := verdict{httpStatus: res.HTTPStatus, txid: res.TransactionID}
		switch {
		case withID && res.IsDuplicate():
			v.outcome, v.dup = OutcomeAccepted, true
		case res.Status != nil:
			st := *res.Status
			v.outcome, v.status, v.err = OutcomeRejected, &st, res.Err()
			v.class = ClassRemote
			if st.Class() == ibmsg.ClassAuth {
				v.class = ClassAuth
			}
			v.txid = ""
		case res.TransactionID == "":
			v.outcome, v.class, v.err = OutcomeRejected, ClassRemote, errNoTransactionID
		default:
			v.outcome = OutcomeAccepted
		}
		return v
	}
	var (
		gerr   *gateway.Error
		reqErr *gateway.RequestError
	)
	switch {
	case errors.As(err, &reqErr):
		return verdict{outcome: OutcomeFailed, class: ClassInput, err: err}
	case errors.As(err, &gerr):
		v := verdict{err: err, httpStatus: gerr.HTTPStatus}
		switch {
		case gerr.Class == gateway.ClassTransport:
			v.outcome, v.class, v.retry = OutcomeFailed, ClassTransport, true
			if abort.Err() != nil {
				v.outcome, v.retry = OutcomeNotSent, false
			}
		case gerr.Class == gateway.ClassUnknown:
			v.outcome, v.class, v.retry, v.ambiguous = OutcomeUnknown, ClassUnknown, true, true
			if abort.Err() != nil {
				v.retry = false
			}
		case gerr.Auth():
			v.outcome, v.class = OutcomeRejected, ClassAuth
		case gerr.HTTPStatus == http.StatusServiceUnavailable || gerr.HTTPStatus == http.StatusTooManyRequests:
			// The server said it did not process the request.
			v.outcome, v.class, v.retry = OutcomeFailed, ClassRemote, true
		default:
			v.outcome, v.class = OutcomeFailed, ClassRemote
		}
		return v
	}
	if abort.Err() != nil {
		return verdict{outcome: OutcomeUnknown, class: ClassUnknown, ambiguous: true, err: err}
	}
	return verdict{outcome: OutcomeFailed, class: ClassRemote, err: err}
}

// stateOf is the journal state for an outcome.
func stateOf(o Outcome) journal.State {
	switch o {
	case OutcomeAccepted:
		return journal.StateAccepted
	case OutcomeRejected:
		return journal.StateRejected
	case OutcomeFailed:
		return journal.StateFailed
	case OutcomeUnknown:
		return journal.StateUnknown
	}
	return journal.StatePending
}
