package ibmsg

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/psib-dev/psib/internal/jsonstr"
)

// Status is the outcome of an IB request: the Status element of a response
// IBInfo, or the fields of an external IBResponse. StatusCode 0 with
// MsgSet 158 and MsgID 10000 is success.
//
// StatusCode values seen in public captures: 0 success, 10 a gateway-side
// error, 20 an application-server, security or processing error.
type Status struct {
	StatusCode   int    `xml:"StatusCode"`
	MsgSet       int    `xml:"MsgSet"`
	MsgID        int    `xml:"MsgID"`
	Parameters   Params `xml:"Parameters,omitempty"`
	DefaultMsg   string `xml:"DefaultMsg,omitempty"`
	DefaultTitle string `xml:"DefaultTitle,omitempty"`
}

// Success is the status of a successful response (158/10000).
func Success() Status {
	return Status{StatusCode: 0, MsgSet: 158, MsgID: 10000, DefaultMsg: "OK", DefaultTitle: "Integration Broker Response Message"}
}

// OK reports whether the status is a success.
func (s Status) OK() bool {
	return s.StatusCode == 0 && (s.MsgSet == 0 || (s.MsgSet == 158 && s.MsgID == 10000) || s.MsgID == 0)
}

// Class classifies the status for callers that branch on it: the catalog's
// class when the (set, number) is known, else a class by StatusCode.
func (s Status) Class() Class {
	if s.OK() {
		return ClassOK
	}
	if e, ok := LookupCatalog(s.MsgSet, s.MsgID); ok && e.Class != ClassOK {
		return e.Class
	}
	switch s.StatusCode {
	case 10:
		return ClassGateway
	}
	return ClassApplication
}

// Explain returns the catalog entry for the status, if psib knows it.
func (s Status) Explain() (CatalogEntry, bool) { return LookupCatalog(s.MsgSet, s.MsgID) }

// Text returns the status message: DefaultMsg, else the catalog title with
// the parameters substituted, else DefaultTitle.
func (s Status) Text() string {
	if s.DefaultMsg != "" {
		return s.DefaultMsg
	}
	if e, ok := s.Explain(); ok {
		return e.Format(s.Parameters)
	}
	return s.DefaultTitle
}

// Summary is one line for people: "User password failed. (158,45)".
func (s Status) Summary() string {
	text := s.Text()
	if text == "" {
		text = "Integration Broker error"
	}
	if s.MsgSet != 0 || s.MsgID != 0 {
		return fmt.Sprintf("%s (%d,%d)", text, s.MsgSet, s.MsgID)
	}
	return text
}

// Err returns nil for success and a *StatusError otherwise.
func (s Status) Err() error {
	if s.OK() {
		return nil
	}
	return &StatusError{Status: s}
}

// statusJSON is the contract's JSON form of a status.
type statusJSON struct {
	StatusCode int      `json:"status_code"`
	MsgSet     int      `json:"msg_set"`
	MsgID      int      `json:"msg_id"`
	Title      string   `json:"title"`
	Message    string   `json:"message"`
	Parameters []string `json:"parameters"`
}

// jsonTexts are the texts of the contract's fields: the title (the
// catalog's for an error whose own title says nothing), the message, and
// the parameters (never null).
func (s Status) jsonTexts() (title, text string, params []string) {
	params = []string(s.Parameters)
	if params == nil {
		params = []string{}
	}
	title = s.DefaultTitle
	if e, ok := s.Explain(); ok && (title == "" || title == "Integration Broker Response" || title == "Integration Gateway Error") && !s.OK() {
		title = e.Title
	}
	return title, s.Text(), params
}

// MarshalJSON writes the contract's fields: status_code, msg_set, msg_id,
// title, message, parameters.
func (s Status) MarshalJSON() ([]byte, error) {
	return s.AppendJSON(nil)
}

// AppendJSON appends what MarshalJSON writes to dst. decode writes a
// status for nearly every message: the common one, whose texts hold
// nothing encoding/json escapes for HTML (<, >, &), is written here, the
// rest by encoding/json (TestStatusAppendJSON compares the two).
func (s Status) AppendJSON(dst []byte) ([]byte, error) {
	title, text, params := s.jsonTexts()
	htmlFree := !strings.ContainsAny(title, "<>&") && !strings.ContainsAny(text, "<>&")
	for _, p := range params {
		htmlFree = htmlFree && !strings.ContainsAny(p, "<>&")
	}
	if !htmlFree {
		b, err := json.Marshal(statusJSON{s.StatusCode, s.MsgSet, s.MsgID, title, text, params})
		return append(dst, b...), err
	}
	dst = append(dst, `{"status_code":`...)
	dst = strconv.AppendInt(dst, int64(s.StatusCode), 10)
	dst = append(dst, `,"msg_set":`...)
	dst = strconv.AppendInt(dst, int64(s.MsgSet), 10)
	dst = append(dst, `,"msg_id":`...)
	dst = strconv.AppendInt(dst, int64(s.MsgID), 10)
	dst = append(dst, `,"title":`...)
	dst = jsonstr.Append(dst, title)
	dst = append(dst, `,"message":`...)
	dst = jsonstr.Append(dst, text)
	dst = append(dst, `,"parameters":[`...)
	for i, p := range params {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, p)
	}
	return append(dst, "]}"...), nil
}

// UnmarshalJSON reads the contract's fields back.
func (s *Status) UnmarshalJSON(b []byte) error {
	var j statusJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Status{StatusCode: j.StatusCode, MsgSet: j.MsgSet, MsgID: j.MsgID, DefaultTitle: j.Title, DefaultMsg: j.Message, Parameters: j.Parameters}
	return nil
}

// Params are status parameters, written as <Parameters count="n"><Parm>..</Parm></Parameters>.
type Params []string

// MarshalXML writes the count attribute and one Parm per value.
func (p Params) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "count"}, Value: strconv.Itoa(len(p))})
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range p {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "Parm"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads Parm children (any element name is accepted, in order).
func (p *Params) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			*p = append(*p, strings.TrimSpace(v))
		case xml.EndElement:
			return nil
		}
	}
}
