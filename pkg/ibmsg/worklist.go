package ibmsg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// PT_WORKLIST (seed 004): CREATE_WORKLIST_ITEM creates a worklist entry for
// a PeopleSoft user on behalf of an external system (async request/reply);
// GETWLINSTANCE reports its status (sync). Oracle documents the fields, not
// the XML: the shapes written here are psib's assumption, described in
// docs/worklist.md (root element = message alias, fields as its direct
// children in seed 004's order, each Name/Value pair a repeated section
// element, namespaces after PeopleSoft's schema convention). The parsers
// read by local element name and ignore namespaces, so that a site's real
// namespaces still parse.

// Worklist service operations (seed 004) and the version of their external
// aliases (assumed: PeopleSoft's default alias is <OPERATION>.<version>).
const (
	WLCreateOperation = "CREATE_WORKLIST_ITEM"
	WLStatusOperation = "GETWLINSTANCE"
	WLAliasVersion    = "v1"
)

// Worklist message names (seed 004) and their version (assumed).
const (
	WLCreateRequest  = "PT_WL_CREATE_REQUEST"
	WLCreateResponse = "PT_WL_CREATE_RESPONSE"
	WLStatusRequest  = "PT_WL_GET_INSTANCE_REQ"
	WLStatusResponse = "PT_WL_GET_INSTANCE_RESP"
	WLMessageVersion = "VERSION_1"
)

// Root elements of the worklist messages: the message aliases (seed 004).
const (
	WLCreateRequestRoot  = "CreateWorklistEntryData"
	WLCreateResponseRoot = "CreateWorklistEntryResponse"
	WLStatusRequestRoot  = "GetWorklistEntryStatusData"
	WLStatusResponseRoot = "WorklistEntryStatusData"
)

// WLSchemaNamespaceBase starts PeopleSoft's message namespaces:
// <base><MESSAGE>.<VERSION>.
const WLSchemaNamespaceBase = "http://xmlns.oracle.com/Enterprise/Tools/schemas/"

// WLNamespace returns the namespace of a worklist message at
// WLMessageVersion, e.g.
// http://xmlns.oracle.com/Enterprise/Tools/schemas/PT_WL_CREATE_REQUEST.VERSION_1
// (assumed, after PeopleSoft's schema convention).
func WLNamespace(message string) string { return WLNamespaceVersion(message, WLMessageVersion) }

// WLNamespaceVersion returns the namespace of a worklist message at a
// message version (VERSION_1, VERSION_2, ...).
func WLNamespaceVersion(message, version string) string {
	return WLSchemaNamespaceBase + message + "." + version
}

// WLDefaultName returns the default root element of a worklist message
// (PT_WL_CREATE_REQUEST, ...): its alias in its namespace. ok is false for
// another message name.
func WLDefaultName(message string) (name xml.Name, ok bool) {
	root := map[string]string{
		WLCreateRequest: WLCreateRequestRoot, WLCreateResponse: WLCreateResponseRoot,
		WLStatusRequest: WLStatusRequestRoot, WLStatusResponse: WLStatusResponseRoot,
	}[message]
	if root == "" {
		return xml.Name{}, false
	}
	return xml.Name{Space: WLNamespace(message), Local: root}, true
}

// WLInstanceStatus is a worklist entry's InstanceStatus (PeopleCode
// WorklistEntry InstStatus; seed 004: "available, selected, worked,
// canceled").
type WLInstanceStatus int

// Instance statuses.
const (
	WLInstanceNew       WLInstanceStatus = 0 // new: available to its user
	WLInstanceSelected  WLInstanceStatus = 1 // selected by its user
	WLInstanceWorked    WLInstanceStatus = 2 // marked Worked
	WLInstanceCancelled WLInstanceStatus = 3 // cancelled
)

// String returns the status's meaning, e.g. "worked".
func (s WLInstanceStatus) String() string {
	switch s {
	case WLInstanceNew:
		return "new (available)"
	case WLInstanceSelected:
		return "selected"
	case WLInstanceWorked:
		return "worked"
	case WLInstanceCancelled:
		return "cancelled"
	}
	return "unknown instance status " + strconv.Itoa(int(s))
}

// ParseWLInstanceStatus reads an InstanceStatus: a number (0 to 3), or the
// word PeopleSoft may write for it (available or new, selected, worked,
// cancelled or canceled; any case). Seed 004 types the field as a number in
// the create reply and as a string in the status reply.
func ParseWLInstanceStatus(s string) (WLInstanceStatus, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 3 {
		return WLInstanceStatus(n), nil
	}
	switch strings.ToLower(s) {
	case "available", "new":
		return WLInstanceNew, nil
	case "selected":
		return WLInstanceSelected, nil
	case "worked":
		return WLInstanceWorked, nil
	case "cancelled", "canceled":
		return WLInstanceCancelled, nil
	}
	return 0, fmt.Errorf("InstanceStatus %q: want 0 new, 1 selected, 2 worked or 3 cancelled", s)
}

// WLResponseStatus is GETWLINSTANCE's ResponseStatus (PT_WS_RESP_SENT;
// seed 004).
type WLResponseStatus int

// Response statuses (seed 004).
const (
	WLResponseNoEntry    WLResponseStatus = 0 // no such entry created (yet)
	WLResponseCreated    WLResponseStatus = 1 // created, not marked Worked
	WLResponsePending    WLResponseStatus = 2 // worked, the response handed to IB for sending
	WLResponseSendFailed WLResponseStatus = 3 // worked, the response could not be sent
	WLResponseSent       WLResponseStatus = 4 // worked, the response was sent
)

// String returns the status's meaning as seed 004 gives it.
func (s WLResponseStatus) String() string {
	switch s {
	case WLResponseNoEntry:
		return "no such entry created (the create request may not be processed yet)"
	case WLResponseCreated:
		return "created, not marked Worked"
	case WLResponsePending:
		return "marked Worked; the response is with Integration Broker, to be sent to the requesting system"
	case WLResponseSendFailed:
		return "marked Worked, but the response could not be sent to the requesting system"
	case WLResponseSent:
		return "marked Worked; the response was sent to the requesting system"
	}
	return "unknown response status " + strconv.Itoa(int(s))
}

// Worked reports whether the status says the entry was marked Worked (2,
// 3 or 4).
func (s WLResponseStatus) Worked() bool { return s >= WLResponsePending && s <= WLResponseSent }

// NormalizeWLPriority returns a Priority as PeopleSoft takes it: "" (no
// priority), "1" (high), "2" (medium) or "3" (low). It also accepts high,
// medium and low in any case, and surrounding spaces.
func NormalizeWLPriority(p string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "":
		return "", nil
	case "1", "high":
		return "1", nil
	case "2", "medium":
		return "2", nil
	case "3", "low":
		return "3", nil
	}
	return p, fmt.Errorf("Priority %q is not valid: use blank, 1 (high), 2 (medium) or 3 (low)", p)
}

// WLPriorityText describes a Priority value: "1 (high)", "" as "blank (no
// priority)".
func WLPriorityText(p string) string {
	switch p {
	case "":
		return "blank (no priority)"
	case "1":
		return "1 (high)"
	case "2":
		return "2 (medium)"
	case "3":
		return "3 (low)"
	}
	return p
}

// WLNameValue is one Name/Value pair of ApplicationData or AdditionalData
// ("SubRecord with two fields, Name and Value"). Names are case-sensitive:
// they are the application worklist record's field names.
type WLNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// WLKeys are the fields that name a worklist entry, shared by the four
// worklist messages, which write them first and in this order (seed 004).
// GETWLINSTANCE requires all five; CREATE_WORKLIST_ITEM requires all but
// RequestMessageID (without it, the IB transaction id tracks the entry).
type WLKeys struct {
	RequestMessageID    string
	BusinessProcessName string
	ActivityName        string
	EventName           string
	WorklistName        string
}

// missing lists the keys that are blank, in seed 004's order;
// RequestMessageID only when requireID is set.
func (k *WLKeys) missing(requireID bool) []string {
	var out []string
	for _, f := range []struct{ name, v string }{
		{"RequestMessageID", k.RequestMessageID}, {"BusinessProcessName", k.BusinessProcessName},
		{"ActivityName", k.ActivityName}, {"EventName", k.EventName}, {"WorklistName", k.WorklistName},
	} {
		if (requireID || f.name != "RequestMessageID") && strings.TrimSpace(f.v) == "" {
			out = append(out, f.name)
		}
	}
	return out
}

// CreateRequest is PT_WL_CREATE_REQUEST (alias CreateWorklistEntryData),
// the CREATE_WORKLIST_ITEM request.
type CreateRequest struct {
	// XMLName is the root element. Marshal writes WLCreateRequestRoot in
	// WLNamespace(WLCreateRequest) when it is zero; ParseCreateRequest sets
	// the name it read.
	XMLName xml.Name `json:"-"`

	// WLKeys: RequestMessageID optional, the other four required.
	WLKeys
	OperatorID   string // required: the user who gets the entry
	OriginatorID string // optional
	Priority     string // "", 1, 2 or 3
	// ApplicationData is required: at least one pair with a name.
	ApplicationData []WLNameValue
	AdditionalData  []WLNameValue
}

// CreateResponse is PT_WL_CREATE_RESPONSE (alias
// CreateWorklistEntryResponse), the reply PeopleSoft sends when the entry is
// marked Worked.
type CreateResponse struct {
	// XMLName is the root element (see CreateRequest.XMLName).
	XMLName xml.Name `json:"-"`

	WLKeys
	InstanceID     int64
	TransactionID  int64
	OperatorID     string
	InstanceStatus WLInstanceStatus
	// WorkedOn is a PeopleSoft timestamp, "" when not worked.
	WorkedOn         string
	ErrorCode        int // 0 on success (assumed)
	ErrorDescription string
	AdditionalData   []WLNameValue
}

// StatusRequest is PT_WL_GET_INSTANCE_REQ (alias
// GetWorklistEntryStatusData), the GETWLINSTANCE request.
type StatusRequest struct {
	// XMLName is the root element (see CreateRequest.XMLName).
	XMLName xml.Name `json:"-"`

	WLKeys // all five required
	// InstanceID and TransactionID narrow the match; 0 means not sent
	// (seed 004 lists them as inputs; optional is assumed).
	InstanceID    int64
	TransactionID int64
}

// StatusResponse is PT_WL_GET_INSTANCE_RESP (alias
// WorklistEntryStatusData), the GETWLINSTANCE reply. When no entry matches,
// ResponseStatus is WLResponseNoEntry and only the keys are set.
type StatusResponse struct {
	// XMLName is the root element (see CreateRequest.XMLName).
	XMLName xml.Name `json:"-"`

	WLKeys
	InstanceID     int64
	TransactionID  int64
	InstanceStatus WLInstanceStatus
	ResponseStatus WLResponseStatus
	// WorkedOn is a PeopleSoft timestamp, "" when absent (seed 004's table
	// does not list it; psib's emulator sends it once the entry is worked).
	WorkedOn       string
	AdditionalData []WLNameValue
}

// Found reports whether an entry matched (ResponseStatus is not 0).
func (r *StatusResponse) Found() bool { return r.ResponseStatus != WLResponseNoEntry }

// Worked reports whether the entry is marked Worked.
func (r *StatusResponse) Worked() bool {
	return r.Found() && (r.InstanceStatus == WLInstanceWorked || r.ResponseStatus.Worked())
}

// Keys returns the status request that asks for this request's entry.
func (r *CreateRequest) Keys() StatusRequest {
	return StatusRequest{WLKeys: r.WLKeys}
}

// WLValidationError reports a worklist request that PeopleSoft would
// refuse, found before anything is sent.
type WLValidationError struct {
	// Root is the request's root element, e.g. CreateWorklistEntryData.
	Root string
	// Missing lists the empty required fields in seed 004's order;
	// "ApplicationData" stands for "no Name/Value pair with a name".
	Missing []string
	// Invalid lists fields whose value is not allowed.
	Invalid []WLFieldError
}

// WLFieldError is a field whose value is not allowed.
type WLFieldError struct {
	Field, Value, Reason string
}

// Error lists every problem: "ibmsg: CreateWorklistEntryData: required
// field(s) missing: ActivityName, ApplicationData; Priority "9" is not
// valid: ...".
func (e *WLValidationError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "required field(s) missing: "+strings.Join(e.Missing, ", "))
	}
	for _, f := range e.Invalid {
		parts = append(parts, f.Reason)
	}
	return "ibmsg: " + e.Root + ": " + strings.Join(parts, "; ")
}

// Validate checks seed 004's rules for CREATE_WORKLIST_ITEM: the five
// required fields, at least one ApplicationData pair with a name, and a
// Priority of "", 1, 2 or 3 (exactly: normalize with NormalizeWLPriority
// first). The error is a *WLValidationError naming every problem.
func (r *CreateRequest) Validate() error {
	e := &WLValidationError{Root: WLCreateRequestRoot, Missing: r.missing(false)}
	if strings.TrimSpace(r.OperatorID) == "" {
		e.Missing = append(e.Missing, "OperatorID")
	}
	if len(r.NamedApplicationData()) == 0 {
		e.Missing = append(e.Missing, "ApplicationData")
	}
	switch r.Priority {
	case "", "1", "2", "3":
	default:
		e.Invalid = append(e.Invalid, WLFieldError{Field: "Priority", Value: r.Priority,
			Reason: fmt.Sprintf("Priority %q is not valid: use blank, 1 (high), 2 (medium) or 3 (low)", r.Priority)})
	}
	if len(e.Missing) > 0 || len(e.Invalid) > 0 {
		return e
	}
	return nil
}

// NamedApplicationData returns the ApplicationData pairs that have a name
// (a pair without one cannot set a record field).
func (r *CreateRequest) NamedApplicationData() []WLNameValue {
	var out []WLNameValue
	for _, nv := range r.ApplicationData {
		if strings.TrimSpace(nv.Name) != "" {
			out = append(out, nv)
		}
	}
	return out
}

// Validate checks that the five keys GETWLINSTANCE requires are set. The
// error is a *WLValidationError.
func (r *StatusRequest) Validate() error {
	e := &WLValidationError{Root: WLStatusRequestRoot, Missing: r.missing(true)}
	if len(e.Missing) > 0 {
		return e
	}
	return nil
}

// wlWriter writes a worklist document: an XML declaration, the root with
// its namespace as the default namespace, one field per line indented by
// two spaces, each Name/Value pair as a section element.
type wlWriter struct{ b bytes.Buffer }

func newWLWriter(name xml.Name, message string) *wlWriter {
	if name.Local == "" {
		name, _ = WLDefaultName(message)
	}
	w := &wlWriter{}
	w.b.WriteString("<?xml version=\"1.0\"?>\n<" + name.Local)
	if name.Space != "" {
		w.b.WriteString(` xmlns="` + escapeAttr(name.Space) + `"`)
	}
	w.b.WriteString(">\n")
	return w
}

func (w *wlWriter) field(name, value string) {
	if value == "" {
		w.b.WriteString("  <" + name + "/>\n")
		return
	}
	w.b.WriteString("  <" + name + ">" + escapeText(value) + "</" + name + ">\n")
}

// optional writes a field only when it has a value.
func (w *wlWriter) optional(name, value string) {
	if value != "" {
		w.field(name, value)
	}
}

// keys writes the five keys in seed 004's order, RequestMessageID only
// when set if optionalID.
func (w *wlWriter) keys(k WLKeys, optionalID bool) {
	if optionalID {
		w.optional("RequestMessageID", k.RequestMessageID)
	} else {
		w.field("RequestMessageID", k.RequestMessageID)
	}
	w.field("BusinessProcessName", k.BusinessProcessName)
	w.field("ActivityName", k.ActivityName)
	w.field("EventName", k.EventName)
	w.field("WorklistName", k.WorklistName)
}

func (w *wlWriter) number(name string, n int64) { w.field(name, strconv.FormatInt(n, 10)) }

func (w *wlWriter) pairs(name string, nvs []WLNameValue) {
	for _, nv := range nvs {
		w.b.WriteString("  <" + name + ">\n")
		w.b.WriteString("    <Name>" + escapeText(nv.Name) + "</Name>\n")
		w.b.WriteString("    <Value>" + escapeText(nv.Value) + "</Value>\n")
		w.b.WriteString("  </" + name + ">\n")
	}
}

func (w *wlWriter) end(name xml.Name, message string) []byte {
	if name.Local == "" {
		name, _ = WLDefaultName(message)
	}
	w.b.WriteString("</" + name.Local + ">\n")
	return w.b.Bytes()
}

// Marshal writes the request in psib's assumed shape (docs/worklist.md):
// the required fields always, RequestMessageID, OriginatorID and Priority
// only when set.
func (r *CreateRequest) Marshal() []byte {
	w := newWLWriter(r.XMLName, WLCreateRequest)
	w.keys(r.WLKeys, true)
	w.field("OperatorID", r.OperatorID)
	w.optional("OriginatorID", r.OriginatorID)
	w.optional("Priority", r.Priority)
	w.pairs("ApplicationData", r.ApplicationData)
	w.pairs("AdditionalData", r.AdditionalData)
	return w.end(r.XMLName, WLCreateRequest)
}

// Marshal writes the reply in psib's assumed shape: WorkedOn only when
// set, ErrorCode and ErrorDescription always.
func (r *CreateResponse) Marshal() []byte {
	w := newWLWriter(r.XMLName, WLCreateResponse)
	w.keys(r.WLKeys, false)
	w.number("InstanceID", r.InstanceID)
	w.number("TransactionID", r.TransactionID)
	w.field("OperatorID", r.OperatorID)
	w.number("InstanceStatus", int64(r.InstanceStatus))
	w.optional("WorkedOn", r.WorkedOn)
	w.number("ErrorCode", int64(r.ErrorCode))
	w.field("ErrorDescription", r.ErrorDescription)
	w.pairs("AdditionalData", r.AdditionalData)
	return w.end(r.XMLName, WLCreateResponse)
}

// Marshal writes the request in psib's assumed shape: the five keys
// always, InstanceID and TransactionID only when not 0.
func (r *StatusRequest) Marshal() []byte {
	w := newWLWriter(r.XMLName, WLStatusRequest)
	w.keys(r.WLKeys, false)
	if r.InstanceID != 0 {
		w.number("InstanceID", r.InstanceID)
	}
	if r.TransactionID != 0 {
		w.number("TransactionID", r.TransactionID)
	}
	return w.end(r.XMLName, WLStatusRequest)
}

// Marshal writes the reply in psib's assumed shape. For "no such entry"
// (ResponseStatus 0) it writes the keys and ResponseStatus only; else
// InstanceID, TransactionID and InstanceStatus too, WorkedOn when set, and
// the AdditionalData pairs.
func (r *StatusResponse) Marshal() []byte {
	w := newWLWriter(r.XMLName, WLStatusResponse)
	w.keys(r.WLKeys, false)
	found := r.Found()
	if found {
		w.number("InstanceID", r.InstanceID)
		w.number("TransactionID", r.TransactionID)
		w.number("InstanceStatus", int64(r.InstanceStatus))
	}
	w.number("ResponseStatus", int64(r.ResponseStatus))
	if found {
		w.optional("WorkedOn", r.WorkedOn)
		w.pairs("AdditionalData", r.AdditionalData)
	}
	return w.end(r.XMLName, WLStatusResponse)
}

// WLRootError reports a well-formed document whose root element is not the
// worklist message expected. It matches ErrNotIB.
type WLRootError struct {
	// Want is the expected root element; Got the one found ("" when the
	// document has none).
	Want, Got string
}

// Error reads "ibmsg: want a CreateWorklistEntryData document, got <X>".
func (e *WLRootError) Error() string {
	got := "no element"
	if e.Got != "" {
		got = "<" + e.Got + ">"
	}
	return fmt.Sprintf("ibmsg: want a %s document, got %s", e.Want, got)
}

// Unwrap returns ErrNotIB.
func (e *WLRootError) Unwrap() error { return ErrNotIB }

// wlNode is an element of a worklist document.
type wlNode struct {
	name     xml.Name
	text     strings.Builder // all text below the element, in order
	children []*wlNode
}

// parseWLTree reads a document into its element tree, refusing DTDs.
func parseWLTree(data []byte, what string) (*wlNode, error) {
	if err := CheckXML(data); err != nil {
		if se, ok := err.(*SyntaxError); ok {
			se.What = what
		}
		return nil, err
	}
	d := newSafeDecoder(bytes.NewReader(data))
	var root *wlNode
	var stack []*wlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(what, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &wlNode{name: t.Name}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, &SyntaxError{What: what, Msg: "no root element"}
	}
	return root, nil
}

// wlScalar reports whether name is a single-valued worklist field.
func wlScalar(name string) bool {
	switch name {
	case "RequestMessageID", "BusinessProcessName", "ActivityName", "EventName", "WorklistName",
		"OperatorID", "OriginatorID", "Priority", "InstanceID", "TransactionID",
		"InstanceStatus", "ResponseStatus", "WorkedOn", "ErrorCode", "ErrorDescription":
		return true
	}
	return false
}

// wlFields is a worklist document read by local names.
type wlFields struct {
	root        xml.Name
	what        string
	scalars     map[string]string
	application []WLNameValue
	additional  []WLNameValue
}

// parseWL reads a worklist document whose root's local name is root
// (namespace ignored). Fields are found by local name anywhere below the
// root (the first occurrence wins), so that a site's namespaces or an
// extra record level do not matter. Each ApplicationData/AdditionalData
// element contributes its Name/Value pairs in document order: each Value
// belongs to the Name before it.
func parseWL(data []byte, root string) (*wlFields, error) {
	data, err := ToUTF8XML(data)
	if err != nil {
		return nil, &SyntaxError{What: root, Msg: err.Error()}
	}
	top, err := parseWLTree(data, root)
	if err != nil {
		return nil, err
	}
	if top.name.Local != root {
		return nil, &WLRootError{Want: root, Got: top.name.Local}
	}
	f := &wlFields{root: top.name, what: root, scalars: map[string]string{}}
	var walk func(n *wlNode)
	walk = func(n *wlNode) {
		for _, c := range n.children {
			switch {
			case c.name.Local == "ApplicationData":
				f.application = append(f.application, wlPairs(c)...)
			case c.name.Local == "AdditionalData":
				f.additional = append(f.additional, wlPairs(c)...)
			case wlScalar(c.name.Local) && len(c.children) == 0:
				if _, seen := f.scalars[c.name.Local]; !seen {
					f.scalars[c.name.Local] = strings.TrimSpace(c.text.String())
				}
			default:
				walk(c)
			}
		}
	}
	walk(top)
	return f, nil
}

// wlPairs pairs the Name and Value elements below n in document order.
func wlPairs(n *wlNode) []WLNameValue {
	var out []WLNameValue
	var walk func(n *wlNode)
	walk = func(n *wlNode) {
		for _, c := range n.children {
			switch c.name.Local {
			case "Name":
				out = append(out, WLNameValue{Name: strings.TrimSpace(c.text.String())})
			case "Value":
				if len(out) == 0 || out[len(out)-1].Value != "" {
					out = append(out, WLNameValue{})
				}
				out[len(out)-1].Value = strings.TrimSpace(c.text.String())
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return out
}

func (f *wlFields) get(name string) string { return f.scalars[name] }

// keys reads the five keys.
func (f *wlFields) keys() WLKeys {
	return WLKeys{RequestMessageID: f.get("RequestMessageID"), BusinessProcessName: f.get("BusinessProcessName"),
		ActivityName: f.get("ActivityName"), EventName: f.get("EventName"), WorklistName: f.get("WorklistName")}
}

// number reads an integer field; absent or empty is 0.
func (f *wlFields) number(name string, errs *[]string) int64 {
	s := f.scalars[name]
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("%s %q is not a whole number", name, s))
	}
	return n
}

func (f *wlFields) instanceStatus(errs *[]string) WLInstanceStatus {
	s := f.scalars["InstanceStatus"]
	if s == "" {
		return 0
	}
	st, err := ParseWLInstanceStatus(s)
	if err != nil {
		*errs = append(*errs, err.Error())
	}
	return st
}

func (f *wlFields) err(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return &SyntaxError{What: f.what, Msg: strings.Join(errs, "; ")}
}

// wlRoot is the root a Parse function expects: root, or the message's
// alias when root is "".
func wlRoot(root, alias string) string {
	if root == "" {
		return alias
	}
	return root
}

// ParseCreateRequest reads a CreateWorklistEntryData document (any
// namespace) whose root's local name is root ("" for the alias). A
// malformed document is a *SyntaxError, another root a *WLRootError; the
// request is not validated (see CreateRequest.Validate).
func ParseCreateRequest(data []byte, root string) (*CreateRequest, error) {
	f, err := parseWL(data, wlRoot(root, WLCreateRequestRoot))
	if err != nil {
		return nil, err
	}
	return &CreateRequest{XMLName: f.root, WLKeys: f.keys(),
		OperatorID: f.get("OperatorID"), OriginatorID: f.get("OriginatorID"), Priority: f.get("Priority"),
		ApplicationData: f.application, AdditionalData: f.additional}, nil
}

// ParseCreateResponse reads a CreateWorklistEntryResponse document (root
// "" for the alias). Numbers that are not numbers are a *SyntaxError.
func ParseCreateResponse(data []byte, root string) (*CreateResponse, error) {
	f, err := parseWL(data, wlRoot(root, WLCreateResponseRoot))
	if err != nil {
		return nil, err
	}
	var errs []string
	r := &CreateResponse{XMLName: f.root, WLKeys: f.keys(),
		InstanceID: f.number("InstanceID", &errs), TransactionID: f.number("TransactionID", &errs),
		OperatorID: f.get("OperatorID"), InstanceStatus: f.instanceStatus(&errs), WorkedOn: f.get("WorkedOn"),
		ErrorCode: int(f.number("ErrorCode", &errs)), ErrorDescription: f.get("ErrorDescription"),
		AdditionalData: f.additional}
	return r, f.err(errs)
}

// ParseStatusRequest reads a GetWorklistEntryStatusData document (root ""
// for the alias). The request is not validated (see
// StatusRequest.Validate).
func ParseStatusRequest(data []byte, root string) (*StatusRequest, error) {
	f, err := parseWL(data, wlRoot(root, WLStatusRequestRoot))
	if err != nil {
		return nil, err
	}
	var errs []string
	r := &StatusRequest{XMLName: f.root, WLKeys: f.keys(),
		InstanceID: f.number("InstanceID", &errs), TransactionID: f.number("TransactionID", &errs)}
	return r, f.err(errs)
}

// ParseStatusResponse reads a WorklistEntryStatusData document (root ""
// for the alias). A missing ResponseStatus is a *SyntaxError: without it
// the answer says nothing.
func ParseStatusResponse(data []byte, root string) (*StatusResponse, error) {
	f, err := parseWL(data, wlRoot(root, WLStatusResponseRoot))
	if err != nil {
		return nil, err
	}
	var errs []string
	r := &StatusResponse{XMLName: f.root, WLKeys: f.keys(),
		InstanceID: f.number("InstanceID", &errs), TransactionID: f.number("TransactionID", &errs),
		InstanceStatus: f.instanceStatus(&errs), WorkedOn: f.get("WorkedOn"), AdditionalData: f.additional}
	switch s := f.get("ResponseStatus"); {
	case s == "":
		errs = append(errs, "no ResponseStatus")
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 4 {
			errs = append(errs, fmt.Sprintf("ResponseStatus %q: want 0 to 4", s))
		}
		r.ResponseStatus = WLResponseStatus(n)
	}
	return r, f.err(errs)
}
