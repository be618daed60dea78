package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// applicationID marks a SQLite file as a psib journal ("psib" in ASCII),
// in the database header (PRAGMA application_id).
const applicationID = 0x70736962

// SchemaVersion is the journal schema this psib reads and writes (PRAGMA
// user_version). A journal with a newer schema is refused; one with an
// older schema is upgraded when it is opened (see migrate.go).
const SchemaVersion = 2

// State is where a message stands.
type State string

// Message states.
const (
	// StatePending: known, nothing delivered yet (claimed, then stopped
	// before the request went out).
	StatePending State = "pending"
	// StateInFlight: a request is (or was, if psib died) on the wire; the
	// message may have been delivered.
	StateInFlight State = "in-flight"
	// StateAccepted: the gateway acknowledged it with a transaction id.
	StateAccepted State = "accepted"
	// StateRejected: the gateway answered with an error; it was not
	// accepted.
	StateRejected State = "rejected"
	// StateFailed: nothing was delivered (or the gateway failed with an
	// HTTP error) and psib gave up.
	StateFailed State = "failed"
	// StateUnknown: sent, no answer: it may have been processed.
	StateUnknown State = "unknown"
)

// States returns every state, in the order of a message's life.
func States() []State {
	return []State{StatePending, StateInFlight, StateAccepted, StateRejected, StateFailed, StateUnknown}
}

// Valid reports whether s is one of States().
func (s State) Valid() bool {
	for _, v := range States() {
		if s == v {
			return true
		}
	}
	return false
}

// Entry is one message's row.
type Entry struct {
	// ID is the row id, set by the journal.
	ID int64
	// Key identifies the message across runs (operation, target and
	// content, as the caller derives it). Unique.
	Key string
	// RunID is the last run that wrote the row.
	RunID int64
	// Operation is the service operation (external alias).
	Operation string
	// Target is the gateway and nodes, e.g.
	// "http://127.0.0.1:8000/PSIGW PTEST->HRMS"; never with a password.
	Target string
	// Input names where the message came from: a file, FILE:LINE for
	// NDJSON, or <stdin>.
	Input string
	// ContentSHA256 is the hex SHA-256 of the payload as sent.
	ContentSHA256 string
	// Bytes is the payload's size.
	Bytes int64
	// ExternalMessageID is the id sent with the message; "" when none was.
	ExternalMessageID string
	// State is where the message stands.
	State State
	// TransactionID is the gateway's transaction id once accepted.
	TransactionID string
	// Attempts counts requests sent for the message, over all runs.
	Attempts int
	// HTTPStatus is the last answer's HTTP status (0 when none came).
	HTTPStatus int
	// Duplicate is set when the gateway answered that it already had the
	// message (duplicate suppression by ExternalMessageID).
	Duplicate bool
	// LastError is the last failure, as psib reported it ("" when none).
	LastError string
	// CreatedAt is when the row was first written; UpdatedAt the last
	// write (both set by the journal).
	CreatedAt, UpdatedAt time.Time
	// SentAt is the first request; AcceptedAt the acknowledgement (zero
	// when not yet).
	SentAt, AcceptedAt time.Time
}

// Run is one psib publish invocation.
type Run struct {
	// ID is the run id, set by the journal.
	ID int64
	// StartedAt and FinishedAt bound the run (FinishedAt zero while it
	// runs, or when psib died).
	StartedAt, FinishedAt time.Time
	// Operation and Target as in Entry.
	Operation, Target string
	// Command describes the invocation without secrets, e.g.
	// "publish CHG_ASYNC_UTEST.v1 msgs/".
	Command string
	// State is "running", "finished" or "interrupted".
	State string
	// Counts are the run's outcomes (written when it ends).
	Counts Counts
}

// Run states.
const (
	RunRunning     = "running"
	RunFinished    = "finished"
	RunInterrupted = "interrupted"
)

// Counts are the outcomes of a run.
type Counts struct {
	Total, Accepted, Rejected, Failed, Unknown, Skipped, NotSent int
}

// Options configure Open.
type Options struct {
	// Create makes a new journal when there is none at the path (and its
	// directory, mode 0700). Without it a missing journal is an error
	// that wraps fs.ErrNotExist.
	Create bool
	// SkipCheck skips the integrity check at open (PRAGMA quick_check).
	SkipCheck bool
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
}

// Journal is an open journal. Its methods are safe for concurrent use.
type Journal struct {
	path string
	abs  string // absolute path, for the check stamp
	// checked: Open ran the integrity check (the file was not as the
	// last clean Close left it). trusted: the file was checked, or was as
	// the last clean Close left it; damaged: SQLite reported damage since.
	// Close stamps the file only when it is trusted and not damaged.
	checked, trusted bool
	damaged          atomic.Bool
	db               *sql.DB
	now              func() time.Time

	startOnce sync.Once
	conn      *sql.Conn // the writer's connection
	stmts     stmts
	ops       chan *op
	writerEnd chan struct{}
	// checkpoints wakes the checkpointer every checkpointRows committed
	// row writes (sinceWake counts them, in the writer); nil when it
	// could not get a connection of its own. checkpointed, when set
	// (tests), hears each checkpoint's frames in the log and copied.
	checkpoints    chan struct{}
	checkpointEnd  chan struct{}
	checkpointRows int
	sinceWake      int
	checkpointed   func(logFrames, copied int)

	mu     sync.RWMutex // guards closed against sends on ops
	closed bool
	// errMu guards asyncErr, apart from mu: the writer sets it while
	// senders may hold mu's read lock, blocked on a full ops channel that
	// only the writer drains.
	errMu    sync.Mutex
	asyncErr error // first failure of a queued write
}

// Error is a journal failure that is not corruption: a file that cannot be
// created or read, a full disk, a journal locked by another process.
type Error struct {
	// Path is the journal file.
	Path string
	// Op says what psib was doing, e.g. "open" or "write".
	Op string
	// Err is the cause.
	Err error
	msg string
}

// Error reads "journal PATH: OP: cause (what to do)".
func (e *Error) Error() string {
	if e.msg != "" {
		return fmt.Sprintf("journal %s: %s", e.Path, e.msg)
	}
	return fmt.Sprintf("journal %s: %s: %v", e.Path, e.Op, e.Err)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// CorruptError reports a file that is not a psib journal, or a damaged one.
// psib never recreates it by itself.
type CorruptError struct {
	// Path is the journal file.
	Path string
	// Reason says what is wrong, e.g. "not a SQLite database".
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error says what is wrong and what to do about it.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("journal %s is unusable: %s; psib never repairs or recreates a journal: move it away (mv %s %s.bad) to start a new one, or use another file with --journal PATH",
		e.Path, e.Reason, shellQuote(e.Path), shellQuote(e.Path))
}

// Unwrap returns Err.
func (e *CorruptError) Unwrap() error { return e.Err }

// ErrNotFound is returned by Find when no message matches.
var ErrNotFound = errors.New("journal: no such message")

// DefaultPath returns $XDG_STATE_HOME/psib/journal.db, else
// $HOME/.local/state/psib/journal.db. It fails when neither variable is an
// absolute path.
func DefaultPath(lookupEnv func(string) (string, bool)) (string, error) {
	if v, ok := lookupEnv("XDG_STATE_HOME"); ok && filepath.IsAbs(v) {
		return filepath.Join(v, "psib", "journal.db"), nil
	}
	if v, ok := lookupEnv("HOME"); ok && filepath.IsAbs(v) {
		return filepath.Join(v, ".local", "state", "psib", "journal.db"), nil
	}
	return "", errors.New("journal: no place for the journal: set XDG_STATE_HOME or HOME, or give --journal PATH")
}

// Open opens the journal at path, creating it when Options.Create is set
// and there is none. A file that is not a psib journal, or a damaged one,
// is a *CorruptError; it is left as it is.
func Open(path string, o Options) (*Journal, error) {
	if path == "" {
		return nil, errors.New("journal: no path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Path: path, Op: "open", Err: err}
	}
	fi, err := os.Stat(abs)
	switch {
	case err == nil && fi.IsDir():
		return nil, &Error{Path: path, Op: "open", Err: fs.ErrInvalid, msg: "is a directory, not a journal file"}
	case err == nil && fi.Size() == 0:
		return nil, &CorruptError{Path: path, Reason: "the file is empty (not a psib journal)"}
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		if !o.Create {
			return nil, &Error{Path: path, Op: "open", Err: fs.ErrNotExist, msg: "does not exist (psib publish creates it; give the journal with --journal PATH)"}
		}
		if err := create(abs); err != nil {
			return nil, &Error{Path: path, Op: "create", Err: err}
		}
	default:
		return nil, &Error{Path: path, Op: "open", Err: err}
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, &Error{Path: path, Op: "open", Err: err}
	}
	j := &Journal{path: path, abs: abs, db: db, now: o.Now, checkpointRows: checkpointRows}
	if j.now == nil {
		j.now = time.Now
	}
	unchanged := unchangedSinceClose(abs)
	j.checked = !o.SkipCheck && !unchanged
	j.trusted = j.checked || unchanged
	if err := j.check(j.checked); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// dsn is a SQLite URI for path with psib's connection settings. Every
// connection waits up to 10s for a lock held by another process, commits
// without fsync (synchronous=NORMAL: safe against process death), and
// keeps temporary data (the statement journal of a multi-row write) in
// memory rather than in a temporary file, and copies the write-ahead log
// into the database every walCheckpointPages pages.
func dsn(abs string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(abs)) + "?_busy_timeout=10000&_synchronous=NORMAL&_pragma=temp_store(MEMORY)" +
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walCheckpointPages)
}

// walCheckpointPages is how many pages the write-ahead log grows to
// before they are copied into the database (SQLite's default is 1000).
// Each commit of a batch rewrites most pages of the key index (keys are
// digests, so spread over all of it); a checkpoint copies each page once
// however often the log holds it, so fewer checkpoints copy far fewer
// pages: 12% less journal CPU (BenchmarkClaimRecord, 30,000 messages).
// Meanwhile the checkpointer (write.go) copies the log on a connection of
// its own, off the writer's path, so this is the bound the log reaches
// only when that falls behind; the log is removed at Close.
const walCheckpointPages = 8000

// create makes a new journal: the schema is written to a temporary file
// that is renamed into place, so that a crash never leaves a half-made
// journal behind.
func create(abs string) error {
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(abs)+".new-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmpName)
			os.Remove(tmpName + "-wal")
			os.Remove(tmpName + "-shm")
		}
	}()
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", dsn(tmpName))
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	// One transaction: each statement on its own would be a commit of
	// its own, with its own file syncs.
	_, err = conn.ExecContext(ctx, "BEGIN; "+schemaSQL+fmt.Sprintf("; PRAGMA application_id = %d; PRAGMA user_version = %d; COMMIT", applicationID, SchemaVersion))
	if err != nil {
		// A failed statement leaves the transaction open; end it before
		// the connection closes (the file is removed below anyway).
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
	}
	if err == nil {
		var mode string
		err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
	}
	conn.Close()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// Link, not rename: a journal another process created meanwhile wins.
	if err := os.Link(tmpName, abs); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if rerr := os.Rename(tmpName, abs); rerr != nil {
			return rerr
		}
		ok = true
		return nil
	}
	return nil
}

// schemaSQL is schema 2. Times are microseconds since 1970 UTC (0: none);
// key and content_sha256 hold bytes for psib's own digests, text
// otherwise (codec.go). The CHECKs on the times refuse the text an older
// psib would write: one still running while the file is upgraded fails on
// its next write, loudly, instead of mixing schema-1 values in.
const schemaSQL = `
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY,
	started_at  INTEGER NOT NULL CHECK (typeof(started_at) = 'integer'),
	finished_at INTEGER NOT NULL DEFAULT 0 CHECK (typeof(finished_at) = 'integer'),
	operation   TEXT NOT NULL,
	target      TEXT NOT NULL,
	command     TEXT NOT NULL,
	state       TEXT NOT NULL,
	total       INTEGER NOT NULL DEFAULT 0,
	accepted    INTEGER NOT NULL DEFAULT 0,
	rejected    INTEGER NOT NULL DEFAULT 0,
	failed      INTEGER NOT NULL DEFAULT 0,
	unknown     INTEGER NOT NULL DEFAULT 0,
	skipped     INTEGER NOT NULL DEFAULT 0,
	not_sent    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE messages (
	id                  INTEGER PRIMARY KEY,
	key                 BLOB NOT NULL UNIQUE,
	run_id              INTEGER NOT NULL,
	operation           TEXT NOT NULL,
	target              TEXT NOT NULL,
	input               TEXT NOT NULL,
	content_sha256      BLOB NOT NULL,
	bytes               INTEGER NOT NULL,
	external_message_id TEXT NOT NULL,
	state               TEXT NOT NULL CHECK (state IN ('pending','in-flight','accepted','rejected','failed','unknown')),
	transaction_id      TEXT NOT NULL DEFAULT '',
	attempts            INTEGER NOT NULL DEFAULT 0,
	http_status         INTEGER NOT NULL DEFAULT 0,
	duplicate           INTEGER NOT NULL DEFAULT 0,
	last_error          TEXT NOT NULL DEFAULT '',
	created_at          INTEGER NOT NULL CHECK (typeof(created_at) = 'integer'),
	updated_at          INTEGER NOT NULL CHECK (typeof(updated_at) = 'integer'),
	sent_at             INTEGER NOT NULL DEFAULT 0 CHECK (typeof(sent_at) = 'integer'),
	accepted_at         INTEGER NOT NULL DEFAULT 0 CHECK (typeof(accepted_at) = 'integer')
);
`

// check verifies that the file is a psib journal of a schema this psib
// knows, and (when integrity is set) that its pages are sound.
func (j *Journal) check(integrity bool) error {
	ctx := context.Background()
	var appID, version int
	if err := j.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return j.wrap("open", err)
	}
	if err := j.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return j.wrap("open", err)
	}
	if appID != applicationID {
		return &CorruptError{Path: j.path, Reason: "it is a SQLite database, but not a psib journal"}
	}
	if version > SchemaVersion {
		return &Error{Path: j.path, Op: "open", msg: fmt.Sprintf("was written by a newer psib (journal schema %d, this psib knows %d): upgrade psib", version, SchemaVersion)}
	}
	if version < 1 {
		return &CorruptError{Path: j.path, Reason: "it has no journal schema"}
	}
	if integrity {
		var res string
		if err := j.db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
			return j.wrap("check", err)
		}
		if res != "ok" {
			return &CorruptError{Path: j.path, Reason: "the database is damaged (" + res + ")"}
		}
	}
	// Both tables must be there, with the columns psib uses.
	if _, err := j.db.ExecContext(ctx, "SELECT id, key, state, transaction_id, accepted_at FROM messages LIMIT 0"); err != nil {
		return &CorruptError{Path: j.path, Reason: "the messages table is missing or incomplete", Err: err}
	}
	if _, err := j.db.ExecContext(ctx, "SELECT id, state, not_sent FROM runs LIMIT 0"); err != nil {
		return &CorruptError{Path: j.path, Reason: "the runs table is missing or incomplete", Err: err}
	}
	if version < SchemaVersion {
		return j.migrate()
	}
	return nil
}

// Path returns the journal file as given to Open.
func (j *Journal) Path() string { return j.path }

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var c interface{ Code() int }
	if errors.As(err, &c) {
		return c.Code() & 0xff
	}
	return 0
}

// SQLite primary result codes psib explains.
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteReadonly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

// wrap turns a SQLite error into a *CorruptError or an *Error that says
// what to do.
func (j *Journal) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	switch sqliteCode(err) {
	case sqliteNotADB, sqliteCorrupt, sqliteIOErr:
		// Never stamp this file as sound (Close).
		j.damaged.Store(true)
	}
	switch sqliteCode(err) {
	case sqliteNotADB:
		return &CorruptError{Path: j.path, Reason: "it is not a SQLite database", Err: err}
	case sqliteCorrupt:
		return &CorruptError{Path: j.path, Reason: "the database is damaged (" + err.Error() + ")", Err: err}
	case sqliteBusy, sqliteLocked:
		return &Error{Path: j.path, Op: op, Err: err, msg: op + ": locked by another process for more than 10s (another psib publish?); try again when it has finished"}
	case sqliteFull:
		return &Error{Path: j.path, Op: op, Err: err, msg: op + ": the disk is full; free space and run again"}
	case sqliteReadonly, sqliteCantOpen:
		return &Error{Path: j.path, Op: op, Err: err, msg: op + ": cannot write the journal or its -wal/-shm files (" + err.Error() + "); check the permissions of the file and its directory"}
	case sqliteIOErr:
		return &Error{Path: j.path, Op: op, Err: err, msg: op + ": I/O error (" + err.Error() + ")"}
	}
	return &Error{Path: j.path, Op: op, Err: err}
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == '~' || r == '+' || r == ':' || r == '@' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// parseTime reads a schema-1 timestamp (text, RFC 3339; "" for none).
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Close waits for queued writes and closes the journal. It returns the
// first error of a queued write, if any.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	started := j.ops != nil
	if started {
		close(j.ops)
	}
	j.mu.Unlock()
	if started {
		<-j.writerEnd
		if j.checkpoints != nil {
			close(j.checkpoints)
			<-j.checkpointEnd
		}
		j.stmts.close()
		j.conn.Close()
	}
	err := j.db.Close()
	if aerr := j.asyncError(); aerr != nil {
		return aerr
	}
	if err != nil {
		return j.wrap("close", err)
	}
	if j.trusted && !j.damaged.Load() {
		writeCloseStamp(j.abs)
	} else {
		_ = os.Remove(j.abs + "-checked")
	}
	return nil
}

// The integrity check (PRAGMA quick_check) reads the whole file, which
// takes a while once a journal holds a few hundred thousand messages
// (0.35 s at 200,000). It guards against damage from outside SQLite: a
// truncated copy, a file edited or overwritten. So Close leaves a stamp
// beside the journal (<journal>-checked: its size, modification and
// change times and inode after a clean close), and Open skips the check
// while the file is exactly as psib left it and no write-ahead log is
// pending. The change time cannot be set back (unlike the modification
// time: cp -p, touch -r). What the stamp cannot see: damage that changes
// none of them, such as bit rot, or a same-size rewrite in place within
// the file system's timestamp resolution (a few milliseconds, up to 2 s
// on FAT) of psib's close. SQLite still reports such damage when the
// pages are read, and then the stamp is not renewed.

// closeStamp describes a journal file as a clean Close left it.
func closeStamp(abs string) (string, bool) {
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	ino, ctime := inodeCtime(fi)
	return fmt.Sprintf("psib journal %d %d %d %d\n", fi.Size(), fi.ModTime().UnixNano(), ctime, ino), true
}

// writeCloseStamp records the journal's stamp after a clean close. A
// failure only means the next Open runs the check.
func writeCloseStamp(abs string) {
	if _, err := os.Stat(abs + "-wal"); err == nil {
		return // another process still has it open
	}
	if st, ok := closeStamp(abs); ok {
		_ = os.WriteFile(abs+"-checked", []byte(st), 0o600)
	}
}

// unchangedSinceClose reports whether the journal is as the last clean
// Close left it.
func unchangedSinceClose(abs string) bool {
	if _, err := os.Stat(abs + "-wal"); err == nil {
		return false // a crash, or another process: check
	}
	want, err := os.ReadFile(abs + "-checked")
	if err != nil {
		return false
	}
	st, ok := closeStamp(abs)
	return ok && st == string(want)
}
