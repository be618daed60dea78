package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/gwlog"
	"github.com/psib-dev/psib/pkg/lint"
)

type lintOptions struct {
	IO      *streams
	WorkDir string

	Inputs     []string
	Logs       []string
	Format     string // text, json, sarif or github
	FailOn     string // error, warning or never
	Disable    []string
	MaxPerRule int
	Message    string
	ConfigPath string                   // "" = ./.psib-lint.yaml when it exists
	severity   map[string]lint.Severity // from the configuration file

	ListRules bool
	Explain   string

	// Which settings came from flags (they override the configuration file).
	formatSet, failOnSet, maxSet bool
}

func newLintCmd(f *factory, runF func(*lintOptions) error) *cobra.Command {
	o := &lintOptions{IO: f.IO, WorkDir: f.WorkDir}
	cmd := &cobra.Command{
		Use:   "lint [FILE|DIR|-]...",
		Short: "Check rowset-based messages: FieldTypes, values, PSCAMA, audit actions",
		Long: `Lint checks rowset-based messages (PeopleSoft's FieldTypes/MsgData/Transaction
format) before they are sent: structure, declarations, values by declared type,
timestamps, PSCAMA placement, audit actions, language and sequence flags. Each
finding has a stable rule ID (psib lint --rules; psib lint --explain ID), a
severity, and the file, line and column it is about.

Inputs are files, directories (searched recursively for *.xml) and "-" for
stdin. --log FILE lints every XML content section of every message found in a
gateway log (msgLog.html, errorLog.html, captures; gzip is read too); such
findings are named LOG:LINE#SECTION, LINE being where the message starts in the
log, and their positions are inside the section. Documents that are not
rowset-based messages (container message parts, PsNonXml wrappers, other XML)
are checked for well-formedness only. Messages are read as a stream: memory
stays flat whatever their size.

Output: --format text (file:line:col: severity RULE message; colored on a
terminal), json (-o json), sarif (SARIF 2.1.0 for code scanning) or github
(workflow annotations). Exit code 3 when a finding is at or above --fail-on
(default error); 2 when an input cannot be read.

Settings are read from ./.psib-lint.yaml when it exists (or --config FILE);
flags override it:
  format: github
  fail-on: warning
  max-per-rule: 20
  disable: [PSIB-L012]
  severity:
    PSIB-L035: error`,
		Example: `  psib lint message.xml
  psib lint outbound/ --fail-on warning
  psib lint --format sarif messages/ > lint.sarif
  psib lint --log msgLog.html -o json | jq '.findings[]'
  psib lint --explain PSIB-L030`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			fl := cmd.Flags()
			o.formatSet, o.failOnSet, o.maxSet = fl.Changed("format"), fl.Changed("fail-on"), fl.Changed("max-per-rule")
			if out, _ := fl.GetString("output"); out != "" {
				if out != "text" && out != "json" {
					return usageErrorf("invalid --output %q for psib lint: use text or json (or --format sarif|github)", out)
				}
				if o.formatSet && o.Format != out {
					return usageErrorf("--output %s and --format %s disagree: give one of them", out, o.Format)
				}
				o.Format, o.formatSet = out, true
			}
			if o.ListRules || o.Explain != "" {
				if len(args) > 0 || len(o.Logs) > 0 {
					return usageErrorf("--rules and --explain take no inputs")
				}
			} else if len(o.Inputs) == 0 && len(o.Logs) == 0 {
				if f.IO.IsStdinTTY() {
					return usageErrorf("lint needs a FILE or DIR, --log FILE, or a message on stdin (\"-\")")
				}
				o.Inputs = []string{"-"}
			}
			if runF != nil {
				return runF(o)
			}
			return runLint(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Format, "format", "text", "output format: text|json|sarif|github (-o json is --format json)")
	fl.StringVar(&o.FailOn, "fail-on", "error", "exit 3 when a finding is at or above: error|warning|never")
	fl.StringSliceVar(&o.Disable, "disable", nil, "rule IDs or names not to report (repeat or comma-separate)")
	fl.IntVar(&o.MaxPerRule, "max-per-rule", 50, "findings shown per rule and input (0 shows all; all are counted)")
	fl.StringVar(&o.Message, "message", "", "the message name the root element must have")
	fl.StringArrayVar(&o.Logs, "log", nil, "a gateway log (msgLog.html, errorLog.html, capture) whose message sections to lint; repeatable")
	fl.StringVar(&o.ConfigPath, "config", "", "configuration file (default ./"+lint.ConfigFile+" when it exists)")
	fl.BoolVar(&o.ListRules, "rules", false, "list the rules and exit")
	fl.StringVar(&o.Explain, "explain", "", "explain rule `ID` (or name) and exit")
	return cmd
}

// lintRun is one run's state: the settled options, the linter, what was
// found so far.
type lintRun struct {
	o       *lintOptions
	ctx     context.Context
	l       *lint.Linter
	failOn  lint.Severity
	results []*lint.Result // json and sarif print at the end
	sum     lint.Summary
	bad     int // inputs that could not be read
	style   lint.TextStyle
}

func runLint(ctx context.Context, o *lintOptions) error {
	if o.Explain != "" {
		return explainRule(o)
	}
	if err := o.applyConfig(); err != nil {
		return err
	}
	if !slices.Contains(lint.Formats(), o.Format) {
		return usageErrorf("invalid --format %q: use %s", o.Format, strings.Join(lint.Formats(), ", "))
	}
	if o.ListRules {
		return listRules(o)
	}
	failOn, err := lint.ParseFailOn(o.FailOn)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.MaxPerRule < 0 {
		return usageErrorf("--max-per-rule %d: use 0 (show all) or a positive number", o.MaxPerRule)
	}
	l, err := lint.New(lint.Options{Disable: o.Disable, Severity: o.severity, MaxPerRule: o.MaxPerRule, Message: o.Message})
	if err != nil {
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), "lint: "))
	}
	r := &lintRun{o: o, ctx: ctx, l: l, failOn: failOn}
	if o.IO.ColorOut() {
		p := o.IO.OutPalette()
		paint := func(c *color.Color) func(string) string { return func(s string) string { return c.Sprint(s) } }
		r.style = lint.TextStyle{Position: paint(p.Bold), Error: paint(p.Red), Warning: paint(p.Yellow), Info: paint(p.Cyan), Rule: paint(p.Dim)}
	}
	for _, in := range o.Inputs {
		if err := r.input(in); err != nil {
			return err
		}
	}
	for _, lg := range o.Logs {
		if err := r.log(lg); err != nil {
			return err
		}
	}
	return r.finish()
}

// applyConfig reads the configuration file and fills in what no flag set.
func (o *lintOptions) applyConfig() error {
	path, explicit := o.ConfigPath, o.ConfigPath != ""
	if !explicit {
		path = filepath.Join(o.WorkDir, lint.ConfigFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return &inputError{fmt.Errorf("cannot read %s: %w", o.displayPath(path), unwrapPathError(err))}
	}
	cfg, err := lint.ParseConfig(o.displayPath(path), data)
	if err != nil {
		return &inputError{err}
	}
	if cfg.Format != "" && !o.formatSet {
		o.Format = cfg.Format
	}
	if cfg.FailOn != "" && !o.failOnSet {
		o.FailOn = cfg.FailOn
	}
	if cfg.MaxPerRule != nil && !o.maxSet {
		o.MaxPerRule = *cfg.MaxPerRule
	}
	o.Disable = append(o.Disable, cfg.Disable...)
	o.severity = cfg.Severity
	return nil
}

// displayPath shows paths under the working directory relative to it.
func (o *lintOptions) displayPath(p string) string {
	if rel, err := filepath.Rel(o.WorkDir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// input lints a file, a directory (recursively, *.xml) or stdin.
func (r *lintRun) input(in string) error {
	if in == "-" {
		return r.check("<stdin>", r.o.IO.In)
	}
	fi, err := os.Stat(in)
	if err != nil {
		return r.unreadable(in, err)
	}
	if !fi.IsDir() {
		return r.file(in)
	}
	n := 0
	err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return r.unreadable(p, err)
		}
		if d.IsDir() {
			if p != in && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and friends
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".xml") {
			return nil
		}
		n++
		return r.file(p)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(r.o.IO.ErrOut, "psib: lint: %s holds no *.xml files\n", in)
		r.bad++
	}
	return nil
}

func (r *lintRun) file(p string) error {
	fh, err := os.Open(p)
	if err != nil {
		return r.unreadable(p, err)
	}
	defer fh.Close()
	return r.check(p, fh)
}

// unreadable reports an input that cannot be read and goes on with the rest.
func (r *lintRun) unreadable(name string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintf(r.o.IO.ErrOut, "%s cannot read %s: %v\n", r.o.IO.ErrPalette().Red.Sprint("psib: lint:"), name, unwrapPathError(err))
	r.bad++
	return nil
}

// lintCtxReader stops a long read when the run is interrupted.
type lintCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c lintCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (r *lintRun) check(name string, in io.Reader) error {
	res, err := r.l.Check(name, lintCtxReader{r.ctx, in})
	if err != nil {
		return r.unreadable(name, err)
	}
	return r.emit(res)
}

// emit prints a result (text and github stream; json and sarif wait).
func (r *lintRun) emit(res *lint.Result) error {
	r.sum.Add(res)
	w := r.o.IO.Out
	var err error
	switch r.o.Format {
	case "text":
		err = lint.WriteText(w, res, r.style)
	case "github":
		err = lint.WriteGitHub(w, res)
	default:
		r.results = append(r.results, res)
	}
	for _, f := range lint.Rules() {
		if n := res.Omitted[f.ID]; n > 0 {
			fmt.Fprintf(r.o.IO.ErrOut, "psib: lint: %s: %d more %s findings not shown (--max-per-rule %d; 0 shows all)\n", res.File, n, f.ID, r.o.MaxPerRule)
		}
	}
	return err
}

// log lints every XML content section of every message in a gateway log.
func (r *lintRun) log(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return r.unreadable(path, err)
	}
	defer fh.Close()
	in, err := gwlog.NewReader(lintCtxReader{r.ctx, fh})
	if err != nil {
		return r.unreadable(path, err)
	}
	found := 0
	err = gwlog.Decode(r.ctx, in, path, gwlog.Options{}, func(rec *gwlog.Record, derr error) error {
		if derr != nil {
			fmt.Fprintf(r.o.IO.ErrOut, "psib: lint: %v\n", derr)
			r.bad++
			if rec == nil {
				return nil
			}
		}
		for _, s := range rec.Sections {
			body := strings.TrimLeft(s.Body, " \t\r\n\ufeff")
			if s.NonXML || !strings.HasPrefix(body, "<") {
				continue
			}
			found++
			name := fmt.Sprintf("%s:%d#%s", rec.File, rec.Line, s.ID)
			if err := r.check(name, strings.NewReader(s.Body)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return r.unreadable(path, err)
	}
	if found == 0 {
		fmt.Fprintf(r.o.IO.ErrOut, "psib: lint: %s: no XML message sections found\n", path)
	}
	return nil
}

func (r *lintRun) finish() error {
	w := r.o.IO.Out
	switch r.o.Format {
	case "json":
		if err := lint.WriteJSON(w, r.results); err != nil {
			return err
		}
	case "sarif":
		tool := lint.ToolInfo{Name: "psib", Version: version, InformationURI: "https://github.com/psib-dev/psib"}
		if err := r.l.WriteSARIF(w, r.results, tool); err != nil {
			return err
		}
	}
	r.summary()
	switch {
	case r.bad > 0:
		return &exitError{code: exitUsage, msg: fmt.Sprintf("lint: %d %s could not be read", r.bad, lintPlural(r.bad, "input", "inputs"))}
	case r.failOn != 0 && r.sum.AtLeast(r.failOn) > 0:
		return &exitError{code: exitFindings}
	}
	return nil
}

// summary prints one line to stderr: inputs and findings by severity.
func (r *lintRun) summary() {
	s := r.sum
	p := r.o.IO.ErrPalette()
	files := fmt.Sprintf("%d %s", s.Files, lintPlural(s.Files, "input", "inputs"))
	if s.Errors+s.Warnings+s.Infos == 0 {
		fmt.Fprintf(r.o.IO.ErrOut, "%s: %s\n", files, p.Green.Sprint("no findings"))
		return
	}
	line := fmt.Sprintf("%s: %s, %s, %s", files,
		lintColorIf(s.Errors > 0, p.Red.Sprint, fmt.Sprintf("%d %s", s.Errors, lintPlural(s.Errors, "error", "errors"))),
		lintColorIf(s.Warnings > 0, p.Yellow.Sprint, fmt.Sprintf("%d %s", s.Warnings, lintPlural(s.Warnings, "warning", "warnings"))),
		fmt.Sprintf("%d %s", s.Infos, lintPlural(s.Infos, "info", "infos")))
	if r.failOn != 0 {
		line += fmt.Sprintf(" (--fail-on %s)", r.o.FailOn)
	}
	fmt.Fprintln(r.o.IO.ErrOut, line)
}

func lintColorIf(on bool, f func(...any) string, s string) string {
	if on {
		return f(s)
	}
	return s
}

func lintPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listRules prints the rule catalog: a table, or JSON with -o json.
func listRules(o *lintOptions) error {
	rules := lint.Rules()
	if o.Format == "json" {
		return writeJSON(o.IO.Out, rules)
	}
	if o.Format != "text" {
		return usageErrorf("--rules prints text or json, not %s", o.Format)
	}
	l, err := lint.New(lint.Options{Disable: o.Disable, Severity: o.severity})
	if err != nil {
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), "lint: "))
	}
	p := o.IO.OutPalette()
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tNAME\tCHECKS")
	for _, r := range rules {
		sev, on := l.Enabled(r.ID)
		level := sev.String()
		if !on {
			level = "off"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Bold.Sprint(r.ID), level, r.Name, r.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(o.IO.Out, "\npsib lint --explain ID explains a rule; --disable ID or .psib-lint.yaml turns rules off.")
	return nil
}

func explainRule(o *lintOptions) error {
	r, ok := lint.LookupRule(o.Explain)
	if !ok {
		return usageErrorf("unknown rule %q: psib lint --rules lists them", o.Explain)
	}
	p := o.IO.OutPalette()
	fmt.Fprintf(o.IO.Out, "%s %s (%s)\n%s\n\n%s\n", p.Bold.Sprint(r.ID), r.Name, r.Severity, r.Summary, r.Explain)
	return nil
}
