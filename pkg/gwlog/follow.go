package gwlog

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"
)

// DefaultPollInterval is how often a Follower looks for new data.
const DefaultPollInterval = 250 * time.Millisecond

// FollowOptions configures a Follower.
type FollowOptions struct {
	// Wait is called whenever the file has no new data; it returns when
	// it is time to look again, or ctx's error. The default waits
	// DefaultPollInterval. Tests pass a function that waits for their
	// signal, so that nothing depends on sleeping.
	Wait func(ctx context.Context) error
	// Open opens the file (default os.Open); tests may count opens.
	Open func(path string) (*os.File, error)
}

// Follower reads a growing log file like tail -F: at the end of the file it
// waits for more, and when the file is replaced (rotated: renamed away and
// created again) or truncated, it finishes the old file and starts the new
// one from its beginning. Each file (each "generation") is read through
// its own reader, so that line numbers start again at 1. As with tail -F,
// a truncation in place is noticed when the file is found shorter than
// what was read; a file truncated and refilled past that size between two
// looks is read on from the old offset.
type Follower struct {
	path string
	o    FollowOptions
	f    *os.File
	info os.FileInfo
	off  int64
}

// NewFollower returns a Follower of path; nothing is opened yet.
func NewFollower(path string, o FollowOptions) *Follower {
	if o.Wait == nil {
		o.Wait = func(ctx context.Context) error {
			t := time.NewTimer(DefaultPollInterval)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if o.Open == nil {
		o.Open = os.Open
	}
	return &Follower{path: path, o: o}
}

// Next waits until the file exists and returns a reader of its next
// generation: the file as it is now, from its start. The reader returns
// io.EOF when the file was rotated or truncated (call Next again), and
// ctx's error when ctx ends. The first generation's open error is returned
// as is when the file does not exist yet and ctx ends.
func (fl *Follower) Next(ctx context.Context) (io.Reader, error) {
	if fl.f != nil {
		fl.f.Close()
		fl.f = nil
	}
	for {
		f, err := fl.o.Open(fl.path)
		if err == nil {
			info, serr := f.Stat()
			if serr != nil {
				f.Close()
				return nil, serr
			}
			fl.f, fl.info, fl.off = f, info, 0
			return &followReader{fl: fl, ctx: ctx}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if werr := fl.o.Wait(ctx); werr != nil {
			return nil, werr
		}
	}
}

// Close closes the open file.
func (fl *Follower) Close() error {
	if fl.f == nil {
		return nil
	}
	err := fl.f.Close()
	fl.f = nil
	return err
}

type followReader struct {
	fl  *Follower
	ctx context.Context
}

func (r *followReader) Read(p []byte) (int, error) {
	fl := r.fl
	for {
		if fl.f == nil {
			return 0, io.EOF
		}
		n, err := fl.f.Read(p)
		fl.off += int64(n)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		// At the end: a new generation, or wait for more.
		if fl.replaced() {
			// What the old file got between the last read and the
			// rotation comes first.
			n, err := fl.f.Read(p)
			fl.off += int64(n)
			if n > 0 {
				return n, nil
			}
			if err != nil && err != io.EOF {
				return 0, err
			}
			return 0, io.EOF
		}
		if err := fl.o.Wait(r.ctx); err != nil {
			return 0, err
		}
	}
}

// replaced reports whether the path now names another file (rotation) or
// the file got shorter than what was read (truncation).
func (fl *Follower) replaced() bool {
	info, err := os.Stat(fl.path)
	if err != nil {
		// Renamed away and not created again yet: keep reading the old
		// one until the new one appears.
		return false
	}
	if !os.SameFile(info, fl.info) {
		return true
	}
	return info.Size() < fl.off
}
