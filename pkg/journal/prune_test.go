package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// pruneJournal builds a journal of three runs a day apart (days 1, 2 and
// 3 of March), each with one message in every state, and a fourth run
// still running on day 3.
func pruneJournal(t *testing.T) (*Journal, []*Run) {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{Create: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	var runs []*Run
	for day := 0; day < 4; day++ {
		if day < 3 {
			now = time.Date(2026, 3, 1+day, 12, 0, 0, 0, time.UTC)
		}
		r := &Run{Operation: "OP.v1", Target: "t", Command: "publish", StartedAt: now}
		if err := j.StartRun(r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
		for _, st := range States() {
			e := entry(fmt.Sprintf("r%d-%s", day, st))
			e.RunID, e.State = r.ID, st
			if _, _, err := j.Claim(e, nil); err != nil {
				t.Fatal(err)
			}
		}
		if day < 3 {
			r.State = RunFinished
			if err := j.EndRun(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := j.Flush(); err != nil {
		t.Fatal(err)
	}
	return j, runs
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	keys := func(j *Journal) map[string]bool {
		m := map[string]bool{}
		if err := j.List(ctx, Filter{}, func(e *Entry) error { m[e.Key] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	runIDs := func(j *Journal) []int64 {
		rs, err := j.Runs(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return ids
	}

	t.Run("before", func(t *testing.T) {
		j, _ := pruneJournal(t)
		cut := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // day 1 only
		dry, err := j.Prune(ctx, PruneOptions{Before: cut, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys(j)) != 24 {
			t.Fatalf("a dry run removed messages: %d left", len(keys(j)))
		}
		res, err := j.Prune(ctx, PruneOptions{Before: cut})
		if err != nil {
			t.Fatal(err)
		}
		if res != dry || res.Messages != 3 || res.Kept != 3 || res.Runs != 0 {
			t.Fatalf("result %+v, dry run %+v", res, dry)
		}
		left := keys(j)
		for _, st := range []State{StateAccepted, StateRejected, StateFailed} {
			if left["r0-"+string(st)] {
				t.Errorf("settled %s message of day 1 kept", st)
			}
		}
		for _, st := range []State{StatePending, StateInFlight, StateUnknown} {
			if !left["r0-"+string(st)] {
				t.Errorf("unsettled %s message of day 1 removed", st)
			}
		}
		if len(left) != 21 || len(runIDs(j)) != 4 {
			t.Errorf("%d messages and runs %v left", len(left), runIDs(j))
		}
	})

	t.Run("keep runs", func(t *testing.T) {
		j, runs := pruneJournal(t)
		// Settle day 1's unsettled messages: its run can then go.
		for _, st := range []State{StatePending, StateInFlight, StateUnknown} {
			got, err := j.Find(ctx, "psib-r0-"+string(st))
			if err != nil {
				t.Fatal(err)
			}
			got[0].State = StateFailed
			if err := j.Update(*got[0]); err != nil {
				t.Fatal(err)
			}
		}
		res, err := j.Prune(ctx, PruneOptions{KeepRuns: 2})
		if err != nil {
			t.Fatal(err)
		}
		// Runs 1 and 2 are older than the newest two; run 1 is all settled
		// now (6 messages, removed with its run), run 2 keeps its 3
		// unsettled messages and so the run.
		if res.Messages != 9 || res.Kept != 3 || res.Runs != 1 {
			t.Fatalf("result %+v", res)
		}
		ids := runIDs(j)
		if len(ids) != 3 || ids[0] != runs[1].ID {
			t.Errorf("runs left %v", ids)
		}
		if n := len(keys(j)); n != 24-9 {
			t.Errorf("%d messages left", n)
		}
	})

	t.Run("a running run stays", func(t *testing.T) {
		j, runs := pruneJournal(t)
		res, err := j.Prune(ctx, PruneOptions{Before: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Messages != 12 || res.Kept != 12 || res.Runs != 0 {
			t.Fatalf("result %+v", res)
		}
		ids := runIDs(j)
		if len(ids) != 4 || ids[3] != runs[3].ID {
			t.Errorf("runs left %v", ids)
		}
	})

	t.Run("nothing selected", func(t *testing.T) {
		j, _ := pruneJournal(t)
		if _, err := j.Prune(ctx, PruneOptions{}); err == nil {
			t.Fatal("a prune with no selection was accepted")
		}
	})

	t.Run("vacuum", func(t *testing.T) {
		j, _ := pruneJournal(t)
		res, err := j.Prune(ctx, PruneOptions{KeepRuns: 1, Vacuum: true})
		if err != nil || res.Messages != 9 {
			t.Fatalf("%+v %v", res, err)
		}
		if n := len(keys(j)); n != 24-9 {
			t.Errorf("%d messages left", n)
		}
	})
}
