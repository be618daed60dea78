//go:build !unix

package publish

import (
	"io"
	"os"
)

// openRead reads a file whole, stopping at max+1 bytes (more than max
// means too large).
func openRead(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max+1))
}
