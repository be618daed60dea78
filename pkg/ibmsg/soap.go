package ibmsg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"

	"github.com/psib-dev/psib/pkg/secret"
)

// SOAPVersion is the SOAP version of an envelope. The zero value is SOAP 1.1.
type SOAPVersion int

// SOAP versions the PeopleSoft service listening connector accepts.
const (
	SOAP11 SOAPVersion = iota
	SOAP12
)

// String returns "1.1" or "1.2".
func (v SOAPVersion) String() string {
	if v == SOAP12 {
		return "1.2"
	}
	return "1.1"
}

// Namespace returns the envelope namespace of the version.
func (v SOAPVersion) Namespace() string {
	if v == SOAP12 {
		return SOAP12Namespace
	}
	return SOAP11Namespace
}

// WSSecurityNamespace is the WS-Security 1.0 (OASIS 2004) namespace of the
// Security header and its UsernameToken (samples/13).
const WSSecurityNamespace = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

// xsiNamespace is XML Schema instance's: xsi:type values name QNames whose
// prefixes must stay declared when a payload leaves its envelope.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// UsernameToken is a WS-Security UsernameToken: the PeopleSoft user (not
// the node) a SOAP request runs as.
type UsernameToken struct {
	Username string
	Password secret.Secret
}

// Envelope is a SOAP 1.1 or 1.2 envelope as the PeopleSoft service
// listening connector reads and writes it.
type Envelope struct {
	Version SOAPVersion
	// Security is the WS-Security UsernameToken of the Header, if any.
	Security *UsernameToken
	// Body is the content of soap:Body: the payload element exactly as
	// sent, made a standalone document. Namespace prefixes the payload
	// used but inherited from the Envelope or Body are declared again on
	// its root, so Body parses on its own.
	Body []byte
}

// ParseEnvelope reads a SOAP envelope. The version comes from the
// envelope's namespace. A well-formed document that is not a SOAP 1.1 or
// 1.2 Envelope is ErrNotIB; DTDs are refused (ErrUnsafeXML); malformed XML
// is a *SyntaxError.
func ParseEnvelope(data []byte) (*Envelope, error) {
	const what = "SOAP envelope"
	data, err := utf8Document(data)
	if err != nil {
		return nil, &SyntaxError{What: what, Msg: err.Error()}
	}
	if err := refuseDTD(data); err != nil {
		return nil, xmlError(what, err)
	}
	p := &envelopeParser{data: data, d: xml.NewDecoder(bytes.NewReader(data))}
	p.d.Strict = true
	env, err := p.parse()
	if err != nil {
		if errors.Is(err, ErrNotIB) {
			// Well-formedness first: a broken document is a syntax
			// error even when its root already shows it is not SOAP.
			if cerr := CheckXML(data); cerr != nil {
				return nil, cerr
			}
			return nil, err
		}
		var se *SyntaxError
		if errors.Is(err, ErrUnsafeXML) || errors.As(err, &se) {
			return nil, err
		}
		return nil, xmlError(what, err)
	}
	return env, nil
}

// nsDecl is a namespace declaration in scope: prefix ("" for the default
// namespace) bound to uri by the element at depth.
type nsDecl struct {
	prefix, uri string
	depth       int
}

// envelopeParser walks an envelope with RawToken, resolving namespaces
// itself so that it knows both the prefixes as written (to re-declare them
// on the payload) and what they mean.
type envelopeParser struct {
	data  []byte
	d     *xml.Decoder
	ns    []nsDecl
	stack []xml.Name // open elements, names as written

	env        *Envelope
	bodyDepth  int // depth of soap:Body while inside it, else 0
	bodyStart  int64
	bodyEnd    int64
	inserts    []bodyInsert
	headerPath []string // local names below soap:Header
	inHeader   bool
}

// bodyInsert adds namespace declarations to a payload root's start tag.
type bodyInsert struct {
	at    int64
	decls map[string]string
	order []string
}

func (p *envelopeParser) lookup(prefix string) (string, int, bool) {
	switch prefix {
	case "xml":
		return "http://www.w3.org/XML/1998/namespace", 0, true
	case "xmlns":
		return "", 0, true
	}
	for i := len(p.ns) - 1; i >= 0; i-- {
		if p.ns[i].prefix == prefix {
			return p.ns[i].uri, p.ns[i].depth, true
		}
	}
	return "", 0, prefix == ""
}

func (p *envelopeParser) syntax(msg string) error {
	line, _ := p.d.InputPos()
	return &SyntaxError{What: "SOAP envelope", Line: line, Msg: msg}
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func (p *envelopeParser) parse() (*Envelope, error) {
	sawRoot, sawBody := false, false
	for {
		before := p.d.InputOffset()
		tok, err := p.d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				line, _ := p.d.InputPos()
				return nil, fmt.Errorf("SOAP envelope: %w (line %d)", ErrUnsafeXML, line)
			}
		case xml.StartElement:
			if len(p.stack) == 0 && sawRoot {
				return nil, p.syntax("content after the Envelope element")
			}
			sawRoot = true
			depth := len(p.stack) + 1
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					p.ns = append(p.ns, nsDecl{a.Name.Local, a.Value, depth})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					p.ns = append(p.ns, nsDecl{"", a.Value, depth})
				}
			}
			p.stack = append(p.stack, t.Name)
			uri, _, ok := p.lookup(t.Name.Space)
			if !ok {
				return nil, p.syntax(fmt.Sprintf("namespace prefix %q of <%s> is not declared", t.Name.Space, rawName(t.Name)))
			}
			if err := p.start(t, depth, uri, before); err != nil {
				return nil, err
			}
			if t.Name.Local == "Body" && depth == 2 && uri == p.env.Version.Namespace() {
				sawBody = true
			}
		case xml.EndElement:
			if len(p.stack) == 0 || rawName(p.stack[len(p.stack)-1]) != rawName(t.Name) {
				return nil, p.syntax(fmt.Sprintf("unexpected end element </%s>", rawName(t.Name)))
			}
			depth := len(p.stack)
			if depth == p.bodyDepth {
				p.bodyEnd = before
				p.bodyDepth = 0
			}
			if depth == 2 {
				p.inHeader = false
			}
			if p.inHeader && len(p.headerPath) > 0 {
				p.headerPath = p.headerPath[:len(p.headerPath)-1]
			}
			p.stack = p.stack[:depth-1]
			for len(p.ns) > 0 && p.ns[len(p.ns)-1].depth == depth {
				p.ns = p.ns[:len(p.ns)-1]
			}
		case xml.CharData:
			if p.inHeader {
				p.headerText(string(t))
			}
		}
	}
	if !sawRoot {
		return nil, &SyntaxError{What: "SOAP envelope", Msg: "no XML element found (empty, or text only)"}
	}
	if len(p.stack) > 0 {
		return nil, p.syntax(fmt.Sprintf("unexpected end of document: <%s> is not closed", rawName(p.stack[len(p.stack)-1])))
	}
	if !sawBody {
		return nil, &SyntaxError{What: "SOAP envelope", Msg: "the Envelope has no Body"}
	}
	p.env.Body = p.body()
	return p.env, nil
}

// start handles a start element at depth (the root is depth 1) whose
// namespace is uri; before is its offset in the input.
func (p *envelopeParser) start(t xml.StartElement, depth int, uri string, before int64) error {
	switch {
	case depth == 1:
		if t.Name.Local != "Envelope" {
			return fmt.Errorf("%w: root element <%s>, not a SOAP Envelope", ErrNotIB, t.Name.Local)
		}
		switch uri {
		case SOAP11Namespace:
			p.env = &Envelope{Version: SOAP11}
		case SOAP12Namespace:
			p.env = &Envelope{Version: SOAP12}
		default:
			return fmt.Errorf("%w: Envelope in namespace %q is neither SOAP 1.1 nor SOAP 1.2", ErrNotIB, uri)
		}
	case depth == 2 && uri == p.env.Version.Namespace():
		switch t.Name.Local {
		case "Header":
			p.inHeader = true
			p.headerPath = p.headerPath[:0]
		case "Body":
			p.bodyDepth = depth
			p.bodyStart = p.d.InputOffset()
			p.bodyEnd = p.bodyStart
		}
	case p.inHeader:
		p.headerPath = append(p.headerPath, t.Name.Local)
	case p.bodyDepth != 0:
		if depth == p.bodyDepth+1 {
			p.inserts = append(p.inserts, bodyInsert{at: before + 1 + int64(len(rawName(t.Name))), decls: map[string]string{}})
		}
		p.needPrefix(t.Name.Space, true)
		for _, a := range t.Attr {
			if a.Name.Space == "" || a.Name.Space == "xmlns" {
				continue
			}
			p.needPrefix(a.Name.Space, false)
			if a.Name.Local == "type" {
				if auri, _, _ := p.lookup(a.Name.Space); auri == xsiNamespace {
					if pre, _, ok := strings.Cut(a.Value, ":"); ok {
						p.needPrefix(strings.TrimSpace(pre), false)
					}
				}
			}
		}
	}
	return nil
}

// needPrefix records that the current payload uses prefix; when its
// declaration is outside the payload, the payload root re-declares it.
// The default namespace matters for element names only.
func (p *envelopeParser) needPrefix(prefix string, element bool) {
	if prefix == "xml" || (prefix == "" && !element) || len(p.inserts) == 0 {
		return
	}
	uri, depth, ok := p.lookup(prefix)
	if !ok || depth > p.bodyDepth {
		return
	}
	if prefix == "" && uri == "" {
		return // no default namespace anywhere: nothing to declare
	}
	ins := &p.inserts[len(p.inserts)-1]
	if _, seen := ins.decls[prefix]; !seen {
		ins.decls[prefix] = uri
		ins.order = append(ins.order, prefix)
	}
}

// headerText collects the UsernameToken of a WS-Security header. Element
// names are matched by local name, whatever the prefix.
func (p *envelopeParser) headerText(s string) {
	n := len(p.headerPath)
	if n < 3 || p.headerPath[n-2] != "UsernameToken" || p.headerPath[n-3] != "Security" {
		return
	}
	if p.env.Security == nil {
		p.env.Security = &UsernameToken{}
	}
	switch p.headerPath[n-1] {
	case "Username":
		p.env.Security.Username = strings.TrimSpace(p.env.Security.Username + s)
	case "Password":
		p.env.Security.Password = secret.New(strings.TrimSpace(p.env.Security.Password.Reveal() + s))
	}
}

// body returns the Body content with the namespace declarations inserted.
func (p *envelopeParser) body() []byte {
	if p.bodyEnd <= p.bodyStart {
		return nil
	}
	var b bytes.Buffer
	pos := p.bodyStart
	for _, ins := range p.inserts {
		b.Write(p.data[pos:ins.at])
		for _, prefix := range ins.order {
			if prefix == "" {
				fmt.Fprintf(&b, ` xmlns="%s"`, escapeAttr(ins.decls[prefix]))
			} else {
				fmt.Fprintf(&b, ` xmlns:%s="%s"`, prefix, escapeAttr(ins.decls[prefix]))
			}
		}
		pos = ins.at
	}
	b.Write(p.data[pos:p.bodyEnd])
	return bytes.TrimSpace(b.Bytes())
}

// utf8Document returns data as UTF-8 without a byte-order mark (see
// ToUTF8XML), so that byte offsets in it are offsets in UTF-8.
func utf8Document(data []byte) ([]byte, error) { return ToUTF8XML(data) }

func escapeAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&quot;")
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*`)

// stripXMLDecl removes a leading byte-order mark and XML declaration, so
// that a document can be embedded in another.
func stripXMLDecl(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if loc := xmlDecl.FindIndex(b); loc != nil {
		b = b[loc[1]:]
	}
	return bytes.TrimSpace(b)
}

// Marshal writes the envelope with the soapenv prefix, a WS-Security
// header when Security is set (the password in clear, as the
// UsernameToken profile's PasswordText sends it), and Body inside
// soapenv:Body (its XML declaration, if any, removed).
//
// encoding/xml cannot choose namespace prefixes (golang/go#9519), so the
// envelope is written by hand.
func (e *Envelope) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(&b, "<soapenv:Envelope xmlns:soapenv=\"%s\">\n", e.Version.Namespace())
	if e.Security != nil {
		b.WriteString("  <soapenv:Header>\n")
		fmt.Fprintf(&b, "    <wsse:Security soapenv:mustUnderstand=\"1\" xmlns:wsse=\"%s\">\n", WSSecurityNamespace)
		b.WriteString("      <wsse:UsernameToken>\n")
		fmt.Fprintf(&b, "        <wsse:Username>%s</wsse:Username>\n", escapeText(e.Security.Username))
		fmt.Fprintf(&b, "        <wsse:Password>%s</wsse:Password>\n", escapeText(e.Security.Password.Reveal()))
		b.WriteString("      </wsse:UsernameToken>\n")
		b.WriteString("    </wsse:Security>\n")
		b.WriteString("  </soapenv:Header>\n")
	}
	body := stripXMLDecl(e.Body)
	if len(body) == 0 {
		b.WriteString("  <soapenv:Body/>\n")
	} else {
		b.WriteString("  <soapenv:Body>\n")
		b.Write(body)
		b.WriteString("\n  </soapenv:Body>\n")
	}
	b.WriteString("</soapenv:Envelope>\n")
	return b.Bytes()
}

// SOAPContentType is the Content-Type of a SOAP message: text/xml for
// SOAP 1.1 (the action goes in the SOAPAction header), application/soap+xml
// with the action parameter for SOAP 1.2 (no parameter when action is "").
func SOAPContentType(v SOAPVersion, action string) string {
	if v == SOAP12 {
		if action == "" {
			return "application/soap+xml; charset=UTF-8"
		}
		return `application/soap+xml; charset=UTF-8; action="` + strings.ReplaceAll(action, `"`, `\"`) + `"`
	}
	return "text/xml; charset=UTF-8"
}

// SOAPRequestAction reads a SOAP request's version and action from its
// Content-Type and SOAPAction header values: application/soap+xml is SOAP
// 1.2 with the action in the content type's action parameter, anything
// else SOAP 1.1. A SOAPAction header, quoted or not, wins when it is not
// empty.
func SOAPRequestAction(contentType, soapAction string) (SOAPVersion, string) {
	v, action := SOAP11, ""
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && mt == "application/soap+xml" {
		v, action = SOAP12, strings.TrimSpace(params["action"])
	} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/soap+xml") {
		v = SOAP12
	}
	if a := strings.Trim(strings.TrimSpace(soapAction), `"`); a != "" {
		action = strings.TrimSpace(a)
	}
	return v, action
}

// EncodedSOAPActionPrefix starts the encoded SOAPAction form the service
// listening connector reads before any other parameter:
// http://peoplesoft.com/OperationName/RequestingNode/Password/DestinationNode.
const EncodedSOAPActionPrefix = "http://peoplesoft.com/"

// ParseEncodedSOAPAction reads the encoded SOAPAction form into
// credentials (OperationName, From, Password, To; missing or empty
// segments stay empty). ok is false when action is not in that form.
func ParseEncodedSOAPAction(action string) (c Credentials, ok bool) {
	action = strings.TrimSpace(action)
	if len(action) < len(EncodedSOAPActionPrefix) || !strings.EqualFold(action[:len(EncodedSOAPActionPrefix)], EncodedSOAPActionPrefix) {
		return c, false
	}
	parts := strings.SplitN(action[len(EncodedSOAPActionPrefix):], "/", 4)
	seg := func(i int) string {
		if i >= len(parts) {
			return ""
		}
		s, err := url.PathUnescape(parts[i])
		if err != nil {
			s = parts[i]
		}
		return strings.TrimSpace(s)
	}
	c.OperationName, c.From, c.To = seg(0), seg(1), seg(3)
	c.Password = secret.New(seg(2))
	return c, c.OperationName != ""
}

// MarshalSOAP12Fault wraps the response in a SOAP 1.2 fault, the 1.2
// counterpart of MarshalSOAPFault: Code/Value soapenv:Receiver, Reason/Text
// "null" (as the 1.1 faultstring), and the IBResponse (xmlns="") inside
// Detail. PeopleSoft's SOAP 1.2 fault was not captured publicly: this
// shape is assumed.
func (r *Response) MarshalSOAP12Fault() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?>\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + SOAP12Namespace + "\">\n")
	b.WriteString("  <soapenv:Body>\n    <soapenv:Fault>\n")
	b.WriteString("      <soapenv:Code>\n        <soapenv:Value>soapenv:Receiver</soapenv:Value>\n      </soapenv:Code>\n")
	b.WriteString("      <soapenv:Reason>\n        <soapenv:Text xml:lang=\"en\">null</soapenv:Text>\n      </soapenv:Reason>\n")
	b.WriteString("      <soapenv:Detail>\n")
	r.writeElement(&b, `""`)
	b.WriteString("      </soapenv:Detail>\n    </soapenv:Fault>\n  </soapenv:Body>\n</soapenv:Envelope>\n")
	return b.Bytes()
}

// MarshalSOAPFaultFor writes the fault of the given version.
func (r *Response) MarshalSOAPFaultFor(v SOAPVersion) []byte {
	if v == SOAP12 {
		return r.MarshalSOAP12Fault()
	}
	return r.MarshalSOAPFault()
}
