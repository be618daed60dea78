package publish

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// DefaultMaxBytes caps one message (one file, one NDJSON line) when
// Source.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// StdinName names stdin in messages and errors.
const StdinName = "<stdin>"

// Source describes a batch's inputs.
type Source struct {
	// Args are the inputs: files, directories (their regular files, not
	// hidden, not recursive, by name), glob patterns (expanded when no file
	// has that name) and "-" for stdin.
	Args []string
	// NDJSON reads every input as one message per line: a JSON string
	// (the payload) or an object {"payload": "...",
	// "external_message_id": "..."}. Blank lines are skipped.
	NDJSON bool
	// NonXML wraps each payload in PeopleSoft's non-XML element (root
	// NonXMLRoot) instead of requiring XML.
	NonXML     bool
	NonXMLRoot string
	// Stdin is read for "-".
	Stdin io.Reader
	// MaxBytes caps one message; 0 means DefaultMaxBytes.
	MaxBytes int64
	// TempDir holds NDJSON read from stdin between the two passes; ""
	// means os.TempDir().
	TempDir string

	// keep overrides keepBudget when not 0 (tests; negative keeps none).
	keep int64
}

// Message is one message of a batch, ready to send.
type Message struct {
	// Seq is the message's position in the batch, from 0.
	Seq int
	// Input names where it came from: a file, FILE:LINE for NDJSON, or
	// <stdin>.
	Input string
	// Payload is the document as sent: UTF-8 XML, or the non-XML wrapper.
	Payload []byte
	// ExternalMessageID is the id the input gave (NDJSON), or "".
	ExternalMessageID string
}

// InputError is an input psib cannot use. When Scan returns one, nothing
// was sent.
type InputError struct {
	// Input names the file (or <stdin>, or a pattern or directory).
	Input string
	// Line is the 1-based line (NDJSON, or an XML error), 0 when unknown.
	Line int
	// Msg says what is wrong and what to do.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error reads "INPUT:LINE: what is wrong".
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Input, e.Line, e.Msg)
	}
	return e.Input + ": " + e.Msg
}

// Unwrap returns Err.
func (e *InputError) Unwrap() error { return e.Err }

// item is one expanded input.
type item struct {
	path  string // "" for stdin
	stdin bool
}

func (it item) name() string {
	if it.stdin {
		return StdinName
	}
	return it.path
}

// Batch is a set of inputs that Scan found valid. Close it to remove what
// it keeps of stdin.
type Batch struct {
	src   *Source
	items []item
	count int

	stdinDoc   []byte // stdin as one document
	stdinSpool string // stdin NDJSON, kept for the second pass

	// kept holds, per file input, the payload the first pass checked,
	// while their sizes add up to at most keepBudget: the second pass sends
	// them without reading the files again (a directory of small messages
	// would otherwise cost two opens and reads per message). The rest is
	// read again.
	kept [][]byte
	// keptLines holds, per NDJSON input, its checked messages, when all of
	// them fit in what is left of keepBudget (nil: read again).
	keptLines [][]keptLine
	budget    atomic.Int64 // what is left of keepBudget
}

// keptLine is one NDJSON message checked by the first pass.
type keptLine struct {
	line    int
	payload []byte
	extID   string
}

// keptLineOverhead is what a keptLine costs beyond its payload and id: the
// line's share of its slice (which grows by doubling) and the payload's
// rounding up to an allocation size.
const keptLineOverhead = 128

// keepBudget bounds the bytes of checked payloads a Batch keeps between
// its two passes, so that memory stays flat for any batch size. The heap
// may grow to several times what is kept (publish collects garbage
// less often), hence a few MiB: enough for thousands of small messages.
const keepBudget = 4 << 20

// Len returns the number of messages.
func (b *Batch) Len() int { return b.count }

// Close removes the spooled copy of stdin, if any.
func (b *Batch) Close() error {
	if b.stdinSpool != "" {
		err := os.Remove(b.stdinSpool)
		b.stdinSpool = ""
		return err
	}
	return nil
}

func (s *Source) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

// Scan expands the inputs and checks every message (readable, within the
// size limit, well-formed XML unless NonXML, valid NDJSON) before anything
// is sent. The first problem is an *InputError. Stdin is read here, once.
func (s *Source) Scan() (*Batch, error) {
	if len(s.Args) == 0 {
		return nil, &InputError{Input: "publish", Msg: "no input: give FILE, DIR, GLOB or - (stdin)"}
	}
	b := &Batch{src: s}
	b.budget.Store(keepBudget)
	if s.keep != 0 {
		b.budget.Store(s.keep)
	}
	if err := b.expand(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			b.Close()
		}
	}()
	if s.NDJSON {
		b.keptLines = make([][]keptLine, len(b.items))
		for i, it := range b.items {
			n, err := b.scanNDJSON(i, it)
			if err != nil {
				return nil, err
			}
			b.count += n
		}
	} else if err := b.scanFiles(); err != nil {
		return nil, err
	}
	ok = true
	return b, nil
}

// expand turns the arguments into files and stdin.
func (b *Batch) expand() error {
	seenStdin := false
	for _, arg := range b.src.Args {
		if arg == "-" {
			if seenStdin {
				return &InputError{Input: StdinName, Msg: "- (stdin) is given twice"}
			}
			seenStdin = true
			b.items = append(b.items, item{stdin: true})
			continue
		}
		fi, err := os.Stat(arg)
		switch {
		case err == nil && fi.IsDir():
			files, err := dirFiles(arg)
			if err != nil {
				return &InputError{Input: arg, Msg: "cannot list the directory: " + reason(err), Err: err}
			}
			if len(files) == 0 {
				return &InputError{Input: arg, Msg: "the directory has no files to publish (hidden files and subdirectories are not read)"}
			}
			for _, f := range files {
				b.items = append(b.items, item{path: f})
			}
		case err == nil:
			b.items = append(b.items, item{path: arg})
		case errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(arg, "*?["):
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				return &InputError{Input: arg, Msg: "bad pattern: " + gerr.Error(), Err: gerr}
			}
			n := 0
			for _, m := range matches {
				mfi, err := os.Stat(m)
				if err != nil || mfi.IsDir() || strings.HasPrefix(filepath.Base(m), ".") {
					continue
				}
				b.items = append(b.items, item{path: m})
				n++
			}
			if n == 0 {
				return &InputError{Input: arg, Msg: "no file matches the pattern"}
			}
		default:
			return &InputError{Input: arg, Msg: "cannot read: " + reason(err), Err: err}
		}
	}
	return nil
}

// dirFiles lists a directory's regular files (symbolic links to files
// included), not hidden, sorted by name. The directory entries' types
// spare a stat per file; only links are followed.
func dirFiles(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, k int) bool { return entries[i].Name() < entries[k].Name() })
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		p := filepath.Join(dir, n)
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue // a dangling link
				}
				return nil, err
			}
			mode = fi.Mode()
		}
		if mode.IsRegular() {
			out = append(out, p)
		}
	}
	return out, nil
}

// reason is an OS error in a few words.
func reason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readAll reads an input whole, within the size limit.
func (b *Batch) readAll(it item) ([]byte, error) {
	if it.stdin {
		if b.stdinDoc != nil {
			return b.stdinDoc, nil
		}
		if b.src.Stdin == nil {
			return nil, &InputError{Input: StdinName, Msg: "no standard input"}
		}
		data, err := readLimited(b.src.Stdin, b.src.maxBytes(), StdinName)
		if err != nil {
			return nil, err
		}
		b.stdinDoc = data
		return data, nil
	}
	limit := b.src.maxBytes()
	data, err := openRead(it.path, limit)
	if err != nil {
		return nil, &InputError{Input: it.path, Msg: "cannot read: " + reason(err), Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &InputError{Input: it.path, Msg: fmt.Sprintf("larger than %d MiB, the limit for one message", limit>>20)}
	}
	return data, nil
}

func readLimited(r io.Reader, max int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &InputError{Input: name, Msg: "cannot read: " + reason(err), Err: err}
	}
	if int64(len(data)) > max {
		return nil, &InputError{Input: name, Msg: fmt.Sprintf("larger than %d MiB, the limit for one message", max>>20)}
	}
	return data, nil
}

// prepare turns input bytes into the payload sent: the non-XML wrapper, or
// UTF-8 XML that (when check is set) is well formed. The second pass does
// not check again: a document changed in between to be malformed is
// rejected by the gateway, which is that message's outcome.
func (s *Source) prepare(name string, line int, data []byte, check bool) ([]byte, error) {
	if s.NonXML {
		return ibmsg.WrapNonXML(s.NonXMLRoot, data), nil
	}
	utf, err := ibmsg.ToUTF8XML(data)
	if err != nil {
		return nil, &InputError{Input: name, Line: line, Msg: strings.TrimPrefix(err.Error(), "ibmsg: "), Err: err}
	}
	if !check {
		return utf, nil
	}
	if err := ibmsg.CheckXML(utf); err != nil {
		what := "is not a well-formed XML document"
		if line > 0 {
			what = "the payload is not a well-formed XML document"
		}
		return nil, &InputError{Input: name, Line: line, Msg: fmt.Sprintf("%s (%s); send non-XML data with --non-xml", what,
			strings.TrimPrefix(err.Error(), "ibmsg: ")), Err: err}
	}
	return utf, nil
}

// keep keeps a copy of payload as item i's when budget allows: a copy,
// so that what is held is what is counted (a read buffer may be far
// larger than the file).
func (b *Batch) keep(i int, payload []byte, budget *atomic.Int64) {
	n := int64(len(payload))
	if budget.Add(-n) < 0 {
		budget.Add(n) // a smaller file later may still fit
		return
	}
	b.kept[i] = bytes.Clone(payload)
}

// scanFiles checks every file (one message each), several at a time.
func (b *Batch) scanFiles() error {
	n := len(b.items)
	b.count = n
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, n)
	b.kept = make([][]byte, n)
	var (
		wg   sync.WaitGroup
		next int
		mu   sync.Mutex
		stop bool
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				done := stop || i >= n
				mu.Unlock()
				if done {
					return
				}
				it := b.items[i]
				data, err := b.readAll(it)
				var payload []byte
				if err == nil {
					payload, err = b.src.prepare(it.name(), 0, data, true)
				}
				if err == nil && !it.stdin {
					b.keep(i, payload, &b.budget)
				}
				if err != nil {
					errs[i] = err
					mu.Lock()
					stop = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ndjsonLine is an NDJSON object line.
type ndjsonLine struct {
	Payload           *string `json:"payload"`
	ExternalMessageID string  `json:"external_message_id"`
}

// parseNDJSON reads one line: a JSON string, or an object with payload.
func parseNDJSON(name string, line int, raw []byte) (payload []byte, extID string, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		if s, ok := unquoteSimple(raw); ok {
			return s, "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, "", &InputError{Input: name, Line: line, Msg: "not a JSON string: " + err.Error(), Err: err}
		}
		return []byte(s), "", nil
	case len(raw) > 0 && raw[0] == '{':
		var l ndjsonLine
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&l); err != nil {
			return nil, "", &InputError{Input: name, Line: line, Msg: "not a message object (want {\"payload\": \"<xml/>\", \"external_message_id\": \"...\"}): " + err.Error(), Err: err}
		}
		if l.Payload == nil {
			return nil, "", &InputError{Input: name, Line: line, Msg: "the object has no \"payload\""}
		}
		if len(l.ExternalMessageID) > ibmsg.MaxExternalMessageID {
			return nil, "", &InputError{Input: name, Line: line, Msg: fmt.Sprintf("external_message_id is %d characters; PeopleSoft accepts at most %d", len(l.ExternalMessageID), ibmsg.MaxExternalMessageID)}
		}
		if strings.ContainsAny(l.ExternalMessageID, "\r\n\x00") {
			return nil, "", &InputError{Input: name, Line: line, Msg: "external_message_id contains a control character"}
		}
		return []byte(*l.Payload), l.ExternalMessageID, nil
	}
	return nil, "", &InputError{Input: name, Line: line, Msg: "not NDJSON: each line must be a JSON string (the XML document) or an object {\"payload\": ...}"}
}

// unquoteSimple decodes a JSON string that holds valid UTF-8 and only the
// short escapes (\" \\ \/ \b \f \n \r \t), as encoding/json would: most
// NDJSON payloads, at a fraction of json.Unmarshal's cost (a quarter of
// the input check). Anything else (\u escapes, other bytes after the
// string, a control character, invalid UTF-8) is left to encoding/json,
// which also words the errors. FuzzUnquoteSimple compares the two.
func unquoteSimple(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	in := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(in))
	ascii := true
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c < 0x20 || c == '"':
			return nil, false
		case c >= 0x80:
			ascii = false
		case c == '\\':
			i++
			if i == len(in) {
				return nil, false
			}
			switch in[i] {
			case '"', '\\', '/':
				c = in[i]
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				return nil, false
			}
		}
		out = append(out, c)
	}
	if !ascii && !utf8.Valid(out) {
		return nil, false
	}
	return out, true
}

// ndjsonReader opens an NDJSON input for reading; for stdin in the first
// pass it also spools what it reads to a file for the second.
func (b *Batch) ndjsonReader(it item, first bool) (io.Reader, func() error, error) {
	if !it.stdin {
		f, err := os.Open(it.path)
		if err != nil {
			return nil, nil, &InputError{Input: it.path, Msg: "cannot read: " + reason(err), Err: err}
		}
		return f, f.Close, nil
	}
	if !first {
		f, err := os.Open(b.stdinSpool)
		if err != nil {
			return nil, nil, &InputError{Input: StdinName, Msg: "cannot read the saved copy of stdin: " + reason(err), Err: err}
		}
		return f, f.Close, nil
	}
	if b.src.Stdin == nil {
		return nil, nil, &InputError{Input: StdinName, Msg: "no standard input"}
	}
	spool, err := os.CreateTemp(b.src.TempDir, "psib-publish-stdin-*.ndjson")
	if err != nil {
		return nil, nil, &InputError{Input: StdinName, Msg: "cannot keep a copy of stdin for sending: " + err.Error(), Err: err}
	}
	b.stdinSpool = spool.Name()
	return io.TeeReader(b.src.Stdin, spool), spool.Close, nil
}

// eachLine calls fn for every non-blank line of an NDJSON input.
func (b *Batch) eachLine(it item, first bool, fn func(line int, raw []byte) error) error {
	r, closeFn, err := b.ndjsonReader(it, first)
	if err != nil {
		return err
	}
	defer closeFn()
	sc := bufio.NewScanner(r)
	max := int(b.src.maxBytes())
	sc.Buffer(make([]byte, 0, 64<<10), max+1)
	line := 0
	for sc.Scan() {
		line++
		raw := sc.Bytes()
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if err := fn(line, raw); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &InputError{Input: it.name(), Line: line + 1, Msg: fmt.Sprintf("the line is longer than %d MiB, the limit for one message", max>>20)}
		}
		return &InputError{Input: it.name(), Msg: "cannot read: " + reason(err), Err: err}
	}
	return nil
}

// scanNDJSON checks NDJSON input i, and keeps its messages for the second
// pass when all of them fit in the budget.
func (b *Batch) scanNDJSON(i int, it item) (int, error) {
	n := 0
	var kept []keptLine
	var used int64
	keeping := true
	err := b.eachLine(it, true, func(line int, raw []byte) error {
		payload, extID, err := parseNDJSON(it.name(), line, raw)
		if err != nil {
			return err
		}
		utf, err := b.src.prepare(it.name(), line, payload, true)
		if err != nil {
			return err
		}
		n++
		if keeping {
			size := int64(len(utf)+len(extID)) + keptLineOverhead
			if b.budget.Add(-size) < 0 {
				b.budget.Add(size + used)
				kept, used, keeping = nil, 0, false
				return nil
			}
			used += size
			kept = append(kept, keptLine{line: line, payload: utf, extID: extID})
		}
		return nil
	})
	if keeping {
		b.keptLines[i] = kept
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, &InputError{Input: it.name(), Msg: "no messages in it (NDJSON: one JSON string or object per line)"}
	}
	return n, nil
}

// Messages yields the batch's messages in order: file payloads and NDJSON
// messages kept by Scan (up to keepBudget bytes in all), the rest read again from the
// inputs, so memory does not grow with the batch. An input that cannot be read or used now is
// yielded as an error with a Message naming it.
func (b *Batch) Messages() iter.Seq2[*Message, error] {
	return func(yield func(*Message, error) bool) {
		seq := 0
		emit := func(m *Message, err error) bool {
			m.Seq = seq
			seq++
			return yield(m, err)
		}
		for i, it := range b.items {
			name := it.name()
			if b.src.NDJSON && i < len(b.keptLines) && b.keptLines[i] != nil {
				kept := b.keptLines[i]
				b.keptLines[i] = nil
				for k, l := range kept {
					kept[k] = keptLine{} // released as it goes
					if !emit(&Message{Input: fmt.Sprintf("%s:%d", name, l.line), Payload: l.payload, ExternalMessageID: l.extID}, nil) {
						return
					}
				}
				continue
			}
			if b.src.NDJSON {
				stopped := false
				err := b.eachLine(it, false, func(line int, raw []byte) error {
					in := fmt.Sprintf("%s:%d", name, line)
					payload, extID, err := parseNDJSON(name, line, raw)
					if err == nil {
						payload, err = b.src.prepare(name, line, payload, false)
					}
					if !emit(&Message{Input: in, Payload: payload, ExternalMessageID: extID}, err) {
						stopped = true
						return errStop
					}
					return nil
				})
				if stopped {
					return
				}
				if err != nil && !emit(&Message{Input: name}, err) {
					return
				}
				continue
			}
			var payload []byte
			var err error
			if i < len(b.kept) && b.kept[i] != nil {
				payload, b.kept[i] = b.kept[i], nil
			} else {
				var data []byte
				data, err = b.readAll(it)
				if err == nil {
					payload, err = b.src.prepare(name, 0, data, false)
				}
			}
			if !emit(&Message{Input: name, Payload: payload}, err) {
				return
			}
		}
	}
}

var errStop = errors.New("stop")
