package gwlog

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// TestParallelDoesNotWaitForInput: with several workers, a message whose
// end has been read is handed on while the input waits for more (a pipe a
// live log is written into): the scanner's batch goes out before it reads
// again. Each message is written only after the one before it came out.
func TestParallelDoesNotWaitForInput(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan *Record)
	done := make(chan error, 1)
	go func() {
		done <- Decode(context.Background(), pr, "pipe", Options{Workers: 3}, func(rec *Record, err error) error {
			if err != nil {
				t.Errorf("record: %v", err)
			}
			got <- rec
			return nil
		})
	}()
	ops := []string{"FIRST.v1", "SECOND.v1", "THIRD.v1"}
	for i, op := range ops {
		msg := entry("Mon Mar 02 10:00:0"+string(rune('0'+i))+" UTC 2026", testMessage(t, op, payload, ibmsg.ContentEncoding{}))
		if _, err := io.WriteString(pw, msg); err != nil {
			t.Fatal(err)
		}
		select {
		case rec := <-got:
			if rec.Operation != op {
				t.Fatalf("record %d is %q, want %q", i+1, rec.Operation, op)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d (%s) was not handed on while the input waited", i+1, op)
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestParallelReadErrorKeepsMessages: the messages read before a read
// error, and with it, are all handed on, then the error is returned.
func TestParallelReadErrorKeepsMessages(t *testing.T) {
	var log string
	for i := range 5 {
		log += entry("Mon Mar 02 10:00:0"+string(rune('0'+i))+" UTC 2026", testMessage(t, "OP.v1", payload, ibmsg.ContentEncoding{}))
	}
	broken := errors.New("disk on fire")
	// The error comes with the last bytes, as a gzip reader gives it.
	r := &dataThenError{data: []byte(log), err: broken}
	n := 0
	err := Decode(context.Background(), r, "broken", Options{Workers: 3}, func(rec *Record, err error) error {
		if err != nil {
			t.Errorf("record: %v", err)
		}
		n++
		return nil
	})
	if n != 5 || !errors.Is(err, broken) {
		t.Fatalf("%d records, error %v; want 5 and the read error", n, err)
	}
}

// dataThenError returns its data in one Read, with err.
type dataThenError struct {
	data []byte
	err  error
}

func (r *dataThenError) Read(p []byte) (int, error) {
	if len(r.data) > len(p) {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	n := copy(p, r.data)
	r.data = nil
	return n, r.err
}

// TestInOrderHandsOnInInputOrder: batches completed by several workers in
// any order are handed on in input order, one record at a time (never two
// deliveries at once); after a delivery error nothing more is handed on,
// and the error is kept.
func TestInOrderHandsOnInInputOrder(t *testing.T) {
	const batches, perBatch = 200, 3
	for _, failAt := range []int{-1, 250} {
		ctx, cancel := context.WithCancel(context.Background())
		var got []int
		inside := 0
		fail := errors.New("stop")
		inFlight := make(chan struct{}, batches) // a token per batch, as the scanner takes them
		for range batches {
			inFlight <- struct{}{}
		}
		d := &inOrder{pending: map[int]*job{}, budget: newBudget(1 << 30), inFlight: inFlight, ctx: ctx, cancel: cancel,
			deliver: func(rec *Record, err error) error {
				inside++
				defer func() { inside-- }()
				if inside != 1 {
					t.Errorf("%d deliveries at once", inside)
				}
				got = append(got, rec.Line)
				if rec.Line == failAt {
					return fail
				}
				return nil
			}}
		// Batches in a shuffled order, shared by four goroutines.
		order := rand.New(rand.NewPCG(7, 9)).Perm(batches)
		work := make(chan int)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := range work {
					j := &job{seq: seq}
					for k := range perBatch {
						j.recs = append(j.recs, &Record{Line: seq*perBatch + k})
						j.errs = append(j.errs, nil)
					}
					d.done(j)
				}
			}()
		}
		for _, seq := range order {
			work <- seq
		}
		close(work)
		wg.Wait()
		want := batches * perBatch
		if failAt >= 0 {
			want = failAt + 1
			if !errors.Is(d.fnErr, fail) {
				t.Errorf("fail at %d: kept error %v", failAt, d.fnErr)
			}
		} else if d.fnErr != nil {
			t.Errorf("error %v", d.fnErr)
		}
		if len(got) != want {
			t.Fatalf("fail at %d: %d records handed on, want %d", failAt, len(got), want)
		}
		if len(inFlight) != 0 {
			t.Errorf("fail at %d: %d batches' tokens not given back", failAt, len(inFlight))
		}
		for i, line := range got {
			if line != i {
				t.Fatalf("fail at %d: record %d handed on as number %d", failAt, line, i)
			}
		}
		cancel()
	}
}

// TestParallelHandlerPanicsOrExits: with several workers, a handler that
// panics has Decode panic on its caller's goroutine with the same value, and
// one that ends its goroutine (t.Fatal does) ends the caller's: what
// happened when the handler ran on it; neither hangs.
func TestParallelHandlerPanicsOrExits(t *testing.T) {
	msg := testMessage(t, "EXIT.v1", personSync(20), ibmsg.ContentEncoding{Compression: ibmsg.CompressionGzip})
	e := entry("Mon Mar 02 10:00:00 UTC 2026", msg)
	input := func() io.Reader { return &logStream{entry: e, left: int64(len(e)) * 400} }
	for _, at := range []int{1, 150} {
		// A panic.
		func() {
			defer func() {
				if v := recover(); v != "handler panic" {
					t.Errorf("at record %d: Decode panicked with %v", at, v)
				}
			}()
			n := 0
			Decode(context.Background(), input(), "log", Options{Workers: 3}, func(*Record, error) error {
				if n++; n == at {
					panic("handler panic")
				}
				return nil
			})
			t.Errorf("at record %d: Decode returned", at)
		}()
		// runtime.Goexit, as t.Fatal calls it.
		ended := make(chan bool)
		go func() {
			returned := false
			defer func() { ended <- returned }()
			n := 0
			Decode(context.Background(), input(), "log", Options{Workers: 3}, func(*Record, error) error {
				if n++; n == at {
					runtime.Goexit()
				}
				return nil
			})
			returned = true
		}()
		select {
		case returned := <-ended:
			if returned {
				t.Errorf("at record %d: Decode returned after the handler ended its goroutine", at)
			}
		case <-time.After(time.Minute):
			t.Fatalf("at record %d: Decode hangs after the handler ended its goroutine", at)
		}
	}
}
