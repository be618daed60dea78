package main

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/config"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
	"github.com/psib-dev/psib/pkg/secret"
	"github.com/psib-dev/psib/pkg/worklist"
)

// worklistOptions are the flags of every worklist subcommand; each
// subcommand fills the part it uses.
type worklistOptions struct {
	IO      *streams
	Factory *factory
	// Command is "create", "status", "wait" or "wsdl".
	Command string
	Format  string
	Verbose int

	// Transport and names (persistent flags of `worklist`).
	WSDL             string
	CreateOperation  string
	StatusOperation  string
	OperationVersion string
	MessageVersion   string
	SOAPVersion      string // "" = 1.1, or the WSDL binding's
	WSUser           string
	WSPassFile       string
	Journal          string
	NoJournal        bool
	Headers          []string

	// The request.
	FromFile                         string
	RequestID                        string
	BusinessProcess, Activity, Event string
	Worklist, Operator, Originator   string
	Priority                         string
	App, Add                         []string
	InstanceID, TransactionID        int64
	Template                         string
	ForceNew, DryRun                 bool
	Timeout, Interval                time.Duration

	// changed reports whether a flag was given (set by prepare).
	changed func(name string) bool
}

// entryFlag names the flag that sets one of seed 004's fields, for
// messages about missing fields.
func entryFlag(field string) string {
	return map[string]string{
		"RequestMessageID": "--request-id", "BusinessProcessName": "--business-process", "ActivityName": "--activity",
		"EventName": "--event", "WorklistName": "--worklist", "OperatorID": "--operator", "OriginatorID": "--originator",
		"Priority": "--priority", "ApplicationData": "--app NAME=VALUE", "AdditionalData": "--add NAME=VALUE",
	}[field]
}

func newWorklistCmd(f *factory, runF func(*worklistOptions) error) *cobra.Command {
	o := &worklistOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "worklist",
		Short: "Create PeopleSoft worklist entries and follow them (PT_WORKLIST)",
		Long: `Call PeopleSoft's PT_WORKLIST web service as an external system does:
create creates a worklist entry for a PeopleSoft user (CREATE_WORKLIST_ITEM),
status asks for its status (GETWLINSTANCE), wait polls until it is marked
Worked, wsdl shows the names a site's PT_WORKLIST WSDL gives.

Requests go as SOAP to the PeopleSoft service listening connector of the gateway
(--gateway-url), from the node --from with its password (PSIB_NODE_PASSWORD,
--node-password-file), optionally as a PeopleSoft user (--ws-user with
--ws-password-file or PSIB_WS_PASSWORD, a WS-Security UsernameToken).

Oracle does not publish the XML of these messages: psib's assumed shapes are in
docs/worklist.md. --wsdl URL|FILE reads the operation aliases (soapAction) and
namespaces of a site's real service; --template FILE replaces the request
document altogether.

Every create is recorded with its RequestMessageID in psib's journal (--journal,
else $PSIB_JOURNAL, else $XDG_STATE_HOME/psib/journal.db; psib journal list
shows it): repeating the same create sends nothing and prints the entry's id
again; --force-new really creates another entry.`,
		Example: `  psib worklist create --business-process "Administer Workforce" --activity Hire \
      --event Approve --worklist "HR Approvals" --operator VP1 --priority high --app EMPLID=KU0001
  psib worklist create --from-file entry.yaml -o json
  psib worklist status --request-id EXT-0001
  psib worklist wait --request-id EXT-0001 --timeout 10m
  psib worklist wsdl https://ib.example.edu/PSIGW/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.WSDL, "wsdl", "", "read operation aliases and namespaces from the PT_WORKLIST WSDL at `URL|FILE`")
	pf.StringVar(&o.CreateOperation, "create-operation", ibmsg.WLCreateOperation, "create operation `NAME` (without version)")
	pf.StringVar(&o.StatusOperation, "status-operation", ibmsg.WLStatusOperation, "status operation `NAME` (without version)")
	pf.StringVar(&o.OperationVersion, "operation-version", ibmsg.WLAliasVersion, "`VERSION` ending the operations' external aliases (CREATE_WORKLIST_ITEM.v1)")
	pf.StringVar(&o.MessageVersion, "message-version", ibmsg.WLMessageVersion, "message `VERSION` in the namespaces (.../schemas/PT_WL_CREATE_REQUEST.VERSION_1)")
	pf.StringVar(&o.SOAPVersion, "soap-version", "", "SOAP `VERSION` 1.1 or 1.2 (default 1.1, or the WSDL binding's)")
	pf.StringVar(&o.WSUser, "ws-user", "", "PeopleSoft user `OPRID` for a WS-Security UsernameToken")
	pf.StringVar(&o.WSPassFile, "ws-password-file", "", "read the WS-Security password from `FILE` (or PSIB_WS_PASSWORD)")
	pf.StringVar(&o.Journal, "journal", "", "psib's journal `PATH` (default $PSIB_JOURNAL, else $XDG_STATE_HOME/psib/journal.db)")
	pf.StringArrayVar(&o.Headers, "header", nil, "extra HTTP header `NAME:VALUE` (repeatable; the name is sent exactly as written)")
	pf.BoolVar(&o.NoJournal, "no-journal", false, "keep no journal: no protection against creating the same entry twice")

	cmd.AddCommand(newWorklistCreateCmd(o, runF), newWorklistStatusCmd(o, runF, "status"),
		newWorklistStatusCmd(o, runF, "wait"), newWorklistWSDLCmd(o, runF))
	return cmd
}

// prepare reads what every subcommand shares, from the command's flags.
func (o *worklistOptions) prepare(cmd *cobra.Command, name string) error {
	o.Command = name
	o.Verbose, _ = cmd.Flags().GetCount("verbose")
	o.changed = func(n string) bool { return cmd.Flags().Changed(n) }
	var err error
	if o.Format, err = outputFormat(cmd, "text", "text", "json"); err != nil {
		return err
	}
	switch o.SOAPVersion {
	case "", "1.1", "1.2":
	default:
		return usageErrorf("invalid --soap-version %q: use 1.1 or 1.2", o.SOAPVersion)
	}
	if o.NoJournal && o.Journal != "" {
		return usageErrorf("--journal and --no-journal contradict each other: choose one")
	}
	for _, h := range o.Headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			return usageErrorf("invalid --header %q: write NAME:VALUE", h)
		}
	}
	for _, n := range []string{"create-operation", "status-operation", "operation-version", "message-version"} {
		if o.changed(n) {
			if o.WSDL != "" {
				return usageErrorf("--%s and --wsdl both name the operations: the WSDL gives the names, drop --%s", n, n)
			}
			if strings.TrimSpace(cmd.Flag(n).Value.String()) == "" {
				return usageErrorf("--%s must not be empty", n)
			}
		}
	}
	return nil
}

func entryFlagSet(cmd *cobra.Command, o *worklistOptions, create bool) {
	fl := cmd.Flags()
	fl.StringVar(&o.FromFile, "from-file", "", "read the request from `FILE` (YAML, JSON or XML; - for stdin); flags override its fields")
	fl.StringVar(&o.RequestID, "request-id", "", "RequestMessageID: the entry's `ID` (create: generated when absent)")
	fl.StringVar(&o.BusinessProcess, "business-process", "", "BusinessProcessName: the business process `NAME`")
	fl.StringVar(&o.Activity, "activity", "", "ActivityName: the activity `NAME`")
	fl.StringVar(&o.Event, "event", "", "EventName: the event `NAME`")
	fl.StringVar(&o.Worklist, "worklist", "", "WorklistName: the worklist `NAME`")
	fl.StringVar(&o.Template, "template", "", "write the request document with the Go template `FILE` instead of psib's shape (docs/worklist.md)")
	if create {
		fl.StringVar(&o.Operator, "operator", "", "OperatorID: the user (`OPRID`) who gets the entry")
		fl.StringVar(&o.Originator, "originator", "", "OriginatorID: the assigning user's `OPRID` (default: the user the request runs as)")
		fl.StringVar(&o.Priority, "priority", "", "Priority `P`: blank, 1 or high, 2 or medium, 3 or low")
		fl.StringArrayVar(&o.App, "app", nil, "ApplicationData `NAME=VALUE` (repeatable; names are case-sensitive record fields)")
		fl.StringArrayVar(&o.Add, "add", nil, "AdditionalData `NAME=VALUE` (repeatable)")
		fl.BoolVar(&o.ForceNew, "force-new", false, "create the entry even if the journal shows the same create accepted before")
	} else {
		fl.Int64Var(&o.InstanceID, "instance-id", 0, "InstanceID `N`: only this instance")
		fl.Int64Var(&o.TransactionID, "transaction-id", 0, "TransactionID `N`: only this transaction")
	}
}

func newWorklistCreateCmd(o *worklistOptions, runF func(*worklistOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a worklist entry (CREATE_WORKLIST_ITEM)",
		Long: `Create a worklist entry for a PeopleSoft user. Seed 004's fields, by flag:

  RequestMessageID     --request-id        (generated when absent; always printed)
  BusinessProcessName  --business-process  required
  ActivityName         --activity          required
  EventName            --event             required
  WorklistName         --worklist          required
  OperatorID           --operator          required: the user who gets the entry
  OriginatorID         --originator
  Priority             --priority          blank, 1/high, 2/medium, 3/low
  ApplicationData      --app NAME=VALUE    at least one; names are the application
                                           worklist record's fields, case-sensitive
  AdditionalData       --add NAME=VALUE

or --from-file FILE with the same names (YAML, JSON or a CreateWorklistEntryData
XML document); flags override the file. Missing or invalid fields are reported
together, and nothing is sent (exit 2).

PeopleSoft acknowledges the request at once; the entry is created when it is
processed, and its reply is sent when the entry is marked Worked. Follow it with
psib worklist status or wait.

A create sent twice with the same RequestMessageID is rejected; with a new one it
creates a second entry (seed 004). psib's journal therefore remembers each
create: the same create again sends nothing (outcome "skipped"); a create whose
first attempt got no answer is sent again with the same RequestMessageID.
--force-new creates another entry.`,
		Example: `  psib worklist create --business-process "Administer Workforce" --activity Hire --event Approve \
      --worklist "HR Approvals" --operator VP1 --priority high --app EMPLID=KU0001 --app EFFDT=2026-03-01
  psib worklist create --from-file entry.yaml --request-id EXT-0001 -o json
  psib worklist create --from-file entry.yaml --dry-run`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(cmd, "create"); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runWorklistCreate(cmd.Context(), o)
		},
	}
	entryFlagSet(cmd, o, true)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the exact HTTP request and send nothing (the journal is not used)")
	return cmd
}

func newWorklistStatusCmd(o *worklistOptions, runF func(*worklistOptions) error, name string) *cobra.Command {
	cmd := &cobra.Command{
		Use:  name + " [REQUEST_ID]",
		Args: cobra.MaximumNArgs(1),
	}
	switch name {
	case "status":
		cmd.Short = "Show a worklist entry's status (GETWLINSTANCE)"
		cmd.Long = `Ask PeopleSoft for a worklist entry's status. GETWLINSTANCE needs the keys the entry
was created with: RequestMessageID (REQUEST_ID or --request-id), --business-process,
--activity, --event and --worklist. For an entry psib created, the journal
supplies the keys; --from-file reads them from the create's file.

InstanceStatus: 0 new (available), 1 selected, 2 worked, 3 cancelled.
ResponseStatus (seed 004):
  0  no such entry created (the create may not be processed yet)
  1  created, not marked Worked
  2  marked Worked; the response is with Integration Broker
  3  marked Worked, but the response could not be sent
  4  marked Worked; the response was sent to the requesting system
"No such entry" is an answer, not an error (exit 0).`
		cmd.Example = `  psib worklist status EXT-0001
  psib worklist status --from-file entry.yaml -o json`
		cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the exact HTTP request and send nothing")
	case "wait":
		cmd.Short = "Wait until a worklist entry is marked Worked"
		cmd.Long = `Poll the entry's status (GETWLINSTANCE, keys as for status) every --interval
until it is marked Worked, then print it. An entry that does not exist yet is
waited for (its create may not be processed yet); polls that get no answer are
repeated. A spinner shows on stderr when it is a terminal.

Exit codes: 0 worked; 7 not worked within --timeout (the last status is printed);
5 the entry was cancelled, or PeopleSoft answered with an error.
Here --timeout bounds the whole wait (each request keeps PSIB_TIMEOUT or the
profile's gateway.timeout).`
		cmd.Example = `  psib worklist wait EXT-0001 --timeout 30m
  psib worklist wait --from-file entry.yaml --interval 10s -o json`
		cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "give up after `DURATION` (0: wait until interrupted)")
		cmd.Flags().DurationVar(&o.Interval, "interval", worklist.DefaultPollInterval, "`DURATION` between polls")
	}
	entryFlagSet(cmd, o, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.prepare(cmd, name); err != nil {
			return err
		}
		if len(args) == 1 {
			if o.RequestID != "" && o.RequestID != args[0] {
				return usageErrorf("REQUEST_ID %q and --request-id %q differ: give one", args[0], o.RequestID)
			}
			o.RequestID = args[0]
		}
		if name == "wait" && (o.Timeout < 0 || o.Interval <= 0) {
			return usageErrorf("--timeout must be 0 or more and --interval more than 0")
		}
		if runF != nil {
			return runF(o)
		}
		return runWorklistStatus(cmd.Context(), o)
	}
	return cmd
}

func newWorklistWSDLCmd(o *worklistOptions, runF func(*worklistOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "wsdl [URL|FILE]",
		Short: "Show the names psib reads from a PT_WORKLIST WSDL",
		Long: `Read a PT_WORKLIST WSDL (a URL, a file, or --wsdl) and show what psib takes from it:
each operation's name and soapAction (the external alias PeopleSoft routes on,
e.g. CREATE_WORKLIST_ITEM.v1, while the operation name has no version), the
request and reply elements with their namespaces, the target namespace, the
address and the SOAP version. Without a WSDL it shows psib's defaults.`,
		Example: `  psib worklist wsdl "$PSIB_GATEWAY_URL/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl"
  psib worklist wsdl PT_WORKLIST.1.wsdl -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(cmd, "wsdl"); err != nil {
				return err
			}
			if len(args) == 1 {
				if o.WSDL != "" {
					return usageErrorf("give the WSDL once: as the argument or with --wsdl")
				}
				o.WSDL = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return runWorklistWSDL(cmd.Context(), o)
		},
	}
}

// ---- reading the request

// parsePairs reads repeated NAME=VALUE flags into pairs.
func parsePairs(flag string, vals []string) ([]ibmsg.WLNameValue, error) {
	var out []ibmsg.WLNameValue
	for _, v := range vals {
		n, val, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(n) == "" {
			return nil, usageErrorf("invalid --%s %q: write NAME=VALUE (NAME is a record field name, case-sensitive)", flag, v)
		}
		out = append(out, ibmsg.WLNameValue{Name: n, Value: val})
	}
	return out, nil
}

// mergePairs sets each flag pair in base: a pair of the same name is
// replaced, others are appended.
func mergePairs(base, flags []ibmsg.WLNameValue) []ibmsg.WLNameValue {
	out := append([]ibmsg.WLNameValue(nil), base...)
	for _, p := range flags {
		found := false
		for i := range out {
			if out[i].Name == p.Name {
				out[i].Value, found = p.Value, true
			}
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

// input reads --from-file and the flags into a request; flags win.
func (o *worklistOptions) input() (*worklist.Input, error) {
	in := &worklist.Input{}
	if o.FromFile != "" {
		if o.FromFile == "-" && o.IO.IsStdinTTY() {
			return nil, usageErrorf("--from-file -: stdin is a terminal: pipe the request in, or give a FILE")
		}
		name, data, err := readInput(o.IO, o.FromFile)
		if err != nil {
			return nil, err
		}
		if in, err = worklist.DecodeInput(name, data); err != nil {
			return nil, &inputError{err}
		}
	}
	r := &in.Create
	for _, s := range []struct {
		flag string
		v    string
		dst  *string
	}{
		{"request-id", o.RequestID, &r.RequestMessageID}, {"business-process", o.BusinessProcess, &r.BusinessProcessName},
		{"activity", o.Activity, &r.ActivityName}, {"event", o.Event, &r.EventName}, {"worklist", o.Worklist, &r.WorklistName},
		{"operator", o.Operator, &r.OperatorID}, {"originator", o.Originator, &r.OriginatorID}, {"priority", o.Priority, &r.Priority},
	} {
		if o.changed(s.flag) || (s.flag == "request-id" && o.RequestID != "") {
			*s.dst = s.v
		}
	}
	app, err := parsePairs("app", o.App)
	if err != nil {
		return nil, err
	}
	add, err := parsePairs("add", o.Add)
	if err != nil {
		return nil, err
	}
	r.ApplicationData, r.AdditionalData = mergePairs(r.ApplicationData, app), mergePairs(r.AdditionalData, add)
	if o.changed("instance-id") {
		in.InstanceID = o.InstanceID
	}
	if o.changed("transaction-id") {
		in.TransactionID = o.TransactionID
	}
	return in, nil
}

// invalidRequest turns a validation error into a usage error that names
// the flag for each missing or invalid field.
func (o *worklistOptions) invalidRequest(err error) error {
	var ve *ibmsg.WLValidationError
	if !errors.As(err, &ve) {
		return err
	}
	where := ""
	if o.FromFile != "" {
		where = " (in " + o.FromFile + " or by flag)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "worklist %s: the request is incomplete; nothing was sent%s:", o.Command, where)
	for _, m := range ve.Missing {
		if m == "ApplicationData" {
			fmt.Fprintf(&b, "\n  missing ApplicationData: give at least one %s", entryFlag(m))
			continue
		}
		fmt.Fprintf(&b, "\n  missing %s (%s)", m, entryFlag(m))
	}
	for _, f := range ve.Invalid {
		fmt.Fprintf(&b, "\n  %s (%s)", f.Reason, entryFlag(f.Field))
	}
	return usageErrorf("%s", b.String())
}

// ---- building the client

// wsPassword is the WS-Security password: --ws-password-file, else
// PSIB_WS_PASSWORD.
func (o *worklistOptions) wsPassword() (secret.Secret, error) {
	if o.WSPassFile != "" {
		pw, err := readPasswordFile(o.WSPassFile)
		return secret.New(pw), err
	}
	if v, ok := o.Factory.LookupEnv("PSIB_WS_PASSWORD"); ok {
		return secret.New(v), nil
	}
	return secret.Secret{}, nil
}

// service returns the names to send: the WSDL's, or the flags'.
func (o *worklistOptions) service(ctx context.Context, cfg *config.Config) (worklist.Service, error) {
	if o.WSDL == "" {
		return worklist.Names{CreateOperation: o.CreateOperation, StatusOperation: o.StatusOperation,
			AliasVersion: o.OperationVersion, MessageVersion: o.MessageVersion}.Service(), nil
	}
	var data []byte
	if strings.HasPrefix(o.WSDL, "http://") || strings.HasPrefix(o.WSDL, "https://") {
		hc := &http.Client{Timeout: gateway.DefaultTimeout}
		if cfg != nil {
			if cfg.Gateway.Timeout > 0 {
				hc.Timeout = cfg.Gateway.Timeout
			}
			if cfg.TLS.Insecure {
				t := http.DefaultTransport.(*http.Transport).Clone()
				t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // --insecure, given explicitly
				hc.Transport = t
			}
		}
		var err error
		if data, err = worklist.FetchWSDL(ctx, hc, o.WSDL); err != nil {
			return worklist.Service{}, o.failure(err)
		}
	} else {
		var err error
		if _, data, err = readInput(o.IO, o.WSDL); err != nil {
			return worklist.Service{}, err
		}
	}
	s, err := worklist.ParseWSDL(o.WSDL, data)
	if err != nil {
		return worklist.Service{}, o.failure(err)
	}
	return *s, nil
}

// openJournal opens psib's journal; create makes it when it does not exist.
// Without create a missing journal is nil (nothing recorded yet).
func (o *worklistOptions) openJournal(create bool) (*journal.Journal, error) {
	path, err := resolveJournalPath(o.Journal, o.Factory.LookupEnv)
	if err != nil {
		return nil, err
	}
	j, err := journal.Open(path, journal.Options{Create: create, Now: o.Factory.Now})
	if !create && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &inputError{err}
	}
	return j, nil
}

// dryRunPoster prints each request instead of sending it.
type dryRunPoster struct {
	gw  *gateway.Client
	out io.Writer
}

// errDryRun ends a dry run after the request was printed.
var errDryRun = errors.New("dry run")

func (d *dryRunPoster) Post(_ context.Context, req *gateway.Request) (*gateway.Result, error) {
	dump, err := d.gw.DumpRequest(req)
	if err != nil {
		return nil, err
	}
	if _, err := d.out.Write(dump); err != nil {
		return nil, err
	}
	return nil, errDryRun
}

// client builds the worklist client and returns a function that closes
// its journal (nil when there is none).
func (o *worklistOptions) client(ctx context.Context, withJournal, createJournal bool) (*worklist.Client, func() error, error) {
	gw, cfg, err := o.Factory.gatewayClient(o.Verbose, false)
	if err != nil {
		return nil, nil, err
	}
	svc, err := o.service(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	pw, err := o.wsPassword()
	if err != nil {
		return nil, nil, err
	}
	if o.WSUser == "" && !pw.IsZero() && o.WSPassFile != "" {
		return nil, nil, usageErrorf("--ws-password-file needs --ws-user (the PeopleSoft user of the UsernameToken)")
	}
	soap := svc.SOAPVersion
	switch o.SOAPVersion {
	case "1.1":
		soap = ibmsg.SOAP11
	case "1.2":
		soap = ibmsg.SOAP12
	}
	wo := worklist.Options{Gateway: gw, SOAPVersion: soap, Service: svc, Now: o.Factory.Now,
		Credentials: ibmsg.Credentials{From: cfg.Gateway.From, To: cfg.Gateway.To, Password: cfg.Gateway.NodePassword}}
	if o.WSUser != "" {
		wo.WSUser, wo.WSPassword = o.WSUser, pw
	}
	for _, h := range o.Headers {
		name, value, _ := strings.Cut(h, ":")
		wo.Header = append(wo.Header, ibmsg.HeaderField{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	if o.Template != "" {
		name, data, err := readInput(o.IO, o.Template)
		if err != nil {
			return nil, nil, err
		}
		t, err := worklist.ParseTemplate(name, string(data))
		if err != nil {
			return nil, nil, o.failure(err)
		}
		if o.Command == "create" {
			wo.CreateTemplate = t
		} else {
			wo.StatusTemplate = t
		}
	}
	if o.DryRun {
		wo.Gateway = &dryRunPoster{gw: gw, out: o.IO.Out}
		// A dry create records nothing; a dry status still reads the keys.
		withJournal = withJournal && o.Command != "create"
	}
	closeJournal := func() error { return nil }
	if withJournal && !o.NoJournal {
		j, err := o.openJournal(createJournal)
		if err != nil {
			return nil, nil, err
		}
		if j != nil {
			from := cfg.Gateway.From
			if from == "" {
				from = "ANONYMOUS"
			}
			wo.Journal, wo.Scope, closeJournal = worklist.JournalOf(j), worklist.Scope(gw.BaseURL(), from), j.Close
		}
	}
	c, err := worklist.New(wo)
	if err != nil {
		_ = closeJournal()
		return nil, nil, err
	}
	return c, closeJournal, nil
}

// failure adds what psib knows to a worklist error and gives it its exit
// code: the catalog's explanation for an IB status (text output), 2 for
// journal conflicts, unusable templates and WSDLs, 5 for unusable replies,
// 6 for a WSDL that could not be downloaded.
func (o *worklistOptions) failure(err error) error {
	var (
		se       *ibmsg.StatusError
		conflict *worklist.ConflictError
		reply    *worklist.ReplyError
		tmpl     *worklist.TemplateError
		wsdl     *worklist.WSDLError
		fetch    *worklist.FetchError
		ge       *gateway.Error
	)
	what := "worklist " + o.Command
	own := func(err error) string { return what + ": " + strings.TrimPrefix(err.Error(), "worklist: ") }
	switch {
	case errors.As(err, &fetch) && fetch.Status == 0:
		return &exitError{code: exitTransport, msg: own(err) + " (nothing was sent)"}
	case errors.As(err, &conflict), errors.As(err, &tmpl), errors.As(err, &wsdl), errors.As(err, &fetch):
		return &inputError{errors.New(own(err))}
	case errors.As(err, &reply):
		return &exitError{code: exitRemote, msg: own(err)}
	case errors.As(err, &se):
		err = fmt.Errorf("%s: %w", what, err)
		if se.Status.MsgSet == 158 && se.Status.MsgID == 45 && o.WSUser != "" {
			// 158/45 also answers a UsernameToken whose password is wrong
			// (samples/03); the catalog speaks of the node only.
			err = fmt.Errorf("%w\n  note: with --ws-user %s, check that user's password too (--ws-password-file or PSIB_WS_PASSWORD)", err, o.WSUser)
		}
		if o.Format == "text" {
			return withExplanation(err, &se.Status)
		}
		return err
	case errors.As(err, &ge):
		err = fmt.Errorf("%s: %w", what, err)
		if o.Command == "create" && ge.Class == gateway.ClassUnknown && !o.NoJournal && !o.DryRun {
			err = fmt.Errorf("%w\n  the journal keeps its RequestMessageID: run the same command again to resend it with that id, so that PeopleSoft creates the entry at most once", err)
		}
		return err
	}
	return err
}

// ---- create

// worklistCreateJSON is create's -o json object.
type worklistCreateJSON struct {
	RequestMessageID    string `json:"request_message_id"`
	Outcome             string `json:"outcome"`
	Resent              bool   `json:"resent"`
	IBTransactionID     string `json:"ib_transaction_id"`
	Operation           string `json:"operation"`
	BusinessProcessName string `json:"business_process_name"`
	ActivityName        string `json:"activity_name"`
	EventName           string `json:"event_name"`
	WorklistName        string `json:"worklist_name"`
	OperatorID          string `json:"operator_id"`
	Priority            string `json:"priority"`
	// FirstCreated is when the journal first recorded a skipped or resent
	// create.
	FirstCreated *time.Time `json:"first_created,omitempty"`
	// The reply's fields, when the gateway answered with it.
	InstanceID         *int64  `json:"instance_id,omitempty"`
	TransactionID      *int64  `json:"transaction_id,omitempty"`
	InstanceStatus     *int    `json:"instance_status,omitempty"`
	InstanceStatusText *string `json:"instance_status_text,omitempty"`
}

func runWorklistCreate(ctx context.Context, o *worklistOptions) error {
	in, err := o.input()
	if err != nil {
		return err
	}
	if in.InstanceID != 0 || in.TransactionID != 0 {
		return usageErrorf("%s: InstanceID and TransactionID are status filters: a create cannot take them", o.FromFile)
	}
	req := in.Create
	if p, err := ibmsg.NormalizeWLPriority(req.Priority); err == nil {
		req.Priority = p
	}
	if err := req.Validate(); err != nil {
		return o.invalidRequest(err)
	}
	c, closeJournal, err := o.client(ctx, true, true)
	if err != nil {
		return err
	}
	res, err := c.Create(ctx, &req, worklist.CreateOptions{ForceNew: o.ForceNew})
	if cerr := closeJournal(); err == nil && cerr != nil {
		err = cerr
	}
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err != nil {
		return o.failure(err)
	}
	return renderWorklistCreate(o, c, res)
}

func renderWorklistCreate(o *worklistOptions, c *worklist.Client, res *worklist.CreateResult) error {
	r := res.Request
	p := o.IO.ErrPalette()
	switch {
	case res.Outcome == worklist.OutcomeSkipped:
		fmt.Fprintf(o.IO.ErrOut, "%s worklist create: already created on %s (RequestMessageID %s, %s in the journal); nothing was sent. Use --force-new to create another entry.\n",
			p.Yellow.Sprint("psib: note:"), res.Previous.Created.Local().Format(time.RFC3339), r.RequestMessageID, res.Previous.State)
	case res.Resent:
		fmt.Fprintf(o.IO.ErrOut, "%s worklist create: RequestMessageID %s was sent on %s without a known outcome; sent again with the same id, so that PeopleSoft creates the entry at most once.\n",
			p.Yellow.Sprint("psib: note:"), r.RequestMessageID, res.Previous.Created.Local().Format(time.RFC3339))
	}
	if o.Format == "json" {
		j := worklistCreateJSON{RequestMessageID: r.RequestMessageID, Outcome: string(res.Outcome), Resent: res.Resent,
			IBTransactionID: res.IBTransactionID, Operation: c.Service().CreateAction, BusinessProcessName: r.BusinessProcessName,
			ActivityName: r.ActivityName, EventName: r.EventName, WorklistName: r.WorklistName, OperatorID: r.OperatorID, Priority: r.Priority}
		if res.Previous != nil && (res.Outcome == worklist.OutcomeSkipped || res.Resent) {
			t := res.Previous.Created
			j.FirstCreated = &t
		}
		if rp := res.Reply; rp != nil {
			st, text := int(rp.InstanceStatus), rp.InstanceStatus.String()
			j.InstanceID, j.TransactionID, j.InstanceStatus, j.InstanceStatusText = &rp.InstanceID, &rp.TransactionID, &st, &text
		}
		return writeJSON(o.IO.Out, j)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "RequestMessageID\t%s\n", r.RequestMessageID)
	switch {
	case res.Outcome == worklist.OutcomeSkipped:
		fmt.Fprintf(tw, "Outcome\tskipped: accepted before, not sent again\n")
	case res.Reply != nil:
		fmt.Fprintf(tw, "Outcome\taccepted: the entry exists\n")
	default:
		fmt.Fprintf(tw, "Outcome\taccepted: PeopleSoft creates the entry for %s when it processes the request\n", r.OperatorID)
	}
	if res.IBTransactionID != "" {
		fmt.Fprintf(tw, "IB transaction\t%s\n", res.IBTransactionID)
	}
	if rp := res.Reply; rp != nil {
		fmt.Fprintf(tw, "InstanceID\t%d\nTransactionID\t%d\nInstanceStatus\t%d %s\n", rp.InstanceID, rp.TransactionID, rp.InstanceStatus, rp.InstanceStatus)
	}
	fmt.Fprintf(tw, "Entry\t%s / %s / %s / %s for %s, priority %s\n", r.BusinessProcessName, r.ActivityName, r.EventName, r.WorklistName,
		r.OperatorID, ibmsg.WLPriorityText(r.Priority))
	return tw.Flush()
}

// ---- status and wait

// worklistStatusJSON is status's and wait's -o json object.
type worklistStatusJSON struct {
	RequestMessageID    string              `json:"request_message_id"`
	BusinessProcessName string              `json:"business_process_name"`
	ActivityName        string              `json:"activity_name"`
	EventName           string              `json:"event_name"`
	WorklistName        string              `json:"worklist_name"`
	InstanceID          *int64              `json:"instance_id"`
	TransactionID       *int64              `json:"transaction_id"`
	InstanceStatus      *int                `json:"instance_status"`
	InstanceStatusText  string              `json:"instance_status_text"`
	ResponseStatus      int                 `json:"response_status"`
	ResponseStatusText  string              `json:"response_status_text"`
	Worked              bool                `json:"worked"`
	WorkedOn            *string             `json:"worked_on"`
	AdditionalData      []ibmsg.WLNameValue `json:"additional_data"`
}

func statusJSON(r *ibmsg.StatusResponse) worklistStatusJSON {
	j := worklistStatusJSON{RequestMessageID: r.RequestMessageID, BusinessProcessName: r.BusinessProcessName, ActivityName: r.ActivityName,
		EventName: r.EventName, WorklistName: r.WorklistName, ResponseStatus: int(r.ResponseStatus), ResponseStatusText: r.ResponseStatus.String(),
		Worked: r.Worked(), AdditionalData: r.AdditionalData}
	if j.AdditionalData == nil {
		j.AdditionalData = []ibmsg.WLNameValue{}
	}
	if r.Found() {
		inst, txn, st := r.InstanceID, r.TransactionID, int(r.InstanceStatus)
		j.InstanceID, j.TransactionID, j.InstanceStatus, j.InstanceStatusText = &inst, &txn, &st, r.InstanceStatus.String()
	}
	if r.WorkedOn != "" {
		w := r.WorkedOn
		j.WorkedOn = &w
	}
	return j
}

func renderWorklistStatus(o *worklistOptions, r *ibmsg.StatusResponse) error {
	if o.Format == "json" {
		return writeJSON(o.IO.Out, statusJSON(r))
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "RequestMessageID\t%s\nBusinessProcessName\t%s\nActivityName\t%s\nEventName\t%s\nWorklistName\t%s\n",
		r.RequestMessageID, r.BusinessProcessName, r.ActivityName, r.EventName, r.WorklistName)
	if r.Found() {
		fmt.Fprintf(tw, "InstanceID\t%d\nTransactionID\t%d\nInstanceStatus\t%d %s\n", r.InstanceID, r.TransactionID, r.InstanceStatus, r.InstanceStatus)
	}
	fmt.Fprintf(tw, "ResponseStatus\t%d %s\n", r.ResponseStatus, r.ResponseStatus)
	if r.WorkedOn != "" {
		fmt.Fprintf(tw, "WorkedOn\t%s\n", r.WorkedOn)
	}
	for i, nv := range r.AdditionalData {
		label := ""
		if i == 0 {
			label = "AdditionalData"
		}
		fmt.Fprintf(tw, "%s\t%s=%s\n", label, nv.Name, nv.Value)
	}
	return tw.Flush()
}

// statusRequest completes the keys from the journal when the flags and
// file leave some out.
func (o *worklistOptions) statusRequest(c *worklist.Client, in *worklist.Input) (*ibmsg.StatusRequest, error) {
	r := in.Create
	req := &ibmsg.StatusRequest{WLKeys: r.WLKeys, InstanceID: in.InstanceID, TransactionID: in.TransactionID}
	if req.Validate() != nil && req.RequestMessageID != "" {
		e, err := c.Remembered(req.RequestMessageID)
		if err != nil {
			return nil, &inputError{err}
		}
		if e != nil {
			keys := e.Keys()
			fill := func(dst *string, v string) {
				if *dst == "" {
					*dst = v
				}
			}
			fill(&req.BusinessProcessName, keys.BusinessProcessName)
			fill(&req.ActivityName, keys.ActivityName)
			fill(&req.EventName, keys.EventName)
			fill(&req.WorklistName, keys.WorklistName)
		}
	}
	if err := req.Validate(); err != nil {
		err = o.invalidRequest(err)
		if req.RequestMessageID != "" {
			err = usageErrorf("%v\n  (the journal has no create with RequestMessageID %s for this gateway and node)", err, req.RequestMessageID)
		}
		return nil, err
	}
	return req, nil
}

func runWorklistStatus(ctx context.Context, o *worklistOptions) error {
	in, err := o.input()
	if err != nil {
		return err
	}
	if in.Create.RequestMessageID == "" {
		return usageErrorf("worklist %s: which entry? give its RequestMessageID (REQUEST_ID or --request-id, as psib worklist create printed it)", o.Command)
	}
	c, closeJournal, err := o.client(ctx, true, false)
	if err != nil {
		return err
	}
	req, err := o.statusRequest(c, in)
	if cerr := closeJournal(); err == nil && cerr != nil {
		err = &inputError{cerr}
	}
	if err != nil {
		return err
	}
	if o.Command == "status" {
		reply, err := c.Status(ctx, req)
		if errors.Is(err, errDryRun) {
			return nil
		}
		if err != nil {
			return o.failure(err)
		}
		return renderWorklistStatus(o, reply)
	}
	return o.wait(ctx, c, req)
}

func (o *worklistOptions) wait(ctx context.Context, c *worklist.Client, req *ibmsg.StatusRequest) error {
	var sp *spinner
	if o.IO.IsStderrTTY() {
		sp = startSpinner(o.IO.ErrOut, o.IO.ErrPalette(), "waiting for "+req.RequestMessageID+" to be marked Worked")
	}
	reply, err := c.Wait(ctx, req, worklist.WaitOptions{Timeout: o.Timeout, Interval: o.Interval,
		Progress: func(r *ibmsg.StatusResponse, err error) {
			if sp == nil {
				return
			}
			what := "no answer, trying again"
			if err == nil {
				what = fmt.Sprintf("ResponseStatus %d: %s", r.ResponseStatus, r.ResponseStatus)
			}
			sp.Update(fmt.Sprintf("waiting for %s to be marked Worked (%s)", req.RequestMessageID, what))
		}})
	if sp != nil {
		sp.Stop()
	}
	var (
		timeout   *worklist.TimeoutError
		cancelled *worklist.CancelledError
	)
	switch {
	case err == nil:
		return renderWorklistStatus(o, reply)
	case errors.As(err, &timeout):
		if timeout.Last != nil {
			if rerr := renderWorklistStatus(o, timeout.Last); rerr != nil {
				return rerr
			}
		}
		return &exitError{code: exitUnknown, msg: "worklist wait: " + strings.TrimPrefix(err.Error(), "worklist: ") +
			"; it may still be worked: run psib worklist wait again"}
	case errors.As(err, &cancelled):
		if rerr := renderWorklistStatus(o, cancelled.Last); rerr != nil {
			return rerr
		}
		return &exitError{code: exitRemote, msg: "worklist wait: " + strings.TrimPrefix(err.Error(), "worklist: ")}
	}
	return o.failure(err)
}

// ---- wsdl

// worklistWSDLJSON is wsdl's -o json object.
type worklistWSDLJSON struct {
	Source          string             `json:"source"`
	TargetNamespace string             `json:"target_namespace"`
	Location        string             `json:"location"`
	SOAPVersion     string             `json:"soap_version"`
	Create          worklistOperationJ `json:"create"`
	Status          worklistOperationJ `json:"status"`
}

type worklistOperationJ struct {
	Operation  string        `json:"operation"`
	SOAPAction string        `json:"soap_action"`
	Request    worklistNameJ `json:"request"`
	Reply      worklistNameJ `json:"reply"`
}

type worklistNameJ struct {
	Element   string `json:"element"`
	Namespace string `json:"namespace"`
}

func runWorklistWSDL(ctx context.Context, o *worklistOptions) error {
	var cfg *config.Config
	if strings.HasPrefix(o.WSDL, "http") {
		// Timeouts and --insecure apply to the download; a missing
		// gateway URL does not matter here.
		if c, err := o.Factory.Config(); err == nil {
			cfg = c
		}
	}
	s, err := o.service(ctx, cfg)
	if err != nil {
		return err
	}
	source := o.WSDL
	if source == "" {
		source = "psib's defaults (docs/worklist.md)"
	}
	name := func(n xml.Name) worklistNameJ { return worklistNameJ{Element: n.Local, Namespace: n.Space} }
	j := worklistWSDLJSON{Source: source, TargetNamespace: s.TargetNamespace, Location: s.Location, SOAPVersion: s.SOAPVersion.String(),
		Create: worklistOperationJ{Operation: s.CreateOperation, SOAPAction: s.CreateAction, Request: name(s.CreateRequest), Reply: name(s.CreateResponse)},
		Status: worklistOperationJ{Operation: s.StatusOperation, SOAPAction: s.StatusAction, Request: name(s.StatusRequest), Reply: name(s.StatusResponse)}}
	if o.Format == "json" {
		return writeJSON(o.IO.Out, j)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Source\t%s\n", j.Source)
	if j.TargetNamespace != "" {
		fmt.Fprintf(tw, "Target namespace\t%s\n", j.TargetNamespace)
	}
	if j.Location != "" {
		fmt.Fprintf(tw, "Address\t%s\n", j.Location)
	}
	fmt.Fprintf(tw, "SOAP\t%s\n", j.SOAPVersion)
	for _, op := range []worklistOperationJ{j.Create, j.Status} {
		fmt.Fprintf(tw, "%s\tsoapAction %s\n", op.Operation, op.SOAPAction)
		fmt.Fprintf(tw, "  request\t%s in %s\n", op.Request.Element, op.Request.Namespace)
		fmt.Fprintf(tw, "  reply\t%s in %s\n", op.Reply.Element, op.Reply.Namespace)
	}
	return tw.Flush()
}

// ---- spinner

// spinner shows progress on a terminal's stderr: one line with the time
// elapsed, rewritten in place, cleared when it stops.
type spinner struct {
	w     io.Writer
	p     *palette
	start time.Time
	mu    sync.Mutex
	msg   string
	stop  chan struct{}
	done  chan struct{}
}

func startSpinner(w io.Writer, p *palette, msg string) *spinner {
	s := &spinner{w: w, p: p, start: time.Now(), msg: msg, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *spinner) run() {
	defer close(s.done)
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		s.mu.Lock()
		fmt.Fprintf(s.w, "\r\x1b[K%s %s %s", s.p.Cyan.Sprint(frames[i%len(frames)]), s.msg,
			s.p.Dim.Sprint(time.Since(s.start).Truncate(time.Second)))
		s.mu.Unlock()
		select {
		case <-s.stop:
			fmt.Fprint(s.w, "\r\x1b[K")
			return
		case <-t.C:
		}
	}
}

// Update changes the message.
func (s *spinner) Update(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msg = msg
}

// Stop clears the line and waits for the spinner to end.
func (s *spinner) Stop() {
	close(s.stop)
	<-s.done
}
