package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrateBatch is how many rows the upgrade copies per read.
const migrateBatch = 2000

// migrate upgrades a journal of an older schema to SchemaVersion, in one
// transaction: a failure (a read-only file, a full disk) leaves it as it
// was. Another process may have upgraded it meanwhile; that is fine.
//
// Schema 1 stored times as RFC 3339 text and digests as hex text; schema
// 2 stores them as integers and bytes (codec.go), which makes the file a
// third smaller and a publish write fewer pages per message. Upgrading
// 200,000 messages takes about 5 s with the compaction after it, once.
func (j *Journal) migrate() (err error) {
	ctx := context.Background()
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return j.wrap("upgrade", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return j.wrap("upgrade", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return j.wrap("upgrade", err)
	}
	switch {
	case version == SchemaVersion:
		_, err := conn.ExecContext(ctx, "COMMIT")
		return j.wrap("upgrade", err)
	case version != 1:
		return &Error{Path: j.path, Op: "upgrade", msg: fmt.Sprintf("upgrade: no upgrade from journal schema %d to %d", version, SchemaVersion)}
	}
	newSchema := strings.NewReplacer("CREATE TABLE runs (", "CREATE TABLE runs_v2 (", "CREATE TABLE messages (", "CREATE TABLE messages_v2 (").Replace(schemaSQL)
	if _, err := conn.ExecContext(ctx, newSchema); err != nil {
		return j.wrap("upgrade", err)
	}
	if err := copyRuns1(ctx, conn); err != nil {
		return j.wrap("upgrade", err)
	}
	if err := copyMessages1(ctx, conn); err != nil {
		return j.wrap("upgrade", err)
	}
	for _, q := range []string{
		"DROP TABLE messages", "DROP TABLE runs",
		"ALTER TABLE messages_v2 RENAME TO messages", "ALTER TABLE runs_v2 RENAME TO runs",
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		"COMMIT",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return j.wrap("upgrade", err)
		}
	}
	// The old tables' pages are free now: without compaction the file
	// would keep both copies' size. The upgrade stands whether or not
	// this succeeds (a full disk: psib journal prune --vacuum later).
	_ = j.vacuum(ctx, conn)
	return nil
}

// copyRuns1 copies schema 1's runs into runs_v2.
func copyRuns1(ctx context.Context, conn *sql.Conn) error {
	ins, err := conn.PrepareContext(ctx, `INSERT INTO runs_v2 (`+runColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	return copyInBatches(ctx, conn, "SELECT "+runColumns+" FROM runs WHERE id > ? ORDER BY id LIMIT ?", func(rows *sql.Rows) (int64, []any, error) {
		var (
			id                int64
			started, finished string
			rest              [11]any
		)
		dest := []any{&id, &started, &finished}
		for i := range rest {
			dest = append(dest, &rest[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, nil, err
		}
		args := append([]any{id, dbTime(parseTime(started)), dbTime(parseTime(finished))}, rest[:]...)
		return id, args, nil
	}, ins)
}

// copyMessages1 copies schema 1's messages into messages_v2, ids kept.
func copyMessages1(ctx context.Context, conn *sql.Conn) error {
	ins, err := conn.PrepareContext(ctx, `INSERT INTO messages_v2 (`+entryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	return copyInBatches(ctx, conn, "SELECT "+entryColumns+" FROM messages WHERE id > ? ORDER BY id LIMIT ?", func(rows *sql.Rows) (int64, []any, error) {
		var (
			id, runID, bytes, attempts, status, dup int64
			key, op, target, input, digest, extID   string
			state, txID, lastErr                    string
			created, updated, sent, accepted        string
		)
		if err := rows.Scan(&id, &key, &runID, &op, &target, &input, &digest, &bytes, &extID, &state, &txID, &attempts, &status,
			&dup, &lastErr, &created, &updated, &sent, &accepted); err != nil {
			return 0, nil, err
		}
		return id, []any{id, dbKey(key), runID, op, target, input, dbDigest(digest), bytes, extID, state, txID, attempts, status, dup,
			lastErr, dbTime(parseTime(created)), dbTime(parseTime(updated)), dbTime(parseTime(sent)), dbTime(parseTime(accepted))}, nil
	}, ins)
}

// copyInBatches reads rows by id, migrateBatch at a time (no statement
// stays open while the copies are written), converts each with row and
// writes it with ins.
func copyInBatches(ctx context.Context, conn *sql.Conn, query string, row func(*sql.Rows) (int64, []any, error), ins *sql.Stmt) error {
	var last int64
	for {
		rows, err := conn.QueryContext(ctx, query, last, migrateBatch)
		if err != nil {
			return err
		}
		var batch [][]any
		for rows.Next() {
			id, args, err := row(rows)
			if err != nil {
				rows.Close()
				return err
			}
			last = id
			batch = append(batch, args)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, args := range batch {
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		if len(batch) < migrateBatch {
			return nil
		}
	}
}
