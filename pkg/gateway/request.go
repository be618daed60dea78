package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

// Connector names a listening connector of the gateway.
type Connector string

// Listening connectors.
const (
	// ConnectorHTTP is HttpListeningConnector: the payload as the body.
	ConnectorHTTP Connector = "http"
	// ConnectorPeopleSoft is PeopleSoftListeningConnector: internal MIME.
	ConnectorPeopleSoft Connector = "peoplesoft"
	// ConnectorSOAP is PeopleSoftServiceListeningConnector: SOAP.
	ConnectorSOAP Connector = "soap"
)

// Paths of the connectors under the base URL.
const (
	PathHTTP       = "/HttpListeningConnector"
	PathPeopleSoft = "/PeopleSoftListeningConnector"
	PathSOAP       = "/PeopleSoftServiceListeningConnector"
)

// CredentialMode says where the HTTP listening connector's credentials go.
type CredentialMode string

// Credential modes of the HTTP connector.
const (
	// CredsHeaders sends OperationName, From, To, Password, ... as HTTP
	// headers with PeopleSoft's exact spellings.
	CredsHeaders CredentialMode = "headers"
	// CredsQuery sends them in the query string (Operation=...&From=...).
	CredsQuery CredentialMode = "query"
	// CredsBody wraps the payload in an IBRequest document that carries
	// them.
	CredsBody CredentialMode = "body"
)

// Request is one message to send.
type Request struct {
	// Connector is the listening connector; "" means ConnectorHTTP.
	Connector Connector
	// Mode places the credentials (HTTP connector only); "" means
	// CredsHeaders.
	Mode CredentialMode
	// Credentials are the operation, the nodes and the node password.
	// OperationName is required; From is required except for SOAP (the
	// gateway then uses ANONYMOUS).
	Credentials ibmsg.Credentials
	// Payload is the XML document, already UTF-8.
	Payload []byte
	// Header are extra HTTP headers, names sent exactly as given. They
	// replace generated headers of the same name (compared ignoring case);
	// "Host" sets the Host header.
	Header []ibmsg.HeaderField

	// SOAPVersion is the envelope version of the SOAP connector.
	SOAPVersion ibmsg.SOAPVersion
	// WSUser and WSPassword, when WSUser is set, go in a WS-Security
	// UsernameToken (SOAP connector only).
	WSUser     string
	WSPassword secret.Secret

	// Retries is how many times to retry a failure where nothing was
	// delivered (ClassTransport) or an HTTP 503/429 whose body is not an
	// IB answer; never anything else. 0 means no retry.
	Retries int
}

// RequestError reports a request that cannot be sent as given (exit 2).
// Nothing was sent.
type RequestError struct {
	Msg string
}

// Error returns "gateway: " and the message.
func (e *RequestError) Error() string { return "gateway: " + e.Msg }

func requestErrorf(format string, args ...any) *RequestError {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// prepared is a request rendered once, so that every attempt sends the same
// bytes (the same MIME Message-ID, for instance).
type prepared struct {
	op     string // for error messages: "post CHG_SYNC_TEST.v1"
	conn   Connector
	url    string
	host   string // Host header override, "" for the URL's
	header http.Header
	body   []byte
}

// newHTTPRequest builds a fresh *http.Request for one attempt. For the
// direct transport (direct set) the body is a payloadBody, whose bytes
// writeKnownRequest writes as they are; net/http's Transport gets a
// bytes.Reader, which it knows to send with the header in one write.
func (p *prepared) newHTTPRequest(ctx context.Context, direct bool) (*http.Request, error) {
	body := p.body
	if !direct || len(body) == 0 {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
		if err != nil {
			return nil, requestErrorf("cannot build the request: %v", err)
		}
		return p.finish(r), nil
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, nil)
	if err != nil {
		return nil, requestErrorf("cannot build the request: %v", err)
	}
	r.Body = newPayloadBody(body)
	r.GetBody = func() (io.ReadCloser, error) { return newPayloadBody(body), nil }
	r.ContentLength = int64(len(body))
	return p.finish(r), nil
}

// finish sets what every attempt's request shares.
func (p *prepared) finish(r *http.Request) *http.Request {
	// Shared by the attempts, not copied: neither the client, nor either
	// transport, nor psib changes a request's header once it is built.
	r.Header = p.header
	if p.host != "" {
		r.Host = p.host
	}
	return r
}

// BuildHTTP returns the exact HTTP request Post would send first (for
// --dry-run). Invalid input is a *RequestError. The request carries
// context.Background(); its body can be read again through GetBody.
func (c *Client) BuildHTTP(req *Request) (*http.Request, error) {
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	return p.newHTTPRequest(context.Background(), false)
}

// prepare validates req and renders it for its connector.
func (c *Client) prepare(req *Request) (*prepared, error) {
	if req == nil {
		return nil, requestErrorf("no request")
	}
	conn := req.Connector
	if conn == "" {
		conn = ConnectorHTTP
	}
	mode := req.Mode
	if mode == "" {
		mode = CredsHeaders
	}
	cr := req.Credentials
	switch conn {
	case ConnectorHTTP, ConnectorPeopleSoft, ConnectorSOAP:
	default:
		return nil, requestErrorf("connector %q: use http, peoplesoft or soap", req.Connector)
	}
	switch mode {
	case CredsHeaders, CredsQuery, CredsBody:
	default:
		return nil, requestErrorf("credentials mode %q: use headers, query or body", req.Mode)
	}
	if conn != ConnectorHTTP && mode != CredsHeaders {
		return nil, requestErrorf("credentials mode %q applies to the http connector only (the %s connector has its own places for them)", mode, conn)
	}
	if req.WSUser != "" && conn != ConnectorSOAP {
		return nil, requestErrorf("a WS-Security user applies to the soap connector only")
	}
	if req.WSUser == "" && !req.WSPassword.IsZero() {
		return nil, requestErrorf("a WS-Security password needs a WS-Security user")
	}
	if req.Retries < 0 {
		return nil, requestErrorf("retries %d: use 0 or more", req.Retries)
	}
	if req.SOAPVersion != ibmsg.SOAP11 && req.SOAPVersion != ibmsg.SOAP12 {
		return nil, requestErrorf("SOAP version %d: use 1.1 or 1.2", int(req.SOAPVersion))
	}
	ping := strings.EqualFold(cr.OperationType, "ping")
	if err := validateCredentials(cr, conn, ping); err != nil {
		return nil, err
	}

	p := &prepared{op: opName(cr, ping), conn: conn, header: http.Header{}}
	p.header["User-Agent"] = []string{c.opts.UserAgent}
	if c.user != nil {
		pw, _ := c.user.Password()
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(c.user.Username(), pw)
		p.header["Authorization"] = r.Header["Authorization"]
	}
	var err error
	switch conn {
	case ConnectorHTTP:
		err = c.prepareHTTP(p, req, mode)
	case ConnectorPeopleSoft:
		err = c.preparePeopleSoft(p, req)
	case ConnectorSOAP:
		err = c.prepareSOAP(p, req)
	}
	if err != nil {
		return nil, err
	}
	if err := applyExtraHeaders(p, req.Header); err != nil {
		return nil, err
	}
	return p, nil
}

func opName(cr ibmsg.Credentials, ping bool) string {
	if ping {
		if cr.To != "" {
			return "ping " + cr.To
		}
		return "ping"
	}
	return "post " + cr.OperationName
}

// validateCredentials checks what the connector needs, with
// ibmsg.Credentials.Validate's messages. A ping needs no operation; SOAP
// needs no From (ANONYMOUS).
func validateCredentials(cr ibmsg.Credentials, conn Connector, ping bool) error {
	check := cr
	if ping && check.OperationName == "" {
		check.OperationName = "ping"
	}
	if conn == ConnectorSOAP && check.From == "" {
		check.From = "ANONYMOUS"
	}
	if err := check.Validate(); err != nil {
		return &RequestError{Msg: strings.TrimPrefix(err.Error(), "ibmsg: ")}
	}
	if strings.ContainsAny(cr.OperationName, "\r\n\"") {
		return requestErrorf("operation name %q contains a quote or a line break", cr.OperationName)
	}
	for _, v := range []string{cr.OperationName, cr.OperationType, cr.From, cr.To, cr.ExternalMessageID, cr.NonRepudiation,
		cr.OrigUser, cr.OrigNode, cr.OrigProcess, cr.OrigTimeStamp, cr.FinalDestination, cr.SubQueue, cr.MessageName, cr.MessageVersion} {
		if !httpguts.ValidHeaderFieldValue(v) {
			return requestErrorf("credential value %q contains a control character", v)
		}
	}
	if !httpguts.ValidHeaderFieldValue(cr.Password.Reveal()) {
		return requestErrorf("the node password contains a control character")
	}
	return nil
}

func (c *Client) endpoint(path string) string {
	u := *c.base
	u.Path += path
	return u.String()
}

func (c *Client) prepareHTTP(p *prepared, req *Request, mode CredentialMode) error {
	p.url = c.endpoint(PathHTTP)
	p.header["Content-Type"] = []string{"text/xml; charset=UTF-8"}
	switch mode {
	case CredsHeaders:
		req.Credentials.SetHeaders(p.header)
		p.body = req.Payload
	case CredsQuery:
		p.url += "?" + req.Credentials.Query().Encode()
		p.body = req.Payload
	case CredsBody:
		p.body = (&ibmsg.Request{Credentials: req.Credentials, Data: req.Payload}).Marshal()
	}
	return nil
}

func (c *Client) preparePeopleSoft(p *prepared, req *Request) error {
	cr := req.Credentials
	now := c.now()
	msgType := strings.ToLower(cr.OperationType)
	if msgType == "" {
		msgType = "sync"
	}
	orig := cr.OrigTimeStamp
	if orig == "" {
		orig = ibmsg.FormatOrigTimestamp(now)
	}
	info := &ibmsg.IBInfo{
		MessageName:           ibmsg.CData(cr.OperationName),
		MessageType:           ibmsg.Text(msgType),
		ExternalOperationName: ibmsg.CData(cr.OperationName),
		ExternalMessageID:     ibmsg.CData(cr.ExternalMessageID),
		From: &ibmsg.From{
			RequestingNode: ibmsg.CData(cr.From),
			Password:       ibmsg.NodePassword{Secret: cr.Password},
			OrigUser:       ibmsg.CData(cr.OrigUser),
			OrigNode:       ibmsg.CData(cr.OrigNode),
			OrigProcess:    ibmsg.CData(cr.OrigProcess),
			OrigTimeStamp:  ibmsg.Text(orig),
		},
	}
	if cr.To != "" || cr.FinalDestination != "" {
		info.To = &ibmsg.To{DestinationNode: ibmsg.CData(cr.To), FinalDestinationNode: ibmsg.CData(cr.FinalDestination)}
	}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: now, Seq: int(c.seq.Add(1))})
	if len(req.Payload) > 0 {
		enc := ibmsg.ContentEncoding{}
		if msgType == "async" {
			// The gateway always sends async content compressed and
			// base64-encoded (seed 002); zlib is assumed.
			enc.Compression = ibmsg.CompressionZlib
		}
		m.AddSection(req.Payload, enc)
		if cr.NonRepudiation != "" {
			info.ContentSections.Sections[len(info.ContentSections.Sections)-1].NonRepudiation = ibmsg.Text(cr.NonRepudiation)
		}
	}
	body, err := m.Bytes()
	if err != nil {
		return requestErrorf("cannot encode the MIME message: %v", err)
	}
	p.url = c.endpoint(PathPeopleSoft)
	p.header["Content-Type"] = []string{m.Header.Get("Content-Type")}
	p.body = body
	return nil
}

func (c *Client) prepareSOAP(p *prepared, req *Request) error {
	cr := req.Credentials
	u := c.endpoint(PathSOAP)
	// The service listening connector reads Password from the query string
	// only ("in my testing headers are ignored", CM), so all node
	// credentials go there.
	if q := cr.Query(); len(q) > 0 {
		u += "?" + q.Encode()
	}
	p.url = u
	env := &ibmsg.Envelope{Version: req.SOAPVersion, Body: req.Payload}
	if req.WSUser != "" {
		env.Security = &ibmsg.UsernameToken{Username: req.WSUser, Password: req.WSPassword}
	}
	p.body = env.Marshal()
	if req.SOAPVersion == ibmsg.SOAP12 {
		p.header["Content-Type"] = []string{ibmsg.SOAPContentType(ibmsg.SOAP12, cr.OperationName)}
	} else {
		p.header["Content-Type"] = []string{ibmsg.SOAPContentType(ibmsg.SOAP11, "")}
		// Real clients quote the action (umn-asr's soap_request.rb).
		p.header["SOAPAction"] = []string{strconv.Quote(cr.OperationName)}
	}
	return nil
}

// applyExtraHeaders sets the caller's headers with their names as given,
// replacing generated headers of the same name; repeated names add values.
// User-Agent is kept in Go's spelling, the only one net/http writes once.
func applyExtraHeaders(p *prepared, extra []ibmsg.HeaderField) error {
	seen := map[string]bool{}
	for _, f := range extra {
		name := f.Name
		if strings.EqualFold(name, "User-Agent") {
			name = "User-Agent"
		}
		if !httpguts.ValidHeaderFieldName(name) {
			return requestErrorf("header name %q is not valid", name)
		}
		if !httpguts.ValidHeaderFieldValue(f.Value) {
			return requestErrorf("header %s: value contains a control character", name)
		}
		switch strings.ToLower(name) {
		case "host":
			p.host = f.Value
			continue
		case "content-length", "transfer-encoding", "connection", "trailer":
			return requestErrorf("header %s is set by the HTTP client and cannot be given", name)
		}
		if key := strings.ToLower(name); !seen[key] {
			for k := range p.header {
				if strings.EqualFold(k, name) {
					delete(p.header, k)
				}
			}
			seen[key] = true
		}
		p.header[name] = append(p.header[name], f.Value)
	}
	return nil
}
