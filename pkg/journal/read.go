package journal

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
)

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

func scanEntry(r rowScanner) (*Entry, error) {
	var (
		e                                Entry
		key, digest                      any
		state                            string
		created, updated, sent, accepted int64
	)
	if err := r.Scan(&e.ID, &key, &e.RunID, &e.Operation, &e.Target, &e.Input, &digest, &e.Bytes, &e.ExternalMessageID,
		&state, &e.TransactionID, &e.Attempts, &e.HTTPStatus, &e.Duplicate, &e.LastError, &created, &updated, &sent, &accepted); err != nil {
		return nil, err
	}
	e.Key, e.ContentSHA256, e.State = keyFromDB(key), digestFromDB(digest), State(state)
	e.CreatedAt, e.UpdatedAt, e.SentAt, e.AcceptedAt = timeFromDB(created), timeFromDB(updated), timeFromDB(sent), timeFromDB(accepted)
	return &e, nil
}

// Filter selects messages for List. Zero fields select everything.
type Filter struct {
	// RunID selects the messages last written by one run.
	RunID int64
	// State selects one state.
	State State
	// Operation selects one operation.
	Operation string
	// Limit keeps the last Limit messages (by id); 0 means all.
	Limit int
}

// List calls fn for each message that f selects, oldest first. It streams:
// memory does not grow with the journal.
func (j *Journal) List(ctx context.Context, f Filter, fn func(*Entry) error) error {
	var (
		where []string
		args  []any
	)
	if f.RunID != 0 {
		where, args = append(where, "run_id = ?"), append(args, f.RunID)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Operation != "" {
		where, args = append(where, "operation = ?"), append(args, f.Operation)
	}
	q := "SELECT " + entryColumns + " FROM messages"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit > 0 {
		q = "SELECT * FROM (" + q + " ORDER BY id DESC LIMIT " + strconv.Itoa(f.Limit) + ")"
	}
	return j.eachEntry(ctx, q+" ORDER BY id", args, fn)
}

// eachEntry runs query (selecting entryColumns) and calls fn for each row;
// an error of fn is returned as it is, a read error wrapped.
func (j *Journal) eachEntry(ctx context.Context, query string, args []any, fn func(*Entry) error) error {
	rows, err := j.db.QueryContext(ctx, query, args...)
	if err != nil {
		return j.wrap("read", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return j.wrap("read", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return j.wrap("read", rows.Err())
}

// Find returns the messages that ref names: a row id (digits), a message
// key, an ExternalMessageID or a transaction id. No match is ErrNotFound.
func (j *Journal) Find(ctx context.Context, ref string) ([]*Entry, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, ErrNotFound
	}
	var out []*Entry
	collect := func(q string, arg any) error {
		return j.eachEntry(ctx, "SELECT "+entryColumns+" FROM messages WHERE "+q+" ORDER BY id", []any{arg}, func(e *Entry) error {
			out = append(out, e)
			return nil
		})
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if err := collect("id = ?", id); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	for _, by := range []struct {
		col string
		arg any
	}{{"key", dbKey(ref)}, {"external_message_id", ref}, {"transaction_id", ref}} {
		if err := collect(by.col+" = ?", by.arg); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, ErrNotFound
}

const runColumns = `id, started_at, finished_at, operation, target, command, state, total, accepted, rejected, failed, unknown, skipped, not_sent`

func scanRun(r rowScanner) (*Run, error) {
	var (
		run               Run
		started, finished int64
	)
	c := &run.Counts
	if err := r.Scan(&run.ID, &started, &finished, &run.Operation, &run.Target, &run.Command, &run.State, &c.Total, &c.Accepted,
		&c.Rejected, &c.Failed, &c.Unknown, &c.Skipped, &c.NotSent); err != nil {
		return nil, err
	}
	run.StartedAt, run.FinishedAt = timeFromDB(started), timeFromDB(finished)
	return &run, nil
}

// Runs returns the last limit runs (all when limit is 0), oldest first.
func (j *Journal) Runs(ctx context.Context, limit int) ([]*Run, error) {
	q := "SELECT " + runColumns + " FROM runs ORDER BY id DESC"
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := j.db.QueryContext(ctx, q)
	if err != nil {
		return nil, j.wrap("read", err)
	}
	defer rows.Close()
	var out []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, j.wrap("read", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, j.wrap("read", err)
	}
	for i, k := 0, len(out)-1; i < k; i, k = i+1, k-1 {
		out[i], out[k] = out[k], out[i]
	}
	return out, nil
}

// GetRun returns one run; a missing run is ErrNotFound.
func (j *Journal) GetRun(ctx context.Context, id int64) (*Run, error) {
	r, err := scanRun(j.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, j.wrap("read", err)
	}
	return r, nil
}

// StateCounts returns how many messages are in each state.
func (j *Journal) StateCounts(ctx context.Context) (map[State]int, error) {
	rows, err := j.db.QueryContext(ctx, "SELECT state, count(*) FROM messages GROUP BY state")
	if err != nil {
		return nil, j.wrap("read", err)
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var (
			s string
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, j.wrap("read", err)
		}
		out[State(s)] = n
	}
	return out, j.wrap("read", rows.Err())
}
