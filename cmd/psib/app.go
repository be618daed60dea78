package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/config"
)

// factory hands commands what they need, lazily: a command that never
// touches the gateway never loads configuration.
type factory struct {
	IO        *streams
	LookupEnv func(string) (string, bool)
	Now       func() time.Time
	// WorkDir is where ./profiles/ is looked up.
	WorkDir string

	// root is set by newRootCmd; Config reads its persistent flags.
	root *cobra.Command
}

// ConfigEnv is the environment pkg/config reads.
func (f *factory) ConfigEnv() config.Env {
	return config.Env{LookupEnv: f.LookupEnv, WorkDir: f.WorkDir}
}

// Config loads configuration: flags > PSIB_* environment > profile > defaults.
// Warnings (such as a world-readable profile holding a password) go to stderr.
func (f *factory) Config() (*config.Config, error) {
	cfg, err := config.Load(f.root.PersistentFlags(), f.ConfigEnv())
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "psib: warning: %s\n", w)
	}
	return cfg, nil
}

// run executes psib with args and returns the exit code. It is main without
// os.Exit, so that tests (and testscript) run it in-process.
func run(args []string, io *streams, lookupEnv func(string) (string, bool)) int {
	wd, err := os.Getwd()
	if err != nil {
		wd = "."
	}
	io.applyEnv(lookupEnv)
	f := &factory{IO: io, LookupEnv: lookupEnv, Now: time.Now, WorkDir: wd}
	root := newRootCmd(f)
	root.SetArgs(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	executed, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		// An interrupt surfaces in many shapes (a closed connection, a
		// cancelled read): the user asked to stop, so say that.
		err = fmt.Errorf("%w: %v", context.Canceled, err)
	}
	printError(io, executed, err)
	return exitCodeFor(err)
}

// printError prints err once, as "psib: what: why", with usage hints only for
// usage errors.
func printError(io *streams, cmd *cobra.Command, err error) {
	msg := err.Error()
	if msg == "" {
		return
	}
	p := io.ErrPalette()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(io.ErrOut, "%s interrupted\n", p.Red.Sprint("psib:"))
		return
	}
	fmt.Fprintf(io.ErrOut, "%s %s\n", p.Red.Sprint("psib:"), msg)
	var usage *usageError
	if errors.As(err, &usage) && cmd != nil {
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}

// flagErrorFunc turns cobra/pflag parse errors into usage errors.
func flagErrorFunc(_ *cobra.Command, err error) error {
	return usageErrorf("%s", strings.TrimSpace(err.Error()))
}
