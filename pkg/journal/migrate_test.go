package journal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// schema1SQL is the journal schema psib wrote before schema 2 (times and
// digests as text), kept to test the upgrade.
const schema1SQL = `
CREATE TABLE runs (
	id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL DEFAULT '', operation TEXT NOT NULL,
	target TEXT NOT NULL, command TEXT NOT NULL, state TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0,
	accepted INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
	unknown INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, not_sent INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE messages (
	id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, run_id INTEGER NOT NULL, operation TEXT NOT NULL, target TEXT NOT NULL,
	input TEXT NOT NULL, content_sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, external_message_id TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending','in-flight','accepted','rejected','failed','unknown')),
	transaction_id TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, http_status INTEGER NOT NULL DEFAULT 0,
	duplicate INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL, sent_at TEXT NOT NULL DEFAULT '', accepted_at TEXT NOT NULL DEFAULT ''
);
`

// writeSchema1 makes a schema-1 journal at path with one finished run and
// the given messages.
func writeSchema1(t *testing.T, path string, msgs []Entry) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{fmt.Sprintf("PRAGMA application_id = %d", applicationID), "PRAGMA user_version = 1", schema1SQL,
		`INSERT INTO runs VALUES (1, '2026-03-01T09:30:00.123456Z', '2026-03-01T09:31:00.000001Z', 'CHG_ASYNC_UTEST.v1',
		'http://gw/PSIGW PTEST->HRMS', 'psib publish CHG_ASYNC_UTEST.v1 dir', 'finished', 3, 2, 1, 0, 0, 0, 0)`}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	text := func(tm time.Time) string {
		if tm.IsZero() {
			return ""
		}
		return tm.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	for _, e := range msgs {
		if _, err := db.Exec(`INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Key, e.RunID, e.Operation, e.Target, e.Input, e.ContentSHA256, e.Bytes, e.ExternalMessageID, string(e.State),
			e.TransactionID, e.Attempts, e.HTTPStatus, e.Duplicate, e.LastError, text(e.CreatedAt), text(e.UpdatedAt),
			text(e.SentAt), text(e.AcceptedAt)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpgradeSchema1: a journal written by an older psib is upgraded when
// opened, losing nothing: every field reads back the same, psib's digests
// now stored as bytes and times as integers, other keys as text; a claim
// of a message already there still finds it.
func TestUpgradeSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	msgs := []Entry{
		{ID: 1, Key: "psib-798fbca4800a9d2591928683785b8be8fee2ce58", RunID: 1, Operation: "CHG_ASYNC_UTEST.v1",
			Target: "http://gw/PSIGW PTEST->HRMS", Input: "dir/a.xml", Bytes: 61,
			ContentSHA256:     "6974771a1853020d483cbf70d3f0dd437ed69ba2bbd395461ed4e87e7ca74790",
			ExternalMessageID: "psib-c0450c3c9469e632109613003d04ccc73a61d0e0", State: StateAccepted, TransactionID: "8d7f-11",
			Attempts: 1, HTTPStatus: 200, CreatedAt: at("2026-03-01T09:30:00.5Z"), UpdatedAt: at("2026-03-01T09:30:00.600001Z"),
			SentAt: at("2026-03-01T09:30:00.500002Z"), AcceptedAt: at("2026-03-01T09:30:00.600001Z")},
		{ID: 2, Key: "psib-0000000000000000000000000000000000000000", RunID: 1, Operation: "CHG_ASYNC_UTEST.v1",
			Target: "http://gw/PSIGW PTEST->HRMS", Input: "dir/b.xml", Bytes: 3, ContentSHA256: "not hex at all",
			ExternalMessageID: "my-own-id", State: StateRejected, Attempts: 1, HTTPStatus: 200, LastError: "(158,45) refused",
			CreatedAt: at("2026-03-01T09:30:01Z"), UpdatedAt: at("2026-03-01T09:30:02Z")},
		// A worklist key and upper-case hex: kept as text.
		{ID: 5, Key: "wl|HRMS|REQ-1", Operation: "PT_WORKLIST", Target: "HRMS", Input: "{}", Bytes: 2,
			ContentSHA256: "6974771A1853020D483CBF70D3F0DD437ED69BA2BBD395461ED4E87E7CA74790", ExternalMessageID: "",
			State: StateInFlight, Attempts: 2, Duplicate: true, CreatedAt: at("2026-03-01T09:30:03Z"), UpdatedAt: at("2026-03-01T09:30:03Z")},
	}
	writeSchema1(t, path, msgs)

	j, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a schema-1 journal: %v", err)
	}
	ctx := context.Background()
	var got []Entry
	if err := j.List(ctx, Filter{}, func(e *Entry) error { got = append(got, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, msgs) {
		t.Errorf("messages after the upgrade:\n got %+v\nwant %+v", got, msgs)
	}
	runs, err := j.Runs(ctx, 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs: %v %v", runs, err)
	}
	if r := runs[0]; !r.StartedAt.Equal(at("2026-03-01T09:30:00.123456Z")) || !r.FinishedAt.Equal(at("2026-03-01T09:31:00.000001Z")) ||
		r.Counts != (Counts{Total: 3, Accepted: 2, Rejected: 1}) || r.Command != "psib publish CHG_ASYNC_UTEST.v1 dir" {
		t.Errorf("run after the upgrade: %+v", r)
	}
	for _, ref := range []string{msgs[0].Key, msgs[2].Key, "8d7f-11", "my-own-id"} {
		if found, err := j.Find(ctx, ref); err != nil || len(found) != 1 {
			t.Errorf("Find(%q): %v %v", ref, found, err)
		}
	}
	// A re-run's claim sees the accepted message.
	again := msgs[0]
	again.ID, again.State = 0, StateInFlight
	prior, written, err := j.Claim(&again, func(prior, e *Entry) bool { return prior == nil })
	if err != nil || written || prior == nil || prior.ID != 1 || prior.State != StateAccepted {
		t.Errorf("Claim after the upgrade: prior %+v written %v err %v", prior, written, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	var keyType, digestType, timeType string
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != SchemaVersion {
		t.Errorf("user_version %d %v, want %d", version, err, SchemaVersion)
	}
	if err := db.QueryRow("SELECT typeof(key), typeof(content_sha256), typeof(created_at) FROM messages WHERE id = 1").Scan(&keyType, &digestType, &timeType); err != nil ||
		keyType != "blob" || digestType != "blob" || timeType != "integer" {
		t.Errorf("stored types %s %s %s (%v), want blob blob integer", keyType, digestType, timeType, err)
	}
	if err := db.QueryRow("SELECT typeof(key), typeof(content_sha256) FROM messages WHERE id = 5").Scan(&keyType, &digestType); err != nil ||
		keyType != "text" || digestType != "text" {
		t.Errorf("stored types of other values %s %s (%v), want text text", keyType, digestType, err)
	}
	// What an older psib still running on the file would write is refused.
	for _, q := range []string{
		`UPDATE messages SET updated_at = '2026-03-01T09:30:09.000000Z' WHERE id = 1`,
		`INSERT INTO runs (started_at, operation, target, command, state) VALUES ('2026-03-01T09:30:09.000000Z', 'o', 't', 'c', 'running')`,
		`INSERT INTO messages (key, run_id, operation, target, input, content_sha256, bytes, external_message_id, state, created_at, updated_at)
		 VALUES ('psib-x', 1, 'o', 't', 'i', 'aa', 1, 'e', 'in-flight', '2026-03-01T09:30:09.000000Z', '2026-03-01T09:30:09.000000Z')`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("%s: %v, want a CHECK constraint failure", q, err)
		}
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, k := range []string{"psib-798fbca4800a9d2591928683785b8be8fee2ce58", "psib-798FBCA4800A9D2591928683785B8BE8FEE2CE58",
		"psib-798fbca4800a9d2591928683785b8be8fee2ce5", "wl|a|b", "", "psib-zz8fbca4800a9d2591928683785b8be8fee2ce58",
		"0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0123456789abcdef", "0F1E2D3C4B5A69788796A5B4C3D2E1F00123456789ABCDEF0123456789ABCDEF",
		"0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0123456789abcdeg", "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0123456789abcde/",
		"g01e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0123456789abcdef"} {
		if got := keyFromDB(dbKey(k)); got != k {
			t.Errorf("key %q reads back %q", k, got)
		}
		if got := digestFromDB(dbDigest(k)); got != k {
			t.Errorf("digest %q reads back %q", k, got)
		}
	}
	// psib's own digests are stored as bytes.
	if _, ok := dbKey("psib-798fbca4800a9d2591928683785b8be8fee2ce58").([]byte); !ok {
		t.Error("a psib key is not stored as bytes")
	}
	if _, ok := dbDigest("0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0123456789abcdef").([]byte); !ok {
		t.Error("a SHA-256 is not stored as bytes")
	}
	for _, tm := range []time.Time{{}, time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)} {
		if got := timeFromDB(dbTime(tm)); !got.Equal(tm) {
			t.Errorf("time %v reads back %v", tm, got)
		}
	}
}
