//go:build unix

package gateway

import (
	"crypto/tls"
	"net"
	"syscall"
)

// peerClosed reports whether the server has closed an idle connection (or
// it is broken), without blocking: a peek at the socket sees the end of
// the stream. Sending a POST on such a connection would give an answer of
// unknown outcome, so it is dropped before use. Pending bytes are not a
// sign of closing: on TLS they may be a session ticket.
func peerClosed(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK || rerr == syscall.EINTR:
		case rerr != nil:
			closed = true
		case n == 0:
			closed = true
		}
		return true // never wait for readiness
	})
	return closed || err != nil
}
