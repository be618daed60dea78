//go:build !unix

package journal

import "io/fs"

// inodeCtime has neither to offer here; size and modification time remain
// (and the racy rule).
func inodeCtime(fi fs.FileInfo) (ino uint64, ctime int64) { return 0, 0 }
