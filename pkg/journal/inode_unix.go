//go:build unix

package journal

import (
	"io/fs"
	"syscall"
)

// inodeCtime returns the file's inode number and change time (ns): a
// journal replaced by another file, or rewritten and given its old
// modification time back, is not the one psib closed.
func inodeCtime(fi fs.FileInfo) (ino uint64, ctime int64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino), ctimeOf(st)
	}
	return 0, 0
}
