package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/psib-dev/psib/pkg/journal"
)

type journalOptions struct {
	IO      *streams
	Factory *factory
	Path    string
	Format  string

	Run       string // run id or "last"
	State     string
	Operation string
	Limit     int
	Runs      bool
	Ref       string

	// prune
	Before      string
	KeepRuns    int
	keepRunsSet bool
	DryRun      bool
	Vacuum      bool
}

func newJournalCmd(f *factory) *cobra.Command {
	o := &journalOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "journal <command>",
		Short: "See and audit what psib publish sent",
		Long: `psib publish records every message in its journal, an SQLite file
($XDG_STATE_HOME/psib/journal.db, ~/.local/state/psib/journal.db without it;
PSIB_JOURNAL or --journal PATH to choose another): operation, target gateway and
nodes, content SHA-256, ExternalMessageID, state (pending, in-flight, accepted,
rejected, failed, unknown), transaction id, attempts, timestamps and the last
error. Payloads and passwords are never stored.

A message is in-flight from just before its request goes out until its outcome
is recorded: after a crash, in-flight means "may have been delivered", and the
next run of the same command resends it with the same ExternalMessageID.`,
		Example: `  psib journal list --runs
  psib journal list --run last --state unknown
  psib journal show 5695c49d-bd01-11e7-b7eb-c155c6e4688a
  psib journal export --run 3 > run3.ndjson
  psib journal prune --before 90d --dry-run`,
	}
	cmd.PersistentFlags().StringVar(&o.Path, "journal", "", "journal `PATH` (default $PSIB_JOURNAL, else $XDG_STATE_HOME/psib/journal.db)")

	filters := func(c *cobra.Command) {
		c.Flags().StringVar(&o.Run, "run", "", "only messages last written by run `N` (or last)")
		c.Flags().StringVar(&o.State, "state", "", "only messages in `STATE`: pending, in-flight, accepted, rejected, failed, unknown")
		c.Flags().StringVar(&o.Operation, "operation", "", "only messages of `OPERATION`")
	}
	format := func(c *cobra.Command) error {
		var err error
		o.Format, err = outputFormat(c, "text", "text", "json")
		return err
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List messages (or runs, with --runs), oldest first",
		Example: `  psib journal list --runs
  psib journal list --run last --state unknown
  psib journal list --operation CHG_ASYNC_UTEST.v1 --limit 0 -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := format(c); err != nil {
				return err
			}
			return runJournalList(c.Context(), o)
		},
	}
	filters(list)
	list.Flags().IntVar(&o.Limit, "limit", 100, "show the last `N` only (0: all)")
	list.Flags().BoolVar(&o.Runs, "runs", false, "list runs (one per psib publish) instead of messages")

	show := &cobra.Command{
		Use:   "show REF",
		Short: "Show a message by journal id, ExternalMessageID or transaction id",
		Example: `  psib journal show 42
  psib journal show 5695c49d-bd01-11e7-b7eb-c155c6e4688a -o json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("journal show takes one REF (a journal id, an ExternalMessageID or a transaction id), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := format(c); err != nil {
				return err
			}
			o.Ref = args[0]
			return runJournalShow(c.Context(), o)
		},
	}

	export := &cobra.Command{
		Use:   "export",
		Short: "Export messages (or runs) as NDJSON, one JSON object per line, for audit",
		Example: `  psib journal export --run 3 > run3.ndjson
  psib journal export --runs > runs.ndjson`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := outputFormat(c, "json", "json"); err != nil {
				return err
			}
			return runJournalExport(c.Context(), o)
		},
	}
	filters(export)
	export.Flags().BoolVar(&o.Runs, "runs", false, "export runs instead of messages")

	prune := &cobra.Command{
		Use:   "prune",
		Short: "Remove old settled messages (accepted, rejected, failed) and empty runs",
		Long: `Remove the messages that are settled (accepted, rejected or failed) and
selected by --before or --keep-runs (both: both apply), and the finished runs
left with no message. Pending, in-flight and unknown messages always stay: they
are what lets a re-run resend with the same ExternalMessageID.

A message removed is forgotten: publishing the same content again sends it
again (with the same ExternalMessageID, which the gateway may still remember).
Prune while no psib publish is running on the journal; a run still marked
running (its psib was killed) is kept with its messages.`,
		Example: `  psib journal prune --before 90d --dry-run
  psib journal prune --keep-runs 20
  psib journal prune --before 2026-01-01 --vacuum`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := format(c); err != nil {
				return err
			}
			o.keepRunsSet = c.Flags().Changed("keep-runs")
			return runJournalPrune(c.Context(), o)
		},
	}
	prune.Flags().StringVar(&o.Before, "before", "", "messages last written before `TIME` (2026-01-01, 2026-01-01T09:30:00Z) or more than an age ago (90d, 720h)")
	prune.Flags().IntVar(&o.KeepRuns, "keep-runs", 0, "keep the newest `N` runs and the messages they wrote last")
	prune.Flags().BoolVar(&o.DryRun, "dry-run", false, "count what would be removed; remove nothing")
	prune.Flags().BoolVar(&o.Vacuum, "vacuum", false, "rewrite the file afterwards so that it shrinks (slow on a large journal)")

	cmd.AddCommand(list, show, export, prune)
	return cmd
}

// pruneJSON is prune's -o json line.
type pruneJSON struct {
	DryRun   bool  `json:"dry_run"`
	Messages int64 `json:"messages"`
	Runs     int64 `json:"runs"`
	Kept     int64 `json:"kept_unsettled"`
}

func runJournalPrune(ctx context.Context, o *journalOptions) error {
	po := journal.PruneOptions{KeepRuns: o.KeepRuns, DryRun: o.DryRun, Vacuum: o.Vacuum && !o.DryRun}
	switch {
	case o.keepRunsSet && o.KeepRuns < 1:
		return usageErrorf("invalid --keep-runs %d: give 1 or more", o.KeepRuns)
	case o.Before == "" && !o.keepRunsSet:
		return usageErrorf("journal prune needs --before TIME|AGE or --keep-runs N (see psib journal prune --help)")
	}
	if o.Before != "" {
		now := time.Now
		if o.Factory.Now != nil {
			now = o.Factory.Now
		}
		t, err := parseTimeOrAge(o.Before, now())
		if err == nil && t.Year() < 1970 {
			err = fmt.Errorf("%q is before 1970: no journal is that old", o.Before)
		}
		if err != nil {
			return usageErrorf("invalid --before: %v", err)
		}
		po.Before = t
	}
	j, err := o.open()
	if err != nil {
		return err
	}
	defer j.Close()
	res, err := j.Prune(ctx, po)
	if err != nil && !errors.Is(err, journal.ErrVacuum) {
		return err
	}
	// The removal stands even when the compaction failed: say what it was.
	if o.Format == "json" {
		if werr := writeJSON(o.IO.Out, pruneJSON{DryRun: o.DryRun, Messages: res.Messages, Runs: res.Runs, Kept: res.Kept}); werr != nil {
			return werr
		}
	} else {
		verb := "removed"
		if o.DryRun {
			verb = "would remove"
		}
		fmt.Fprintf(o.IO.Out, "%s %d settled %s and %d %s; %d pending, in-flight or unknown %s kept\n", verb,
			res.Messages, plural(res.Messages, "message", "messages"), res.Runs, plural(res.Runs, "run", "runs"),
			res.Kept, plural(res.Kept, "message", "messages"))
	}
	if err != nil {
		return err
	}
	return j.Close()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (o *journalOptions) open() (*journal.Journal, error) {
	path, err := resolveJournalPath(o.Path, o.Factory.LookupEnv)
	if err != nil {
		return nil, err
	}
	return journal.Open(path, journal.Options{})
}

// filter builds the message filter from the flags.
func (o *journalOptions) filter(ctx context.Context, j *journal.Journal) (journal.Filter, error) {
	f := journal.Filter{Operation: o.Operation}
	if o.State != "" {
		s := journal.State(o.State)
		if !s.Valid() {
			return f, usageErrorf("invalid --state %q: use pending, in-flight, accepted, rejected, failed or unknown", o.State)
		}
		f.State = s
	}
	switch o.Run {
	case "":
	case "last":
		runs, err := j.Runs(ctx, 1)
		if err != nil {
			return f, err
		}
		if len(runs) == 0 {
			return f, &inputError{fmt.Errorf("journal %s has no runs yet", j.Path())}
		}
		f.RunID = runs[0].ID
	default:
		id, err := strconv.ParseInt(o.Run, 10, 64)
		if err != nil || id <= 0 {
			return f, usageErrorf("invalid --run %q: give a run number (psib journal list --runs) or last", o.Run)
		}
		f.RunID = id
	}
	return f, nil
}

func runJournalList(ctx context.Context, o *journalOptions) error {
	if o.Limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	j, err := o.open()
	if err != nil {
		return err
	}
	defer j.Close()
	w := bufio.NewWriter(o.IO.Out)
	defer w.Flush()
	if o.Runs {
		if o.Run != "" || o.State != "" || o.Operation != "" {
			return usageErrorf("--runs lists every run: --run, --state and --operation filter messages")
		}
		runs, err := j.Runs(ctx, o.Limit)
		if err != nil {
			return err
		}
		if o.Format == "json" {
			for _, r := range runs {
				if err := writeJSON(w, r); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tSTARTED\tSTATE\tTOTAL\tACCEPTED\tSKIPPED\tREJECTED\tFAILED\tUNKNOWN\tNOT SENT\tCOMMAND")
		for _, r := range runs {
			c := r.Counts
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, localTime(r.StartedAt), r.State, c.Total, c.Accepted, c.Skipped,
				c.Rejected, c.Failed, c.Unknown, c.NotSent, r.Command)
		}
		return tw.Flush()
	}
	f, err := o.filter(ctx, j)
	if err != nil {
		return err
	}
	f.Limit = o.Limit
	if o.Format == "json" {
		return j.List(ctx, f, func(e *journal.Entry) error { return writeJSON(w, e) })
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRUN\tSTATE\tTRIES\tUPDATED\tTRANSACTION ID\tINPUT")
	err = j.List(ctx, f, func(e *journal.Entry) error {
		txid := e.TransactionID
		if txid == "" {
			txid = "-"
		}
		_, err := fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.RunID, e.State, e.Attempts, localTime(e.UpdatedAt), txid, e.Input)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func runJournalShow(ctx context.Context, o *journalOptions) error {
	j, err := o.open()
	if err != nil {
		return err
	}
	defer j.Close()
	es, err := j.Find(ctx, o.Ref)
	if errors.Is(err, journal.ErrNotFound) {
		return &inputError{fmt.Errorf("journal %s: no message %q (give a journal id, an ExternalMessageID or a transaction id; psib journal list shows them)", j.Path(), o.Ref)}
	}
	if err != nil {
		return err
	}
	w := bufio.NewWriter(o.IO.Out)
	defer w.Flush()
	for i, e := range es {
		if o.Format == "json" {
			if err := writeJSON(w, e); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
		row := func(k, v string) {
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
		row("id", strconv.FormatInt(e.ID, 10))
		row("state", string(e.State))
		row("operation", e.Operation)
		row("target", e.Target)
		row("input", e.Input)
		row("external message id", e.ExternalMessageID)
		row("transaction id", e.TransactionID)
		row("attempts", strconv.Itoa(e.Attempts))
		if e.HTTPStatus != 0 {
			row("http status", strconv.Itoa(e.HTTPStatus))
		}
		if e.Duplicate {
			row("duplicate", "yes: the gateway answered that it already had the message")
		}
		row("last error", e.LastError)
		row("content sha256", e.ContentSHA256)
		row("bytes", strconv.FormatInt(e.Bytes, 10))
		row("run", strconv.FormatInt(e.RunID, 10))
		row("created", localTime(e.CreatedAt))
		row("first sent", localTime(e.SentAt))
		row("accepted", localTime(e.AcceptedAt))
		row("updated", localTime(e.UpdatedAt))
		row("key", e.Key)
		if err := tw.Flush(); err != nil {
			return err
		}
		if e.State == journal.StateInFlight || e.State == journal.StateUnknown {
			fmt.Fprintln(w, strings.TrimSpace(`
note: it may have been delivered; psib publish resends it with the same
ExternalMessageID, and the gateway answers a duplicate instead of processing
it twice.`))
		}
	}
	return nil
}

func runJournalExport(ctx context.Context, o *journalOptions) error {
	j, err := o.open()
	if err != nil {
		return err
	}
	defer j.Close()
	w := bufio.NewWriter(o.IO.Out)
	defer w.Flush()
	if o.Runs {
		if o.Run != "" || o.State != "" || o.Operation != "" {
			return usageErrorf("--runs exports every run: --run, --state and --operation filter messages")
		}
		runs, err := j.Runs(ctx, 0)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if err := writeJSON(w, r); err != nil {
				return err
			}
		}
		return nil
	}
	f, err := o.filter(ctx, j)
	if err != nil {
		return err
	}
	return j.List(ctx, f, func(e *journal.Entry) error { return writeJSON(w, e) })
}
