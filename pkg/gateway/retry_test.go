package gateway

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// counting serves handler and counts requests.
func counting(t *testing.T, handler func(n int64, w http.ResponseWriter)) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		handler(n.Add(1), w)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/PSIGW", &n
}

func unavailable(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("<html><head><title>Error 503--Service Unavailable</title></head></html>"))
}

func TestRetries(t *testing.T) {
	t.Parallel()

	t.Run("503 twice then 200", func(t *testing.T) {
		t.Parallel()
		base, n := counting(t, func(n int64, w http.ResponseWriter) {
			if n <= 2 {
				unavailable(w)
				return
			}
			_, _ = w.Write([]byte("<response><helloworld>Hello Python</helloworld></response>"))
		})
		rec := &sleepRecorder{}
		c := newClient(t, base, func(o *Options) { o.Sleep = rec.sleep })
		res, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res.Attempts != 3 || n.Load() != 3 || res.Status != nil {
			t.Errorf("attempts %d, requests %d, status %+v", res.Attempts, n.Load(), res.Status)
		}
		sleeps := rec.got()
		if len(sleeps) != 2 {
			t.Fatalf("sleeps %v, want 2", sleeps)
		}
		// 100ms then 200ms, each plus up to half of it as jitter.
		if sleeps[0] < 100*time.Millisecond || sleeps[0] > 150*time.Millisecond ||
			sleeps[1] < 200*time.Millisecond || sleeps[1] > 300*time.Millisecond || sleeps[1] <= sleeps[0] {
			t.Errorf("sleeps %v, want growing backoff from 100ms", sleeps)
		}
	})

	t.Run("503 until the retries run out", func(t *testing.T) {
		t.Parallel()
		base, n := counting(t, func(_ int64, w http.ResponseWriter) { unavailable(w) })
		rec := &sleepRecorder{}
		c := newClient(t, base, func(o *Options) { o.Sleep = rec.sleep })
		_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 2})
		e := gwError(t, err, ClassHTTP)
		if e.HTTPStatus != 503 || e.Attempts != 3 || n.Load() != 3 || len(rec.got()) != 2 {
			t.Errorf("HTTP %d attempts %d requests %d sleeps %v", e.HTTPStatus, e.Attempts, n.Load(), rec.got())
		}
	})

	t.Run("429 honours Retry-After up to the cap", func(t *testing.T) {
		t.Parallel()
		base, _ := counting(t, func(n int64, w http.ResponseWriter) {
			if n == 1 {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			if n == 2 {
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			_, _ = w.Write([]byte("<ok/>"))
		})
		rec := &sleepRecorder{}
		c := newClient(t, base, func(o *Options) { o.Sleep = rec.sleep })
		res, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 5})
		if err != nil {
			t.Fatal(err)
		}
		sleeps := rec.got()
		if res.Attempts != 3 || len(sleeps) != 2 || sleeps[0] != 2*time.Second || sleeps[1] != 5*time.Second {
			t.Errorf("attempts %d sleeps %v, want [2s 5s]", res.Attempts, sleeps)
		}
	})

	t.Run("nothing delivered is retried", func(t *testing.T) {
		t.Parallel()
		rec := &sleepRecorder{}
		c := newClient(t, "http://"+closedPort(t)+"/PSIGW", func(o *Options) { o.Sleep = rec.sleep })
		_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 2})
		e := gwError(t, err, ClassTransport)
		if e.Attempts != 3 || len(rec.got()) != 2 {
			t.Errorf("attempts %d sleeps %v", e.Attempts, rec.got())
		}
	})

	t.Run("unknown outcome is never retried", func(t *testing.T) {
		t.Parallel()
		srv := startRaw(t, func(c net.Conn, _ []byte) { c.Close() })
		rec := &sleepRecorder{}
		c := newClient(t, srv.URL, func(o *Options) { o.Sleep = rec.sleep })
		_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
		e := gwError(t, err, ClassUnknown)
		// Give a (wrong) second request time to arrive before counting.
		time.Sleep(50 * time.Millisecond)
		if n := srv.requests.Load(); n != 1 || e.Attempts != 1 || len(rec.got()) != 0 {
			t.Errorf("requests %d attempts %d sleeps %v, want exactly one request", n, e.Attempts, rec.got())
		}
	})

	t.Run("IB error is never retried", func(t *testing.T) {
		t.Parallel()
		emu := startEmulator(t, nil)
		rec := &sleepRecorder{}
		c := newClient(t, emu, func(o *Options) { o.Sleep = rec.sleep })
		cr := ptest(opSync)
		cr.Password = secretOf("nope")
		res, err := c.Post(context.Background(), &Request{Credentials: cr, Payload: []byte(hello), Retries: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res.Attempts != 1 || res.Status == nil || len(rec.got()) != 0 {
			t.Errorf("attempts %d status %+v sleeps %v", res.Attempts, res.Status, rec.got())
		}
	})

	t.Run("IB error with HTTP 503 is an answer, not retried", func(t *testing.T) {
		t.Parallel()
		base, n := counting(t, func(_ int64, w http.ResponseWriter) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write(ibmsg.NewErrorResponse(ibmsg.Status{StatusCode: 10, MsgSet: 158, MsgID: 10721, Parameters: ibmsg.Params{"503"}}).Marshal())
		})
		rec := &sleepRecorder{}
		c := newClient(t, base, func(o *Options) { o.Sleep = rec.sleep })
		res, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
		if err != nil {
			t.Fatal(err)
		}
		if n.Load() != 1 || res.Status == nil || res.Status.Class() != ibmsg.ClassContact {
			t.Errorf("requests %d status %+v", n.Load(), res.Status)
		}
	})

	t.Run("HTTP 500 is never retried", func(t *testing.T) {
		t.Parallel()
		base, n := counting(t, func(_ int64, w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) })
		rec := &sleepRecorder{}
		c := newClient(t, base, func(o *Options) { o.Sleep = rec.sleep })
		_, err := c.Post(context.Background(), &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
		gwError(t, err, ClassHTTP)
		if n.Load() != 1 {
			t.Errorf("requests %d", n.Load())
		}
	})

	t.Run("interrupted while waiting", func(t *testing.T) {
		t.Parallel()
		base, _ := counting(t, func(_ int64, w http.ResponseWriter) { unavailable(w) })
		ctx, cancel := context.WithCancel(context.Background())
		c := newClient(t, base, func(o *Options) {
			o.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		})
		_, err := c.Post(ctx, &Request{Credentials: ptest(opSync), Payload: []byte(hello), Retries: 3})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	prev := time.Duration(0)
	for attempt := 1; attempt <= 12; attempt++ {
		base := backoffBase << (attempt - 1)
		if base > backoffMax || base <= 0 {
			base = backoffMax
		}
		for range 50 {
			d := backoff(attempt, 0)
			if d < base || d > min(base+base/2, backoffMax) {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, base, base+base/2)
			}
		}
		if base < prev {
			t.Fatalf("attempt %d: base %v shrank", attempt, base)
		}
		prev = base
	}
}
