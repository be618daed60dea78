package publish

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
)

func TestAcceptedThenSkipped(t *testing.T) {
	_, base := startEmulator(t, nil, 1)
	j, _ := openJournal(t)
	dir := writeMessages(t, 5)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	b := scan(t, dir)
	o.Total = b.Len()
	sum, err := Run(context.Background(), o, b.Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 5 || sum.Total != 5 || sum.Worst != ClassOK || sum.RunID != 1 {
		t.Fatalf("first run: %+v", sum)
	}
	txids := map[string]string{}
	for i, r := range res {
		if r.Seq != i || r.Outcome != OutcomeAccepted || r.TransactionID == "" || r.Attempts != 1 || !strings.HasPrefix(r.ExternalMessageID, "psib-") {
			t.Errorf("result %d: %+v", i, r)
		}
		txids[r.Input] = r.TransactionID
	}
	in := inspect(t, base)
	if in.Counts["messages"] != 5 || in.Counts["received"] != 5 {
		t.Fatalf("emulator counts %v", in.Counts)
	}
	for _, m := range in.Messages {
		found := false
		for _, r := range res {
			if r.ExternalMessageID == m.ExternalMessageID && r.TransactionID == m.TransactionID {
				found = true
			}
		}
		if !found {
			t.Errorf("emulator message %s/%s is not in psib's results", m.ExternalMessageID, m.TransactionID)
		}
	}

	// The same command again: everything skipped, nothing sent.
	res = nil
	sum, err = Run(context.Background(), o, b.Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped != 5 || sum.Accepted != 0 || sum.RunID != 2 {
		t.Fatalf("re-run: %+v", sum)
	}
	for _, r := range res {
		if r.Outcome != OutcomeSkipped || r.TransactionID != txids[r.Input] || !strings.Contains(r.Note, "accepted earlier") {
			t.Errorf("re-run result %+v", r)
		}
	}
	if in := inspect(t, base); in.Counts["received"] != 5 {
		t.Errorf("the re-run sent again: %v", in.Counts)
	}
	runs, _ := j.Runs(context.Background(), 0)
	if len(runs) != 2 || runs[1].Counts.Skipped != 5 || runs[0].Counts.Accepted != 5 || runs[1].State != journal.RunFinished {
		t.Errorf("runs %+v %+v", runs[0], runs[1])
	}
}

func TestSameMessageTwiceInBatch(t *testing.T) {
	_, base := startEmulator(t, nil, 1)
	j, _ := openJournal(t)
	dir := t.TempDir()
	for _, n := range []string{"a.xml", "b.xml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("<same/>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.Concurrency = 1
	sum, err := Run(context.Background(), o, scan(t, dir).Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 1 || sum.Skipped != 1 || res[1].Outcome != OutcomeSkipped || !strings.Contains(res[1].Note, "the same message as") {
		t.Fatalf("%+v / %+v", sum, res[1])
	}
	if in := inspect(t, base); in.Counts["received"] != 1 {
		t.Errorf("sent twice: %v", in.Counts)
	}
}

func TestRejectedIsNotRetried(t *testing.T) {
	_, base := startEmulator(t, nil, 1)
	j, _ := openJournal(t)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.Request.Credentials.Password = ibmsgSecret("wrong")
	sum, err := Run(context.Background(), o, scan(t, writeMessages(t, 2)).Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 2 || sum.Worst != ClassAuth {
		t.Fatalf("%+v", sum)
	}
	r := res[0]
	if r.Outcome != OutcomeRejected || r.Attempts != 1 || r.Status == nil || r.Status.MsgSet != 158 || r.Status.MsgID != 45 {
		t.Errorf("%+v", r)
	}
	if _, ok := r.Status.Explain(); !ok {
		t.Error("no catalog explanation for 158/45")
	}
	es, _ := j.Find(context.Background(), r.ExternalMessageID)
	if len(es) != 1 || es[0].State != journal.StateRejected || !strings.Contains(es[0].LastError, "User password failed") {
		t.Errorf("journal: %+v", es)
	}
	if strings.Contains(es[0].LastError, "secret") || strings.Contains(es[0].LastError, "wrong") {
		t.Errorf("a password reached the journal: %q", es[0].LastError)
	}

	// An operation that is not async answers without a transaction id.
	o.Request.Credentials.Password = ibmsgSecret("secret")
	o.Operation, o.Request.Credentials.OperationName = "CHG_SYNC_TEST.v1", "CHG_SYNC_TEST.v1"
	res = nil
	sum, _ = Run(context.Background(), o, scan(t, writeMessages(t, 1)).Messages())
	if sum.Rejected != 1 || res[0].Class != ClassRemote || !errors.Is(res[0].Err, errNoTransactionID) {
		t.Errorf("sync operation: %+v %+v", sum, res[0])
	}
}

func TestNothingDeliveredIsRetriedWithBackoff(t *testing.T) {
	l, err := netListenClosed()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l + "/PSIGW"
	j, _ := openJournal(t)
	var (
		res    []*Result
		mu     sync.Mutex
		sleeps []time.Duration
	)
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.Concurrency, o.Retries = 1, 3
	o.Jitter = func(time.Duration) time.Duration { return 0 }
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		sleeps = append(sleeps, d)
		mu.Unlock()
		return nil
	}
	sum, err := Run(context.Background(), o, scan(t, writeMessages(t, 1)).Messages())
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if sum.Failed != 1 || sum.Worst != ClassTransport || r.Attempts != 4 || !strings.Contains(r.Err.Error(), "connection refused") {
		t.Fatalf("%+v %+v", sum, r)
	}
	if fmt.Sprint(sleeps) != "[100ms 200ms 400ms]" {
		t.Errorf("backoff %v, want 100ms 200ms 400ms", sleeps)
	}
	es, _ := j.Find(context.Background(), r.ExternalMessageID)
	if es[0].State != journal.StateFailed || es[0].Attempts != 4 {
		t.Errorf("journal %+v", es[0])
	}
}

// netListenClosed returns a loopback address where nothing listens.
func netListenClosed() (string, error) {
	l, err := netListen()
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	l.Close()
	return addr, nil
}

func TestBackoffIsCapped(t *testing.T) {
	e := &engine{jitter: func(d time.Duration) time.Duration { return d }}
	for n, want := range map[int]time.Duration{1: 150 * time.Millisecond, 2: 300 * time.Millisecond, 6: 4800 * time.Millisecond, 7: 5 * time.Second, 30: 5 * time.Second} {
		if got := e.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestHTTP503IsRetried(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.Faults = []emulator.Fault{{Kind: "status", Status: 503, Rate: 0.5}}
	_, base := startEmulator(t, cfg, 7)
	j, _ := openJournal(t)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.Retries = 10
	sum, err := Run(context.Background(), o, scan(t, writeMessages(t, 20)).Messages())
	if err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, r := range res {
		if r.Attempts > 1 {
			retried++
		}
	}
	if sum.Accepted != 20 || retried == 0 {
		t.Fatalf("%+v, %d retried", sum, retried)
	}
	if in := inspect(t, base); in.Counts["messages"] != 20 || in.Counts["received"] != 20 {
		t.Errorf("emulator %v", in.Counts)
	}

	// Always 503: failed after the retries, class remote (exit 5).
	res = nil
	o.Retries = 2
	o.Request.Header = []ibmsg.HeaderField{{Name: emulator.FaultHeader, Value: "status=503"}}
	o.NewID = true
	sum, _ = Run(context.Background(), o, scan(t, writeMessages(t, 1)).Messages())
	if sum.Failed != 1 || sum.Worst != ClassRemote || res[0].Attempts != 3 || res[0].HTTPStatus != 503 {
		t.Errorf("%+v %+v", sum, res[0])
	}
}

// TestAmbiguousIsRetriedWithTheSameID: the emulator accepts and then
// drops the connection; the retry with the same id gets the duplicate
// reply, which counts as accepted: in once.
func TestAmbiguousIsRetriedWithTheSameID(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.Faults = []emulator.Fault{{Kind: "reset-after", Rate: 0.4}}
	_, base := startEmulator(t, cfg, 3)
	j, _ := openJournal(t)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.Retries = 20
	sum, err := Run(context.Background(), o, scan(t, writeMessages(t, 30)).Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 30 || sum.Duplicates == 0 {
		t.Fatalf("%+v", sum)
	}
	in := inspect(t, base)
	if in.Counts["messages"] != 30 {
		t.Fatalf("emulator stored %d messages, want 30 (each once)", in.Counts["messages"])
	}
	byID := map[string]emulator.StoredMessage{}
	for _, m := range in.Messages {
		byID[m.ExternalMessageID] = m
	}
	for _, r := range res {
		m, ok := byID[r.ExternalMessageID]
		if !ok || m.TransactionID != r.TransactionID {
			t.Errorf("%s: psib says %s, the emulator %+v", r.Input, r.TransactionID, m)
		}
		if r.Duplicate && m.Received < 2 {
			t.Errorf("%s: duplicate reply, but received %d times", r.Input, m.Received)
		}
	}
}

func TestAmbiguousWithoutIDIsUnknownAndNotResent(t *testing.T) {
	j, _ := openJournal(t)
	fp := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		return nil, &gateway.Error{Class: gateway.ClassUnknown, Op: "post " + testOp, Err: syscall.ECONNRESET}
	}}
	var res []*Result
	o := baseOptions(t, "http://x/PSIGW", fp, j, &res)
	o.NoMessageID = true
	dir := writeMessages(t, 1)
	sum, _ := Run(context.Background(), o, scan(t, dir).Messages())
	if sum.Unknown != 1 || sum.Worst != ClassUnknown || fp.count() != 1 || fp.calls[0].Credentials.ExternalMessageID != "" {
		t.Fatalf("%+v, %d calls", sum, fp.count())
	}
	es, _ := j.Find(context.Background(), fmt.Sprint(res[0].JournalID))
	if es[0].State != journal.StateUnknown || es[0].ExternalMessageID != "" {
		t.Errorf("journal %+v", es[0])
	}

	// A re-run does not resend it...
	fp.fn = func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		return acked("txn-1"), nil
	}
	res = nil
	sum, _ = Run(context.Background(), o, scan(t, dir).Messages())
	if sum.Unknown != 1 || fp.count() != 1 || !strings.Contains(res[0].Err.Error(), "--retry-unknown") {
		t.Fatalf("re-run: %+v %v, %d calls", sum, res[0].Err, fp.count())
	}
	// ...unless asked to.
	o.RetryUnknown = true
	res = nil
	sum, _ = Run(context.Background(), o, scan(t, dir).Messages())
	if sum.Accepted != 1 || fp.count() != 2 {
		t.Fatalf("--retry-unknown: %+v, %d calls", sum, fp.count())
	}
}

// TestInFlightFromACrashIsResentWithItsID: a row left in-flight (psib died
// after the claim) is sent again under the same id; the gateway, which had
// it, answers a duplicate: accepted, once.
func TestInFlightFromACrashIsResentWithItsID(t *testing.T) {
	_, base := startEmulator(t, nil, 1)
	j, _ := openJournal(t)
	dir := writeMessages(t, 1)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	// The crashed run: claimed and sent, never recorded.
	var sent *gateway.Request
	crash := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		sent = req
		r, err := testClient(t, base).Post(ctx, req)
		if err != nil {
			return nil, err
		}
		_ = r
		return nil, &gateway.Error{Class: gateway.ClassUnknown, Err: syscall.ECONNRESET}
	}}
	oc := o
	oc.Client, oc.Retries = crash, 0
	if _, err := Run(context.Background(), oc, scan(t, dir).Messages()); err != nil {
		t.Fatal(err)
	}
	// Make the row look as a kill -9 leaves it.
	es, _ := j.Find(context.Background(), sent.Credentials.ExternalMessageID)
	es[0].State = journal.StateInFlight
	if err := j.Update(*es[0]); err != nil {
		t.Fatal(err)
	}
	res = nil
	sum, err := Run(context.Background(), o, scan(t, dir).Messages())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 1 || !res[0].Duplicate || res[0].ExternalMessageID != sent.Credentials.ExternalMessageID {
		t.Fatalf("%+v %+v", sum, res[0])
	}
	in := inspect(t, base)
	if in.Counts["messages"] != 1 || in.Messages[0].TransactionID != res[0].TransactionID {
		t.Errorf("emulator %+v", in)
	}
}

func TestNewIDSendsAgain(t *testing.T) {
	_, base := startEmulator(t, nil, 1)
	j, _ := openJournal(t)
	dir := writeMessages(t, 2)
	var res []*Result
	o := baseOptions(t, base, testClient(t, base), j, &res)
	o.NewID = true
	for range 2 {
		if sum, err := Run(context.Background(), o, scan(t, dir).Messages()); err != nil || sum.Accepted != 2 {
			t.Fatalf("%+v %v", sum, err)
		}
	}
	if res[0].ExternalMessageID == res[2].ExternalMessageID {
		t.Error("--new-id reused an id")
	}
	if in := inspect(t, base); in.Counts["messages"] != 4 {
		t.Errorf("emulator %v", in.Counts)
	}
}

func TestResultsInInputOrder(t *testing.T) {
	fp := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		return acked(fmt.Sprint("txn-", n)), nil
	}}
	for _, withJournal := range []bool{false, true} {
		var j *journal.Journal
		if withJournal {
			j, _ = openJournal(t)
		}
		var res []*Result
		o := baseOptions(t, "http://x/PSIGW", fp, j, &res)
		o.Concurrency = 16
		b := scan(t, writeMessages(t, 300))
		o.Total = b.Len()
		sum, err := Run(context.Background(), o, b.Messages())
		if err != nil || sum.Accepted != 300 {
			t.Fatalf("%+v %v", sum, err)
		}
		for i, r := range res {
			if r.Seq != i || !strings.HasSuffix(r.Input, fmt.Sprintf("m%05d.xml", i)) {
				t.Fatalf("result %d is %s (seq %d)", i, r.Input, r.Seq)
			}
		}
	}
}

// TestInterrupt: the first signal stops new messages; those in flight end
// and are recorded; the rest are not sent, and the journal says pending for
// those claimed ahead.
func TestInterrupt(t *testing.T) {
	j, _ := openJournal(t)
	sig := make(chan os.Signal, 2)
	release := make(chan struct{})
	inFlight := make(chan struct{}, 10)
	fp := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		inFlight <- struct{}{}
		<-release
		return acked(fmt.Sprint("txn-", n)), nil
	}}
	var res []*Result
	o := baseOptions(t, "http://x/PSIGW", fp, j, &res)
	o.Concurrency = 2
	o.Interrupt = sig
	b := scan(t, writeMessages(t, 10))
	o.Total = b.Len()
	done := make(chan *Summary)
	go func() {
		sum, err := Run(context.Background(), o, b.Messages())
		if err != nil {
			t.Error(err)
		}
		done <- sum
	}()
	<-inFlight
	<-inFlight
	sig <- os.Interrupt
	time.Sleep(50 * time.Millisecond) // the signal is seen before the release
	close(release)
	sum := <-done
	if !sum.Interrupted || sum.Aborted || sum.Accepted != 2 || sum.NotSent != 8 || fp.count() != 2 || len(res) != 2 {
		t.Fatalf("%+v, %d calls, %d results", sum, fp.count(), len(res))
	}
	counts, _ := j.StateCounts(context.Background())
	if counts[journal.StateAccepted] != 2 || counts[journal.StateInFlight] != 0 {
		t.Errorf("journal states %v", counts)
	}
	runs, _ := j.Runs(context.Background(), 1)
	if runs[0].State != journal.RunInterrupted || runs[0].Counts.NotSent != 8 {
		t.Errorf("run %+v", runs[0])
	}

	// The same command again sends the rest, once.
	fp.fn = func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		return acked(fmt.Sprint("txn-", n)), nil
	}
	res = nil
	o.Interrupt = nil
	sum, err := Run(context.Background(), o, b.Messages())
	if err != nil || sum.Skipped != 2 || sum.Accepted != 8 || fp.count() != 10 {
		t.Fatalf("re-run: %+v %v, %d calls", sum, err, fp.count())
	}
}

// TestSecondInterruptAborts: the second signal cancels the requests in
// flight; they are recorded unknown.
func TestSecondInterruptAborts(t *testing.T) {
	j, _ := openJournal(t)
	sig := make(chan os.Signal, 2)
	started := make(chan struct{}, 4)
	fp := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, &gateway.Error{Class: gateway.ClassUnknown, Err: ctx.Err()}
	}}
	var res []*Result
	o := baseOptions(t, "http://x/PSIGW", fp, j, &res)
	o.Concurrency = 2
	o.Interrupt = sig
	b := scan(t, writeMessages(t, 5))
	o.Total = b.Len()
	done := make(chan *Summary)
	go func() {
		sum, _ := Run(context.Background(), o, b.Messages())
		done <- sum
	}()
	<-started
	<-started
	sig <- os.Interrupt
	sig <- os.Interrupt
	sum := <-done
	if !sum.Aborted || sum.Unknown != 2 || sum.NotSent != 3 || sum.Worst != ClassUnknown {
		t.Fatalf("%+v", sum)
	}
	counts, _ := j.StateCounts(context.Background())
	if counts[journal.StateUnknown] != 2 {
		t.Errorf("journal states %v", counts)
	}
}

func TestRate(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	fp := &fakePoster{fn: func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error) {
		return acked("t"), nil
	}}
	var res []*Result
	o := baseOptions(t, "http://x/PSIGW", fp, nil, &res)
	o.Concurrency, o.Rate, o.Now = 4, 10, clock
	o.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
		return nil
	}
	start := clock()
	if _, err := Run(context.Background(), o, scan(t, writeMessages(t, 11)).Messages()); err != nil {
		t.Fatal(err)
	}
	// 11 requests at 10/s: the last goes out 1s after the first.
	if got := clock().Sub(start); got < time.Second || got > 1100*time.Millisecond {
		t.Errorf("11 requests at 10/s took %v of waiting, want 1s", got)
	}
}

func TestJournalFailure(t *testing.T) {
	j, _ := openJournal(t)
	j.Close()
	var res []*Result
	o := baseOptions(t, "http://x/PSIGW", &fakePoster{}, j, &res)
	_, err := Run(context.Background(), o, scan(t, writeMessages(t, 1)).Messages())
	var je *JournalError
	if !errors.As(err, &je) {
		t.Fatalf("Run with a closed journal = %v", err)
	}
}
