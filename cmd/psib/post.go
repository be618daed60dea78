package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/antchfx/xpath"
	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

type postOptions struct {
	IO      *streams
	Factory *factory

	Operation   string
	Input       string // FILE, "-" or ""
	Body        string
	Root        string
	NonXML      bool
	NonXMLRoot  string
	Connector   string
	Credentials string
	Type        string
	Headers     []string
	ExternalID  string
	OrigUser    string
	OrigNode    string
	FinalDest   string
	NonRepud    bool
	SOAPVersion string
	WSUser      string
	WSPassFile  string
	XPath       []string
	Format      string
	DryRun      bool
	ShowSecrets bool
	Retry       int
	Verbose     int
}

func newPostCmd(f *factory, runF func(*postOptions) error) *cobra.Command {
	o := &postOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "post OPERATION [FILE|-]",
		Short: "Call a synchronous service operation and show the answer",
		Long: `Post an XML payload to a synchronous service operation through the HTTP
listening connector (or the PeopleSoft or service listening connector with
--connector) and show the answer.

PeopleSoft answers HTTP 200 even for errors; psib reads the body, explains an
IBResponse error or SOAP fault from the message catalog, and exits with the
contract's code: 4 credentials or authorization, 5 other gateway or application
errors, 6 nothing was delivered, 7 sent but no answer (it may have run).

A sync post is not retried automatically (it may change data); --retry N
retries only failures where nothing was delivered.

The node password comes from --node-password-file, PSIB_NODE_PASSWORD or the
profile; it is shown as REDACTED in -v and --dry-run output unless --show-secrets.`,
		Example: `  psib post CHG_SYNC_TEST.v1 --root helloworld
  psib post CHG_SYNC_TEST.v1 request.xml -o json
  echo '<activeusercount/>' | psib post CHG_SYNC_TEST.v1 - --xpath //activeusercount
  psib post CHG_SYNC_TEST.v1 --root helloworld --dry-run --credentials query
  psib post CHG_SYNC_TEST.v1 --root helloworld --connector soap --ws-user PS --ws-password-file pw.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usageErrorf("post takes an OPERATION and at most one FILE (or - for stdin), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Operation = args[0]
			if len(args) == 2 {
				o.Input = args[1]
			}
			o.Verbose, _ = cmd.Flags().GetCount("verbose")
			def := "xml"
			if f.IO.IsStdoutTTY() {
				def = "text"
			}
			var err error
			if o.Format, err = outputFormat(cmd, def, "text", "json", "xml"); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runPost(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Body, "body", "", "the payload `XML` itself")
	fl.StringVar(&o.Root, "root", "", "send a bare document <?xml version=\"1.0\"?><`NAME`/> (the helloworld / activeusercount style)")
	fl.BoolVar(&o.NonXML, "non-xml", false, "the payload is not XML: wrap it in PeopleSoft's PsNonXml element")
	fl.StringVar(&o.NonXMLRoot, "non-xml-root", "AsyncRequest", "root element of the --non-xml wrapper")
	fl.StringVar(&o.Connector, "connector", "http", "listening connector: http (HttpListeningConnector), peoplesoft (internal MIME), soap (PeopleSoftServiceListeningConnector)")
	fl.StringVar(&o.Credentials, "credentials", "headers", "where credentials go on the http connector: headers, query (?Operation=...), body (IBRequest wrapper)")
	fl.StringVar(&o.Type, "operation-type", "", "OperationType: sync, async or ping (default: let the operation decide)")
	fl.StringArrayVar(&o.Headers, "header", nil, "extra HTTP header `NAME:VALUE` (repeatable; the name is sent exactly as written)")
	fl.StringVar(&o.ExternalID, "external-message-id", "", "ExternalMessageID (at most 70 characters)")
	fl.StringVar(&o.OrigUser, "orig-user", "", "OrigUser")
	fl.StringVar(&o.OrigNode, "orig-node", "", "OrigNode")
	fl.StringVar(&o.FinalDest, "final-destination", "", "FinalDestination node")
	fl.BoolVar(&o.NonRepud, "non-repudiation", false, "send NonRepudiation: Y")
	fl.StringVar(&o.SOAPVersion, "soap-version", "1.1", "SOAP version for --connector soap: 1.1 or 1.2")
	fl.StringVar(&o.WSUser, "ws-user", "", "WS-Security UsernameToken user for --connector soap")
	fl.StringVar(&o.WSPassFile, "ws-password-file", "", "read the WS-Security password from `FILE` (or PSIB_WS_PASSWORD)")
	fl.StringArrayVar(&o.XPath, "xpath", nil, "print the values the XPath `EXPR` selects in the answer, one per line (repeatable)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the exact request and send nothing")
	fl.BoolVar(&o.ShowSecrets, "show-secrets", false, "show passwords in -v and --dry-run output")
	fl.IntVar(&o.Retry, "retry", 0, "retry up to `N` times when nothing was delivered (refused, DNS, TLS, HTTP 503/429)")
	return cmd
}

func (o *postOptions) validate() error {
	sources := 0
	for _, set := range []bool{o.Input != "", o.Body != "", o.Root != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return usageErrorf("give the payload one way: a FILE (or -), --body or --root")
	}
	switch o.Connector {
	case "http", "peoplesoft", "soap":
	default:
		return usageErrorf("invalid --connector %q: use http, peoplesoft or soap", o.Connector)
	}
	switch o.Credentials {
	case "headers", "query", "body":
	default:
		return usageErrorf("invalid --credentials %q: use headers, query or body", o.Credentials)
	}
	if o.Credentials != "headers" && o.Connector != "http" {
		return usageErrorf("--credentials %s applies to --connector http only", o.Credentials)
	}
	switch strings.ToLower(o.Type) {
	case "", "sync", "async", "ping":
	default:
		return usageErrorf("invalid --operation-type %q: use sync, async or ping", o.Type)
	}
	if o.SOAPVersion != "1.1" && o.SOAPVersion != "1.2" {
		return usageErrorf("invalid --soap-version %q: use 1.1 or 1.2", o.SOAPVersion)
	}
	if len(o.ExternalID) > ibmsg.MaxExternalMessageID {
		return usageErrorf("--external-message-id is %d characters; PeopleSoft accepts at most %d", len(o.ExternalID), ibmsg.MaxExternalMessageID)
	}
	if o.Retry < 0 {
		return usageErrorf("--retry must be 0 or more")
	}
	for _, h := range o.Headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			return usageErrorf("invalid --header %q: write NAME:VALUE", h)
		}
	}
	for _, x := range o.XPath {
		if _, err := xpath.Compile(x); err != nil {
			return usageErrorf("invalid --xpath %q: %v", x, err)
		}
	}
	return nil
}

// payload returns the request document, UTF-8 encoded.
func (o *postOptions) payload() ([]byte, error) {
	var data []byte
	switch {
	case o.Root != "":
		if _, err := ibmsg.RootElement([]byte("<" + o.Root + "/>")); err != nil {
			return nil, usageErrorf("--root %q is not an XML element name", o.Root)
		}
		return []byte(`<?xml version="1.0"?><` + o.Root + `/>`), nil
	case o.Body != "":
		data = []byte(o.Body)
	case o.Input != "":
		if o.Input == "-" && o.IO.IsStdinTTY() {
			return nil, usageErrorf("reading the payload from stdin, but stdin is a terminal: pipe a file in, or give FILE, --body or --root")
		}
		var err error
		if _, data, err = readInput(o.IO, o.Input); err != nil {
			return nil, err
		}
	default:
		return nil, usageErrorf("no payload: give a FILE (or - for stdin), --body XML or --root NAME")
	}
	name := o.Input
	if name == "" {
		name = "--body"
	}
	if o.NonXML {
		return ibmsg.WrapNonXML(o.NonXMLRoot, data), nil
	}
	utf, err := ibmsg.ToUTF8XML(data)
	if err != nil {
		return nil, &inputError{fmt.Errorf("%s: %v", name, err)}
	}
	if err := ibmsg.CheckXML(utf); err != nil {
		return nil, &inputError{fmt.Errorf("%s is not a well-formed XML document (%v); send non-XML data with --non-xml", name, err)}
	}
	return utf, nil
}

func (o *postOptions) request(cfgFrom, cfgTo string, password secret.Secret) (*gateway.Request, error) {
	payload, err := o.payload()
	if err != nil {
		return nil, err
	}
	req := &gateway.Request{
		Connector: gateway.Connector(o.Connector),
		Mode:      gateway.CredentialMode(o.Credentials),
		Payload:   payload,
		Retries:   o.Retry,
		Credentials: ibmsg.Credentials{OperationName: o.Operation, OperationType: o.Type, From: cfgFrom, To: cfgTo, Password: password,
			ExternalMessageID: o.ExternalID, OrigUser: o.OrigUser, OrigNode: o.OrigNode, FinalDestination: o.FinalDest},
	}
	if o.NonRepud {
		req.Credentials.NonRepudiation = "Y"
	}
	for _, h := range o.Headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header = append(req.Header, ibmsg.HeaderField{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	if o.Connector == "soap" {
		req.SOAPVersion = ibmsg.SOAP11
		if o.SOAPVersion == "1.2" {
			req.SOAPVersion = ibmsg.SOAP12
		}
		req.WSUser = o.WSUser
		if o.WSPassFile != "" {
			pw, err := readPasswordFile(o.WSPassFile)
			if err != nil {
				return nil, err
			}
			req.WSPassword = secret.New(pw)
		} else if v, ok := o.Factory.LookupEnv("PSIB_WS_PASSWORD"); ok {
			req.WSPassword = secret.New(v)
		}
	}
	if err := req.Credentials.Validate(); err != nil {
		return nil, usageErrorf("%v: give the requesting node with --from, PSIB_FROM or a profile", strings.TrimPrefix(err.Error(), "ibmsg: "))
	}
	return req, nil
}

func runPost(ctx context.Context, o *postOptions) error {
	client, cfg, err := o.Factory.gatewayClient(o.Verbose, o.ShowSecrets)
	if err != nil {
		return err
	}
	req, err := o.request(cfg.Gateway.From, cfg.Gateway.To, cfg.Gateway.NodePassword)
	if err != nil {
		return err
	}
	if o.DryRun {
		dump, err := client.DumpRequest(req)
		if err != nil {
			return err
		}
		_, err = o.IO.Out.Write(dump)
		return err
	}
	res, err := client.Post(ctx, req)
	if err != nil {
		if o.Format == "json" {
			_ = writeJSON(o.IO.Out, postJSON{Operation: o.Operation, OK: false, Error: nil, Failure: err.Error()})
		}
		return err
	}
	if err := renderPost(o, res); err != nil {
		return err
	}
	if st := res.Status; st != nil {
		err := fmt.Errorf("post %s: %w", o.Operation, res.Err())
		if o.Format == "text" {
			return withExplanation(err, st)
		}
		return err
	}
	return nil
}

// postJSON is the contract's object for post -o json.
type postJSON struct {
	Operation     string        `json:"operation"`
	HTTPStatus    int           `json:"http_status"`
	DurationMS    float64       `json:"duration_ms"`
	OK            bool          `json:"ok"`
	TransactionID string        `json:"transaction_id"`
	Error         *ibmsg.Status `json:"error"`
	Body          string        `json:"body"`
	Values        []string      `json:"values,omitempty"`
	// Failure describes a transport failure (no answer to show).
	Failure string `json:"failure,omitempty"`
}

func renderPost(o *postOptions, res *gateway.Result) error {
	body := res.Body
	if res.Status != nil {
		if o.Format != "json" {
			// An error is reported on stderr; stdout carries only answers.
			return nil
		}
		body = res.Raw
	}
	var values []string
	if len(o.XPath) > 0 && res.Status == nil {
		var err error
		if values, err = selectXPath(body, o.XPath); err != nil {
			return &inputError{fmt.Errorf("--xpath: the answer is not XML: %v", err)}
		}
	}
	switch o.Format {
	case "json":
		return writeJSON(o.IO.Out, postJSON{Operation: o.Operation, HTTPStatus: res.HTTPStatus, DurationMS: float64(res.Duration.Microseconds()) / 1000,
			OK: res.Status == nil, TransactionID: res.TransactionID, Error: res.Status, Body: string(body), Values: values})
	}
	if len(o.XPath) > 0 && res.Status == nil {
		for _, v := range values {
			fmt.Fprintln(o.IO.Out, v)
		}
		return nil
	}
	if o.Format == "xml" {
		_, err := o.IO.Out.Write(body)
		if err == nil && len(body) > 0 && body[len(body)-1] != '\n' && o.IO.IsStdoutTTY() {
			fmt.Fprintln(o.IO.Out)
		}
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		fmt.Fprintf(o.IO.Out, "(empty answer, HTTP %d, %s)\n", res.HTTPStatus, res.Duration.Round(time.Millisecond))
		return nil
	}
	return writePrettyXML(o.IO.Out, body, o.IO.OutPalette(), "")
}

// selectXPath compiles each expression (already checked by validate) and
// evaluates it on doc with evalXPath.
func selectXPath(doc []byte, exprs []string) ([]string, error) {
	compiled := make([]*xpath.Expr, 0, len(exprs))
	for _, x := range exprs {
		expr, err := xpath.Compile(x)
		if err != nil {
			return nil, err
		}
		compiled = append(compiled, expr)
	}
	return evalXPath(doc, compiled)
}
