package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/lint"
)

const lintFixtures = "../../testdata/lint"

func noEnv(string) (string, bool) { return "", false }

// TestLintFlags: flags become options (the command's shape, checked
// without running the linter).
func TestLintFlags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		stdin bool // stdin is a terminal
		check func(*testing.T, *lintOptions)
		err   string
	}{
		{name: "defaults", args: []string{"lint", "a.xml"}, check: func(t *testing.T, o *lintOptions) {
			if o.Format != "text" || o.FailOn != "error" || o.MaxPerRule != 50 || o.formatSet || strings.Join(o.Inputs, ",") != "a.xml" {
				t.Errorf("%+v", o)
			}
		}},
		{name: "-o json is --format json", args: []string{"-o", "json", "lint", "a.xml"}, check: func(t *testing.T, o *lintOptions) {
			if o.Format != "json" || !o.formatSet {
				t.Errorf("format %q set %v", o.Format, o.formatSet)
			}
		}},
		{name: "-o and --format agree", args: []string{"lint", "-o", "json", "--format", "json", "a.xml"}, check: func(t *testing.T, o *lintOptions) {}},
		{name: "-o and --format disagree", args: []string{"lint", "-o", "json", "--format", "sarif", "a.xml"}, err: "--output json and --format sarif disagree"},
		{name: "-o xml", args: []string{"lint", "-o", "xml", "a.xml"}, err: `invalid --output "xml" for psib lint`},
		{name: "flags", args: []string{"lint", "--format", "github", "--fail-on", "warning", "--disable", "PSIB-L012,PSIB-L032", "--disable", "cdata-in-field", "--max-per-rule", "0", "--message", "M", "--log", "a.html", "--log", "b.html", "d/"}, check: func(t *testing.T, o *lintOptions) {
			if o.Format != "github" || o.FailOn != "warning" || strings.Join(o.Disable, ",") != "PSIB-L012,PSIB-L032,cdata-in-field" ||
				o.MaxPerRule != 0 || !o.maxSet || !o.failOnSet || o.Message != "M" || strings.Join(o.Logs, ",") != "a.html,b.html" || strings.Join(o.Inputs, ",") != "d/" {
				t.Errorf("%+v", o)
			}
		}},
		{name: "no input, stdin a pipe", args: []string{"lint"}, check: func(t *testing.T, o *lintOptions) {
			if strings.Join(o.Inputs, ",") != "-" {
				t.Errorf("inputs %v", o.Inputs)
			}
		}},
		{name: "no input, stdin a terminal", args: []string{"lint"}, stdin: true, err: "lint needs a FILE or DIR"},
		{name: "only --log", args: []string{"lint", "--log", "msgLog.html"}, stdin: true, check: func(t *testing.T, o *lintOptions) {
			if len(o.Inputs) != 0 {
				t.Errorf("inputs %v", o.Inputs)
			}
		}},
		{name: "--rules with inputs", args: []string{"lint", "--rules", "a.xml"}, err: "--rules and --explain take no inputs"},
		{name: "--explain", args: []string{"lint", "--explain", "PSIB-L001"}, stdin: true, check: func(t *testing.T, o *lintOptions) {
			if o.Explain != "PSIB-L001" {
				t.Errorf("%+v", o)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			io, _, _ := testStreams("")
			io.inTTY = tc.stdin
			f := &factory{IO: io, LookupEnv: noEnv, WorkDir: t.TempDir()}
			root := newRootCmd(f)
			var got *lintOptions
			for _, c := range root.Commands() {
				if c.Name() == "lint" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(newLintCmd(f, func(o *lintOptions) error { got = o; return nil }))
			root.SetArgs(tc.args)
			err := root.Execute()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if exitCodeFor(err) != exitUsage {
					t.Errorf("exit %d, want %d", exitCodeFor(err), exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, got)
		})
	}
}

// TestLintRun runs psib lint in-process and checks exit codes and streams.
func TestLintRun(t *testing.T) {
	bad := filepath.Join(lintFixtures, "rules", "PSIB-L020.fail.xml")
	warn := filepath.Join(lintFixtures, "rules", "PSIB-L024.fail.xml")
	seed := filepath.Join(lintFixtures, "samples", "seed002-sdk-bus-exp-appr-msg.xml")
	for _, tc := range []struct {
		name        string
		args        []string
		stdin       string
		code        int
		out, errOut string // substrings
	}{
		{"clean", []string{"lint", seed}, "", exitOK, "", "1 input: no findings"},
		{"errors", []string{"lint", bad}, "", exitFindings, "PSIB-L020.fail.xml:27:20: error PSIB-L020 DATE field BIRTHDATE", "1 input: 2 errors, 0 warnings, 0 infos (--fail-on error)"},
		{"warning below fail-on", []string{"lint", warn}, "", exitOK, "warning PSIB-L024", ""},
		{"warning at fail-on", []string{"lint", "--fail-on", "warning", warn}, "", exitFindings, "warning PSIB-L024", ""},
		{"never", []string{"lint", "--fail-on", "never", bad}, "", exitOK, "PSIB-L020", "1 input: 2 errors, 0 warnings, 0 infos\n"},
		{"stdin", []string{"lint", "-"}, "<a><b/></a", exitFindings, "<stdin>:1:8: error PSIB-L001 unexpected end of file inside an end tag", ""},
		{"unreadable", []string{"lint", "nosuch.xml", bad}, "", exitUsage, "PSIB-L020", "psib: lint: cannot read nosuch.xml: no such file or directory"},
		{"json", []string{"lint", "-o", "json", bad}, "", exitFindings, `"summary": {`, ""},
		{"sarif", []string{"lint", "--format", "sarif", seed}, "", exitOK, `"results": []`, ""},
		{"github", []string{"lint", "--format", "github", bad}, "", exitFindings, "::error file=" + bad + ",line=27,col=20::", ""},
		{"bad fail-on", []string{"lint", "--fail-on", "info", bad}, "", exitUsage, "", "invalid fail-on"},
		{"bad max", []string{"lint", "--max-per-rule", "-1", bad}, "", exitUsage, "", "--max-per-rule -1"},
		{"max per rule", []string{"lint", "--max-per-rule", "1", bad}, "", exitFindings, "PSIB-L020", "1 more PSIB-L020 findings not shown"},
		{"rules", []string{"lint", "--rules"}, "", exitOK, "PSIB-L043", ""},
		{"explain", []string{"lint", "--explain", "date-value"}, "", exitOK, "PSIB-L020 date-value (error)", ""},
		{"explain unknown", []string{"lint", "--explain", "nope"}, "", exitUsage, "", `unknown rule "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			io, out, errOut := testStreams(tc.stdin)
			code := run(tc.args, io, noEnv)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out)
			}
			if !strings.Contains(errOut.String(), tc.errOut) {
				t.Errorf("stderr lacks %q:\n%s", tc.errOut, errOut)
			}
		})
	}
}

// TestLintConfigFile: ./.psib-lint.yaml is read from the working
// directory; flags win; errors name file:line and exit 2.
func TestLintConfigFile(t *testing.T) {
	dir := t.TempDir()
	bad, err := filepath.Abs(filepath.Join(lintFixtures, "rules", "PSIB-L020.fail.xml"))
	if err != nil {
		t.Fatal(err)
	}
	runIn := func(cfg string, args ...string) (int, string, string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, lint.ConfigFile), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		io, out, errOut := testStreams("")
		f := &factory{IO: io, LookupEnv: noEnv, WorkDir: dir}
		root := newRootCmd(f)
		root.SetArgs(append([]string{"lint"}, args...))
		err := root.Execute()
		if err != nil {
			printError(io, nil, err)
		}
		return exitCodeFor(err), out.String(), errOut.String()
	}
	code, out, _ := runIn("format: json\nfail-on: never\n", bad)
	if code != exitOK || !strings.Contains(out, `"findings": [`) {
		t.Errorf("config: exit %d\n%s", code, out)
	}
	code, out, _ = runIn("format: json\nfail-on: never\n", "--format", "text", "--fail-on", "error", bad)
	if code != exitFindings || !strings.HasPrefix(out, bad+":27:20: error") {
		t.Errorf("flags over config: exit %d\n%s", code, out)
	}
	code, out, _ = runIn("disable: [date-value]\n", bad)
	if code != exitOK || out != "" {
		t.Errorf("disable: exit %d\n%s", code, out)
	}
	code, _, errOut := runIn("format: json\nfailon: never\n", bad)
	if code != exitUsage || !strings.Contains(errOut, `psib: .psib-lint.yaml:2: unknown key "failon"; did you mean "fail-on"?`) {
		t.Errorf("unknown key: exit %d\n%s", code, errOut)
	}
}
