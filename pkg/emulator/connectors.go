package emulator

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

func secretOf(s string) secret.Secret { return secret.New(s) }

// knownHeaders are the listening connector's parameters; without the raw
// names (plain ServeHTTP) they are matched case-insensitively.
var knownHeaders = []string{
	ibmsg.HeaderOperationName, ibmsg.HeaderOperationType, ibmsg.HeaderFrom, ibmsg.HeaderTo, ibmsg.HeaderPassword,
	ibmsg.HeaderExternalMessageID, ibmsg.HeaderNonRepudiation, ibmsg.HeaderOrigUser, ibmsg.HeaderOrigNode,
	ibmsg.HeaderOrigProcess, ibmsg.HeaderOrigTimeStamp, ibmsg.HeaderFinalDestination, ibmsg.HeaderSubQueue,
	ibmsg.HeaderMessageName, ibmsg.HeaderMessageVersion,
}

func foldKnown(h ibmsg.Header) ibmsg.Header {
	out := make(ibmsg.Header, len(h))
	for i, f := range h {
		out[i] = f
		for _, k := range knownHeaders {
			if strings.EqualFold(f.Name, k) {
				out[i].Name = k
			}
		}
	}
	return out
}

// decodeBody undoes what a client may apply to a body: Content-Encoding
// gzip/deflate, and base64 and compression detected by content (the HTTP
// listening connector "accepts compressed and base 64-encoded data").
func decodeBody(h ibmsg.Header, body []byte, max int64) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))) {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = zr
	}
	if r != nil {
		b, err := io.ReadAll(io.LimitReader(r, max+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > max {
			return nil, ibmsg.ErrTooLarge
		}
		body = b
	}
	out, _, err := ibmsg.DecodeContent(body, h.Get("Content-Transfer-Encoding"), ibmsg.Limits{MaxSectionBytes: max})
	return out, err
}

// httpListening is the HttpListeningConnector.
func (s *Server) httpListening(w http.ResponseWriter, r *http.Request) {
	const name = "HttpListeningConnector"
	h, exact := requestHeader(r)
	if !exact {
		h = foldKnown(h)
	}
	body, err := s.readBody(r)
	if err != nil {
		s.answerStatus(w, name, statusGatewayError(err.Error()), "")
		return
	}
	s.logHTTPIn(name, r, h, body)
	faults, err := faultsOf(h)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost {
		// The connector is a servlet that handles POST only (assumed answer).
		s.answerStatus(w, name, ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response",
			DefaultMsg: "HttpListeningConnector accepts POST requests only."}, "")
		return
	}

	creds := ibmsg.CredentialsFromHeader(h).Merge(ibmsg.CredentialsFromQuery(r.URL.Query()))
	payload, err := decodeBody(h, body, s.maxBody)
	if err != nil {
		s.answerStatus(w, name, statusGatewayError("cannot decode the request body: "+err.Error()), "")
		return
	}
	if root, rerr := ibmsg.RootElement(payload); rerr == nil && root == "IBRequest" {
		req, err := ibmsg.ParseRequest(payload)
		if err != nil {
			s.answerStatus(w, name, ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}, "")
			return
		}
		creds = creds.Merge(req.Credentials)
		payload = req.Data
	}
	plan := s.plan(creds.OperationName, faults)
	if s.failBefore(w, r, plan, func(st ibmsg.Status) { s.answerStatus(w, name, st, "") }) {
		return
	}

	c := &Call{Operation: creds.OperationName, Type: strings.ToLower(creds.OperationType), From: creds.From, To: creds.To,
		Password: creds.Password.Reveal(), ExternalMessageID: creds.ExternalMessageID, Payload: payload, Connector: "http", Received: s.clock()}
	res := s.process(r.Context(), c)
	s.logExchange(c, PathHTTP, res)
	if plan.resetAfter {
		reset(w)
		return
	}
	switch {
	case res.Status != nil:
		s.answerStatus(w, name, *res.Status, res.TransactionID)
	case c.Type == "sync":
		s.answer(w, name, http.StatusOK, res.Body, "")
	default: // async acknowledgement, or ping
		s.answer(w, name, http.StatusOK, ibmsg.NewSuccessResponse(res.TransactionID).Marshal(), res.TransactionID)
	}
}

// answer writes an HTTP 200-style answer with PeopleSoft's content type and,
// for accepted async messages, the transactionid header (lower case, as on
// the wire in seed 001).
func (s *Server) answer(w http.ResponseWriter, connector string, status int, body []byte, txid string) {
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	if txid != "" && txid != "null" {
		w.Header()[ibmsg.HeaderTransactionID] = []string{txid}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.logHTTPOut(connector, status, w.Header(), body)
}

// answerStatus writes an IBResponse error with HTTP 200, as the HTTP
// listening connector does for every error it can express.
func (s *Server) answerStatus(w http.ResponseWriter, connector string, st ibmsg.Status, txid string) {
	s.answer(w, connector, http.StatusOK, ibmsg.NewErrorResponse(st).Marshal(), txid)
}

// peoplesoftListening is the PeopleSoftListeningConnector: internal MIME
// in, internal MIME out. GET answers the gateway status page.
func (s *Server) peoplesoftListening(w http.ResponseWriter, r *http.Request) {
	const name = "PeopleSoftListeningConnector"
	if r.Method == http.MethodGet {
		s.statusPage(w)
		return
	}
	h, exact := requestHeader(r)
	if !exact {
		h = foldKnown(h)
	}
	body, err := s.readBody(r)
	if err != nil {
		s.mimeAnswer(w, name, nil, &Result{Status: ptr(statusGatewayError(err.Error()))})
		return
	}
	s.logHTTPIn(name, r, h, body)
	faults, err := faultsOf(h)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	m, err := ibmsg.ParseMessage(body, ibmsg.Limits{MaxSectionBytes: s.maxBody})
	if err != nil || m.IBInfo == nil || m.IBInfo.IsResponse() {
		// Junk gets the gateway's 158/10408 reply (samples/07).
		detail := "not an internal MIME request"
		if err != nil {
			detail = err.Error()
		} else if m.IBInfoErr != nil {
			detail = m.IBInfoErr.Error()
		}
		s.mimeAnswer(w, name, nil, &Result{Status: ptr(statusGatewayError(detail))})
		return
	}
	info := m.IBInfo
	c := &Call{Operation: info.Operation(), Type: strings.ToLower(string(info.MessageType)), From: info.RequestingNode(), To: info.DestinationNode(),
		ExternalMessageID: string(info.ExternalMessageID), TransactionID: string(info.TransactionID), Connector: "peoplesoft", Received: s.clock()}
	if info.OperationType != "" {
		c.Type = strings.ToLower(string(info.OperationType))
	}
	switch c.Type {
	case "synchronous":
		c.Type = "sync"
	case "asynchronous":
		c.Type = "async"
	}
	if info.From != nil {
		c.Password = info.From.Password.Reveal()
		c.User = ""
	}
	if len(m.Sections) > 0 {
		if m.Sections[0].Err != nil {
			s.mimeAnswer(w, name, c, &Result{Status: ptr(statusGatewayError(m.Sections[0].Err.Error()))})
			return
		}
		c.Payload = m.Sections[0].Body
	}
	plan := s.plan(c.Operation, faults)
	if s.failBefore(w, r, plan, func(st ibmsg.Status) { s.mimeAnswer(w, name, c, &Result{Status: ptr(st)}) }) {
		return
	}
	res := s.process(r.Context(), c)
	s.logExchange(c, PathPeopleSoft, res)
	if plan.resetAfter {
		reset(w)
		return
	}
	s.mimeAnswer(w, name, c, res)
}

func ptr[T any](v T) *T { return &v }

// mimeAnswer writes the application server's MIME response, with the
// connector's content type (text/plain; charset=UTF-8, samples/07).
func (s *Server) mimeAnswer(w http.ResponseWriter, connector string, c *Call, res *Result) {
	if c == nil {
		c = &Call{Type: "sync", Received: s.clock()}
	}
	b, err := s.internalResponse(c, res).Bytes()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	s.logHTTPOut(connector, http.StatusOK, w.Header(), b)
}
