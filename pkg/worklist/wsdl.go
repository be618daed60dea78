package worklist

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Namespaces of WSDL 1.1 and its SOAP bindings.
const (
	wsdlNS   = "http://schemas.xmlsoap.org/wsdl/"
	soap11NS = "http://schemas.xmlsoap.org/wsdl/soap/"
	soap12NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
)

// maxWSDLBytes bounds a WSDL document.
const maxWSDLBytes = 16 << 20

// WSDLError reports a WSDL psib cannot use. Nothing was sent.
type WSDLError struct {
	// Source is the file or URL; Msg says what is wrong.
	Source, Msg string
}

// Error reads "worklist: WSDL SOURCE: MSG".
func (e *WSDLError) Error() string { return "worklist: WSDL " + e.Source + ": " + e.Msg }

// wsdlOperation is a portType or binding operation.
type wsdlOperation struct {
	name, input, output, action string // input/output: message QNames resolved to local names
}

// wsdlDoc is what psib reads from a WSDL.
type wsdlDoc struct {
	targetNS  string
	messages  map[string]xml.Name // message name → part element
	portTypes map[string][]*wsdlOperation
	bindings  map[string]*wsdlBinding
	ports     []wsdlPort
}

type wsdlBinding struct {
	portType string
	soap12   bool // a SOAP 1.2 binding (soap12:binding)
	ops      []*wsdlOperation
}

type wsdlPort struct{ binding, location string }

// qname resolves a QName attribute value ("prefix:local") with the
// namespaces in scope.
func qname(v string, scope []map[string]string) xml.Name {
	prefix, local, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok {
		prefix, local = "", prefix
	}
	for i := len(scope) - 1; i >= 0; i-- {
		if uri, ok := scope[i][prefix]; ok {
			return xml.Name{Space: uri, Local: local}
		}
	}
	return xml.Name{Local: local}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// readWSDL walks the document once, keeping the namespace declarations in
// scope so that QName attribute values resolve.
func readWSDL(data []byte) (*wsdlDoc, error) {
	if err := ibmsg.CheckXML(data); err != nil {
		return nil, err
	}
	doc := &wsdlDoc{messages: map[string]xml.Name{}, portTypes: map[string][]*wsdlOperation{}, bindings: map[string]*wsdlBinding{}}
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		scope    []map[string]string
		path     []xml.Name // open elements
		message  string
		portType string
		binding  *wsdlBinding
		op       *wsdlOperation
		port     *wsdlPort
	)
	parent := func(n int) xml.Name { // n = 1: the element's parent
		if len(path) > n {
			return path[len(path)-1-n]
		}
		return xml.Name{}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			decl := map[string]string{}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					decl[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					decl[""] = a.Value
				}
			}
			scope = append(scope, decl)
			path = append(path, t.Name)
			in := func(space, local string) bool { p := parent(1); return p.Space == space && p.Local == local }
			switch {
			case t.Name.Space == wsdlNS && t.Name.Local == "definitions" && len(path) == 1:
				doc.targetNS = attr(t, "targetNamespace")
			case t.Name.Space == wsdlNS && t.Name.Local == "message":
				message = attr(t, "name")
			case t.Name.Space == wsdlNS && t.Name.Local == "part" && message != "":
				if el := attr(t, "element"); el != "" {
					if _, seen := doc.messages[message]; !seen {
						doc.messages[message] = qname(el, scope)
					}
				}
			case t.Name.Space == wsdlNS && t.Name.Local == "portType":
				portType = attr(t, "name")
			case t.Name.Space == wsdlNS && t.Name.Local == "binding":
				binding = &wsdlBinding{portType: qname(attr(t, "type"), scope).Local}
				doc.bindings[attr(t, "name")] = binding
			case t.Name.Space == wsdlNS && t.Name.Local == "operation" && in(wsdlNS, "portType"):
				op = &wsdlOperation{name: attr(t, "name")}
				doc.portTypes[portType] = append(doc.portTypes[portType], op)
			case t.Name.Space == wsdlNS && t.Name.Local == "operation" && in(wsdlNS, "binding") && binding != nil:
				op = &wsdlOperation{name: attr(t, "name")}
				binding.ops = append(binding.ops, op)
			case t.Name.Space == wsdlNS && (t.Name.Local == "input" || t.Name.Local == "output") && op != nil && portType != "" && binding == nil:
				m := qname(attr(t, "message"), scope).Local
				if t.Name.Local == "input" {
					op.input = m
				} else {
					op.output = m
				}
			case t.Name.Space == soap12NS && t.Name.Local == "binding" && binding != nil:
				binding.soap12 = true
			case (t.Name.Space == soap11NS || t.Name.Space == soap12NS) && t.Name.Local == "operation" && op != nil && binding != nil:
				op.action = attr(t, "soapAction")
			case t.Name.Space == wsdlNS && t.Name.Local == "port":
				doc.ports = append(doc.ports, wsdlPort{binding: qname(attr(t, "binding"), scope).Local})
				port = &doc.ports[len(doc.ports)-1]
			case (t.Name.Space == soap11NS || t.Name.Space == soap12NS) && t.Name.Local == "address" && port != nil:
				port.location = attr(t, "location")
			}
		case xml.EndElement:
			switch {
			case t.Name.Space == wsdlNS && t.Name.Local == "message":
				message = ""
			case t.Name.Space == wsdlNS && t.Name.Local == "portType":
				portType = ""
			case t.Name.Space == wsdlNS && t.Name.Local == "binding":
				binding = nil
			case t.Name.Space == wsdlNS && t.Name.Local == "operation":
				op = nil
			case t.Name.Space == wsdlNS && t.Name.Local == "port":
				port = nil
			}
			scope = scope[:len(scope)-1]
			path = path[:len(path)-1]
		}
	}
	return doc, nil
}

// ParseWSDL reads a PT_WORKLIST WSDL (source names it in errors): each
// operation's soapAction (its external alias, e.g. CREATE_WORKLIST_ITEM.v1,
// while the operation's name has no version), the request and reply
// elements with their namespaces, the target namespace and the service
// address. The operations are recognised by their request element
// (CreateWorklistEntryData, GetWorklistEntryStatusData), else by their
// name. A WSDL without them is a *WSDLError.
func ParseWSDL(source string, data []byte) (*Service, error) {
	werr := func(format string, args ...any) error {
		return &WSDLError{Source: source, Msg: fmt.Sprintf(format, args...)}
	}
	data, err := ibmsg.ToUTF8XML(data)
	if err != nil {
		return nil, werr("%v", err)
	}
	doc, err := readWSDL(data)
	if err != nil {
		if errors.Is(err, ibmsg.ErrUnsafeXML) {
			return nil, werr("refused: it carries a DOCTYPE declaration")
		}
		return nil, werr("not well-formed XML: %s", strings.TrimPrefix(err.Error(), "ibmsg: "))
	}
	if len(doc.bindings) == 0 && len(doc.portTypes) == 0 {
		return nil, werr("not a WSDL 1.1 document (no wsdl:binding or wsdl:portType in %s)", wsdlNS)
	}
	// The binding a port uses, else the first SOAP binding.
	var b *wsdlBinding
	location := ""
	for _, p := range doc.ports {
		if x := doc.bindings[p.binding]; x != nil {
			b, location = x, p.location
			break
		}
	}
	if b == nil {
		for _, x := range doc.bindings {
			if b == nil || x.portType < b.portType {
				b = x
			}
		}
	}
	if b == nil {
		return nil, werr("no wsdl:binding: psib needs the soapAction of each operation")
	}
	ops := doc.portTypes[b.portType]
	abstract := func(name string) *wsdlOperation {
		for _, o := range ops {
			if o.name == name {
				return o
			}
		}
		return &wsdlOperation{}
	}
	s := Service{TargetNamespace: doc.targetNS, Location: location}
	if b.soap12 {
		s.SOAPVersion = ibmsg.SOAP12
	}
	def := DefaultService()
	var create, status *wsdlOperation
	for _, o := range b.ops {
		a := abstract(o.name)
		switch in := doc.messages[a.input].Local; {
		case in == ibmsg.WLCreateRequestRoot, in == "" && o.name == ibmsg.WLCreateOperation:
			if create == nil {
				create = o
				s.CreateOperation, s.CreateAction = o.name, o.action
				s.CreateRequest = doc.messages[a.input]
			}
		case in == ibmsg.WLStatusRequestRoot, in == "" && o.name == ibmsg.WLStatusOperation:
			if status == nil {
				status = o
				s.StatusOperation, s.StatusAction = o.name, o.action
				s.StatusRequest, s.StatusResponse = doc.messages[a.input], doc.messages[a.output]
			}
		}
	}
	if create == nil && status == nil {
		return nil, werr("no PT_WORKLIST operation: no binding operation takes %s or %s (is this the PT_WORKLIST WSDL?)",
			ibmsg.WLCreateRequestRoot, ibmsg.WLStatusRequestRoot)
	}
	fill := func(n *xml.Name, d xml.Name) {
		if n.Local == "" {
			*n = d
		}
	}
	if create != nil && s.CreateAction == "" {
		return nil, werr("operation %s has no soapAction: psib needs it as the operation's external alias", create.name)
	}
	if status != nil && s.StatusAction == "" {
		return nil, werr("operation %s has no soapAction: psib needs it as the operation's external alias", status.name)
	}
	if create == nil {
		s.CreateOperation, s.CreateAction = def.CreateOperation, def.CreateAction
	}
	if status == nil {
		s.StatusOperation, s.StatusAction = def.StatusOperation, def.StatusAction
	}
	fill(&s.CreateRequest, def.CreateRequest)
	fill(&s.StatusRequest, def.StatusRequest)
	fill(&s.StatusResponse, def.StatusResponse)
	// The create reply is the callback's input: its element is in the
	// WSDL's messages when the WSDL has one.
	s.CreateResponse = def.CreateResponse
	for _, el := range doc.messages {
		if el.Local == ibmsg.WLCreateResponseRoot {
			s.CreateResponse = el
		}
	}
	return &s, nil
}

// FetchWSDL reads a WSDL over HTTP(S) with hc (nil: a default client).
// Errors name the URL without user information, and with any password in
// its query string REDACTED.
func FetchWSDL(ctx context.Context, hc *http.Client, rawURL string) ([]byte, error) {
	shown := ibmsg.RedactURL(rawURL)
	if hc == nil {
		hc = &http.Client{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &WSDLError{Source: shown, Msg: "not a valid URL"}
	}
	req.Header.Set("Accept", "text/xml, application/xml, */*")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &FetchError{URL: shown, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxWSDLBytes+1))
	if err != nil {
		return nil, &FetchError{URL: shown, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &FetchError{URL: shown, Status: resp.StatusCode}
	}
	if len(data) > maxWSDLBytes {
		return nil, &WSDLError{Source: shown, Msg: fmt.Sprintf("larger than %d MiB", maxWSDLBytes>>20)}
	}
	return data, nil
}

// FetchError is a WSDL that could not be downloaded. Nothing was sent to
// PT_WORKLIST.
type FetchError struct {
	URL    string // without user information or query string
	Status int    // the HTTP status, 0 when there was no answer
	Err    error  // the network error, if any
}

// Error says what failed and what to check.
func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("worklist: GET %s: HTTP %d %s (is the WSDL URL right? PeopleSoft serves it at .../PSIGW/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl)",
			e.URL, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("worklist: GET %s: %v", e.URL, e.Err)
}

// Unwrap returns Err.
func (e *FetchError) Unwrap() error { return e.Err }
