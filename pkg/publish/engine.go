package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/journal"
)

// DefaultConcurrency is how many messages are in flight when
// Options.Concurrency is 0.
const DefaultConcurrency = 4

// DefaultRetries is the CLI's --retries default.
const DefaultRetries = 5

// Backoff between attempts: 100ms doubling to at most 5s, plus up to half
// again of jitter.
const (
	backoffBase = 100 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// Poster sends one request; *gateway.Client is one.
type Poster interface {
	Post(ctx context.Context, req *gateway.Request) (*gateway.Result, error)
}

// Options configure Run.
type Options struct {
	// Operation is the service operation (external alias).
	Operation string
	// Target is the gateway and nodes, for the journal and the ids.
	Target Target
	// Request is the template of every request: connector, credentials
	// mode, credentials (OperationName, From, To, Password, ...), extra
	// headers. Run sets Payload, ExternalMessageID and Retries per message.
	Request gateway.Request
	// Client sends the requests.
	Client Poster
	// Journal records every message; nil runs without one (then nothing
	// is skipped on a re-run, but ids still make resends safe).
	Journal *journal.Journal
	// Command describes the run in the journal, without secrets.
	Command string
	// Concurrency is how many messages are sent at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Rate caps requests per second (retries included); 0 means no cap.
	Rate float64
	// Retries is how many times a failure that is safe to retry is
	// retried: one where nothing was delivered (refused, DNS, TLS, HTTP
	// 503/429), or an ambiguous one (timeout, reset) when the message
	// carries an ExternalMessageID.
	Retries int
	// NewID gives every message a fresh random ExternalMessageID instead
	// of the one derived from its content: the batch is sent as new
	// messages, even those accepted before.
	NewID bool
	// NoMessageID sends no ExternalMessageID (for gateways that refuse
	// it). Ambiguous failures are then recorded unknown and never resent.
	NoMessageID bool
	// RetryUnknown resends messages an earlier run left unknown (or
	// in-flight) without a usable id.
	RetryUnknown bool
	// Interrupt delivers the user's interrupts: the first stops sending
	// new messages and waits for those in flight; the second aborts them.
	Interrupt <-chan os.Signal
	// Total is how many messages msgs yields (Batch.Len), so that an
	// interrupted run can count those it did not send; 0 when unknown.
	Total int
	// OnResult is called for each reported message, in input order, from
	// one goroutine.
	OnResult func(*Result)
	// Sleep waits between attempts and for the rate; nil means a timer
	// that ends early with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Jitter returns a random duration in [0, d]; nil means math/rand.
	Jitter func(d time.Duration) time.Duration
	// NewRandomID makes ids for NewID; nil means NewRandomID.
	NewRandomID func() string
}

// Summary is a batch's outcome.
type Summary struct {
	// Total counts the messages reported (not those left unsent).
	Total int
	// Accepted, Rejected, Failed, Unknown and Skipped count outcomes.
	Accepted, Rejected, Failed, Unknown, Skipped int
	// Duplicates counts accepted messages the gateway already had.
	Duplicates int
	// NotSent counts messages not sent because of an interrupt.
	NotSent int
	// Interrupted is set after the first interrupt, Aborted after the
	// second.
	Interrupted, Aborted bool
	// Worst is the most serious class among the messages.
	Worst Class
	// RunID is the journal's run (0 without a journal).
	RunID int64
	// Elapsed is the batch's wall time.
	Elapsed time.Duration
}

// JournalError is a journal failure during a batch: psib stops sending,
// because it could no longer record what it sends.
type JournalError struct {
	Err error
}

// Error says that the batch stopped and why.
func (e *JournalError) Error() string {
	return fmt.Sprintf("stopped sending: %v", e.Err)
}

// Unwrap returns Err.
func (e *JournalError) Unwrap() error { return e.Err }

type engine struct {
	o      Options
	runID  int64
	target string
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(d time.Duration) time.Duration
	newID  func() string
	pace   *pacer

	stop, abort context.Context

	mu        sync.Mutex
	fatal     error
	stopFn    context.CancelFunc
	abortFn   context.CancelFunc
	interrupt bool
	aborted   bool
}

type job struct {
	m       *Message
	err     error
	claimed *prepared // claimed by the dispatcher (batch mode)
}

// Run sends a batch: each message is journaled as in-flight before its
// request goes out, sent (with Concurrency at once, at most Rate per
// second), retried when that is safe, and recorded. Results come to
// OnResult in input order. A journal failure stops the batch and is
// returned as a *JournalError with the summary so far; every other problem
// is a message's outcome.
func Run(ctx context.Context, o Options, msgs iter.Seq2[*Message, error]) (*Summary, error) {
	e := &engine{o: o, now: o.Now, sleep: o.Sleep, jitter: o.Jitter, newID: o.NewRandomID, target: o.Target.String()}
	if e.now == nil {
		e.now = time.Now
	}
	if e.sleep == nil {
		e.sleep = gateway.SleepContext
	}
	if e.jitter == nil {
		e.jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	if e.newID == nil {
		e.newID = NewRandomID
	}
	if o.Client == nil {
		return nil, errors.New("publish: no client")
	}
	conc := o.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	if o.Rate > 0 {
		e.pace = &pacer{interval: time.Duration(float64(time.Second) / o.Rate), now: e.now, sleep: e.sleep}
	}
	start := e.now()
	sum := &Summary{}
	run := &journal.Run{Operation: o.Operation, Target: e.target, Command: o.Command, StartedAt: start}
	if o.Journal != nil {
		if err := o.Journal.StartRun(run); err != nil {
			return nil, &JournalError{Err: err}
		}
		e.runID, sum.RunID = run.ID, run.ID
	}

	e.stop, e.stopFn = context.WithCancel(ctx)
	e.abort, e.abortFn = context.WithCancel(ctx)
	defer e.stopFn()
	defer e.abortFn()
	watchDone := make(chan struct{})
	defer close(watchDone)
	if o.Interrupt != nil {
		go e.watch(o.Interrupt, watchDone)
	}

	jobs := make(chan job, max(claimBatchMax, 2*conc))
	if !e.batchMode() {
		jobs = make(chan job) // claimed by the workers, when they are free
	}
	results := make(chan *Result, conc)
	window := make(chan struct{}, max(1024, 64*conc))
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- e.process(j)
			}
		}()
	}
	orderDone := make(chan struct{})
	go func() {
		defer close(orderDone)
		pending := map[int]*Result{}
		next := 0
		for r := range results {
			pending[r.Seq] = r
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				<-window
				e.count(sum, r)
				if r.Outcome != OutcomeNotSent && o.OnResult != nil {
					o.OnResult(r)
				}
			}
		}
	}()

	dispatched := 0
	if e.batchMode() {
		dispatched = e.dispatchBatches(msgs, jobs, results, window)
	} else {
	dispatch:
		for m, err := range msgs {
			if e.stop.Err() != nil {
				break
			}
			select {
			case window <- struct{}{}:
			case <-e.stop.Done():
				break dispatch
			}
			m.Seq = dispatched
			select {
			case jobs <- job{m: m, err: err}:
				dispatched++
			case <-e.stop.Done():
				<-window
				break dispatch
			}
		}
	}
	close(jobs)
	wg.Wait()
	close(results)
	<-orderDone

	if o.Total > dispatched {
		sum.NotSent += o.Total - dispatched
	}
	sum.Elapsed = e.now().Sub(start)
	e.mu.Lock()
	sum.Interrupted, sum.Aborted = e.interrupt, e.aborted
	fatal := e.fatal
	e.mu.Unlock()
	if o.Journal != nil {
		run.State = journal.RunFinished
		if sum.Interrupted || fatal != nil {
			run.State = journal.RunInterrupted
		}
		run.Counts = journal.Counts{Total: sum.Total, Accepted: sum.Accepted, Rejected: sum.Rejected, Failed: sum.Failed,
			Unknown: sum.Unknown, Skipped: sum.Skipped, NotSent: sum.NotSent}
		if err := o.Journal.EndRun(run); err != nil && fatal == nil {
			fatal = err
		}
		if err := o.Journal.Flush(); err != nil && fatal == nil {
			fatal = err
		}
	}
	if fatal != nil {
		return sum, &JournalError{Err: fatal}
	}
	return sum, nil
}

// claimBatchMax bounds how many messages the dispatcher claims in one
// journal transaction. Larger batches mean fewer commits (each rewrites
// the pages it touched); the cost is that a crash leaves up to this many
// (plus the senders' queue) claimed, never-sent rows in-flight, which a
// re-run sends with their ids.
const claimBatchMax = 256

// batchMode reports whether the dispatcher claims messages in batches
// ahead of the senders: with a journal, no rate, and ids. A rate keeps
// rows in-flight only just before their request; without ids a message
// claimed but never sent would be left unknown, so each is claimed by its
// sender then.
func (e *engine) batchMode() bool {
	return e.o.Journal != nil && e.o.Rate == 0 && !e.o.NoMessageID
}

// dispatchBatches reads the messages on one goroutine and claims them on
// this one, in batches of as many as were read while the previous claim
// was being committed (up to claimBatchMax), then hands them to the
// senders. Reading ahead while a claim commits keeps the batches large
// (few commits) without ever leaving the senders waiting for a small
// one. Results it can give at once (skips, input errors) go to the
// orderer. It returns how many messages it took.
func (e *engine) dispatchBatches(msgs iter.Seq2[*Message, error], jobs chan<- job, results chan<- *Result, window chan struct{}) int {
	ready := make(chan *prepared, claimBatchMax)
	n := 0 // written by the reader, read after ready is closed
	go func() {
		defer close(ready)
		for m, err := range msgs {
			if e.stop.Err() != nil {
				return
			}
			select {
			case window <- struct{}{}:
			case <-e.stop.Done():
				return
			}
			m.Seq = n
			n++
			if err != nil {
				results <- &Result{Seq: m.Seq, Input: m.Input, Operation: e.o.Operation, Outcome: OutcomeFailed, Class: ClassInput, Err: err}
				continue
			}
			pm := e.prepare(m)
			select {
			case ready <- pm:
			case <-e.stop.Done():
				// Prepared, never claimed: nothing to record.
				pm.r.Outcome = OutcomeNotSent
				results <- pm.r
				return
			}
		}
	}()
	// report gives messages that will not be sent their result.
	report := func(pms []*prepared) {
		for _, pm := range pms {
			pm.r.Outcome = OutcomeNotSent
			results <- pm.r
		}
	}
	// notSent reports what was read but will not be claimed, once the
	// run stops.
	notSent := func() int {
		for pm := range ready {
			report([]*prepared{pm})
		}
		return n
	}
	batch := make([]*prepared, 0, claimBatchMax)
	for pm := range ready {
		batch = append(batch[:0], pm)
	more:
		for len(batch) < claimBatchMax {
			select {
			case pm, ok := <-ready:
				if !ok {
					break more
				}
				batch = append(batch, pm)
			default:
				break more
			}
		}
		if e.stop.Err() != nil {
			report(batch)
			return notSent()
		}
		done, send, err := e.claimBatch(batch)
		if err != nil {
			e.failJournal(err)
			report(batch)
			return notSent()
		}
		for _, r := range done {
			results <- r
		}
		for i, pm := range send {
			select {
			case jobs <- job{m: pm.m, claimed: pm}:
			case <-e.stop.Done():
				for _, pm := range send[i:] {
					results <- e.unsend(pm)
				}
				return notSent()
			}
		}
	}
	return n
}

// watch turns interrupts into stop (first) and abort (second).
func (e *engine) watch(sig <-chan os.Signal, done <-chan struct{}) {
	n := 0
	for {
		select {
		case <-sig:
			n++
			e.mu.Lock()
			if n == 1 {
				e.interrupt = true
				e.stopFn()
			} else {
				e.aborted = true
				e.abortFn()
			}
			e.mu.Unlock()
		case <-done:
			return
		}
	}
}

// failJournal records a journal failure and stops the batch.
func (e *engine) failJournal(err error) {
	e.mu.Lock()
	if e.fatal == nil {
		e.fatal = err
	}
	e.mu.Unlock()
	e.stopFn()
}

func (e *engine) count(s *Summary, r *Result) {
	if r.Outcome == OutcomeNotSent {
		s.NotSent++
		return
	}
	s.Total++
	switch r.Outcome {
	case OutcomeAccepted:
		s.Accepted++
		if r.Duplicate {
			s.Duplicates++
		}
	case OutcomeRejected:
		s.Rejected++
	case OutcomeFailed:
		s.Failed++
	case OutcomeUnknown:
		s.Unknown++
	case OutcomeSkipped:
		s.Skipped++
	}
	if r.Class > s.Worst {
		s.Worst = r.Class
	}
}

// decision is what a claim decided for a message.
type decision int

const (
	decideSend decision = iota
	decideSkipAccepted
	decideSkipRepeat
	decideKeepUnknown
)

// decide is the re-run policy, applied to the journal's row for the
// message inside the claim's transaction.
func (e *engine) decide(prior, en *journal.Entry) decision {
	if prior == nil {
		return decideSend
	}
	switch {
	case prior.RunID == en.RunID:
		// The same message twice in one batch: it is one message.
		return decideSkipRepeat
	case prior.State == journal.StateAccepted:
		return decideSkipAccepted
	case prior.State == journal.StateInFlight || prior.State == journal.StateUnknown:
		// It may have been delivered. A resend is safe only with the id it
		// was sent with: the gateway then suppresses the duplicate.
		if prior.ExternalMessageID != "" && prior.ExternalMessageID == en.ExternalMessageID {
			return decideSend
		}
		if e.o.RetryUnknown {
			return decideSend
		}
		return decideKeepUnknown
	}
	return decideSend
}

// prepared is a message with its identity and journal row, before the
// claim.
type prepared struct {
	m  *Message
	r  *Result
	en *journal.Entry
}

// prepare derives a message's id and key and builds its result and row.
func (e *engine) prepare(m *Message) *prepared {
	sum := sha256.Sum256(m.Payload)
	sumHex := hex.EncodeToString(sum[:])
	var id, key string
	switch {
	case m.ExternalMessageID != "":
		id = m.ExternalMessageID
		key = messageKey(e.o.Operation, e.o.Target, "id:"+id)
	case e.o.NewID:
		id = e.newID()
		key = id
	default:
		id = MessageID(e.o.Operation, e.o.Target, sumHex)
		key = messageKey(e.o.Operation, e.o.Target, "content:"+sumHex)
	}
	if e.o.NoMessageID && m.ExternalMessageID == "" {
		id = ""
	}
	r := &Result{Seq: m.Seq, Input: m.Input, Operation: e.o.Operation, ExternalMessageID: id}
	en := &journal.Entry{Key: key, RunID: e.runID, Operation: e.o.Operation, Target: e.target, Input: m.Input,
		ContentSHA256: sumHex, Bytes: int64(len(m.Payload)), ExternalMessageID: id, State: journal.StateInFlight}
	return &prepared{m: m, r: r, en: en}
}

// claimFunc returns the claim callback for one message: it applies the
// re-run policy and, to send, counts the attempt. The decision and the row
// found are stored in *d and *prior.
func (e *engine) claimFunc(now time.Time, d *decision, prior *journal.Entry) func(p, en *journal.Entry) bool {
	return func(p, en *journal.Entry) bool {
		*d = e.decide(p, en)
		if p != nil {
			*prior = *p
		}
		if *d != decideSend {
			return false
		}
		en.Attempts, en.SentAt = 1, now
		if p != nil {
			en.Attempts += p.Attempts
			if !p.SentAt.IsZero() {
				en.SentAt = p.SentAt
			}
		}
		return true
	}
}

// claimed completes a prepared message's result after its claim: a
// result to report (skipped, or unknown and not resent), or nil to send.
func (e *engine) claimed(pm *prepared, d decision, prior *journal.Entry) *Result {
	r := pm.r
	r.JournalID = prior.ID
	switch d {
	case decideSkipAccepted:
		r.Outcome, r.TransactionID = OutcomeSkipped, prior.TransactionID
		r.Note = fmt.Sprintf("accepted earlier (journal message %d, run %d)", prior.ID, prior.RunID)
		return r
	case decideSkipRepeat:
		r.Outcome, r.TransactionID = OutcomeSkipped, prior.TransactionID
		r.Note = "the same message as " + prior.Input + " in this batch"
		return r
	case decideKeepUnknown:
		r.Outcome, r.Class = OutcomeUnknown, ClassUnknown
		r.Err = errors.New("not resent: an earlier run sent it without a usable ExternalMessageID and got no answer, so it may have been processed; check the gateway, then use --retry-unknown to send it again")
		r.Note = fmt.Sprintf("journal message %d, state %s since run %d", prior.ID, prior.State, prior.RunID)
		return r
	}
	r.JournalID = pm.en.ID
	return nil
}

// claimBatch claims prepared messages in one journal transaction. It
// returns the results to report at once (skips, input errors) and the
// messages to send.
func (e *engine) claimBatch(batch []*prepared) (report []*Result, send []*prepared, err error) {
	if len(batch) == 0 {
		return nil, nil, nil
	}
	es := make([]*journal.Entry, len(batch))
	ds := make([]decision, len(batch))
	priors := make([]journal.Entry, len(batch))
	fns := make([]func(p, en *journal.Entry) bool, len(batch))
	now := e.now()
	for i, pm := range batch {
		es[i] = pm.en
		fns[i] = e.claimFunc(now, &ds[i], &priors[i])
	}
	byEntry := make(map[*journal.Entry]int, len(batch))
	for i, en := range es {
		byEntry[en] = i
	}
	if _, _, err := e.o.Journal.ClaimAll(es, func(p, en *journal.Entry) bool { return fns[byEntry[en]](p, en) }); err != nil {
		return nil, nil, err
	}
	for i, pm := range batch {
		if r := e.claimed(pm, ds[i], &priors[i]); r != nil {
			report = append(report, r)
		} else {
			send = append(send, pm)
		}
	}
	return report, send, nil
}

// process sends one message and returns its result. A job with claimed
// set was claimed by the dispatcher already.
func (e *engine) process(j job) *Result {
	if j.err != nil {
		return &Result{Seq: j.m.Seq, Input: j.m.Input, Operation: e.o.Operation, Outcome: OutcomeFailed, Class: ClassInput, Err: j.err}
	}
	if j.claimed != nil {
		if e.stop.Err() != nil {
			return e.unsend(j.claimed)
		}
		return e.send(j.claimed.r, j.claimed.en, j.claimed.m)
	}
	if e.stop.Err() != nil {
		return &Result{Seq: j.m.Seq, Input: j.m.Input, Operation: e.o.Operation, Outcome: OutcomeNotSent}
	}
	pm := e.prepare(j.m)
	// The rate applies before the claim, so that a row is in-flight only
	// when its request is about to go.
	if err := e.pace.wait(e.stop); err != nil {
		pm.r.Outcome = OutcomeNotSent
		return pm.r
	}
	if e.o.Journal == nil {
		pm.en.Attempts, pm.en.SentAt = 1, e.now()
		return e.send(pm.r, pm.en, pm.m)
	}
	var (
		d     decision
		prior journal.Entry
	)
	if _, _, err := e.o.Journal.Claim(pm.en, e.claimFunc(e.now(), &d, &prior)); err != nil {
		e.failJournal(err)
		pm.r.Outcome = OutcomeNotSent
		return pm.r
	}
	if r := e.claimed(pm, d, &prior); r != nil {
		return r
	}
	return e.send(pm.r, pm.en, pm.m)
}

// unsend records a claimed message that was not sent (an interrupt came
// first): nothing was delivered, so it is pending again.
func (e *engine) unsend(pm *prepared) *Result {
	pm.en.State = journal.StatePending
	pm.en.Attempts--
	if err := e.o.Journal.Record(*pm.en); err != nil {
		e.failJournal(err)
	}
	pm.r.Outcome = OutcomeNotSent
	return pm.r
}

// send makes the attempts for a claimed message and records the outcome.
func (e *engine) send(r *Result, en *journal.Entry, m *Message) *Result {
	req := e.o.Request
	req.Payload = m.Payload
	req.Credentials.ExternalMessageID = en.ExternalMessageID
	req.Retries = 0
	withID := en.ExternalMessageID != ""
	start := e.now()
	var v verdict
	delivered := false // some attempt may have reached the gateway
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := e.pace.wait(e.stop); err != nil {
				break // interrupted: v is the last attempt's verdict
			}
			en.State, en.LastError = journal.StateInFlight, v.err.Error()
			en.Attempts++
			if e.o.Journal != nil {
				if err := e.o.Journal.Update(*en); err != nil {
					e.failJournal(err)
					en.Attempts--
					break
				}
			}
		}
		res, err := e.o.Client.Post(e.abort, &req)
		r.Attempts = attempt
		v = judge(res, err, withID, e.abort)
		if v.ambiguous {
			delivered = true
		}
		if !v.retry || attempt > e.o.Retries || e.stop.Err() != nil {
			break
		}
		if v.ambiguous && !withID {
			break // never resent without an id: it may have been processed
		}
		if err := e.sleep(e.stop, e.backoff(attempt)); err != nil {
			break
		}
	}
	if v.outcome == OutcomeNotSent && delivered {
		// An earlier attempt may have been delivered; this one was stopped.
		v.outcome, v.class = OutcomeUnknown, ClassUnknown
	}
	r.Outcome, r.Class, r.Err, r.Status = v.outcome, v.class, v.err, v.status
	r.TransactionID, r.Duplicate, r.HTTPStatus = v.txid, v.dup, v.httpStatus
	r.Duration = e.now().Sub(start)
	if v.outcome == OutcomeAccepted {
		r.Err = nil
	} else if r.Err != nil && r.Attempts > 1 {
		r.Err = &attemptsError{n: r.Attempts, err: r.Err}
	}

	en.State = stateOf(v.outcome)
	en.TransactionID, en.HTTPStatus, en.Duplicate = v.txid, v.httpStatus, v.dup
	if v.err != nil {
		en.LastError = v.err.Error()
	} else if v.outcome == OutcomeAccepted {
		en.LastError = ""
	}
	if v.outcome == OutcomeAccepted {
		en.AcceptedAt = e.now()
	}
	if v.outcome == OutcomeNotSent {
		en.Attempts--
	}
	if e.o.Journal != nil && en.ID != 0 {
		if err := e.o.Journal.Record(*en); err != nil {
			e.failJournal(err)
		}
	}
	return r
}

// attemptsError is the last attempt's error, with how many were made.
type attemptsError struct {
	n   int
	err error
}

func (e *attemptsError) Error() string { return fmt.Sprintf("%v (%d attempts)", e.err, e.n) }
func (e *attemptsError) Unwrap() error { return e.err }

// backoff is the wait after attempt number n (from 1).
func (e *engine) backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return min(d+e.jitter(d/2), backoffMax)
}

// pacer spaces requests to a rate. A nil pacer does not wait.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
}

// wait blocks until the next slot; it fails when ctx ends first.
func (p *pacer) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p == nil {
		return nil
	}
	p.mu.Lock()
	now := p.now()
	t := p.next
	if t.Before(now) {
		t = now
	}
	p.next = t.Add(p.interval)
	p.mu.Unlock()
	if d := t.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}
