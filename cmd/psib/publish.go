package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
	"github.com/psib-dev/psib/pkg/publish"
)

// listAllUpTo is the largest batch whose accepted messages are listed one
// by one on a terminal; larger batches list only the messages that need
// attention (a pipe always gets every line).
const listAllUpTo = 20

type publishOptions struct {
	IO      *streams
	Factory *factory

	Operation    string
	Inputs       []string
	NDJSON       bool
	NonXML       bool
	NonXMLRoot   string
	Connector    string
	Credentials  string
	Headers      []string
	Concurrency  int
	Rate         string
	Retries      int
	NewID        bool
	NoMessageID  bool
	RetryUnknown bool
	Journal      string
	NoJournal    bool
	Reports      []string
	NoProgress   bool
	Format       string
	Verbose      int

	// Interrupt, when set, replaces the process's SIGINT/SIGTERM (tests).
	Interrupt <-chan os.Signal
}

func newPublishCmd(f *factory, runF func(*publishOptions) error) *cobra.Command {
	o := &publishOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "publish OPERATION [FILE|DIR|GLOB|-]...",
		Short: "Publish asynchronous messages, one or a batch, never lost and never silently duplicated",
		Long: `Publish each FILE (every regular file of a DIR, every match of a GLOB; with
--ndjson, every line) as one message to an asynchronous service operation,
through the HTTP listening connector (or --connector peoplesoft, internal MIME).
A message is accepted when the gateway acknowledges it with a transaction id.

Every input is checked before anything is sent: an unreadable file, a file that
is not well-formed XML (send non-XML data with --non-xml), or an empty directory
stops psib with exit code 2.

Every message carries an ExternalMessageID: psib- and a hash of the operation,
the nodes and the content, so the same message always has the same id and the
gateway suppresses a duplicate (--new-id sends fresh ids: new messages).

The journal (an SQLite file, $XDG_STATE_HOME/psib/journal.db by default,
--journal PATH) records each message as in-flight before its request goes out,
then its outcome. Running the same command again skips what was accepted
(reported as skipped) and resends what a crash or an interrupt left behind, with
the same id. See it with psib journal list|show|export.

Delivery: failures where nothing was delivered (refused, DNS, TLS, HTTP 503 and
429) are retried with capped exponential backoff (--retries); ambiguous ones
(timeout, reset after sending) are retried with the same id, and a duplicate
reply counts as accepted; without a usable id they are reported unknown and not
resent unless --retry-unknown. Rejected messages (an IB error) are not retried.

NDJSON lines are a JSON string (the document) or an object
{"payload": "<xml/>", "external_message_id": "your-id"}.

Output: one line per message in input order (on a terminal, batches over 20
list only the messages that need attention), a summary on stderr, a progress
bar when stderr is a terminal. -o json prints the contract's JSON line per
message. Ctrl-C stops sending new messages and waits for those in flight (exit
130); a second Ctrl-C aborts them. The exit code is the most severe among the
messages: 7 unknown > 6 not delivered > 5 rejected/HTTP error > 4 credentials >
2 input > 0.`,
		Example: `  psib publish CHG_ASYNC_UTEST.v1 message.xml
  psib publish CHG_ASYNC_UTEST.v1 outbox/ --concurrency 16 --report junit=publish.xml
  psib publish CHG_ASYNC_UTEST.v1 --ndjson batch.ndjson -o json
  psib publish CHG_ASYNC_UTEST.v1 'outbox/*.xml' --rate 50
  psib journal list --runs`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErrorf("publish takes an OPERATION and at least one input (FILE, DIR, GLOB, or - for stdin), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Operation, o.Inputs = args[0], args[1:]
			o.Verbose, _ = cmd.Flags().GetCount("verbose")
			var err error
			if o.Format, err = outputFormat(cmd, "text", "text", "json"); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runPublish(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.NDJSON, "ndjson", false, "each input is NDJSON: one message per line (a JSON string, or {\"payload\": ..., \"external_message_id\": ...})")
	fl.BoolVar(&o.NonXML, "non-xml", false, "the payloads are not XML: wrap each in PeopleSoft's PsNonXml element")
	fl.StringVar(&o.NonXMLRoot, "non-xml-root", "AsyncRequest", "root element of the --non-xml wrapper")
	fl.StringVar(&o.Connector, "connector", "http", "listening connector: http (HttpListeningConnector) or peoplesoft (internal MIME)")
	fl.StringVar(&o.Credentials, "credentials", "headers", "where credentials go on the http connector: headers, query or body (IBRequest wrapper)")
	fl.StringArrayVar(&o.Headers, "header", nil, "extra HTTP header `NAME:VALUE` (repeatable)")
	fl.IntVar(&o.Concurrency, "concurrency", publish.DefaultConcurrency, "messages in flight at once")
	fl.StringVar(&o.Rate, "rate", "", "at most `R` requests per second, retries included (e.g. 50 or 50/s); default no limit")
	fl.IntVar(&o.Retries, "retries", publish.DefaultRetries, "retries of a failure that is safe to retry (nothing delivered, or ambiguous with the same id)")
	fl.BoolVar(&o.NewID, "new-id", false, "send every message with a fresh random ExternalMessageID (new messages, even if accepted before)")
	fl.BoolVar(&o.NoMessageID, "no-message-id", false, "send no ExternalMessageID (ambiguous failures are then unknown and never resent)")
	fl.BoolVar(&o.RetryUnknown, "retry-unknown", false, "resend messages an earlier run left unknown without a usable id (they may be processed twice)")
	fl.StringVar(&o.Journal, "journal", "", "journal `PATH` (default $PSIB_JOURNAL, else $XDG_STATE_HOME/psib/journal.db)")
	fl.BoolVar(&o.NoJournal, "no-journal", false, "keep no journal: a re-run sends everything again (ids still let the gateway suppress duplicates)")
	fl.StringArrayVar(&o.Reports, "report", nil, "write a report for CI: junit=`FILE` or json=FILE (repeatable)")
	fl.BoolVar(&o.NoProgress, "no-progress", false, "no progress bar, even on a terminal")
	return cmd
}

func (o *publishOptions) validate() error {
	switch o.Connector {
	case "http", "peoplesoft":
	default:
		return usageErrorf("invalid --connector %q for publish: use http or peoplesoft", o.Connector)
	}
	switch o.Credentials {
	case "headers", "query", "body":
	default:
		return usageErrorf("invalid --credentials %q: use headers, query or body", o.Credentials)
	}
	if o.Credentials != "headers" && o.Connector != "http" {
		return usageErrorf("--credentials %s applies to --connector http only", o.Credentials)
	}
	if o.Concurrency < 1 || o.Concurrency > 1024 {
		return usageErrorf("--concurrency %d: use 1 to 1024", o.Concurrency)
	}
	if o.Retries < 0 {
		return usageErrorf("--retries must be 0 or more")
	}
	if _, err := o.rate(); err != nil {
		return err
	}
	if o.NewID && o.NoMessageID {
		return usageErrorf("--new-id and --no-message-id contradict each other: choose one")
	}
	if o.NoJournal && o.Journal != "" {
		return usageErrorf("--journal and --no-journal contradict each other: choose one")
	}
	for _, h := range o.Headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			return usageErrorf("invalid --header %q: write NAME:VALUE", h)
		}
	}
	if _, err := o.reportTargets(); err != nil {
		return err
	}
	stdin := 0
	for _, in := range o.Inputs {
		if in == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf("- (stdin) can be given once")
	}
	if stdin == 1 && o.IO.IsStdinTTY() {
		return usageErrorf("reading messages from stdin, but stdin is a terminal: pipe them in, or give FILE, DIR or GLOB")
	}
	return nil
}

// rate parses --rate: "50", "50/s", "0.5/s"; 0 means no limit.
func (o *publishOptions) rate() (float64, error) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(o.Rate), "/s"))
	if s == "" {
		return 0, nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r < 0 || r > 1e6 {
		return 0, usageErrorf("invalid --rate %q: give requests per second, e.g. 50 or 50/s", o.Rate)
	}
	return r, nil
}

type reportTarget struct{ kind, path string }

func (o *publishOptions) reportTargets() ([]reportTarget, error) {
	var out []reportTarget
	for _, r := range o.Reports {
		kind, path, ok := strings.Cut(r, "=")
		if !ok || path == "" || (kind != "junit" && kind != "json") {
			return nil, usageErrorf("invalid --report %q: use junit=FILE or json=FILE", r)
		}
		out = append(out, reportTarget{kind, path})
	}
	return out, nil
}

// journalPath is --journal, else PSIB_JOURNAL, else the XDG state file.
func (o *publishOptions) journalPath() (string, error) {
	return resolveJournalPath(o.Journal, o.Factory.LookupEnv)
}

func resolveJournalPath(flag string, lookupEnv func(string) (string, bool)) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if v, ok := lookupEnv("PSIB_JOURNAL"); ok && v != "" {
		return v, nil
	}
	p, err := journal.DefaultPath(lookupEnv)
	if err != nil {
		return "", usageErrorf("%s", strings.TrimPrefix(err.Error(), "journal: "))
	}
	return p, nil
}

func runPublish(ctx context.Context, o *publishOptions) error {
	// A batch allocates per message but keeps little: collecting garbage
	// less often saves a fifth of the CPU, and memory stays flat (a few
	// tens of MB), unless the user set GOGC.
	if _, set := o.Factory.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	client, cfg, err := o.Factory.gatewayClient(o.Verbose, false)
	if err != nil {
		return err
	}
	creds := ibmsg.Credentials{OperationName: o.Operation, From: cfg.Gateway.From, To: cfg.Gateway.To, Password: cfg.Gateway.NodePassword}
	if o.Connector == "peoplesoft" {
		creds.OperationType = "async"
	}
	if err := creds.Validate(); err != nil {
		return usageErrorf("%v: give the requesting node with --from, PSIB_FROM or a profile", strings.TrimPrefix(err.Error(), "ibmsg: "))
	}
	tmpl := gateway.Request{Connector: gateway.Connector(o.Connector), Mode: gateway.CredentialMode(o.Credentials), Credentials: creds}
	for _, h := range o.Headers {
		name, value, _ := strings.Cut(h, ":")
		tmpl.Header = append(tmpl.Header, ibmsg.HeaderField{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	// The request must be one psib can send (bad header names, ...): found
	// now, before anything goes out.
	if _, err := client.BuildHTTP(&gateway.Request{Connector: tmpl.Connector, Mode: tmpl.Mode, Credentials: creds, Header: tmpl.Header,
		Payload: []byte("<check/>")}); err != nil {
		return err
	}
	rate, _ := o.rate()
	target := publish.Target{URL: client.BaseURL(), From: cfg.Gateway.From, To: cfg.Gateway.To}

	src := &publish.Source{Args: o.Inputs, NDJSON: o.NDJSON, NonXML: o.NonXML, NonXMLRoot: o.NonXMLRoot, Stdin: o.IO.In}
	batch, err := src.Scan()
	if err != nil {
		return err
	}
	defer batch.Close()

	var jr *journal.Journal
	if !o.NoJournal {
		path, err := o.journalPath()
		if err != nil {
			return err
		}
		if jr, err = journal.Open(path, journal.Options{Create: true, Now: o.Factory.Now}); err != nil {
			return err
		}
		defer jr.Close()
	}

	command := "publish " + o.Operation + " " + strings.Join(o.Inputs, " ")
	targets, _ := o.reportTargets()
	info := publish.ReportInfo{Operation: o.Operation, Target: target.String(), Command: command, Started: o.Factory.Now()}
	var reports []publish.Report
	closeReports := func() {
		for _, r := range reports {
			r.Abort()
		}
	}
	for _, t := range targets {
		mk := publish.NewJSONReport
		if t.kind == "junit" {
			mk = publish.NewJUnitReport
		}
		r, err := mk(t.path, info)
		if err != nil {
			closeReports()
			return &inputError{err}
		}
		reports = append(reports, r)
	}

	sig := o.Interrupt
	if sig == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(ch)
		sig = ch
	}

	out := newPublishPrinter(o, batch.Len())
	opts := publish.Options{
		Operation: o.Operation, Target: target, Request: tmpl, Client: client, Journal: jr, Command: command,
		Concurrency: o.Concurrency, Rate: rate, Retries: o.Retries, NewID: o.NewID, NoMessageID: o.NoMessageID,
		RetryUnknown: o.RetryUnknown, Interrupt: sig, Total: batch.Len(), Now: o.Factory.Now,
		OnResult: func(r *publish.Result) {
			out.result(r)
			for _, rep := range reports {
				if err := rep.Add(r); err != nil {
					out.warn("report: %v", err)
				}
			}
		},
	}
	// The user's first Ctrl-C cancels the command's context; in-flight
	// requests must go on, so the engine runs on a context of its own and
	// hears interrupts from sig.
	sum, runErr := publish.Run(context.WithoutCancel(ctx), opts, batch.Messages())
	out.finish()
	if sum == nil {
		closeReports()
		return runErr
	}
	for _, r := range reports {
		if err := r.Close(sum); err != nil {
			out.warn("%v", err)
		}
	}
	if jr != nil {
		if err := jr.Close(); err != nil && runErr == nil {
			runErr = &publish.JournalError{Err: err}
		}
	}
	out.summary(sum, jr)
	code := exitCodeForPublish(sum.Worst)
	switch {
	case runErr != nil:
		return &exitError{code: max(code, exitInternal), msg: fmt.Sprintf("publish %s: %v", o.Operation, runErr)}
	case sum.Interrupted:
		return &exitError{code: exitInterrupted, msg: fmt.Sprintf("interrupted: %d message(s) not sent; run the same command again to send them", sum.NotSent)}
	case code != exitOK:
		return &silentError{code: code}
	}
	return nil
}

// publishPrinter renders results: lines on stdout (or above the progress
// bar when both go to the same terminal), the bar and the summary on
// stderr.
type publishPrinter struct {
	o         *publishOptions
	mu        sync.Mutex    // guards out against the flusher
	buf       *bufio.Writer // stdout, flushed every flushEvery and at the end
	stop      chan struct{}
	done      chan struct{}
	out, err  io.Writer
	bar       *progressbar.ProgressBar
	viaBar    bool // stdout and stderr are the terminal: lines go above the bar
	listAll   bool
	explained map[[2]int]bool
	p         *palette
	scratch   []byte // a result's JSON line, reused
}

// flushEvery is how often buffered result lines reach stdout: a line per
// write would cost a system call per message.
const flushEvery = 200 * time.Millisecond

func newPublishPrinter(o *publishOptions, total int) *publishPrinter {
	pp := &publishPrinter{o: o, err: o.IO.ErrOut, explained: map[[2]int]bool{}, p: o.IO.OutPalette(),
		buf: bufio.NewWriterSize(o.IO.Out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	pp.out = pp.buf
	go func() {
		defer close(pp.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				pp.mu.Lock()
				_ = pp.buf.Flush()
				pp.mu.Unlock()
			case <-pp.stop:
				return
			}
		}
	}()
	pp.listAll = o.Format == "json" || !o.IO.IsStdoutTTY() || total <= listAllUpTo
	if o.IO.IsStderrTTY() && !o.NoProgress && total > 1 {
		pp.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(o.IO.ErrOut),
			progressbar.OptionSetDescription("publishing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("msg"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetRenderBlankState(true),
		)
		pp.viaBar = o.IO.IsStdoutTTY() && o.Format != "json"
	}
	return pp
}

func (pp *publishPrinter) line(s string) {
	if pp.viaBar {
		// The bar and the lines share the terminal: clear the bar, write
		// the line at once; the bar comes back below it.
		_ = pp.bar.Clear()
		fmt.Fprintln(pp.o.IO.Out, s)
		return
	}
	fmt.Fprintln(pp.out, s)
}

// warn prints a warning on stderr; it is called with pp.mu held (from
// result) or after finish.
func (pp *publishPrinter) warn(format string, args ...any) {
	if pp.bar != nil {
		_ = pp.bar.Clear()
	}
	fmt.Fprintf(pp.err, "psib: warning: "+format+"\n", args...)
}

func (pp *publishPrinter) result(r *publish.Result) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.bar != nil {
		defer pp.bar.Add(1)
	}
	if pp.o.Format == "json" {
		// viaBar is never set with -o json: the lines go to the buffered
		// stdout, a reused buffer each.
		b, err := r.AppendJSON(pp.scratch[:0])
		if err != nil {
			return
		}
		pp.scratch = append(b, '\n')
		_, _ = pp.out.Write(pp.scratch)
		return
	}
	if !pp.listAll && (r.Outcome == publish.OutcomeAccepted || r.Outcome == publish.OutcomeSkipped) {
		return
	}
	var detail string
	switch r.Outcome {
	case publish.OutcomeAccepted:
		detail = r.TransactionID
		if r.Duplicate {
			detail += " (the gateway already had it)"
		}
	case publish.OutcomeSkipped:
		detail = r.TransactionID + "  " + r.Note
	default:
		if r.Status != nil {
			detail = r.Status.Summary()
		} else if r.Err != nil {
			detail = r.Err.Error()
		}
	}
	color := pp.p.Green
	switch r.Outcome {
	case publish.OutcomeSkipped:
		color = pp.p.Dim
	case publish.OutcomeRejected, publish.OutcomeFailed:
		color = pp.p.Red
	case publish.OutcomeUnknown:
		color = pp.p.Yellow
	}
	pp.line(color.Sprintf("%-8s", r.Outcome) + "  " + r.Input + "  " + detail)
	if st := r.Status; st != nil && !pp.explained[[2]int{st.MsgSet, st.MsgID}] {
		if e, ok := st.Explain(); ok {
			pp.explained[[2]int{st.MsgSet, st.MsgID}] = true
			pp.line("          meaning:      " + e.Meaning)
			if e.Cause != "" {
				pp.line("          likely cause: " + e.Cause)
			}
			pp.line("          what to do:   " + e.Action)
		}
	}
}

func (pp *publishPrinter) finish() {
	close(pp.stop)
	<-pp.done
	_ = pp.buf.Flush()
	if pp.bar != nil {
		_ = pp.bar.Finish()
		_ = pp.bar.Clear()
	}
}

// summary prints the batch's counts and what to do next, on stderr.
func (pp *publishPrinter) summary(s *publish.Summary, jr *journal.Journal) {
	p := pp.o.IO.ErrPalette()
	var parts []string
	add := func(n int, what string, c interface{ Sprint(...any) string }) {
		if n > 0 {
			parts = append(parts, c.Sprint(fmt.Sprintf("%d %s", n, what)))
		}
	}
	acc := "accepted"
	if s.Duplicates > 0 {
		acc = fmt.Sprintf("accepted (%d already in: duplicate reply)", s.Duplicates)
	}
	add(s.Accepted, acc, p.Green)
	add(s.Skipped, "skipped (accepted before)", p.Dim)
	add(s.Rejected, "rejected", p.Red)
	add(s.Failed, "failed", p.Red)
	add(s.Unknown, "unknown", p.Yellow)
	add(s.NotSent, "not sent", p.Yellow)
	if len(parts) == 0 {
		parts = append(parts, "nothing sent")
	}
	rate := ""
	if sent := s.Total - s.Skipped; sent > 0 && s.Elapsed > 0 {
		rate = fmt.Sprintf(", %.0f msg/s", float64(sent)/s.Elapsed.Seconds())
	}
	fmt.Fprintf(pp.err, "%s %s: %s (%s%s)\n", p.Bold.Sprint("publish"), pp.o.Operation, strings.Join(parts, ", "),
		s.Elapsed.Round(time.Millisecond), rate)
	if !pp.listAll && s.Accepted+s.Skipped > 0 {
		fmt.Fprintf(pp.err, "  accepted and skipped messages are not listed on a terminal: -o json lists every one; psib journal list --run %d shows those this run sent\n", s.RunID)
	}
	if s.Unknown > 0 {
		fmt.Fprintln(pp.err, "  unknown: sent, but no answer came, so the gateway may have them; run the same command again to resend them with the same ExternalMessageID (the gateway suppresses duplicates)")
	}
	if s.Failed > 0 {
		fmt.Fprintln(pp.err, "  failed: not delivered; fix the cause and run the same command again (accepted messages are skipped)")
	}
	if jr != nil && s.RunID != 0 {
		fmt.Fprintf(pp.err, "  journal: %s (run %d)\n", jr.Path(), s.RunID)
	}
}
