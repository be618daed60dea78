package gateway

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/emulator/emulatortest"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

const (
	opSync  = "CHG_SYNC_TEST.v1"
	opAsync = "CHG_ASYNC_UTEST.v1"
	opAdmin = "CHG_ADMIN_TEST.v1"
	hello   = `<?xml version="1.0"?><helloworld/>`
	// nodePassword is PTEST's password in the emulator's default config.
	nodePassword = "secret"
)

var testNow = time.Date(2026, 3, 1, 9, 30, 0, 123_000_000, time.FixedZone("PST", -8*3600))

// ptest returns PTEST's credentials (seed 000) for op.
func ptest(op string) ibmsg.Credentials {
	return ibmsg.Credentials{OperationName: op, From: "PTEST", To: "HRMS", Password: secret.New(nodePassword)}
}

// startEmulator serves an emulator through Serve (header names kept as
// sent, as PeopleSoft reads them) on a loopback port and returns its
// base URL (.../PSIGW).
func startEmulator(t *testing.T, cfg *emulator.Config) string {
	t.Helper()
	var n atomic.Int64
	_, base := emulatortest.New(t, emulator.Options{Config: cfg, Clock: func() time.Time { return testNow },
		NewID: func() string { return fmt.Sprintf("txn-%04d", n.Add(1)) }})
	return base
}

// newClient builds a client for base; opts may adjust the options.
func newClient(t *testing.T, base string, opts ...func(*Options)) *Client {
	t.Helper()
	o := Options{BaseURL: base, Timeout: 10 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// sleepRecorder records the retry waits without waiting.
type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sleeps = append(s.sleeps, d)
	return ctx.Err()
}

func (s *sleepRecorder) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

// rawServer is a TCP server that reads whole HTTP requests and then does
// what its handler says with the connection.
type rawServer struct {
	URL      string // base URL, .../PSIGW
	requests atomic.Int64
	captured chan []byte
}

// startRaw starts a rawServer. handle gets the connection after one
// request was read completely (captured holds its bytes); it must close
// or keep the connection as the test needs.
func startRaw(t *testing.T, handle func(c net.Conn, captured []byte)) *rawServer {
	t.Helper()
	s := &rawServer{captured: make(chan []byte, 16)}
	stop := make(chan struct{})
	addr := serveLoopback(t, func(c net.Conn) {
		var buf bytes.Buffer
		r := bufio.NewReader(io.TeeReader(c, &buf))
		req, err := http.ReadRequest(r)
		if err != nil {
			c.Close()
			return
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			c.Close()
			return
		}
		s.requests.Add(1)
		got := buf.Bytes()
		select {
		case s.captured <- got:
		default:
		}
		handle(c, got)
		<-stop
	})
	// Cleanups run last-registered first: this one before serveLoopback's,
	// which waits for the handlers.
	t.Cleanup(func() { close(stop) })
	s.URL = "http://" + addr + "/PSIGW"
	return s
}

// serveLoopback accepts connections on a loopback port and runs serve on
// each, on its own goroutine; it returns the address. At the test's end
// the listener and every connection are closed, and it waits for the
// serve calls to return.
func serveLoopback(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// answer writes a complete HTTP/1.1 response and closes the connection.
func answer(c net.Conn, status int, contentType, body string) {
	fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), contentType, len(body), body)
	c.Close()
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// gwError asserts that err is a *Error of class want.
func gwError(t *testing.T, err error, want Class) *Error {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T %v, want *gateway.Error", err, err)
	}
	if e.Class != want {
		t.Fatalf("class %v, want %v: %v", e.Class, want, e)
	}
	return e
}

func secretOf(s string) secret.Secret { return secret.New(s) }
