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

	"github.com/antchfx/xmlquery"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// PT_WORKLIST (seed 004): CREATE_WORKLIST_ITEM (async request/reply) creates
// a worklist entry for a PeopleSoft user; GETWLINSTANCE (sync) reports its
// status. The message shapes are not public: docs/worklist.md describes the
// assumed ones. Requests are read by local element names, whatever their
// namespace, so a site's real namespaces work too.

// PathWorklist is the emulator's worklist administration endpoint.
const PathWorklist = "/psib/emulator/worklist"

// Worklist message names (seed 004) and their namespaces (assumed, from
// PeopleSoft's schema convention .../schemas/<MESSAGE>.<VERSION>).
const (
	WLCreateRequest   = "PT_WL_CREATE_REQUEST"
	WLCreateResponse  = "PT_WL_CREATE_RESPONSE"
	WLStatusRequest   = "PT_WL_GET_INSTANCE_REQ"
	WLStatusResponse  = "PT_WL_GET_INSTANCE_RESP"
	WLMessageVersion  = "VERSION_1"
	wlSchemaNamespace = "http://xmlns.oracle.com/Enterprise/Tools/schemas/"
)

// WLNamespace returns the namespace of a worklist message, e.g.
// http://xmlns.oracle.com/Enterprise/Tools/schemas/PT_WL_CREATE_REQUEST.VERSION_1.
func WLNamespace(message string) string { return wlSchemaNamespace + message + "." + WLMessageVersion }

// Worklist entry states: WorklistEntry InstStatus (PeopleCode reference)
// and PT_WL_GET_INSTANCE_RESP ResponseStatus (seed 004).
const (
	WLInstanceNew       = 0
	WLInstanceSelected  = 1
	WLInstanceWorked    = 2
	WLInstanceCancelled = 3

	WLResponseNoEntry    = 0 // no such entry created (yet)
	WLResponseCreated    = 1 // created, not marked Worked
	WLResponsePending    = 2 // worked, response handed to IB for sending
	WLResponseSendFailed = 3 // worked, the response could not be sent
	WLResponseSent       = 4 // worked, the response was sent
)

// NameValue is one Name/Value pair of ApplicationData or AdditionalData.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// WorklistEntry is a worklist entry created through CREATE_WORKLIST_ITEM.
type WorklistEntry struct {
	RequestMessageID    string      `json:"request_message_id"`
	BusinessProcessName string      `json:"business_process_name"`
	ActivityName        string      `json:"activity_name"`
	EventName           string      `json:"event_name"`
	WorklistName        string      `json:"worklist_name"`
	OperatorID          string      `json:"operator_id"`
	OriginatorID        string      `json:"originator_id"`
	Priority            string      `json:"priority"`
	ApplicationData     []NameValue `json:"application_data"`
	AdditionalData      []NameValue `json:"additional_data,omitempty"`
	InstanceID          int64       `json:"instance_id"`
	TransactionID       int64       `json:"transaction_id"`
	InstanceStatus      int         `json:"instance_status"`
	ResponseStatus      int         `json:"response_status"`
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
func (ws *worklistStore) markWorked(requestID, workedOn string, response int, additional []NameValue) (WorklistEntry, bool, error) {
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

// worklistRequest is a CreateWorklistEntryData or GetWorklistEntryStatusData.
type worklistRequest struct {
	fields          map[string]string
	ApplicationData []NameValue
	AdditionalData  []NameValue
}

func (r *worklistRequest) get(name string) string { return r.fields[name] }

// isWorklistScalar reports whether name is a single-valued request field.
func isWorklistScalar(name string) bool {
	switch name {
	case "RequestMessageID", "BusinessProcessName", "ActivityName", "EventName", "WorklistName",
		"OperatorID", "OriginatorID", "Priority", "InstanceID", "TransactionID":
		return true
	}
	return false
}

// statusWorklist is a PT_WORKLIST error: StatusCode 20 without a catalog
// number (PeopleSoft's numbers for these are not public).
func statusWorklist(msg string, params ...string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", DefaultMsg: msg, Parameters: params}
}

// parseWorklistRequest reads a request whose root element is root. Fields
// are found by local name anywhere below the root (first occurrence), so a
// site's namespaces or an extra record level do not matter; each
// ApplicationData/AdditionalData element contributes its Name/Value pairs
// in document order.
func parseWorklistRequest(op string, payload []byte, root string) (*worklistRequest, *ibmsg.Status) {
	if err := ibmsg.CheckXML(payload); err != nil {
		st := ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}
		return nil, &st
	}
	doc, err := xmlquery.Parse(bytes.NewReader(payload))
	if err != nil {
		st := ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}
		return nil, &st
	}
	top := firstElement(doc)
	if top == nil || top.Data != root {
		got := "nothing"
		if top != nil {
			got = "<" + top.Data + ">"
		}
		st := statusWorklist(fmt.Sprintf("%s expects a %s document (message %s), got %s.", op, root, messageOfRoot(root), got), root)
		return nil, &st
	}
	req := &worklistRequest{fields: map[string]string{}}
	var walk func(n *xmlquery.Node)
	walk = func(n *xmlquery.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != xmlquery.ElementNode {
				continue
			}
			switch {
			case c.Data == "ApplicationData":
				req.ApplicationData = append(req.ApplicationData, nameValues(c)...)
			case c.Data == "AdditionalData":
				req.AdditionalData = append(req.AdditionalData, nameValues(c)...)
			case isWorklistScalar(c.Data) && !hasElementChild(c):
				if _, seen := req.fields[c.Data]; !seen {
					req.fields[c.Data] = strings.TrimSpace(c.InnerText())
				}
			default:
				walk(c)
			}
		}
	}
	walk(top)
	return req, nil
}

func firstElement(doc *xmlquery.Node) *xmlquery.Node {
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			return c
		}
	}
	return nil
}

func hasElementChild(n *xmlquery.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			return true
		}
	}
	return false
}

// nameValues pairs the Name and Value elements below n in document order:
// each Value belongs to the Name before it.
func nameValues(n *xmlquery.Node) []NameValue {
	var out []NameValue
	var walk func(n *xmlquery.Node)
	walk = func(n *xmlquery.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != xmlquery.ElementNode {
				continue
			}
			switch c.Data {
			case "Name":
				out = append(out, NameValue{Name: strings.TrimSpace(c.InnerText())})
			case "Value":
				if len(out) == 0 || out[len(out)-1].Value != "" {
					out = append(out, NameValue{})
				}
				out[len(out)-1].Value = strings.TrimSpace(c.InnerText())
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return out
}

func messageOfRoot(root string) string {
	switch root {
	case "CreateWorklistEntryData":
		return WLCreateRequest
	case "CreateWorklistEntryResponse":
		return WLCreateResponse
	case "GetWorklistEntryStatusData":
		return WLStatusRequest
	case "WorklistEntryStatusData":
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
	req, st := parseWorklistRequest(c.Operation, c.Payload, "CreateWorklistEntryData")
	if st != nil {
		return &Result{Status: st}, nil
	}
	var missing []string
	for _, f := range []string{"BusinessProcessName", "ActivityName", "EventName", "WorklistName", "OperatorID"} {
		if req.get(f) == "" {
			missing = append(missing, f)
		}
	}
	var app []NameValue
	for _, nv := range req.ApplicationData {
		if nv.Name != "" {
			app = append(app, nv)
		}
	}
	if len(app) == 0 {
		missing = append(missing, "ApplicationData")
	}
	if len(missing) > 0 {
		return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: required field(s) missing: %s (ApplicationData needs at least one Name/Value pair).",
			strings.Join(missing, ", ")), missing...)), nil
	}
	switch p := req.get("Priority"); p {
	case "", "1", "2", "3":
	default:
		return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: Priority %q is not valid (blank, 1 high, 2 medium, 3 low).", p), p)), nil
	}
	oprid := req.get("OperatorID")
	if !s.cfg.userExists(oprid) {
		return failure(statusWorklist(fmt.Sprintf("The worklist entry could not be created: OperatorID %s is not a user profile on this system.", oprid), oprid)), nil
	}
	if c.TransactionID == "" {
		// The IB transaction id tracks the entry when RequestMessageID is
		// omitted (seed 004); process keeps it for the acknowledgement.
		c.TransactionID = s.newID()
	}
	e := &WorklistEntry{
		RequestMessageID: req.get("RequestMessageID"), BusinessProcessName: req.get("BusinessProcessName"),
		ActivityName: req.get("ActivityName"), EventName: req.get("EventName"), WorklistName: req.get("WorklistName"),
		OperatorID: oprid, OriginatorID: req.get("OriginatorID"), Priority: req.get("Priority"),
		ApplicationData: app, AdditionalData: req.AdditionalData,
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
	return &Result{Body: createResponseXML(entry)}, nil
}

// worklistStatus is GETWLINSTANCE's handler.
func (s *Server) worklistStatus(_ context.Context, c *Call) (*Result, error) {
	req, st := parseWorklistRequest(c.Operation, c.Payload, "GetWorklistEntryStatusData")
	if st != nil {
		return &Result{Status: st}, nil
	}
	var missing []string
	for _, f := range []string{"RequestMessageID", "BusinessProcessName", "ActivityName", "EventName", "WorklistName"} {
		if req.get(f) == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return failure(statusWorklist(fmt.Sprintf("The worklist entry status cannot be requested: required field(s) missing: %s.", strings.Join(missing, ", ")), missing...)), nil
	}
	e, ok := s.wl.get(req.get("RequestMessageID"))
	if ok && (e.BusinessProcessName != req.get("BusinessProcessName") || e.ActivityName != req.get("ActivityName") ||
		e.EventName != req.get("EventName") || e.WorklistName != req.get("WorklistName") ||
		(req.get("InstanceID") != "" && req.get("InstanceID") != strconv.FormatInt(e.InstanceID, 10)) ||
		(req.get("TransactionID") != "" && req.get("TransactionID") != strconv.FormatInt(e.TransactionID, 10))) {
		ok = false
	}
	if !ok {
		// Not an error: "0 – No such entry created" (seed 004).
		e = WorklistEntry{RequestMessageID: req.get("RequestMessageID"), BusinessProcessName: req.get("BusinessProcessName"),
			ActivityName: req.get("ActivityName"), EventName: req.get("EventName"), WorklistName: req.get("WorklistName"),
			ResponseStatus: WLResponseNoEntry}
	}
	return &Result{Body: statusResponseXML(e, ok)}, nil
}

// xmlWriter writes the worklist documents: two-space indentation, text
// escaped.
type xmlWriter struct{ b strings.Builder }

func (w *xmlWriter) elem(indent, name, value string) {
	fmt.Fprintf(&w.b, "%s<%s>%s</%s>\n", indent, name, escape(value), name)
}

func (w *xmlWriter) pairs(indent, name string, nvs []NameValue) {
	for _, nv := range nvs {
		fmt.Fprintf(&w.b, "%s<%s>\n", indent, name)
		w.elem(indent+"  ", "Name", nv.Name)
		w.elem(indent+"  ", "Value", nv.Value)
		fmt.Fprintf(&w.b, "%s</%s>\n", indent, name)
	}
}

// createResponseXML is the CreateWorklistEntryResponse (PT_WL_CREATE_RESPONSE)
// of an entry, fields in seed 004's order (assumed shape).
func createResponseXML(e WorklistEntry) []byte {
	var w xmlWriter
	w.b.WriteString("<?xml version=\"1.0\"?>\n")
	fmt.Fprintf(&w.b, "<CreateWorklistEntryResponse xmlns=\"%s\">\n", WLNamespace(WLCreateResponse))
	w.elem("  ", "RequestMessageID", e.RequestMessageID)
	w.elem("  ", "BusinessProcessName", e.BusinessProcessName)
	w.elem("  ", "ActivityName", e.ActivityName)
	w.elem("  ", "EventName", e.EventName)
	w.elem("  ", "WorklistName", e.WorklistName)
	w.elem("  ", "InstanceID", strconv.FormatInt(e.InstanceID, 10))
	w.elem("  ", "TransactionID", strconv.FormatInt(e.TransactionID, 10))
	w.elem("  ", "OperatorID", e.OperatorID)
	w.elem("  ", "InstanceStatus", strconv.Itoa(e.InstanceStatus))
	if e.WorkedOn != "" {
		w.elem("  ", "WorkedOn", e.WorkedOn)
	}
	w.elem("  ", "ErrorCode", "0")
	w.b.WriteString("  <ErrorDescription/>\n")
	w.pairs("  ", "AdditionalData", e.AdditionalData)
	w.b.WriteString("</CreateWorklistEntryResponse>\n")
	return []byte(w.b.String())
}

// statusResponseXML is the WorklistEntryStatusData (PT_WL_GET_INSTANCE_RESP)
// of an entry; known is false for "no such entry" (ResponseStatus 0, only
// the request's keys). WorkedOn is not in seed 004's table for this message
// and is written only once the entry is worked (assumed).
func statusResponseXML(e WorklistEntry, known bool) []byte {
	var w xmlWriter
	w.b.WriteString("<?xml version=\"1.0\"?>\n")
	fmt.Fprintf(&w.b, "<WorklistEntryStatusData xmlns=\"%s\">\n", WLNamespace(WLStatusResponse))
	w.elem("  ", "RequestMessageID", e.RequestMessageID)
	w.elem("  ", "BusinessProcessName", e.BusinessProcessName)
	w.elem("  ", "ActivityName", e.ActivityName)
	w.elem("  ", "EventName", e.EventName)
	w.elem("  ", "WorklistName", e.WorklistName)
	if known {
		w.elem("  ", "InstanceID", strconv.FormatInt(e.InstanceID, 10))
		w.elem("  ", "TransactionID", strconv.FormatInt(e.TransactionID, 10))
		w.elem("  ", "InstanceStatus", strconv.Itoa(e.InstanceStatus))
	}
	w.elem("  ", "ResponseStatus", strconv.Itoa(e.ResponseStatus))
	if known && e.WorkedOn != "" {
		w.elem("  ", "WorkedOn", e.WorkedOn)
	}
	if known {
		w.pairs("  ", "AdditionalData", e.AdditionalData)
	}
	w.b.WriteString("</WorklistEntryStatusData>\n")
	return []byte(w.b.String())
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
			_, _ = w.Write(createResponseXML(e))
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
			_ = s.log.Message(LogStandard, "PT_WORKLIST: CREATE_WORKLIST_ITEM response to "+e.From+" (RequestMessageID "+e.RequestMessageID+")", createResponseXML(e))
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
