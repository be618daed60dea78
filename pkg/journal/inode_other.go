//go:build !unix

package journal

import "io/fs"

// inode is 0 where the platform has none to offer; size and time remain.
func inode(fi fs.FileInfo) uint64 { return 0 }
