package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// PT_WORKLIST (seed 004): CREATE_WORKLIST_ITEM (async request/reply) creates
// a worklist entry for a PeopleSoft user; GETWLINSTANCE (sync) reports its
// status. The message shapes are not public: docs/worklist.md describes the
// assumed ones. Requests are read by local element names, whatever their
// namespace, so a site's real namespaces work too.

// PathWorklist is the emulator's worklist administration endpoint.
const PathWorklist = "/psib/emulator/worklist"

// The worklist message names, namespaces, states and the NameValue pair
// are ibmsg's (the one encoder of these messages); the emulator re-exports
// the names it has always had.
const (
	WLCreateRequest  = ibmsg.WLCreateRequest
	WLCreateResponse = ibmsg.WLCreateResponse
	WLStatusRequest  = ibmsg.WLStatusRequest
	WLStatusResponse = ibmsg.WLStatusResponse
	WLMessageVersion = ibmsg.WLMessageVersion
)

// WLNamespace returns the namespace of a worklist message (ibmsg.WLNamespace).
func WLNamespace(message string) string { return ibmsg.WLNamespace(message) }

// Worklist entry states (ibmsg.WLInstanceStatus, ibmsg.WLResponseStatus).
const (
	WLInstanceNew       = ibmsg.WLInstanceNew
	WLInstanceSelected  = ibmsg.WLInstanceSelected
	WLInstanceWorked    = ibmsg.WLInstanceWorked
	WLInstanceCancelled = ibmsg.WLInstanceCancelled

	WLResponseNoEntry    = ibmsg.WLResponseNoEntry
	WLResponseCreated    = ibmsg.WLResponseCreated
	WLResponsePending    = ibmsg.WLResponsePending
	WLResponseSendFailed = ibmsg.WLResponseSendFailed
	WLResponseSent       = ibmsg.WLResponseSent
)

// NameValue is one Name/Value pair of ApplicationData or AdditionalData:
// ibmsg.WLNameValue as a type of the emulator's own (vet accepts unkeyed
// literals of local types only).
type NameValue ibmsg.WLNameValue

// pairs converts ibmsg pairs to the emulator's, nil for none.
func pairs(in []ibmsg.WLNameValue) []NameValue {
	var out []NameValue
	for _, nv := range in {
		out = append(out, NameValue(nv))
	}
	return out
}

// wlPairs converts the emulator's pairs to ibmsg's.
func wlPairs(in []NameValue) []ibmsg.WLNameValue {
	var out []ibmsg.WLNameValue
	for _, nv := range in {
		out = append(out, ibmsg.WLNameValue(nv))
	}
	return out
}

// WorklistEntry is a worklist entry created through CREATE_WORKLIST_ITEM.
type WorklistEntry struct {
	RequestMessageID    string                 `json:"request_message_id"`
	BusinessProcessName string                 `json:"business_process_name"`
	ActivityName        string                 `json:"activity_name"`
	EventName           string                 `json:"event_name"`
	WorklistName        string                 `json:"worklist_name"`
	OperatorID          string                 `json:"operator_id"`
	OriginatorID        string                 `json:"originator_id"`
	Priority            string                 `json:"priority"`
	ApplicationData     []NameValue            `json:"application_data"`
	AdditionalData      []NameValue            `json:"additional_data,omitempty"`
	InstanceID          int64                  `json:"instance_id"`
	TransactionID       int64                  `json:"transaction_id"`
	InstanceStatus      ibmsg.WLInstanceStatus `json:"instance_status"`
	ResponseStatus      ibmsg.WLResponseStatus `json:"response_status"`
	// WorkedOn is the PeopleSoft timestamp of the Worked mark, "" before.
	WorkedOn string `json:"worked_on,omitempty"`
	// Created is when the request was received (PeopleSoft timestamp).
	Created string `json:"created"`
	// From is the requesting node; IBTransactionID the IB transaction id
	// of the acknowledged request.
	From            string `json:"from"`
	IBTransactionID string `json:"ib_transaction_id"`
}

func (e *WorklistEntry) clone() WorklistEntry {
	c := *e
	c.ApplicationData = append([]NameValue(nil), e.ApplicationData...)
	c.AdditionalData = append([]NameValue(nil), e.AdditionalData...)
	return c
}

// worklistStore holds the entries, keyed by RequestMessageID.
type worklistStore struct {
	mu           sync.Mutex
	entries      []*WorklistEntry
	byRequestID  map[string]*WorklistEntry
	lastInstance int64
	lastTxn      int64
}

func newWorklistStore() *worklistStore {
	return &worklistStore{byRequestID: map[string]*WorklistEntry{}}
}

// errDuplicateRequest reports a RequestMessageID that already created an
// entry.
type errDuplicateRequest struct{ instance int64 }

func (e errDuplicateRequest) Error() string { return "duplicate RequestMessageID" }

// create stores e with the next InstanceID and TransactionID, unless its
// RequestMessageID was used before.
func (ws *worklistStore) create(e *WorklistEntry) (WorklistEntry, error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if old, ok := ws.byRequestID[e.RequestMessageID]; ok {
		return WorklistEntry{}, errDuplicateRequest{old.InstanceID}
	}
	ws.lastInstance++
	ws.lastTxn++
	e.InstanceID, e.TransactionID = ws.lastInstance, ws.lastTxn
	e.InstanceStatus, e.ResponseStatus = WLInstanceNew, WLResponseCreated
	ws.entries = append(ws.entries, e)
	ws.byRequestID[e.RequestMessageID] = e
	return e.clone(), nil
}

func (ws *worklistStore) get(requestID string) (WorklistEntry, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	e, ok := ws.byRequestID[requestID]
	if !ok {
		return WorklistEntry{}, false
	}
	return e.clone(), true
}

func (ws *worklistStore) list() []WorklistEntry {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := make([]WorklistEntry, len(ws.entries))
	for i, e := range ws.entries {
		out[i] = e.clone()
	}
	return out
}

var errAlreadyWorked = errors.New("already marked Worked")

// markWorked marks an entry Worked at workedOn with the given response
// status; additional, when not nil, replaces its AdditionalData.
func (ws *worklistStore) markWorked(requestID, workedOn string, response ibmsg.WLResponseStatus, additional []NameValue) (WorklistEntry, bool, error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	e, ok := ws.byRequestID[requestID]
	if !ok {
		return WorklistEntry{}, false, nil
	}
	if e.InstanceStatus == WLInstanceWorked {
		return e.clone(), true, errAlreadyWorked
	}
	e.InstanceStatus, e.ResponseStatus, e.WorkedOn = WLInstanceWorked, response, workedOn
	if additional != nil {
		e.AdditionalData = additional
	}
	return e.clone(), true, nil
}

// Worklist returns the worklist entries created so far, oldest first.
func (s *Server) Worklist() []WorklistEntry { return s.wl.list() }

// statusWorklist is a PT_WORKLIST error: StatusCode 20 without a catalog
// number (PeopleSoft's numbers for these are not public).
func statusWorklist(msg string, params ...string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", DefaultMsg: msg, Parameters: params}
}

// worklistParseStatus is the answer to a request ibmsg could not read:
// the XML parser error 159/5 for malformed XML, "expects a ... document"
// for another root, the reason for a bad field.
func worklistParseStatus(op string, payload []byte, root string, err error) *ibmsg.Status {
	if cerr := ibmsg.CheckXML(payload); cerr != nil {
		st := ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", cerr.Error()}}
		return &st
	}
	var re *ibmsg.WLRootError
	if errors.As(err, &re) {
		got := "nothing"
		if re.Got != "" {
			got = "<" + re.Got + ">"
		}
		st := statusWorklist(fmt.Sprintf("%s expects a %s document (message %s), got %s.", op, root, messageOfRoot(root), got), root)
		return &st
	}
	st := statusWorklist(fmt.Sprintf("%s cannot read the %s document: %s.", op, root, strings.TrimPrefix(err.Error(), "ibmsg: ")), root)
	return &st
}

func messageOfRoot(root string) string {
	switch root {
	case ibmsg.WLCreateRequestRoot:
		return WLCreateRequest
	case ibmsg.WLCreateResponseRoot:
		return WLCreateResponse
	case ibmsg.WLStatusRequestRoot:
		return WLStatusRequest
	case ibmsg.WLStatusResponseRoot:
		return WLStatusResponse
	}
	return root
}

// worklistHandler builds the handler of a PT_WORKLIST operation.
func (s *Server) worklistHandler(op *Operation) (handlerFunc, error) {
	switch op.Handler {
	case "worklist-create":
		return s.worklistCreate, nil
	case "worklist-status":
		return s.worklistStatus, nil
	}
	return nil, fmt.Errorf("operation %s: unknown worklist handler %q", op.Name, op.Handler)
}

// worklistCreate is CREATE_WORKLIST_ITEM's handler: it validates the
// request and creates the entry before the acknowledgement, so that a bad
// request is answered with an error at once (assumed: PeopleSoft may
// instead acknowledge and send the error later).
func (s *Server) worklistCreate(_ context.Context, c *Call) (*Result, error) {
	req, err := ibmsg.ParseCreateRequest(c.Payload, "")
	if err != nil {
		return &Result{Status: worklistParseStatus(c.Operation, c.Payload, ibmsg.WLCreateRequestRoot, err)}, nil
	}
	var invalid *ibmsg.WLValidationError
	if errors.As(req.Validate(), &invalid) {
		if len(invalid.Missing) > 0 {
			return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: required field(s) missing: %s (ApplicationData needs at least one Name/Value pair).",
				strings.Join(invalid.Missing, ", ")), invalid.Missing...)), nil
		}
		p := invalid.Invalid[0].Value
		return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: Priority %q is not valid (blank, 1 high, 2 medium, 3 low).", p), p)), nil
	}
	if !s.cfg.userExists(req.OperatorID) {
		return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: OperatorID %s is not a user profile on this system.", req.OperatorID), req.OperatorID)), nil
	}
	if c.TransactionID == "" {
		// The IB transaction id tracks the entry when RequestMessageID is
		// omitted (seed 004); process keeps it for the acknowledgement.
		c.TransactionID = s.newID()
	}
	e := &WorklistEntry{
		RequestMessageID: req.RequestMessageID, BusinessProcessName: req.BusinessProcessName,
		ActivityName: req.ActivityName, EventName: req.EventName, WorklistName: req.WorklistName,
		OperatorID: req.OperatorID, OriginatorID: req.OriginatorID, Priority: req.Priority,
		ApplicationData: pairs(req.NamedApplicationData()), AdditionalData: pairs(req.AdditionalData),
		Created: ibmsg.FormatTimestamp(c.Received), From: c.From, IBTransactionID: c.TransactionID,
	}
	if e.RequestMessageID == "" {
		e.RequestMessageID = c.TransactionID
	}
	if e.OriginatorID == "" {
		// "the system ID that processed the PeopleCode": the user the
		// request runs as.
		e.OriginatorID = c.User
	}
	entry, err := s.wl.create(e)
	var dup errDuplicateRequest
	if errors.As(err, &dup) {
		return failure(statusWorklist(fmt.Sprintf("A worklist entry (InstanceID %d) was already created for RequestMessageID %s: a request must be sent only once.",
			dup.instance, e.RequestMessageID), e.RequestMessageID, strconv.FormatInt(dup.instance, 10))), nil
	}
	if err != nil {
		return nil, err
	}
	// An async operation answers with the acknowledgement; the reply
	// message goes out when the entry is marked Worked. A sync
	// configuration answers with the reply as it stands.
	return &Result{Body: entry.createResponse().Marshal()}, nil
}

// worklistStatus is GETWLINSTANCE's handler.
func (s *Server) worklistStatus(_ context.Context, c *Call) (*Result, error) {
	req, err := ibmsg.ParseStatusRequest(c.Payload, "")
	if err != nil {
		return &Result{Status: worklistParseStatus(c.Operation, c.Payload, ibmsg.WLStatusRequestRoot, err)}, nil
	}
	var invalid *ibmsg.WLValidationError
	if errors.As(req.Validate(), &invalid) {
		return failure(statusWorklist(fmt.Sprintf("The worklist entry status cannot be requested: required field(s) missing: %s.", strings.Join(invalid.Missing, ", ")), invalid.Missing...)), nil
	}
	e, ok := s.wl.get(req.RequestMessageID)
	if ok && (e.BusinessProcessName != req.BusinessProcessName || e.ActivityName != req.ActivityName ||
		e.EventName != req.EventName || e.WorklistName != req.WorklistName ||
		(req.InstanceID != 0 && req.InstanceID != e.InstanceID) ||
		(req.TransactionID != 0 && req.TransactionID != e.TransactionID)) {
		ok = false
	}
	reply := ibmsg.StatusResponse{WLKeys: req.WLKeys,
		// Not an error: "0 – No such entry created" (seed 004).
		ResponseStatus: WLResponseNoEntry}
	if ok {
		// WorkedOn is not in seed 004's table for this message; the entry
		// has one only once worked (assumed).
		reply.InstanceID, reply.TransactionID, reply.InstanceStatus = e.InstanceID, e.TransactionID, e.InstanceStatus
		reply.ResponseStatus, reply.WorkedOn, reply.AdditionalData = e.ResponseStatus, e.WorkedOn, wlPairs(e.AdditionalData)
	}
	return &Result{Body: reply.Marshal()}, nil
}

// createResponse is the entry's CreateWorklistEntryResponse
// (PT_WL_CREATE_RESPONSE).
func (e *WorklistEntry) createResponse() *ibmsg.CreateResponse {
	return &ibmsg.CreateResponse{WLKeys: ibmsg.WLKeys{RequestMessageID: e.RequestMessageID, BusinessProcessName: e.BusinessProcessName,
		ActivityName: e.ActivityName, EventName: e.EventName, WorklistName: e.WorklistName},
		InstanceID: e.InstanceID, TransactionID: e.TransactionID, OperatorID: e.OperatorID,
		InstanceStatus: e.InstanceStatus, WorkedOn: e.WorkedOn, AdditionalData: wlPairs(e.AdditionalData)}
}

// worklistAdmin serves /psib/emulator/worklist:
//
//	GET  /psib/emulator/worklist                 the entries as JSON
//	GET  /psib/emulator/worklist/{id}            one entry
//	GET  /psib/emulator/worklist/{id}/response   its CreateWorklistEntryResponse (once worked)
//	POST /psib/emulator/worklist/{id}/worked     mark it Worked (?response=sent|failed|pending;
//	                                             optional JSON body {"additional_data":[{"name":..,"value":..}]})
//
// {id} is the RequestMessageID, path-escaped.
func (s *Server) worklistAdmin(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), PathWorklist)
	if rest != "" && rest[0] != '/' {
		jsonError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
		return
	}
	var segs []string
	for _, p := range strings.Split(strings.Trim(rest, "/"), "/") {
		if p == "" {
			continue
		}
		u, err := url.PathUnescape(p)
		if err != nil {
			jsonError(w, http.StatusBadRequest, "bad path segment "+p)
			return
		}
		segs = append(segs, u)
	}
	method := func(want string) bool {
		if r.Method != want {
			w.Header().Set("Allow", want)
			jsonError(w, http.StatusMethodNotAllowed, want+" only")
			return false
		}
		return true
	}
	switch {
	case len(segs) == 0:
		if method(http.MethodGet) {
			writeJSON(w, http.StatusOK, struct {
				Entries []WorklistEntry `json:"entries"`
			}{s.wl.list()})
		}
	case len(segs) == 1:
		if !method(http.MethodGet) {
			return
		}
		e, ok := s.wl.get(segs[0])
		if !ok {
			jsonError(w, http.StatusNotFound, "no worklist entry with RequestMessageID "+segs[0])
			return
		}
		writeJSON(w, http.StatusOK, e)
	case len(segs) == 2 && segs[1] == "worked":
		if method(http.MethodPost) {
			s.markWorked(w, r, segs[0])
		}
	case len(segs) == 2 && segs[1] == "response":
		if !method(http.MethodGet) {
			return
		}
		e, ok := s.wl.get(segs[0])
		switch {
		case !ok:
			jsonError(w, http.StatusNotFound, "no worklist entry with RequestMessageID "+segs[0])
		case e.InstanceStatus != WLInstanceWorked:
			jsonError(w, http.StatusConflict, "worklist entry "+segs[0]+" is not marked Worked: no response was sent yet")
		default:
			w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
			_, _ = w.Write(e.createResponse().Marshal())
		}
	default:
		jsonError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	}
}

func (s *Server) markWorked(w http.ResponseWriter, r *http.Request, id string) {
	response := WLResponseSent
	switch v := r.URL.Query().Get("response"); v {
	case "", "sent":
	case "failed":
		response = WLResponseSendFailed
	case "pending":
		response = WLResponsePending
	default:
		jsonError(w, http.StatusBadRequest, fmt.Sprintf("response=%q: use sent, failed or pending", v))
		return
	}
	var body struct {
		AdditionalData []NameValue `json:"additional_data"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &body); err != nil {
			jsonError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
	}
	e, ok, err := s.wl.markWorked(id, ibmsg.FormatTimestamp(s.clock()), response, body.AdditionalData)
	switch {
	case !ok:
		jsonError(w, http.StatusNotFound, "no worklist entry with RequestMessageID "+id)
	case err != nil:
		jsonError(w, http.StatusConflict, "worklist entry "+id+" is "+err.Error())
	default:
		if s.log.Enabled(LogStandard) {
			_ = s.log.Message(LogStandard, "PT_WORKLIST: CREATE_WORKLIST_ITEM response to "+e.From+" (RequestMessageID "+e.RequestMessageID+")", e.createResponse().Marshal())
		}
		writeJSON(w, http.StatusOK, e)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}
