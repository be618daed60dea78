package worklist

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/journal"
)

// Worklist creates live in psib's journal beside publish's messages.
func TestJournalOf(t *testing.T) {
	pj, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"), journal.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pj.Close()
	// A publish row with the same target and hash is not a worklist create.
	if _, _, err := pj.Claim(&journal.Entry{Key: "publish-1", Operation: "X.v1", Target: "gw PTEST", ContentSHA256: "fp", State: journal.StateAccepted}, nil); err != nil {
		t.Fatal(err)
	}
	j := JournalOf(pj)
	if e, err := j.Find("gw PTEST", "fp"); err != nil || e != nil {
		t.Fatalf("find among publish rows: %+v %v", e, err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rec := Entry{Scope: "gw PTEST", RequestMessageID: "R-1", Fingerprint: "fp", State: StatePending, Operation: "CREATE_WORKLIST_ITEM.v1",
		BusinessProcessName: "BP", ActivityName: "A", EventName: "E", WorklistName: "W", OperatorID: "VP1", Updated: now}
	for _, step := range []struct {
		state State
		txid  string
	}{{StatePending, ""}, {StatePending, ""}, {StateAccepted, "T-1"}} {
		rec.State, rec.IBTransactionID = step.state, step.txid
		if err := j.Record(rec); err != nil {
			t.Fatal(err)
		}
	}
	got, err := j.Lookup("gw PTEST", "R-1")
	if err != nil || got == nil || got.State != StateAccepted || got.IBTransactionID != "T-1" || got.WorklistName != "W" || got.OperatorID != "VP1" ||
		got.Fingerprint != "fp" || got.Created.IsZero() {
		t.Fatalf("lookup %+v %v", got, err)
	}
	// The row as psib's journal shows it: found by the RequestMessageID,
	// two attempts.
	rows, err := pj.Find(context.Background(), "R-1")
	if err != nil || len(rows) != 1 || rows[0].Attempts != 2 || rows[0].State != journal.StateAccepted || rows[0].SentAt.IsZero() {
		t.Fatalf("journal rows %+v %v", rows, err)
	}
	// Another id with the same content: Find returns the newest.
	rec.RequestMessageID, rec.State = "R-2", StateRejected
	if err := j.Record(rec); err != nil {
		t.Fatal(err)
	}
	if e, _ := j.Find("gw PTEST", "fp"); e == nil || e.RequestMessageID != "R-2" || e.State != StateRejected {
		t.Errorf("find newest: %+v", e)
	}
	if e, _ := j.Find("other PTEST", "fp"); e != nil {
		t.Errorf("other scope: %+v", e)
	}
	if e, err := j.Lookup("gw PTEST", "NOPE"); e != nil || err != nil {
		t.Errorf("unknown id: %+v %v", e, err)
	}
}
