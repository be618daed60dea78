//go:build unix

package publish

import (
	"io/fs"
	"syscall"
)

// openRead reads a file whole, stopping at max+1 bytes (more than max
// means too large), with plain system calls: os.Open costs five more per file on
// Linux (it tries, and fails, to register a regular file with the
// network poller), a quarter of the time to check a directory of small
// messages. Errors are *fs.PathError, as os.Open's.
func openRead(path string, max int64) ([]byte, error) {
	fd, err := retryEINTR(func() (int, error) { return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := int64(cap(buf))
		if end > max+1 {
			end = max + 1
		}
		n, err := retryEINTR(func() (int, error) { return syscall.Read(fd, buf[len(buf):end]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return buf, nil
		}
	}
}

func retryEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
