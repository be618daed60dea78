// Command bench-rawpost is the floor for scripts/bench-publish.sh: the
// least a Go client can do to post N small messages at a given
// concurrency over kept-alive connections, with no journal, no input
// checks and no answer parsing beyond the status line and length. It
// shows how much of the gap between psib publish and wrk belongs to Go's
// networking on the machine at hand rather than to psib.
//
//	go run ./scripts/bench-rawpost -url http://127.0.0.1:8000/PSIGW/HttpListeningConnector -n 10000 -c 16
//
// It prints "requests/s: R" on stdout.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "", "HTTP listening connector URL (http only)")
	n := flag.Int("n", 10000, "requests")
	conc := flag.Int("c", 16, "concurrent connections")
	op := flag.String("operation", "CHG_ASYNC_UTEST.v1", "OperationName")
	flag.Parse()
	if err := run(*target, *n, *conc, *op); err != nil {
		fmt.Fprintln(os.Stderr, "bench-rawpost:", err)
		os.Exit(1)
	}
}

func run(target string, n, conc int, op string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port/path", target)
	}
	body := `<?xml version="1.0"?><msg><id>1</id><name>hello</name></msg>`
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := worker(u, op, body, n, &next); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("requests/s: %.0f\n", float64(n)/elapsed.Seconds())
	return nil
}

// worker posts on its own connection until n requests have been taken;
// each carries a distinct ExternalMessageID, as psib's do.
func worker(u *url.URL, op, body string, n int, next *atomic.Int64) error {
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	var buf []byte
	for {
		i := next.Add(1)
		if i > int64(n) {
			return nil
		}
		buf = append(buf[:0], "POST "...)
		buf = append(buf, u.RequestURI()...)
		buf = append(buf, " HTTP/1.1\r\nHost: "...)
		buf = append(buf, u.Host...)
		buf = append(buf, "\r\nContent-Type: text/xml; charset=UTF-8\r\nOperationName: "...)
		buf = append(buf, op...)
		buf = append(buf, "\r\nFrom: PTEST\r\nTo: HRMS\r\nPassword: secret\r\nExternalMessageID: rawpost-"...)
		buf = strconv.AppendInt(buf, time.Now().UnixNano(), 36)
		buf = append(buf, '-')
		buf = strconv.AppendInt(buf, i, 10)
		buf = append(buf, "\r\nContent-Length: "...)
		buf = strconv.AppendInt(buf, int64(len(body)), 10)
		buf = append(buf, "\r\n\r\n"...)
		buf = append(buf, body...)
		if _, err := c.Write(buf); err != nil {
			return err
		}
		if err := readAnswer(br); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
	}
}

// readAnswer reads one HTTP/1.1 answer with a Content-Length and checks
// that its status is 200.
func readAnswer(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("answer %q, want HTTP/1.1 200", bytes.TrimSpace(line))
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return fmt.Errorf("Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return fmt.Errorf("answer without Content-Length")
	}
	_, err = io.CopyN(io.Discard, br, int64(length))
	return err
}
