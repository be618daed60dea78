package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/config"
)

func newProfilesCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profiles <command>",
		Short: "List connection profiles and show the effective settings",
		Long: `A profile is a YAML file of connection settings (gateway URL, nodes, node
password, timeout, TLS), chosen with --profile NAME or PSIB_PROFILE=NAME and
looked up as ./profiles/NAME.yaml, then $XDG_CONFIG_HOME/psib/profiles/NAME.yaml
(~/.config/psib/profiles/NAME.yaml). A project profile hides a user profile of
the same name. profiles/example.yaml documents every key.

Each setting comes from a flag, else a PSIB_* environment variable, else the
profile, else its default; 'psib profiles show' tells which.`,
		Example: `  psib profiles list
  psib profiles show local
  psib --profile local --timeout 2m profiles show -o json`,
	}
	cmd.AddCommand(newProfilesListCmd(f), newProfilesShowCmd(f))
	return cmd
}

func newProfilesListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the profiles that --profile can name",
		Long: `List the profiles in ./profiles/ and in the user's profile directory
($XDG_CONFIG_HOME/psib/profiles/, else ~/.config/psib/profiles/). A user profile
marked "shadowed" is hidden by a project profile of the same name.`,
		Example: `  psib profiles list
  psib profiles list -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFormat(cmd, "text", "text", "json")
			if err != nil {
				return err
			}
			env := f.ConfigEnv()
			list, err := config.ListProfiles(env)
			if err != nil {
				return err
			}
			if format == "json" {
				if list == nil {
					list = []config.ProfileInfo{}
				}
				return writeJSON(f.IO.Out, list)
			}
			if len(list) == 0 {
				_, err := fmt.Fprintf(f.IO.ErrOut, "No profiles in %s.\n", strings.Join(config.ProfileDirs(env), " or "))
				return err
			}
			active := make(map[string]string) // name → the path --profile NAME reads
			for _, p := range list {
				if !p.Shadowed {
					if _, ok := active[p.Name]; !ok {
						active[p.Name] = p.Path
					}
				}
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tPATH")
			for _, p := range list {
				if p.Shadowed {
					fmt.Fprintf(tw, "%s\t%s\t(shadowed by %s)\n", p.Name, p.Path, active[p.Name])
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Path)
			}
			return tw.Flush()
		},
	}
}

// profileShow is `psib profiles show -o json`.
type profileShow struct {
	Profile  string           `json:"profile"`
	Path     string           `json:"path"`
	Settings []config.Setting `json:"settings"`
}

func newProfilesShowCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show the effective connection settings and where each comes from",
		Long: `Show every connection setting with its value and its origin: flag, env,
profile or default. With NAME, settings are shown as if --profile NAME were
given; without it, for the current --profile or PSIB_PROFILE (or none).
The node password is shown as REDACTED.`,
		Example: `  psib profiles show local
  PSIB_PROFILE=dev psib profiles show
  psib --profile dev --from PSIB_TEST profiles show -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usageErrorf("%s takes at most one profile NAME, got %q", cmd.CommandPath(), args)
			case len(args) == 1 && args[0] == "":
				return usageErrorf("%s: the profile NAME is empty", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := outputFormat(cmd, "text", "text", "json")
			if err != nil {
				return err
			}
			if len(args) == 1 {
				pf := f.root.PersistentFlags()
				if fl := pf.Lookup("profile"); fl != nil && fl.Changed && fl.Value.String() != args[0] {
					return usageErrorf("two profiles given: %q and --profile %q; give one", args[0], fl.Value.String())
				}
				// As if --profile NAME were given: it wins over PSIB_PROFILE.
				if err := pf.Set("profile", args[0]); err != nil {
					return usageErrorf("%v", err)
				}
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			settings := cfg.Settings()
			if format == "json" {
				return writeJSON(f.IO.Out, profileShow{Profile: cfg.ProfileName, Path: cfg.ProfilePath, Settings: settings})
			}
			if cfg.ProfileName != "" {
				fmt.Fprintf(f.IO.Out, "profile: %s (%s)\n\n", cfg.ProfileName, cfg.ProfilePath)
			} else {
				fmt.Fprintln(f.IO.Out, "profile: none (flags, environment and defaults only)")
				fmt.Fprintln(f.IO.Out)
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tVALUE\tORIGIN")
			for _, s := range settings {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, s.Value, s.Origin)
			}
			return tw.Flush()
		},
	}
}
