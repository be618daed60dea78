package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/antchfx/xpath"
	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/gwlog"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

type decodeOptions struct {
	IO  *streams
	Now func() time.Time

	Inputs      []string
	Format      string // text, json or mime
	Brief       bool
	ShowSecrets bool
	Follow      bool
	Extract     string
	MaxSize     string
	XPath       []string

	// Filters: a record is shown when it matches every filter given; a
	// repeated filter matches any of its values.
	Operations     []string
	Nodes          []string
	TransactionIDs []string
	Kind           string
	Errors         bool
	Since, Until   string
	Grep           string

	// Set by validate.
	since, until time.Time
	grep         *regexp.Regexp
	xpaths       []*xpath.Expr
	maxSize      int64

	// FollowWait replaces the follower's polling wait (tests).
	FollowWait func(ctx context.Context) error
}

func newDecodeCmd(f *factory, runF func(*decodeOptions) error) *cobra.Command {
	o := &decodeOptions{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "decode [FILE|-]...",
		Short: "Find and decode the IB messages in gateway logs, captures and IB documents",
		Long: `Decode finds every IB message in its inputs and shows what went over the
wire: the IBInfo (operation, nodes, transaction id, status explained from
the message catalog) and each content section with base64 and compression
(gzip, zlib, raw deflate, detected by content) undone.

Inputs are gateway logs (msgLog.html, errorLog.html) in any layout: HTML
tables, <pre> blocks, <br> line breaks or plain text, HTML-escaped or not,
with log lines and Java stack traces around the messages. Messages are found
by their content: internal MIME messages (also as PeopleBooks prints them,
flattened onto one line), raw HTTP requests and responses as the gateway
logs them at ig.log.level 5, and IBRequest, IBResponse, IBInfo and SOAP
fault documents. A file may also hold a single message. Files may be gzip
compressed; "-" (or no FILE with a pipe) is stdin. --follow keeps reading
a growing log like tail -F, across rotations.

Each message is reported once, with the line where it starts. The timestamp
is the log entry's (else the message's own OrigTimeStamp). For a response
that does not name its operation, the operation is that of the request it
answers (same transaction id, else the latest unanswered request logged by
the same connector).

Filters (repeat one to allow several values; all given must match):
--operation and --node take shell patterns (CHG_* ; a name without
".vN" matches every version), --since/--until take RFC 3339 times, dates,
"2006-01-02 15:04[:05]" or durations back from now (90m, 2h, 7d).

Node passwords (headers, query strings, IBInfo, IBRequest, WS-Security) are
shown as REDACTED unless --show-secrets. A message or section that cannot
be decoded is reported on stderr as FILE:LINE with the reason; the rest is
decoded, and the exit code is 2.

-o json prints one JSON object per message (NDJSON, fields as in the CLI
contract); -o mime writes each internal MIME message back in PeopleSoft's
exact form.`,
		Example: `  psib decode msgLog.html
  psib decode --brief --errors msgLog.html errorLog.html msgLog.html.1.gz
  psib decode -o json msgLog.html | jq 'select(.status.status_code != 0)'
  psib decode --operation 'CHG_*' --since 2h --follow msgLog.html
  psib decode --xpath //EMPLID --kind request msgLog.html
  psib decode --extract payloads/ --transaction-id 5695c49d-bd01-11e7-b7eb-c155c6e4688a msgLog.html
  psib decode -o mime flattened-from-peoplebooks.txt > request.mime`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			if len(o.Inputs) == 0 {
				if f.IO.IsStdinTTY() {
					return usageErrorf("decode needs a FILE, or input on stdin (\"-\")")
				}
				o.Inputs = []string{"-"}
			}
			var err error
			if o.Format, err = outputFormat(cmd, "text", "text", "json", "mime"); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return runDecode(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Brief, "brief", false, "one line per message")
	fl.BoolVar(&o.ShowSecrets, "show-secrets", false, "show node passwords instead of REDACTED")
	fl.BoolVarP(&o.Follow, "follow", "f", false, "keep reading the FILE as it grows, across rotations (like tail -F)")
	fl.StringVar(&o.Extract, "extract", "", "write each content section to a file in `DIR`, named after its message")
	fl.StringArrayVar(&o.XPath, "xpath", nil, "print FILE:LINE: value for each non-empty value the XPath `EXPR` selects in a message's XML payloads (repeatable); with -o json, the messages with a value")
	fl.StringArrayVar(&o.Operations, "operation", nil, "only messages of this operation (`PATTERN`; repeatable)")
	fl.StringArrayVar(&o.Nodes, "node", nil, "only messages from or to this node (`PATTERN`; repeatable)")
	fl.StringArrayVar(&o.TransactionIDs, "transaction-id", nil, "only messages with this transaction `ID` (repeatable)")
	fl.StringVar(&o.Kind, "kind", "", "only requests or only responses (`request|response`)")
	fl.BoolVar(&o.Errors, "errors", false, "only messages that report an error (IB status, SOAP fault, HTTP 4xx/5xx)")
	fl.StringVar(&o.Since, "since", "", "only messages at or after `TIME`")
	fl.StringVar(&o.Until, "until", "", "only messages before `TIME`")
	fl.StringVar(&o.Grep, "grep", "", "only messages whose text or decoded content matches the `REGEXP`")
	fl.StringVar(&o.MaxSize, "max-size", "64M", "largest decoded section and message to accept (`SIZE`: bytes, or with K, M, G)")
	return cmd
}

// validate checks the flags and compiles what they hold.
func (o *decodeOptions) validate() error {
	switch o.Kind {
	case "", "request", "response":
	default:
		return usageErrorf("invalid --kind %q: use request or response", o.Kind)
	}
	var err error
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if o.Since != "" {
		if o.since, err = parseTimeOrAge(o.Since, now()); err != nil {
			return usageErrorf("invalid --since: %v", err)
		}
	}
	if o.Until != "" {
		if o.until, err = parseTimeOrAge(o.Until, now()); err != nil {
			return usageErrorf("invalid --until: %v", err)
		}
	}
	if o.Grep != "" {
		if o.grep, err = regexp.Compile(o.Grep); err != nil {
			return usageErrorf("invalid --grep: %v", err)
		}
	}
	for _, x := range o.XPath {
		e, err := xpath.Compile(x)
		if err != nil {
			return usageErrorf("invalid --xpath %q: %v", x, err)
		}
		o.xpaths = append(o.xpaths, e)
	}
	for _, p := range append(append([]string{}, o.Operations...), o.Nodes...) {
		if _, err := path.Match(p, ""); err != nil {
			return usageErrorf("invalid pattern %q: %v", p, err)
		}
	}
	if o.maxSize, err = parseDecodeSize(o.MaxSize); err != nil {
		return usageErrorf("invalid --max-size: %v", err)
	}
	if o.Follow {
		if len(o.Inputs) != 1 || o.Inputs[0] == "-" {
			return usageErrorf("--follow reads one FILE (not stdin)")
		}
	}
	if o.Format == "mime" && (len(o.xpaths) > 0 || o.Brief) {
		return usageErrorf("-o mime cannot be combined with --brief or --xpath")
	}
	return nil
}

// parseTimeOrAge reads an absolute time (RFC 3339, a date, "2006-01-02 15:04")
// or a duration back from now ("90m", "2h", "7d").
func parseTimeOrAge(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			d = -d
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2026-03-01T09:30:00-08:00, 2026-03-01 09:30, 2026-03-01) or a duration (90m, 2h, 7d)", s)
}

// parseDecodeSize reads "65536", "64K", "64M", "1G".
func parseDecodeSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "KB"), strings.HasSuffix(s, "KIB"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "MB"), strings.HasSuffix(s, "MIB"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "GB"), strings.HasSuffix(s, "GIB"):
		mult = 1 << 30
	}
	n, err := strconv.ParseInt(strings.TrimRight(s, "KMGIB"), 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size (65536, 64K, 64M, 1G)", s)
	}
	return n * mult, nil
}

// decodeRun is one run's state: what was found and what went wrong.
type decodeRun struct {
	o        *decodeOptions
	out      *bufio.Writer
	raw      io.Writer       // what out writes to, for large records
	failed   map[string]bool // inputs with a problem
	found    map[string]int  // messages found per input
	shown    int
	written  int // files written by --extract
	inputIdx int
	prefix   string // --extract: distinguishes inputs with the same base name
	jbuf     []byte // -o json: reused for each record
	// preparedJSON: the workers redacted and rendered each record
	// (gwOptions); renderJSON only writes it.
	preparedJSON bool
}

func runDecode(ctx context.Context, o *decodeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	defer decodeGC()()
	if o.Extract != "" {
		if err := os.MkdirAll(o.Extract, 0o700); err != nil {
			return &inputError{fmt.Errorf("--extract: %w", err)}
		}
	}
	w := bufio.NewWriterSize(o.IO.Out, 64<<10)
	run := &decodeRun{o: o, out: w, raw: o.IO.Out, failed: map[string]bool{}, found: map[string]int{}}
	defer w.Flush()
	bases := map[string]int{}
	for _, in := range o.Inputs {
		bases[filepath.Base(in)]++
	}
	for i, in := range o.Inputs {
		run.inputIdx = i
		run.prefix = ""
		if bases[filepath.Base(in)] > 1 {
			run.prefix = strconv.Itoa(i+1) + "-"
		}
		if err := run.input(ctx, in); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if run.written > 0 {
		fmt.Fprintf(o.IO.ErrOut, "psib: wrote %d files to %s\n", run.written, o.Extract)
	}
	for _, in := range o.Inputs {
		if run.found[decodeInputName(in)] == 0 && !run.failed[decodeInputName(in)] {
			fmt.Fprintf(o.IO.ErrOut, "psib: warning: %s: no IB message found\n", decodeInputName(in))
		}
	}
	if n := len(run.failed); n > 0 {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("decode: %d of %d inputs could not be fully decoded", n, len(o.Inputs))}
	}
	return nil
}

// decodeGC tunes the garbage collector for decoding, unless GOGC or
// GOMEMLIMIT are set: decoding allocates a lot of short-lived memory
// (inflated sections, JSON) over a small live heap, and the default GOGC
// collects every few MB. A soft limit of 48 MiB with a higher GOGC halves
// the CPU time of a large log and keeps the peak RSS under 64 MB (see
// scripts/bench-decode.sh). It returns a function that restores both.
func decodeGC() func() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(48 << 20)
	percent := debug.SetGCPercent(800)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

func decodeInputName(in string) string {
	if in == "-" {
		return "<stdin>"
	}
	return in
}

// gwOptions are the decoder's options. Content is decoded even for --brief:
// a corrupt section must be reported (and change the exit code) whatever
// the output shows.
func (o *decodeOptions) gwOptions() gwlog.Options {
	return gwlog.Options{Limits: ibmsg.Limits{MaxSectionBytes: o.maxSize}, MaxMessageBytes: int(min(o.maxSize, 1<<30))}
}

// gwOptions are the decoder's options for this run. Plain -o json output
// is redacted and rendered on the decoding workers (gwlog's Prepare), so
// that the ordered stream only writes bytes; --extract and --xpath need
// the records as decoded, and keep the in-order path.
func (run *decodeRun) gwOptions() gwlog.Options {
	o := run.o.gwOptions()
	if run.o.Format == "json" && run.o.Extract == "" && len(run.o.xpaths) == 0 {
		run.preparedJSON = true
		o.Prepare = func(rec *gwlog.Record) {
			rec = run.secretsForJSON(rec)
			// On failure AppendJSON renders it (from the bodies), and
			// reports the error.
			if rec.PrepareJSON() == nil && run.o.grep == nil {
				// Only --grep reads the bodies once they are rendered:
				// their memory serves the sections decoded next.
				rec.ReleaseContent()
			}
		}
	}
	return o
}

// input decodes one input; it returns only errors that stop the run.
func (run *decodeRun) input(ctx context.Context, in string) error {
	o := run.o
	name := decodeInputName(in)
	if o.Follow {
		return run.follow(ctx, in)
	}
	var src io.Reader
	if in == "-" {
		src = o.IO.In
	} else {
		fh, err := os.Open(in)
		if err != nil {
			run.problem(name, fmt.Sprintf("cannot read %s: %v", in, decodePathErr(err)))
			return nil
		}
		defer fh.Close()
		src = fh
	}
	r, err := gwlog.NewReader(src)
	if err != nil {
		run.problem(name, fmt.Sprintf("cannot read %s: %v", name, err))
		return nil
	}
	err = gwlog.Decode(ctx, r, name, run.gwOptions(), run.handle)
	return run.endInput(ctx, name, err)
}

func (run *decodeRun) endInput(ctx context.Context, name string, err error) error {
	var stop *decodeStop
	switch {
	case err == nil:
		return nil
	case errors.As(err, &stop):
		return stop.err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	run.problem(name, fmt.Sprintf("decode %s: %v", name, err))
	return nil
}

// follow decodes a growing file until ctx ends.
func (run *decodeRun) follow(ctx context.Context, in string) error {
	fl := gwlog.NewFollower(in, gwlog.FollowOptions{Wait: run.o.FollowWait})
	defer fl.Close()
	for {
		r, err := fl.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			run.problem(in, fmt.Sprintf("cannot read %s: %v", in, decodePathErr(err)))
			return nil
		}
		// One worker: each record is printed before the follower waits for
		// more data (a live log is read as it grows, not in bulk).
		opts := run.o.gwOptions()
		opts.Workers = 1
		err = gwlog.Decode(ctx, r, in, opts, func(rec *gwlog.Record, err error) error {
			herr := run.handle(rec, err)
			if ferr := run.out.Flush(); herr == nil && ferr != nil {
				herr = &decodeStop{ferr}
			}
			return herr
		})
		if err := run.endInput(ctx, in, err); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// decodeStop wraps an error that ends the whole run (stdout closed).
type decodeStop struct{ err error }

func (e *decodeStop) Error() string { return e.err.Error() }

func decodePathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (run *decodeRun) problem(input, msg string) {
	run.failed[input] = true
	run.out.Flush()
	fmt.Fprintf(run.o.IO.ErrOut, "psib: %s\n", msg)
}

// handle is the gwlog.Handler: filter, report problems, extract, render.
func (run *decodeRun) handle(rec *gwlog.Record, err error) error {
	o := run.o
	if rec == nil {
		run.problem(decodeErrFile(err), "decode "+err.Error())
		return nil
	}
	run.found[rec.File]++
	values, ok := run.match(rec)
	if !ok {
		return nil
	}
	if err != nil {
		run.problem(rec.File, "decode "+err.Error())
	}
	run.shown++
	if o.Extract != "" {
		if err := run.extract(rec); err != nil {
			return &decodeStop{err}
		}
	}
	if len(o.xpaths) > 0 {
		if o.Format == "json" {
			return run.stop(run.renderJSON(rec))
		}
		for _, v := range values {
			fmt.Fprintf(run.out, "%s:%d: %s\n", rec.File, rec.Line, v)
		}
		return nil
	}
	return run.stop(run.render(rec))
}

func (run *decodeRun) stop(err error) error {
	if err == nil {
		return nil
	}
	var in *inputError
	if errors.As(err, &in) {
		return err
	}
	return &decodeStop{err}
}

func decodeErrFile(err error) string {
	var ge *gwlog.Error
	if errors.As(err, &ge) {
		return ge.File
	}
	return ""
}

// match applies the filters; it returns the --xpath values too.
func (run *decodeRun) match(rec *gwlog.Record) ([]string, bool) {
	o := run.o
	if o.Kind != "" && rec.Kind != o.Kind {
		return nil, false
	}
	if len(o.Operations) > 0 && !decodeMatch(o.Operations, rec.Operation, true) {
		return nil, false
	}
	if len(o.Nodes) > 0 && !decodeMatch(o.Nodes, rec.From, false) && !decodeMatch(o.Nodes, rec.To, false) {
		return nil, false
	}
	if len(o.TransactionIDs) > 0 && !decodeMatch(o.TransactionIDs, rec.TransactionID, false) {
		return nil, false
	}
	if o.Errors && !decodeIsError(rec) {
		return nil, false
	}
	if !o.since.IsZero() || !o.until.IsZero() {
		if rec.Time.IsZero() {
			return nil, false
		}
		if !o.since.IsZero() && rec.Time.Before(o.since) || !o.until.IsZero() && !rec.Time.Before(o.until) {
			return nil, false
		}
	}
	if o.grep != nil && !run.grepMatch(rec) {
		return nil, false
	}
	if len(o.xpaths) > 0 {
		values := decodeXPathValues(rec, o.xpaths)
		return values, len(values) > 0
	}
	return nil, true
}

// decodeMatch matches value against shell patterns, ignoring case; with
// versioned, a pattern without ".vN" also matches any version.
func decodeMatch(patterns []string, value string, versioned bool) bool {
	if value == "" {
		return false
	}
	v := strings.ToUpper(value)
	base := v
	if versioned {
		// CHG_SYNC_TEST.v1, PERSON_BASIC_SYNC.VERSION_3
		if i := strings.LastIndexByte(v, '.'); i > 0 {
			suffix := strings.TrimPrefix(strings.TrimPrefix(v[i+1:], "VERSION_"), "V")
			if _, err := strconv.Atoi(suffix); err == nil && suffix != "" && strings.HasPrefix(v[i+1:], "V") {
				base = v[:i]
			}
		}
	}
	for _, p := range patterns {
		p = strings.ToUpper(p)
		if ok, _ := path.Match(p, v); ok {
			return true
		}
		if ok, _ := path.Match(p, base); ok && versioned {
			return true
		}
	}
	return false
}

func decodeIsError(rec *gwlog.Record) bool {
	if rec.Status != nil && !rec.Status.OK() {
		return true
	}
	return rec.HTTP != nil && rec.HTTP.StatusCode >= 400
}

func (run *decodeRun) grepMatch(rec *gwlog.Record) bool {
	show := func(b []byte) []byte {
		if run.o.ShowSecrets {
			return b
		}
		return ibmsg.Redact(b)
	}
	if run.o.grep.Match(show(rec.Raw)) {
		return true
	}
	for _, s := range rec.Sections {
		if run.o.grep.MatchString(string(show([]byte(s.Body)))) {
			return true
		}
	}
	for _, f := range []string{rec.Operation, rec.From, rec.To, rec.TransactionID, rec.Description} {
		if f != "" && run.o.grep.MatchString(f) {
			return true
		}
	}
	return false
}

// decodeXPathValues evaluates the expressions on each XML section.
func decodeXPathValues(rec *gwlog.Record, exprs []*xpath.Expr) []string {
	var out []string
	for _, s := range rec.Sections {
		body := strings.TrimSpace(s.Body)
		if !strings.HasPrefix(body, "<") {
			continue
		}
		vals, err := evalXPath([]byte(body), exprs)
		if err != nil {
			continue
		}
		for _, v := range vals {
			// An empty element selects "": nothing to show.
			if strings.TrimSpace(v) != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func (run *decodeRun) redact(s string) string {
	if run.o.ShowSecrets {
		return s
	}
	return ibmsg.RedactString(s)
}

func (run *decodeRun) render(rec *gwlog.Record) error {
	o := run.o
	switch o.Format {
	case "json":
		return run.renderJSON(rec)
	case "mime":
		if rec.Message == nil {
			return nil
		}
		b, err := rec.Message.Bytes()
		if err != nil {
			return err
		}
		if !o.ShowSecrets {
			b = ibmsg.Redact(b)
		}
		_, err = run.out.Write(b)
		return err
	}
	return run.renderText(rec)
}

// secretsForJSON applies the secrets policy to a record about to be shown
// as JSON: section bodies and headers redacted (in place), or, with
// --show-secrets, the ibinfo's password shown (in *rec).
func (run *decodeRun) secretsForJSON(rec *gwlog.Record) *gwlog.Record {
	if run.o.ShowSecrets {
		*rec = *rec.WithSecrets()
		return rec
	}
	for i := range rec.Sections {
		rec.Sections[i].Body = run.redact(rec.Sections[i].Body)
	}
	// A name that holds a credential itself is redacted too, and the
	// field goes last: as in a map, it wins over one of the same name.
	var renamed gwlog.Headers
	kept := rec.Headers[:0]
	for _, f := range rec.Headers {
		nk, nv := ibmsg.RedactHeader(f.Name, f.Value)
		if nk != f.Name {
			renamed = append(renamed, ibmsg.HeaderField{Name: nk, Value: nv})
			continue
		}
		f.Value = nv
		kept = append(kept, f)
	}
	rec.Headers = append(kept, renamed...)
	return rec
}

func (run *decodeRun) renderJSON(rec *gwlog.Record) error {
	if !run.preparedJSON {
		rec = run.secretsForJSON(rec)
	}
	defer rec.ReleaseJSON()
	head, tail, err := rec.AppendJSONHead(run.jbuf[:0])
	if err != nil {
		return err
	}
	if tail == nil {
		head = append(head, '\n')
	}
	run.jbuf = head
	if cap(run.jbuf) > 4<<20 {
		run.jbuf = nil // do not keep a large message's buffer
	}
	if _, err := run.out.Write(head); err != nil || tail == nil {
		return err
	}
	if len(tail) > run.out.Available() {
		// A large record goes out as it is rather than through the
		// buffer, which would only copy it.
		if err := run.out.Flush(); err != nil {
			return err
		}
		if _, err := run.raw.Write(tail); err != nil {
			return err
		}
	} else if _, err := run.out.Write(tail); err != nil {
		return err
	}
	return run.out.WriteByte('\n')
}

func (run *decodeRun) renderText(rec *gwlog.Record) error {
	o := run.o
	w := run.out
	p := o.IO.OutPalette()
	fmt.Fprintln(w, headline(rec, p))
	if o.Brief {
		return nil
	}
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s %s\n", p.Dim.Sprintf("%-14s", k+":"), v)
		}
	}
	if rec.Status != nil && !rec.Status.OK() {
		if e, ok := rec.Status.Explain(); ok {
			field("meaning", e.Meaning)
			field("likely cause", e.Cause)
			field("what to do", e.Action)
		}
		if len(rec.Status.Parameters) > 0 {
			field("parameters", strings.Join(rec.Status.Parameters, ", "))
		}
	}
	field("log entry", rec.Description)
	if rec.HTTP != nil {
		field("http", rec.HTTP.String())
	}
	if info, ok := rec.IBInfo.(*ibmsg.IBInfo); ok && info != nil {
		field("message type", string(info.MessageType))
		if info.From != nil {
			field("orig time", string(info.From.OrigTimeStamp))
			field("orig node", string(info.From.OrigNode))
			field("dn", string(info.From.DN))
		}
		field("external id", string(info.ExternalMessageID))
		field("path", string(info.PathInfo))
		if info.Connector != nil {
			field("connector", string(info.Connector.ConnectorName))
		}
	}
	field("transaction", rec.TransactionID)
	if rec.Paired {
		field("operation", "taken from the request this answers")
	}
	for _, pr := range rec.Problems {
		field("note", pr)
	}
	for _, s := range rec.Sections {
		enc := "8bit"
		switch {
		case s.Compression != "none" && s.Compression != "":
			enc = s.Compression + "+base64"
		case strings.EqualFold(s.TransferEncoding, "base64"):
			enc = "base64"
		}
		label := fmt.Sprintf("%s (%s, %d bytes", s.ID, enc, s.Bytes)
		if s.NonXML {
			label += ", PsNonXml unwrapped"
		}
		fmt.Fprintln(w, "  "+p.Bold.Sprint(label+")"))
		body := s.Body
		if !utf8.ValidString(body) {
			body = strings.ToValidUTF8(body, "\uFFFD")
		}
		if err := writePrettyXML(w, []byte(run.redact(body)), p, "    "); err != nil {
			return err
		}
	}
	return nil
}

// headline is one line per message: where, when, kind, format, connector,
// operation, nodes, status.
func headline(rec *gwlog.Record, p *palette) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", rec.File, rec.Line)
	if !rec.Time.IsZero() {
		fmt.Fprintf(&b, " %s", p.Dim.Sprint(rec.Time.Format("2006-01-02T15:04:05.000Z07:00")))
	} else if rec.LogTime != "" {
		fmt.Fprintf(&b, " %s", p.Dim.Sprint(rec.LogTime))
	}
	fmt.Fprintf(&b, " %s %s", p.Cyan.Sprint(rec.Kind), rec.Format)
	if rec.Connector != "" {
		fmt.Fprintf(&b, " %s", p.Magenta.Sprint(rec.Connector))
	}
	if rec.Operation != "" {
		fmt.Fprintf(&b, " %s", p.Bold.Sprint(rec.Operation))
	}
	if rec.From != "" || rec.To != "" {
		fmt.Fprintf(&b, " %s -> %s", orDash(rec.From), orDash(rec.To))
	}
	switch {
	case rec.Status != nil && rec.Status.OK():
		fmt.Fprintf(&b, " %s", p.Green.Sprint("OK"))
	case rec.Status != nil:
		fmt.Fprintf(&b, " %s", p.Red.Sprintf("ERROR %s [%s]", rec.Status.Summary(), rec.Status.Class()))
	case rec.HTTP != nil && rec.HTTP.StatusCode >= 400:
		fmt.Fprintf(&b, " %s", p.Red.Sprintf("HTTP %d %s", rec.HTTP.StatusCode, rec.HTTP.Reason))
	case rec.HTTP != nil && rec.HTTP.StatusCode > 0:
		fmt.Fprintf(&b, " %s", p.Green.Sprintf("HTTP %d", rec.HTTP.StatusCode))
	}
	if rec.Err != nil {
		fmt.Fprintf(&b, " %s", p.Yellow.Sprint("(incomplete)"))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var decodeUnsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// extract writes each section of rec to a file named after the message:
// <input>_L<line>_<operation>_<kind>_<section>.<ext>.
func (run *decodeRun) extract(rec *gwlog.Record) error {
	base := filepath.Base(rec.File)
	if rec.File == "<stdin>" {
		base = "stdin"
	}
	op := rec.Operation
	if op == "" {
		op = "unknown"
	}
	for _, s := range rec.Sections {
		body := []byte(run.redact(s.Body))
		ext := "txt"
		switch t := bytes.TrimSpace(body); {
		case len(t) > 0 && t[0] == '<':
			ext = "xml"
		case !utf8.Valid(body):
			ext = "bin"
		}
		name := fmt.Sprintf("%s%s_L%d_%s_%s_%s.%s", run.prefix, base, rec.Line, op, rec.Kind, s.ID, ext)
		name = decodeUnsafeName.ReplaceAllString(name, "_")
		if err := os.WriteFile(filepath.Join(run.o.Extract, name), body, 0o600); err != nil {
			return fmt.Errorf("--extract: %w", err)
		}
		run.written++
	}
	return nil
}

// readInput reads a whole input file ("-" is stdin), capped at ibmsg's
// section limit. (post reads its payload with it.)
func readInput(io_ *streams, in string) (string, []byte, error) {
	var r io.Reader
	name := in
	if in == "-" {
		name = "<stdin>"
		r = io_.In
	} else {
		fh, err := os.Open(in)
		if err != nil {
			return "", nil, &inputError{fmt.Errorf("cannot read %s: %w", in, errors.Unwrap(err))}
		}
		defer fh.Close()
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, ibmsg.DefaultMaxSectionBytes+1))
	if err != nil {
		return "", nil, &inputError{fmt.Errorf("cannot read %s: %w", name, err)}
	}
	if len(data) > ibmsg.DefaultMaxSectionBytes {
		return "", nil, &inputError{fmt.Errorf("%s is larger than %d bytes", name, ibmsg.DefaultMaxSectionBytes)}
	}
	return name, data, nil
}
