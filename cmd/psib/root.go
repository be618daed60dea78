package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/config"
)

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "psib <command> [flags]",
		Short: "PeopleSoft Integration Broker from the command line",
		Long: `psib talks to PeopleSoft Integration Broker gateways and reads their formats:
synchronous posts, asynchronous publishes, gateway log decoding, rowset linting,
PT_WORKLIST calls, and a local gateway emulator to try all of it without PeopleSoft.

Connection settings come from flags, then PSIB_* environment variables, then a
profile (--profile NAME reads ./profiles/NAME.yaml or
$XDG_CONFIG_HOME/psib/profiles/NAME.yaml), then defaults.`,
		Example: `  psib gateway serve &                       # a local gateway on 127.0.0.1
  psib --profile local post CHG_SYNC_TEST.v1 --root helloworld
  psib decode msgLog.html -o json
  psib help exit-codes`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Completion is a visible command of its own (psib completion bash).
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		Version:           versionString(),
	}
	f.root = root
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagErrorFunc)
	root.SetVersionTemplate("{{.Version}}\n")

	pf := root.PersistentFlags()
	config.AddFlags(pf)
	pf.StringP("output", "o", "", "output format: text|json (xml where a payload is printed); default text on a terminal")
	pf.String("color", "auto", "color: auto|always|never (NO_COLOR is respected)")
	pf.CountP("verbose", "v", "verbose: show the request and response on the wire (secrets shown as REDACTED)")

	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		mode, _ := cmd.Flags().GetString("color")
		switch mode {
		case "auto", "always", "never":
		default:
			return usageErrorf("invalid --color %q: use auto, always or never", mode)
		}
		if mode != "auto" {
			f.IO.colorMode = mode
		}
		return nil
	}

	root.AddCommand(
		newVersionCmd(f),
		newExitCodesTopic(f),
		newProfilesCmd(f),
		newDecodeCmd(f, nil),
		newGatewayCmd(f),
		newPostCmd(f, nil),
		newPingCmd(f, nil),
		newWorklistCmd(f, nil),
		newPublishCmd(f, nil),
		newJournalCmd(f),
		newLintCmd(f, nil),
	)
	// Commands with subcommands reject unknown subcommands as usage errors.
	for _, c := range root.Commands() {
		if c.HasSubCommands() && c.RunE == nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
				}
				return cmd.Help()
			}
			c.Args = cobra.ArbitraryArgs
		}
	}
	return root
}

// newExitCodesTopic is a help topic: `psib help exit-codes`.
func newExitCodesTopic(f *factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "exit-codes",
		Short: "Exit codes and what they mean",
		Long:  "psib's exit codes, stable for scripts and CI.",
	}
	c.SetHelpFunc(func(*cobra.Command, []string) {
		if err := writeExitCodeTable(f.IO.Out); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "psib: %v\n", err)
		}
	})
	return c
}

// outputFormat returns the -o value, or def when it was not given.
func outputFormat(cmd *cobra.Command, def string, allowed ...string) (string, error) {
	v, _ := cmd.Flags().GetString("output")
	if v == "" {
		return def, nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", usageErrorf("invalid --output %q for %s: use one of %v", v, cmd.CommandPath(), allowed)
}
