package gwlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// followHarness drives a Follower deterministically: every time the
// follower finds no new data it reports on waiting and blocks until the
// test calls proceed. Nothing sleeps.
type followHarness struct {
	t       *testing.T
	waiting chan struct{}
	release chan struct{}
	recs    chan *Record
	done    chan error
	cancel  context.CancelFunc
}

func startFollow(t *testing.T, path string) *followHarness {
	h := &followHarness{t: t, waiting: make(chan struct{}), release: make(chan struct{}), recs: make(chan *Record, 16), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	fl := NewFollower(path, FollowOptions{Wait: func(ctx context.Context) error {
		select {
		case h.waiting <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-h.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	go func() {
		defer fl.Close()
		for {
			r, err := fl.Next(ctx)
			if err != nil {
				h.done <- err
				return
			}
			err = Decode(ctx, r, filepath.Base(path), Options{Location: time.UTC}, func(rec *Record, err error) error {
				if err != nil {
					t.Errorf("follow: %v", err)
				}
				if rec != nil {
					h.recs <- rec
				}
				return nil
			})
			if err != nil {
				h.done <- err
				return
			}
		}
	}()
	return h
}

// expect waits for the follower to hand on one record and to wait for
// more data, in either order; the timeout only turns a hang into a failure.
func (h *followHarness) expect(op string, line int) {
	h.t.Helper()
	timeout := time.After(30 * time.Second)
	var got *Record
	waited := false
	for got == nil || !waited {
		select {
		case got = <-h.recs:
			if got.Operation != op || got.Line != line {
				h.t.Fatalf("got %s at line %d, want %s at line %d", got.Operation, got.Line, op, line)
			}
		case <-h.waiting:
			waited = true
		case err := <-h.done:
			h.t.Fatalf("follow ended: %v", err)
		case <-timeout:
			h.t.Fatalf("no %s record (or no wait) within 30s", op)
		}
	}
}

func (h *followHarness) proceed() { h.release <- struct{}{} }

func TestFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "msgLog.html")
	msg := func(op string) string {
		return entry("Mon Mar 02 10:00:00 UTC 2026", testMessage(t, op, payload, ibmsg.ContentEncoding{}))
	}
	appendTo := func(s string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	appendTo("<html><body><table>\n" + msg("FIRST.v1"))
	h := startFollow(t, path)
	defer h.cancel()
	h.expect("FIRST.v1", 4)

	// The file grows: line numbers go on.
	appendTo(msg("SECOND.v1"))
	h.proceed()
	h.expect("SECOND.v1", 29)

	// Rotation: the file is renamed away and a new one created; the new
	// one is read from its start, lines counted from 1 again.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(msg("AFTER_ROTATION.v1"))
	h.proceed()
	h.expect("AFTER_ROTATION.v1", 3)

	// Truncation in place (copytruncate) starts over too, once the file is
	// found shorter than what was read (as tail -F notices it).
	if err := os.WriteFile(path, []byte(msg("TRUNC.v1")), 0o600); err != nil {
		t.Fatal(err)
	}
	h.proceed()
	h.expect("TRUNC.v1", 3)

	// The file disappears for a while (between rename and create): the
	// follower keeps waiting, then picks the new file up.
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	h.proceed()
	<-h.waiting
	appendTo(msg("RECREATED.v1"))
	h.proceed()
	h.expect("RECREATED.v1", 3)

	// Interrupted: the follower returns the context's error.
	h.cancel()
	select {
	case err := <-h.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("follow did not stop after cancel")
	}
}

func TestFollowMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-yet.html")
	h := startFollow(t, path)
	defer h.cancel()
	// No file: the follower waits for it.
	<-h.waiting
	if err := os.WriteFile(path, []byte(entry("Mon Mar 02 10:00:00 UTC 2026", testMessage(t, "LATE.v1", payload, ibmsg.ContentEncoding{}))), 0o600); err != nil {
		t.Fatal(err)
	}
	h.proceed()
	h.expect("LATE.v1", 3)
}
