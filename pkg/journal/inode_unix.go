//go:build unix

package journal

import (
	"io/fs"
	"syscall"
)

// inode returns the file's inode number: a journal replaced by another
// file of the same size and time is not the one psib closed.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
