// Package emulatortest runs a gateway emulator on a loopback port for
// tests, as net/http/httptest does for handlers.
package emulatortest

import (
	"context"
	"net"
	"testing"

	"github.com/psib-dev/psib/pkg/emulator"
)

// Start serves srv on a free loopback port. It returns the gateway's base
// URL (http://127.0.0.1:PORT/PSIGW) and stop, which ends serving, waits
// for it, closes srv and returns Serve's error.
func Start(srv *emulator.Server) (base string, stop func() error, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	stop = func() error {
		cancel()
		err := <-done
		srv.Close()
		return err
	}
	return "http://" + l.Addr().String() + "/PSIGW", stop, nil
}

// New builds an emulator with o and serves it (Start) until the end of
// the test, which fails if serving failed.
func New(t testing.TB, o emulator.Options) (*emulator.Server, string) {
	t.Helper()
	srv, err := emulator.New(o)
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := Start(srv)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("emulator Serve: %v", err)
		}
	})
	return srv, base
}
