package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/emulator"
)

func newGatewayCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gateway <command>",
		Short: "Run a local PeopleSoft integration gateway emulator",
	}
	cmd.AddCommand(newGatewayServeCmd(f, nil))
	return cmd
}

type gatewayServeOptions struct {
	IO         *streams
	Listen     string
	ConfigFile string
	LogDir     string
	LogLevel   int
	LogMax     int64
	LogBackups int
	Store      string
	AddrFile   string
	Seed       uint64
	Verbose    int
	Now        func() time.Time
}

func newGatewayServeCmd(f *factory, runF func(*cobra.Command, *gatewayServeOptions) error) *cobra.Command {
	o := &gatewayServeOptions{IO: f.IO, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the emulated gateway and application server on a local address",
		Long: `Serve a local, faithful emulation of PeopleSoft's integration gateway and the
application server behind it, so that every psib command (and any other client)
can be tried without PeopleSoft.

Connectors under /PSIGW: HttpListeningConnector, PeopleSoftListeningConnector
and PeopleSoftServiceListeningConnector. The built-in configuration reproduces
the seed examples: external node PTEST (password "secret", default user PS),
local node HRMS, sync CHG_SYNC_TEST.v1 (helloworld / activeusercount),
async CHG_ASYNC_UTEST.v1, CHG_ECHO_TEST.v1, CHG_ADMIN_TEST.v1 (restricted to
user ADMIN: 158/536), and PT_WORKLIST. --config FILE replaces it.

The bound base URL is printed on stderr and written to --addr-file. Accepted
async messages can be inspected at GET /psib/emulator/messages (JSON).
Faults can be requested per call with the header
"X-Psib-Fault: latency=200ms; status=503; reset=before|after; contact-error; rate=0.1".`,
		Example: `  psib gateway serve --listen 127.0.0.1:8000
  psib gateway serve --log-dir logs --log-level 5 --addr-file gw.addr &
  PSIB_GATEWAY_URL=$(cat gw.addr) psib post CHG_SYNC_TEST.v1 --root helloworld`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Verbose, _ = cmd.Flags().GetCount("verbose")
			if o.LogLevel < -100 || o.LogLevel > 5 {
				return usageErrorf("--log-level %d: use -100 (off) or -1 to 5, as ig.log.level", o.LogLevel)
			}
			if runF != nil {
				return runF(cmd, o)
			}
			return runGatewayServe(cmd, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Listen, "listen", "127.0.0.1:0", "`ADDR` to listen on (port 0 picks a free port)")
	fl.StringVar(&o.ConfigFile, "config", "", "emulator configuration `FILE` (YAML): nodes, users, operations, faults")
	fl.StringVar(&o.LogDir, "log-dir", "", "write msgLog.html and errorLog.html into `DIR`")
	fl.IntVar(&o.LogLevel, "log-level", emulator.LogImportant, "ig.log.level: -100 off, -1..5 (5 logs whole HTTP requests with headers)")
	fl.Int64Var(&o.LogMax, "log-max-bytes", 10<<20, "rotate a log file at this size")
	fl.IntVar(&o.LogBackups, "log-backups", 5, "rotated log files to keep")
	fl.StringVar(&o.Store, "store", "", "keep accepted async messages in `FILE` across restarts")
	fl.StringVar(&o.AddrFile, "addr-file", "", "write the base URL (http://host:port/PSIGW) to `FILE` once listening")
	fl.Uint64Var(&o.Seed, "seed", 1, "seed for random fault rates")
	return cmd
}

func runGatewayServe(cmd *cobra.Command, o *gatewayServeOptions) error {
	cfg := emulator.DefaultConfig()
	dir := ""
	if o.ConfigFile != "" {
		var err error
		if cfg, err = emulator.LoadConfig(o.ConfigFile); err != nil {
			return &inputError{err}
		}
		dir = filepath.Dir(o.ConfigFile)
	}
	var glog *emulator.GatewayLog
	if o.LogDir != "" {
		var err error
		glog, err = emulator.OpenGatewayLog(emulator.GatewayLogOptions{Dir: o.LogDir, Level: o.LogLevel, MaxBytes: o.LogMax, Backups: o.LogBackups, Clock: o.Now})
		if err != nil {
			return &inputError{fmt.Errorf("gateway logs: %w", err)}
		}
		defer glog.Close()
	}
	var access *slog.Logger
	if o.Verbose > 0 {
		access = slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
	}
	srv, err := emulator.New(emulator.Options{Config: cfg, ConfigDir: dir, Log: glog, StorePath: o.Store, Seed: o.Seed, AccessLog: access})
	if err != nil {
		return &inputError{err}
	}
	defer srv.Close()
	l, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return usageErrorf("cannot listen on %s: %v", o.Listen, err)
	}
	base := "http://" + displayAddr(l.Addr()) + "/PSIGW"
	if o.AddrFile != "" {
		if err := writeFileAtomic(o.AddrFile, []byte(base+"\n")); err != nil {
			l.Close()
			return &inputError{fmt.Errorf("--addr-file: %w", err)}
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "psib gateway: serving %s (local node %s); Ctrl-C stops\n", base, cfg.LocalNode)
	err = srv.Serve(cmd.Context(), l)
	fmt.Fprintln(o.IO.ErrOut, "psib gateway: stopped")
	return err
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return "127.0.0.1:" + strconv.Itoa(ta.Port)
	}
	return a.String()
}

// writeFileAtomic writes data to a temporary file and renames it, so that a
// reader polling for path never sees it half-written.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".psib-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
