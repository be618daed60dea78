//go:build unix

package gateway

import (
	"crypto/tls"
	"net"
	"syscall"
)

// canPeek is true where peerSpoke can look at a socket without blocking.
const canPeek = true

// peerSpoke reports whether the server has done anything on an idle
// connection: closed it, reset it, or sent bytes (a TLS close_notify
// alert before closing, a 408 before closing, stray data). Any of these
// makes the connection unusable for the next POST, whose outcome would
// then be unknown or whose answer would be wrong, so it is dropped before
// use. A peek at the socket tells without reading or blocking. (A TLS
// session ticket sent after the handshake does not count: it came before
// the first answer, and reading that answer consumed it.)
func peerSpoke(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	spoke := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read (EAGAIN) is the one sign of a live, quiet
		// connection; bytes, the end of the stream or an error are not.
		spoke = rerr != syscall.EAGAIN && rerr != syscall.EWOULDBLOCK
		return true // never wait for readiness
	})
	return spoke || err != nil
}
