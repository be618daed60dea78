package emulator

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

// anonymousNode is the node of web-service requests that name none.
const anonymousNode = "ANONYMOUS"

// serviceListening is the PeopleSoftServiceListeningConnector: SOAP 1.1
// and 1.2 in, the handler's reply wrapped in SOAP out, errors as SOAP
// faults wrapping an IBResponse; GET serves WSDL, schemas and WSIL.
//
// Parameters are read in the connector's order (Chris Malek, PSSLC page):
// the SOAPAction (or SOAP 1.2 action), also in its encoded form
// http://peoplesoft.com/OperationName/RequestingNode/Password/DestinationNode;
// then the HTTP listening connector's headers (not Password, which works in
// the query string only); then the query string (Operation, From, To,
// Password, ...); then the path /<REMOTENODE>, which gives the destination
// node only. A request without a node comes from ANONYMOUS.
func (s *Server) serviceListening(w http.ResponseWriter, r *http.Request) {
	const name = "PeopleSoftServiceListeningConnector"
	var segs []string
	for _, p := range strings.Split(strings.TrimPrefix(r.URL.Path, PathService), "/") {
		if p != "" {
			segs = append(segs, p)
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.serviceGet(w, r, segs)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, errorPage(http.StatusMethodNotAllowed, "Method Not Allowed"))
		return
	}

	h, exact := requestHeader(r)
	if !exact {
		h = foldKnown(h)
	}
	version, action := ibmsg.SOAPRequestAction(h.Get("Content-Type"), h.Get("SOAPAction"))
	body, err := s.readBody(r)
	if err != nil {
		s.soapFault(w, name, version, statusGatewayError(err.Error()), "")
		return
	}
	s.logHTTPIn(name, r, h, body)
	faults, err := faultsOf(h)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	env, err := ibmsg.ParseEnvelope(body)
	if err != nil {
		// Malformed XML is the XML parser error 159/5 as the app server
		// reports it; well-formed XML that is not SOAP is the gateway's
		// 158/10408 (both assumed for this connector).
		st := ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}
		if errors.Is(err, ibmsg.ErrNotIB) {
			st = statusGatewayError("the request is not a SOAP envelope: " + err.Error())
		}
		s.soapFault(w, name, version, st, "")
		return
	}
	version = env.Version

	creds := serviceCredentials(h, r.URL.Query(), action, segs)
	plan := s.plan(creds.OperationName, faults)
	if s.failBefore(w, r, plan, func(st ibmsg.Status) { s.soapFault(w, name, version, st, "") }) {
		return
	}

	c := &Call{Operation: creds.OperationName, Type: strings.ToLower(creds.OperationType), From: creds.From, To: creds.To,
		Password: creds.Password.Reveal(), ExternalMessageID: creds.ExternalMessageID, Payload: env.Body, Connector: "service", Received: s.clock()}
	if env.Security != nil {
		// The UsernameToken names the user the request runs as; process
		// checks its password against the configured user passwords.
		c.User = env.Security.Username
		c.UserPassword = env.Security.Password.Reveal()
		c.UserToken = true
	}
	res := s.process(r.Context(), c)
	s.logExchange(c, PathService, res)
	if plan.resetAfter {
		reset(w)
		return
	}
	switch {
	case res.Status != nil:
		s.soapFault(w, name, version, *res.Status, res.TransactionID)
	case c.Type == "sync":
		s.soapAnswer(w, name, version, (&ibmsg.Envelope{Version: version, Body: res.Body}).Marshal(), "")
	default:
		// Async acknowledgement (or ping): the HTTP listening connector's
		// IBResponse, wrapped in SOAP as the connector wraps every
		// non-SOAP answer (assumed).
		ack := ibmsg.NewSuccessResponse(res.TransactionID).Marshal()
		s.soapAnswer(w, name, version, (&ibmsg.Envelope{Version: version, Body: ack}).Marshal(), res.TransactionID)
	}
}

// serviceCredentials merges the connector's parameter sources, first
// source first.
func serviceCredentials(h ibmsg.Header, q url.Values, action string, segs []string) ibmsg.Credentials {
	var first ibmsg.Credentials
	if enc, ok := ibmsg.ParseEncodedSOAPAction(action); ok {
		first = enc
	} else {
		first.OperationName = action
	}
	fromHeaders := ibmsg.CredentialsFromHeader(h)
	fromHeaders.Password = secret.Secret{}
	creds := first.Merge(fromHeaders).Merge(ibmsg.CredentialsFromQuery(q))
	if creds.To == "" && len(segs) > 0 {
		creds.To = segs[0]
	}
	if creds.From == "" {
		creds.From = anonymousNode
	}
	return creds
}

// soapAnswer writes a SOAP answer with HTTP 200.
func (s *Server) soapAnswer(w http.ResponseWriter, connector string, v ibmsg.SOAPVersion, body []byte, txid string) {
	s.soapWrite(w, connector, v, http.StatusOK, body, txid)
}

// soapFault writes a status as a SOAP fault wrapping an IBResponse, with
// HTTP 500 (SOAP 1.1's status for a fault; PeopleSoft's was not captured:
// assumed).
func (s *Server) soapFault(w http.ResponseWriter, connector string, v ibmsg.SOAPVersion, st ibmsg.Status, txid string) {
	resp := ibmsg.NewErrorResponse(st)
	resp.Form = "soap-fault"
	s.soapWrite(w, connector, v, http.StatusInternalServerError, resp.MarshalSOAPFaultFor(v), txid)
}

func (s *Server) soapWrite(w http.ResponseWriter, connector string, v ibmsg.SOAPVersion, status int, body []byte, txid string) {
	w.Header().Set("Content-Type", ibmsg.SOAPContentType(v, ""))
	if txid != "" && txid != "null" {
		w.Header()[ibmsg.HeaderTransactionID] = []string{txid}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.logHTTPOut(connector, status, w.Header(), body)
}

// serviceGet answers GET: ?Operation=GetWSDL&wsdl=NAME,
// ?Operation=GetSchema&xsd=NAME, ?Operation=GetWSIL, and the path forms
// [/<REMOTENODE>]/NAME.wsdl, [/<REMOTENODE>]/NAME.xsd and
// [/<REMOTENODE>]/inspection.wsil. The bare connector answers the gateway
// status page (assumed, as the PeopleSoft listening connector does);
// anything else is the web server's 404 page.
func (s *Server) serviceGet(w http.ResponseWriter, r *http.Request, segs []string) {
	q := r.URL.Query()
	op := q.Get(ibmsg.QueryOperation)
	var node, kind, name string
	switch {
	case strings.EqualFold(op, "GetWSDL"):
		kind, name = "wsdl", q.Get("wsdl")
	case strings.EqualFold(op, "GetSchema"):
		kind, name = "xsd", q.Get("xsd")
	case strings.EqualFold(op, "GetWSIL"):
		kind = "wsil"
	case op == "" && len(segs) == 0:
		s.statusPage(w)
		return
	case op == "" && len(segs) <= 2:
		last := segs[len(segs)-1]
		if len(segs) == 2 {
			node = segs[0]
		}
		switch {
		case strings.HasSuffix(last, ".wsdl"):
			kind, name = "wsdl", strings.TrimSuffix(last, ".wsdl")
		case strings.HasSuffix(last, ".xsd"):
			kind, name = "xsd", strings.TrimSuffix(last, ".xsd")
		case last == "inspection.wsil":
			kind = "wsil"
		}
	}
	if node == "" && len(segs) == 1 && kind != "" && op != "" {
		node = segs[0]
	}
	base := requestBase(r) + PathService
	if node != "" {
		base += "/" + url.PathEscape(node)
	}
	var doc []byte
	ok := false
	switch kind {
	case "wsdl":
		doc, ok = s.worklistWSDL(name, base)
	case "xsd":
		doc, ok = s.worklistXSD(name)
	case "wsil":
		doc, ok = s.worklistWSIL(base)
	}
	if !ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, errorPage(http.StatusNotFound, "Not Found"))
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(doc)
	}
}

// requestBase is the scheme and host the client used.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
