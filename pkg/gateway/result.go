package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Result is an answer the gateway gave in a form psib can read: a handler's
// reply, an async acknowledgement, or an IB error.
type Result struct {
	// HTTPStatus is the answer's HTTP status (200 for nearly everything;
	// the emulator and SOAP faults use 500).
	HTTPStatus int
	// Header is the answer's header (names in Go's canonical case).
	Header http.Header
	// Raw is the response body as received.
	Raw []byte
	// Body is the payload: the HTTP connector's reply (Raw itself); the
	// SOAP envelope's Body content, unwrapped; the MIME answer's
	// ContentSection0, decoded (nil when there is none). Nil for an
	// IBResponse from the HTTP connector.
	Body []byte
	// TransactionID is the transactionid header, else the IBResponse's or
	// IBInfo's TransactionID ("" when none, or PeopleSoft's "null").
	TransactionID string
	// Response is the IBResponse (acknowledgement or error) or SOAP fault,
	// when the answer is one.
	Response *ibmsg.Response
	// Status is set when the gateway reports an error (IBResponse
	// type="error", SOAP fault, IBInfo StatusCode != 0); nil on success.
	Status *ibmsg.Status
	// Attempts is how many times the request was sent.
	Attempts int
	// Duration is the time from the call to Post until the answer was
	// read, retries and their waits included.
	Duration time.Duration
}

// Err returns nil when the gateway reported no error, else a
// *ibmsg.StatusError (callers branch on its Class).
func (r *Result) Err() error {
	if r == nil || r.Status == nil {
		return nil
	}
	return &ibmsg.StatusError{Status: *r.Status}
}

// IsDuplicate reports whether the answer says that the message's
// ExternalMessageID was already accepted (the message is in, once), for
// every connector: an IBResponse, a SOAP fault or an IBInfo status.
func (r *Result) IsDuplicate() bool {
	if r == nil {
		return false
	}
	if r.Response != nil {
		return r.Response.IsDuplicate()
	}
	return r.Status != nil && strings.HasPrefix(r.Status.DefaultMsg, ibmsg.DuplicateMessagePrefix)
}

// transactionID returns the transactionid header (any case), else "".
func transactionID(h http.Header) string {
	for k, vs := range h {
		if strings.EqualFold(k, ibmsg.HeaderTransactionID) && len(vs) > 0 {
			return cleanTxID(vs[0])
		}
	}
	return ""
}

// cleanTxID trims a transaction id; PeopleSoft writes "null" for none.
func cleanTxID(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "null") {
		return ""
	}
	return s
}
