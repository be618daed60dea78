package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/config"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
	"github.com/psib-dev/psib/pkg/publish"
)

// Exit codes: the contract users and CI scripts rely on (cli-contract.md).
const (
	exitOK          = 0
	exitInternal    = 1
	exitUsage       = 2
	exitFindings    = 3
	exitAuth        = 4
	exitRemote      = 5
	exitTransport   = 6
	exitUnknown     = 7
	exitInterrupted = 130
)

var exitCodeTable = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitInternal, "unexpected internal error"},
	{exitUsage, "usage, configuration or unreadable/invalid input (nothing was sent)"},
	{exitFindings, "lint found findings at or above --fail-on (default error)"},
	{exitAuth, "the gateway rejected the credentials or authorization (158/45, 158/55, 158/536, HTTP 401/403)"},
	{exitRemote, "the gateway or application answered with an error (IBResponse type=\"error\", IBInfo StatusCode != 0, SOAP fault, HTTP 5xx)"},
	{exitTransport, "transport failure before the request was delivered (refused, DNS, TLS): safe to retry"},
	{exitUnknown, "outcome unknown: the request was sent but no answer arrived (timeout, reset): it may have been processed"},
	{exitInterrupted, "interrupted"},
}

func writeExitCodeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tMEANING")
	for _, e := range exitCodeTable {
		fmt.Fprintf(tw, "%d\t%s\n", e.code, e.meaning)
	}
	fmt.Fprintln(tw, "\nA batch exits with the most severe code among its items (7 > 6 > 5 > 4 > 2 > 0).")
	return tw.Flush()
}

// usageError is a mistake in the command line: psib prints the error and a
// hint to --help, and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// inputError is input psib cannot read or accept (a file, stdin, a
// document); nothing was sent. Exit 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// exitError carries an explicit exit code, for results that are not Go
// errors of a known class (lint findings, a batch with mixed outcomes). An
// empty message prints nothing.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// silentError marks an error that has already been reported to the user
// (for example per message in a batch); only its exit code remains.
type silentError struct {
	code int
}

func (e *silentError) Error() string { return "" }

// exitCodeFor maps an error to the contract's exit code. It is the one place
// where error types meet exit codes.
func exitCodeFor(err error) int {
	if err == nil {
		return exitOK
	}
	var (
		usage   *usageError
		input   *inputError
		exitE   *exitError
		silent  *silentError
		cfgErr  *config.Error
		statusE *ibmsg.StatusError
		gwErr   *gateway.Error
		reqErr  *gateway.RequestError
		gwCfg   *gateway.ConfigError
		pubIn   *publish.InputError
		pubJrn  *publish.JournalError
		jrnBad  *journal.CorruptError
		jrnErr  *journal.Error
	)
	switch {
	case errors.As(err, &exitE):
		return exitE.code
	case errors.As(err, &silent):
		return silent.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &usage), errors.As(err, &input), errors.As(err, &cfgErr), errors.As(err, &reqErr), errors.As(err, &gwCfg):
		return exitUsage
	case errors.As(err, &pubJrn):
		// The journal failed during a batch: psib stopped sending.
		return exitInternal
	case errors.As(err, &pubIn), errors.As(err, &jrnBad), errors.As(err, &jrnErr):
		// Bad input, or a journal psib cannot use: nothing was sent.
		return exitUsage
	case errors.As(err, &gwErr):
		switch {
		case gwErr.Class == gateway.ClassTransport:
			return exitTransport
		case gwErr.Class == gateway.ClassUnknown:
			return exitUnknown
		case gwErr.Auth():
			return exitAuth
		}
		return exitRemote
	case errors.Is(err, ibmsg.ErrUnsafeXML), errors.Is(err, ibmsg.ErrTooLarge):
		return exitUsage
	case errors.As(err, &statusE):
		return exitCodeForClass(statusE.Class())
	}
	return exitInternal
}

// exitCodeForClass maps a catalog class to the exit code for an answer the
// gateway gave.
func exitCodeForClass(c ibmsg.Class) int {
	switch c {
	case ibmsg.ClassOK:
		return exitOK
	case ibmsg.ClassAuth:
		return exitAuth
	}
	return exitRemote
}

// exitCodeForPublish maps a publish batch's most serious class to the exit
// code (7 > 6 > 5 > 4 > 2 > 0).
func exitCodeForPublish(c publish.Class) int {
	switch c {
	case publish.ClassInput:
		return exitUsage
	case publish.ClassAuth:
		return exitAuth
	case publish.ClassRemote:
		return exitRemote
	case publish.ClassTransport:
		return exitTransport
	case publish.ClassUnknown:
		return exitUnknown
	}
	return exitOK
}

// noArgs is cobra.NoArgs as a usage error (cobra's own is a plain error,
// which would exit 1).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}
