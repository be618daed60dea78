package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
)

// TestWorklistFlags checks that flags, the positional REQUEST_ID and the
// persistent flags reach the options (runF captures them; nothing runs).
func TestWorklistFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		check func(t *testing.T, o *worklistOptions)
	}{
		{[]string{"create", "--business-process", "BP", "--app", "A=1", "--app", "B=x=y", "--priority", "high", "--force-new", "--soap-version", "1.2", "--ws-user", "VP1"},
			func(t *testing.T, o *worklistOptions) {
				if o.Command != "create" || o.BusinessProcess != "BP" || len(o.App) != 2 || o.App[1] != "B=x=y" || o.Priority != "high" || !o.ForceNew ||
					o.SOAPVersion != "1.2" || o.WSUser != "VP1" || o.Format != "text" {
					t.Errorf("%+v", o)
				}
			}},
		{[]string{"status", "EXT-1", "--instance-id", "3", "-o", "json"}, func(t *testing.T, o *worklistOptions) {
			if o.Command != "status" || o.RequestID != "EXT-1" || o.InstanceID != 3 || o.Format != "json" || o.CreateOperation != "CREATE_WORKLIST_ITEM" {
				t.Errorf("%+v", o)
			}
		}},
		{[]string{"wait", "--request-id", "EXT-1", "--timeout", "5m", "--interval", "2s"}, func(t *testing.T, o *worklistOptions) {
			if o.Command != "wait" || o.Timeout != 5*time.Minute || o.Interval != 2*time.Second {
				t.Errorf("%+v", o)
			}
		}},
		{[]string{"wsdl", "x.wsdl"}, func(t *testing.T, o *worklistOptions) {
			if o.Command != "wsdl" || o.WSDL != "x.wsdl" {
				t.Errorf("%+v", o)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			io, _, _ := testStreams("")
			f := &factory{IO: io, LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Now}
			root := newRootCmd(f)
			var got *worklistOptions
			for _, c := range root.Commands() {
				if c.Name() == "worklist" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(newWorklistCmd(f, func(o *worklistOptions) error { got = o; return nil }))
			root.SetArgs(append([]string{"worklist"}, tt.args...))
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

// TestWorklistExitCodes runs psib worklist in-process against an emulator
// and checks the contract's exit code for each kind of outcome.
func TestWorklistExitCodes(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	dir := t.TempDir()
	entry := filepath.Join(dir, "entry.yaml")
	if err := os.WriteFile(entry, []byte("BusinessProcessName: BP\nActivityName: A\nEventName: E\nWorklistName: W\nOperatorID: VP1\nApplicationData: {K: V}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badTemplate := filepath.Join(dir, "bad.tmpl")
	if err := os.WriteFile(badTemplate, []byte("<a>{{.EventName}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PSIB_GATEWAY_URL": hs.URL + "/PSIGW", "PSIB_FROM": "PTEST", "PSIB_TO": "HRMS",
		"PSIB_NODE_PASSWORD": "secret", "PSIB_JOURNAL": filepath.Join(dir, "journal.db"), "PSIB_WS_PASSWORD": "wrong-ws-pw"}
	lookup := func(over map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if v, ok := over[k]; ok {
				return v, v != ""
			}
			v, ok := env[k]
			return v, ok
		}
	}
	wsdl := hs.URL + "/PSIGW/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl"
	tests := []struct {
		name string
		args []string
		over map[string]string
		want int
	}{
		{"created", []string{"create", "--from-file", entry, "--request-id", "C-1"}, nil, exitOK},
		{"repeated: skipped", []string{"create", "--from-file", entry, "--request-id", "C-1"}, nil, exitOK},
		{"status", []string{"status", "C-1"}, nil, exitOK},
		{"no such entry", []string{"status", "NONE", "--business-process", "BP", "--activity", "A", "--event", "E", "--worklist", "W"}, nil, exitOK},
		{"validation", []string{"create", "--activity", "A"}, nil, exitUsage},
		{"id reused for other content", []string{"create", "--from-file", entry, "--request-id", "C-1", "--event", "X"}, nil, exitUsage},
		{"bad template", []string{"create", "--from-file", entry, "--request-id", "C-2", "--template", badTemplate}, nil, exitUsage},
		{"WSDL not found", []string{"create", "--from-file", entry, "--wsdl", hs.URL + "/PSIGW/PeopleSoftServiceListeningConnector/X.1.wsdl"}, nil, exitUsage},
		{"WSDL unreachable", []string{"wsdl", "http://127.0.0.1:1/x.wsdl"}, nil, exitTransport},
		{"WSDL", []string{"wsdl", wsdl}, nil, exitOK},
		{"WS-Security password refused (158/45)", []string{"create", "--from-file", entry, "--request-id", "C-3", "--ws-user", "VP1"}, nil, exitAuth},
		{"node password refused (158/45)", []string{"status", "C-1"}, map[string]string{"PSIB_NODE_PASSWORD": "wrong"}, exitAuth},
		{"entry refused (SOAP fault)", []string{"create", "--from-file", entry, "--request-id", "C-4", "--operator", "NOBODY"}, nil, exitRemote},
		{"routing (SOAP fault)", []string{"status", "C-1", "--operation-version", "v9"}, nil, exitRemote},
		{"contact error (158/10721)", []string{"status", "C-1", "--header", "X-Psib-Fault: contact-error"}, nil, exitRemote},
		{"HTTP 500 page", []string{"status", "C-1", "--header", "X-Psib-Fault: status=500"}, nil, exitRemote},
		{"nothing listening", []string{"create", "--from-file", entry, "--request-id", "C-5"}, map[string]string{"PSIB_GATEWAY_URL": "http://127.0.0.1:1/PSIGW"}, exitTransport},
		{"answer lost", []string{"create", "--from-file", entry, "--request-id", "C-6", "--header", "X-Psib-Fault: reset=after"}, nil, exitUnknown},
		{"wait: not worked in time", []string{"wait", "C-1", "--timeout", "100ms", "--interval", "20ms"}, nil, exitUnknown},
		{"no gateway URL", []string{"status", "C-1"}, map[string]string{"PSIB_GATEWAY_URL": ""}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, errOut := testStreams("")
			code := run(append([]string{"worklist"}, tt.args...), io, lookup(tt.over))
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, errOut)
			}
			if strings.Contains(errOut.String(), "wrong-ws-pw") || strings.Contains(errOut.String(), "secret") {
				t.Errorf("a password on stderr:\n%s", errOut)
			}
		})
	}
	if n := len(srv.Worklist()); n != 2 {
		t.Errorf("%d entries created, want 2 (C-1, C-6)", n)
	}
}
