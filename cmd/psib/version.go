package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by the linker: go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc -X main.date=...".
// They are the build's identity, written once at link time and never changed.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Date      string `json:"date,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

func currentVersion() versionInfo {
	v := versionInfo{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if v.Commit == "" {
		// go install / go build without ldflags: take the VCS stamp Go records.
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					v.Commit = s.Value
				case "vcs.time":
					if v.Date == "" {
						v.Date = s.Value
					}
				}
			}
		}
	}
	if len(v.Commit) > 12 {
		v.Commit = v.Commit[:12]
	}
	return v
}

func versionString() string {
	v := currentVersion()
	s := "psib " + v.Version
	if v.Commit != "" {
		s += " (" + v.Commit
		if v.Date != "" {
			s += ", " + v.Date
		}
		s += ")"
	}
	return s + " " + v.GoVersion + " " + v.Platform
}

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print psib's version",
		Args:  noArgs,
		Example: `  psib version
  psib version -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFormat(cmd, "text", "text", "json")
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetEscapeHTML(false)
				return enc.Encode(currentVersion())
			}
			_, err = fmt.Fprintln(f.IO.Out, versionString())
			return err
		},
	}
}
