package gwlog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Default limits of Decode.
const (
	// DefaultMaxMessageBytes caps the text of one message (and one line)
	// as found in the input.
	DefaultMaxMessageBytes = 16 << 20
	// DefaultMaxSectionBytes caps a decoded (decompressed) section. It is
	// lower than ibmsg's default so that a decompression bomb in a log
	// costs little memory.
	DefaultMaxSectionBytes = 64 << 20
)

// Options configures Decode. The zero value is ready to use.
type Options struct {
	// Limits caps what ibmsg accepts per message; MaxSectionBytes 0 means
	// DefaultMaxSectionBytes.
	Limits ibmsg.Limits
	// MaxMessageBytes caps one message's text and one line; 0 means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int
	// Workers decode messages in parallel; 0 means GOMAXPROCS. Records
	// are handed on in input order whatever the number.
	Workers int
	// Location is the time zone of log times written without one (the
	// gateway's); nil means time.Local.
	Location *time.Location
	// SkipContent leaves the content sections of MIME messages undecoded
	// (no base64, no inflating): records then carry everything but the
	// sections' bodies, for output that shows one line per message.
	// Section.Bytes is then the size as found and Compression is "".
	SkipContent bool
	// Prepare, when set, is called with every record on the goroutine that
	// decoded it, before the Handler sees it and before a response is
	// given its request's operation and nodes (which is done in input
	// order): per-record work such as redaction or Record.PrepareJSON
	// then runs on all workers. It must not depend on other records.
	Prepare func(*Record)
}

// decode decodes one message and runs Prepare on its record.
func (o *Options) decode(m *rawMessage) (*Record, error) {
	rec, err := decodeRaw(m, o)
	if rec != nil && o.Prepare != nil {
		o.Prepare(rec)
	}
	return rec, err
}

func (o Options) maxMessage() int {
	if o.MaxMessageBytes > 0 {
		return o.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}

func (o *Options) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return time.Local
}

func (o Options) limits() ibmsg.Limits {
	l := o.Limits
	if l.MaxSectionBytes <= 0 {
		l.MaxSectionBytes = DefaultMaxSectionBytes
	}
	return l
}

// Handler receives what Decode finds, in input order and one call at a
// time (with several workers, from whichever one hands the batch on): a
// record (err nil), a record part of which could not be decoded (both
// set), or an input problem with no record (rec nil; err is an *Error
// naming file:line). A non-nil return stops Decode, which returns it.
type Handler func(rec *Record, err error) error

// Decode reads a gateway log, a capture or an IB document from r and hands
// every IB message it finds to fn, in the order of the input. name is the
// file name records and errors carry. It reads r as a stream: memory is
// bounded by the limits times the number of workers, whatever r's size.
//
// It returns the first read error (an input problem, not decoded data,
// such as a corrupt gzip stream), ctx's error, or fn's.
func Decode(ctx context.Context, r io.Reader, name string, o Options, fn Handler) error {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	maxMsg := o.maxMessage()
	p := &pairer{}
	deliver := func(rec *Record, err error) error {
		if rec != nil {
			p.pair(rec)
		}
		return fn(rec, err)
	}
	if workers == 1 {
		s := newScanner(name, maxMsg, o.location(), func(m *rawMessage) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := o.decode(m)
			if rec == nil && err == nil {
				return nil
			}
			return deliver(rec, err)
		})
		return s.run(newLineReader(r, maxMsg))
	}
	return decodeParallel(ctx, r, name, workers, &o, deliver)
}

// job is a batch of messages on its way through the workers: the messages
// the scanner finished between two reads of the input. Batches, rather
// than single messages, cross the goroutines, so that a log of many small
// messages costs a few hand-overs per chunk of input, not several per
// message; and since a batch is handed on before the scanner reads again,
// a message is never held back waiting for input that has not come (a
// pipe that a live log is written into).
type job struct {
	seq  int // the batch's place in the input
	raws []*rawMessage
	recs []*Record
	errs []error
	size int64
}

// decode decodes the batch's messages. After each it lets other
// goroutines run when starving says no batch is waiting: the scanner,
// left waiting for a CPU while the workers decode, would otherwise leave
// them with nothing to do when they are through.
func (j *job) decode(o *Options, starving func() bool) {
	j.recs, j.errs = make([]*Record, len(j.raws)), make([]error, len(j.raws))
	for i, m := range j.raws {
		j.recs[i], j.errs[i] = o.decode(m)
		if starving() {
			runtime.Gosched()
		}
	}
	j.raws = nil
}

// readHook is r calling before ahead of every read.
type readHook struct {
	r      io.Reader
	before func()
}

func (h *readHook) Read(p []byte) (int, error) {
	h.before()
	return h.r.Read(p)
}

// decodeParallel scans on one goroutine and decodes on workers; the
// worker that completes the next batch in input order hands it on (with
// those after it that are done), so that no goroutine waits its turn to
// run only to pass batches along, and a slow batch holds back only the
// delivery of those after it, not their decoding. The text in flight is
// bounded by a byte budget, so that big messages cannot pile up.
func decodeParallel(ctx context.Context, r io.Reader, name string, workers int, o *Options, deliver func(*Record, error) error) error {
	maxMsg := o.maxMessage()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	budget := newBudget(int64(2 * maxMsg))
	// A short queue: what waits in it is live heap, which the collector
	// has to fit under decode's memory limit.
	jobs := make(chan *job, workers)
	// Batches between the scanner and their delivery, decoded ones
	// waiting for an earlier one included: bounded, so that a worker
	// left behind (or without a CPU) cannot have the others' output pile
	// up for it, whatever the byte budget allows.
	inFlight := make(chan struct{}, 2*workers+1)
	d := &inOrder{pending: map[int]*job{}, deliver: deliver, budget: budget, inFlight: inFlight, ctx: ctx, cancel: cancel}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.decode(o, func() bool { return len(jobs) == 0 })
				d.done(j)
			}
		}()
	}
	scanErr := make(chan error, 1)
	go func() {
		var batch *job
		seq := 0
		// send hands the batch on; it is called before every read of
		// the input and at its end.
		send := func() error {
			j := batch
			if j == nil {
				return nil
			}
			batch = nil
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := budget.acquire(ctx, j.size); err != nil {
				<-inFlight
				return err
			}
			j.seq = seq
			seq++
			select {
			case jobs <- j:
				return nil
			case <-ctx.Done():
				// (The workers stopped taking batches: a handler ended
				// its goroutine.)
				budget.release(j.size)
				<-inFlight
				return ctx.Err()
			}
		}
		var sendErr error
		hooked := &readHook{r: r, before: func() {
			if sendErr == nil {
				sendErr = send()
			}
		}}
		s := newScanner(name, maxMsg, o.location(), func(m *rawMessage) error {
			if sendErr != nil {
				return sendErr
			}
			if batch == nil {
				batch = &job{}
			}
			batch.raws = append(batch.raws, m)
			batch.size += int64(len(m.text))
			return nil
		})
		err := s.run(newLineReader(hooked, maxMsg))
		// What was found before the end, a read error included, goes on.
		if sendErr == nil {
			sendErr = send()
		}
		if err == nil {
			err = sendErr
		}
		close(jobs)
		scanErr <- err
	}()
	wg.Wait()
	err := <-scanErr
	if d.exit != nil {
		// The handler panicked, or ended its goroutine (t.Fatal in a
		// test): the same happens here, on the caller's goroutine, where
		// it would have happened had the handler run on it.
		if d.exit.panicked {
			panic(d.exit.value)
		}
		runtime.Goexit()
	}
	if d.fnErr != nil {
		return d.fnErr
	}
	return err
}

// handlerExit is how a handler left a worker's goroutine other than by
// returning.
type handlerExit struct {
	panicked bool
	value    any
}

// errHandlerExit stops decoding once a handler has panicked or ended its
// goroutine.
var errHandlerExit = errors.New("gwlog: the handler did not return")

// inOrder hands decoded batches on in input order, from the workers.
type inOrder struct {
	mu         sync.Mutex
	pending    map[int]*job // decoded, waiting for those before them
	next       int          // the batch to hand on next
	delivering bool         // a worker is handing batches on
	fnErr      error        // the first error of deliver or ctx; read after the workers end
	exit       *handlerExit // set when deliver did not return

	deliver  func(*Record, error) error
	budget   *budget
	inFlight chan struct{} // a token per batch not yet handed on
	ctx      context.Context
	cancel   context.CancelFunc
}

// done takes a decoded batch. The worker that finds the next batch there,
// and nobody handing batches on, hands on every batch that is ready in
// order; any other returns to decoding at once.
func (d *inOrder) done(j *job) {
	d.mu.Lock()
	d.pending[j.seq] = j
	if d.delivering {
		d.mu.Unlock()
		return
	}
	d.delivering = true
	returned := false
	defer func() {
		if returned {
			return
		}
		// deliver panicked (recovered here, raised again by
		// decodeParallel) or ended this goroutine: decoding stops, and
		// another worker can hand the rest on (dropping their records).
		v := recover()
		d.mu.Lock()
		d.delivering = false
		if d.exit == nil {
			d.exit = &handlerExit{panicked: v != nil, value: v}
		}
		d.fnErr = errHandlerExit
		d.mu.Unlock()
		d.cancel()
	}()
	for {
		j, ok := d.pending[d.next]
		if !ok {
			d.delivering = false
			d.mu.Unlock()
			returned = true
			return
		}
		delete(d.pending, d.next)
		d.next++
		d.mu.Unlock()
		d.hand(j)
		d.mu.Lock()
	}
}

// hand delivers a batch's records; after an error (deliver's, or the
// context's end) the rest are dropped.
func (d *inOrder) hand(j *job) {
	d.budget.release(j.size)
	<-d.inFlight
	for i, rec := range j.recs {
		if d.fnErr != nil || (rec == nil && j.errs[i] == nil) {
			continue
		}
		if err := d.ctx.Err(); err != nil {
			d.fnErr = err
			d.cancel()
			continue
		}
		if err := d.deliver(rec, j.errs[i]); err != nil {
			d.fnErr = err
			d.cancel()
		}
	}
}

// budget is a byte-weighted semaphore. A request larger than the whole
// budget waits until nothing else is in flight.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	max   int64
	inUse int64
}

func newBudget(max int64) *budget {
	b := &budget{max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(ctx context.Context, n int64) error {
	b.mu.Lock()
	if b.inUse == 0 || b.inUse+n <= b.max {
		// The common case, without registering for ctx's end.
		b.inUse += n
		b.mu.Unlock()
		return nil
	}
	b.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.inUse > 0 && b.inUse+n > b.max {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	b.inUse += n
	return nil
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.inUse -= n
	b.cond.Broadcast()
	b.mu.Unlock()
}

// pairer gives a response that does not name its operation the operation
// and nodes of the request it answers: the request with the same
// transaction id, else the latest unanswered request of the same format
// from the same connector. It remembers the last 64 requests only.
type pairer struct {
	recent [64]pairReq
	n      int
}

type pairReq struct {
	format, connector, txid, op, from, to string
	answered                              bool
}

func (p *pairer) pair(r *Record) {
	if r.LogTime == "" {
		// Not from a log: the records of a document are not exchanges.
		return
	}
	if r.Kind == "request" {
		if r.Operation == "" {
			return
		}
		p.recent[p.n%len(p.recent)] = pairReq{format: r.Format, connector: r.Connector, txid: r.TransactionID, op: r.Operation, from: r.From, to: r.To}
		p.n++
		return
	}
	if r.Operation != "" {
		return
	}
	found := -1
	for k := 0; k < min(p.n, len(p.recent)); k++ {
		q := &p.recent[(p.n-1-k)%len(p.recent)]
		if r.TransactionID != "" && q.txid == r.TransactionID {
			found = (p.n - 1 - k) % len(p.recent)
			break
		}
	}
	if found < 0 {
		for k := 0; k < min(p.n, len(p.recent)); k++ {
			i := (p.n - 1 - k) % len(p.recent)
			if q := &p.recent[i]; !q.answered && q.format == r.Format && q.connector == r.Connector {
				found = i
				break
			}
		}
	}
	if found < 0 {
		return
	}
	q := &p.recent[found]
	q.answered = true
	r.Operation, r.Paired = q.op, true
	if r.From == "" && r.To == "" {
		r.From, r.To = q.from, q.to
	}
}

// NewReader returns r, or a reader of its decompressed content when r is
// gzip data (detected by its first bytes, whatever the file is called):
// rotated logs are often msgLog.html.1.gz.
func NewReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, chunkSize)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := kgzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	return br, nil
}
