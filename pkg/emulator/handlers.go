package emulator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Call is one request as the application server sees it, after a
// listening connector normalized it into an internal request.
type Call struct {
	Operation string
	// Type is "sync", "async" or "ping".
	Type     string
	From, To string
	User     string
	Password string
	// UserToken is set when the request named its user with credentials
	// (WS-Security UsernameToken); UserPassword is the password given.
	UserToken         bool
	UserPassword      string
	ExternalMessageID string
	TransactionID     string
	Payload           []byte
	// Connector is "http", "peoplesoft" or "service".
	Connector string
	Received  time.Time
}

// Result is what the application server answers: a sync reply body, or a
// status that is not success.
type Result struct {
	Body []byte
	// Status is nil for success.
	Status *ibmsg.Status
	// TransactionID is set for an accepted async message.
	TransactionID string
	// Duplicate is set when an async message repeated an
	// ExternalMessageID that was already accepted.
	Duplicate bool
}

func failure(s ibmsg.Status) *Result { return &Result{Status: &s} }

// handlerFunc runs a service operation's handler.
type handlerFunc func(ctx context.Context, c *Call) (*Result, error)

// seedReply reproduces seed 000's OnRequest PeopleCode: it looks at the
// request's root element (lower-cased) and answers helloworld,
// activeusercount or an "I do not understand" error element, all inside a
// <response> document, as a successful sync reply.
func (s *Server) seedReply(_ context.Context, c *Call) (*Result, error) {
	root, err := ibmsg.RootElement(c.Payload)
	if err != nil {
		return failure(ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}), nil
	}
	var child string
	switch strings.ToLower(root) {
	case "helloworld":
		child = "<helloworld>Hello Python</helloworld>"
	case "activeusercount":
		child = "<activeusercount>" + strconv.Itoa(len(s.cfg.Users)) + "</activeusercount>"
	default:
		child = "<error>I do not understand. Please try again. You submitted: " + escape(root) + "</error>"
	}
	return &Result{Body: []byte("<?xml version=\"1.0\"?>\n<response>" + child + "</response>\n")}, nil
}

func escape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var xpathCall = regexp.MustCompile(`\{\{\s*xpath\s+"((?:[^"\\]|\\.)*)"\s*\}\}`)

// compileTemplate checks a template's XPath expressions once, at start-up.
func compileTemplate(t string) (map[string]*xpath.Expr, error) {
	exprs := map[string]*xpath.Expr{}
	for _, m := range xpathCall.FindAllStringSubmatch(t, -1) {
		expr, err := xpath.Compile(m[1])
		if err != nil {
			return nil, fmt.Errorf("template xpath %q: %v", m[1], err)
		}
		exprs[m[1]] = expr
	}
	return exprs, nil
}

func (s *Server) handlerFor(op *Operation) (handlerFunc, error) {
	var h handlerFunc
	switch op.Handler {
	case "seed":
		h = s.seedReply
	case "echo", "none":
		h = func(_ context.Context, c *Call) (*Result, error) { return &Result{Body: c.Payload}, nil }
	case "file":
		path := op.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.configDir, path)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("operation %s: reply file: %w", op.Name, err)
		}
		h = func(context.Context, *Call) (*Result, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			return &Result{Body: b}, nil
		}
	case "template":
		exprs, err := compileTemplate(op.Template)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", op.Name, err)
		}
		tmpl := op.Template
		h = func(_ context.Context, c *Call) (*Result, error) {
			if err := ibmsg.CheckXML(c.Payload); err != nil {
				return failure(ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}), nil
			}
			doc, err := xmlquery.Parse(bytes.NewReader(c.Payload))
			if err != nil {
				return failure(ibmsg.Status{StatusCode: 20, MsgSet: 159, MsgID: 5, Parameters: ibmsg.Params{"ParseXmlString", err.Error()}}), nil
			}
			out := xpathCall.ReplaceAllStringFunc(tmpl, func(m string) string {
				expr := exprs[xpathCall.FindStringSubmatch(m)[1]]
				return escape(fmt.Sprint(evalString(doc, expr)))
			})
			return &Result{Body: []byte(out)}, nil
		}
	case "worklist-create", "worklist-status":
		return s.worklistHandler(op)
	default:
		return nil, fmt.Errorf("operation %s: unknown handler %q", op.Name, op.Handler)
	}
	if op.Delay > 0 {
		inner, delay := h, op.Delay
		h = func(ctx context.Context, c *Call) (*Result, error) {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return inner(ctx, c)
		}
	}
	return h, nil
}

// evalString evaluates expr on doc as XPath's string(): node sets give the
// first node's text.
func evalString(doc *xmlquery.Node, expr *xpath.Expr) any {
	v := expr.Evaluate(xmlquery.CreateXPathNavigator(doc))
	if it, ok := v.(*xpath.NodeIterator); ok {
		if it.MoveNext() {
			return it.Current().Value()
		}
		return ""
	}
	return v
}
