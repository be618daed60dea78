package emulator

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Log levels of ig.log.level (integrationGateway.properties). An entry of
// level L is written when L <= the configured level, unless the configured
// level is LogSuppress.
const (
	// LogSuppress (-100) suppresses all logging.
	LogSuppress = -100
	// LogLangException (-1) logs language exceptions only.
	LogLangException = -1
	// LogStdException (1) adds standard exceptions.
	LogStdException = 1
	// LogWarning (2) logs all errors and warnings.
	LogWarning = 2
	// LogImportant (3) adds important information; the gateway's default
	// when ig.log.level is unset.
	LogImportant = 3 // default
	// LogStandard (4) adds standard information.
	LogStandard = 4
	// LogLow (5) adds low-importance information: the full HTTP requests of
	// the listening connectors, headers included.
	LogLow = 5 // full HTTP requests with headers
)

// Names and defaults of the gateway log files.
const (
	msgLogName          = "msgLog.html"
	errorLogName        = "errorLog.html"
	defaultLogMaxBytes  = 10 << 20
	defaultLogBackups   = 5
	gatewayLogTimeStamp = "Mon Jan 02 15:04:05.000 MST 2006" // Java Date.toString, with milliseconds
)

// GatewayLogOptions configures OpenGatewayLog: the LOGGING section of
// integrationGateway.properties.
type GatewayLogOptions struct {
	Dir      string           // directory for msgLog.html and errorLog.html (created if missing)
	Level    int              // ig.log.level; 0 means the default 3
	MaxBytes int64            // rotate a file when it would pass this size; 0 = 10 MiB default
	Backups  int              // rotated files kept: msgLog.html.1 (newest) ... msgLog.html.N; 0 = 5 default; older ones deleted
	Clock    func() time.Time // required (tests inject a fixed clock); must be safe for concurrent use
}

// GatewayLog writes the emulated gateway's msgLog.html and errorLog.html.
// It is safe for concurrent use: each entry is written whole, in the order
// the calls take the file's lock. A nil *GatewayLog is valid and logs
// nothing, so the emulator can run without logs.
//
// # File format
//
// Each file is one HTML document, as the real gateway's logs are documents
// meant for a browser. When a file is created, a header is written: <html>,
// <head> with a UTF-8 charset and a title, the start of <body>, and the
// start of a <table> whose <thead> names the columns Time, Description and
// Level. Each entry is then appended as one <tbody class="entry"> holding a
// row with the time (Java Date.toString style with milliseconds, in the
// clock's time zone), the description and the level, and a second row
// holding the content:
//
//	<tbody class="entry">
//	<tr><td class="time">Mon Nov 23 15:40:32.123 UTC 2026</td><td class="desc">HttpListeningConnector: request received</td><td class="level">5</td></tr>
//	<tr><td colspan="3"><pre class="content">
//	POST /PSIGW/HttpListeningConnector HTTP/1.1
//	...&lt;IBInfo&gt;...</pre></td></tr>
//	</tbody>
//
// Every text is escaped with html.EscapeString, so html.UnescapeString of
// the text between a <pre ...> tag's newline and its </pre> gives back the
// exact bytes. The newline after each <pre ...> tag is not part of the
// content: HTML parsers drop a newline that directly follows <pre>, so
// browsers and parsers see the exact content too, even one that starts with
// a newline.
//
// The closing </table></body></html> is never written, the approach of
// long-running HTML loggers: the file is appended to while the gateway
// runs, browsers close open elements at the end of the file, and the file
// therefore always ends at an entry boundary (after the header or after a
// </tbody>). A failed write is truncated away so a partial entry does not
// stay in the file.
//
// errorLog.html entries carry, in their content row, the message-catalog
// information of the status (Status.Summary, code, set, number, parameters
// and, when psib's catalog knows the pair, its title and meaning), then the
// stack trace, the IBRequest and the IBResponse, each labelled and in its
// own <pre>.
//
// Content is written as given: like a real gateway log, it may hold node
// passwords (Password headers, IBInfo). The files are created with mode
// 0600 and the directory, when created, with 0700.
//
// # Rotation
//
// Before an entry that would take a file past MaxBytes is written, the file
// is rotated: msgLog.html.N-1 becomes msgLog.html.N (the oldest, .N with N
// = Backups, is deleted first), ..., msgLog.html becomes msgLog.html.1, and
// a fresh msgLog.html starts with the header. A file that holds only its
// header is never rotated, so an entry larger than MaxBytes on its own is
// written to a fresh file. errorLog.html rotates the same way. Sizes are
// counted in bytes of the file.
type GatewayLog struct {
	level int
	clock func() time.Time
	msg   *gatewayLogFile
	errs  *gatewayLogFile
}

// gatewayLogFile is one rotating HTML log file.
type gatewayLogFile struct {
	path    string
	header  []byte
	max     int64
	backups int

	mu     sync.Mutex
	f      *os.File // nil after a failed rotation or write recovery; reopened on the next entry
	size   int64
	closed bool
}

// OpenGatewayLog creates the log directory if missing and opens (creating
// with a header, or appending to) msgLog.html and errorLog.html in it. With
// Level LogSuppress nothing is created or opened: the returned log writes
// nothing. Clock is required; negative MaxBytes or Backups are refused.
func OpenGatewayLog(o GatewayLogOptions) (*GatewayLog, error) {
	if o.Clock == nil {
		return nil, errors.New("gateway log: Clock is required")
	}
	if o.MaxBytes < 0 {
		return nil, fmt.Errorf("gateway log: negative MaxBytes %d", o.MaxBytes)
	}
	if o.Backups < 0 {
		return nil, fmt.Errorf("gateway log: negative Backups %d", o.Backups)
	}
	level := o.Level
	if level == 0 {
		level = LogImportant
	}
	l := &GatewayLog{level: level, clock: o.Clock}
	if level == LogSuppress {
		return l, nil
	}
	if o.Dir == "" {
		return nil, errors.New("gateway log: Dir is required")
	}
	maxBytes := o.MaxBytes
	if maxBytes == 0 {
		maxBytes = defaultLogMaxBytes
	}
	backups := o.Backups
	if backups == 0 {
		backups = defaultLogBackups
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("gateway log: %w", err)
	}
	l.msg = &gatewayLogFile{
		path:    filepath.Join(o.Dir, msgLogName),
		header:  gatewayLogHeader("PeopleSoft Integration Gateway Message Log"),
		max:     maxBytes,
		backups: backups,
	}
	l.errs = &gatewayLogFile{
		path:    filepath.Join(o.Dir, errorLogName),
		header:  gatewayLogHeader("PeopleSoft Integration Gateway Error Log"),
		max:     maxBytes,
		backups: backups,
	}
	if err := l.msg.open(); err != nil {
		return nil, err
	}
	if err := l.errs.open(); err != nil {
		l.msg.close()
		return nil, err
	}
	return l, nil
}

// Enabled reports whether an entry of the given level would be written, so
// callers can skip building its content.
func (l *GatewayLog) Enabled(level int) bool {
	return l != nil && l.level != LogSuppress && level <= l.level
}

// Message appends a msgLog.html entry: the time, the description, the level
// and the content (an HTTP request, a MIME message, XML) in a <pre> block.
// It does nothing when the level is not enabled.
func (l *GatewayLog) Message(level int, description string, content []byte) error {
	if !l.Enabled(level) {
		return nil
	}
	var b strings.Builder
	b.Grow(len(content) + len(content)/8 + 64)
	b.WriteString(`<tr><td colspan="3"><pre class="content">` + "\n")
	b.WriteString(html.EscapeString(string(content)))
	b.WriteString("</pre></td></tr>\n")
	return l.msg.append(l.clock, level, html.EscapeString(description), b.String())
}

// Error appends an errorLog.html entry: the time, the description, the
// level, the message-catalog information of status (nil when there is
// none), the stack trace, and the request and response. It does nothing
// when the level is not enabled.
func (l *GatewayLog) Error(level int, description string, status *ibmsg.Status, stack string, request, response []byte) error {
	if !l.Enabled(level) {
		return nil
	}
	var b strings.Builder
	b.Grow(len(stack) + len(request) + len(response) + 512)
	b.WriteString(`<tr><td colspan="3"><div class="catalog">`)
	if status == nil {
		b.WriteString("Message Catalog: (none)")
	} else {
		esc := html.EscapeString
		fmt.Fprintf(&b, "Status: %s<br>\nStatus Code: %d<br>\nMessage Set Number: %d<br>\nMessage Number: %d",
			esc(status.Summary()), status.StatusCode, status.MsgSet, status.MsgID)
		if len(status.Parameters) > 0 {
			b.WriteString("<br>\nMessage Parameters: ")
			for i, p := range status.Parameters {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(esc(p))
			}
		}
		if e, ok := status.Explain(); ok {
			b.WriteString("<br>\nCatalog Title: " + esc(e.Title))
			if e.Meaning != "" {
				b.WriteString("<br>\nCatalog Explanation: " + esc(e.Meaning))
			}
		}
	}
	b.WriteString("</div>\n")
	writePre := func(label, class, text string) {
		b.WriteString(`<div class="label">` + label + `</div><pre class="` + class + `">` + "\n")
		b.WriteString(html.EscapeString(text))
		b.WriteString("</pre>\n")
	}
	writePre("Stack Trace:", "stack", stack)
	writePre("IBRequest:", "request", string(request))
	writePre("IBResponse:", "response", string(response))
	b.WriteString("</td></tr>\n")
	return l.errs.append(l.clock, level, html.EscapeString(description), b.String())
}

// Close closes both files. Entries after Close return an error; a second
// Close returns nil.
func (l *GatewayLog) Close() error {
	if l == nil || l.msg == nil {
		return nil
	}
	return errors.Join(l.msg.close(), l.errs.close())
}

// gatewayLogHeader is the start of a log document; the document is never
// closed (see GatewayLog).
func gatewayLogHeader(title string) []byte {
	return []byte(`<html><head><meta charset="UTF-8"><title>` + title + `</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;vertical-align:top}pre{margin:0;white-space:pre-wrap}.label{font-weight:bold}</style>
</head>
<body>
<h1>` + title + `</h1>
<!-- Entries are appended while the gateway runs; the document's closing tags are never written. -->
<table>
<thead><tr><th>Time</th><th>Description</th><th>Level</th></tr></thead>
`)
}

// open opens (creating with the header when empty) the file for appending.
// The caller holds mu, or has not shared the file yet.
func (lf *gatewayLogFile) open() error {
	f, err := os.OpenFile(lf.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("gateway log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("gateway log: %w", err)
	}
	size := st.Size()
	if size == 0 {
		if _, err := f.Write(lf.header); err != nil {
			f.Truncate(0)
			f.Close()
			return fmt.Errorf("gateway log: writing %s: %w", lf.path, err)
		}
		size = int64(len(lf.header))
	}
	lf.f, lf.size = f, size
	return nil
}

// append writes one entry: the time is taken under the lock so times in
// the file are in file order.
func (lf *gatewayLogFile) append(clock func() time.Time, level int, escDesc, body string) error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.closed {
		return fmt.Errorf("gateway log: %s: %w", lf.path, os.ErrClosed)
	}
	if lf.f == nil {
		if err := lf.open(); err != nil {
			return err
		}
	}
	head := `<tbody class="entry">` + "\n" +
		`<tr><td class="time">` + html.EscapeString(clock().Format(gatewayLogTimeStamp)) +
		`</td><td class="desc">` + escDesc +
		`</td><td class="level">` + strconv.Itoa(level) + "</td></tr>\n"
	const tail = "</tbody>\n"
	n := int64(len(head) + len(body) + len(tail))
	if lf.size > int64(len(lf.header)) && lf.size+n > lf.max {
		if err := lf.rotate(); err != nil {
			return err
		}
	}
	entry := make([]byte, 0, n)
	entry = append(entry, head...)
	entry = append(entry, body...)
	entry = append(entry, tail...)
	if _, err := lf.f.Write(entry); err != nil {
		// Keep the file at an entry boundary: cut the partial entry. If
		// even that fails, drop the handle so the next entry reopens the
		// file and learns its size again.
		if terr := lf.f.Truncate(lf.size); terr != nil {
			lf.f.Close()
			lf.f = nil
		}
		return fmt.Errorf("gateway log: writing %s: %w", lf.path, err)
	}
	lf.size += n
	return nil
}

// rotate shifts path.i to path.i+1 (deleting the oldest and any stale
// backups beyond lf.backups), moves path to path.1 and opens a fresh file.
// The caller holds mu.
func (lf *gatewayLogFile) rotate() error {
	if lf.f != nil {
		err := lf.f.Close()
		lf.f = nil
		if err != nil {
			return fmt.Errorf("gateway log: %w", err)
		}
	}
	backup := func(i int) string { return lf.path + "." + strconv.Itoa(i) }
	// Backups left over from a larger Backups setting.
	if ents, err := os.ReadDir(filepath.Dir(lf.path)); err == nil {
		prefix := filepath.Base(lf.path) + "."
		for _, e := range ents {
			rest, ok := strings.CutPrefix(e.Name(), prefix)
			if n, err := strconv.Atoi(rest); ok && err == nil && n > lf.backups && strconv.Itoa(n) == rest {
				os.Remove(filepath.Join(filepath.Dir(lf.path), e.Name()))
			}
		}
	}
	if err := os.Remove(backup(lf.backups)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gateway log: rotating: %w", err)
	}
	for i := lf.backups - 1; i >= 1; i-- {
		if err := os.Rename(backup(i), backup(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("gateway log: rotating: %w", err)
		}
	}
	if err := os.Rename(lf.path, backup(1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gateway log: rotating: %w", err)
	}
	return lf.open()
}

// close closes the file; later entries fail.
func (lf *gatewayLogFile) close() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.closed {
		return nil
	}
	lf.closed = true
	if lf.f == nil {
		return nil
	}
	err := lf.f.Close()
	lf.f = nil
	if err != nil {
		return fmt.Errorf("gateway log: %w", err)
	}
	return nil
}
