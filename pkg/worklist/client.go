package worklist

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

// Poster sends one request to the gateway; *gateway.Client is one.
type Poster interface {
	Post(ctx context.Context, req *gateway.Request) (*gateway.Result, error)
}

// Options configure a Client.
type Options struct {
	// Gateway sends the SOAP requests. Required.
	Gateway Poster
	// Credentials are the requesting node (From; empty means ANONYMOUS),
	// the destination node and the node password. OperationName is set
	// per call from Service.
	Credentials ibmsg.Credentials
	// SOAPVersion is the envelope version.
	SOAPVersion ibmsg.SOAPVersion
	// WSUser and WSPassword, when WSUser is set, go in a WS-Security
	// UsernameToken: the PeopleSoft user the requests run as.
	WSUser     string
	WSPassword secret.Secret
	// Retries is gateway.Request.Retries: retries of failures where
	// nothing was delivered.
	Retries int
	// Header are extra HTTP headers for every request
	// (gateway.Request.Header).
	Header []ibmsg.HeaderField
	// Service names the operations and messages; the zero value means
	// DefaultService().
	Service Service
	// CreateTemplate and StatusTemplate, when set, write the request
	// documents instead of ibmsg's Marshal.
	CreateTemplate, StatusTemplate *Template
	// Journal records creates; nil turns duplicate protection off.
	Journal Journal
	// Scope names the gateway and node in the journal (see Scope).
	Scope string
	// NewID returns a new RequestMessageID; nil means a random UUID.
	NewID func() string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between polls, ending early with ctx's error; nil means
	// a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls PT_WORKLIST. It is safe for sequential use.
type Client struct {
	opts    Options
	service Service
}

// New returns a Client; a missing Gateway is an error.
func New(o Options) (*Client, error) {
	if o.Gateway == nil {
		return nil, errors.New("worklist: no gateway client")
	}
	s := o.Service
	if s.CreateAction == "" || s.StatusAction == "" {
		s = DefaultService()
	}
	return &Client{opts: o, service: s}, nil
}

// Service returns the names the client sends.
func (c *Client) Service() Service { return c.service }

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.opts.Sleep != nil {
		return c.opts.Sleep(ctx, d)
	}
	return gateway.SleepContext(ctx, d)
}

func (c *Client) newID() string {
	if c.opts.NewID != nil {
		return c.opts.NewID()
	}
	return NewRequestMessageID()
}

// NewRequestMessageID returns a random (version 4) UUID, upper case, as a
// RequestMessageID.
func NewRequestMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// post sends payload as the operation action.
func (c *Client) post(ctx context.Context, action string, payload []byte) (*gateway.Result, error) {
	cr := c.opts.Credentials
	cr.OperationName = action
	return c.opts.Gateway.Post(ctx, &gateway.Request{Connector: gateway.ConnectorSOAP, SOAPVersion: c.opts.SOAPVersion,
		WSUser: c.opts.WSUser, WSPassword: c.opts.WSPassword, Credentials: cr, Payload: payload, Retries: c.opts.Retries,
		Header: c.opts.Header})
}

// Outcome is what Create did.
type Outcome string

// Outcomes of Create.
const (
	// OutcomeAccepted: the request was sent and the gateway acknowledged
	// it (or answered with the reply).
	OutcomeAccepted Outcome = "accepted"
	// OutcomeSkipped: the journal shows this create was accepted before;
	// nothing was sent.
	OutcomeSkipped Outcome = "skipped"
)

// CreateOptions change Create's duplicate protection.
type CreateOptions struct {
	// ForceNew sends the create even when the journal shows the same
	// content accepted before: PeopleSoft then creates a second entry.
	ForceNew bool
}

// CreateResult is a create that was accepted, now or before.
type CreateResult struct {
	// Request is the request as sent (RequestMessageID and Priority set
	// as they went on the wire).
	Request ibmsg.CreateRequest
	Outcome Outcome
	// Resent is set when an earlier attempt with this RequestMessageID
	// had no known outcome: it was sent again with the same id, so that
	// PeopleSoft rejects it if the first attempt arrived.
	Resent bool
	// IBTransactionID is the acknowledgement's transaction id.
	IBTransactionID string
	// Reply is set when the gateway answered with the
	// CreateWorklistEntryResponse itself (a synchronous configuration).
	Reply *ibmsg.CreateResponse
	// Previous is the journal's entry for a skipped or resent create.
	Previous *Entry
	// Answer is the gateway's answer (nil when skipped).
	Answer *gateway.Result
}

// ConflictError is a create the journal refuses before anything is sent.
type ConflictError struct {
	RequestMessageID string
	Previous         Entry
	Msg              string
}

// Error says what was recorded and what to do.
func (e *ConflictError) Error() string { return "worklist: " + e.Msg }

// ReplyError is an answer from PeopleSoft that is not an IB error but not
// a usable reply either: a CreateWorklistEntryResponse with an ErrorCode,
// or a document psib does not expect.
type ReplyError struct {
	// Operation is the external alias called.
	Operation string
	// Code and Description are the reply's ErrorCode and
	// ErrorDescription (0 and "" for an unexpected document).
	Code        int
	Description string
	Msg         string
}

// Error reads "worklist: OPERATION: MSG".
func (e *ReplyError) Error() string { return "worklist: " + e.Operation + ": " + e.Msg }

// Create sends a CREATE_WORKLIST_ITEM request. It normalizes Priority
// (high, medium, low), validates the request (a *ibmsg.WLValidationError
// names every problem; nothing is sent), and consults the journal:
//
//   - the same content accepted before: nothing is sent (OutcomeSkipped);
//   - the same content sent before without a known outcome: sent again
//     with the same RequestMessageID (Resent);
//   - a RequestMessageID recorded for other content, or ForceNew with a
//     RequestMessageID accepted before: a *ConflictError.
//
// A request without a RequestMessageID gets a new one. The journal records
// the request before it is sent and its outcome after. An IB error answer
// (a SOAP fault) is returned as an error wrapping *ibmsg.StatusError; a
// reply with an ErrorCode as a *ReplyError; gateway failures as the
// gateway's errors.
func (c *Client) Create(ctx context.Context, in *ibmsg.CreateRequest, o CreateOptions) (*CreateResult, error) {
	req := *in
	req.XMLName = c.service.CreateRequest
	if p, err := ibmsg.NormalizeWLPriority(req.Priority); err == nil {
		req.Priority = p
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	action := c.service.CreateAction
	fp := Fingerprint(action, &req)
	res := &CreateResult{}
	j, scope := c.opts.Journal, c.opts.Scope
	if j != nil {
		prev, err := c.previous(&req, fp, o)
		if err != nil {
			return nil, err
		}
		res.Previous = prev
		switch {
		case prev == nil:
		case prev.State == StateAccepted && !o.ForceNew:
			req.RequestMessageID = prev.RequestMessageID
			res.Request, res.Outcome, res.IBTransactionID = req, OutcomeSkipped, prev.IBTransactionID
			return res, nil
		case prev.State == StatePending:
			req.RequestMessageID = prev.RequestMessageID
			res.Resent = true
		}
	}
	if req.RequestMessageID == "" {
		req.RequestMessageID = c.newID()
	}
	var payload []byte
	if c.opts.CreateTemplate != nil {
		var err error
		if payload, err = c.opts.CreateTemplate.renderCreate(&req, req.XMLName, action); err != nil {
			return nil, err
		}
	} else {
		payload = req.Marshal()
	}
	rec := Entry{Scope: scope, RequestMessageID: req.RequestMessageID, Fingerprint: fp, State: StatePending, Operation: action,
		BusinessProcessName: req.BusinessProcessName, ActivityName: req.ActivityName, EventName: req.EventName,
		WorklistName: req.WorklistName, OperatorID: req.OperatorID, Created: c.now()}
	if res.Resent {
		rec.Created = res.Previous.Created
	}
	record := func(state State, txid, msg string) error {
		if j == nil {
			return nil
		}
		rec.State, rec.IBTransactionID, rec.Error, rec.Updated = state, txid, msg, c.now()
		return j.Record(rec)
	}
	// Journal before send: a crash after this line leaves a pending
	// record, and the next identical create reuses its RequestMessageID.
	if err := record(StatePending, "", ""); err != nil {
		return nil, fmt.Errorf("nothing was sent: %w", err)
	}
	answer, err := c.post(ctx, action, payload)
	if err != nil {
		return nil, err
	}
	res.Request, res.Answer, res.IBTransactionID = req, answer, answer.TransactionID
	if answer.Status != nil {
		rejected := fmt.Errorf("%s: %w", action, answer.Err())
		if res.Resent {
			// The first attempt may have arrived, and this is PeopleSoft
			// refusing its duplicate: GETWLINSTANCE tells.
			keys := req.Keys()
			if st, serr := c.Status(ctx, &keys); serr == nil && st.Found() {
				res.Outcome = OutcomeAccepted
				if err := record(StateAccepted, res.Previous.IBTransactionID, ""); err != nil {
					return res, fmt.Errorf("the request was accepted earlier (RequestMessageID %s) but %w", req.RequestMessageID, err)
				}
				res.IBTransactionID = res.Previous.IBTransactionID
				return res, nil
			}
			// Still unknown: keep the record pending, so that the next
			// attempt reuses the RequestMessageID again.
			return nil, rejected
		}
		if jerr := record(StateRejected, answer.TransactionID, answer.Status.Summary()); jerr != nil {
			return nil, errors.Join(rejected, jerr)
		}
		return nil, rejected
	}
	if answer.Response == nil {
		// No acknowledgement: the reply itself, or something else.
		root, _ := ibmsg.RootElement(answer.Body)
		if root != c.service.CreateResponse.Local {
			return nil, &ReplyError{Operation: action, Msg: fmt.Sprintf("the answer is neither an acknowledgement nor a %s document (root <%s>); the entry may have been created: psib worklist status --request-id %s tells",
				c.service.CreateResponse.Local, root, req.RequestMessageID)}
		}
		reply, err := ibmsg.ParseCreateResponse(answer.Body, root)
		if err != nil {
			return nil, &ReplyError{Operation: action, Msg: "the reply cannot be read: " + strings.TrimPrefix(err.Error(), "ibmsg: ")}
		}
		if reply.ErrorCode != 0 {
			msg := fmt.Sprintf("PeopleSoft could not create the worklist entry: ErrorCode %d: %s", reply.ErrorCode, reply.ErrorDescription)
			if jerr := record(StateRejected, answer.TransactionID, msg); jerr != nil {
				return nil, jerr
			}
			return nil, &ReplyError{Operation: action, Code: reply.ErrorCode, Description: reply.ErrorDescription, Msg: msg}
		}
		res.Reply = reply
	}
	res.Outcome = OutcomeAccepted
	if err := record(StateAccepted, answer.TransactionID, ""); err != nil {
		return res, fmt.Errorf("the request was accepted (RequestMessageID %s) but %w", req.RequestMessageID, err)
	}
	return res, nil
}

// previous is the journal entry that decides what Create does, nil when
// none does.
func (c *Client) previous(req *ibmsg.CreateRequest, fp string, o CreateOptions) (*Entry, error) {
	j, scope := c.opts.Journal, c.opts.Scope
	if req.RequestMessageID == "" {
		if o.ForceNew {
			return nil, nil
		}
		prev, err := j.Find(scope, fp)
		if err != nil || prev == nil || prev.State == StateRejected {
			return nil, err
		}
		return prev, nil
	}
	prev, err := j.Lookup(scope, req.RequestMessageID)
	if err != nil || prev == nil {
		return nil, err
	}
	when := prev.Created.Format(time.RFC3339)
	switch {
	case prev.Fingerprint != fp && prev.State != StateRejected:
		return nil, &ConflictError{RequestMessageID: req.RequestMessageID, Previous: *prev,
			Msg: fmt.Sprintf("RequestMessageID %s was already used on %s for another worklist entry (%s/%s/%s/%s for %s, %s): PeopleSoft rejects a RequestMessageID sent twice; give a new --request-id, or leave it out to get one",
				req.RequestMessageID, when, prev.BusinessProcessName, prev.ActivityName, prev.EventName, prev.WorklistName, prev.OperatorID, prev.State)}
	case prev.State == StateAccepted && o.ForceNew:
		return nil, &ConflictError{RequestMessageID: req.RequestMessageID, Previous: *prev,
			Msg: fmt.Sprintf("--force-new creates another entry, which needs a new RequestMessageID: %s was accepted on %s; give a new --request-id, or leave it out to get one",
				req.RequestMessageID, when)}
	case prev.State == StateRejected:
		return nil, nil
	}
	return prev, nil
}

// Remembered returns the journal's entry for a RequestMessageID (nil when
// there is none or no journal): its keys complete a status request.
func (c *Client) Remembered(requestID string) (*Entry, error) {
	if c.opts.Journal == nil || requestID == "" {
		return nil, nil
	}
	return c.opts.Journal.Lookup(c.opts.Scope, requestID)
}

// Status sends a GETWLINSTANCE request and returns the reply. A request
// without its five keys is a *ibmsg.WLValidationError (nothing is sent).
// "No such entry" is not an error: the reply's ResponseStatus is 0.
func (c *Client) Status(ctx context.Context, in *ibmsg.StatusRequest) (*ibmsg.StatusResponse, error) {
	req := *in
	req.XMLName = c.service.StatusRequest
	if err := req.Validate(); err != nil {
		return nil, err
	}
	action := c.service.StatusAction
	var payload []byte
	if c.opts.StatusTemplate != nil {
		var err error
		if payload, err = c.opts.StatusTemplate.renderStatus(&req, req.XMLName, action); err != nil {
			return nil, err
		}
	} else {
		payload = req.Marshal()
	}
	answer, err := c.post(ctx, action, payload)
	if err != nil {
		return nil, err
	}
	if answer.Status != nil {
		return nil, fmt.Errorf("%s: %w", action, answer.Err())
	}
	want := c.service.StatusResponse.Local
	root, _ := ibmsg.RootElement(answer.Body)
	if root != want {
		if root == "" {
			root = "no document"
		} else {
			root = "<" + root + ">"
		}
		return nil, &ReplyError{Operation: action, Msg: fmt.Sprintf("the answer is not a %s document (got %s)", want, root)}
	}
	reply, err := ibmsg.ParseStatusResponse(answer.Body, want)
	if err != nil {
		return nil, &ReplyError{Operation: action, Msg: "the reply cannot be read: " + strings.TrimPrefix(err.Error(), "ibmsg: ")}
	}
	return reply, nil
}

// DefaultPollInterval is Wait's interval between polls when none is given.
const DefaultPollInterval = 5 * time.Second

// WaitOptions configure Wait.
type WaitOptions struct {
	// Timeout bounds the wait; 0 means until ctx ends.
	Timeout time.Duration
	// Interval is the time between polls; 0 means DefaultPollInterval.
	Interval time.Duration
	// Progress, when set, is called after each poll with its reply or
	// its error (a failure Wait will retry).
	Progress func(reply *ibmsg.StatusResponse, err error)
}

// TimeoutError is a Wait that ended before the entry was worked.
type TimeoutError struct {
	Timeout time.Duration
	// Last is the last reply, nil when no poll succeeded; LastErr the
	// last poll's error, if it failed.
	Last    *ibmsg.StatusResponse
	LastErr error
}

// Error says how long psib waited and what the entry's status was.
func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("worklist: the entry was not marked Worked within %s", e.Timeout)
	switch {
	case e.Last != nil:
		msg += fmt.Sprintf(" (last ResponseStatus %d: %s)", e.Last.ResponseStatus, e.Last.ResponseStatus)
	case e.LastErr != nil:
		msg += fmt.Sprintf(" (the last poll failed: %v)", e.LastErr)
	}
	return msg
}

// Unwrap returns the last poll's error.
func (e *TimeoutError) Unwrap() error { return e.LastErr }

// CancelledError is an entry that was cancelled: it will never be worked.
type CancelledError struct {
	Last *ibmsg.StatusResponse
}

// Error says the entry was cancelled.
func (e *CancelledError) Error() string {
	return fmt.Sprintf("worklist: the entry (RequestMessageID %s, InstanceID %d) was cancelled: it will not be marked Worked",
		e.Last.RequestMessageID, e.Last.InstanceID)
}

// pollRetryable reports whether a failed poll may simply be repeated:
// GETWLINSTANCE changes nothing, so any failure without an answer is.
func pollRetryable(err error) bool {
	var ge *gateway.Error
	return errors.As(err, &ge) && (ge.Class == gateway.ClassTransport || ge.Class == gateway.ClassUnknown ||
		(ge.Class == gateway.ClassHTTP && ge.HTTPStatus >= 500))
}

// Wait polls the entry's status until it is marked Worked and returns that
// reply. It keeps polling while the entry does not exist yet (ResponseStatus
// 0: the create may not be processed yet) and through failures without an
// answer. It stops with a *TimeoutError after Timeout, a *CancelledError for
// a cancelled entry, the error of a poll PeopleSoft answered with an error,
// or ctx's error.
func (c *Client) Wait(ctx context.Context, req *ibmsg.StatusRequest, o WaitOptions) (*ibmsg.StatusResponse, error) {
	interval := o.Interval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	start := c.now()
	var last *ibmsg.StatusResponse
	for {
		reply, err := c.Status(ctx, req)
		if o.Progress != nil {
			o.Progress(reply, err)
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return last, err
		case err != nil && !pollRetryable(err):
			return last, err
		case err == nil:
			last = reply
			if reply.Worked() {
				return reply, nil
			}
			if reply.Found() && reply.InstanceStatus == ibmsg.WLInstanceCancelled {
				return reply, &CancelledError{Last: reply}
			}
		}
		waited := c.now().Sub(start)
		if o.Timeout > 0 && waited >= o.Timeout {
			te := &TimeoutError{Timeout: o.Timeout, Last: last}
			if err != nil {
				te.LastErr = err
			}
			return last, te
		}
		d := interval
		if o.Timeout > 0 && waited+d > o.Timeout {
			d = o.Timeout - waited
		}
		if err := c.sleep(ctx, d); err != nil {
			return last, err
		}
	}
}
