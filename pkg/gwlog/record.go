package gwlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
	"unsafe"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

// Record is one decoded IB message, in the shape of psib's decode JSON
// contract (cli-contract.md).
type Record struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Kind is "request" or "response".
	Kind string `json:"kind"`
	// Format is "mime", "http" or "xml".
	Format        string `json:"format"`
	Operation     string `json:"operation"`
	TransactionID string `json:"transaction_id"`
	From          string `json:"from"`
	To            string `json:"to"`
	// Timestamp is the log entry's time (RFC 3339 with milliseconds; as
	// written when it cannot be read), else the message's own
	// OrigTimeStamp.
	Timestamp string        `json:"timestamp"`
	Status    *ibmsg.Status `json:"status"`
	IBInfo    any           `json:"ibinfo"`
	Headers   Headers       `json:"headers"`
	Sections  []Section     `json:"sections"`
	// Problems lists what could not be decoded (a corrupt section, an
	// unreadable IBInfo, a truncated message) and what the lenient reader
	// repaired. It is not part of the JSON contract: errors go to stderr.
	Problems []string `json:"-"`

	// Message is the parsed MIME message, for callers that re-encode it.
	// It is read-only: the bodies of its decoded sections are also the
	// memory of Sections' Body strings (until ReleaseContent).
	Message *ibmsg.Message `json:"-"`
	// Err is set when part of the message could not be decoded.
	Err error `json:"-"`

	// What the log says around the message (empty for a bare document):
	// the log entry's time as written, its description, and the connector
	// it names.
	LogTime     string `json:"-"`
	Description string `json:"-"`
	Connector   string `json:"-"`
	// Time is the log entry's time when it could be read, else the
	// message's own (OrigTimeStamp); zero when neither is known.
	Time time.Time `json:"-"`
	// HTTP is the request or status line of an "http" record.
	HTTP *HTTPLine `json:"-"`
	// EndLine is the input line where the message ends.
	EndLine int `json:"-"`
	// Raw is the message's text as found in the input, HTML escaping
	// undone (node passwords included: redact before showing it).
	Raw []byte `json:"-"`
	// Paired is true when Operation, From and To were taken from the
	// request this response answers.
	Paired bool `json:"-"`

	jsonTail []byte  // PrepareJSON's rendering of the fields from status on
	jsonBuf  *[]byte // the pool's holder of jsonTail's buffer
	// ownsContent: Message was parsed here (its decoded bodies are this
	// record's alone), not handed in by a caller.
	ownsContent bool
}

// ReleaseContent gives the memory of the decoded section bodies back for
// the messages decoded after this one, once nothing will read them again:
// after PrepareJSON, when the record is only written out. Afterwards every
// Body in Sections is empty, and so is, in Message, each body that
// decoding made (base64 undone, inflated; a plain one stays). A record
// built from a caller's message (FromMessage) keeps its bodies: they are
// the caller's.
func (r *Record) ReleaseContent() {
	if !r.ownsContent || r.Message == nil {
		return
	}
	for i := range r.Sections {
		r.Sections[i].Body = ""
	}
	r.Message.ReleaseContent()
}

// Section is one decoded content section.
type Section struct {
	ID               string `json:"id"`
	ContentType      string `json:"content_type"`
	TransferEncoding string `json:"transfer_encoding"`
	// Compression is "none", "gzip", "zlib" or "deflate".
	Compression string `json:"compression"`
	// Bytes is the size of Body before a PsNonXml wrapper was taken off
	// (with Options.SkipContent: the size as found).
	Bytes int    `json:"bytes"`
	Body  string `json:"body"`
	// NonXML is true when Body was unwrapped from a PsNonXml wrapper.
	NonXML bool `json:"-"`
}

// Headers are a message's header fields, in the order found. Their JSON is
// an object of name to value, as a map's: names sorted, the last field of
// a name winning; nil is null.
type Headers []ibmsg.HeaderField

// Get returns the value of the last field called name (exactly), or "".
func (h Headers) Get(name string) string {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Name == name {
			return h[i].Value
		}
	}
	return ""
}

// Map returns the fields as a map of name to value (the last of a name
// wins).
func (h Headers) Map() map[string]string { return ibmsg.Header(h).Map() }

// headersOf returns a copy of h as a record's Headers (never nil: an
// object in JSON).
func headersOf(h ibmsg.Header) Headers {
	return append(make(Headers, 0, len(h)), h...)
}

// MarshalJSON renders h as its JSON object.
func (h Headers) MarshalJSON() ([]byte, error) { return appendHeadersJSON(nil, h), nil }

// UnmarshalJSON reads the object MarshalJSON writes (a record read back
// from psib's JSON): the fields in the order of their names; null is nil.
func (h *Headers) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		*h = nil
		return nil
	}
	names := slices.Sorted(maps.Keys(m))
	*h = make(Headers, len(names))
	for i, name := range names {
		(*h)[i] = ibmsg.HeaderField{Name: name, Value: m[name]}
	}
	return nil
}

// ErrDecode marks a record some part of which could not be decoded.
var ErrDecode = errors.New("gwlog: part of the message could not be decoded")

// DecodeDocument decodes one whole document: an internal MIME message, or
// an IBRequest, IBResponse, IBInfo or SOAP fault XML document. line is the
// 1-based line where the document starts in file.
func DecodeDocument(file string, line int, data []byte, lim ibmsg.Limits) (*Record, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return decodeXML(file, line, data)
	}
	m, err := ibmsg.ParseMessage(data, lim)
	if err != nil {
		return nil, &Error{File: file, Line: line, Err: err}
	}
	return fromMessage(file, line, m, true), nil
}

// FromMessage builds the record of a parsed MIME message. The record's
// section bodies are copies: m stays the caller's.
func FromMessage(file string, line int, m *ibmsg.Message) *Record {
	return fromMessage(file, line, m, false)
}

// fromMessage is FromMessage; parsed is true for a message this package
// parsed itself, whose decoded bodies the record's strings may share (see
// sectionBody).
func fromMessage(file string, line int, m *ibmsg.Message, parsed bool) *Record {
	r := &Record{File: file, Line: line, Format: "mime", Kind: "request", Headers: headersOf(m.Header), Message: m, Sections: []Section{}, ownsContent: parsed}
	r.Problems = append(r.Problems, m.Warnings...)
	if info := m.IBInfo; info != nil {
		r.IBInfo = info
		if info.IsResponse() {
			r.Kind = "response"
			r.Status = info.Status
		}
		r.Operation = info.Operation()
		r.TransactionID = string(info.TransactionID)
		r.From = info.RequestingNode()
		r.To = info.DestinationNode()
		if info.From != nil {
			r.Timestamp = string(info.From.OrigTimeStamp)
		}
	} else if m.IBInfoErr != nil {
		r.Problems = append(r.Problems, m.IBInfoErr.Error())
		r.Err = fmt.Errorf("%w: %v", ErrDecode, m.IBInfoErr)
	}
	for i := range m.Sections {
		s := &m.Sections[i]
		sec := Section{ID: s.ID(), ContentType: s.Header.Get("Content-Type"), TransferEncoding: s.Header.Get("Content-Transfer-Encoding"),
			Compression: string(s.Encoding.Compression), Bytes: len(s.Body), Body: sectionBody(s, parsed)}
		if s.Skipped {
			// Options.SkipContent: the size as found.
			sec.Bytes, sec.Compression = s.RawBytes, ""
			r.Sections = append(r.Sections, sec)
			continue
		}
		if sec.Compression == "" {
			sec.Compression = string(ibmsg.CompressionNone)
		}
		if s.Encoding.Base64 {
			// How it traveled, detected by content when not declared.
			sec.TransferEncoding = "base64"
		}
		if s.Err != nil {
			r.Problems = append(r.Problems, s.Err.Error())
			r.Err = fmt.Errorf("%w: %v", ErrDecode, s.Err)
		} else if indexFold(s.Body[:min(len(s.Body), 4096)], "PsNonXml", 5) < 0 {
			// Not a non-XML wrapper, whose data element comes first in
			// the document (UnwrapNonXML would read the whole document
			// to find out).
		} else if data, ok, _ := ibmsg.UnwrapNonXML(s.Body); ok {
			sec.Body, sec.NonXML = string(data), true
		}
		r.Sections = append(r.Sections, sec)
	}
	return r
}

// sectionBody returns a section's body as a string. In a message this
// package parsed (parsed), a body that decoding made (base64 undone,
// inflated) belongs to the message alone, which no one changes after
// parsing (Record.Message is read-only): the string is made over the same
// bytes, instead of copying what is most of a log's decoded volume. Any
// other body (the input's own bytes, which a caller may reuse; a message a
// caller built) is copied.
func sectionBody(s *ibmsg.Section, parsed bool) string {
	decoded := parsed && s.Err == nil && (s.Encoding.Base64 || s.Encoding.Compression != "" && s.Encoding.Compression != ibmsg.CompressionNone)
	if !decoded || len(s.Body) == 0 {
		return string(s.Body)
	}
	return unsafe.String(unsafe.SliceData(s.Body), len(s.Body))
}

func decodeXML(file string, line int, data []byte) (*Record, error) {
	root, err := ibmsg.RootElement(data)
	if err != nil {
		return nil, &Error{File: file, Line: line, Err: err}
	}
	r := &Record{File: file, Line: line, Format: "xml", Headers: Headers{}, Sections: []Section{}}
	switch root {
	case "IBRequest":
		req, err := ibmsg.ParseRequest(data)
		if err != nil {
			return nil, &Error{File: file, Line: line, Err: err}
		}
		r.Kind = "request"
		r.Operation, r.From, r.To, r.Timestamp = req.OperationName, req.From, req.To, req.OrigTimeStamp
		r.IBInfo = requestView(req)
		r.Sections = append(r.Sections, Section{ID: "Data", ContentType: "text/xml", TransferEncoding: "8bit", Compression: "none", Bytes: len(req.Data), Body: string(req.Data)})
	case "IBInfo":
		info, err := ibmsg.ParseIBInfo(data)
		if err != nil {
			return nil, &Error{File: file, Line: line, Err: err}
		}
		r.Kind = "request"
		if info.IsResponse() {
			r.Kind, r.Status = "response", info.Status
		}
		r.IBInfo = info
		r.Operation, r.TransactionID, r.From, r.To = info.Operation(), string(info.TransactionID), info.RequestingNode(), info.DestinationNode()
	default:
		resp, err := ibmsg.ParseResponse(data)
		if err != nil {
			return nil, &Error{File: file, Line: line, Err: err}
		}
		st := resp.Status()
		r.Kind, r.Status, r.TransactionID = "response", &st, resp.TransactionID
		r.IBInfo = responseView(resp)
	}
	return r, nil
}

// requestView is the IBRequest wrapper as a nested object (password redacted).
func requestView(req *ibmsg.Request) map[string]any {
	return map[string]any{
		"ExternalOperationName": req.OperationName,
		"OperationType":         req.OperationType,
		"From": map[string]any{"RequestingNode": req.From, "Password": req.Password, "OrigUser": req.OrigUser,
			"OrigNode": req.OrigNode, "OrigProcess": req.OrigProcess, "OrigTimeStamp": req.OrigTimeStamp},
		"To":             map[string]any{"DestinationNode": req.To, "FinalDestination": req.FinalDestination, "SubChannel": req.SubQueue},
		"ContentSection": map[string]any{"NonRepudiation": req.NonRepudiation, "MessageVersion": req.MessageVersion},
	}
}

func responseView(resp *ibmsg.Response) map[string]any {
	v := map[string]any{"type": resp.Type, "form": resp.Form, "DefaultTitle": resp.DefaultTitle}
	if resp.HasStatusCode {
		v["StatusCode"] = resp.StatusCode
	}
	if resp.TransactionID != "" {
		v["TransactionID"] = resp.TransactionID
	}
	if !resp.OK() {
		v["MessageID"], v["DefaultMessage"], v["MessageParameters"] = resp.MessageID, resp.DefaultMessage, resp.Parameters
	}
	if resp.FaultCode != "" {
		v["faultcode"], v["faultstring"] = resp.FaultCode, resp.FaultString
	}
	return v
}

// WithSecrets returns a copy of r whose ibinfo shows node passwords as they
// are instead of REDACTED: the JSON of --show-secrets. Section bodies and
// headers are not redacted by Record in the first place.
func (r *Record) WithSecrets() *Record {
	c := *r
	c.jsonTail, c.jsonBuf = nil, nil // the rendering (and its buffer) stay r's
	switch v := r.IBInfo.(type) {
	case *ibmsg.IBInfo:
		if v == nil || v.From == nil || v.From.Password.IsZero() {
			break
		}
		b, err := json.Marshal(v)
		if err != nil {
			break
		}
		real, _ := json.Marshal(v.From.Password.Reveal())
		// The JSON holds one Password key whose value is "REDACTED":
		// From/Password (quotes inside string values are escaped, so the
		// pattern cannot come from text).
		b = bytes.Replace(b, []byte(`"Password":"REDACTED"`), append([]byte(`"Password":`), real...), 1)
		c.IBInfo = json.RawMessage(b)
	case map[string]any:
		c.IBInfo = revealMap(v)
	}
	return &c
}

func revealMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case secret.Secret:
			out[k] = x.Reveal()
		case map[string]any:
			out[k] = revealMap(x)
		default:
			out[k] = v
		}
	}
	return out
}
