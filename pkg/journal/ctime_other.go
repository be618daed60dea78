//go:build unix && !(linux || openbsd || solaris || illumos || darwin || freebsd || netbsd || dragonfly)

package journal

import "syscall"

// ctimeOf is 0 where the change time is not at hand; the racy rule and
// the modification time remain.
func ctimeOf(*syscall.Stat_t) int64 { return 0 }
