package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/gwlog"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

type decodeOptions struct {
	IO          *streams
	Inputs      []string
	Format      string // text, json or mime
	Brief       bool
	ShowSecrets bool
}

func newDecodeCmd(f *factory, runF func(*decodeOptions) error) *cobra.Command {
	o := &decodeOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "decode [FILE|-]...",
		Short: "Decode IB messages: internal MIME, IBRequest/IBResponse XML, SOAP faults",
		Long: `Decode reads IB messages and shows what they hold: the IBInfo (operation,
nodes, transaction id, status explained from the message catalog) and each
content section with base64 and compression undone.

Each FILE (or stdin, "-") holds one document: an internal MIME message as the
gateway and application server exchange it (also as PeopleBooks prints it,
flattened onto one line), or an IBRequest, IBResponse, IBInfo or SOAP fault
XML document. Node passwords are shown as REDACTED unless --show-secrets.

-o mime writes each MIME message back in PeopleSoft's exact form (CRLF,
JavaMail headers), repairing what the lenient reader had to repair.`,
		Example: `  psib decode request.mime
  psib decode -o json response.mime | jq .status
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
			if runF != nil {
				return runF(o)
			}
			return runDecode(o)
		},
	}
	cmd.Flags().BoolVar(&o.Brief, "brief", false, "one line per message")
	cmd.Flags().BoolVar(&o.ShowSecrets, "show-secrets", false, "show node passwords instead of REDACTED")
	return cmd
}

func runDecode(o *decodeOptions) error {
	failed := 0
	for _, in := range o.Inputs {
		name, data, err := readInput(o.IO, in)
		if err != nil {
			return err
		}
		rec, err := gwlog.DecodeDocument(name, 1, data, ibmsg.Limits{})
		if err != nil {
			fmt.Fprintf(o.IO.ErrOut, "psib: decode %s\n", err)
			failed++
			continue
		}
		if rec.Err != nil {
			failed++
			for _, p := range rec.Problems {
				fmt.Fprintf(o.IO.ErrOut, "psib: decode %s:%d: %s\n", rec.File, rec.Line, p)
			}
		}
		if err := renderRecord(o, rec); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("decode: %d of %d inputs could not be fully decoded", failed, len(o.Inputs))}
	}
	return nil
}

// readInput reads a whole input file ("-" is stdin), capped at ibmsg's
// section limit.
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

func (o *decodeOptions) redact(s string) string {
	if o.ShowSecrets {
		return s
	}
	return ibmsg.RedactString(s)
}

func renderRecord(o *decodeOptions, rec *gwlog.Record) error {
	w := o.IO.Out
	switch o.Format {
	case "json":
		for i := range rec.Sections {
			rec.Sections[i].Body = o.redact(rec.Sections[i].Body)
		}
		if !o.ShowSecrets {
			for k, v := range rec.Headers {
				rec.Headers[k] = ibmsg.RedactString(k + ": " + v)[len(k)+2:]
			}
		}
		return writeJSON(w, rec)
	case "mime":
		if rec.Message == nil {
			return &inputError{fmt.Errorf("%s:%d: -o mime needs an internal MIME message; this is %s XML", rec.File, rec.Line, rec.Kind)}
		}
		b, err := rec.Message.Bytes()
		if err != nil {
			return err
		}
		if !o.ShowSecrets {
			b = ibmsg.Redact(b)
		}
		_, err = w.Write(b)
		return err
	}
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
	if rec.Status != nil {
		if e, ok := rec.Status.Explain(); ok && !rec.Status.OK() {
			field("meaning", e.Meaning)
			field("likely cause", e.Cause)
			field("what to do", e.Action)
		}
	}
	field("timestamp", rec.Timestamp)
	field("transaction", rec.TransactionID)
	for _, pr := range rec.Problems {
		field("note", pr)
	}
	for _, s := range rec.Sections {
		enc := "8bit"
		switch {
		case s.Compression != "none":
			enc = s.Compression + "+base64"
		case strings.EqualFold(s.TransferEncoding, "base64"):
			enc = "base64"
		}
		label := fmt.Sprintf("%s (%s, %d bytes", s.ID, enc, s.Bytes)
		if s.NonXML {
			label += ", PsNonXml unwrapped"
		}
		fmt.Fprintln(w, "  "+p.Bold.Sprint(label+")"))
		if err := writePrettyXML(w, []byte(o.redact(s.Body)), p, "    "); err != nil {
			return err
		}
	}
	return nil
}

// headline is one line per message: kind, format, operation, nodes, status.
func headline(rec *gwlog.Record, p *palette) string {
	var b strings.Builder
	kind := p.Cyan.Sprint(rec.Kind)
	fmt.Fprintf(&b, "%s:%d %s %s", rec.File, rec.Line, kind, rec.Format)
	if rec.Operation != "" {
		fmt.Fprintf(&b, " %s", p.Bold.Sprint(rec.Operation))
	}
	if rec.From != "" || rec.To != "" {
		fmt.Fprintf(&b, " %s -> %s", orDash(rec.From), orDash(rec.To))
	}
	if rec.Status != nil {
		if rec.Status.OK() {
			fmt.Fprintf(&b, " %s", p.Green.Sprint("OK"))
		} else {
			fmt.Fprintf(&b, " %s", p.Red.Sprintf("ERROR %s [%s]", rec.Status.Summary(), rec.Status.Class()))
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
