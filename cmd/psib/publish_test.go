package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/emulator/emulatortest"
	"github.com/psib-dev/psib/pkg/journal"
)

// publishGateway serves an emulator with faults for a publish test and
// returns it with the environment psib needs to reach it.
func publishGateway(t *testing.T, faults []emulator.Fault, seed uint64) (*emulator.Server, map[string]string) {
	t.Helper()
	cfg := emulator.DefaultConfig()
	for i := range cfg.Nodes {
		if cfg.Nodes[i].Name == "PTEST" {
			cfg.Nodes[i].Password = scriptNodePassword
		}
	}
	cfg.Faults = faults
	srv, base := emulatortest.New(t, emulator.Options{Config: cfg, Seed: seed})
	dir := t.TempDir()
	return srv, map[string]string{
		"PSIB_GATEWAY_URL":   base,
		"PSIB_FROM":          "PTEST",
		"PSIB_TO":            "HRMS",
		"PSIB_NODE_PASSWORD": scriptNodePassword,
		"PSIB_JOURNAL":       filepath.Join(dir, "journal.db"),
		"HOME":               dir,
		"NO_COLOR":           "1",
	}
}

// runPsib runs psib in this process and returns stdout, stderr and the
// exit code.
func runPsib(env map[string]string, args ...string) (string, string, int) {
	io, out, errOut := testStreams("")
	code := run(args, io, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return out.String(), errOut.String(), code
}

// writeNDJSON writes n distinct small messages, one per line.
func writeNDJSON(t testing.TB, n int) string {
	t.Helper()
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%q\n", fmt.Sprintf(`<?xml version="1.0"?><CHG_ASYNC><id>%d</id></CHG_ASYNC>`, i))
	}
	path := filepath.Join(t.TempDir(), "batch.ndjson")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type emulatorView struct {
	Counts   map[string]int           `json:"counts"`
	Messages []emulator.StoredMessage `json:"messages"`
}

// inspectEmulator reads the inspection endpoint, after the async queue has
// settled.
func inspectEmulator(t *testing.T, env map[string]string) emulatorView {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(env["PSIB_GATEWAY_URL"], "/PSIGW") + emulator.PathMessages + "?wait=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v emulatorView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type resultLine struct {
	Input             string          `json:"input"`
	Outcome           string          `json:"outcome"`
	TransactionID     string          `json:"transaction_id"`
	Error             json.RawMessage `json:"error"`
	ExternalMessageID string          `json:"external_message_id"`
	Attempts          int             `json:"attempts"`
	Duplicate         bool            `json:"duplicate"`
}

func parseLines(t *testing.T, out string) []resultLine {
	t.Helper()
	var lines []resultLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l resultLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// checkExactlyOnce verifies, from the emulator's inspection endpoint, that
// every one of n messages is in exactly once, and that psib's journal says
// the same (accepted, with the emulator's transaction id).
func checkExactlyOnce(t *testing.T, env map[string]string, n int) {
	t.Helper()
	v := inspectEmulator(t, env)
	if v.Counts["messages"] != n {
		t.Errorf("the emulator has %d messages, want %d (losses or duplicates)", v.Counts["messages"], n)
	}
	byID := map[string]emulator.StoredMessage{}
	bySum := map[string]int{}
	for _, m := range v.Messages {
		if _, dup := byID[m.ExternalMessageID]; dup {
			t.Errorf("ExternalMessageID %s stored twice", m.ExternalMessageID)
		}
		byID[m.ExternalMessageID] = m
		bySum[m.SHA256]++
	}
	if len(bySum) != n {
		t.Errorf("%d distinct payloads stored, want %d", len(bySum), n)
	}
	for sum, c := range bySum {
		if c != 1 {
			t.Errorf("payload %s stored %d times", sum, c)
		}
	}
	out, errOut, code := runPsib(env, "journal", "export")
	if code != 0 {
		t.Fatalf("journal export: exit %d: %s", code, errOut)
	}
	var rows int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e struct {
			State         string `json:"state"`
			ExtID         string `json:"external_message_id"`
			TransactionID string `json:"transaction_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		rows++
		m, ok := byID[e.ExtID]
		switch {
		case e.State != "accepted":
			t.Errorf("journal: %s is %s", e.ExtID, e.State)
		case !ok:
			t.Errorf("journal: %s accepted, but the emulator does not have it", e.ExtID)
		case m.TransactionID != e.TransactionID:
			t.Errorf("journal: %s has transaction %s, the emulator %s", e.ExtID, e.TransactionID, m.TransactionID)
		}
	}
	if rows != n {
		t.Errorf("the journal has %d messages, want %d", rows, n)
	}
}

// TestPublishFaultInjection1000: the emulator refuses 10% (reset before
// processing), answers 503 to 10%, and accepts-then-drops 10%. After the
// run and a re-run, every message is in exactly once and psib's report
// agrees with the emulator.
func TestPublishFaultInjection1000(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 messages with real backoff")
	}
	const n = 1000
	srv, env := publishGateway(t, []emulator.Fault{
		{Kind: "reset-before", Rate: 0.1},
		{Kind: "status", Status: 503, Rate: 0.1},
		{Kind: "reset-after", Rate: 0.1},
	}, 42)
	batch := writeNDJSON(t, n)
	reports := t.TempDir()
	outcomes := map[string]resultLine{} // by input, the last word
	var retried, dups int
	for i, report := range []string{"run1.json", "run2.json"} {
		out, errOut, code := runPsib(env, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "--concurrency", "16",
			"--report", "json="+filepath.Join(reports, report), "-o", "json")
		lines := parseLines(t, out)
		if len(lines) != n {
			t.Fatalf("run %d: %d result lines, want %d; stderr:\n%s", i+1, len(lines), n, errOut)
		}
		counts := map[string]int{}
		for k, l := range lines {
			if want := fmt.Sprintf("%s:%d", batch, k+1); l.Input != want {
				t.Fatalf("run %d: line %d is %s, want %s (input order)", i+1, k, l.Input, want)
			}
			counts[l.Outcome]++
			if l.Attempts > 1 {
				retried++
			}
			if l.Duplicate {
				dups++
			}
			if l.Outcome == "skipped" {
				if prev := outcomes[l.Input]; prev.Outcome != "accepted" || prev.TransactionID != l.TransactionID {
					t.Errorf("run %d: %s skipped with %s, but run 1 said %+v", i+1, l.Input, l.TransactionID, prev)
				}
				continue
			}
			outcomes[l.Input] = l
		}
		t.Logf("run %d: exit %d, %v", i+1, code, counts)
		// The JSON report's summary is the same as the lines.
		var rep struct {
			Messages []resultLine `json:"messages"`
			Summary  struct {
				Total, Accepted, Skipped, Unknown, Failed int
			} `json:"summary"`
		}
		data, err := os.ReadFile(filepath.Join(reports, report))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("report %s: %v", report, err)
		}
		if rep.Summary.Total != n || rep.Summary.Accepted != counts["accepted"] || rep.Summary.Skipped != counts["skipped"] ||
			rep.Summary.Unknown != counts["unknown"] || len(rep.Messages) != n {
			t.Errorf("report %s summary %+v, lines %v", report, rep.Summary, counts)
		}
		if i == 1 && (code != 0 || counts["accepted"]+counts["skipped"] != n) {
			t.Errorf("after the re-run: exit %d, %v; stderr:\n%s", code, counts, errOut)
		}
	}
	if retried == 0 || dups == 0 {
		t.Errorf("the faults were not exercised: %d retried, %d duplicate replies", retried, dups)
	}
	// psib's outcomes against the emulator, message by message.
	v := inspectEmulator(t, env)
	byID := map[string]emulator.StoredMessage{}
	for _, m := range v.Messages {
		byID[m.ExternalMessageID] = m
	}
	for in, l := range outcomes {
		if m, ok := byID[l.ExternalMessageID]; !ok || m.TransactionID != l.TransactionID {
			t.Errorf("%s: psib reports %s %s, the emulator has %+v", in, l.Outcome, l.TransactionID, m)
		}
	}
	checkExactlyOnce(t, env, n)
	_ = srv
}

// TestPublishCrashKill9: a batch killed with SIGKILL midway, then run
// again: zero duplicates, zero losses.
func TestPublishCrashKill9(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	psib, err := exec.LookPath("psib") // the test binary, set up by testscript.Main
	if err != nil {
		t.Skip("psib is not on PATH")
	}
	const n = 400
	srv, env := publishGateway(t, []emulator.Fault{{Kind: "latency", Latency: 3 * time.Millisecond}}, 1)
	batch := writeNDJSON(t, n)
	cmd := exec.Command(psib, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "--concurrency", "4", "-o", "json")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Received()) < n/4 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the batch did not get going:\n%s", out.String())
		}
		time.Sleep(2 * time.Millisecond) // polling a count, bounded
	}
	// Kill once some outcomes are committed too (outcomes are committed
	// in groups, after their claims: slow under -race), so that the
	// re-run has both accepted messages to skip and in-flight ones.
	jr, err := journal.Open(env["PSIB_JOURNAL"], journal.Options{SkipCheck: true})
	if err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	for {
		counts, err := jr.StateCounts(context.Background())
		if err != nil {
			cmd.Process.Kill()
			t.Fatal(err)
		}
		if counts[journal.StateAccepted] > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no outcome committed:\n%s", out.String())
		}
		time.Sleep(2 * time.Millisecond) // polling a count, bounded
	}
	jr.Close()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	atKill := len(srv.Received())
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("psib was not killed (%v): it finished first?\n%s", err, out.String())
	}
	if atKill >= n {
		t.Fatalf("all %d messages were in before the kill", n)
	}
	t.Logf("killed with %d of %d messages in", atKill, n)

	// The journal shows what was in flight; the same command finishes the
	// batch.
	jout, _, _ := runPsib(env, "journal", "list", "--state", "in-flight", "--limit", "0")
	inflight := strings.Count(jout, " in-flight ")
	stdout, stderr, code := runPsib(env, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "--concurrency", "4", "-o", "json")
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, stderr)
	}
	counts := map[string]int{}
	for _, l := range parseLines(t, stdout) {
		counts[l.Outcome]++
		if l.Duplicate {
			counts["duplicate"]++
		}
	}
	t.Logf("after the kill: %d in-flight in the journal; the re-run: %v", inflight, counts)
	if counts["accepted"]+counts["skipped"] != n || counts["skipped"] == 0 || counts["accepted"] == 0 {
		t.Errorf("re-run outcomes %v", counts)
	}
	checkExactlyOnce(t, env, n)
}

// TestPublishMemoryFlat publishes 100,000 messages and checks that the heap
// does not grow with the batch. It takes a while: run it with
// PSIB_MEMORY_TEST=1 (scripts/bench-publish.sh measures RSS the same way).
func TestPublishMemoryFlat(t *testing.T) {
	if os.Getenv("PSIB_MEMORY_TEST") == "" {
		t.Skip("set PSIB_MEMORY_TEST=1 to publish 100,000 messages")
	}
	peak := func(n int) uint64 {
		_, env := publishGateway(t, nil, 1)
		batch := writeNDJSON(t, n)
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() {
			var max uint64
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				max = maxU(max, ms.HeapInuse)
				select {
				case <-stop:
					done <- max
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		_, errOut, code := runPsib(env, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "--concurrency", "16", "-o", "json")
		close(stop)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return <-done
	}
	small, big := peak(10_000), peak(100_000)
	t.Logf("peak heap in use: %d MiB for 10,000 messages, %d MiB for 100,000", small>>20, big>>20)
	// The emulator shares this process and keeps every message: allow for
	// it (about 1 KiB a message), and require psib's share to stay flat.
	if big > small+100_000*1024+32<<20 {
		t.Errorf("memory grows with the batch: %d MiB vs %d MiB", big>>20, small>>20)
	}
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// TestPublishSIGINT: the first interrupt stops new messages and lets those
// in flight finish and be recorded; psib exits 130; the same command then
// sends the rest, each once.
func TestPublishSIGINT(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT")
	}
	psib, err := exec.LookPath("psib")
	if err != nil {
		t.Skip("psib is not on PATH")
	}
	const n = 200
	srv, env := publishGateway(t, []emulator.Fault{{Kind: "latency", Latency: 10 * time.Millisecond}}, 1)
	batch := writeNDJSON(t, n)
	cmd := exec.Command(psib, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "--concurrency", "2", "-o", "json")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Received()) < 10 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the batch did not get going:\n%s", stderr.String())
		}
		time.Sleep(2 * time.Millisecond) // polling a count, bounded
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, stderr.String())
	}
	lines := parseLines(t, stdout.String())
	in := len(srv.Received())
	if len(lines) != in || in >= n {
		t.Errorf("%d lines for %d messages in (of %d)", len(lines), in, n)
	}
	for _, l := range lines {
		if l.Outcome != "accepted" {
			t.Errorf("after the interrupt: %+v", l)
		}
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("%d not sent", n-in)) || !strings.Contains(stderr.String(), "psib: interrupted") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if jout, _, _ := runPsib(env, "journal", "list", "--state", "in-flight"); strings.Contains(jout, "in-flight") {
		t.Errorf("in-flight rows after a clean interrupt:\n%s", jout)
	}
	out, errOut, code := runPsib(env, "publish", "CHG_ASYNC_UTEST.v1", "--ndjson", batch, "-o", "json")
	if code != 0 || strings.Count(out, `"outcome":"skipped"`) != in || strings.Count(out, `"outcome":"accepted"`) != n-in {
		t.Errorf("re-run: exit %d\n%s", code, errOut)
	}
	checkExactlyOnce(t, env, n)
}
