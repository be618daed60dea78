package emulator

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkHTTPListeningSync measures small synchronous requests (the seed's
// helloworld) through a real loopback listener with keep-alive clients, the
// way a load generator drives a gateway. It reports requests per second.
//
//	go test ./pkg/emulator -run '^$' -bench HTTPListeningSync -benchtime 5s
func BenchmarkHTTPListeningSync(b *testing.B) {
	srv, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()

	url := "http://" + l.Addr().String() + PathHTTP
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: 10 * time.Second}
	b.SetParallelism(16) // 16 × GOMAXPROCS concurrent clients
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, strings.NewReader(hello))
			req.Header["OperationName"] = []string{"CHG_SYNC_TEST.v1"}
			req.Header["From"] = []string{"PTEST"}
			req.Header["To"] = []string{"HRMS"}
			req.Header["Password"] = []string{"secret"}
			req.Header["Content-Type"] = []string{"text/xml"}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
