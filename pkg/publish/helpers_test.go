package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/emulator/emulatortest"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
	"github.com/psib-dev/psib/pkg/secret"
)

const testOp = "CHG_ASYNC_UTEST.v1"

// startEmulator serves an emulator with cfg (nil: the built-in one) on a
// loopback listener; it returns the server and its .../PSIGW URL.
func startEmulator(t testing.TB, cfg *emulator.Config, seed uint64) (*emulator.Server, string) {
	t.Helper()
	return emulatortest.New(t, emulator.Options{Config: cfg, Seed: seed})
}

// inspected is the emulator's inspection endpoint's answer.
type inspected struct {
	Counts   map[string]int           `json:"counts"`
	Messages []emulator.StoredMessage `json:"messages"`
}

// inspect reads GET /psib/emulator/messages?wait=1.
func inspect(t testing.TB, base string) inspected {
	t.Helper()
	resp, err := http.Get(base[:len(base)-len("/PSIGW")] + emulator.PathMessages + "?wait=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var in inspected
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		t.Fatal(err)
	}
	return in
}

// testClient is a gateway client with a short timeout.
func testClient(t testing.TB, base string) *gateway.Client {
	t.Helper()
	c, err := gateway.New(gateway.Options{BaseURL: base, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// baseOptions are Options for base with the seed's PTEST node, no waits
// between retries, and results collected in order.
func baseOptions(t testing.TB, base string, client Poster, j *journal.Journal, results *[]*Result) Options {
	return Options{
		Operation: testOp,
		Target:    Target{URL: base, From: "PTEST", To: "HRMS"},
		Request: gateway.Request{Credentials: ibmsg.Credentials{OperationName: testOp, From: "PTEST", To: "HRMS",
			Password: secret.New("secret")}},
		Client:      client,
		Journal:     j,
		Concurrency: 4,
		Retries:     DefaultRetries,
		Sleep:       func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		OnResult:    func(r *Result) { *results = append(*results, r) },
	}
}

// writeMessages writes n small XML files to a new directory.
func writeMessages(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i < n; i++ {
		doc := fmt.Sprintf(`<?xml version="1.0"?><msg><id>%d</id></msg>`, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%05d.xml", i)), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scan(t testing.TB, args ...string) *Batch {
	t.Helper()
	b, err := (&Source{Args: args}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func openJournal(t testing.TB) (*journal.Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := journal.Open(path, journal.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

// fakePoster answers from a function, counting calls; it is safe for
// concurrent use.
type fakePoster struct {
	mu    sync.Mutex
	calls []*gateway.Request
	fn    func(ctx context.Context, n int, req *gateway.Request) (*gateway.Result, error)
}

func (f *fakePoster) Post(ctx context.Context, req *gateway.Request) (*gateway.Result, error) {
	f.mu.Lock()
	cp := *req
	f.calls = append(f.calls, &cp)
	n := len(f.calls)
	f.mu.Unlock()
	return f.fn(ctx, n, req)
}

func (f *fakePoster) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// acked is an acknowledgement with a transaction id.
func acked(id string) *gateway.Result {
	return &gateway.Result{HTTPStatus: 200, TransactionID: id, Response: &ibmsg.Response{Type: "success"}}
}

func ibmsgSecret(s string) secret.Secret { return secret.New(s) }

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
