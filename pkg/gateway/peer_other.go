//go:build !unix

package gateway

import "net"

// canPeek is false here: New keeps net/http's Transport, whose reader
// goroutine sees a server close an idle connection.
const canPeek = false

// peerSpoke cannot tell without blocking here; connTransport is not used.
func peerSpoke(net.Conn) bool { return true }
