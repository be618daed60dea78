package publish

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/psib-dev/psib/internal/jsonstr"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// errorJSON is a failed message's "error" object.
type errorJSON struct {
	// Kind is the class: input, auth, remote, transport or unknown.
	Kind string `json:"kind"`
	// Message is the error as psib reports it.
	Message string `json:"message"`
	// HTTPStatus is the answer's HTTP status, when one came.
	HTTPStatus int `json:"http_status,omitempty"`
	// Status is the gateway's IB status, for a rejected message.
	Status *ibmsg.Status `json:"status,omitempty"`
	// Explanation is psib's reading of a catalog status, when it knows it.
	Explanation *explanationJSON `json:"explanation,omitempty"`
}

type explanationJSON struct {
	Meaning string `json:"meaning"`
	Cause   string `json:"cause,omitempty"`
	Action  string `json:"action"`
}

// resultJSON is the CLI contract's line for a message (input, operation,
// outcome, transaction_id, error), with psib's extra fields after them.
type resultJSON struct {
	Input             string     `json:"input"`
	Operation         string     `json:"operation"`
	Outcome           Outcome    `json:"outcome"`
	TransactionID     string     `json:"transaction_id"`
	Error             *errorJSON `json:"error"`
	ExternalMessageID string     `json:"external_message_id"`
	Attempts          int        `json:"attempts"`
	Duplicate         bool       `json:"duplicate,omitempty"`
	Note              string     `json:"note,omitempty"`
	JournalID         int64      `json:"journal_id,omitempty"`
	DurationMS        float64    `json:"duration_ms"`
}

// MarshalJSON writes the CLI contract's fields for a message: input,
// operation, outcome, transaction_id and error (null, or an object with
// kind, message, http_status, status and explanation), then
// external_message_id, attempts, duplicate, note, journal_id and
// duration_ms.
func (r *Result) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil)
}

// AppendJSON appends the line MarshalJSON returns. A message without an
// error (most of a batch) is written by hand, the rest with
// encoding/json: the same bytes either way (TestResultJSONByHand), at a
// fraction of the cost for the lines -o json prints per message.
func (r *Result) AppendJSON(dst []byte) ([]byte, error) {
	if r.Err != nil {
		return jsonstr.AppendValue(dst, r.jsonValue())
	}
	dst = append(dst, `{"input":`...)
	dst = jsonstr.Append(dst, r.Input)
	dst = append(dst, `,"operation":`...)
	dst = jsonstr.Append(dst, r.Operation)
	dst = append(dst, `,"outcome":`...)
	dst = jsonstr.Append(dst, string(r.Outcome))
	dst = append(dst, `,"transaction_id":`...)
	dst = jsonstr.Append(dst, r.TransactionID)
	dst = append(dst, `,"error":null,"external_message_id":`...)
	dst = jsonstr.Append(dst, r.ExternalMessageID)
	dst = append(dst, `,"attempts":`...)
	dst = strconv.AppendInt(dst, int64(r.Attempts), 10)
	if r.Duplicate {
		dst = append(dst, `,"duplicate":true`...)
	}
	if r.Note != "" {
		dst = append(dst, `,"note":`...)
		dst = jsonstr.Append(dst, r.Note)
	}
	if r.JournalID != 0 {
		dst = append(dst, `,"journal_id":`...)
		dst = strconv.AppendInt(dst, r.JournalID, 10)
	}
	dst = append(dst, `,"duration_ms":`...)
	// encoding/json's form for a float64 of this range (a whole number of
	// microseconds, far below 1e21): the shortest decimal, no exponent.
	dst = strconv.AppendFloat(dst, durationMS(r.Duration), 'f', -1, 64)
	return append(dst, '}'), nil
}

func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// jsonValue is r as encoding/json writes it.
func (r *Result) jsonValue() resultJSON {
	j := resultJSON{Input: r.Input, Operation: r.Operation, Outcome: r.Outcome, TransactionID: r.TransactionID,
		ExternalMessageID: r.ExternalMessageID, Attempts: r.Attempts, Duplicate: r.Duplicate, Note: r.Note, JournalID: r.JournalID,
		DurationMS: durationMS(r.Duration)}
	if r.Err != nil {
		j.Error = &errorJSON{Kind: r.Class.String(), Message: r.Err.Error(), HTTPStatus: r.HTTPStatus, Status: r.Status}
		if r.Status != nil {
			if e, ok := r.Status.Explain(); ok {
				j.Error.Explanation = &explanationJSON{Meaning: e.Meaning, Cause: e.Cause, Action: e.Action}
			}
		}
	}
	return j
}

func marshalNoEscape(v any) ([]byte, error) { return jsonstr.AppendValue(nil, v) }

// ReportInfo describes the batch in a report.
type ReportInfo struct {
	Operation, Target, Command string
	RunID                      int64
	Started                    time.Time
}

// Report writes a batch report to a file as results arrive; Close
// completes it. The file appears (atomically) only at Close.
type Report interface {
	// Add records one message.
	Add(r *Result) error
	// Close writes the summary and puts the file in place.
	Close(s *Summary) error
	// Abort removes what was written.
	Abort()
}

// reportFile is a report being written to a temporary file beside its
// destination.
type reportFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	err  error
}

func newReportFile(path string) (*reportFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	return &reportFile{path: path, f: f, w: bufio.NewWriter(f)}, nil
}

func (rf *reportFile) printf(format string, args ...any) {
	if rf.err == nil {
		_, rf.err = fmt.Fprintf(rf.w, format, args...)
	}
}

func (rf *reportFile) finish() error {
	if rf.err == nil {
		rf.err = rf.w.Flush()
	}
	if cerr := rf.f.Close(); rf.err == nil {
		rf.err = cerr
	}
	if rf.err == nil {
		rf.err = os.Rename(rf.f.Name(), rf.path)
	}
	if rf.err != nil {
		os.Remove(rf.f.Name())
		return fmt.Errorf("report %s: %w", rf.path, rf.err)
	}
	return nil
}

func (rf *reportFile) abort() {
	rf.f.Close()
	os.Remove(rf.f.Name())
}

// jsonReport is {"operation", "target", "run_id", "started", "messages":
// [...], "summary": {...}}.
type jsonReport struct {
	rf    *reportFile
	first bool
}

// NewJSONReport starts a JSON report at path: the batch's facts, every
// message as in -o json, then the summary.
func NewJSONReport(path string, info ReportInfo) (Report, error) {
	rf, err := newReportFile(path)
	if err != nil {
		return nil, err
	}
	head, _ := marshalNoEscape(struct {
		Operation string `json:"operation"`
		Target    string `json:"target"`
		Command   string `json:"command"`
		RunID     int64  `json:"run_id"`
		Started   string `json:"started"`
	}{info.Operation, info.Target, info.Command, info.RunID, info.Started.UTC().Format(time.RFC3339Nano)})
	rf.printf("%s,\n\"messages\": [", strings.TrimSuffix(string(head), "}"))
	return &jsonReport{rf: rf, first: true}, nil
}

func (j *jsonReport) Add(r *Result) error {
	b, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	sep := ",\n"
	if j.first {
		sep, j.first = "\n", false
	}
	j.rf.printf("%s%s", sep, b)
	return j.rf.err
}

// SummaryJSON is the summary object of reports and of psib's JSON output.
type SummaryJSON struct {
	Total      int     `json:"total"`
	Accepted   int     `json:"accepted"`
	Rejected   int     `json:"rejected"`
	Failed     int     `json:"failed"`
	Unknown    int     `json:"unknown"`
	Skipped    int     `json:"skipped"`
	NotSent    int     `json:"not_sent"`
	Duplicates int     `json:"duplicates"`
	Worst      string  `json:"worst"`
	RunID      int64   `json:"run_id,omitempty"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	Interrupt  bool    `json:"interrupted"`
}

// JSON returns the summary's JSON form.
func (s *Summary) JSON() SummaryJSON {
	sec := s.Elapsed.Seconds()
	rate := 0.0
	if sec > 0 {
		rate = float64(s.Total-s.Skipped) / sec
	}
	return SummaryJSON{Total: s.Total, Accepted: s.Accepted, Rejected: s.Rejected, Failed: s.Failed, Unknown: s.Unknown, Skipped: s.Skipped,
		NotSent: s.NotSent, Duplicates: s.Duplicates, Worst: s.Worst.String(), RunID: s.RunID, Seconds: sec, PerSecond: rate, Interrupt: s.Interrupted}
}

func (j *jsonReport) Close(s *Summary) error {
	b, _ := marshalNoEscape(s.JSON())
	j.rf.printf("\n],\n\"summary\": %s}\n", b)
	return j.rf.finish()
}

func (j *jsonReport) Abort() { j.rf.abort() }

// junitReport spools test cases to a temporary file, since the suite's
// counts come first in JUnit XML.
type junitReport struct {
	rf    *reportFile
	cases *os.File
	w     *bufio.Writer
	enc   *xml.Encoder
	info  ReportInfo
	err   error
}

// NewJUnitReport starts a JUnit XML report at path: one test suite for the
// batch, one test case per message (accepted passes, skipped is
// <skipped>, rejected a <failure>, failed and unknown an <error>).
func NewJUnitReport(path string, info ReportInfo) (Report, error) {
	rf, err := newReportFile(path)
	if err != nil {
		return nil, err
	}
	cases, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".cases-*")
	if err != nil {
		rf.abort()
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	// Unlinked while open where the system allows it (removed again at
	// Close elsewhere).
	os.Remove(cases.Name())
	w := bufio.NewWriter(cases)
	enc := xml.NewEncoder(w)
	enc.Indent("    ", "  ")
	return &junitReport{rf: rf, cases: cases, w: w, enc: enc, info: info}, nil
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

type junitCase struct {
	XMLName   xml.Name      `xml:"testcase"`
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Failure   *junitMessage `xml:"failure"`
	Error     *junitMessage `xml:"error"`
	SystemOut string        `xml:"system-out,omitempty"`
}

func (j *junitReport) Add(r *Result) error {
	if j.err != nil {
		return j.err
	}
	c := junitCase{ClassName: "publish." + r.Operation, Name: r.Input, Time: fmt.Sprintf("%.3f", r.Duration.Seconds())}
	var out []string
	if r.TransactionID != "" {
		out = append(out, "transaction_id: "+r.TransactionID)
	}
	if r.ExternalMessageID != "" {
		out = append(out, "external_message_id: "+r.ExternalMessageID)
	}
	out = append(out, fmt.Sprintf("attempts: %d", r.Attempts))
	c.SystemOut = strings.Join(out, "\n")
	msg := ""
	if r.Err != nil {
		msg = r.Err.Error()
	}
	detail := msg
	if r.Status != nil {
		if e, ok := r.Status.Explain(); ok {
			detail += "\nmeaning: " + e.Meaning + "\nwhat to do: " + e.Action
		}
	}
	switch r.Outcome {
	case OutcomeSkipped:
		c.Skipped = &junitMessage{Message: r.Note}
	case OutcomeRejected:
		c.Failure = &junitMessage{Message: msg, Type: string(r.Outcome), Text: detail}
	case OutcomeFailed, OutcomeUnknown:
		c.Error = &junitMessage{Message: msg, Type: string(r.Outcome), Text: detail}
	}
	j.err = j.enc.Encode(c)
	return j.err
}

func (j *junitReport) Close(s *Summary) error {
	defer func() {
		j.cases.Close()
		os.Remove(j.cases.Name())
	}()
	if j.err == nil {
		j.err = j.enc.Flush()
	}
	if j.err == nil {
		j.err = j.w.Flush()
	}
	if j.err == nil {
		_, j.err = j.cases.Seek(0, io.SeekStart)
	}
	if j.err != nil {
		j.rf.abort()
		return fmt.Errorf("report %s: %w", j.rf.path, j.err)
	}
	name := "psib publish " + j.info.Operation
	attrs := fmt.Sprintf(`tests="%d" failures="%d" errors="%d" skipped="%d" time="%.3f"`,
		s.Total, s.Rejected, s.Failed+s.Unknown, s.Skipped, s.Elapsed.Seconds())
	j.rf.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"%s\" %s>\n", xmlAttr(name), attrs)
	j.rf.printf("  <testsuite name=\"%s\" %s timestamp=\"%s\">\n", xmlAttr(name), attrs, j.info.Started.UTC().Format("2006-01-02T15:04:05"))
	j.rf.printf("    <properties>\n")
	for _, p := range [][2]string{{"target", j.info.Target}, {"command", j.info.Command}, {"run_id", fmt.Sprint(j.info.RunID)},
		{"not_sent", fmt.Sprint(s.NotSent)}, {"interrupted", fmt.Sprint(s.Interrupted)}} {
		j.rf.printf("      <property name=\"%s\" value=\"%s\"/>\n", xmlAttr(p[0]), xmlAttr(p[1]))
	}
	j.rf.printf("    </properties>")
	if j.rf.err == nil {
		_, j.rf.err = io.Copy(j.rf.w, j.cases)
	}
	j.rf.printf("\n  </testsuite>\n</testsuites>\n")
	return j.rf.finish()
}

func (j *junitReport) Abort() {
	j.cases.Close()
	os.Remove(j.cases.Name())
	j.rf.abort()
}

func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
