package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

type pingOptions struct {
	IO          *streams
	Factory     *factory
	Node        string
	Count       int
	Format      string
	Verbose     int
	ShowSecrets bool
}

func newPingCmd(f *factory, runF func(*pingOptions) error) *cobra.Command {
	o := &pingOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "ping [NODE]",
		Short: "Check that the gateway answers and accepts the node's credentials",
		Long: `Ping sends OperationType Ping through the HTTP listening connector from the
requesting node (--from) to NODE (default: --to, the destination node). The
gateway checks the node password, and that NODE is the receiving system's local
node. It reports reachability, authentication and the round-trip time;
--count N repeats and prints min/median/max.`,
		Example: `  psib ping
  psib ping HRMS --count 5
  psib --profile prod ping -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("ping takes at most one NODE, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Node = args[0]
			}
			o.Verbose, _ = cmd.Flags().GetCount("verbose")
			var err error
			if o.Format, err = outputFormat(cmd, "text", "text", "json"); err != nil {
				return err
			}
			if o.Count < 1 {
				return usageErrorf("--count must be at least 1")
			}
			if runF != nil {
				return runF(o)
			}
			return runPing(cmd.Context(), o)
		},
	}
	cmd.Flags().IntVarP(&o.Count, "count", "c", 1, "ping `N` times")
	cmd.Flags().BoolVar(&o.ShowSecrets, "show-secrets", false, "show the node password in -v output")
	return cmd
}

type pingJSON struct {
	Gateway  string        `json:"gateway"`
	From     string        `json:"from"`
	Node     string        `json:"node"`
	OK       bool          `json:"ok"`
	Count    int           `json:"count"`
	RTTMS    []float64     `json:"rtt_ms"`
	MinMS    float64       `json:"min_ms"`
	MedianMS float64       `json:"median_ms"`
	MaxMS    float64       `json:"max_ms"`
	Error    *ibmsg.Status `json:"error"`
	Failure  string        `json:"failure,omitempty"`
}

func runPing(ctx context.Context, o *pingOptions) error {
	client, cfg, err := o.Factory.gatewayClient(o.Verbose, o.ShowSecrets)
	if err != nil {
		return err
	}
	node := o.Node
	if node == "" {
		node = cfg.Gateway.To
	}
	if cfg.Gateway.From == "" {
		return usageErrorf("ping needs the requesting node: give --from, PSIB_FROM or a profile")
	}
	creds := ibmsg.Credentials{OperationType: "Ping", From: cfg.Gateway.From, To: node, Password: cfg.Gateway.NodePassword}
	out := pingJSON{Gateway: cfg.Gateway.URL, From: cfg.Gateway.From, Node: node, RTTMS: []float64{}}
	p := o.IO.OutPalette()
	var failure error
	for i := 0; i < o.Count && failure == nil; i++ {
		res, err := client.Ping(ctx, creds)
		switch {
		case err != nil:
			failure = err
			out.Failure = err.Error()
		case res.Status != nil:
			out.Error = res.Status
			failure = fmt.Errorf("ping %s from %s: %w", orDash(node), cfg.Gateway.From, res.Err())
		default:
			ms := float64(res.Duration.Microseconds()) / 1000
			out.RTTMS = append(out.RTTMS, ms)
			if o.Format == "text" {
				fmt.Fprintf(o.IO.Out, "%s %s from %s via %s: %s %s\n", p.Green.Sprint("OK"), orDash(node), cfg.Gateway.From, cfg.Gateway.URL,
					"node credentials accepted,", time.Duration(res.Duration).Round(10*time.Microsecond))
			}
		}
	}
	out.Count = len(out.RTTMS)
	out.OK = failure == nil
	if n := len(out.RTTMS); n > 0 {
		s := append([]float64(nil), out.RTTMS...)
		sort.Float64s(s)
		out.MinMS, out.MaxMS = s[0], s[n-1]
		out.MedianMS = s[n/2]
		if n%2 == 0 {
			out.MedianMS = (s[n/2-1] + s[n/2]) / 2
		}
	}
	if o.Format == "json" {
		if err := writeJSON(o.IO.Out, out); err != nil {
			return err
		}
	} else if o.Count > 1 && out.Count > 0 {
		fmt.Fprintf(o.IO.Out, "%d pings: min %.2f ms, median %.2f ms, max %.2f ms\n", out.Count, out.MinMS, out.MedianMS, out.MaxMS)
	}
	if out.Error != nil && o.Format == "text" {
		return withExplanation(failure, out.Error)
	}
	return failure
}
