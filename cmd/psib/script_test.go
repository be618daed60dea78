package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	pathpkg "path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/emulator/emulatortest"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden sections (cmp stdout files) from actual output")

// TestMain lets testscript run the real psib binary in-process: the test
// binary re-executes itself as "psib".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"psib": func() { os.Exit(run(os.Args[1:], systemStreams(), os.LookupEnv)) },
	})
}

// TestScripts runs every testdata/script/*.txtar end to end.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			// Keep the user's real configuration and color settings out.
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			env.Setenv("NO_COLOR", "")
			env.Setenv("FIXTURES", fixturesDir())
			return startScriptGateway(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfile": cmdWaitFile,
			"httpraw":  cmdHTTPRaw,
		},
	})
}

// scriptNodePassword is PTEST's password in the scripts' emulator: a
// distinctive string, so that "! stdout n0de-k3y" proves it never leaks.
const scriptNodePassword = "n0de-k3y-PTEST"

// startScriptGateway serves an emulator (the built-in configuration, PTEST's
// password changed) on loopback for one script and points psib at it:
// PSIB_GATEWAY_URL, PSIB_FROM=PTEST, PSIB_TO=HRMS, PSIB_NODE_PASSWORD.
// $EMULATOR is its root URL (for /psib/emulator/messages).
func startScriptGateway(env *testscript.Env) error {
	cfg := emulator.DefaultConfig()
	for i := range cfg.Nodes {
		if cfg.Nodes[i].Name == "PTEST" {
			cfg.Nodes[i].Password = scriptNodePassword
		}
	}
	srv, err := emulator.New(emulator.Options{Config: cfg})
	if err != nil {
		return err
	}
	base, stop, err := emulatortest.Start(srv)
	if err != nil {
		srv.Close()
		return err
	}
	env.Defer(func() { _ = stop() })
	env.Setenv("EMULATOR", strings.TrimSuffix(base, "/PSIGW"))
	env.Setenv("PSIB_GATEWAY_URL", base)
	env.Setenv("PSIB_FROM", "PTEST")
	env.Setenv("PSIB_TO", "HRMS")
	env.Setenv("PSIB_NODE_PASSWORD", scriptNodePassword)
	return nil
}

// cmdWaitFile waits (up to 20s) until a file exists and is not empty: a
// background "psib gateway serve --addr-file F" has started listening.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(ts.MkAbs(args[0])); err == nil && fi.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear", args[0])
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded
	}
}

// cmdHTTPRaw sends one HTTP/1.1 request with header names exactly as given
// (as curl does) and prints "HTTP <status>", the response header lines
// (sorted) and the body to stdout.
//
//	httpraw METHOD URL [-H 'Name: value']... [-d @FILE | -d TEXT]
//
// A URL starting with @FILE/ takes its base from FILE (an --addr-file).
func cmdHTTPRaw(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: httpraw METHOD URL [-H header]... [-d body]")
	}
	method, url := args[0], args[1]
	if strings.HasPrefix(url, "@") {
		file, rest, _ := strings.Cut(url[1:], "/")
		url = strings.TrimSpace(ts.ReadFile(file)) + "/" + rest
	}
	var headers []string
	var body string
	for i := 2; i < len(args); i++ {
		switch {
		case args[i] == "-H" && i+1 < len(args):
			headers = append(headers, args[i+1])
			i++
		case args[i] == "-d" && i+1 < len(args):
			body = args[i+1]
			if strings.HasPrefix(body, "@") {
				body = ts.ReadFile(body[1:])
			}
			i++
		default:
			ts.Fatalf("httpraw: unexpected argument %q", args[i])
		}
	}
	hostPath := strings.TrimPrefix(url, "http://")
	host, path, _ := strings.Cut(hostPath, "/")
	if p, q, hasQ := strings.Cut(path, "?"); strings.Contains(p, "..") {
		path = strings.TrimPrefix(pathpkg.Clean("/"+p), "/")
		if hasQ {
			path += "?" + q
		}
	}
	conn, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("httpraw: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "%s /%s HTTP/1.1\r\nHost: %s\r\n", method, path, host)
	for _, h := range headers {
		req.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&req, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	if _, err := io.WriteString(conn, req.String()); err != nil {
		ts.Fatalf("httpraw: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("httpraw: no response: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if neg {
		ts.Fatalf("httpraw: got a response (HTTP %d), want none", resp.StatusCode)
	}
	var lines []string
	for k, vs := range resp.Header {
		if k == "Date" {
			continue
		}
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	sort.Strings(lines)
	fmt.Fprintf(ts.Stdout(), "HTTP %d\n%s\n\n%s", resp.StatusCode, strings.Join(lines, "\n"), data)
}

func fixturesDir() string {
	wd, _ := os.Getwd()
	return wd + "/../../testdata"
}
