package ibmsg

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Response types of an external IBResponse.
const (
	ResponseSuccess = "success"
	ResponseError   = "error"
)

// Response is the external IBResponse document the HTTP listening connector
// answers with (HTTP 200 even for errors): an acknowledgement of an async
// publish (type "success", with a transaction id), or an error. PeopleSoft
// does not send a MsgSet element here: the set and number are the
// "(set,num)" that ends DefaultMessage, and ParseResponse fills MsgSet from
// it.
type Response struct {
	Type          string // ResponseSuccess or ResponseError
	DefaultTitle  string
	StatusCode    int
	HasStatusCode bool
	TransactionID string
	MessageID     int
	// DefaultMessage is the catalog text without its "(set,num)" suffix.
	DefaultMessage string
	MsgSet         int
	Parameters     []string

	// Form says which document carried it: "ibresponse", "soap-fault" or
	// "legacy-reply" (the 8.1x <reply><operations><exception> form).
	Form string
	// FaultCode and FaultString are the SOAP fault's, when Form is soap-fault.
	FaultCode, FaultString string
}

// OK reports whether the response is a success.
func (r *Response) OK() bool { return r.Type == ResponseSuccess }

// Status returns the response as a Status (the contract's error object).
func (r *Response) Status() Status {
	if r.OK() {
		s := Success()
		s.DefaultTitle = r.DefaultTitle
		return s
	}
	code := r.StatusCode
	if !r.HasStatusCode && code == 0 {
		code = 20
	}
	return Status{StatusCode: code, MsgSet: r.MsgSet, MsgID: r.MessageID, Parameters: r.Parameters, DefaultMsg: r.DefaultMessage, DefaultTitle: r.DefaultTitle}
}

// Err returns nil for success and a *StatusError for an error.
func (r *Response) Err() error {
	if r.OK() {
		return nil
	}
	return &StatusError{Status: r.Status()}
}

// NewSuccessResponse is the acknowledgement of an accepted async message.
func NewSuccessResponse(transactionID string) *Response {
	return &Response{Type: ResponseSuccess, DefaultTitle: "Integration Broker Response", StatusCode: 0, HasStatusCode: true, TransactionID: transactionID, Form: "ibresponse"}
}

// NewErrorResponse is an error answer for a status (DefaultMessage gets the
// "(set,num)" suffix when encoded).
func NewErrorResponse(s Status) *Response {
	code := s.StatusCode
	if code == 0 {
		code = 20
	}
	return &Response{Type: ResponseError, DefaultTitle: "Integration Broker Response", StatusCode: code, HasStatusCode: true,
		MessageID: s.MsgID, MsgSet: s.MsgSet, DefaultMessage: s.Text(), Parameters: s.Parameters, Form: "ibresponse"}
}

// Marshal encodes the response as the HTTP listening connector writes it.
// The success form keeps the spacing of the captured acknowledgement
// (`type = "success"`, seed 001); the error form follows the captured
// errors (`type="error"`, CDATA message and parameters).
func (r *Response) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n")
	r.writeElement(&b, "")
	return b.Bytes()
}

func (r *Response) writeElement(b *bytes.Buffer, xmlns string) {
	ns := ""
	if xmlns != "" || r.Form == "soap-fault" {
		ns = ` xmlns=""`
	}
	if r.OK() {
		fmt.Fprintf(b, "<IBResponse%s type = \"success\">\n", ns)
		fmt.Fprintf(b, "  <DefaultTitle>%s</DefaultTitle>\n", escapeText(r.DefaultTitle))
		fmt.Fprintf(b, "  <StatusCode>%d</StatusCode>\n", r.StatusCode)
		if r.TransactionID != "" {
			fmt.Fprintf(b, "  <TransactionID>%s</TransactionID>\n", escapeText(r.TransactionID))
		}
		b.WriteString("</IBResponse>\n")
		return
	}
	fmt.Fprintf(b, "<IBResponse%s type=\"error\">\n", ns)
	fmt.Fprintf(b, "  <DefaultTitle>%s</DefaultTitle>\n", escapeText(r.DefaultTitle))
	fmt.Fprintf(b, "  <StatusCode>%d</StatusCode>\n", r.StatusCode)
	fmt.Fprintf(b, "  <MessageID>%d</MessageID>\n", r.MessageID)
	msg := r.DefaultMessage
	if r.MsgSet != 0 || r.MessageID != 0 {
		msg = fmt.Sprintf("%s (%d,%d)", msg, r.MsgSet, r.MessageID)
	}
	fmt.Fprintf(b, "  <DefaultMessage>%s</DefaultMessage>\n", cdataSection(msg))
	if len(r.Parameters) > 0 {
		b.WriteString("  <MessageParameters>\n")
		for _, p := range r.Parameters {
			fmt.Fprintf(b, "    <Parameter>%s</Parameter>\n", cdataSection(p))
		}
		b.WriteString("  </MessageParameters>\n")
	}
	b.WriteString("</IBResponse>\n")
}

// SOAP envelope namespaces.
const (
	SOAP11Namespace = "http://schemas.xmlsoap.org/soap/envelope/"
	SOAP12Namespace = "http://www.w3.org/2003/05/soap-envelope"
)

// MarshalSOAPFault wraps the response in a SOAP 1.1 fault as the service
// listening connector does: faultcode SOAP-ENV:Server, faultstring "null",
// and the IBResponse (xmlns="") inside detail.
func (r *Response) MarshalSOAPFault() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n")
	b.WriteString(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="` + SOAP11Namespace + "\">\n")
	b.WriteString("  <SOAP-ENV:Body>\n    <SOAP-ENV:Fault>\n      <faultcode>SOAP-ENV:Server</faultcode>\n      <faultstring>null</faultstring>\n      <detail>\n")
	r.writeElement(&b, `""`)
	b.WriteString("      </detail>\n    </SOAP-ENV:Fault>\n  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n")
	return b.Bytes()
}

// wire forms for parsing.
type ibResponseXML struct {
	Type           string   `xml:"type,attr"`
	DefaultTitle   Text     `xml:"DefaultTitle"`
	StatusCode     *Text    `xml:"StatusCode"`
	TransactionID  Text     `xml:"TransactionID"`
	MessageID      Text     `xml:"MessageID"`
	DefaultMessage Text     `xml:"DefaultMessage"`
	MsgSet         Text     `xml:"MsgSet"`
	Parameters     []string `xml:"MessageParameters>Parameter"`
}

type legacyReplyXML struct {
	Exception *struct {
		Title      Text     `xml:"title"`
		DefaultMsg Text     `xml:"defaultmsg"`
		MsgSet     Text     `xml:"msgset"`
		MsgID      Text     `xml:"msgid"`
		Parameters []string `xml:"parameters>parm"`
	} `xml:"operations>exception"`
}

var setNumSuffix = regexp.MustCompile(`\s*\((\d+),\s*(\d+)\)\s*$`)

// SplitSetNum splits "User password failed. (158,45)" into the text and the
// message set and number; ok is false when the text has no such suffix.
func SplitSetNum(msg string) (text string, set, num int, ok bool) {
	m := setNumSuffix.FindStringSubmatch(msg)
	if m == nil {
		return strings.TrimSpace(msg), 0, 0, false
	}
	set, _ = strconv.Atoi(m[1])
	num, _ = strconv.Atoi(m[2])
	return strings.TrimSpace(msg[:len(msg)-len(m[0])]), set, num, true
}

// ParseResponse reads an IB answer document: an IBResponse (success or
// error), a SOAP 1.1 or 1.2 envelope whose fault detail wraps an IBResponse,
// or the legacy <reply><operations><exception> form. A well-formed document
// of any other kind is ErrNotIB (for a sync call that is the handler's own
// reply). DTDs are refused.
func ParseResponse(data []byte) (*Response, error) {
	if r, ok := fastIBResponse(data); ok {
		return r, nil
	}
	root, err := RootElement(data)
	if err != nil {
		return nil, err
	}
	switch root {
	case "IBResponse":
		return parseIBResponse(data, "ibresponse")
	case "Envelope":
		return parseSOAPFault(data)
	case "reply":
		return parseLegacyReply(data)
	}
	return nil, fmt.Errorf("%w: root element <%s>", ErrNotIB, root)
}

func parseIBResponse(data []byte, form string) (*Response, error) {
	var x ibResponseXML
	if err := unmarshalSafe(data, &x, "IBResponse"); err != nil {
		return nil, err
	}
	return x.response(form)
}

func (x *ibResponseXML) response(form string) (*Response, error) {
	r := &Response{Type: strings.ToLower(strings.TrimSpace(x.Type)), DefaultTitle: string(x.DefaultTitle), TransactionID: string(x.TransactionID), Form: form}
	if r.Type != ResponseSuccess && r.Type != ResponseError {
		return nil, &SyntaxError{What: "IBResponse", Msg: fmt.Sprintf("type attribute is %q, want \"success\" or \"error\"", x.Type)}
	}
	var err error
	if x.StatusCode != nil {
		r.HasStatusCode = true
		if r.StatusCode, err = atoiField(string(*x.StatusCode), "StatusCode"); err != nil {
			return nil, err
		}
	}
	if x.MessageID != "" {
		if r.MessageID, err = atoiField(string(x.MessageID), "MessageID"); err != nil {
			return nil, err
		}
	}
	text, set, num, ok := SplitSetNum(string(x.DefaultMessage))
	r.DefaultMessage = text
	if ok {
		r.MsgSet = set
		if r.MessageID == 0 {
			r.MessageID = num
		}
	}
	if x.MsgSet != "" {
		if r.MsgSet, err = atoiField(string(x.MsgSet), "MsgSet"); err != nil {
			return nil, err
		}
	}
	if r.Type == ResponseError && r.MsgSet == 0 && r.MessageID != 0 {
		// No suffix and no MsgSet: IB's own messages are set 158.
		r.MsgSet = 158
	}
	for _, p := range x.Parameters {
		r.Parameters = append(r.Parameters, strings.TrimSpace(p))
	}
	return r, nil
}

func atoiField(s, name string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, &SyntaxError{What: "IBResponse", Msg: fmt.Sprintf("%s %q is not a number", name, s)}
	}
	return n, nil
}

func parseSOAPFault(data []byte) (*Response, error) {
	var env struct {
		Body struct {
			Fault *struct {
				Code   Text `xml:"faultcode"`
				String Text `xml:"faultstring"`
				// SOAP 1.2
				Code12   Text           `xml:"Code>Value"`
				Reason12 Text           `xml:"Reason>Text"`
				Detail   *ibResponseXML `xml:"detail>IBResponse"`
				Detail12 *ibResponseXML `xml:"Detail>IBResponse"`
			} `xml:"Fault"`
		} `xml:"Body"`
	}
	if err := unmarshalSafe(data, &env, "SOAP envelope"); err != nil {
		return nil, err
	}
	f := env.Body.Fault
	if f == nil {
		return nil, fmt.Errorf("%w: SOAP envelope without a Fault", ErrNotIB)
	}
	code, str := string(f.Code), string(f.String)
	if code == "" {
		code, str = string(f.Code12), string(f.Reason12)
	}
	detail := f.Detail
	if detail == nil {
		detail = f.Detail12
	}
	if detail == nil {
		// A fault without an IBResponse: still an error answer.
		return &Response{Type: ResponseError, StatusCode: 20, Form: "soap-fault", FaultCode: code, FaultString: str, DefaultMessage: str}, nil
	}
	r, err := detail.response("soap-fault")
	if err != nil {
		return nil, err
	}
	r.FaultCode, r.FaultString = code, str
	if r.Type == ResponseSuccess {
		r.Type = ResponseError
	}
	return r, nil
}

func parseLegacyReply(data []byte) (*Response, error) {
	var x legacyReplyXML
	if err := unmarshalSafe(data, &x, "reply"); err != nil {
		return nil, err
	}
	if x.Exception == nil {
		return nil, fmt.Errorf("%w: <reply> without operations/exception", ErrNotIB)
	}
	e := x.Exception
	r := &Response{Type: ResponseError, StatusCode: 20, DefaultTitle: string(e.Title), DefaultMessage: string(e.DefaultMsg), Form: "legacy-reply"}
	var err error
	if e.MsgSet != "" {
		if r.MsgSet, err = atoiField(string(e.MsgSet), "msgset"); err != nil {
			return nil, err
		}
	}
	if e.MsgID != "" {
		if r.MessageID, err = atoiField(string(e.MsgID), "msgid"); err != nil {
			return nil, err
		}
	}
	for _, p := range e.Parameters {
		r.Parameters = append(r.Parameters, strings.TrimSpace(p))
	}
	return r, nil
}

// DuplicateMessagePrefix starts the DefaultMessage of the answer to an
// async message whose ExternalMessageID was already accepted. PeopleSoft's
// wording and number for this answer are not public; psib's emulator and
// client agree on this form (docs/emulator.md, "assumed").
const DuplicateMessagePrefix = "Duplicate message"

// DuplicateStatus is the status of a suppressed duplicate: extID was
// already accepted as transaction txid.
func DuplicateStatus(extID, txid string) Status {
	return Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", Parameters: Params{extID, txid},
		DefaultMsg: DuplicateMessagePrefix + ": ExternalMessageID " + extID + " was already received as transaction " + txid + "."}
}

// IsDuplicate reports whether the response answers a message whose
// ExternalMessageID was already accepted: the message is in, once.
func (r *Response) IsDuplicate() bool {
	return !r.OK() && strings.HasPrefix(r.DefaultMessage, DuplicateMessagePrefix)
}
