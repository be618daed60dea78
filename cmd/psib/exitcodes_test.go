package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/config"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

func TestExitCodeFor(t *testing.T) {
	t.Parallel()
	status := func(code, set, id int) error { return (&ibmsg.Status{StatusCode: code, MsgSet: set, MsgID: id}).Err() }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"usage", usageErrorf("bad flag"), exitUsage},
		{"wrapped usage", fmt.Errorf("post: %w", usageErrorf("bad")), exitUsage},
		{"input", &inputError{errors.New("cannot read x")}, exitUsage},
		{"config", &config.Error{File: "profiles/dev.yaml", Line: 3, Msg: "unknown key"}, exitUsage},
		{"unsafe xml", fmt.Errorf("decode: %w", ibmsg.ErrUnsafeXML), exitUsage},
		{"too large", ibmsg.ErrTooLarge, exitUsage},
		{"explicit", &exitError{code: exitFindings}, exitFindings},
		{"silent", &silentError{code: exitUnknown}, exitUnknown},
		{"cancelled", fmt.Errorf("post: %w", context.Canceled), exitInterrupted},
		{"158/45 password", status(20, 158, 45), exitAuth},
		{"158/55 user", status(20, 158, 55), exitAuth},
		{"158/536 not authorized", status(20, 158, 536), exitAuth},
		{"158/10721 contact", status(10, 158, 10721), exitRemote},
		{"159/5 parser", status(20, 159, 5), exitRemote},
		{"unknown status", status(20, 999, 1), exitRemote},
		{"plain error", errors.New("boom"), exitInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exitCodeFor(tt.err); got != tt.want {
				t.Errorf("exitCodeFor(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestExitCodeTableMatchesConstants(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := writeExitCodeTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, c := range []int{exitOK, exitInternal, exitUsage, exitFindings, exitAuth, exitRemote, exitTransport, exitUnknown, exitInterrupted} {
		if !strings.Contains(b.String(), fmt.Sprintf("\n%d ", c)) {
			t.Errorf("exit code %d missing from the table:\n%s", c, b.String())
		}
	}
}

// TestRunPrintsErrorsOnce checks the error path of run: one "psib:" line on
// stderr, nothing on stdout, the usage hint only for usage errors.
func TestRunPrintsErrorsOnce(t *testing.T) {
	t.Parallel()
	io, out, errOut := testStreams("")
	code := run([]string{"version", "--bogus"}, io, func(string) (string, bool) { return "", false })
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty: %q", out.String())
	}
	if n := strings.Count(errOut.String(), "psib:"); n != 1 {
		t.Errorf("%d error lines on stderr, want 1: %q", n, errOut.String())
	}
	if !strings.Contains(errOut.String(), "--help") {
		t.Errorf("no usage hint: %q", errOut.String())
	}
}
