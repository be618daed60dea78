package journal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func openNew(t *testing.T) (*Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "psib", "journal.db")
	j, err := Open(path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

func entry(key string) *Entry {
	return &Entry{Key: key, RunID: 1, Operation: "CHG_ASYNC_UTEST.v1", Target: "http://127.0.0.1:1/PSIGW PTEST->HRMS",
		Input: key + ".xml", ContentSHA256: "aa", Bytes: 10, ExternalMessageID: "psib-" + key, State: StateInFlight, Attempts: 1}
}

func TestCreateWriteReopen(t *testing.T) {
	j, path := openNew(t)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal file: %v %v (want mode 0600)", fi, err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("journal directory mode: %v %v (want 0700)", fi, err)
	}
	run := &Run{Operation: "CHG_ASYNC_UTEST.v1", Target: "t", Command: "publish CHG_ASYNC_UTEST.v1 a.xml"}
	if err := j.StartRun(run); err != nil || run.ID != 1 {
		t.Fatalf("StartRun: id %d, %v", run.ID, err)
	}
	e := entry("a")
	prior, written, err := j.Claim(e, nil)
	if err != nil || prior != nil || !written || e.ID == 0 {
		t.Fatalf("Claim: prior %v written %v id %d err %v", prior, written, e.ID, err)
	}
	e.State, e.TransactionID, e.AcceptedAt = StateAccepted, "txn-1", time.Now()
	if err := j.Record(*e); err != nil {
		t.Fatal(err)
	}
	run.State, run.Counts = RunFinished, Counts{Total: 1, Accepted: 1}
	if err := j.EndRun(run); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	ctx := context.Background()
	for _, ref := range []string{fmt.Sprint(e.ID), "psib-a", "txn-1", e.Key} {
		got, err := j2.Find(ctx, ref)
		if err != nil || len(got) != 1 {
			t.Fatalf("Find(%q): %v %v", ref, got, err)
		}
		g := got[0]
		if g.State != StateAccepted || g.TransactionID != "txn-1" || g.Attempts != 1 || g.AcceptedAt.IsZero() || g.CreatedAt.IsZero() || g.Input != "a.xml" {
			t.Errorf("Find(%q) = %+v", ref, g)
		}
	}
	if _, err := j2.Find(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(nope) = %v, want ErrNotFound", err)
	}
	runs, err := j2.Runs(ctx, 0)
	if err != nil || len(runs) != 1 || runs[0].State != RunFinished || runs[0].Counts.Accepted != 1 || runs[0].FinishedAt.IsZero() {
		t.Fatalf("Runs: %+v %v", runs, err)
	}
	if r, err := j2.GetRun(ctx, 1); err != nil || r.Command != run.Command {
		t.Errorf("GetRun: %+v %v", r, err)
	}
	if _, err := j2.GetRun(ctx, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRun(9) = %v", err)
	}
	counts, err := j2.StateCounts(ctx)
	if err != nil || counts[StateAccepted] != 1 {
		t.Errorf("StateCounts: %v %v", counts, err)
	}
}

func TestClaimDecide(t *testing.T) {
	j, _ := openNew(t)
	e := entry("k")
	if _, _, err := j.Claim(e, nil); err != nil {
		t.Fatal(err)
	}
	e.State = StateUnknown
	e.Attempts = 2
	if err := j.Update(*e); err != nil {
		t.Fatal(err)
	}

	// The same key again: decide sees the row (after a first call with nil,
	// the new-message guess), and can refuse.
	var seen []*Entry
	again := entry("k")
	prior, written, err := j.Claim(again, func(p, en *Entry) bool {
		seen = append(seen, p)
		return p == nil
	})
	if err != nil || written || prior == nil || prior.State != StateUnknown || prior.Attempts != 2 {
		t.Fatalf("Claim refused: prior %+v written %v err %v", prior, written, err)
	}
	if len(seen) != 2 || seen[0] != nil || seen[1] == nil {
		t.Errorf("decide calls: %v", seen)
	}
	// Accept: the row is replaced, id and creation time kept.
	again = entry("k")
	again.RunID = 2
	_, written, err = j.Claim(again, func(p, en *Entry) bool {
		if p != nil {
			en.Attempts = p.Attempts + 1
		}
		return true
	})
	if err != nil || !written || again.ID != e.ID || again.CreatedAt.IsZero() {
		t.Fatalf("Claim replace: written %v id %d/%d err %v", written, again.ID, e.ID, err)
	}
	got, _ := j.Find(context.Background(), e.Key)
	if got[0].Attempts != 3 || got[0].RunID != 2 || got[0].State != StateInFlight {
		t.Errorf("row after replace: %+v", got[0])
	}
	// A decide that refuses a new message writes nothing.
	_, written, err = j.Claim(entry("new"), func(p, en *Entry) bool { return false })
	if err != nil || written {
		t.Errorf("refused new: written %v err %v", written, err)
	}
	if _, err := j.Find(context.Background(), "psib-new"); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused new message was written: %v", err)
	}
	if _, _, err := j.Claim(&Entry{Key: "x", State: "bogus"}, nil); err == nil {
		t.Error("a bad state was accepted")
	}
}

// TestGroupCommit: concurrent claims and records all land, committed in
// fewer transactions than writes.
func TestGroupCommit(t *testing.T) {
	j, _ := openNew(t)
	const n, workers = 400, 16
	var wg sync.WaitGroup
	ch := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				e := entry(fmt.Sprintf("m%04d", i))
				if _, _, err := j.Claim(e, nil); err != nil {
					t.Error(err)
					return
				}
				e.State, e.TransactionID = StateAccepted, fmt.Sprintf("txn-%d", i)
				if err := j.Record(*e); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	if err := j.Flush(); err != nil {
		t.Fatal(err)
	}
	counts, err := j.StateCounts(context.Background())
	if err != nil || counts[StateAccepted] != n || len(counts) != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
	// ClaimAll commits a batch together.
	var es []*Entry
	for i := 0; i < 50; i++ {
		es = append(es, entry(fmt.Sprintf("b%02d", i)))
	}
	es = append(es, entry("m0001")) // already there
	priors, written, err := j.ClaimAll(es, func(p, en *Entry) bool { return p == nil })
	if err != nil {
		t.Fatal(err)
	}
	for i := range es {
		wantNew := i < 50
		if written[i] != wantNew || (priors[i] == nil) != wantNew {
			t.Errorf("ClaimAll[%d]: written %v prior %v", i, written[i], priors[i])
		}
	}
}

func TestListFilters(t *testing.T) {
	j, _ := openNew(t)
	for i, st := range []State{StateAccepted, StateUnknown, StateAccepted, StateFailed} {
		e := entry(fmt.Sprintf("l%d", i))
		e.RunID = int64(1 + i%2)
		if _, _, err := j.Claim(e, nil); err != nil {
			t.Fatal(err)
		}
		e.State = st
		if err := j.Update(*e); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	keys := func(f Filter) string {
		var out []string
		if err := j.List(ctx, f, func(e *Entry) error { out = append(out, e.Input); return nil }); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "l0.xml,l1.xml,l2.xml,l3.xml"},
		{Filter{State: StateAccepted}, "l0.xml,l2.xml"},
		{Filter{RunID: 2}, "l1.xml,l3.xml"},
		{Filter{Limit: 2}, "l2.xml,l3.xml"},
		{Filter{Operation: "OTHER"}, ""},
	} {
		if got := keys(tt.f); got != tt.want {
			t.Errorf("List(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestMissingJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	_, err := Open(path, Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Open missing = %v", err)
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		t.Error("a journal was created without Options.Create")
	}
	if _, err := Open(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Open(dir) = %v", err)
	}
}

// TestCorruptNeverRecreated: whatever is wrong with the file, Open says so
// clearly and leaves it byte for byte as it was.
func TestCorruptNeverRecreated(t *testing.T) {
	good := func(t *testing.T) []byte {
		j, path := openNew(t)
		for i := 0; i < 300; i++ {
			e := entry(fmt.Sprintf("c%03d", i))
			e.LastError = strings.Repeat("x", 200)
			if _, _, err := j.Claim(e, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	otherSQLite := func(t *testing.T) []byte {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		b, _ := os.ReadFile(path)
		return b
	}
	for _, tt := range []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{"empty file", func(*testing.T) []byte { return nil }, "the file is empty"},
		{"text", func(*testing.T) []byte { return []byte("this is not a database\n") }, "not a SQLite database"},
		{"other SQLite database", otherSQLite, "not a psib journal"},
		{"header only", func(t *testing.T) []byte { return good(t)[:100] }, "unusable"},
		{"damaged pages", func(t *testing.T) []byte {
			b := good(t)
			for i := 4096 + 8; i < len(b); i += 97 {
				b[i] ^= 0x5a
			}
			return b
		}, "unusable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.db")
			data := tt.data(t)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := Open(path, Options{Create: true})
			if err == nil {
				j.Close()
				t.Fatal("Open accepted a corrupt journal")
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v, want *CorruptError", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "never repairs or recreates") || !strings.Contains(msg, "mv "+path) {
				t.Errorf("message %q lacks %q and what to do", msg, tt.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, data) {
				t.Error("the corrupt file was changed")
			}
			if _, err := os.Stat(path + "-wal"); err == nil {
				t.Error("a -wal file was created next to the corrupt journal")
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/st", "HOME": "/h"}, "/st/psib/journal.db"},
		{map[string]string{"XDG_STATE_HOME": "rel", "HOME": "/h"}, "/h/.local/state/psib/journal.db"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/psib/journal.db"},
		{map[string]string{}, ""},
	} {
		got, err := DefaultPath(env(tt.env))
		if filepath.ToSlash(got) != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("DefaultPath(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

func TestEntryJSON(t *testing.T) {
	e := entry("j")
	e.ID, e.LastError = 7, "reset <after> & more"
	e.CreatedAt = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":7`, `"state":"in-flight"`, `"created_at":"2026-03-01T09:30:00Z"`, `"accepted_at":null`, `"last_error":"reset <after> & more"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// BenchmarkClaimRecord is the journal's cost per message as psib publish
// pays it: claims in batches of 256 (publish claims up to 256 ahead of its
// senders) and an outcome record each, with psib's keys, digests and ids.
//
//	go test ./pkg/journal -run '^$' -bench ClaimRecord -benchtime 20000x
func BenchmarkClaimRecord(b *testing.B) {
	j, err := Open(filepath.Join(b.TempDir(), "j.db"), Options{Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 256 {
		claimAccept(b, j, i, min(i+256, b.N))
	}
	if err := j.Flush(); err != nil {
		b.Fatal(err)
	}
}

// claimAccept claims messages from to end (digestEntry) in one ClaimAll,
// as publish does, and records each accepted.
func claimAccept(tb testing.TB, j *Journal, from, end int) {
	var es []*Entry
	for k := from; k < end; k++ {
		es = append(es, digestEntry(k))
	}
	if _, _, err := j.ClaimAll(es, nil); err != nil {
		tb.Fatal(err)
	}
	for k, e := range es {
		e.State, e.TransactionID, e.AcceptedAt = StateAccepted, fmt.Sprintf("txn-%d", from+k), time.Now()
		if err := j.Record(*e); err != nil {
			tb.Fatal(err)
		}
	}
}

// digestEntry is message i as psib publish claims it: key, content digest
// and ExternalMessageID are digests.
func digestEntry(i int) *Entry {
	hexOf := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	return &Entry{Key: "psib-" + hexOf(fmt.Sprint("key", i))[:40], RunID: 1, Operation: "CHG_ASYNC_UTEST.v1",
		Target: "http://127.0.0.1:34567/PSIGW PTEST->HRMS", Input: fmt.Sprintf("batch.ndjson:%d", i+1),
		ContentSHA256: hexOf(fmt.Sprint("content", i)), Bytes: 62, ExternalMessageID: "psib-" + hexOf(fmt.Sprint("id", i))[:40],
		State: StateInFlight, Attempts: 1}
}

// TestClaimAllMultiRow: claims written with multi-row statements behave as
// one-by-one claims: a key twice in the batch (the second sees the first),
// keys already there, new rows decide refuses, and batches across every
// chunk size (1, 8, 32, 128 and remainders), rows that differ only in their
// own values (one statement binds the rest once) and rows that differ in
// more (n=33: attempts vary).
func TestClaimAllMultiRow(t *testing.T) {
	j, _ := openNew(t)
	ctx := context.Background()
	if _, _, err := j.Claim(entry("old"), nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 7, 8, 33, 128, 301, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49} {
		var es []*Entry
		for i := 0; i < n; i++ {
			es = append(es, entry(fmt.Sprintf("n%d-%03d", n, i)))
			es[i].ContentSHA256 = fmt.Sprintf("%064x", i)
			es[i].Bytes = int64(100 + i)
			if n >= 40 && i%5 == 3 {
				// Rows that differ in one value the shared form binds once.
				e := es[i]
				switch n - 40 {
				case 0:
					e.Attempts = 2
				case 1:
					e.RunID = 2
				case 2:
					e.Operation = "OTHER.v1"
				case 3:
					e.State = StatePending
				case 4:
					e.TransactionID = "t"
				case 5:
					e.SentAt = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
				case 6:
					e.LastError = "e"
				case 7:
					e.Target = "other target"
				case 8:
					e.HTTPStatus = 500
				case 9:
					e.Duplicate = true
				}
			}
		}
		// Mixed in: a key twice, a key already there, and one decide
		// refuses as new.
		es = append(es, entry(fmt.Sprintf("n%d-%03d", n, 0)), entry("old"), entry(fmt.Sprintf("refused-%d", n)))
		var calls []string
		priors, written, err := j.ClaimAll(es, func(p, en *Entry) bool {
			calls = append(calls, fmt.Sprintf("%s:%v", en.Key, p != nil))
			if strings.HasPrefix(en.Key, "refused") {
				return false
			}
			if p != nil {
				en.Attempts = p.Attempts + 1 // a resend
			}
			return true
		})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		ids := map[int64]bool{}
		for i := 0; i < n; i++ {
			if !written[i] || priors[i] != nil || es[i].ID == 0 || ids[es[i].ID] {
				t.Fatalf("n=%d new[%d]: written %v prior %v id %d", n, i, written[i], priors[i], es[i].ID)
			}
			ids[es[i].ID] = true
			// Each claim has its own row (es[0]'s was claimed again by dup).
			got, err := j.Find(ctx, es[i].Key)
			if err != nil || len(got) != 1 {
				t.Fatalf("n=%d new[%d]: %v %v", n, i, got, err)
			}
			want := *es[i]
			if i == 0 {
				want = *es[n] // the second claim of the key rewrote the row
			}
			if g := *got[0]; g.ID != want.ID || g.RunID != want.RunID || g.Operation != want.Operation || g.Target != want.Target ||
				g.Input != want.Input || g.ContentSHA256 != want.ContentSHA256 || g.Bytes != want.Bytes ||
				g.ExternalMessageID != want.ExternalMessageID || g.State != want.State || g.TransactionID != want.TransactionID ||
				g.Attempts != want.Attempts || g.HTTPStatus != want.HTTPStatus || g.Duplicate != want.Duplicate ||
				g.LastError != want.LastError || !g.SentAt.Equal(want.SentAt) || !g.AcceptedAt.Equal(want.AcceptedAt) {
				t.Fatalf("n=%d new[%d]: claimed %+v\nstored %+v", n, i, want, g)
			}
		}
		dup, old, refused := n, n+1, n+2
		if !written[dup] || priors[dup] == nil || es[dup].ID != es[0].ID || es[dup].Attempts != 2 {
			t.Errorf("n=%d: the second claim of a key: written %v prior %v id %d (first %d) attempts %d",
				n, written[dup], priors[dup], es[dup].ID, es[0].ID, es[dup].Attempts)
		}
		if !written[old] || priors[old] == nil || priors[old].Key != "old" {
			t.Errorf("n=%d: a key already there: written %v prior %v", n, written[old], priors[old])
		}
		if written[refused] || priors[refused] != nil {
			t.Errorf("n=%d: refused new: written %v prior %v", n, written[refused], priors[refused])
		}
		if _, err := j.Find(ctx, "psib-refused-"+fmt.Sprint(n)); !errors.Is(err, ErrNotFound) {
			t.Errorf("n=%d: the refused message was written: %v", n, err)
		}
		got, err := j.Find(ctx, es[0].Key)
		if err != nil || len(got) != 1 || got[0].Attempts != 2 {
			t.Errorf("n=%d: the key claimed twice: %+v %v", n, got, err)
		}
		// Outcomes, one entry recorded twice: the last wins.
		recorded := map[int]Entry{}
		for i := 0; i < n; i++ {
			e := *es[i]
			if i == 0 {
				e = *es[n]
			}
			e.State, e.TransactionID = StateAccepted, fmt.Sprintf("txn-%d-%d", n, i)
			e.AcceptedAt = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
			if n >= 40 && i%5 == 2 {
				switch n - 40 {
				case 0:
					e.Attempts = 3
				case 1:
					e.HTTPStatus = 200
				case 2:
					e.Duplicate = true
				case 3:
					e.LastError = "x"
				case 4:
					e.State = StateFailed
				}
			}
			recorded[i] = e
			if err := j.Record(e); err != nil {
				t.Fatal(err)
			}
		}
		last := *es[1%n]
		last.State, last.TransactionID, last.LastError = StateRejected, "", "second outcome"
		recorded[1%n] = last
		if err := j.Record(last); err != nil {
			t.Fatal(err)
		}
		if err := j.Flush(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			got, err := j.Find(ctx, es[i].Key)
			if err != nil || len(got) != 1 {
				t.Fatalf("n=%d find %d: %v", n, i, err)
			}
			want := recorded[i]
			if g := got[0]; g.State != want.State || g.TransactionID != want.TransactionID || g.UpdatedAt.IsZero() ||
				!g.AcceptedAt.Equal(want.AcceptedAt) || g.Duplicate != want.Duplicate || g.HTTPStatus != want.HTTPStatus ||
				g.Attempts != want.Attempts || g.LastError != want.LastError {
				t.Fatalf("n=%d row %d: recorded %+v\nstored %+v", n, i, want, *g)
			}
		}
	}
}

// TestClaimAllNearMaxID: once the largest id is the maximum, SQLite gives
// new rows random ids; claims must still get their own rows' ids.
func TestClaimAllNearMaxID(t *testing.T) {
	j, _ := openNew(t)
	ctx := context.Background()
	if _, _, err := j.Claim(entry("top"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := j.db.ExecContext(ctx, "UPDATE messages SET id = 9223372036854775807"); err != nil {
		t.Fatal(err)
	}
	var es []*Entry
	for i := 0; i < 9; i++ {
		es = append(es, entry(fmt.Sprintf("near-%d", i)))
	}
	es = append(es, entry("near-0"), entry("top"))
	_, written, err := j.ClaimAll(es, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range es {
		got, err := j.Find(ctx, e.Key)
		if err != nil || len(got) != 1 || !written[i] || got[0].ID != e.ID {
			t.Fatalf("claim %d (%s): id %d written %v; stored %+v %v", i, e.Key, e.ID, written[i], got, err)
		}
	}
}

// TestFailedWriteNoDeadlock: when a queued write fails while senders fill
// the queue, every caller returns and Flush reports the failure (the
// writer used to wait for a lock those senders held).
func TestFailedWriteNoDeadlock(t *testing.T) {
	j, _ := openNew(t)
	done := make(chan error, 1)
	go func() {
		// A claim whose decide holds the writer, so that the queue fills.
		inDecide, slow := make(chan struct{}), make(chan struct{})
		go func() {
			_, _, _ = j.Claim(entry("slow"), func(p, en *Entry) bool {
				if p == nil {
					close(inDecide)
					<-slow
				}
				return true
			})
		}()
		<-inDecide
		if err := j.Record(Entry{Key: "no-id", State: StateAccepted}); err != nil { // fails in the writer: no id
			done <- err
			return
		}
		var wg sync.WaitGroup
		for i := 0; i < 3*maxBatch; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := entry(fmt.Sprintf("q%04d", i))
				e.ID = int64(i + 1000)
				_ = j.Record(*e)
			}()
		}
		// Release the writer once the queue is full, senders waiting.
		for len(j.ops) < cap(j.ops) {
			runtime.Gosched()
		}
		close(slow)
		wg.Wait()
		done <- j.Flush()
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "without an id") {
			t.Fatalf("Flush after a failed write: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the journal deadlocked after a failed queued write")
	}
}

// TestClaimAllRefusedThenNew: a claim decide refuses as new, followed by a
// new claim of the same key in one batch, behaves as one by one: the first
// finds no row and writes nothing; the second inserts.
func TestClaimAllRefusedThenNew(t *testing.T) {
	j, _ := openNew(t)
	a, b := entry("k"), entry("k")
	_, written, err := j.ClaimAll([]*Entry{a, b}, func(p, en *Entry) bool {
		if en == a {
			return p != nil // only over an existing row
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if written[0] || !written[1] || b.ID == 0 {
		t.Fatalf("written %v, ids %d %d", written, a.ID, b.ID)
	}
}

// TestCloseStamp: a journal left as a clean Close left it opens without
// the full integrity check; one changed since (written by hand, damaged,
// replaced) or with a pending write-ahead log is checked again.
func TestCloseStamp(t *testing.T) {
	j, path := openNew(t)
	for i := 0; i < 50; i++ {
		if _, _, err := j.Claim(entry(fmt.Sprintf("s%02d", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-checked"); err != nil {
		t.Fatalf("no stamp after a clean close: %v", err)
	}
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.checked {
		t.Error("an unchanged journal was checked again")
	}
	// Still open (its log pending): another Open checks.
	if _, _, err := j.Claim(entry("open"), nil); err != nil {
		t.Fatal(err)
	}
	j2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !j2.checked {
		t.Error("a journal with a pending write-ahead log was not checked")
	}
	j2.Close()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	// Replaced after the close by a damaged copy of the same size, given
	// the old modification time (as cp -p then mv would): the inode and
	// the change time tell (where the platform has them).
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096 + 8; i < len(b); i += 97 {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(path+".copy", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path+".copy", fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".copy", path); err != nil {
		t.Fatal(err)
	}
	if j, err := Open(path, Options{}); err == nil {
		j.Close()
		t.Fatal("a journal damaged after its clean close was opened")
	} else if ce := (*CorruptError)(nil); !errors.As(err, &ce) {
		t.Fatalf("error %v, want a *CorruptError", err)
	}
}

// TestCloseStampNotAfterDamage: a session that met damage, or never
// checked the file, leaves no stamp behind.
func TestCloseStampNotAfterDamage(t *testing.T) {
	j, path := openNew(t)
	if _, _, err := j.Claim(entry("a"), nil); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-checked"); err != nil {
		t.Fatalf("no stamp after a clean close: %v", err)
	}
	// Opened without the check and without a matching stamp: no stamp.
	if err := os.WriteFile(path+"-checked", []byte("psib journal 0 0 0 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(path, Options{SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-checked"); err == nil {
		t.Error("a journal opened unchecked was stamped")
	}
	// Damage reported during the session: no stamp either.
	j, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = j.wrap("read", fakeSQLiteError{code: sqliteCorrupt})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-checked"); err == nil {
		t.Error("a journal that reported damage was stamped")
	}
}

// fakeSQLiteError is an error with a SQLite result code.
type fakeSQLiteError struct{ code int }

func (e fakeSQLiteError) Error() string { return fmt.Sprintf("sqlite error %d", e.code) }
func (e fakeSQLiteError) Code() int     { return e.code }

// TestCheckpointerCopiesLog: the checkpointer copies the write-ahead log
// into the database while the writer goes on, and what both wrote is all
// there after Close.
func TestCheckpointerCopiesLog(t *testing.T) {
	j, path := openNew(t)
	type ckpt struct{ logFrames, copied int }
	calls := make(chan ckpt, 100)
	j.checkpointRows = 64
	j.checkpointed = func(logFrames, copied int) {
		select {
		case calls <- ckpt{logFrames, copied}:
		default:
		}
	}
	const n = 1000
	for i := 0; i < n; i += 100 {
		claimAccept(t, j, i, i+100)
		if err := j.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	close(calls)
	copied := 0
	for c := range calls {
		copied += c.copied
	}
	if copied == 0 {
		t.Fatal("the checkpointer copied no page of the log")
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the log is still there after Close: %v", err)
	}
	j2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	counts, err := j2.StateCounts(context.Background())
	if err != nil || counts[StateAccepted] != n {
		t.Fatalf("StateCounts: %v %v; want %d accepted", counts, err, n)
	}
}
