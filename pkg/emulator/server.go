package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Options configure a Server. Clock and NewID make tests deterministic.
type Options struct {
	// Config is the PeopleSoft side; nil means DefaultConfig().
	Config *Config
	// ConfigDir resolves relative reply files.
	ConfigDir string
	// Clock is the time source; nil means time.Now.
	Clock func() time.Time
	// NewID returns transaction ids; nil means random GUIDs, the form
	// PeopleTools 8.5x uses (seed 001: 5695c49d-bd01-11e7-b7eb-c155c6e4688a).
	NewID func() string
	// Seed seeds the fault-rate generator.
	Seed uint64
	// Log receives msgLog/errorLog entries; nil logs nothing.
	Log *GatewayLog
	// StorePath keeps accepted async messages across restarts ("" = memory).
	StorePath string
	// AccessLog, when set, gets one structured line per request.
	AccessLog *slog.Logger
	// MaxBodyBytes caps a request body; 0 means 256 MiB.
	MaxBodyBytes int64
}

// Server is the emulated gateway and application server.
type Server struct {
	cfg       *Config
	configDir string
	clock     func() time.Time
	newID     func() string
	log       *GatewayLog
	access    *slog.Logger
	maxBody   int64
	handlers  map[string]handlerFunc
	q         *queue
	wl        *worklistStore

	rngMu sync.Mutex
	rng   *mrand.Rand
	seq   atomic.Int64
}

// New builds a Server; it fails for a configuration it cannot serve (a
// missing reply file, a bad XPath in a template).
func New(o Options) (*Server, error) {
	cfg := o.Config
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	s := &Server{cfg: cfg, configDir: o.ConfigDir, clock: o.Clock, newID: o.NewID, log: o.Log, access: o.AccessLog, maxBody: o.MaxBodyBytes,
		handlers: map[string]handlerFunc{}, rng: mrand.New(mrand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), wl: newWorklistStore()}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = newGUID
	}
	if s.maxBody <= 0 {
		s.maxBody = 256 << 20
	}
	for i := range cfg.Operations {
		op := &cfg.Operations[i]
		h, err := s.handlerFor(op)
		if err != nil {
			return nil, err
		}
		s.handlers[op.Name] = h
	}
	q, err := newQueue(o.StorePath)
	if err != nil {
		return nil, err
	}
	s.q = q
	return s, nil
}

// newGUID returns a random version-4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Close stops the async dispatcher and closes the store.
func (s *Server) Close() error { return s.q.close() }

// Received returns the async messages accepted so far, oldest first.
func (s *Server) Received() []StoredMessage { return s.q.snapshot() }

// Flush waits until every accepted async message is processed (Done).
func (s *Server) Flush() { s.q.flush() }

// Serve serves HTTP on l until ctx ends, then shuts down gracefully. Unlike
// plain ServeHTTP, requests served here have their header names read as
// sent, so case-sensitive IB headers behave as on PeopleSoft.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{Handler: s, ConnContext: connContext, ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(rawListener{l}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdown)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// Paths served.
const (
	PathHTTP       = "/PSIGW/HttpListeningConnector"
	PathPeopleSoft = "/PSIGW/PeopleSoftListeningConnector"
	PathService    = "/PSIGW/PeopleSoftServiceListeningConnector"
	PathMessages   = "/psib/emulator/messages"
)

// ServeHTTP routes a request to its listening connector.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.clock()
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == PathHTTP:
		s.httpListening(rw, r)
	case path == PathPeopleSoft:
		s.peoplesoftListening(rw, r)
	case path == PathService || strings.HasPrefix(path, PathService+"/"):
		s.serviceListening(rw, r)
	case path == PathMessages:
		s.inspect(rw, r)
	case strings.HasPrefix(path, "/psib/emulator/worklist"):
		s.worklistAdmin(rw, r)
	case path == "/PSIGW" && r.Method == http.MethodGet:
		s.statusPage(rw)
	default:
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusNotFound)
		io.WriteString(rw, errorPage(http.StatusNotFound, "Not Found"))
	}
	if s.access != nil {
		s.access.Info("request", "method", r.Method, "path", r.URL.Path, "status", rw.status, "bytes", rw.n, "duration", s.clock().Sub(start), "remote", r.RemoteAddr)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += n
	return n, err
}

func (s *Server) statusPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	io.WriteString(w, `<html><head><title>PeopleSoft Integration Gateway</title></head><body>
<h2>PeopleSoft Integration Gateway</h2>
<p>PeopleSoft Integration Gateway (psib emulator) | local node `+escape(s.cfg.LocalNode)+`</p>
<table border="1"><tr><th>Connector</th><th>Status</th></tr>
<tr><td>PeopleSoftListeningConnector</td><td>ACTIVE</td></tr>
<tr><td>HttpListeningConnector</td><td>ACTIVE</td></tr>
<tr><td>PeopleSoftServiceListeningConnector</td><td>ACTIVE</td></tr>
</table></body></html>
`)
}

// inspect answers GET /psib/emulator/messages with the accepted async
// messages as JSON; ?wait=1 first waits until all are processed.
func (s *Server) inspect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Query().Get("wait") != "" {
		s.Flush()
	}
	msgs := s.Received()
	counts := map[string]int{"messages": len(msgs)}
	for _, m := range msgs {
		counts[strings.ToLower(m.Status)]++
		counts["received"] += m.Received
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Counts   map[string]int  `json:"counts"`
		Messages []StoredMessage `json:"messages"`
	}{counts, msgs})
}

// reset closes the client's connection without an answer, as a TCP reset.
func reset(w http.ResponseWriter) {
	if sw, ok := w.(*statusWriter); ok {
		w = sw.ResponseWriter
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		// httptest recorders cannot hijack: answer what a proxy would.
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := underlyingTCP(conn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func underlyingTCP(c net.Conn) (*net.TCPConn, bool) {
	if rc, ok := c.(*rawConn); ok {
		c = rc.Conn
	}
	tc, ok := c.(*net.TCPConn)
	return tc, ok
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Statuses the emulator answers with. Those without a catalog number are
// cases whose PeopleSoft number is not public (docs/emulator.md lists them).
func statusMissingCredentials(missing string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response",
		DefaultMsg: "The request has no " + missing + ": a request without credentials cannot be processed."}
}

func statusUnknownNode(node string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", Parameters: ibmsg.Params{node},
		DefaultMsg: "Node " + node + " is not defined on the receiving system."}
}

func statusNoRouting(op, node string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", Parameters: ibmsg.Params{op, node},
		DefaultMsg: "Unable to find a routing for service operation " + op + " from node " + node + "."}
}

func statusPasswordFailed(node string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, DefaultTitle: "Integration Broker Response", DefaultMsg: "User password failed.", Parameters: ibmsg.Params{node}}
}

func statusUserUndefined(user string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 55, DefaultTitle: "Integration Broker Response", DefaultMsg: "UserName not defined in database.", Parameters: ibmsg.Params{user}}
}

func statusNotAuthorized(user, op string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 536, DefaultTitle: "Integration Broker Response",
		DefaultMsg: "User " + user + " not authorized to invoke Service Operation " + op + ".", Parameters: ibmsg.Params{user, op}}
}

func statusContactError(param string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, DefaultTitle: "Integration Gateway Error",
		DefaultMsg: "Integration Gateway - External System Contact Error", Parameters: ibmsg.Params{param}}
}

func statusGatewayError(detail string) ibmsg.Status {
	return ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 10408, DefaultTitle: "Integration Gateway Error", DefaultMsg: "Integration Gateway Error", Parameters: ibmsg.Params{detail}}
}

// process is the application server: authenticate the node, resolve the
// user, route the operation, check its security, and run the handler (sync)
// or queue the message (async), in the order of seed 003's step 4.
func (s *Server) process(ctx context.Context, c *Call) *Result {
	if strings.EqualFold(c.Type, "ping") {
		return s.ping(c)
	}
	switch {
	case c.From == "" && c.Operation == "":
		return failure(statusMissingCredentials("OperationName and From"))
	case c.Operation == "":
		return failure(statusMissingCredentials("OperationName"))
	case c.From == "":
		return failure(statusMissingCredentials("From (requesting node)"))
	}
	node, fail := s.authenticateNode(c)
	if fail != nil {
		return fail
	}
	user := c.User
	if user == "" {
		user = node.DefaultUser
	}
	if user == "" || !s.cfg.userExists(user) {
		return failure(statusUserUndefined(user))
	}
	if pw, ok := s.cfg.UserPasswords[user]; ok && c.UserToken && c.UserPassword != pw {
		// samples/03: a failed UsernameToken answers 158/45 with the node.
		return failure(statusPasswordFailed(node.Name))
	}
	c.User = user
	op, ok := s.cfg.operation(c.Operation)
	if !ok {
		return failure(statusNoRouting(c.Operation, c.From))
	}
	if len(op.Users) > 0 && !contains(op.Users, user) {
		return failure(statusNotAuthorized(user, op.Name))
	}
	if op.Type == "async" {
		c.Type = "async"
		if c.ExternalMessageID != "" && len(c.ExternalMessageID) > ibmsg.MaxExternalMessageID {
			return failure(ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response",
				DefaultMsg: fmt.Sprintf("ExternalMessageID is longer than %d characters.", ibmsg.MaxExternalMessageID)})
		}
		if h := s.handlers[op.Name]; op.Handler != "none" && op.Handler != "echo" {
			// Handlers of async operations with a reply (PT_WORKLIST)
			// validate and record before the acknowledgement.
			res, err := h(ctx, c)
			if err != nil {
				return failure(statusGatewayError(err.Error()))
			}
			if res.Status != nil {
				return res
			}
		}
		txid := c.TransactionID
		if txid == "" {
			txid = s.newID()
		}
		m, dup := s.q.accept(c, txid)
		if dup {
			st := ibmsg.DuplicateStatus(c.ExternalMessageID, m.TransactionID)
			return &Result{Status: &st, TransactionID: m.TransactionID, Duplicate: true}
		}
		return &Result{TransactionID: m.TransactionID}
	}
	c.Type = "sync"
	res, err := s.handlers[op.Name](ctx, c)
	if err != nil {
		if ctx.Err() != nil {
			return failure(statusGatewayError("request cancelled"))
		}
		return failure(statusGatewayError(err.Error()))
	}
	return res
}

// authenticateNode finds the requesting node and checks its password.
func (s *Server) authenticateNode(c *Call) (*Node, *Result) {
	node, ok := s.cfg.node(c.From)
	if !ok {
		return nil, failure(statusUnknownNode(c.From))
	}
	if node.Auth == "password" && c.Password != node.Password {
		return nil, failure(statusPasswordFailed(node.Name))
	}
	return node, nil
}

// ping answers OperationType Ping: the node's password is checked and the
// destination, when given, must be the local node.
func (s *Server) ping(c *Call) *Result {
	if c.From == "" {
		return failure(statusMissingCredentials("From (requesting node)"))
	}
	if _, fail := s.authenticateNode(c); fail != nil {
		return fail
	}
	if c.To != "" && c.To != s.cfg.LocalNode {
		return failure(ibmsg.Status{StatusCode: 20, DefaultTitle: "Integration Broker Response", Parameters: ibmsg.Params{c.To},
			DefaultMsg: "Destination node does not match local node."})
	}
	return &Result{TransactionID: "null"}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// readBody reads a request body up to the server's cap.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > s.maxBody {
		return nil, fmt.Errorf("request body larger than %d bytes", s.maxBody)
	}
	return b, nil
}

// faultsOf reads FaultHeader from the request.
func faultsOf(h ibmsg.Header) ([]Fault, error) {
	v := h.Get(FaultHeader)
	if v == "" {
		return nil, nil
	}
	return ParseFaultHeader(v)
}

// internalRequest is the MIME request the gateway would send the
// application server for c. Async content is compressed and base64-encoded
// as PeopleSoft does for async traffic (the algorithm is assumed: zlib).
func (s *Server) internalRequest(c *Call, pathInfo string) *ibmsg.Message {
	info := &ibmsg.IBInfo{
		MessageName: ibmsg.CData(c.Operation), MessageType: ibmsg.Text(c.Type), TransactionID: ibmsg.CData(c.TransactionID),
		ExternalOperationName: ibmsg.CData(c.Operation), ExternalMessageID: ibmsg.CData(c.ExternalMessageID),
		From: &ibmsg.From{RequestingNode: ibmsg.CData(c.From), Password: ibmsg.NodePassword{Secret: secretOf(c.Password)},
			OrigTimeStamp: ibmsg.Text(ibmsg.FormatOrigTimestamp(c.Received))},
		To:       &ibmsg.To{DestinationNode: ibmsg.CData(c.To)},
		PathInfo: ibmsg.CData(pathInfo),
	}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: c.Received, Seq: int(s.seq.Add(1)), ToolsRelease: "8.56"})
	enc := ibmsg.ContentEncoding{}
	if c.Type == "async" {
		enc.Compression = ibmsg.CompressionZlib
	}
	if len(c.Payload) > 0 {
		m.AddSection(c.Payload, enc)
	}
	return m
}

// internalResponse is the MIME response of the application server.
func (s *Server) internalResponse(c *Call, res *Result) *ibmsg.Message {
	st := ibmsg.Success()
	if res.Status != nil {
		st = *res.Status
	}
	info := &ibmsg.IBInfo{Status: &st, TransactionID: ibmsg.CData(res.TransactionID)}
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: s.clock(), Seq: int(s.seq.Add(1)), ToolsRelease: "8.56"})
	if res.Status == nil && len(res.Body) > 0 && c.Type == "sync" {
		m.AddSection(res.Body, ibmsg.ContentEncoding{})
	}
	return m
}

// logExchange writes the internal MIME request and response to msgLog, as
// the PeopleSoft target connector does around its call to the application
// server, and failures to errorLog.
func (s *Server) logExchange(c *Call, pathInfo string, res *Result) {
	if !s.log.Enabled(LogStandard) && !(res.Status != nil && s.log.Enabled(LogWarning)) {
		return
	}
	req, _ := s.internalRequest(c, pathInfo).Bytes()
	resp, _ := s.internalResponse(c, res).Bytes()
	_ = s.log.Message(LogStandard, "PeopleSoftTargetConnector: request to the application server ("+c.Operation+")", req)
	_ = s.log.Message(LogStandard, "PeopleSoftTargetConnector: response from the application server ("+c.Operation+")", resp)
	if res.Status != nil {
		_ = s.log.Error(LogWarning, res.Status.Summary(), res.Status, "", req, resp)
	}
}

// logHTTPIn logs the HTTP input as the listening connector received it:
// the whole request with its headers at level 5, the body at level 4.
func (s *Server) logHTTPIn(connector string, r *http.Request, h ibmsg.Header, body []byte) {
	switch {
	case s.log.Enabled(LogLow):
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s %s %s\r\n", r.Method, r.RequestURI, r.Proto)
		if h.Get("Host") == "" {
			fmt.Fprintf(&b, "Host: %s\r\n", r.Host)
		}
		for _, f := range h {
			fmt.Fprintf(&b, "%s: %s\r\n", f.Name, f.Value)
		}
		b.WriteString("\r\n")
		b.Write(body)
		_ = s.log.Message(LogLow, connector+": HTTP request received", b.Bytes())
	case s.log.Enabled(LogStandard):
		_ = s.log.Message(LogStandard, connector+": request received", body)
	}
}

func (s *Server) logHTTPOut(connector string, status int, h http.Header, body []byte) {
	if !s.log.Enabled(LogStandard) {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(body)
	_ = s.log.Message(LogStandard, connector+": response sent", b.Bytes())
}
